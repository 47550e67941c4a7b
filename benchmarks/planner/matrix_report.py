"""The matrix's tables: one row per (scenario, strategy), the targets of issue 14 over all finished scenarios, and
the markdown rendering of both (the JSON carries the same and every scenario's full report)."""

from __future__ import annotations

import statistics
from typing import Any

STRATEGY_KEYS = ("a", "b", "c", "d", "e")
ROW_METRICS = (
    "kappa",
    "kappa_bound",
    "kappa_e1",
    "comfort_failures",
    "self_consumption",
    "plan_ms_median",
    "plan_ms_p99",
    "cost_yen",
    "savings_yen",
    "diverted_kwh",
)
# Issue 14 "Targets", against the same-device oracle.
F0_TARGET = 0.95
NOISY_MEDIAN_TARGET = 0.80
NOISY_FLOOR_TARGET = 0.70
PLAN_P99_TARGET_MS = 1000.0
VERDICTS: dict[bool | None, str] = {True: "met", False: "NOT met", None: "not measured"}


def scenario_label(report: dict[str, Any]) -> str:
    """weather/household/tariff/EV/start forecast/seed of a report."""
    s = report["scenario"]
    return f"{s['weather']}/{s['household']}/{s['tariff']}/{report['ev']}/{s['start']} {s['forecast']}/s{s['seed']}"


