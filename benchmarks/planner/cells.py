"""A cell of the benchmark matrix: one strategy on one home (and, for (b) and (d), one forecast variant), run in a
worker process, and its result as JSON (so a killed run keeps what finished and ``--resume`` can rebuild it).

Built on the benchmark's public functions (``build_scenario``, ``ForecastService``, ``run_strategy``,
``make_strategy``, ``run_oracle``, ``OracleReplay``): whatever they simulate, the matrix runs. (a) and (c) read no
forecast and the oracle has perfect foresight, so those three run once per home and serve every variant; the
oracle starts from (a)'s state at the period's start, so its cell waits for (a)'s.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
import os
import signal
import sys
import time
import typing
from typing import Any

import numpy as np

from .forecasts import ForecastService, daily_nmae
from .oracle import OracleReplay, OracleResult, run_oracle
from .scenario import Scenario, build_scenario
from .simulate import RunResult, StoredEnergy, run_strategy
from .strategies import Context, Strategy, make_strategy
from .tiers import HomeSpec, Variant, scenario_spec

FORECAST_FREE = ("a", "c", "e")  # strategies that read no forecast: one cell per home
FORECAST_READERS = ("b", "d")
# A forecast-free cell still needs a forecast service to build its context; it reads nothing from it.
_NO_FORECAST = Variant("F0", 0)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True, slots=True)
class Cell:
    """One unit of work: `strategy` on `home` (with `variant` for a forecast reader)."""

    strategy: str
    home: HomeSpec
    variant: Variant | None = None
    oracle_node_limit: int = 0
    oracle_time_limit_s: float = 0.0

    @property
    def name(self) -> str:
        """A stable id: the same cell of another run (or of a resumed one) has the same name."""
        parts = [self.home.name, self.strategy]
        if self.variant is not None:
            parts.append(self.variant.name)
        if self.strategy == "e":
            parts.append(f"nodes{self.oracle_node_limit}-t{self.oracle_time_limit_s:g}")
        return "|".join(parts)


@dataclass(frozen=True, slots=True)
class CellResult:
    """What a cell produced, with its CPU and wall time (the worker's own process time)."""

    cell: Cell
    run: RunResult
    oracles: tuple[OracleResult, OracleResult] | None  # the oracle's cell: (same-device, e1)
    nmae: tuple[float, float] | None  # a forecast reader's cell: daily PV nMAE at lead 1 and 2
    cpu_s: float
    wall_s: float


@lru_cache(maxsize=8)
def home_scenario(home: HomeSpec) -> Scenario:
    """The home's exogenous series (the same for every variant; cached per worker process)."""
    return build_scenario(scenario_spec(home, _NO_FORECAST))


def variant_scenario(home: HomeSpec, variant: Variant) -> Scenario:
    """The home's scenario carrying the variant in its spec ((d) reads the forecast model from it)."""
    return replace(home_scenario(home), spec=scenario_spec(home, variant))


def quiet_worker() -> None:
    """A worker's initializer: its stdout to /dev/null (HiGHS prints a banner there on every solve, over the table),
    and on Linux a SIGTERM when the matrix's process dies, so that killing a run leaves no worker behind."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def run_cell(cell: Cell, start: StoredEnergy | None = None) -> CellResult:
    """Run one cell (in a worker process). The oracle's cell needs `start`, (a)'s state at the period's start."""
    began_cpu, began_wall = time.process_time(), time.perf_counter()
    variant = cell.variant or _NO_FORECAST
    scenario = variant_scenario(cell.home, variant)
    forecasts = ForecastService(scenario, variant.forecast, variant.seed)
    oracles = None
    nmae = None
    if cell.strategy == "e":
        if start is None:
            raise ValueError("the oracle's cell needs (a)'s start state")
        same = run_oracle(
            scenario, start, on_off=True, time_limit_s=cell.oracle_time_limit_s, node_limit=cell.oracle_node_limit
        )
        e1 = run_oracle(scenario, start, on_off=False)
        oracles = (same, e1)

        def factory(ctx: Context) -> Strategy:
            return OracleReplay(ctx, same)

    else:

        def factory(ctx: Context) -> Strategy:
            return make_strategy(cell.strategy, ctx)

    run = run_strategy(scenario, forecasts, factory)
    if cell.strategy in FORECAST_READERS:
        nmae = (daily_nmae(scenario, forecasts, 1), daily_nmae(scenario, forecasts, 2))
    return CellResult(cell, run, oracles, nmae, time.process_time() - began_cpu, time.perf_counter() - began_wall)


# --- JSON round trip (the streamed cell records) ---


def _plain(value: Any) -> Any:
    """JSON-ready copy of a dataclass / array / tuple / date tree."""
    if isinstance(value, np.ndarray):
        return [float(x) for x in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(x) for x in value]
    if isinstance(value, float | np.floating):
        return float(value)
    return value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(x) for x in value) if isinstance(value, list) else value


def _rebuild[T](cls: type[T], data: dict[str, Any]) -> T:
    """A RunResult / OracleResult / StoredEnergy from its JSON record, field by field from the class's type hints
    (fields added later with defaults are tolerated when missing)."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        raw, hint = data[f.name], hints[f.name]
        if hint is StoredEnergy:
            values[f.name] = _rebuild(StoredEnergy, raw)
        elif typing.get_origin(hint) is np.ndarray:
            values[f.name] = np.asarray(raw, dtype=np.float64)
        else:
            values[f.name] = _tupled(raw)
    return cls(**values)


def encode(result: CellResult) -> dict[str, Any]:
    """A cell's JSON record."""
    record: dict[str, Any] = _plain(result)
    record["name"] = result.cell.name
    return record


def decode(record: dict[str, Any]) -> CellResult:
    """A cell's result from its JSON record."""
    cell_data = record["cell"]
    home_data = dict(cell_data["home"])
    home_data["start"] = date.fromisoformat(home_data["start"])
    variant = Variant(**cell_data["variant"]) if cell_data["variant"] is not None else None
    cell = Cell(
        cell_data["strategy"],
        HomeSpec(**home_data),
        variant,
        cell_data["oracle_node_limit"],
        cell_data["oracle_time_limit_s"],
    )
    oracles = None
    if record["oracles"] is not None:
        same, e1 = record["oracles"]
        oracles = (_rebuild(OracleResult, same), _rebuild(OracleResult, e1))
    nmae = (float(record["nmae"][0]), float(record["nmae"][1])) if record["nmae"] is not None else None
    return CellResult(cell, _rebuild(RunResult, record["run"]), oracles, nmae, record["cpu_s"], record["wall_s"])
