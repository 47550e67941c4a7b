"""The benchmark's information model (BENCHMARK.md §5.1): strategies see the past and issued forecasts only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from benchmarks.planner.forecasts import ForecastService, daily_nmae, issue_day
from benchmarks.planner.scenario import SLOTS_PER_DAY, Scenario, ScenarioSpec, build_scenario, default_devices
from benchmarks.planner.simulate import run_strategy
from benchmarks.planner.strategies import Context, NoControl, Strategy, make_strategy
from virtual_home.physics import Home


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build_scenario(ScenarioSpec(forecast="F3", start=date(2025, 5, 12), days=2, devices=default_devices()))


@pytest.mark.parametrize("key", ["b", "c", "d"])
def test_strategies_never_read_future_truth(scenario: Scenario, key: str) -> None:
    """Every read of PV, load, temperature or draws at or after the slot being decided is recorded: none allowed."""
    forecasts = ForecastService(scenario, "F3", 0)

    def factory(ctx: Context) -> Strategy:
        return make_strategy(key, ctx)

    run = run_strategy(scenario, forecasts, factory)
    assert run.leaks == ()


class _Peeking(NoControl):
    key = "x"

    def control(self, k: int, home: Home) -> None:
        super().control(k, home)
        if k % SLOTS_PER_DAY == 42:
            float(self.ctx.scenario.temp_c[k + 4])  # tomorrow morning's real temperature


def test_a_read_of_future_truth_is_recorded(scenario: Scenario) -> None:
    run = run_strategy(scenario, ForecastService(scenario, "F3", 0), _Peeking)
    assert run.leaks
    name, now, last = run.leaks[0]
    assert name == "temp_c"
    assert last == now + 4


def test_forecasts_depend_only_on_what_was_known_at_the_issue(scenario: Scenario) -> None:
    """F1 at slot k is built from days before its issue: changing later truth changes nothing. F3's temperature and
    PV errors grow with the lead time."""
    k = (scenario.report_start // SLOTS_PER_DAY) * SLOTS_PER_DAY + 30  # 15:00 on the first reported day
    issued = issue_day(k)
    later = (issued + 1) * SLOTS_PER_DAY
    changed_pv = scenario.pv_kw.copy()
    changed_pv[later:] *= 0.3
    changed = replace(scenario, pv_kw=changed_pv)
    assert np.allclose(ForecastService(scenario, "F1", 0).pv(k, 96), ForecastService(changed, "F1", 0).pv(k, 96))
    long = build_scenario(ScenarioSpec(forecast="F3", start=date(2025, 1, 1), days=120, devices=default_devices()))
    service = ForecastService(long, "F3", 0)
    assert daily_nmae(long, service, 2) > daily_nmae(long, service, 1) > 0.2
    slots = range(k, k + SLOTS_PER_DAY * 60, SLOTS_PER_DAY)
    errors = np.array([service.temperature(j, 96) - long.temp_c[j : j + 96] for j in slots])
    first, last = np.abs(errors[:, :12]).mean(), np.abs(errors[:, -12:]).mean()
    assert last > first


def test_only_the_perfect_forecast_gives_the_actual_load(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="F0"):
        ForecastService(scenario, "F3", 0).perfect_series("load_kw", 0, 4)
    assert np.allclose(ForecastService(scenario, "F0", 0).perfect_series("load_kw", 0, 4), scenario.load_kw[:4])
