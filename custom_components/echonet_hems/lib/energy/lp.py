"""The home's linear program, solved with HiGHS (``highspy``): one model for the rolling planner and the oracle.

Per slot t (length Δ hours), all powers in kW and energies in kWh:

- grid: ``imp_a`` ≤ exogenous deficit (max(load − PV, 0)) at the buy price, ``imp_b`` at max(buy, sell) in slots
  with PV (consuming PV surplus forgoes the sell price) else at buy, export ``exp`` ≤ exogenous surplus
  (max(PV − load, 0)): flexible loads only ever reduce export, as behind a real net meter;
- balance: ``imp_a + imp_b − exp − h − v − bc + bd = load − PV``;
- battery: ``S_t = S_{t−1} + η·Δ·bc − Δ/η·bd``, reserve ≤ S ≤ capacity, and the battery never exports
  (逆潮流なし): it discharges at most the home's deficit including the flexible loads. Exactly, that is
  ``bd ≤ max(load + h + v − PV, 0)``, which is not convex in a surplus slot; the LP keeps its convex relaxation
  ``bd − h − v ≤ max(load − PV, 0)`` (in a surplus slot the battery may cover an on/off heat pump or EV charger that
  draws more than the surplus, as the physical battery in self-consumption mode does). The relaxation could only
  pay by selling stored energy, i.e. when the sell price exceeds the cheapest buy price over the round trip; then
  every surplus slot among the on/off slots gets a binary "exporting or discharging" (``bd ≤ P·z``,
  ``exp ≤ surplus·(1 − z)``), which makes those slots exact;
- EcoCute: ``E_t = (1 − λΔ)·E_{t−1} + COP_t·Δ·h − D_t + unmet_t``, 0 ≤ E ≤ E_max, ``E_t + floor_slack ≥ floor_t``;
- EV: ``Q_t = Q_{t−1} + η·Δ·v − trip_t + trip_unmet_t``, v = 0 while away, ``Q(before departure) + short ≥ target``;
- terminal: leftover energy is rewarded (rolling plans) and/or a shortfall against a terminal target is charged
  (the oracle: its end state must equal its start state or pay for the difference).

Comfort is hard in effect but never infeasible: every comfort constraint has a slack with a large penalty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
import time

import highspy
import numpy as np
from numpy.typing import NDArray

from ..errors import HemsError
from .devices import BatteryParams, EVParams, WaterHeaterParams

FloatArray = NDArray[np.float64]

_BLOCKS = (
    "imp_a",
    "imp_b",
    "exp",
    "bc",
    "bd",
    "h",
    "v",
    "soc",
    "tank",
    "ev",
    "unmet",
    "floor",
    "trip",
    "warn",
    "z",  # 1 = the battery may discharge, 0 = the home may export (binary in exact surplus slots, else unused)
)
_INF = highspy.kHighsInf


class PlanningError(HemsError):
    """The solver failed (it should not: every comfort constraint has a slack)."""


@dataclass(frozen=True)
class Departure:
    """The car leaves at the start of slot ``slot`` and needs ``target_kwh`` in its battery."""

    slot: int
    target_kwh: float


@dataclass(frozen=True)
class LPInputs:
    """Arrays of one horizon (all of length n) and device parameters (None = not installed)."""

    dt_h: float
    buy: FloatArray
    sell: FloatArray
    pv: FloatArray
    load: FloatArray
    cop: FloatArray
    draw_kwh_th: FloatArray
    ev_home: FloatArray
    trip_kwh: FloatArray
    departures: tuple[Departure, ...] = ()
    battery: BatteryParams | None = None
    heater: WaterHeaterParams | None = None
    ev: EVParams | None = None
    soc0: float = 0.0
    tank0: float = 0.0
    ev0: float = 0.0
    tank_floor: FloatArray | None = None
    battery_floor: FloatArray | None = None
    heater_enabled: FloatArray | None = None  # 0/1 per slot; None = always allowed
    grid_charging: bool = True
    terminal_value: tuple[float, float, float] = (0.0, 0.0, 0.0)  # yen per kWh left in battery, tank, EV
    terminal_target: tuple[float, float, float] | None = None
    terminal_shortfall_price: tuple[float, float, float] = (0.0, 0.0, 0.0)
    comfort_penalty: float = 1000.0
    floor_penalty: float = 100.0
    cycle_penalty: float = 0.05
    # The first ``on_off_slots`` slots model the heat pump and an on/off EV charger as they run: off or at full
    # power for the whole slot (semi-continuous columns, so the LP becomes a MILP); later slots stay continuous.
    on_off_slots: int = 0
    mip_gap: float = 1e-3
    time_limit_s: float = 30.0
    # A MILP stopped by its time limit before it found any on/off schedule: plan continuously instead (the rolling
    # planner) or raise ``PlanningError`` (an oracle, for which a relaxed answer is not a result).
    relax_without_incumbent: bool = True
    # Branch-and-bound node limit (0 = none): unlike the time limit it stops at the same point on any host.
    node_limit: int = 0


@dataclass(frozen=True)
class LPResult:
    """Optimal flows and states per slot (kW / kWh at the end of each slot)."""

    imp: FloatArray
    exp: FloatArray
    battery_charge: FloatArray
    battery_discharge: FloatArray
    heat: FloatArray
    ev: FloatArray
    soc: FloatArray
    tank: FloatArray
    ev_soc: FloatArray
    unmet_heat: FloatArray
    floor_slack: FloatArray
    ev_short: FloatArray
    energy_cost: float
    objective: float
    solve_ms: float
    status: str
    extra: dict[str, float] = field(default_factory=dict)


def _col(block: str, n: int) -> int:
    return _BLOCKS.index(block) * n


class _Rows:
    """Accumulates constraint rows as coordinate triplets."""

    def __init__(self) -> None:
        self.rows: list[NDArray[np.int64]] = []
        self.cols: list[NDArray[np.int64]] = []
        self.vals: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def add(self, terms: list[tuple[NDArray[np.int64], FloatArray]], lower: FloatArray, upper: FloatArray) -> None:
        """Add len(lower) rows; each term gives (column index per row, coefficient per row); -1 columns are skipped."""
        size = len(lower)
        row_ids = np.arange(self.count, self.count + size, dtype=np.int64)
        for cols, vals in terms:
            keep = cols >= 0
            self.rows.append(row_ids[keep])
            self.cols.append(cols[keep])
            self.vals.append(np.broadcast_to(vals, (size,))[keep].astype(np.float64))
        self.lower.append(lower)
        self.upper.append(upper)
        self.count += size

    def extend(self, other: _Rows, column_offset: int) -> None:
        """Append `other`'s rows below these, its columns shifted by `column_offset`."""
        for rows, cols, vals in zip(other.rows, other.cols, other.vals, strict=True):
            self.rows.append(rows + self.count)
            self.cols.append(cols + column_offset)
            self.vals.append(vals)
        self.lower.extend(other.lower)
        self.upper.extend(other.upper)
        self.count += other.count


