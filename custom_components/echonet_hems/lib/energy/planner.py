"""Solar-charge planner: (forecasts, tariff, devices, state, conditions, now) → a 48-hour plan with reasons.

Pure: no I/O, the clock is the ``now`` argument. The plan minimises expected energy cost with comfort as a hard
constraint (slacks with large penalties, so a plan always exists) by solving the home's LP (``lp.py``) with HiGHS.
Forecast uncertainty is hedged with a two-stage plan: beyond the first ``firm_slots`` (measured or nowcast) the PV
forecast becomes ``pv_scenarios`` equally likely scenarios of the learned log-normal error; decisions that must be
taken before the sun shows what the day brings (the current slot, and at night every slot until sunrise) are shared
by all scenarios, the rest is each scenario's recourse, and the expected cost is minimised. Without history the plan
falls back to one pessimistic ``pv_quantile``. The caller re-plans during the day from measurements. Every plan
carries all guard conditions and a reason for every device decision in every slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np

from .devices import HomeDevices
from .forecast import ForecastError, pv_quantile, pv_scenarios
from .guards import Conditions, GuardCondition, GuardEffect, evaluate_guards, has_effect
from .lp import Departure, FloatArray, LPInputs, LPResult, SolverCache, solve_scenarios
from .tariff import JST, PriceOrdering, Tariff

_EPS = 1e-3


class Reason(StrEnum):
    """Why a device does what it does in a slot (translation keys on the Home Assistant side)."""

    PLANNER_OFF = "planner_off"
    HEAT_PV_SURPLUS = "heat_pv_surplus"
    HEAT_CHEAP_BAND = "heat_cheap_band"
    HEAT_FOR_COMFORT = "heat_for_comfort"
    HEAT_OFF_TANK_SUFFICIENT = "heat_off_tank_sufficient"
    HEAT_OFF_SELLING_PAYS_MORE = "heat_off_selling_pays_more"
    HEAT_OFF_CHEAPER_LATER = "heat_off_cheaper_later"
    BATTERY_CHARGE_PV_SURPLUS = "battery_charge_pv_surplus"
    BATTERY_CHARGE_CHEAP_BAND = "battery_charge_cheap_band"
    BATTERY_CHARGE_RESERVE = "battery_charge_reserve"
    BATTERY_DISCHARGE = "battery_discharge"
    BATTERY_HOLD = "battery_hold"
    EV_AWAY = "ev_away"
    EV_CHARGE_PV_SURPLUS = "ev_charge_pv_surplus"
    EV_CHARGE_CHEAP_BAND = "ev_charge_cheap_band"
    EV_CHARGE_FOR_DEPARTURE = "ev_charge_for_departure"
    EV_IDLE_TARGET_MET = "ev_idle_target_met"
    EV_IDLE_CHEAPER_LATER = "ev_idle_cheaper_later"
    NOT_INSTALLED = "not_installed"


@dataclass(frozen=True, slots=True)
class EVTrip:
    """The car leaves at the start of slot ``depart_slot`` needing ``target_kwh`` and comes back at the start of
    ``return_slot`` having used ``trip_kwh`` (slots relative to the plan start; they may lie beyond the horizon)."""

    depart_slot: int
    return_slot: int
    target_kwh: float
    trip_kwh: float


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Forecasts per slot from ``start`` (slot-aligned, aware) over the horizon."""

    start: datetime
    pv_kw: tuple[float, ...]  # median PV forecast (firm for the first ``firm_slots``)
    load_kw: tuple[float, ...]  # base load without EcoCute/EV/battery
    ambient_c: tuple[float, ...]
    hot_water_kwh_th: tuple[float, ...]
    ev_trips: tuple[EVTrip, ...] = ()
    pv_error: ForecastError = field(default_factory=ForecastError)
    firm_slots: int = 1
    pv_limit_kw: tuple[float, ...] = ()  # clear-sky PV per slot, if known: no scenario exceeds it
    slot_minutes: int = 30
    # Expected PV surplus over the base load in the 24 h after the horizon (kWh), if a forecast reaches that far;
    # None: the horizon's last 24 h stand in for it (``surplus_share_after_horizon``).
    surplus_after_kwh: float | None = None

    def __post_init__(self) -> None:
        n = len(self.pv_kw)
        if n == 0 or any(len(series) != n for series in (self.load_kw, self.ambient_c, self.hot_water_kwh_th)):
            raise ValueError("every forecast series needs the same, non-zero number of slots")
        if self.pv_limit_kw and len(self.pv_limit_kw) != n:
            raise ValueError("pv_limit_kw needs one value per slot (or none)")
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")

    @property
    def slots(self) -> int:
        """Number of slots in the horizon."""
        return len(self.pv_kw)

    def slot_start(self, index: int) -> datetime:
        """Start time of slot `index`."""
        return self.start + timedelta(minutes=self.slot_minutes * index)


