"""Solar charge around the planner: inputs from the outlook, device runs, the status sentence and the explanation."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from custom_components.echonet_hems.lib.energy.balance import ContractMode
from custom_components.echonet_hems.lib.energy.calendar import DayType
from custom_components.echonet_hems.lib.energy.devices import HomeDevices
from custom_components.echonet_hems.lib.energy.forecast import PVSite, clear_sky_pv_kw
from custom_components.echonet_hems.lib.energy.guards import home_conditions
from custom_components.echonet_hems.lib.energy.planner import Plan, PlanState, ev_arrays, make_plan
from custom_components.echonet_hems.lib.energy.pv_outlook import OutlookSlot
from custom_components.echonet_hems.lib.energy.solar_charge import (
    HORIZON_SLOTS,
    Device,
    EVSchedule,
    StatusKey,
    explain,
    next_start,
    plan_as_dict,
    plan_inputs,
    runs,
    slot_start,
    status,
)
from custom_components.echonet_hems.lib.energy.tariff import JST, TEPCO_SMART_LIFE_S

NOW = datetime(2026, 5, 20, 6, 10, tzinfo=JST)  # a clear May morning
SITE = PVSite(capacity_kw=1.0)


def outlook(kwp: float = 5.0, load_kw: float | None = 0.4) -> list[OutlookSlot]:
    start = slot_start(NOW)
    pv = clear_sky_pv_kw(start, HORIZON_SLOTS, SITE)
    return [OutlookSlot(start + timedelta(minutes=30 * i), kwp * kw, load_kw) for i, kw in enumerate(pv)]


def plan_for(*, full_purchase: bool = False, ev: EVSchedule | None = None) -> Plan:
    inputs = plan_inputs(NOW, outlook(), ev=ev)
    conditions = home_conditions(
        mode=ContractMode.FULL if full_purchase else ContractMode.SURPLUS,
        house_consumption_measured=True,
        history=(),
        day_kind=DayType.WEEKDAY,
    )
    state = PlanState(battery_kwh=2.0, tank_kwh_th=4.0, ev_kwh=20.0)
    return make_plan(inputs, HomeDevices(), TEPCO_SMART_LIFE_S, state, NOW, conditions)


def test_inputs_cover_48_hours_from_the_slot_of_now() -> None:
    inputs = plan_inputs(NOW, outlook(load_kw=None), ev=EVSchedule(departure=time(7, 30), arrival=time(18, 0)))
    assert inputs.start == datetime(2026, 5, 20, 6, 0, tzinfo=JST)
    assert inputs.slots == 96
    assert max(inputs.pv_kw) > 3.0
    assert set(inputs.load_kw) == {0.4}  # the flat fallback where the outlook has no load yet
    assert sum(inputs.hot_water_kwh_th[:48]) == pytest.approx(sum(inputs.hot_water_kwh_th[48:]))
    # Today 07:30 is slot 3 from 06:00; the car is back at 18:00 (slot 24), then the same tomorrow.
    assert (inputs.ev_trips[0].depart_slot, inputs.ev_trips[0].return_slot) == (3, 24)
    assert inputs.ev_trips[1].depart_slot == 3 + 48


def test_a_trip_under_way_keeps_the_car_away_until_it_is_back() -> None:
    # 10:10: the car left at 08:00 and is back at 18:00 (slot 16 from 10:00); the next departure is tomorrow 08:00.
    at = datetime(2026, 5, 20, 10, 10, tzinfo=JST)
    inputs = plan_inputs(at, outlook(), ev=EVSchedule(departure=time(8, 0), arrival=time(18, 0)))
    away = inputs.ev_trips[0]
    assert (away.depart_slot, away.return_slot) == (-4, 16)
    assert inputs.ev_trips[1].depart_slot == 44
    home, trip, departures = ev_arrays(inputs.ev_trips, inputs.slots)
    assert home[:16].sum() == 0.0  # out until 18:00: no plan charges it before
    assert home[16] == 1.0
    assert trip[16] == pytest.approx(away.trip_kwh)  # the day's driving is debited when it is back
    assert departures[0].slot == 44


def test_a_one_off_trip_replaces_the_next_departure_not_the_trip_under_way() -> None:
    at = datetime(2026, 5, 20, 10, 10, tzinfo=JST)
    trip_at = datetime(2026, 5, 21, 6, 0, tzinfo=JST)
    inputs = plan_inputs(at, outlook(), ev=EVSchedule(), one_off_trip=(trip_at, 35.0))
    assert inputs.ev_trips[0].depart_slot < 0
    assert (inputs.ev_trips[1].depart_slot, inputs.ev_trips[1].target_kwh) == (40, 35.0)


def test_a_one_off_trip_replaces_the_next_departure() -> None:
    trip_at = datetime(2026, 5, 20, 10, 0, tzinfo=JST)
    inputs = plan_inputs(NOW, outlook(), ev=EVSchedule(), one_off_trip=(trip_at, 35.0))
    assert inputs.ev_trips[0].depart_slot == 8
    assert inputs.ev_trips[0].target_kwh == 35.0


def test_runs_status_and_explanation_of_a_sunny_plan() -> None:
    plan = plan_for()
    heat_runs = runs(plan, Device.WATER_HEATER)
    assert heat_runs
    assert all(run.end > run.start for run in heat_runs)
    assert all(run.mean_kw > 0 for run in heat_runs)
    first = heat_runs[0]
    assert next_start(plan, Device.WATER_HEATER, NOW - timedelta(hours=1)) == first.start

    dry = status(plan, NOW, control_on=False)
    assert dry.key is StatusKey.OFF  # control ships off: the plan is shown, nothing written
    assert dry.start is not None
    running = status(plan, NOW, control_on=True, surplus_kwh=6.2)
    assert running.key is StatusKey.RUNNING
    assert running.surplus_kwh == 6.2
    assert status(plan, NOW, control_on=True, paused=Device.BATTERY).key is StatusKey.PAUSED
    assert status(None, NOW, control_on=True).key is StatusKey.NO_PLAN

    why = explain(plan, NOW)
    assert set(why) >= {"water_heater", "battery", "ev", "guards"}
    assert isinstance(why["water_heater"]["would_change_it"], str)
    assert why["guards"]["surplus_contract"]["ok"] is True

    data = plan_as_dict(plan)
    assert len(data["slots"]) == 96  # type: ignore[arg-type]


def test_a_full_purchase_contract_blocks_solar_charge() -> None:
    plan = plan_for(full_purchase=True)
    assert not plan.active
    blocked = status(plan, NOW, control_on=True)
    assert blocked.key is StatusKey.BLOCKED
    assert blocked.guard == "full_purchase_contract"
    assert runs(plan, Device.WATER_HEATER) == []
