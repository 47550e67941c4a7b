"""The oracles: the same-device MILP (whole period or windows with a stated bound) against e1 and the physics."""

from __future__ import annotations

from datetime import date

import pytest

from benchmarks.planner.cli import settle
from benchmarks.planner.forecasts import ForecastService
from benchmarks.planner.oracle import OracleReplay, OracleResult, run_oracle
from benchmarks.planner.scenario import Scenario, ScenarioSpec, build_scenario, default_devices
from benchmarks.planner.simulate import RunResult, run_strategy
from benchmarks.planner.strategies import Context, Strategy, make_strategy
from custom_components.echonet_hems.lib.energy import PlanningError


@pytest.fixture(scope="module")
def period() -> tuple[Scenario, RunResult]:
    scenario = build_scenario(ScenarioSpec(forecast="F0", start=date(2025, 5, 17), days=3, devices=default_devices()))
    reference = run_strategy(scenario, ForecastService(scenario, "F0", 0), lambda ctx: make_strategy("a", ctx))
    return scenario, reference


def test_windows_give_a_schedule_no_better_than_the_optimum_and_a_valid_bound(
    period: tuple[Scenario, RunResult],
) -> None:
    scenario, reference = period
    full = run_oracle(scenario, reference.start, time_limit_s=600.0)
    assert full.status == "Optimal"
    e1 = run_oracle(scenario, reference.start, on_off=False)
    windows = run_oracle(scenario, reference.start, time_limit_s=600.0, window_days=1, overlap_days=1)
    assert e1.settled_cost_yen <= full.settled_cost_yen + 1e-6
    assert windows.settled_cost_yen >= full.settled_cost_yen - 1e-6
    assert windows.settled_cost_yen - windows.gap_yen <= full.settled_cost_yen + 1e-6  # e1 bounds it
    bounded = run_oracle(
        scenario, reference.start, time_limit_s=600.0, window_days=1, overlap_days=1, bound_time_limit_s=600.0
    )
    assert bounded.gap_yen <= windows.gap_yen + 1e-6
    assert bounded.settled_cost_yen == pytest.approx(full.settled_cost_yen, abs=1.0)


def test_the_replayed_schedule_costs_what_the_model_says(period: tuple[Scenario, RunResult]) -> None:
    scenario, reference = period
    oracle: OracleResult = run_oracle(scenario, reference.start, time_limit_s=600.0)

    def replay(ctx: Context) -> Strategy:
        return OracleReplay(ctx, oracle)

    run = run_strategy(scenario, ForecastService(scenario, "F0", 0), replay)
    assert run.start == reference.start
    assert run.comfort_failures == 0
    assert run.emergency_heating_yen == 0.0
    assert settle(scenario, run.raw_cost_yen, run.start, run.end) == pytest.approx(oracle.settled_cost_yen, abs=1.0)


def test_an_oracle_without_schedule_is_an_error(period: tuple[Scenario, RunResult]) -> None:
    scenario, reference = period
    with pytest.raises(PlanningError):
        run_oracle(scenario, reference.start, time_limit_s=0.0)