@dataclass(frozen=True, slots=True)
class PlanState:
    """Measured state now: battery AC-side stored energy, tank heat above the inlet, EV battery energy (kWh)."""

    battery_kwh: float = 0.0
    tank_kwh_th: float = 0.0
    ev_kwh: float = 0.0


@dataclass(frozen=True, slots=True)
class PlannerSettings:
    """Tuning of the planner."""

    # PV scenarios of the two-stage plan (equal-probability bins of the learned log-normal error); 1 = plan on the
    # single ``pv_quantile`` instead.
    pv_scenarios: int = 3
    pv_quantile: float = 0.4
    no_history_quantile: float = 0.15
    tank_floor_fraction: float = 0.03
    warning_tank_fraction: float = 0.9
    terminal_value_factor: float = 0.9
    # Value energy left at the horizon's end at the sell price for the share of the next day's refill that surplus
    # covers (``terminal_values``). Off by default: measured in July (tepco-sl, F0, 14 days) it made (d) export
    # surplus and buy the car's energy at night (κ 0.88 → 0.80 on/off, 0.93 → 0.78 modulating), because a commuting
    # car is away while the sun shines and the share does not yet know when each store can take the surplus.
    surplus_terminal_value: bool = False
    comfort_penalty: float = 1000.0
    floor_penalty: float = 100.0
    cycle_penalty: float = 0.05
    # Slots at the start of the plan where the heat pump and an on/off EV charger are planned as they really run
    # (off or full power, a small MILP): the slots about to be executed then need no rounding, and the battery plan
    # already accounts for the real, lumpy loads.
    on_off_slots: int = 8
    mip_gap: float = 1e-3  # 1 % measured 5 points of κ worse (May, F0): the first slot decides on small margins
    # Wall-clock limit of one plan's solve (s). A slower host (e.g. a Raspberry Pi) gets the best on/off schedule
    # found by then, or the continuous plan if none was found (the plan still exists).
    solver_time_limit_s: float = 0.8
    # Re-planning (``replan.replan_check``; issue 14): a rolling caller plans again only when the inputs moved.
    # At the latest every ``replan_max_age_slots`` slots. Measured (docs/planner_benchmark.md, jp6 emhass2 tepco-sl
    # Apr, F0): every 2 slots kept κ (0.947 vs 0.942 re-planning every slot) at 63 % of the CPU; every 4 slots cost
    # 0.015 of κ (0.927, with a state tolerance of 0.3 or 0.1 kWh alike) at 31 % of the CPU.
    replan_max_age_slots: int = 2
    # Stored energy (battery, tank, EV; kWh) off the plan's trajectory by more than this: the home did something
    # else than planned (a safety rule, self-consumption following a real surplus). 0.3 kWh is a quarter of the
    # heat pump's hour or a tenth of the on/off charger's, below what moves an on/off decision.
    replan_state_tolerance_kwh: float = 0.3
    # The forecast of the next ``on_off_slots`` slots moved by more than this (Σ |Δ(PV − load)|·Δt in kWh, and
    # likewise the hot-water draws in kWh_th): a nowcast or a new forecast issue.
    replan_forecast_tolerance_kwh: float = 0.3


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """One slot of the plan: mean powers (kW; battery + charge), end-of-slot states (kWh) and reasons."""

    start: datetime
    heat_kw: float
    battery_kw: float
    ev_kw: float
    grid_kw: float
    pv_kw: float
    load_kw: float
    buy_price: float
    sell_price: float
    tank_kwh_th: float
    battery_kwh: float
    ev_kwh: float
    heat_reason: Reason
    battery_reason: Reason
    ev_reason: Reason


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan with every guard condition's value and the reasons of every decision."""

    created: datetime
    active: bool
    guards: tuple[GuardCondition, ...]
    slots: tuple[SlotPlan, ...]
    expected_cost_yen: float
    comfort_slack_kwh: float
    pv_hedge_quantile: float | None
    solve_ms: float


