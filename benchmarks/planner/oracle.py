"""(e) the perfect-foresight oracles over the reported period, and the replay of the same-device oracle.

- **Same-device oracle** (``kappa``'s reference, BENCHMARK.md "Reference for κ"): the home's MILP with the simulator's
  action space (heat pump and on/off EV charger off or at full power in every slot; the battery's no-export rule exact
  wherever selling stored energy could pay), over the whole period, with perfect foresight. HiGHS returns its best
  schedule and a dual bound; the schedule is then **replayed** through the physics home like every strategy
  (``OracleReplay``), and the bound says how much better the true optimum could be. A MILP that stops without a
  schedule raises ``PlanningError``: the oracle never falls back to the LP.
- **e1**: the same model with continuous heat-pump and EV power (an LP, what modulating hardware could reach); it is
  not executable on on/off devices, so it is scored by its own model (``kappa_e1``).

Both start from the state (a) has at the start of the period and are charged for ending with less stored energy, at
the same refill prices used to settle every strategy's end state, and credited for more at the credit prices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import time

import numpy as np

from custom_components.echonet_hems.lib.energy import EVTrip, LPInputs, LPResult, PlanningError, solve
from custom_components.echonet_hems.lib.energy.planner import ev_arrays
from virtual_home.physics import BatteryMode, ChargerMode, HeaterMode, Home

from .scenario import DT_H, SLOTS_PER_DAY, FloatArray, Scenario
from .simulate import StoredEnergy
from .strategies import Context, NoControl

ORACLE_TIME_LIMIT_S = 300.0
ORACLE_MIP_GAP = 1e-4


@dataclass(frozen=True)
class OracleResult:
    """An oracle's solution over the reported period (flows per slot from the period's first slot)."""

    on_off: bool
    energy_cost_yen: float
    settled_cost_yen: float  # energy cost with the change of stored energy settled (the objective + a constant)
    gap_yen: float  # objective − dual bound: the true optimum's settled cost is at least settled − gap
    import_kwh: float
    export_kwh: float
    diverted_kwh_per_day: tuple[float, ...]
    start: StoredEnergy
    end: StoredEnergy
    unmet_kwh: float
    solve_ms: float
    status: str
    heat_kw: FloatArray
    ev_kw: FloatArray
    battery_kw: FloatArray  # + charge / − discharge


def refill_prices(scenario: Scenario) -> tuple[float, float, float]:
    """Yen per kWh stored in battery, tank (kWh_th) and EV: the cheapest buy price over each device's efficiency."""
    devices = scenario.devices
    cheapest = float(scenario.buy[scenario.report_start : scenario.report_end].min())
    end = scenario.report_end
    night = [end - SLOTS_PER_DAY + s for s in range(2, 12)]
    heater = devices.water_heater
    cop = heater.cop(float(np.mean(scenario.temp_c[night]))) if heater is not None else 1.0
    battery_eff = devices.battery.efficiency if devices.battery is not None else 1.0
    ev_eff = devices.ev.efficiency if devices.ev is not None else 1.0
    return cheapest / battery_eff, cheapest / cop, cheapest / ev_eff


def credit_prices(scenario: Scenario) -> tuple[float, float, float]:
    """Yen per kWh stored *above* the start state: energy a strategy stocked is credited at what PV surplus is worth
    (the sell price, per kWh_th through the night COP), never more than its refill price, so that an optimiser cannot
    profit from filling the EV or tank just before the window closes."""
    refill = refill_prices(scenario)
    sell = float(scenario.sell[scenario.report_start])
    cheapest = float(scenario.buy[scenario.report_start : scenario.report_end].min())
    return tuple(min(price, price * sell / cheapest) for price in refill)  # type: ignore[return-value]


def oracle_trips(scenario: Scenario) -> tuple[EVTrip, ...]:
    """Every commute of the reported period, relative to its first slot."""
    spec = scenario.spec
    first_day = scenario.report_start // SLOTS_PER_DAY
    trips = []
    for day in range(first_day, first_day + spec.days + 1):
        if scenario.day_kind[day].value == "weekday":
            base = day * SLOTS_PER_DAY - scenario.report_start
            trips.append(
                EVTrip(
                    base + spec.ev_depart_hour * 2, base + spec.ev_return_hour * 2, spec.ev_target_kwh, spec.ev_trip_kwh
                )
            )
    return tuple(trips)


def _settle_constant(scenario: Scenario, start: StoredEnergy) -> float:
    """settled cost = objective + this (with no cycling penalty and no comfort slack): the credit of the start state."""
    credit = credit_prices(scenario)
    devices = scenario.devices
    present = (devices.battery is not None, devices.water_heater is not None, devices.ev is not None)
    values = (start.battery, start.tank, start.ev)
    return sum(c * v for c, v, p in zip(credit, values, present, strict=True) if p)