def rows(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per (scenario, strategy): the table's cells."""
    table = []
    for report in reports:
        s = report["scenario"]
        for key in STRATEGY_KEYS:
            if key not in report:
                continue
            row: dict[str, Any] = {
                "weather": s["weather"],
                "household": s["household"],
                "tariff": s["tariff"],
                "ev": report["ev"],
                "start": s["start"],
                "days": s["days"],
                "forecast": s["forecast"],
                "seed": s["seed"],
                "pv_daily_nmae": s["pv_daily_nmae"],
                "strategy": key,
            }
            row.update({metric: report[key].get(metric) for metric in ROW_METRICS})
            table.append(row)
    return table


def _kappa_d(reports: list[dict[str, Any]], models: tuple[str, ...]) -> list[tuple[str, float]]:
    return [
        (scenario_label(r), float(r["d"]["kappa"]))  # a plain float: numpy's repr would reach the markdown
        for r in reports
        if r["scenario"]["forecast"] in models and r["d"]["kappa"] is not None
    ]


def _floor(values: list[tuple[str, float]], target: float, name: str) -> dict[str, Any]:
    misses = sorted((v, label) for label, v in values if v < target)
    return {
        "target": name,
        "scenarios": len(values),
        "met": not misses if values else None,
        "worst": min((v for _, v in values), default=None),
        "misses": [f"{label}: {v:.3f}" for v, label in misses],
    }


def targets(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 14's targets checked over the finished scenarios: ``met`` is True or False, or None where no finished
    scenario bears on the target (a tier without newFIT-24 says nothing about the trap)."""
    f0 = _kappa_d(reports, ("F0",))
    noisy = _kappa_d(reports, ("F3", "F5"))
    median = statistics.median(v for _, v in noisy) if noisy else None
    compared = [
        (r, k) for r in reports for k in ("b", "c") if r["d"]["kappa"] is not None and r[k]["kappa"] is not None
    ]
    beaten = [
        f"{scenario_label(r)}: d {r['d']['kappa']} vs {k} {r[k]['kappa']}"
        for r, k in compared
        if r["d"]["kappa"] < r[k]["kappa"]
    ]
    comfort = {k: sum(r[k]["comfort_failures"] for r in reports if k in r) for k in STRATEGY_KEYS}
    p99 = [r["d"]["plan_ms_p99"] for r in reports if r["d"]["plan_ms_p99"] is not None]
    trapped = [r for r in reports if r["scenario"]["tariff"] == "newfit24"]
    trap = [
        f"{scenario_label(r)}: d {r['d']['diverted_kwh']} kWh vs oracle {r['e']['diverted_kwh']} kWh"
        for r in trapped
        if r["d"]["diverted_kwh"] > r["e"]["diverted_kwh"]
    ]
    return [
        _floor(f0, F0_TARGET, "F0: kappa(d) >= 0.95 in every scenario"),
        {
            "target": "F3/F5: median kappa(d) >= 0.80",
            "scenarios": len(noisy),
            "met": median >= NOISY_MEDIAN_TARGET if median is not None else None,
            "median": median,
        },
        _floor(noisy, NOISY_FLOOR_TARGET, "F3/F5: kappa(d) >= 0.70 in every scenario"),
        {
            "target": "kappa(d) >= kappa(b) and kappa(c) in every scenario",
            "scenarios": len({scenario_label(r) for r, _ in compared}),
            "met": not beaten if compared else None,
            "misses": beaten,
        },
        {
            "target": "zero comfort failures",
            "scenarios": len(reports),
            "met": not any(comfort.values()) if reports else None,
            "failures": comfort,
        },
        {
            "target": "plan time p99 < 1 s",
            "scenarios": len(p99),
            "met": max(p99) < PLAN_P99_TARGET_MS if p99 else None,
            "worst_ms": max(p99, default=None),
        },
        {
            "target": "newfit24: (d) never diverts more surplus than the oracle",
            "scenarios": len(trapped),
            "met": not trap if trapped else None,
            "misses": trap,
        },
    ]


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _scenario_line(report: dict[str, Any]) -> str:
    s, d, oracle = report["scenario"], report["d"], report.get("oracle", {})
    comfort = ",".join(str(report[k]["comfort_failures"]) for k in "bcde")
    return (
        f"| {s['weather']} | {s['household']} | {s['tariff']} | {report['ev']} | {s['start']} | {s['forecast']} "
        f"| {s['seed']} | {_fmt(s['pv_daily_nmae'], 2)} | {_fmt(report['b']['kappa'])} | {_fmt(report['c']['kappa'])} "
        f"| **{_fmt(d['kappa'])}** ({_fmt(d['kappa_bound'])}) | {_fmt(d['kappa_e1'])} "
        f"| {_fmt(oracle.get('same_device_share_of_e1'))} | {comfort} | {_fmt(d['self_consumption'])} "
        f"| {_fmt(d['plan_ms_median'], 0)} / {_fmt(d['plan_ms_p99'], 0)} |"
    )


def markdown(document: dict[str, Any]) -> str:
    """The matrix as markdown: what ran, what could not, the targets, the per-scenario table, failures, estimate."""
    lines = [
        f"# Planner benchmark matrix: tier {document['tier']}",
        "",
        f"{document['scenarios_done']} of {document['scenarios_total']} scenarios, {document['cells_done']} of "
        f"{document['cells_total']} cells, {document['workers']} workers, {document['elapsed_s']:.0f} s.",
        "",
    ]
    if document["missing"]:
        lines += ["Not in this tier (asked for, not available):", ""]
        lines += [f"- {item}" for item in document["missing"]]
        lines.append("")
    lines += ["## Targets (issue 14, same-device oracle)", ""]
    for target in document["targets"]:
        details = {k: v for k, v in target.items() if k not in {"target", "met", "misses"}}
        misses = target.get("misses") or []
        lines.append(
            f"- {VERDICTS[target['met']]}: {target['target']} {details}"
            + (f"; {len(misses)} misses: " + "; ".join(misses[:10]) if misses else "")
        )
    lines += [
        "",
        "## Scenarios",
        "",
        "κ against (a1); (d)'s κ with the lower end of its range (the oracle's dual bound) in brackets; comfort "
        "failures of (b), (c), (d), (e).",
        "",
        "| Weather | Household | Tariff | EV | Start | Forecast | Seed | nMAE | (b) κ | (c) κ | (d) κ (bound) "
        "| (d) κ_e1 | same/e1 | comfort b,c,d,e | (d) self-cons. | (d) plan ms p50 / p99 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_scenario_line(report) for report in document["reports"]]
    if document["failures"]:
        lines += ["", "## Failed cells", ""]
        lines += [f"- {name}: {error}" for name, error in document["failures"].items()]
    estimate = document.get("estimate")
    if estimate:
        lines += ["", "## Estimated time of the whole tier", "", f"{estimate['note']}", ""]
        lines += [f"- {kind}: {value}" for kind, value in estimate["cpu_s_per_cell"].items()]
    return "\n".join(lines) + "\n"