def _reason_heat(
    heat: float, surplus: float, buy: float, min_buy: float, tank_room: float, exporting: bool, ordering: PriceOrdering
) -> Reason:
    if heat > _EPS:
        if surplus > _EPS:
            return Reason.HEAT_PV_SURPLUS
        return Reason.HEAT_CHEAP_BAND if buy <= min_buy + _EPS else Reason.HEAT_FOR_COMFORT
    if exporting and tank_room > _EPS and ordering is not PriceOrdering.CHEAPEST_ABOVE_SELL:
        return Reason.HEAT_OFF_SELLING_PAYS_MORE
    if tank_room > _EPS and buy > min_buy + _EPS and not exporting:
        return Reason.HEAT_OFF_CHEAPER_LATER
    return Reason.HEAT_OFF_TANK_SUFFICIENT


def _reason_battery(power: float, surplus: float, warning: bool) -> Reason:
    if power > _EPS:
        if warning:
            return Reason.BATTERY_CHARGE_RESERVE
        return Reason.BATTERY_CHARGE_PV_SURPLUS if surplus > _EPS else Reason.BATTERY_CHARGE_CHEAP_BAND
    if power < -_EPS:
        return Reason.BATTERY_DISCHARGE
    return Reason.BATTERY_HOLD


def _reason_ev(power: float, home: bool, surplus: float, buy: float, min_buy: float, needed: bool) -> Reason:
    if not home:
        return Reason.EV_AWAY
    if power > _EPS:
        if surplus > _EPS:
            return Reason.EV_CHARGE_PV_SURPLUS
        return Reason.EV_CHARGE_CHEAP_BAND if buy <= min_buy + _EPS else Reason.EV_CHARGE_FOR_DEPARTURE
    return Reason.EV_IDLE_CHEAPER_LATER if needed else Reason.EV_IDLE_TARGET_MET


def ev_arrays(trips: Sequence[EVTrip], slots: int) -> tuple[FloatArray, FloatArray, tuple[Departure, ...]]:
    """(home 0/1 per slot, trip energy debited per slot, departures inside the horizon) from the trips."""
    home = np.ones(slots)
    trip = np.zeros(slots)
    departures: list[Departure] = []
    for item in trips:
        home[max(item.depart_slot, 0) : max(min(item.return_slot, slots), 0)] = 0.0
        if 0 <= item.return_slot < slots:
            trip[item.return_slot] += item.trip_kwh
        if 0 < item.depart_slot <= slots:
            departures.append(Departure(item.depart_slot, item.target_kwh))
    return home, trip, tuple(departures)


