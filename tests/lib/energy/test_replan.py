"""Re-planning only when the inputs moved (``replan_check``) and the HiGHS model kept between plans (``SolverCache``):
issue 14, "Every scenario, in a budget"."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from custom_components.echonet_hems.lib.energy import (
    TEPCO_SMART_LIFE_S,
    BatteryParams,
    EVParams,
    ForecastError,
    HomeDevices,
    LPInputs,
    PlanInputs,
    PlannerSettings,
    PlanState,
    WaterHeaterParams,
    make_plan,
    solve,
    solve_scenarios,
)
from custom_components.echonet_hems.lib.energy.lp import Departure, SolverCache
from custom_components.echonet_hems.lib.energy.replan import ReplanReason, replan_check
from custom_components.echonet_hems.lib.energy.tariff import JST

START = datetime(2025, 5, 12, 21, 0, tzinfo=JST)
N = 96
HOURS = [((21 + i * 0.5) % 24) for i in range(N + 8)]
PV = tuple(max(0.0, 4.5 * np.sin((h - 6) / 12 * np.pi)) for h in HOURS)
DRAWS = tuple(1.5 if h in (19.0, 19.5, 20.0, 21.0) else 0.1 for h in HOURS)
DEVICES = HomeDevices(battery=BatteryParams(), water_heater=WaterHeaterParams(), ev=EVParams())
SETTINGS = PlannerSettings(pv_scenarios=1)


def inputs_at(offset: int, pv: tuple[float, ...] = PV, draws: tuple[float, ...] = DRAWS) -> PlanInputs:
    """The horizon starting `offset` slots after START (the same forecast, shifted)."""
    return PlanInputs(
        start=START + timedelta(minutes=30 * offset),
        pv_kw=pv[offset : offset + N],
        load_kw=(0.4,) * N,
        ambient_c=(10.0,) * N,
        hot_water_kwh_th=draws[offset : offset + N],
    )


@pytest.fixture(scope="module")
def planned() -> tuple[PlanInputs, object]:
    first = inputs_at(0)
    plan = make_plan(first, DEVICES, TEPCO_SMART_LIFE_S, PlanState(2.0, 8.0, 20.0), START, None, SETTINGS)
    return first, plan


def on_trajectory(plan: object, offset: int) -> PlanState:
    slot = plan.slots[offset - 1]  # type: ignore[attr-defined]
    return PlanState(slot.battery_kwh, slot.tank_kwh_th, slot.ev_kwh)


def test_unchanged_inputs_on_the_trajectory_need_no_new_plan(planned: tuple[PlanInputs, object]) -> None:
    first, plan = planned
    check = replan_check(plan, first, inputs_at(1), on_trajectory(plan, 1), SETTINGS)  # type: ignore[arg-type]
    assert check.reason is None
    assert check.offset == 1
    assert check.state_kwh == pytest.approx(0.0)
    assert check.forecast_kwh == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no_plan", ReplanReason.NO_PLAN),
        ("age", ReplanReason.AGE),
        ("battery_off", ReplanReason.STATE),
        ("tank_off", ReplanReason.STATE),
        ("pv_nowcast", ReplanReason.FORECAST),
        ("draws", ReplanReason.FORECAST),
        ("pv_error", ReplanReason.FORECAST),
        ("back_in_time", ReplanReason.HORIZON),
    ],
)
def test_each_reason_to_plan_again(planned: tuple[PlanInputs, object], case: str, expected: ReplanReason) -> None:
    first, plan = planned
    offset = SETTINGS.replan_max_age_slots if case == "age" else 1
    new = inputs_at(offset)
    state = on_trajectory(plan, offset)
    tol = SETTINGS.replan_state_tolerance_kwh
    if case == "battery_off":
        state = replace(state, battery_kwh=state.battery_kwh + tol + 0.05)
    elif case == "tank_off":
        state = replace(state, tank_kwh_th=state.tank_kwh_th - tol - 0.05)
    elif case == "pv_nowcast":  # the next hours' PV moved by more than the tolerance (0.2 kW over 4 h = 0.8 kWh)
        new = replace(new, pv_kw=tuple(p + 0.2 if i < 8 else p for i, p in enumerate(new.pv_kw)))
    elif case == "draws":
        new = replace(new, hot_water_kwh_th=(new.hot_water_kwh_th[0] + 1.0, *new.hot_water_kwh_th[1:]))
    elif case == "pv_error":
        new = replace(new, pv_error=ForecastError(bias=0.0, sd=0.3, days=10))
    elif case == "back_in_time":
        new = replace(new, start=START - timedelta(minutes=30))
    check = replan_check(None if case == "no_plan" else plan, first, new, state, SETTINGS)  # type: ignore[arg-type]
    assert check.reason is expected


def test_small_moves_within_the_tolerances_keep_the_plan(planned: tuple[PlanInputs, object]) -> None:
    first, plan = planned
    new = inputs_at(1)
    new = replace(new, pv_kw=tuple(p + 0.05 if i < 4 else p for i, p in enumerate(new.pv_kw)))  # 0.1 kWh
    state = replace(on_trajectory(plan, 1), battery_kwh=on_trajectory(plan, 1).battery_kwh + 0.1)
    assert replan_check(plan, first, new, state, SETTINGS).reason is None  # type: ignore[arg-type]


# --- the kept HiGHS model gives the same optimum as a fresh one ---

M = 24


def lp_inputs(step: int) -> LPInputs:
    """A rolling sequence of one home's models: the same structure, other costs, bounds, states and COPs."""
    hours = (np.arange(M) * 0.5 + 6.0 + step * 0.5) % 24
    pv = np.maximum(0.0, 4.0 * np.sin((hours - 6) / 12 * np.pi)) * (1.0 + 0.1 * step)
    buy = np.where((hours >= 1) & (hours < 6), 26.0, 36.0)
    return LPInputs(
        dt_h=0.5,
        buy=buy,
        sell=np.full(M, 8.5),
        pv=pv,
        load=np.full(M, 0.5 + 0.05 * step),
        cop=np.full(M, 3.0 + 0.2 * step) + 0.01 * np.arange(M),  # the matrix's coefficients move too
        draw_kwh_th=np.where(np.arange(M) % 12 == 11, 2.0, 0.1),
        ev_home=np.where((np.arange(M) >= 4) & (np.arange(M) < 14), 0.0, 1.0),
        trip_kwh=np.where(np.arange(M) == 14, 5.0, 0.0),
        departures=(Departure(4, 24.0),),
        battery=BatteryParams(),
        heater=WaterHeaterParams(),
        ev=EVParams(),
        soc0=1.0 + 0.5 * step,
        tank0=4.0 + step,
        ev0=18.0 + step,
        terminal_value=(20.0, 6.0, 20.0),
        on_off_slots=8,
        mip_gap=0.0,
        time_limit_s=30.0,
    )


