"""(d) plans only when its inputs moved (issue 14, "Every scenario, in a budget"): fewer plans than steps, each
with its reason, by day every step (a two-stage plan's later daytime slots are one scenario's recourse)."""

from __future__ import annotations

from datetime import date

from benchmarks.planner.forecasts import ForecastService
from benchmarks.planner.scenario import SLOTS_PER_DAY, ScenarioSpec, build_scenario, default_devices
from benchmarks.planner.simulate import run_strategy
from benchmarks.planner.strategies import Context, PlannerStrategy, Strategy


def test_d_plans_on_change_and_says_why() -> None:
    scenario = build_scenario(ScenarioSpec(forecast="F3", start=date(2025, 5, 12), days=1, devices=default_devices()))

    def factory(ctx: Context) -> Strategy:
        return PlannerStrategy(ctx)

    run = run_strategy(scenario, ForecastService(scenario, "F3", 0), factory)
    reasons = dict(run.replans)
    steps = 2 * SLOTS_PER_DAY  # the warm-up's last day and the reported day
    assert sum(reasons.values()) == len(run.plan_ms)
    assert len(run.plan_ms) < steps  # some steps executed the plan they had
    assert reasons["no_plan"] == 1
    assert reasons.get("recourse", 0) > 0  # by day a plan's later slots are not executed
    assert run.comfort_failures == 0
    assert not run.leaks