def make_plan(
    inputs: PlanInputs,
    devices: HomeDevices,
    tariff: Tariff,
    state: PlanState,
    now: datetime,
    conditions: Conditions | None = None,
    settings: PlannerSettings | None = None,
    *,
    solver: SolverCache | None = None,
) -> Plan:
    """Plan the horizon of `inputs` from `state` at `now` (which must lie in the first slot). A rolling caller may
    pass the same `solver` to every plan: its HiGHS model is then changed in place rather than built anew."""
    conditions = conditions or Conditions()
    settings = settings or PlannerSettings()
    if not inputs.start <= now < inputs.slot_start(1):
        raise ValueError("now must lie inside the first slot of the inputs")
    guards = evaluate_guards(tariff, conditions, now.astimezone(JST).month)
    n = inputs.slots
    times = [inputs.slot_start(i) for i in range(n)]
    buy = np.array(tariff.buy_prices(times))
    sell = np.full(n, tariff.sell_price)
    load = np.array(inputs.load_kw)
    if has_effect(guards, GuardEffect.PLANNER_OFF):
        return _inactive_plan(inputs, guards, times, buy, sell, load, now)

    hedge_harder = has_effect(guards, GuardEffect.HEDGE_HARDER)
    pv, scenarios, quantile = _pv_cases(inputs, settings, hedge_harder, conditions.pv_forecast_available)
    heater, battery, ev = devices.water_heater, devices.battery, devices.ev
    warning = has_effect(guards, GuardEffect.RESERVE_FULL)
    cop = np.array([heater.cop(t) for t in inputs.ambient_c]) if heater is not None else np.ones(n)
    terminal = terminal_values(inputs, devices, float(buy.min()), tariff.sell_price, float(cop.mean()), settings)
    tank_floor = None
    if heater is not None:
        fraction = settings.warning_tank_fraction if warning else settings.tank_floor_fraction
        tank_floor = np.full(n, heater.capacity_kwh * fraction)
    home, trip, departures = ev_arrays(inputs.ev_trips, n)
    dt = inputs.slot_minutes / 60.0
    lp_inputs = LPInputs(
        dt_h=dt,
        buy=buy,
        sell=sell,
        pv=pv,
        load=load,
        cop=cop,
        draw_kwh_th=np.array(inputs.hot_water_kwh_th),
        ev_home=home,
        trip_kwh=trip,
        departures=departures,
        battery=battery,
        heater=heater,
        ev=ev,
        soc0=state.battery_kwh,
        tank0=state.tank_kwh_th,
        ev0=state.ev_kwh,
        tank_floor=tank_floor,
        battery_floor=np.full(n, battery.capacity_kwh) if warning and battery is not None else None,
        grid_charging=not has_effect(guards, GuardEffect.NO_GRID_CHARGING),
        terminal_value=terminal,
        comfort_penalty=settings.comfort_penalty,
        floor_penalty=settings.floor_penalty,
        cycle_penalty=settings.cycle_penalty,
        on_off_slots=settings.on_off_slots,
        mip_gap=settings.mip_gap,
        time_limit_s=settings.solver_time_limit_s,
    )
    result = solve_scenarios(
        lp_inputs, scenarios, [1.0 / len(scenarios)] * len(scenarios), shared_slots(inputs), solver
    )
    slots = _slots(inputs, devices, tariff, times, buy, sell, pv, load, home, departures, result, warning)
    slack = float(result.unmet_heat.sum() + result.ev_short.sum() + result.extra["trip_unmet_kwh"])
    return Plan(
        created=now,
        active=True,
        guards=guards,
        slots=slots,
        expected_cost_yen=result.energy_cost,
        comfort_slack_kwh=slack,
        pv_hedge_quantile=quantile,
        solve_ms=result.solve_ms,
    )