@dataclass(frozen=True)
class _Layout:
    """Column layout: 15 blocks of n slot variables, then one slack per departure, then 3 terminal slacks."""

    n: int
    departures: tuple[Departure, ...]

    @property
    def dep_start(self) -> int:
        return len(_BLOCKS) * self.n

    @property
    def term_start(self) -> int:
        return self.dep_start + len(self.departures)

    def block(self, name: str) -> slice:
        start = _col(name, self.n)
        return slice(start, start + self.n)


def _grid_columns(inputs: LPInputs, lay: _Layout, cost: FloatArray, upper: FloatArray) -> None:
    """Imports within the exogenous deficit at the buy price, beyond it at the surplus price; export ≤ surplus."""
    dt, block = inputs.dt_h, lay.block
    cost[block("imp_a")] = inputs.buy * dt
    upper[block("imp_a")] = np.maximum(inputs.load - inputs.pv, 0.0)
    cost[block("imp_b")] = _surplus_price(inputs) * dt
    upper[block("imp_b")] = _INF
    cost[block("exp")] = -inputs.sell * dt
    upper[block("exp")] = np.maximum(inputs.pv - inputs.load, 0.0)


def _no_export_slots(inputs: LPInputs, n: int) -> NDArray[np.bool_]:
    """Surplus slots among the on/off slots where the battery's no-export rule is modelled exactly (a binary): only
    where selling stored energy could pay. A kWh of charge sold earns sell·η; it is worth at least the cheaper of
    its terminal value and its refill price (cheapest buy / η), so below that the relaxation never binds."""
    battery = inputs.battery
    mask = np.zeros(n, dtype=bool)
    if battery is None or n == 0:
        return mask
    eta = battery.efficiency
    worth = min(inputs.terminal_value[0], float(inputs.buy.min()) / eta)
    if float(inputs.sell.max()) * eta < worth:
        return mask
    m = min(max(inputs.on_off_slots, 0), n)
    mask[:m] = (inputs.pv - inputs.load)[:m] > 0.0
    return mask


