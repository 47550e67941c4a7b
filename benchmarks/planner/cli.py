"""``python -m benchmarks.planner``: simulate the strategies over a period and report κ and the other metrics.

Options (names fixed so runs can be scripted): --weather, --household, --tariff, --forecast, --strategies, --start,
--days, --seed, --json, --plot.
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

from .forecasts import daily_nmae, day_ahead_pv
from .oracle import OracleResult, credit_prices, refill_prices, run_oracle
from .scenario import HOUSEHOLDS, TARIFFS, WEATHERS, Scenario, ScenarioSpec, build_scenario, default_devices
from .simulate import RunResult, StoredEnergy, run_strategy
from .strategies import Context, Strategy, make_strategy

FORECASTS = ("F0", "F1", "F3", "F5")
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


def summarise(
    scenario: Scenario, runs: dict[str, RunResult], oracle: OracleResult | None, nmae: float
) -> dict[str, Any]:
    """The JSON report: per strategy key the metrics, plus the scenario."""
    spec = scenario.spec
    costs = {key: settle(scenario, run.raw_cost_yen, run.start, run.end) for key, run in runs.items()}
    if oracle is not None:
        costs["e"] = settle(scenario, oracle.energy_cost_yen, oracle.start, oracle.end)
    reference = costs.get("a")
    oracle_saving = reference - costs["e"] if reference is not None and "e" in costs else None
    oracle_days = oracle.diverted_kwh_per_day if oracle is not None else None
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
            "pv_daily_nmae": round(nmae, 4),
        }
    }
    for key, cost in costs.items():
        saving = reference - cost if reference is not None else None
        entry: dict[str, Any] = {
            "cost_yen": round(cost, 1),
            "savings_yen": round(saving, 1) if saving is not None else None,
            "kappa": round(saving / oracle_saving, 4) if saving is not None and oracle_saving else None,
        }
        if key == "e" and oracle is not None:
            pv = float(scenario.pv_kw[scenario.report_start : scenario.report_end].sum() * 0.5)
            entry |= {
                "self_consumption": round((pv - oracle.export_kwh) / pv, 4) if pv > 0 else None,
                "import_kwh": round(oracle.import_kwh, 1),
                "export_kwh": round(oracle.export_kwh, 1),
                "comfort_failures": 0 if oracle.unmet_kwh < 0.01 else 1,
                "plan_ms_median": round(oracle.solve_ms, 1),
                "diverted_kwh": round(sum(oracle.diverted_kwh_per_day), 2),
            }
        else:
            run = runs[key]
            wrong = None
            if oracle_days is not None:
                wrong = sum(
                    1
                    for mine, best in zip(run.diverted_kwh_per_day, oracle_days, strict=True)
                    if mine > 0.5 > best + 0.4
                )
            entry |= {
                "self_consumption": round((run.pv_kwh - run.export_kwh) / run.pv_kwh, 4) if run.pv_kwh > 0 else None,
                "import_kwh": round(run.import_kwh, 1),
                "export_kwh": round(run.export_kwh, 1),
                "comfort_failures": run.comfort_failures,
                "plan_ms_median": round(run.plan_ms_median, 2) if run.plan_ms_median is not None else None,
                "raw_cost_yen": round(run.raw_cost_yen, 1),
                "hot_water_short_l": round(run.hot_water_short_l, 1),
                "ev_short_kwh": round(run.ev_short_kwh, 2),
                "diverted_kwh": round(sum(run.diverted_kwh_per_day), 2),
                "wrong_direction_days": wrong,
            }
        report[key] = entry
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


def run(spec: ScenarioSpec, strategies: tuple[str, ...], log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the scenario for the strategies; (a) always runs (κ's reference and the oracle's start state)."""
    started = time.perf_counter()
    scenario = build_scenario(spec)
    forecast = day_ahead_pv(scenario, spec.forecast, spec.seed)
    runs: dict[str, RunResult] = {}
    timings: dict[str, float] = {}
    keys = ["a", *(key for key in strategies if key in "bcd" and key != "a")]
    for key in keys:
        begun = time.perf_counter()

        def factory(ctx: Context, key: str = key) -> Strategy:
            return make_strategy(key, ctx)

        runs[key] = run_strategy(scenario, forecast, factory, Progress(scenario.report_end, key))
        timings[key] = time.perf_counter() - begun
    oracle = None
    if "e" in strategies:
        begun = time.perf_counter()
        oracle = run_oracle(scenario, runs["a"].start)
        timings["e"] = time.perf_counter() - begun
    report = summarise(
        scenario, {k: v for k, v in runs.items() if k in strategies or k == "a"}, oracle, daily_nmae(scenario, forecast)
    )
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
        f"{'':3} {'cost_yen':>10} {'savings':>9} {'kappa':>7} {'selfcons':>8} {'import':>8} {'export':>8} "
        f"{'comfort':>7} {'plan_ms':>8}"
    )
    for key in STRATEGIES:
        if key not in report:
            continue
        e = report[key]
        lines.append(
            f"{key:3} {e['cost_yen']:>10.0f} {e['savings_yen'] if e['savings_yen'] is not None else '-':>9} "
            f"{e['kappa'] if e['kappa'] is not None else '-':>7} {e['self_consumption'] or 0:>8.3f} "
            f"{e['import_kwh']:>8.0f} {e['export_kwh']:>8.0f} {e['comfort_failures']:>7} "
            f"{e['plan_ms_median'] if e['plan_ms_median'] is not None else '-':>8}"
        )
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
    report = run(replace(spec), args.strategy_keys, log=print)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.plot is not None:
        write_plot(args.plot, [report])
    return 0