def surplus_share_after_horizon(inputs: PlanInputs, devices: HomeDevices, mean_cop: float) -> float:
    """The share (0-1) of what the stores take in a day that the day after the horizon is expected to cover from PV
    surplus: expected surplus / the stores' daily refill, capped at 1.

    The surplus is ``surplus_after_kwh`` if the caller knows it from a forecast, else the horizon's last 24 h as its
    persistence (the farthest day the plan sees is the best guess of the next one). The daily refill is what the
    stores give out in a day: the battery's usable capacity (a home with surplus cycles it daily), the horizon's
    last day of hot-water draws at the mean COP, and the car's trip energy per day of the horizon at the charger's
    efficiency (all in electrical kWh, like the surplus). The stores share the surplus in proportion: a coarse split,
    but the share only has to tell a July (surplus every day, share ≈ 1) from a January (share ≈ 0)."""
    per_day = round(24 * 60 / inputs.slot_minutes)
    dt = inputs.slot_minutes / 60.0
    tail = slice(max(inputs.slots - per_day, 0), inputs.slots)
    if inputs.surplus_after_kwh is not None:
        surplus = max(inputs.surplus_after_kwh, 0.0)
    else:
        pv, load = np.array(inputs.pv_kw[tail]), np.array(inputs.load_kw[tail])
        surplus = float(np.maximum(pv - load, 0.0).sum()) * dt
    battery, heater, ev = devices.battery, devices.water_heater, devices.ev
    refill = 0.0
    if battery is not None:
        refill += battery.capacity_kwh * (1.0 - battery.reserve_fraction)
    if heater is not None:
        refill += float(sum(inputs.hot_water_kwh_th[tail])) / max(mean_cop, _EPS)
    if ev is not None and inputs.ev_trips:
        days = max(inputs.slots / per_day, 1.0)
        refill += sum(trip.trip_kwh for trip in inputs.ev_trips) / days / ev.efficiency
    if refill <= _EPS:
        return 1.0
    return min(surplus / refill, 1.0)


def terminal_values(
    inputs: PlanInputs,
    devices: HomeDevices,
    min_buy: float,
    sell: float,
    mean_cop: float,
    settings: PlannerSettings,
) -> tuple[float, float, float]:
    """Yen per kWh left in the battery, the tank (kWh_th) and the car at the end of the horizon.

    A kWh left over replaces a kWh the store would otherwise take after the horizon: from PV surplus, which forgoes
    the sell price, or bought at the cheapest price. Whichever it replaces is what it is worth, so the value is the
    expected replacement price: the sell price for the share of tomorrow's refill that surplus covers
    (``surplus_share_after_horizon``), the cheapest buy price for the rest, never more than the cheapest buy price
    (where selling pays more than buying costs, e.g. newFIT-24, the buy price stays the bound). Before this the value
    was always the cheapest buy price: right in winter, but in a July with surplus every day it made the plan stock
    the car and the battery at ≈ 26 yen/kWh with energy whose replacement costs the 8.5-yen sell price (measured:
    60 kWh into the car vs the optimum's 49.5 over 14 days). The conversions are as before: delivered energy for the
    battery and the car (× efficiency), heat at the mean COP; ``terminal_value_factor`` discounts all three (the
    value arrives later and is uncertain)."""
    share = surplus_share_after_horizon(inputs, devices, mean_cop) if settings.surplus_terminal_value else 0.0
    price = min_buy - share * max(min_buy - sell, 0.0)
    factor = settings.terminal_value_factor
    battery, heater, ev = devices.battery, devices.water_heater, devices.ev
    return (
        price * battery.efficiency * factor if battery is not None else 0.0,
        price / mean_cop * factor if heater is not None else 0.0,
        price * ev.efficiency * factor if ev is not None else 0.0,
    )


def _pv_cases(
    inputs: PlanInputs, settings: PlannerSettings, hedge_harder: bool, forecast_available: bool
) -> tuple[FloatArray, list[FloatArray], float | None]:
    """(PV the plan reports, PV scenarios to plan on, hedge quantile or None). With a learned error and history the
    plan is two-stage over ``pv_scenarios`` scenarios (the median first); without history, or with one scenario, it
    plans on one pessimistic quantile. The firm (measured or nowcast) slots are never changed."""
    pv = np.array(inputs.pv_kw)
    firm = min(max(inputs.firm_slots, 0), len(pv))
    error = inputs.pv_error
    if error.sd <= 0.0:
        if not forecast_available:
            pv[firm:] = 0.0
        return pv, [pv], None
    if hedge_harder or settings.pv_scenarios <= 1:
        quantile = settings.no_history_quantile if hedge_harder else settings.pv_quantile
        pv[firm:] = pv_quantile(inputs.pv_kw[firm:], error, quantile)
        return pv, [pv], quantile
    cases = []
    for values in pv_scenarios(inputs.pv_kw[firm:], error, settings.pv_scenarios, inputs.pv_limit_kw[firm:]):
        case = pv.copy()
        case[firm:] = values
        cases.append(case)
    return cases[0], cases, 0.5


