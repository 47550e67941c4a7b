"""``python -m benchmarks.planner``: simulate the strategies over a period and report κ and the other metrics.

Options (names fixed so runs can be scripted): --weather, --household, --tariff, --forecast, --strategies, --start,
--days, --seed, --json, --plot, --oracle-time-limit (s, wall clock), --oracle-node-limit (host-independent stop),
--oracle-window-days (solve the oracle per window of N days + 1 day overlap, bounded by the full-period MILP).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date
import json
from pathlib import Path
import sys
import time
from typing import Any

from .forecasts import MODELS, ForecastService, daily_nmae
from .oracle import ORACLE_TIME_LIMIT_S, OracleReplay, OracleResult, credit_prices, refill_prices, run_oracle
from .scenario import HOUSEHOLDS, TARIFFS, WEATHERS, Scenario, ScenarioSpec, build_scenario, default_devices
from .simulate import RunResult, StoredEnergy, run_strategy
from .strategies import Context, Strategy, make_strategy

FORECASTS = MODELS
STRATEGIES = ("a", "b", "c", "d", "e")


def settle(scenario: Scenario, raw_cost: float, start: StoredEnergy, end: StoredEnergy) -> float:
    """Cost with the change of stored energy settled (end effects, BENCHMARK.md §5.9): a deficit against the start
    state is bought back at the refill price, a surplus credited at the credit price (``oracle.credit_prices``)."""
    refill, credit = refill_prices(scenario), credit_prices(scenario)
    adjustment = 0.0
    for i, (before, after) in enumerate(((start.battery, end.battery), (start.tank, end.tank), (start.ev, end.ev))):
        change = after - before
        adjustment += change * (credit[i] if change >= 0.0 else refill[i])
    return raw_cost - adjustment


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or abs(denominator) < 1e-9:
        return None
    return round(numerator / denominator, 4)


def summarise(
    scenario: Scenario,
    runs: dict[str, RunResult],
    oracles: tuple[OracleResult, OracleResult] | None,
    nmae: tuple[float, float],
) -> dict[str, Any]:
    """The JSON report: per strategy key the metrics, plus the scenario and the oracles.

    ``kappa`` is against the same-device oracle replayed through the physics (run "e"), ``kappa_bound`` against the
    largest saving the same-device optimum could have (the MILP's dual bound), so the true κ lies in
    [kappa_bound, kappa]; ``kappa_e1`` is against the continuous LP e1."""
    spec = scenario.spec
    costs = {key: settle(scenario, run.raw_cost_yen, run.start, run.end) for key, run in runs.items()}
    reference = costs.get("a")
    oracle_saving = oracle_upper = e1_saving = None
    if oracles is not None and reference is not None and "e" in costs:
        same, e1 = oracles
        oracle_saving = reference - costs["e"]
        oracle_upper = max(oracle_saving, reference - (same.settled_cost_yen - same.gap_yen))
        e1_saving = reference - e1.settled_cost_yen
    oracle_days = runs["e"].diverted_kwh_per_day if "e" in runs else None
    report: dict[str, Any] = {
        "scenario": {
            "weather": spec.weather,
            "household": spec.household,
            "tariff": spec.tariff,
            "forecast": spec.forecast,
            "start": spec.start.isoformat(),
            "days": spec.days,
            "seed": spec.seed,
            "warmup_days": scenario.report_start // 48,
            "pv_daily_nmae": round(nmae[0], 4),
            "pv_daily_nmae_lead2": round(nmae[1], 4),
        }
    }
    for key, cost in costs.items():
        run = runs[key]
        saving = reference - cost if reference is not None else None
        wrong = None
        if oracle_days is not None:
            wrong = sum(
                1 for mine, best in zip(run.diverted_kwh_per_day, oracle_days, strict=True) if mine > 0.5 > best + 0.4
            )
        report[key] = {
            "cost_yen": round(cost, 1),
            "savings_yen": round(saving, 1) if saving is not None else None,
            "kappa": _ratio(saving, oracle_saving),
            "kappa_bound": _ratio(saving, oracle_upper),
            "kappa_e1": _ratio(saving, e1_saving),
            "self_consumption": round((run.pv_kwh - run.export_kwh) / run.pv_kwh, 4) if run.pv_kwh > 0 else None,
            "import_kwh": round(run.import_kwh, 1),
            "export_kwh": round(run.export_kwh, 1),
            "comfort_failures": run.comfort_failures,
            "plan_ms_median": round(run.plan_ms_median, 2) if run.plan_ms_median is not None else None,
            "plan_ms_p99": round(run.plan_ms_p99, 2) if run.plan_ms_p99 is not None else None,
            "raw_cost_yen": round(run.raw_cost_yen, 1),
            "hot_water_short_l": round(run.hot_water_short_l, 1),
            "hot_water_short_kwh_th": round(run.hot_water_short_kwh_th, 3),
            "emergency_heating_yen": round(run.emergency_heating_yen, 1),
            "ev_short_kwh": round(run.ev_short_kwh, 2),
            "diverted_kwh": round(sum(run.diverted_kwh_per_day), 2),
            "wrong_direction_days": wrong,
            "future_truth_reads": len(run.leaks),
        }
    if oracles is not None and reference is not None and oracle_saving is not None:
        same, e1 = oracles
        report["oracle"] = {
            "same_device_model_cost_yen": round(same.settled_cost_yen, 1),
            "same_device_replay_cost_yen": round(costs["e"], 1),
            "same_device_gap_yen": round(same.gap_yen, 2),
            "same_device_saving_yen": round(oracle_saving, 1),
            "same_device_saving_upper_yen": round(oracle_upper, 1) if oracle_upper is not None else None,
            "same_device_status": same.status,
            "same_device_solve_s": round(same.solve_ms / 1000.0, 2),
            "e1_cost_yen": round(e1.settled_cost_yen, 1),
            "e1_saving_yen": round(e1_saving, 1) if e1_saving is not None else None,
            "same_device_share_of_e1": _ratio(oracle_saving, e1_saving),
            "e1_diverted_kwh": round(sum(e1.diverted_kwh_per_day), 2),
        }
    return report


class Progress:
    """A one-line progress bar on stderr (only on a terminal)."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.last = -1

    def __call__(self, k: int) -> None:
        if not self.enabled:
            return
        percent = (k + 1) * 100 // self.total
        if percent != self.last:
            self.last = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r{self.label:<3} [{bar:<25}] {percent:3d}%")
            if percent == 100:
                sys.stderr.write("\n")
            sys.stderr.flush()


def run(
    spec: ScenarioSpec,
    strategies: tuple[str, ...],
    log: Callable[[str], None] | None = None,
    oracle_time_limit_s: float = ORACLE_TIME_LIMIT_S,
    oracle_node_limit: int = 0,
    oracle_window_days: int | None = None,
) -> dict[str, Any]:
    """Run the scenario for the strategies; (a) always runs (κ's reference and the oracles' start state). With "e"
    the same-device oracle is solved, replayed through the physics as run "e", and e1 is solved beside it."""
    started = time.perf_counter()
    scenario = build_scenario(spec)
    forecasts = ForecastService(scenario, spec.forecast, spec.seed)
    runs: dict[str, RunResult] = {}
    timings: dict[str, float] = {}
    keys = ["a", *(key for key in strategies if key in "bcd" and key != "a")]
    for key in keys:
        begun = time.perf_counter()

        def factory(ctx: Context, key: str = key) -> Strategy:
            return make_strategy(key, ctx)

        runs[key] = run_strategy(scenario, forecasts, factory, Progress(scenario.report_end, key))
        timings[key] = time.perf_counter() - begun
    oracles = None
    if "e" in strategies:
        begun = time.perf_counter()
        same = run_oracle(
            scenario,
            runs["a"].start,
            on_off=True,
            time_limit_s=oracle_time_limit_s,
            node_limit=oracle_node_limit,
            window_days=oracle_window_days,
            bound_time_limit_s=oracle_time_limit_s if oracle_window_days else 0.0,
        )
        e1 = run_oracle(scenario, runs["a"].start, on_off=False)

        def replay(ctx: Context) -> Strategy:
            return OracleReplay(ctx, same)

        runs["e"] = run_strategy(scenario, forecasts, replay, Progress(scenario.report_end, "e"))
        oracles = (same, e1)
        timings["e"] = time.perf_counter() - begun
    nmae = (daily_nmae(scenario, forecasts, 1), daily_nmae(scenario, forecasts, 2))
    report = summarise(scenario, {k: v for k, v in runs.items() if k in strategies or k == "a"}, oracles, nmae)
    if "a" not in strategies:
        report.pop("a", None)
    report["run_seconds"] = {key: round(value, 2) for key, value in timings.items()}
    report["run_seconds"]["total"] = round(time.perf_counter() - started, 2)
    if log is not None:
        log(format_table(report))
    return report


def format_table(report: dict[str, Any]) -> str:
    """A plain-text table of the report."""
    lines = [json.dumps(report["scenario"])]
    lines.append(
        f"{'':3} {'cost_yen':>10} {'savings':>9} {'kappa':>7} {'k_bound':>7} {'k_e1':>7} {'selfcons':>8} "
        f"{'import':>8} {'export':>8} {'comfort':>7} {'plan_ms':>8}"
    )
    for key in STRATEGIES:
        if key not in report:
            continue
        e = report[key]
        lines.append(
            f"{key:3} {e['cost_yen']:>10.0f} {e['savings_yen'] if e['savings_yen'] is not None else '-':>9} "
            f"{e['kappa'] if e['kappa'] is not None else '-':>7} "
            f"{e['kappa_bound'] if e['kappa_bound'] is not None else '-':>7} "
            f"{e['kappa_e1'] if e['kappa_e1'] is not None else '-':>7} {e['self_consumption'] or 0:>8.3f} "
            f"{e['import_kwh']:>8.0f} {e['export_kwh']:>8.0f} {e['comfort_failures']:>7} "
            f"{e['plan_ms_median'] if e['plan_ms_median'] is not None else '-':>8}"
        )
    if "oracle" in report:
        lines.append(json.dumps(report["oracle"]))
    return "\n".join(lines)


def write_plot(path: Path, reports: list[dict[str, Any]]) -> None:
    """SVG scatter of κ against the daily PV forecast nMAE for (b), (c), (d) (no plotting library needed)."""
    width, height, margin = 640, 400, 50
    colors = {"b": "#d95f02", "c": "#7570b3", "d": "#1b9e77"}
    points = []
    max_x = max([r["scenario"]["pv_daily_nmae"] for r in reports] + [0.5])
    for report in reports:
        x = report["scenario"]["pv_daily_nmae"]
        for key in ("b", "c", "d"):
            if key in report and report[key]["kappa"] is not None:
                points.append((x, report[key]["kappa"], key))

    def sx(x: float) -> float:
        return float(margin + (width - 2 * margin) * x / max_x)

    def sy(y: float) -> float:
        return height - margin - (height - 2 * margin) * (min(max(y, -0.2), 1.2) + 0.2) / 1.4

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
        f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" y2="{height - margin}" stroke="black"/>',
        f'<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{height - margin}" stroke="black"/>',
        f'<text x="{width / 2}" y="{height - 10}" text-anchor="middle">daily PV forecast nMAE</text>',
        f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" text-anchor="middle">κ</text>',
    ]
    for value in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{margin - 8}" y="{sy(value) + 4}" text-anchor="end">{value}</text>')
    for x, y, key in points:
        parts.append(
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="5" fill="{colors[key]}"><title>{key}</title></circle>'
        )
    for i, key in enumerate(("b", "c", "d")):
        parts.append(f'<text x="{width - margin - 60}" y="{margin + 16 * i}" fill="{colors[key]}">({key})</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts), encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.planner", description=__doc__.splitlines()[0])
    parser.add_argument("--weather", choices=WEATHERS, default="jp6")
    parser.add_argument("--household", choices=HOUSEHOLDS, default="emhass")
    parser.add_argument("--tariff", choices=tuple(TARIFFS), default="tepco-sl")
    parser.add_argument("--forecast", choices=FORECASTS, default="F3")
    parser.add_argument("--strategies", default="a,b,c,d,e")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--oracle-time-limit", type=float, default=ORACLE_TIME_LIMIT_S)
    parser.add_argument("--oracle-node-limit", type=int, default=0)
    parser.add_argument("--oracle-window-days", type=int, default=None)
    args = parser.parse_args(argv)
    keys = tuple(key.strip() for key in args.strategies.split(",") if key.strip())
    if not keys or any(key not in STRATEGIES for key in keys):
        parser.error(f"--strategies takes a comma-separated subset of {','.join(STRATEGIES)}")
    if args.days < 1:
        parser.error("--days must be at least 1")
    args.strategy_keys = keys
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    spec = ScenarioSpec(
        weather=args.weather,
        household=args.household,
        tariff=args.tariff,
        forecast=args.forecast,
        start=args.start,
        days=args.days,
        seed=args.seed,
        devices=default_devices(),
    )
    report = run(
        replace(spec),
        args.strategy_keys,
        log=print,
        oracle_time_limit_s=args.oracle_time_limit,
        oracle_node_limit=args.oracle_node_limit,
        oracle_window_days=args.oracle_window_days,
    )
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.plot is not None:
        write_plot(args.plot, [report])
    return 0