def _inputs(
    scenario: Scenario,
    first: int,
    slots: int,
    state: StoredEnergy,
    start: StoredEnergy,
    on_off: bool,
    limit: float,
    node_limit: int = 0,
) -> LPInputs:
    """The oracle's model over period slots [first, first + slots) from `state`; the end is settled against the
    period's `start` state (credit above it, refill below it), as every strategy's end state."""
    window = slice(scenario.report_start + first, scenario.report_start + first + slots)
    devices = scenario.devices
    heater = devices.water_heater
    temps: FloatArray = scenario.temp_c[window]
    cop = np.array([heater.cop(float(t)) for t in temps]) if heater is not None else np.ones(slots)
    trips = tuple(
        EVTrip(t.depart_slot - first, t.return_slot - first, t.target_kwh, t.trip_kwh) for t in oracle_trips(scenario)
    )
    home, trip, departures = ev_arrays(trips, slots)
    prices = refill_prices(scenario)
    credit = credit_prices(scenario)
    return LPInputs(
        dt_h=DT_H,
        buy=scenario.buy[window],
        sell=scenario.sell[window],
        pv=scenario.pv_kw[window],
        load=scenario.load_kw[window],
        cop=cop,
        draw_kwh_th=scenario.draw_kwh_th[window],
        ev_home=home,
        trip_kwh=trip,
        departures=departures,
        battery=devices.battery,
        heater=heater,
        ev=devices.ev,
        soc0=state.battery,
        tank0=state.tank,
        ev0=state.ev,
        terminal_value=credit,
        terminal_target=(start.battery, start.tank, start.ev),
        terminal_shortfall_price=(prices[0] - credit[0], prices[1] - credit[1], prices[2] - credit[2]),
        cycle_penalty=0.0,  # the objective is then the settled cost up to a constant, so the bound is in yen
        on_off_slots=slots if on_off else 0,
        mip_gap=ORACLE_MIP_GAP,
        time_limit_s=limit,
        relax_without_incumbent=False,
        node_limit=node_limit,
    )


def _settled(scenario: Scenario, energy_cost: float, start: StoredEnergy, end: StoredEnergy) -> float:
    """Energy cost with the change of stored energy settled at the refill / credit prices."""
    refill, credit = refill_prices(scenario), credit_prices(scenario)
    adjustment = 0.0
    for i, (before, after) in enumerate(((start.battery, end.battery), (start.tank, end.tank), (start.ev, end.ev))):
        change = after - before
        adjustment += change * (credit[i] if change >= 0.0 else refill[i])
    return energy_cost - adjustment


def run_oracle(
    scenario: Scenario,
    start: StoredEnergy,
    on_off: bool = True,
    time_limit_s: float = ORACLE_TIME_LIMIT_S,
    window_days: int | None = None,
    overlap_days: int = 1,
    bound_time_limit_s: float = 0.0,
    node_limit: int = 0,
) -> OracleResult:
    """Solve the period with perfect foresight: without `on_off` the continuous LP e1; with it the same-device MILP,
    over the whole period (best schedule + dual bound) or, with `window_days`, per window of `window_days` +
    `overlap_days` days committing the first `window_days` (each window solved within `time_limit_s`). `node_limit`
    stops the full-period MILP, or each window's, after that many branch-and-bound nodes, at the same point on any
    host. A windowed
    schedule is bounded by the full-period MILP's dual bound after `bound_time_limit_s` (0: by e1, always valid).
    A MILP that stops without any schedule raises ``PlanningError``: the oracle never falls back to the LP."""
    n = scenario.report_end - scenario.report_start
    if not on_off or window_days is None or window_days >= n // SLOTS_PER_DAY:
        result = solve(_inputs(scenario, 0, n, start, start, on_off, time_limit_s, node_limit))
        constant = _settle_constant(scenario, start)
        return _oracle_result(
            scenario,
            start,
            on_off,
            result,
            result.objective + constant,
            max(result.objective - result.extra["objective_bound"], 0.0),
        )
    started = time.perf_counter()
    parts: list[LPResult] = []
    state = start
    commit = window_days * SLOTS_PER_DAY
    for first in range(0, n, commit):
        slots = min(commit + overlap_days * SLOTS_PER_DAY, n - first)
        part = solve(_inputs(scenario, first, slots, state, start, True, time_limit_s, node_limit))
        keep = min(commit, n - first)
        parts.append(part)
        state = StoredEnergy(float(part.soc[keep - 1]), float(part.tank[keep - 1]), float(part.ev_soc[keep - 1]))
    merged = _merge(scenario, parts, commit, n)
    settled = _settled(scenario, merged.energy_cost, start, state)
    e1 = solve(_inputs(scenario, 0, n, start, start, False, time_limit_s))
    constant = _settle_constant(scenario, start)
    bound = e1.objective + constant
    status = "windows"
    if bound_time_limit_s > 0.0:
        try:
            full = solve(_inputs(scenario, 0, n, start, start, True, bound_time_limit_s))
        except PlanningError:
            status = "windows; full-period MILP found no schedule"
        else:
            bound = max(bound, full.extra["objective_bound"] + constant)
            status = f"windows; full-period MILP {full.status}"
            if full.objective + constant < settled:
                merged, settled, status = full, full.objective + constant, f"full-period MILP {full.status}"
    windowed = _oracle_result(scenario, start, True, merged, settled, max(settled - bound, 0.0))
    return replace(windowed, solve_ms=(time.perf_counter() - started) * 1000.0, status=status)


