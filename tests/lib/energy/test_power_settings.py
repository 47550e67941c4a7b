"""Power settings as the devices offer them: the planner parameters from the Set map, and the values the executor
writes for a plan slot on a device with and without a settable power (issue 14)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.echonet import ids
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.energy import BatteryParams, EVParams
from custom_components.echonet_hems.lib.energy.commands import (
    EPC_CHARGE_CURRENT,
    EPC_CHARGE_POWER,
    EPC_DISCHARGE_POWER,
    EPC_OPERATION_MODE,
    Capabilities,
    Comfort,
    DeviceMode,
    DeviceRole,
    battery_with_capabilities,
    capabilities_from,
    desired,
    ev_with_capabilities,
    setting_of,
)
from custom_components.echonet_hems.lib.energy.planner import Reason, SlotPlan
from custom_components.echonet_hems.lib.energy.tariff import JST

NOW = datetime(2025, 5, 13, 10, 5, tzinfo=JST)
BATTERY_RANGE: Mapping[str, Value] = {"min_value": 0, "max_value": 2500}
EV_RANGE: Mapping[str, Value] = {"minimum_electric_power": 1400, "maximum_electric_power": 6000}
BATTERY_SETTABLE = capabilities_from(
    ids.BATTERY, frozenset({0xDA, 0xEB, 0xEC}), {0xC8: BATTERY_RANGE, 0xC9: BATTERY_RANGE}
)
BATTERY_MODES_ONLY = capabilities_from(ids.BATTERY, frozenset({0xDA}), {})
EV_CHARGER_SETTABLE = capabilities_from(ids.EV_CHARGER, frozenset({0xDA, 0xEB}), {0xC8: EV_RANGE})
EV_CHARGER_ON_OFF = capabilities_from(ids.EV_CHARGER, frozenset({0xDA}), {0xC8: EV_RANGE})
V2H_SETTABLE = capabilities_from(ids.V2H, frozenset({0xDA, 0xEB}), {0xC8: EV_RANGE})
# An AC charger set by its current (0xED): 6-32 A (0xCA) at its rated 200 V (0xD2), i.e. 1.2-6.4 kW.
CURRENT_RANGE: Mapping[str, Value] = {"minimum_current": 6.0, "maximum_current": 32.0}
EV_CHARGER_BY_CURRENT = capabilities_from(ids.EV_CHARGER, frozenset({0xDA, 0xED}), {0xCA: CURRENT_RANGE, 0xD2: 200})
HALF_FULL: Mapping[int, Value] = {0xE4: 50}


def plan_slot(*, battery: float = 0.0, ev: float = 0.0) -> SlotPlan:
    return SlotPlan(
        start=NOW.replace(minute=0),
        heat_kw=0.0,
        battery_kw=battery,
        ev_kw=ev,
        grid_kw=0.5,
        pv_kw=0.0,
        load_kw=0.5,
        buy_price=20.0,
        sell_price=8.0,
        tank_kwh_th=0.0,
        battery_kwh=3.0,
        ev_kwh=20.0,
        heat_reason=Reason.HEAT_OFF_TANK_SUFFICIENT,
        battery_reason=Reason.BATTERY_CHARGE_CHEAP_BAND,
        ev_reason=Reason.EV_CHARGE_PV_SURPLUS,
    )


def test_battery_params_follow_the_set_map() -> None:
    settable = battery_with_capabilities(BatteryParams(), BATTERY_SETTABLE)
    assert settable.power_setting
    assert settable.max_charge_kw == settable.max_discharge_kw == 2.5
    modes_only = battery_with_capabilities(BatteryParams(), BATTERY_MODES_ONLY)
    assert not modes_only.power_setting
    assert modes_only.max_charge_kw == BatteryParams().max_charge_kw


@pytest.mark.parametrize(
    ("caps", "modulating", "min_kw", "max_kw"),
    [
        (EV_CHARGER_SETTABLE, True, 1.4, 6.0),
        (V2H_SETTABLE, True, 1.4, 6.0),
        (EV_CHARGER_ON_OFF, False, 3.0, 3.0),  # the range alone does not make the power settable
        (capabilities_from(ids.EV_CHARGER, frozenset({0xDA, 0xEB}), {}), False, 3.0, 3.0),  # no range reported
        (EV_CHARGER_BY_CURRENT, True, 1.2, 6.4),
        # A current range of 6.5-16.4 A: whole amperes within it (7-16 A); no rated voltage reported: 200 V.
        (
            capabilities_from(
                ids.V2H, frozenset({0xDA, 0xED}), {0xCA: {"minimum_current": 6.5, "maximum_current": 16.4}}
            ),
            True,
            1.4,
            3.2,
        ),
        (capabilities_from(ids.EV_CHARGER, frozenset({0xDA, 0xED}), {0xD2: 200}), False, 3.0, 3.0),  # no range
        # Both settable: the power setting is used, the current left alone.
        (capabilities_from(ids.EV_CHARGER, frozenset({0xDA, 0xEB, 0xED}), {0xC8: EV_RANGE}), True, 1.4, 6.0),
    ],
)
def test_ev_params_follow_the_set_map(caps: Capabilities, modulating: bool, min_kw: float, max_kw: float) -> None:
    params = ev_with_capabilities(EVParams(max_power_kw=3.0, min_power_kw=3.0), caps)
    assert (params.modulating, params.min_power_kw, params.max_power_kw) == (modulating, min_kw, max_kw)


@pytest.mark.parametrize(
    ("role", "caps", "plan", "expected"),
    [
        # A battery with 0xEB/0xEC gets the planned power (rounded to 500 W, clamped to its range) before its mode.
        (DeviceRole.BATTERY, BATTERY_SETTABLE, plan_slot(battery=1.2), {EPC_CHARGE_POWER: 1000, 0xDA: "charging"}),
        (DeviceRole.BATTERY, BATTERY_SETTABLE, plan_slot(battery=4.0), {EPC_CHARGE_POWER: 2500, 0xDA: "charging"}),
        (
            DeviceRole.BATTERY,
            BATTERY_SETTABLE,
            plan_slot(battery=-0.8),
            {EPC_DISCHARGE_POWER: 1000, 0xDA: "discharging"},
        ),
        # Without them, only the mode: the battery runs at its own rate.
        (DeviceRole.BATTERY, BATTERY_MODES_ONLY, plan_slot(battery=1.2), {0xDA: "charging"}),
        (DeviceRole.BATTERY, BATTERY_MODES_ONLY, plan_slot(battery=-0.8), {0xDA: "discharging"}),
        # A modulating EV charger (0x02A1 with 0xEB) runs at the planned power within its min-max.
        (DeviceRole.EV, EV_CHARGER_SETTABLE, plan_slot(ev=2.4), {EPC_CHARGE_POWER: 2500, 0xDA: "charge"}),
        (DeviceRole.EV, EV_CHARGER_SETTABLE, plan_slot(ev=0.9), {EPC_CHARGE_POWER: 1400, 0xDA: "charge"}),
        (DeviceRole.EV, V2H_SETTABLE, plan_slot(ev=5.0), {EPC_CHARGE_POWER: 5000, 0xDA: "charge"}),
        (DeviceRole.EV, EV_CHARGER_ON_OFF, plan_slot(ev=2.4), {0xDA: "charge"}),
        # A charger set by its current gets the planned power as whole amperes at its voltage, within its range.
        (DeviceRole.EV, EV_CHARGER_BY_CURRENT, plan_slot(ev=2.4), {EPC_CHARGE_CURRENT: 12, 0xDA: "charge"}),
        (DeviceRole.EV, EV_CHARGER_BY_CURRENT, plan_slot(ev=0.9), {EPC_CHARGE_CURRENT: 6, 0xDA: "charge"}),
        (DeviceRole.EV, EV_CHARGER_BY_CURRENT, plan_slot(ev=9.0), {EPC_CHARGE_CURRENT: 32, 0xDA: "charge"}),
    ],
)
def test_the_power_setting_is_written_only_where_the_device_has_it(
    role: DeviceRole, caps: Capabilities, plan: SlotPlan, expected: Mapping[int, object]
) -> None:
    intent = desired(role, plan, DeviceMode.FOLLOW_PLAN, caps, HALF_FULL, Comfort(), NOW, battery_automatic=False)
    assert dict(intent.values) == expected
    assert list(intent.values)[-1] == EPC_OPERATION_MODE  # the power first: the device starts at the right power


def test_a_charger_set_by_its_current_charges_at_full_current_when_forced_and_its_readings_compare() -> None:
    forced = desired(DeviceRole.EV, None, DeviceMode.FORCE_ON, EV_CHARGER_BY_CURRENT, HALF_FULL, Comfort(), NOW)
    assert dict(forced.values) == {EPC_CHARGE_CURRENT: 32, 0xDA: "charge"}
    # The device reports the current with its 0.1-A scale: 12.0 is the 12 we wrote; 12.5 (set by hand) is a setting
    # of its own, to watch and to write back on hand-back.
    assert setting_of(12.0) == 12
    assert setting_of(12.5) == 12.5
