"""Diagnostics of a LAN entry: nodes, objects, raw property maps and EDTs (hex), redacted.

Redacted: identification numbers (node ids, also inside device/object ids), production numbers and IP addresses. The raw
EDT of 0x83 (identification) and 0x8D (production number) is redacted as well, so a dump can become a test fixture
without identifying the home.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ADDRESSES, CONF_INTERFACE
from .coordinator import EchonetLanConfigEntry

REDACTED = "**REDACTED**"
TO_REDACT = {CONF_INTERFACE, CONF_ADDRESSES}
# EPCs whose bytes identify the device.
REDACTED_EPCS = frozenset({0x83, 0x8D})


def _epcs(epcs: frozenset[int]) -> list[str]:
    return [f"0x{epc:02X}" for epc in sorted(epcs)]


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> dict[str, Any]:
    """Everything needed to reproduce a home's objects, without identities or addresses."""
    runtime = entry.runtime_data
    aliases = {node_id: f"node_{index}" for index, node_id in enumerate(sorted(runtime.discovery.nodes))}
    nodes: list[dict[str, Any]] = []
    for node_id, node in sorted(runtime.discovery.nodes.items()):
        identity = node.identity
        objects: list[dict[str, Any]] = []
        for info in node.objects:
            coordinator = runtime.coordinators.get(f"{node_id}-{info.eoj}")
            values = coordinator.data.values if coordinator is not None and coordinator.data is not None else {}
            objects.append(
                {
                    "eoj": str(info.eoj),
                    "release": info.release,
                    "manufacturer_code": None if info.manufacturer_code is None else f"0x{info.manufacturer_code:06X}",
                    "get_map": _epcs(info.get_map),
                    "set_map": _epcs(info.set_map),
                    "status_map": _epcs(info.status_map),
                    "polled": _epcs(coordinator.wanted) if coordinator is not None else [],
                    "last_update_success": coordinator.last_update_success if coordinator is not None else None,
                    "values": {
                        f"0x{epc:02X}": REDACTED if epc in REDACTED_EPCS else edt.hex().upper()
                        for epc, edt in sorted(values.items())
                    },
                }
            )
        nodes.append(
            {
                "node": aliases[node_id],
                "address": REDACTED,
                "identification_number": REDACTED,
                "production_number": REDACTED,
                "stable_identity": identity.stable,
                "manufacturer_code": None
                if identity.manufacturer_code is None
                else f"0x{identity.manufacturer_code:06X}",
                "product_code": identity.product_code,
                "version": identity.version,
                "objects": objects,
            }
        )
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "nodes": nodes,
    }