def _merge(scenario: Scenario, parts: list[LPResult], commit: int, n: int) -> LPResult:
    """The committed slots of the windows as one result (flows, states, energy cost at buy/sell)."""

    def joined(name: str) -> FloatArray:
        return np.asarray(np.concatenate([getattr(part, name)[:commit] for part in parts])[:n], dtype=np.float64)

    window = slice(scenario.report_start, scenario.report_end)
    imp, exp = joined("imp"), joined("exp")
    energy = float(np.sum(scenario.buy[window] * imp - scenario.sell[window] * exp) * DT_H)
    return LPResult(
        imp=imp,
        exp=exp,
        battery_charge=joined("battery_charge"),
        battery_discharge=joined("battery_discharge"),
        heat=joined("heat"),
        ev=joined("ev"),
        soc=joined("soc"),
        tank=joined("tank"),
        ev_soc=joined("ev_soc"),
        unmet_heat=joined("unmet_heat"),
        floor_slack=joined("floor_slack"),
        ev_short=np.concatenate([part.ev_short for part in parts]),  # overlap departures counted twice: a flag only
        energy_cost=energy,
        objective=energy,
        solve_ms=sum(part.solve_ms for part in parts),
        status="windows",
        extra={"trip_unmet_kwh": sum(part.extra["trip_unmet_kwh"] for part in parts), "objective_bound": energy},
    )


def _oracle_result(
    scenario: Scenario, start: StoredEnergy, on_off: bool, result: LPResult, settled: float, gap: float
) -> OracleResult:
    window = slice(scenario.report_start, scenario.report_end)
    surplus = np.maximum(scenario.pv_kw[window] - scenario.load_kw[window], 0.0)
    diverted = (np.minimum(result.heat, surplus) * DT_H).reshape(-1, SLOTS_PER_DAY).sum(axis=1)
    return OracleResult(
        on_off=on_off,
        energy_cost_yen=result.energy_cost,
        settled_cost_yen=settled,
        gap_yen=gap,
        import_kwh=float(result.imp.sum() * DT_H),
        export_kwh=float(result.exp.sum() * DT_H),
        diverted_kwh_per_day=tuple(float(x) for x in diverted),
        start=start,
        end=StoredEnergy(float(result.soc[-1]), float(result.tank[-1]), float(result.ev_soc[-1])),
        unmet_kwh=float(result.unmet_heat.sum() + result.ev_short.sum() + result.extra["trip_unmet_kwh"]),
        solve_ms=result.solve_ms,
        status=result.status,
        heat_kw=result.heat,
        ev_kw=result.ev,
        battery_kw=result.battery_charge - result.battery_discharge,
    )


class OracleReplay(NoControl):
    """The same-device oracle's schedule executed on the physics home: (a) during the warm-up (so the period starts
    from (a)'s state, as the oracle assumed), then every slot's heat-pump, EV and battery decision as solved."""

    key = "e"

    def __init__(self, ctx: Context, oracle: OracleResult) -> None:
        super().__init__(ctx)
        self.oracle = oracle

    def control(self, k: int, home: Home) -> None:
        first = self.ctx.scenario.report_start
        if k < first:
            super().control(k, home)
            return
        i = k - first
        ecocute = home.ecocute
        if ecocute is not None:
            on = self.oracle.heat_kw[i] >= 0.5 * ecocute.heating_input_w / 1000.0
            ecocute.mode = HeaterMode.MANUAL_HEATING if on else HeaterMode.MANUAL_STOP
        for charger in home.ev_chargers:
            power = float(self.oracle.ev_kw[i])
            if charger.modulating:
                charger.power_setting_w = power * 1000.0
            on = power >= 0.5 * (charger.min_power_w if charger.modulating else charger.max_power_w) / 1000.0
            charger.mode = ChargerMode.CHARGE if on else ChargerMode.STANDBY
        battery = home.battery
        if battery is not None:
            power = float(self.oracle.battery_kw[i])
            if power > 1e-3:
                battery.mode = BatteryMode.CHARGE
                battery.charge_power_setting_w = power * 1000.0
            elif power < -1e-3:
                battery.mode = BatteryMode.DISCHARGE
                battery.discharge_power_setting_w = -power * 1000.0
            else:
                battery.mode = BatteryMode.STANDBY
