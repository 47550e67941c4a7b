"""`python -m benchmarks.fuzz [--quick] [--seed S] [--executions N] [--json PATH]` (see the package docstring).

Prints one line per target and, with `--json`, writes the figures. Exits 1 when any target crashed; hangs are
reported but do not fail the run (a wall-clock budget is a measurement, not a verdict, on a shared machine).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
import json
import multiprocessing
import os
from pathlib import Path
import platform
import sys
import time
from typing import Final

from .flow_inputs import ACTIONS, FLOW_LAN, FLOW_METER
from .harness import Stats
from .targets import FLOW_TARGETS, INPUTS, PLANTED_CRASH, TARGETS, Shard, run_shard

FULL_EXECUTIONS: Final = 1_000_000  # per target: the count issue 15 asks for the frame and SKSTACK targets
QUICK_EXECUTIONS: Final = 10_000
FULL_INPUTS: Final = 250_000  # the validators are simple: fewer calls cover them
FULL_SHARD: Final = 25_000
QUICK_SHARD: Final = 1_500
DEFAULT_BUDGET_MS: Final = 1000.0
# A flow input that creates an entry joins the meter (or searches the LAN), sets the entry up and removes it again:
# about 2 s on the 2-core development machine, so the flow targets' budget is this one at least.
FLOW_BUDGET_S: Final = 5.0
# The flow and action targets run inside Home Assistant (a few milliseconds per input, seconds to start): a few
# thousand inputs per target cover their forms; one Home Assistant per shard.
FULL_FLOWS: Final = 3_000
QUICK_FLOWS: Final = 40
FULL_FLOW_SHARD: Final = 1_000
# Targets whose shard puts virtual ECHONET Lite nodes on loopback or searches it (a LAN entry on `lo` finds every node
# there by multicast). Two of them at once would see each other's nodes, which vanish when their shard ends, maybe in
# the middle of the other's poll ("did not answer in time" logged: a crash of the wrong target). One at a time.
ON_LOOPBACK_LAN: Final = frozenset({FLOW_LAN, FLOW_METER, ACTIONS})


@dataclass(frozen=True, slots=True)
class Plan:
    """What to run."""

    targets: tuple[str, ...]
    executions: dict[str, int]
    shard_size: int
    seed: int
    workers: int
    budget_s: float
    plant: bool
    quick: bool


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a bounded run for CI (seconds, not minutes)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every generator (default 0)")
    parser.add_argument("--executions", type=int, help="executions per target (overrides the tier's counts)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--targets", help=f"comma-separated subset of {', '.join(TARGETS)}")
    parser.add_argument(
        "--hang-ms", type=float, default=DEFAULT_BUDGET_MS, help="per-input budget above which an input is a hang"
    )
    parser.add_argument("--plant-crash", action="store_true", help="add a target that crashes on purpose")
    return parser.parse_args(argv)


def _plan(args: argparse.Namespace) -> Plan:
    targets = tuple(args.targets.split(",")) if args.targets else TARGETS
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
    if args.plant_crash:
        targets = (*targets, PLANTED_CRASH)
    executions = {}
    for target in targets:
        if args.executions is not None:
            executions[target] = args.executions
        elif target in FLOW_TARGETS:
            executions[target] = QUICK_FLOWS if args.quick else FULL_FLOWS
        elif args.quick:
            executions[target] = QUICK_EXECUTIONS
        else:
            executions[target] = FULL_INPUTS if target == INPUTS else FULL_EXECUTIONS
    return Plan(
        targets=targets,
        executions=executions,
        shard_size=QUICK_SHARD if args.quick else FULL_SHARD,
        seed=args.seed,
        workers=max(1, args.workers),
        budget_s=args.hang_ms / 1000,
        plant=args.plant_crash,
        quick=args.quick,
    )


def _shards(plan: Plan) -> list[Shard]:
    shards = []
    # Flow shards first: each starts Home Assistant in a subprocess, the longest poles of a quick run.
    for target in sorted(plan.targets, key=lambda target: target not in FLOW_TARGETS):
        remaining, index = plan.executions[target], 0
        size = plan.shard_size
        if target in FLOW_TARGETS:
            size = remaining if plan.quick else FULL_FLOW_SHARD  # quick: one Home Assistant per target
        while remaining > 0:
            count = min(size, remaining)
            plant = plan.plant and target in FLOW_TARGETS
            budget = max(plan.budget_s, FLOW_BUDGET_S) if target in FLOW_TARGETS and plan.budget_s else plan.budget_s
            shards.append(Shard(target, plan.seed, index, count, budget, plant))
            remaining -= count
            index += 1
    return shards


def run(plan: Plan) -> tuple[dict[str, Stats], float]:
    """Run every shard on the worker processes; the merged figures per target and the wall time."""
    merged = {target: Stats() for target in plan.targets}
    pending = _shards(plan)
    running: dict[Future[Stats], Shard] = {}
    start = time.perf_counter()
    # spawn: a fresh interpreter per worker, nothing inherited from this process's state.
    with ProcessPoolExecutor(plan.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        while pending or running:
            while len(running) < plan.workers and (shard := _next_shard(pending, running.values())) is not None:
                pending.remove(shard)
                running[pool.submit(run_shard, shard)] = shard
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                merged[running.pop(future).target].merge(future.result())
    return merged, time.perf_counter() - start


def _next_shard(pending: list[Shard], running: Iterable[Shard]) -> Shard | None:
    """The first pending shard that may start beside the running ones (`ON_LOOPBACK_LAN`: one at a time)."""
    lan_busy = any(shard.target in ON_LOOPBACK_LAN for shard in running)
    return next((shard for shard in pending if not (lan_busy and shard.target in ON_LOOPBACK_LAN)), None)


def report(plan: Plan, merged: dict[str, Stats], wall_s: float) -> dict[str, object]:
    """The JSON document."""
    return {
        "seed": plan.seed,
        "workers": plan.workers,
        "shard_size": plan.shard_size,
        "hang_budget_ms": plan.budget_s * 1000,
        "hang_budget_ms_flows": max(plan.budget_s, FLOW_BUDGET_S) * 1000 if plan.budget_s else 0.0,
        "wall_s": round(wall_s, 1),
        "python": platform.python_version(),
        "executions": {target: stats.executions for target, stats in merged.items()},
        "crashes": {target: stats.crashes for target, stats in merged.items()},
        "crashes_total": sum(stats.crashes for stats in merged.values()),
        "hangs": {target: stats.hangs for target, stats in merged.items()},
        "hangs_total": sum(stats.hangs for stats in merged.values()),
        "slowest": {
            target: {"us": round(stats.slowest_us, 1), "kind": stats.slowest_kind, "input_hex": stats.slowest_hex}
            for target, stats in merged.items()
        },
        # Per core: executions over the time spent inside the target (generation excluded), summed over workers.
        "executions_per_s": {
            target: round(stats.executions / stats.busy_s) if stats.busy_s else None for target, stats in merged.items()
        },
        "crash_examples": {
            target: [
                {"kind": ex.kind, "input_hex": ex.input_hex, "error": ex.error, "where": ex.where}
                for ex in stats.examples
            ]
            for target, stats in merged.items()
        },
        "kinds": {target: dict(sorted(stats.kinds.items())) for target, stats in merged.items()},
        "outcomes": {target: dict(sorted(stats.outcomes.items())) for target, stats in merged.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print, write the JSON; 1 when anything crashed."""
    args = _parse(argv)
    plan = _plan(args)
    merged, wall_s = run(plan)
    document = report(plan, merged, wall_s)
    print(f"fuzz: seed {plan.seed}, {plan.workers} workers, {wall_s:.1f} s")
    for target, stats in merged.items():
        rate = stats.executions / stats.busy_s if stats.busy_s else 0.0
        print(
            f"  {target:28} {stats.executions:>9,} executions  {stats.crashes} crashes  {stats.hangs} hangs  "
            f"{rate:>9,.0f}/s per core  slowest {stats.slowest_us:,.0f} µs ({stats.slowest_kind})"
        )
        for example in stats.examples:
            print(f"    crash {example.error} at {example.where}: {example.input_hex[:96]}")
    if plan.budget_s:
        flows = max(plan.budget_s, FLOW_BUDGET_S) * 1000
        print(f"  hang budget {plan.budget_s * 1000:g} ms per input ({flows:g} ms for the flow and action targets)")
    if args.json is not None:
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if document["crashes_total"] else 0


if __name__ == "__main__":
    sys.exit(main())