def shared_slots(inputs: PlanInputs) -> int:
    """Slots whose decisions cannot wait for the PV outcome: the firm slots, and at night every slot until the sun
    is up (the night heating and charging are decided before the day shows what it brings)."""
    pv = inputs.pv_kw
    shared = max(inputs.firm_slots, 1)
    if pv[0] > 0.0:
        return shared
    while shared < len(pv) and pv[shared] <= 0.0:
        shared += 1
    return shared


def _slots(
    inputs: PlanInputs,
    devices: HomeDevices,
    tariff: Tariff,
    times: list[datetime],
    buy: FloatArray,
    sell: FloatArray,
    pv: FloatArray,
    load: FloatArray,
    home: FloatArray,
    departures: tuple[Departure, ...],
    result: LPResult,
    warning: bool,
) -> tuple[SlotPlan, ...]:
    ordering = tariff.price_ordering(times[0].astimezone(JST).month)
    min_buy = float(buy.min())
    heater, ev = devices.water_heater, devices.ev
    capacity = heater.capacity_kwh if heater is not None else 0.0
    slots: list[SlotPlan] = []
    for i, when in enumerate(times):
        surplus = float(pv[i] - load[i])
        battery_kw = float(result.battery_charge[i] - result.battery_discharge[i])
        heat, ev_kw = float(result.heat[i]), float(result.ev[i])
        tank_before = float(result.tank[i - 1]) if i else float(result.tank[0])
        next_target = next((d.target_kwh for d in departures if d.slot > i), 0.0)
        ev_needed = float(result.ev_soc[i]) < next_target - _EPS
        slots.append(
            SlotPlan(
                start=when,
                heat_kw=heat,
                battery_kw=battery_kw,
                ev_kw=ev_kw,
                grid_kw=float(result.imp[i] - result.exp[i]),
                pv_kw=float(pv[i]),
                load_kw=float(load[i]),
                buy_price=float(buy[i]),
                sell_price=float(sell[i]),
                tank_kwh_th=float(result.tank[i]),
                battery_kwh=float(result.soc[i]),
                ev_kwh=float(result.ev_soc[i]),
                heat_reason=_reason_heat(
                    heat, surplus, float(buy[i]), min_buy, capacity - tank_before, result.exp[i] > _EPS, ordering
                )
                if heater is not None
                else Reason.NOT_INSTALLED,
                battery_reason=_reason_battery(battery_kw, surplus, warning)
                if devices.battery is not None
                else Reason.NOT_INSTALLED,
                ev_reason=_reason_ev(ev_kw, bool(home[i]), surplus, float(buy[i]), min_buy, ev_needed)
                if ev is not None
                else Reason.NOT_INSTALLED,
            )
        )
    return tuple(slots)


def _inactive_plan(
    inputs: PlanInputs,
    guards: tuple[GuardCondition, ...],
    times: list[datetime],
    buy: FloatArray,
    sell: FloatArray,
    load: FloatArray,
    now: datetime,
) -> Plan:
    """Solar charge off: no commands; the devices keep their own automatic modes."""
    slots = tuple(
        SlotPlan(
            start=when,
            heat_kw=0.0,
            battery_kw=0.0,
            ev_kw=0.0,
            grid_kw=float(load[i] - inputs.pv_kw[i]),
            pv_kw=float(inputs.pv_kw[i]),
            load_kw=float(load[i]),
            buy_price=float(buy[i]),
            sell_price=float(sell[i]),
            tank_kwh_th=0.0,
            battery_kwh=0.0,
            ev_kwh=0.0,
            heat_reason=Reason.PLANNER_OFF,
            battery_reason=Reason.PLANNER_OFF,
            ev_reason=Reason.PLANNER_OFF,
        )
        for i, when in enumerate(times)
    )
    return Plan(
        created=now,
        active=False,
        guards=guards,
        slots=slots,
        expected_cost_yen=0.0,
        comfort_slack_kwh=0.0,
        pv_hedge_quantile=None,
        solve_ms=0.0,
    )
