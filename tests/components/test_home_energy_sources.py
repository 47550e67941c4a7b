"""How the Home energy entry recognises its inputs among the other entries' sensors and reads them in W and kWh."""

from __future__ import annotations

from homeassistant.core import State
import pytest

from custom_components.echonet_hems.const import EntryKind
from custom_components.echonet_hems.home_energy_sources import Role, Sources, read_energy_kwh, read_power_w, role_of


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