def _columns(inputs: LPInputs, lay: _Layout) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Costs and bounds of every column."""
    n, dt = lay.n, inputs.dt_h
    departures, dep_start, term_start, block = lay.departures, lay.dep_start, lay.term_start, lay.block
    num_col = term_start + (3 if inputs.terminal_target is not None else 0)
    cost = np.zeros(num_col)
    lower = np.zeros(num_col)
    upper = np.zeros(num_col)
    surplus = np.maximum(inputs.pv - inputs.load, 0.0)
    _grid_columns(inputs, lay, cost, upper)

    battery, heater, ev = inputs.battery, inputs.heater, inputs.ev
    if battery is not None:
        upper[block("bc")] = battery.max_charge_kw
        if not inputs.grid_charging:
            upper[block("bc")] = np.minimum(surplus, battery.max_charge_kw)
        upper[block("bd")] = battery.max_discharge_kw
        upper[block("z")] = _no_export_slots(inputs, n).astype(np.float64)
        cost[block("bc")] = inputs.cycle_penalty * dt
        cost[block("bd")] = inputs.cycle_penalty * dt
        lower[block("soc")] = battery.reserve_kwh
        upper[block("soc")] = battery.capacity_kwh
        if inputs.battery_floor is not None:
            upper[block("warn")] = _INF
            cost[block("warn")] = inputs.floor_penalty
    if heater is not None:
        enabled = np.ones(n) if inputs.heater_enabled is None else inputs.heater_enabled
        upper[block("h")] = heater.heating_input_kw * enabled
        upper[block("tank")] = heater.capacity_kwh
        upper[block("unmet")] = _INF
        cost[block("unmet")] = inputs.comfort_penalty
        if inputs.tank_floor is not None:
            upper[block("floor")] = _INF
            cost[block("floor")] = inputs.floor_penalty * dt
    if ev is not None:
        upper[block("v")] = ev.max_power_kw * inputs.ev_home
        upper[block("ev")] = ev.battery_kwh
        upper[block("trip")] = np.where(inputs.trip_kwh > 0.0, _INF, 0.0)
        cost[block("trip")] = inputs.comfort_penalty
    for j in range(len(departures)):
        upper[dep_start + j] = _INF if ev is not None else 0.0
        cost[dep_start + j] = inputs.comfort_penalty
    if inputs.terminal_target is not None:
        upper[term_start : term_start + 3] = _INF
        cost[term_start : term_start + 3] = inputs.terminal_shortfall_price
    last = n - 1
    cost[_col("soc", n) + last] -= inputs.terminal_value[0] if battery is not None else 0.0
    cost[_col("tank", n) + last] -= inputs.terminal_value[1] if heater is not None else 0.0
    cost[_col("ev", n) + last] -= inputs.terminal_value[2] if ev is not None else 0.0

    return cost, lower, upper


def _on_off(inputs: LPInputs, lay: _Layout, lower: FloatArray, upper: FloatArray) -> NDArray[np.int32]:
    """Integrality per column: the first ``on_off_slots`` heat-pump (and on/off EV) columns become semi-continuous
    with lower = upper = full power, i.e. exactly off or on. Slots where the device cannot run keep their 0 bound."""
    integrality = np.zeros(len(lower), dtype=np.int32)
    m = min(max(inputs.on_off_slots, 0), lay.n)
    if m == 0:
        return integrality
    semi = int(highspy.HighsVarType.kSemiContinuous)
    devices: list[tuple[str, float]] = []
    if inputs.heater is not None:
        devices.append(("h", inputs.heater.heating_input_kw))
    if inputs.ev is not None:
        devices.append(("v", inputs.ev.min_power_kw if inputs.ev.modulating else inputs.ev.max_power_kw))
    for name, minimum in devices:
        cols = np.arange(_col(name, lay.n), _col(name, lay.n) + m)
        runnable = cols[upper[cols] >= minimum - 1e-9]
        lower[runnable] = minimum
        integrality[runnable] = semi
    z = np.arange(_col("z", lay.n), _col("z", lay.n) + lay.n)
    integrality[z[upper[z] > 0.0]] = int(highspy.HighsVarType.kInteger)
    return integrality


def _constraints(inputs: LPInputs, lay: _Layout) -> _Rows:
    """Every constraint row."""
    n, dt, departures, dep_start, term_start = lay.n, inputs.dt_h, lay.departures, lay.dep_start, lay.term_start
    idx = np.arange(n, dtype=np.int64)
    battery, heater, ev = inputs.battery, inputs.heater, inputs.ev
    last = n - 1
    rows = _Rows()
    ones = np.ones(n)

    def col(name: str, offset: int = 0) -> NDArray[np.int64]:
        shifted = idx + offset
        return np.where((shifted >= 0) & (shifted < n), _col(name, n) + shifted, -1)

    # Balance.
    balance_rhs = inputs.load - inputs.pv
    rows.add(
        [
            (col("imp_a"), ones),
            (col("imp_b"), ones),
            (col("exp"), -ones),
            (col("h"), -ones),
            (col("v"), -ones),
            (col("bc"), -ones),
            (col("bd"), ones),
        ],
        balance_rhs,
        balance_rhs,
    )
    if battery is not None:
        rhs: FloatArray = np.zeros(n)
        rhs[0] = inputs.soc0
        eta = battery.efficiency
        rows.add(
            [(col("soc"), ones), (col("soc", -1), -ones), (col("bc"), -eta * dt * ones), (col("bd"), dt / eta * ones)],
            rhs,
            rhs,
        )
        rows.add(
            [(col("bd"), ones), (col("h"), -ones), (col("v"), -ones)], np.full(n, -_INF), np.maximum(balance_rhs, 0.0)
        )
        exact = np.flatnonzero(_no_export_slots(inputs, n))
        if len(exact):
            # Exporting or discharging, never both: bd ≤ P·z and exp ≤ surplus·(1 − z).
            k = len(exact)
            surplus = (inputs.pv - inputs.load)[exact]
            z = _col("z", n) + exact
            rows.add(
                [(_col("bd", n) + exact, np.ones(k)), (z, np.full(k, -battery.max_discharge_kw))],
                np.full(k, -_INF),
                np.zeros(k),
            )
            rows.add([(_col("exp", n) + exact, np.ones(k)), (z, surplus)], np.full(k, -_INF), surplus)
        if inputs.battery_floor is not None:
            rows.add([(col("soc"), ones), (col("warn"), ones)], inputs.battery_floor, np.full(n, _INF))
    if heater is not None:
        keep = 1.0 - heater.loss_per_hour * dt
        rhs = np.asarray(-inputs.draw_kwh_th, dtype=np.float64)
        rhs[0] += keep * inputs.tank0
        rows.add(
            [(col("tank"), ones), (col("tank", -1), -keep * ones), (col("h"), -inputs.cop * dt), (col("unmet"), -ones)],
            rhs,
            rhs,
        )
        if inputs.tank_floor is not None:
            rows.add([(col("tank"), ones), (col("floor"), ones)], inputs.tank_floor, np.full(n, _INF))
    if ev is not None:
        rhs = np.asarray(-inputs.trip_kwh, dtype=np.float64)
        rhs[0] += inputs.ev0
        rows.add(
            [(col("ev"), ones), (col("ev", -1), -ones), (col("v"), -ev.efficiency * dt * ones), (col("trip"), -ones)],
            rhs,
            rhs,
        )
        if departures:
            m = len(departures)
            slots = np.array([d.slot - 1 for d in departures], dtype=np.int64)
            targets = np.array([min(d.target_kwh, ev.battery_kwh) for d in departures])
            rows.add(
                [(_col("ev", n) + slots, np.ones(m)), (dep_start + np.arange(m, dtype=np.int64), np.ones(m))],
                targets,
                np.full(m, _INF),
            )
    if inputs.terminal_target is not None:
        targets = np.array(inputs.terminal_target)
        state_cols = np.array([_col("soc", n) + last, _col("tank", n) + last, _col("ev", n) + last], dtype=np.int64)
        present = np.array([battery is not None, heater is not None, ev is not None])
        targets = np.where(present, targets, -_INF)
        rows.add(
            [(state_cols, np.ones(3)), (term_start + np.arange(3, dtype=np.int64), np.ones(3))],
            targets,
            np.full(3, _INF),
        )

    return rows


@dataclass(frozen=True, slots=True)
class _Matrix:
    """The constraint matrix, row-wise (CSR), and the row bounds."""

    starts: NDArray[np.int32]
    index: NDArray[np.int32]
    values: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray

    @classmethod
    def of(cls, rows: _Rows) -> _Matrix:
        row_idx = np.concatenate(rows.rows)
        order = np.argsort(row_idx, kind="stable")
        starts = np.zeros(rows.count + 1, dtype=np.int32)
        np.cumsum(np.bincount(row_idx, minlength=rows.count), out=starts[1:])
        return cls(
            starts,
            np.concatenate(rows.cols)[order].astype(np.int32),
            np.concatenate(rows.vals)[order],
            np.concatenate(rows.lower),
            np.concatenate(rows.upper),
        )


class SolverCache:
    """One HiGHS instance kept between the solves of a rolling planner (issue 14: reuse the model between plans).

    Consecutive plans of a home have the same model structure most of the time (the same columns, rows, non-zero
    pattern and integrality; only costs, bounds, right-hand sides and a few coefficients such as the COP move with
    the horizon). Then the kept model is changed in place (``changeColsCost``, ``changeColsBounds``,
    ``changeRowsBounds``, ``changeCoeff``) instead of passed again; when the structure differs (a departure enters
    the horizon, another number of PV scenarios) the model is passed anew on the same instance. The optimum is the
    same either way (tested); ``reused`` and ``passed`` count the two paths. Not thread-safe: one per planner."""

    def __init__(self) -> None:
        self.highs: highspy.Highs | None = None
        self.reused = 0
        self.passed = 0
        self._pattern: tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int32]] | None = None
        self._values: FloatArray | None = None

    def load(
        self, cost: FloatArray, lower: FloatArray, upper: FloatArray, matrix: _Matrix, integrality: NDArray[np.int32]
    ) -> highspy.Highs:
        """A HiGHS instance holding this model: the kept one changed in place where the structure allows."""
        if self.highs is None:
            self.highs = _new_highs()
        highs = self.highs
        same = (
            self._pattern is not None
            and self._values is not None
            and _same(self._pattern[0], matrix.starts)
            and _same(self._pattern[1], matrix.index)
            and _same(self._pattern[2], integrality)
        )
        if same and self._values is not None:
            cols = np.arange(len(cost), dtype=np.int32)
            highs.changeColsCost(len(cost), cols, cost)
            highs.changeColsBounds(len(cost), cols, lower, upper)
            rows = np.arange(len(matrix.row_lower), dtype=np.int32)
            # changeRowsBounds is in highspy (1.16) but not in its stubs.
            highs.changeRowsBounds(len(rows), rows, matrix.row_lower, matrix.row_upper)  # type: ignore[attr-defined]
            changed = np.flatnonzero(self._values != matrix.values)
            if len(changed):
                row_of = np.repeat(np.arange(len(matrix.starts) - 1), np.diff(matrix.starts))
                for entry in changed:
                    highs.changeCoeff(int(row_of[entry]), int(matrix.index[entry]), float(matrix.values[entry]))
            self.reused += 1
        else:
            _pass(highs, cost, lower, upper, matrix, integrality)
            self._pattern = (matrix.starts, matrix.index, integrality)
            self.passed += 1
        self._values = matrix.values
        return highs


def _same(a: NDArray[np.int32], b: NDArray[np.int32]) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _new_highs() -> highspy.Highs:
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


def _pass(
    highs: highspy.Highs,
    cost: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    matrix: _Matrix,
    integrality: NDArray[np.int32],
) -> None:
    passed = highs.passModel(
        len(cost),
        len(matrix.row_lower),
        len(matrix.values),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        cost,
        lower,
        upper,
        matrix.row_lower,
        matrix.row_upper,
        matrix.starts,
        matrix.index,
        matrix.values,
        integrality,
    )
    if passed != highspy.HighsStatus.kOk:
        raise PlanningError("HiGHS rejected the model")


def _run_highs(
    cost: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    rows: _Rows,
    integrality: NDArray[np.int32],
    inputs: LPInputs,
    cache: SolverCache | None = None,
) -> tuple[FloatArray, str, float, float]:
    """Solve with HiGHS: (column values, status, objective, lower bound on the optimal objective)."""
    matrix = _Matrix.of(rows)
    if cache is None:
        highs = _new_highs()
        _pass(highs, cost, lower, upper, matrix, integrality)
    else:
        highs = cache.load(cost, lower, upper, matrix, integrality)
    mixed = bool(integrality.any())
    if mixed:
        highs.setOptionValue("mip_rel_gap", inputs.mip_gap)
        # HiGHS 1.x measures its time limit against the instance's total run time, across every run() of a kept
        # instance (ERGO-Code/HiGHS issues 1331 and 1477, read 2026-12-05; highspy has no zeroAllClocks): the
        # limit of this run is counted from the time already run.
        highs.setOptionValue("time_limit", highs.getRunTime() + inputs.time_limit_s)
        highs.setOptionValue("mip_max_nodes", inputs.node_limit if inputs.node_limit > 0 else highspy.kHighsIInf)
    highs.run()
    status = highs.getModelStatus()
    # A MILP stopped by its time limit still has an incumbent: use it (the rolling planner re-plans soon anyway).
    stopped = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kSolutionLimit)
    timed_out = mixed and status in stopped
    if timed_out and highs.getInfo().primal_solution_status != 2:
        if not inputs.relax_without_incumbent:
            raise PlanningError("HiGHS reached its time limit without any on/off schedule")
        # No incumbent yet (a busy host): plan the same slots continuously rather than not at all; the caller
        # rounds the first slot to on/off as it did before the MILP existed.
        semi = integrality != 0
        relaxed_lower = np.where(semi, 0.0, lower)
        return _run_highs(cost, relaxed_lower, upper, rows, np.zeros_like(integrality), inputs)
    if status != highspy.HighsModelStatus.kOptimal and not timed_out:
        raise PlanningError(f"HiGHS ended with {highs.modelStatusToString(status)}")
    x = np.asarray(highs.getSolution().col_value)
    info = highs.getInfo()
    objective = float(info.objective_function_value)
    return (
        np.asarray(x, dtype=np.float64),
        highs.modelStatusToString(status),
        objective,
        float(info.mip_dual_bound) if mixed else objective,
    )


def _surplus_price(inputs: LPInputs) -> FloatArray:
    """Price of imports beyond the exogenous deficit: consuming PV surplus forgoes the sell price."""
    return np.asarray(np.where(inputs.pv > 0.0, np.maximum(inputs.buy, inputs.sell), inputs.buy), dtype=np.float64)


def solve(inputs: LPInputs) -> LPResult:
    """Build and solve the LP; raises ``PlanningError`` only if HiGHS fails."""
    return solve_scenarios(inputs, (inputs.pv,), (1.0,), 0)


# Device decisions that must be equal in every scenario while they are not yet informed by the PV outcome.
_DECISIONS = ("h", "v", "bc", "bd")


def solve_scenarios(
    inputs: LPInputs,
    pv_scenarios: Sequence[FloatArray],
    weights: Sequence[float],
    shared_slots: int,
    cache: SolverCache | None = None,
) -> LPResult:
    """Two-stage stochastic LP: one copy of the home's model per PV scenario, the expected cost minimised, and the
    device decisions of the first ``shared_slots`` slots equal in every scenario (non-anticipativity: they are taken
    before the PV outcome is known). The first scenario carries the on/off columns and is the one reported; the
    others are its continuous recourse. One scenario with weight 1 is the plain deterministic LP. With `cache`, the
    HiGHS instance of the previous solve is reused (``SolverCache``)."""
    if not pv_scenarios or len(pv_scenarios) != len(weights):
        raise ValueError("one weight per PV scenario is needed")
    started = time.perf_counter()
    n = len(inputs.buy)
    lay = _Layout(n, tuple(d for d in inputs.departures if 0 < d.slot <= n))
    parts = [replace(inputs, pv=np.asarray(pv, dtype=np.float64)) for pv in pv_scenarios]
    columns = [_columns(part, lay) for part in parts]
    width = len(columns[0][0])
    cost = np.concatenate([c * w for (c, _, _), w in zip(columns, weights, strict=True)])
    lower = np.concatenate([lo for _, lo, _ in columns])
    upper = np.concatenate([up for _, _, up in columns])
    integrality = np.zeros(len(cost), dtype=np.int32)
    integrality[:width] = _on_off(inputs, lay, lower[:width], upper[:width])
    rows = _Rows()
    for k, part in enumerate(parts):
        rows.extend(_constraints(part, lay), k * width)
    shared = np.arange(min(max(shared_slots, 0), n), dtype=np.int64)
    for k in range(1, len(parts)):
        for name in _DECISIONS:
            first = _col(name, n) + shared
            zeros = np.zeros(len(shared))
            rows.add([(first, np.ones(len(shared))), (first + k * width, -np.ones(len(shared)))], zeros, zeros)
    x, status, objective, bound = _run_highs(cost, lower, upper, rows, integrality, inputs, cache)
    return _result(parts[0], lay, x[:width], status, objective, bound, started)


def _result(
    inputs: LPInputs, lay: _Layout, x: FloatArray, status: str, objective: float, bound: float, started: float
) -> LPResult:
    """The first scenario's flows and states."""
    n = lay.n
    dt, block, dep_start, departures = inputs.dt_h, lay.block, lay.dep_start, lay.departures
    battery, heater, ev = inputs.battery, inputs.heater, inputs.ev
    surplus_price = _surplus_price(inputs)

    def values_of(name: str) -> FloatArray:
        return np.asarray(x[block(name)], dtype=np.float64)

    imp_a, imp_b, exp = values_of("imp_a"), values_of("imp_b"), values_of("exp")
    energy_cost = float(np.sum((inputs.buy * imp_a + surplus_price * imp_b - inputs.sell * exp) * dt))
    ev_short = np.asarray(x[dep_start : dep_start + len(departures)], dtype=np.float64)
    return LPResult(
        imp=imp_a + imp_b,
        exp=exp,
        battery_charge=values_of("bc"),
        battery_discharge=values_of("bd"),
        heat=values_of("h"),
        ev=values_of("v"),
        soc=values_of("soc") if battery is not None else np.zeros(n),
        tank=values_of("tank") if heater is not None else np.zeros(n),
        ev_soc=values_of("ev") if ev is not None else np.zeros(n),
        unmet_heat=values_of("unmet"),
        floor_slack=values_of("floor"),
        ev_short=ev_short,
        energy_cost=energy_cost,
        objective=objective,
        solve_ms=(time.perf_counter() - started) * 1000.0,
        status=status,
        extra={"trip_unmet_kwh": float(values_of("trip").sum()), "objective_bound": bound},
    )
