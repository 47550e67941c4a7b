"""Entity snapshots: every entity of the virtual home and of the smart meter — ids, names, classes, units, states.

The snapshot is our own projection of the registry and the state machine (not the registry entry's repr), so it means
the same on both Home Assistant versions we test. The LAN home's clock is frozen, so its states are reproducible; the
meter runs in real time, so only its registry side is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from virtual_home.runtime import VirtualHome

from .meter_rig import meter_rig

STATE_ATTRIBUTES = ("device_class", "state_class", "unit_of_measurement", "friendly_name", "options")


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def describe_entities(hass: HomeAssistant, entry_id: str, *, with_states: bool) -> dict[str, dict[str, Any]]:
    """By unique id: what a user sees of each entity (registry settings, device, state and its key attributes)."""
    devices = dr.async_get(hass)
    out: dict[str, dict[str, Any]] = {}
    for entry in sorted(er.async_entries_for_config_entry(er.async_get(hass), entry_id), key=lambda e: e.unique_id):
        device = devices.async_get(entry.device_id) if entry.device_id else None
        item: dict[str, Any] = {
            "entity_id": entry.entity_id,
            "translation_key": entry.translation_key,
            "device": device.name if device is not None else None,
            "entity_category": _value(entry.entity_category),
            "disabled_by": _value(entry.disabled_by),
            "original_device_class": entry.original_device_class,
        }
        state = hass.states.get(entry.entity_id)
        if with_states and state is not None:
            item["state"] = state.state
            item["attributes"] = {key: state.attributes[key] for key in STATE_ATTRIBUTES if key in state.attributes}
        out[entry.unique_id] = item
    return out


async def test_every_entity_of_the_virtual_home(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    entities = describe_entities(hass, lan_entry.entry_id, with_states=True)
    assert len(entities) > 40
    assert entities == snapshot
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_every_entity_of_the_smart_meter(
    hass: HomeAssistant, tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    async with meter_rig(tmp_path) as rig:
        entry = rig.entry()
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert describe_entities(hass, entry.entry_id, with_states=False) == snapshot
        assert await hass.config_entries.async_unload(entry.entry_id)
