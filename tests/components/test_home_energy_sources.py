"""How the Home energy entry recognises its inputs among the other entries' sensors and reads them in W and kWh."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
import pytest

from custom_components.echonet_hems.const import EntryKind
from custom_components.echonet_hems.home_energy_sources import (
    Role,
    Sources,
    read_energy_kwh,
    read_power_w,
    readings_reported_at,
    role_of,
)
from custom_components.echonet_hems.lib.energy.tariff import JST


@pytest.mark.parametrize(
    ("unique_id", "kind", "role"),
    [
        ("FE000077-027901_generation_power", EntryKind.LAN, Role.PV_POWER),
        ("FE000077-02A501_generation_energy", EntryKind.LAN, Role.PV_ENERGY),
        ("FE000077-027C01_generation_power", EntryKind.LAN, Role.FUEL_CELL_POWER),  # same key, another class
        ("FE000077-027D01_charged_energy", EntryKind.LAN, Role.BATTERY_CHARGED),
        ("FE000077-027E01_discharged_energy", EntryKind.LAN, Role.V2H_DISCHARGED),
        ("FE000077-028701_main_energy_import", EntryKind.LAN, Role.BOARD_IMPORT),
        ("FE000077-026B01_power_consumption", EntryKind.LAN, None),  # not a balance input
        ("FE000077_generation_power", EntryKind.LAN, None),  # no EOJ: not an object entity
        ("001C6400601421A3_grid_import_energy", EntryKind.BROUTE, Role.GRID_IMPORT),
        ("001C6400601421A3_grid_power", EntryKind.BROUTE, Role.GRID_POWER),
        ("001C6400601421A3_signal_strength", EntryKind.BROUTE, None),
    ],
)
def test_roles_from_unique_ids(unique_id: str, kind: EntryKind, role: Role | None) -> None:
    assert role_of(unique_id, kind) is role


@pytest.mark.parametrize(
    ("value", "unit", "watts"),
    [
        ("1500", "W", 1500.0),
        ("1.5", "kW", 1500.0),
        ("unknown", "W", None),
        ("unavailable", "W", None),
        ("x", "W", None),
    ],
)
def test_power_in_watts(value: str, unit: str, watts: float | None) -> None:
    assert read_power_w(State("sensor.p", value, {"unit_of_measurement": unit})) == watts


def test_energy_in_kwh_and_unknown_units() -> None:
    assert read_energy_kwh(State("sensor.e", "2500", {"unit_of_measurement": "Wh"})) == pytest.approx(2.5)
    assert read_energy_kwh(State("sensor.e", "2.5", {"unit_of_measurement": "kWh"})) == pytest.approx(2.5)
    assert read_energy_kwh(State("sensor.e", "2.5", {"unit_of_measurement": "L"})) is None  # not an energy
    assert read_energy_kwh(State("sensor.e", "2.5", {})) is None
    assert read_power_w(None) is None


def test_sources_list_their_entities_once() -> None:
    sources = Sources({Role.PV_POWER: ("sensor.b", "sensor.a"), Role.PV_ENERGY: ("sensor.a",)})
    assert sources.entity_ids() == ("sensor.a", "sensor.b")
    assert sources.has(Role.PV_POWER)
    assert not sources.has(Role.GRID_POWER)


async def test_a_silent_power_conditioner_counts_as_stale_only_while_pv_is_expected(hass: HomeAssistant) -> None:
    """Many power conditioners stop answering at night: their unavailable PV reading must not make the data stale
    then (it would hand the devices back and block night-time grid charging), but still does by day."""
    hass.config.latitude, hass.config.longitude = 35.68, 139.77  # Tokyo
    hass.states.async_set("sensor.grid", "350", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.pv", STATE_UNAVAILABLE, {"unit_of_measurement": "W"})
    sources = Sources({Role.GRID_POWER: ("sensor.grid",), Role.PV_POWER: ("sensor.pv",)})
    grid_at = hass.states.get("sensor.grid").last_reported  # type: ignore[union-attr]
    night, noon = grid_at.astimezone(JST).replace(hour=23), grid_at.astimezone(JST).replace(hour=12)
    later = timedelta(days=1)  # `now` after the readings, so the result is a reading's time, not `now`

    assert readings_reported_at(hass, sources, night + later) == grid_at  # the grid alone decides at night
    assert readings_reported_at(hass, sources, noon + later) is None  # by day a silent PV is stale data

    hass.states.async_set("sensor.pv", "1200", {"unit_of_measurement": "W"})
    assert readings_reported_at(hass, sources, noon + later) == grid_at  # the oldest of grid and PV
