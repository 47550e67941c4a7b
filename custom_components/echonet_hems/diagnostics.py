"""Diagnostics of a LAN entry (nodes, objects, raw property maps and EDTs in hex), a smart meter entry (redacted) or
the Home energy entry (its sources, ledger, guards and outlook: nothing identifying).

Redacted: identification numbers (node ids, also inside device/object ids), production numbers and IP addresses. The raw
EDT of 0x83 (identification) and 0x8D (production number) is redacted as well, so a dump can become a test fixture
without identifying the home. For the smart meter: the B-route ID and password, the meter's EUI-64 (in the PAN too),
its serial and identification numbers, and the dongle's port (a by-id path names its serial number).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import (
    CONF_ADDRESSES,
    CONF_BATTERY_DEVICE,
    CONF_EV_DEVICE,
    CONF_INTERFACE,
    CONF_PAN,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    CONF_WATER_HEATER_DEVICE,
    NOT_CONTROLLED,
)
from .home_energy_runtime import HomeEnergyRuntimeData
from .lan_hub import LanRuntimeData
from .meter_coordinator import MeterRuntimeData

REDACTED = "**REDACTED**"
# The port: a /dev/serial/by-id path carries the dongle's serial number.
TO_REDACT = {CONF_INTERFACE, CONF_ADDRESSES, CONF_PORT, CONF_ROUTE_B_ID, CONF_ROUTE_B_PASSWORD, CONF_PAN}
# Solar charge's device choices: object ids, whose node part is an identification number (the EOJ is kept).
DEVICE_CHOICES = frozenset({CONF_BATTERY_DEVICE, CONF_WATER_HEATER_DEVICE, CONF_EV_DEVICE})
# EPCs whose bytes identify the device.
REDACTED_EPCS = frozenset({0x83, 0x8D})


def _epcs(epcs: frozenset[int]) -> list[str]:
    return [f"0x{epc:02X}" for epc in sorted(epcs)]


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: ConfigEntry[Any]) -> dict[str, Any]:
    """Everything needed to reproduce a home's objects or its meter link, without identities or addresses."""
    runtime = entry.runtime_data
    if isinstance(runtime, MeterRuntimeData):
        return _meter_diagnostics(entry, runtime)
    if isinstance(runtime, LanRuntimeData):
        return _lan_diagnostics(entry, runtime)
    if isinstance(runtime, HomeEnergyRuntimeData):
        return _home_energy_diagnostics(entry, runtime)
    return {"entry": _entry(entry)}


def _solar_charge_diagnostics(runtime: HomeEnergyRuntimeData) -> dict[str, Any]:
    """Control, modes, the plan's status, the executor's state and its last events (what it wrote and why)."""
    solar = runtime.solar_charge
    data = solar.data
    return {
        "control_on": solar.control_on,
        "modes": {device.value: mode for device, mode in solar.modes.items()},
        "paused": {device.value: until.isoformat() if until else None for device, until in solar.paused.items()},
        "status": data.status.key.value if data is not None else None,
        "problem": data.error if data is not None else None,
        "devices": sorted(device.value for device in data.devices) if data is not None else [],
        "missing_devices": sorted(device.value for device in data.missing) if data is not None else [],
        "executor": solar.executor.state.as_dict(),
        "events": [
            {"at": at.isoformat(), "kind": e.kind.value, "device": e.role.value, "detail": e.detail}
            for at, e in solar.executor.history
        ],
    }


