"""What the planner reads of the devices (`plan_state`) and its settings: the car's energy while it is out, the tank's
floor at the hot-water reserve."""

from __future__ import annotations

from typing import Any, cast

import pytest

from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.energy.devices import WaterHeaterParams
from custom_components.echonet_hems.lib.energy.planner import PlannerSettings
from custom_components.echonet_hems.lib.energy.solar_charge import Device
from custom_components.echonet_hems.object_coordinator import EchonetObjectCoordinator
from custom_components.echonet_hems.solar_charge_coordinator import plan_state, planner_settings


class FakeObject:
    """Decoded values of one object, as `EchonetObjectCoordinator.decoded` gives them (None: unknown)."""

    def __init__(self, values: dict[int, Value]) -> None:
        self.values = values

    def decoded(self, epc: int) -> Value:
        return self.values.get(epc)


def devices(ev: dict[int, Value]) -> dict[Device, EchonetObjectCoordinator]:
    return {Device.EV: cast(EchonetObjectCoordinator, cast(Any, FakeObject(ev)))}


def test_the_car_reads_its_energy_when_plugged_in() -> None:
    assert plan_state(devices({0xE2: 34000}), 40.0, ev_last_kwh=12.0).ev_kwh == 34.0
    assert plan_state(devices({0xE4: 50}), 40.0).ev_kwh == 20.0


def test_a_car_out_holds_what_it_held_when_last_seen() -> None:
    # The charger answers "response impossible" for 0xE2/0xE4 while no car is plugged in (MRA, 0x027E/0x02A1).
    assert plan_state(devices({}), 40.0, ev_last_kwh=38.5).ev_kwh == 38.5
    assert plan_state(devices({}), 40.0).ev_kwh == 0.0  # never seen: nothing better to say


def test_the_tank_floor_is_the_hot_water_reserve() -> None:
    tank = WaterHeaterParams(tank_l=370.0)
    # 100 L at 65 °C above a 15 °C inlet: 5.8 kWh of the tank's 21.5 (the executor's comfort reserve, 0xE1 litres),
    # and a 20 % margin.
    assert planner_settings(tank, 100.0).tank_floor_fraction == pytest.approx(1.2 * 100.0 / 370.0)
    assert planner_settings(tank, 0.0).tank_floor_fraction == PlannerSettings().tank_floor_fraction
    assert planner_settings(None) == PlannerSettings()