def test_a_kept_model_gives_the_same_optimum_as_a_fresh_one() -> None:
    cache = SolverCache()
    for step in range(4):
        fresh = solve(lp_inputs(step))
        kept = solve_scenarios(lp_inputs(step), (lp_inputs(step).pv,), (1.0,), 0, cache)
        assert kept.objective == pytest.approx(fresh.objective, rel=1e-6, abs=1e-4), step
        assert kept.status == fresh.status == "Optimal"
    assert cache.passed == 1
    assert cache.reused == 3  # the model was changed in place, not passed again


def test_a_changed_structure_is_passed_anew_on_the_kept_instance() -> None:
    cache = SolverCache()
    first = lp_inputs(0)
    solve_scenarios(first, (first.pv,), (1.0,), 0, cache)
    other = replace(lp_inputs(1), departures=(Departure(4, 24.0), Departure(20, 10.0)))
    kept = solve_scenarios(other, (other.pv,), (1.0,), 0, cache)
    assert kept.objective == pytest.approx(solve(other).objective, rel=1e-6, abs=1e-4)
    assert (cache.passed, cache.reused) == (2, 0)


def test_the_time_limit_counts_from_each_run_not_the_instance_age() -> None:
    """HiGHS 1.x measures its limit against the instance's total run time: without the offset, a kept instance
    would reach a short limit after a few plans and fall back to the continuous plan."""
    cache = SolverCache()
    limited = replace(lp_inputs(0), time_limit_s=0.5)
    for _ in range(3):
        solve_scenarios(limited, (limited.pv,), (1.0,), 0, cache)
    assert cache.highs is not None
    already = cache.highs.getRunTime()
    assert already > 0.0
    solve_scenarios(limited, (limited.pv,), (1.0,), 0, cache)
    answer = cache.highs.getOptionValue("time_limit")  # (status, value) in highspy 1.16
    limit = answer[1] if isinstance(answer, tuple) else answer
    assert limit == pytest.approx(already + 0.5)


def test_a_two_stage_plans_daytime_slot_is_recourse_and_its_night_slots_are_not(
    planned: tuple[PlanInputs, object],
) -> None:
    """By day only the plan's first slot is decided for every PV scenario; at night every slot until sunrise."""
    _, plan = planned
    error = ForecastError(bias=0.0, sd=0.3, days=10)
    day_pv = PV[24:] + PV[:24]  # 09:00 onwards: the sun is up in the first slot
    day = replace(inputs_at(0, pv=day_pv), pv_error=error)
    later = replace(inputs_at(1, pv=day_pv), pv_error=error)
    check = replan_check(plan, day, later, on_trajectory(plan, 1), SETTINGS)  # type: ignore[arg-type]
    assert check.reason is ReplanReason.RECOURSE
    night = replace(inputs_at(0), pv_error=error)
    night_later = replace(inputs_at(1), pv_error=error)
    check = replan_check(plan, night, night_later, on_trajectory(plan, 1), SETTINGS)  # type: ignore[arg-type]
    assert check.reason is None
