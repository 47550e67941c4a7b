"""``python -m benchmarks.planner.matrix``: the benchmark's tiers run in worker processes, in a budget (issue 14).

    python -m benchmarks.planner.matrix --tier quick|medium|full [--workers N] [--json PATH] [--markdown PATH]
        [--limit K] [--resume] [--forecasts F3,F5] [--seeds N]

Every (home, strategy) and (home, variant, strategy) cell runs in a worker process (``cells.run_cell``); the oracle
of a home is solved once and serves every forecast variant. Each finished cell is appended to ``PATH.cells.jsonl``
at once (a killed run keeps it; ``--resume`` skips it) and the JSON and markdown tables are rewritten; progress
lines go to stderr. ``--limit K`` runs K scenarios spread over the grid, and the report estimates the whole tier's
time from the cells it measured (CPU seconds per kind of cell, spread over the workers). ``--forecasts`` keeps some
of the tier's forecast models and ``--seeds`` sets how many seeds the noisy ones get (e.g. F3 with 5 seeds); the
cells of a seed the tier already has keep their names, so ``--resume`` on a copy of a finished stream runs only the
new seeds.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
import json
import math
from multiprocessing import get_context
import os
from pathlib import Path
import statistics
import sys
import time
from typing import Any

from .cells import FORECAST_FREE, Cell, CellResult, decode, encode, quiet_worker, run_cell, variant_scenario
from .cli import summarise
from .matrix_report import markdown, rows, targets
from .tiers import TIERS, HomeSpec, Tier, Variant

# Cheap (a) first: it unlocks its home's oracle; then the longest cells, so the last ones to finish are short.
PRIORITY = {"a": 0, "e": 1, "d": 2, "b": 3, "c": 4}
Scenario = tuple[HomeSpec, Variant]


def sample(tier: Tier, limit: int | None) -> tuple[Scenario, ...]:
    """`limit` scenarios spread over the grid (every scenario without a limit): the homes are walked with a stride
    coprime to their number, so the picks do not line up with one factor of the grid (a stride of 4 over the medium
    tier's homes would pick one tariff only), each home with the next forecast variant in turn."""
    homes, variants = tier.homes(), tier.variants()
    if limit is None or limit >= len(homes) * len(variants):
        return tier.scenarios()
    stride = max(len(homes) // limit, 1)
    while math.gcd(stride, len(homes)) != 1:
        stride += 1
    picked = ((homes[(i * stride) % len(homes)], variants[i % len(variants)]) for i in range(limit))
    return tuple(dict.fromkeys(picked))


def cells_of(tier: Tier, scenario: Scenario) -> tuple[Cell, ...]:
    """The five cells one scenario's report needs."""
    home, variant = scenario
    return tuple(
        Cell(
            key,
            home,
            None if key in FORECAST_FREE else variant,
            tier.oracle_node_limit if key == "e" else 0,
            tier.oracle_time_limit_s if key == "e" else 0.0,
        )
        for key in ("a", "b", "c", "d", "e")
    )


def cell_kind(cell: Cell, with_ev: bool = True) -> str:
    """What a cell's run time depends on: strategy, EV charger, period, and for a forecast reader perfect or not."""
    kind = f"{cell.strategy}/{cell.home.ev}/{cell.home.days}d" if with_ev else f"{cell.strategy}/{cell.home.days}d"
    if cell.variant is not None:
        kind += "/F0" if cell.variant.forecast == "F0" else "/noisy"
    return kind


def _expected_cpu(cell: Cell, measured: dict[str, list[float]]) -> float | None:
    """Mean CPU seconds of the measured cells most like `cell`: same kind, else the same kind with either charger,
    else the same strategy (None when its strategy was never measured)."""
    for key in (cell_kind(cell), cell_kind(cell, with_ev=False), cell.strategy):
        if measured.get(key):
            return statistics.fmean(measured[key])
    return None


@dataclass
class Store:
    """Finished cells: kept in memory, appended to the JSONL stream as they finish."""

    path: Path | None
    results: dict[str, CellResult] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def load(self) -> None:
        """Read the stream of a previous run (``--resume``); a torn last line (a killed write) is skipped."""
        if self.path is None or not self.path.exists():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                result = decode(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue
            self.results[result.cell.name] = result

    def add(self, result: CellResult) -> None:
        """Keep a finished cell and append it to the stream at once."""
        self.results[result.cell.name] = result
        self.failures.pop(result.cell.name, None)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(encode(result)) + "\n")
                stream.flush()
                os.fsync(stream.fileno())


def report(tier: Tier, scenario: Scenario, store: Store) -> dict[str, Any] | None:
    """A scenario's report (cli.summarise's keys, plus ``home``, ``variant``, ``ev``, ``cpu_seconds``) once its five
    cells have finished; None before."""
    home, variant = scenario
    found = [store.results.get(cell.name) for cell in cells_of(tier, scenario)]
    if any(result is None for result in found):
        return None
    done = [result for result in found if result is not None]
    by_key = {result.cell.strategy: result for result in done}
    nmae = by_key["d"].nmae or (0.0, 0.0)
    entry = summarise(variant_scenario(home, variant), {k: r.run for k, r in by_key.items()}, by_key["e"].oracles, nmae)
    entry["home"], entry["variant"], entry["ev"] = home.name, variant.name, home.ev
    entry["run_seconds"] = {k: round(r.wall_s, 2) for k, r in by_key.items()}
    entry["cpu_seconds"] = {k: round(r.cpu_s, 2) for k, r in by_key.items()}
    return entry


def estimate(tier: Tier, store: Store, workers: int) -> dict[str, Any] | None:
    """The whole tier's time from the measured cells: mean CPU seconds per kind of cell (``_expected_cpu``) × the
    tier's cells of that kind, spread over `workers` dedicated cores."""
    measured: dict[str, list[float]] = defaultdict(list)
    for result in store.results.values():
        for key in (cell_kind(result.cell), cell_kind(result.cell, with_ev=False), result.cell.strategy):
            measured[key].append(result.cpu_s)
    if not measured:
        return None
    everything = {cell.name: cell for scenario in tier.scenarios() for cell in cells_of(tier, scenario)}
    total, unmeasured = 0.0, 0
    for cell in everything.values():
        expected = _expected_cpu(cell, measured)
        if expected is None:
            unmeasured += 1
        else:
            total += expected
    hours = total / workers / 3600.0
    note = (
        f"{len(everything)} cells in tier {tier.name}; {len(store.results)} measured. "
        f"Estimated CPU {total / 3600.0:.2f} h, "
        f"wall ≈ {hours:.2f} h on {workers} dedicated cores"
        + (f" ({unmeasured} cells of an unmeasured strategy not counted)" if unmeasured else "")
        + ". A shared host stretches the wall time; HiGHS's wall-clock limits then also cut plans short."
    )
    return {
        "cells": len(everything),
        "cpu_h": round(total / 3600.0, 3),
        "wall_h": round(hours, 3),
        "workers": workers,
        "note": note,
        "cpu_s_per_cell": {k: round(statistics.fmean(v), 2) for k, v in sorted(measured.items()) if "/" in k},
    }


@dataclass
class Run:
    """One invocation: the tier, its scenarios and cells, the store and the outputs."""

    tier: Tier
    scenarios: tuple[Scenario, ...]
    workers: int
    limit: int | None
    store: Store
    json_path: Path | None
    markdown_path: Path | None
    started: float = field(default_factory=time.perf_counter)

    def cells(self) -> dict[str, Cell]:
        """Every cell the scenarios need, once (shared cells are shared)."""
        return {cell.name: cell for scenario in self.scenarios for cell in cells_of(self.tier, scenario)}

    def document(self) -> dict[str, Any]:
        """The JSON document of what has finished so far."""
        reports = [r for r in (report(self.tier, s, self.store) for s in self.scenarios) if r is not None]
        cells = self.cells()
        return {
            "tier": self.tier.name,
            "design": {k: v for k, v in asdict(self.tier).items() if k != "missing"},
            "missing": list(self.tier.missing),
            "workers": self.workers,
            "limit": self.limit,
            "scenarios_total": len(self.scenarios),
            "scenarios_done": len(reports),
            "cells_total": len(cells),
            "cells_done": sum(1 for name in cells if name in self.store.results),
            "failures": dict(self.store.failures),
            "elapsed_s": round(time.perf_counter() - self.started, 1),
            "targets": targets(reports),
            "estimate": estimate(self.tier, self.store, self.workers),
            "rows": rows(reports),
            "reports": reports,
        }

    def write(self) -> dict[str, Any]:
        """Rewrite the JSON and markdown (each replaced whole, so a reader never sees half a file)."""
        document = self.document()
        for path, text in (
            (self.json_path, json.dumps(document, indent=1, default=str) + "\n"),
            (self.markdown_path, markdown(document)),
        ):
            if path is not None:
                partial = path.with_name(path.name + ".partial")
                partial.write_text(text, encoding="utf-8")
                partial.replace(path)
        return document


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


class Progress:
    """``cell i/n`` lines on stderr with the elapsed time and an ETA from the measured cost of each kind of cell."""

    def __init__(self, todo: list[Cell]) -> None:
        self.total = len(todo)
        self.remaining = {cell.name: cell for cell in todo}
        self.done = 0
        self.done_cpu = 0.0
        self.started = time.perf_counter()
        self.cost: dict[str, list[float]] = defaultdict(list)

    def _expected(self, cell: Cell) -> float:
        expected = _expected_cpu(cell, self.cost)
        if expected is not None:
            return expected
        every = [t for values in self.cost.values() for t in values]
        return statistics.fmean(every) if every else 1.0

    def __call__(self, cell: Cell, result: CellResult | None, error: str | None = None) -> None:
        self.done += 1
        self.remaining.pop(cell.name, None)
        if result is not None:
            for key in (cell_kind(cell), cell_kind(cell, with_ev=False), cell.strategy):
                self.cost[key].append(result.cpu_s)
            self.done_cpu += result.cpu_s
        elapsed = time.perf_counter() - self.started
        left = sum(self._expected(c) for c in self.remaining.values())
        eta = elapsed * left / self.done_cpu if self.done_cpu > 0 else None
        what = f"FAILED {error}" if error else f"{result.wall_s:.1f} s (cpu {result.cpu_s:.1f})" if result else ""
        sys.stderr.write(
            f"[matrix] cell {self.done}/{self.total} {cell.name}: {what} · elapsed {_clock(elapsed)}"
            f" · ETA {_clock(eta) if eta is not None else '?'}\n"
        )
        sys.stderr.flush()


def execute(run: Run) -> dict[str, Any]:
    """Run every unfinished cell in the worker pool, streaming each result as it finishes."""
    cells = run.cells()
    todo = sorted(
        (cell for name, cell in cells.items() if name not in run.store.results),
        key=lambda c: PRIORITY[c.strategy],
    )
    progress = Progress(todo)
    waiting = [cell for cell in todo if cell.strategy == "e"]  # until their home's (a) has finished
    ready = [cell for cell in todo if cell.strategy != "e"]
    run.write()
    with ProcessPoolExecutor(run.workers, get_context("spawn"), initializer=quiet_worker) as pool:
        running: dict[Future[CellResult], Cell] = {}
        while ready or running or waiting:
            ready += _unlocked(waiting, run.store)
            ready.sort(key=lambda c: PRIORITY[c.strategy])
            while ready and len(running) < run.workers:
                cell = ready.pop(0)
                running[pool.submit(run_cell, cell, _start_of(cell, run.store))] = cell
            if not running:  # an oracle waits for an (a) that failed: nothing can unlock it
                for cell in waiting:
                    run.store.failures[cell.name] = "(a) of its home failed"
                    progress(cell, None, "(a) of its home failed")
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                cell = running.pop(future)
                try:
                    result = future.result()
                except Exception as err:  # noqa: BLE001 - a failed cell is reported, the matrix goes on
                    run.store.failures[cell.name] = f"{type(err).__name__}: {err}"
                    progress(cell, None, run.store.failures[cell.name])
                else:
                    run.store.add(result)
                    progress(cell, result)
            run.write()
    return run.write()


def _a_of(cell: Cell) -> str:
    return Cell("a", cell.home).name


def _unlocked(waiting: list[Cell], store: Store) -> list[Cell]:
    """The oracle cells whose (a) has finished, removed from `waiting`."""
    free = [cell for cell in waiting if _a_of(cell) in store.results]
    for cell in free:
        waiting.remove(cell)
    return free


def _start_of(cell: Cell, store: Store) -> Any:
    return store.results[_a_of(cell)].run.start if cell.strategy == "e" else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.planner.matrix", description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=tuple(TIERS), required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="run K scenarios spread over the grid")
    parser.add_argument("--resume", action="store_true", help="skip the cells PATH.cells.jsonl already holds")
    parser.add_argument("--forecasts", help="comma-separated forecast models of the tier to run (default: all)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per noisy forecast (default: the tier's)")
    args = parser.parse_args(argv)
    if args.workers < 1 or (args.limit is not None and args.limit < 1) or (args.seeds is not None and args.seeds < 1):
        parser.error("--workers, --limit and --seeds must be at least 1")
    if args.resume and args.json is None:
        parser.error("--resume needs --json (the finished cells are read from PATH.cells.jsonl)")
    tier = TIERS[args.tier]
    chosen = args.forecasts.split(",") if args.forecasts is not None else tier.forecasts
    models = tuple(model.strip() for model in chosen if model.strip())
    if not models or any(model not in tier.forecasts for model in models):
        parser.error(f"--forecasts takes a comma-separated subset of {','.join(tier.forecasts)}")
    args.tier_design = replace(tier, forecasts=models, seeds=args.seeds or tier.seeds)
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: 0 when every cell finished, 1 when some failed."""
    args = parse_args(argv)
    tier: Tier = args.tier_design
    stream = args.json.with_name(args.json.name + ".cells.jsonl") if args.json is not None else None
    if stream is not None and not args.resume:
        stream.unlink(missing_ok=True)
    store = Store(stream)
    if args.resume:
        store.load()
    run = Run(tier, sample(tier, args.limit), args.workers, args.limit, store, args.json, args.markdown)
    document = execute(run)
    print(markdown(document))
    return 1 if document["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