def _home_energy_diagnostics(entry: ConfigEntry[Any], runtime: HomeEnergyRuntimeData) -> dict[str, Any]:
    """Which sensors feed each role, the ledger, the guards and the outlook: enough to see why a figure is off."""
    coordinator, outlook = runtime.coordinator, runtime.forecast.data
    data = coordinator.data
    return {
        "entry": _entry(entry),
        "sources": {role.value: list(ids) for role, ids in coordinator.sources.by_role.items()},
        "ledger": coordinator.ledger.as_dict(),
        "guards": [
            {"key": g.key.value, "value": g.value, "threshold": g.threshold, "ok": g.ok, "effect": g.effect.value}
            for g in (data.guards if data is not None else ())
        ],
        "outlook": None
        if outlook is None
        else {
            "system_factor_kwp": outlook.system_factor,
            "history_days": outlook.history_days,
            "weather_used": outlook.weather_used,
            "today_remaining_kwh": outlook.today_remaining_kwh,
            "tomorrow_kwh": outlook.tomorrow_kwh,
        },
        "history_days": len(runtime.forecast.history),
        "solar_charge": _solar_charge_diagnostics(runtime),
        "jma_last_update_success": None if runtime.jma is None else runtime.jma.last_update_success,
    }


def _error_text(error: BaseException | None, secrets: tuple[str, ...]) -> str | None:
    """The error's class and message with the entry's secrets (the dongle's port) taken out."""
    if error is None:
        return None
    text = f"{type(error).__name__}: {error}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _entry(entry: ConfigEntry[Any]) -> dict[str, Any]:
    return {
        "data": async_redact_data(dict(entry.data), TO_REDACT),
        "options": {
            key: _redact_choice(value) if key in DEVICE_CHOICES else value
            for key, value in async_redact_data(dict(entry.options), TO_REDACT).items()
        },
    }


def _redact_choice(value: object) -> object:
    """An object id without its node's identity ("**REDACTED**-027D01"); "none" as it is."""
    if not isinstance(value, str) or value == NOT_CONTROLLED:
        return value
    return f"{REDACTED}-{value.rsplit('-', 1)[-1]}"


def _meter_diagnostics(entry: ConfigEntry[Any], runtime: MeterRuntimeData) -> dict[str, Any]:
    status = runtime.coordinator.status
    identity = runtime.identity
    data = runtime.coordinator.data
    reading = data.reading if data is not None else None
    fixed = data.fixed_time if data is not None else None
    return {
        "entry": _entry(entry),
        "identity": {
            "eui64": REDACTED,
            "manufacturer_code": None if identity.manufacturer_code is None else f"0x{identity.manufacturer_code:06X}",
            "serial_number": REDACTED if identity.serial_number else None,
            "identification_number": REDACTED if identity.identification_number else None,
            "appendix_release": identity.appendix_release,
        },
        "session": {
            "state": status.state.value,
            "tx_limited": status.tx_limited,
            "dialect": status.dialect.value if status.dialect is not None else None,
            "channel": status.pan.channel if status.pan is not None else None,
            "rssi_dbm": status.pan.rssi_dbm if status.pan is not None else None,
            "dongle_stack_version": status.dongle.stack_version,
            "dongle_erxudp_hex": status.dongle.erxudp_hex,
            # The port (a by-id path names the dongle's serial; a URL names a host) never leaves through an error.
            "last_error": _error_text(
                status.last_error, tuple(str(entry.data.get(key, "")) for key in (CONF_PORT, CONF_ROUTE_B_ID))
            ),
        },
        "last_update_success": runtime.coordinator.last_update_success,
        "reading": None
        if reading is None
        else {
            "power_w": reading.power_w,
            "current_r_a": reading.current_r_a,
            "current_t_a": reading.current_t_a,
            "import_raw": reading.import_raw,
            "export_raw": reading.export_raw,
        },
        "fixed_time": None
        if fixed is None
        else {
            "import_raw": fixed.import_energy.raw if fixed.import_energy is not None else None,
            "export_raw": fixed.export_energy.raw if fixed.export_energy is not None else None,
            "notified": fixed.notified,
        },
    }


def _lan_diagnostics(entry: ConfigEntry[Any], runtime: LanRuntimeData) -> dict[str, Any]:
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
    return {"entry": _entry(entry), "nodes": nodes}
