"""``python -m benchmarks.planner.relaxation_gap``: what modulating devices would add to the on/off optimum.

The continuous LP e1 lets the 1.2 kW heat pump and the 3 kW EV charger soak up any partial PV surplus, which the real
on/off devices cannot. κ is measured against the same-device (on/off) optimum (BENCHMARK.md "Reference for κ");
this tool compares the two oracles on sampled periods: for each it solves both, by their own model, and reports the
savings and, from the MILP's dual bound, the range in which the true on/off optimum's saving lies.
"""

from __future__ import annotations

import argparse
from datetime import date
import json
from typing import Any

from .cli import settle
from .forecasts import ForecastService
from .oracle import run_oracle
from .scenario import ScenarioSpec, build_scenario, default_devices
from .simulate import run_strategy
from .strategies import make_strategy

# One week (starting on a Monday) per month of 2025.
DEFAULT_STARTS = (
    "2025-01-13",
    "2025-02-10",
    "2025-03-03",
    "2025-04-14",
    "2025-05-19",
    "2025-06-09",
    "2025-07-14",
    "2025-08-04",
    "2025-09-08",
    "2025-10-06",
    "2025-11-17",
    "2025-12-08",
)


def week_gap(tariff: str, start: date, days: int, time_limit_s: float) -> dict[str, Any]:
    """LP and on/off-MILP oracle savings (against (a)) for one sampled period, both by their own model."""
    spec = ScenarioSpec(tariff=tariff, forecast="F0", start=start, days=days, devices=default_devices())
    scenario = build_scenario(spec)
    forecasts = ForecastService(scenario, "F0", 0)
    reference = run_strategy(scenario, forecasts, lambda ctx: make_strategy("a", ctx))
    cost_a = float(settle(scenario, reference.raw_cost_yen, reference.start, reference.end))
    lp = run_oracle(scenario, reference.start, on_off=False)
    milp = run_oracle(scenario, reference.start, on_off=True, time_limit_s=time_limit_s)
    saving_lp = cost_a - lp.settled_cost_yen
    saving_milp = cost_a - milp.settled_cost_yen
    # The oracle's objective is its settled cost up to a constant, so the dual bound limits how much better than its
    # incumbent the true on/off optimum can be.
    saving_best = saving_milp + milp.gap_yen
    return {
        "tariff": tariff,
        "start": start.isoformat(),
        "days": days,
        "lp_saving_yen": round(saving_lp, 1),
        "on_off_saving_yen": round(saving_milp, 1),
        "on_off_saving_upper_yen": round(min(saving_best, saving_lp), 1),
        "on_off_share_of_lp": round(saving_milp / saving_lp, 4) if saving_lp else None,
        "on_off_share_upper": round(min(saving_best, saving_lp) / saving_lp, 4) if saving_lp else None,
        "milp_seconds": round(milp.solve_ms / 1000.0, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line of JSON per sampled period."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.planner.relaxation_gap", description=__doc__)
    parser.add_argument("--tariff", default="tepco-sl")
    parser.add_argument("--starts", default=",".join(DEFAULT_STARTS))
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args(argv)
    weeks = []
    for text in args.starts.split(","):
        weeks.append(week_gap(args.tariff, date.fromisoformat(text), args.days, args.time_limit))
        print(json.dumps(weeks[-1]), flush=True)
    lp = sum(week["lp_saving_yen"] for week in weeks)
    on_off = sum(week["on_off_saving_yen"] for week in weeks)
    upper = sum(week["on_off_saving_upper_yen"] for week in weeks)
    if lp:
        print(json.dumps({"total": True, "on_off_share_of_lp": round(on_off / lp, 4), "upper": round(upper / lp, 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
