"""(d)'s hot-water safety margin: the draw forecast's own recent shortfall at that time of day, the recent peak
draw only until a few days of errors are logged."""

from __future__ import annotations

from datetime import date

from benchmarks.planner.scenario import SLOTS_PER_DAY
from benchmarks.planner.strategies import Context, PlannerStrategy
from custom_components.echonet_hems.lib.energy import DayHistory, DayType


def day(index: int, draws_at_19h: float) -> DayHistory:
    draws = [0.0] * SLOTS_PER_DAY
    draws[38] = draws[39] = draws_at_19h / 2  # 19:00-20:00
    return DayHistory(
        day=date(2025, 4, 1 + index),
        kind=DayType.WEEKDAY,
        load_kw=(0.4,) * SLOTS_PER_DAY,
        pv_kwh=10.0,
        clear_sky_pv_kwh=20.0,
        hot_water_kwh_th=tuple(draws),
    )


def strategy(actual: list[float], forecast: list[float | None]) -> PlannerStrategy:
    """Days 0..n-1 measured with `actual` draws at 19 h; `forecast[i]` logged at 19 h of day i (None: not logged)."""
    ctx = Context(scenario=None, forecasts=None, history=[day(i, a) for i, a in enumerate(actual)])  # type: ignore[arg-type]
    strat = PlannerStrategy(ctx)
    for i, value in enumerate(forecast):
        if value is not None:
            strat.state.draw_log[i * SLOTS_PER_DAY + 38] = value
    return strat


def test_a_right_forecast_needs_no_margin() -> None:
    strat = strategy([4.0] * 7, [4.0] * 7)
    assert strat._draw_margin(7 * SLOTS_PER_DAY + 38) == 0.0


def test_the_margin_is_the_largest_recent_shortfall() -> None:
    strat = strategy([4.0, 5.0, 3.0, 4.5], [4.0, 4.0, 4.0, 4.0])
    assert strat._draw_margin(4 * SLOTS_PER_DAY + 38) == 1.0


def test_too_few_logged_days_fall_back_to_the_recent_peak() -> None:
    strat = strategy([4.0, 5.0, 3.0, 4.5], [None, None, 4.0, 4.0])
    k = 4 * SLOTS_PER_DAY + 38
    assert strat._draw_margin(k) is None
    assert strat._recent_peak_draw(k) == 5.0


def test_only_completed_days_count() -> None:
    # Day 3 is logged but not measured yet (not in the history): its error cannot be known and is skipped.
    strat = strategy([4.0, 4.0, 4.0], [4.0, 4.0, 4.0, 0.0])
    assert strat._draw_margin(4 * SLOTS_PER_DAY + 38) == 0.0
