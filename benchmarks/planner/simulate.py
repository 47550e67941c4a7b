"""The simulation engine: one strategy over warm-up + period on the physics home, with settlement and comfort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import statistics

import numpy as np

from custom_components.echonet_hems.lib.energy import DayHistory
from virtual_home.physics import Home

from .forecasts import ForecastService
from .home import build_home
from .scenario import DT_H, SLOT_S, SLOTS_PER_DAY, Scenario
from .strategies import Context, Strategy
from .truth import ScenarioView, TruthClock

EV_TOLERANCE_KWH = 0.05
HOT_WATER_TOLERANCE_L = 0.5


@dataclass(frozen=True)
class StoredEnergy:
    """Battery (kWh), tank heat (kWh_th) and EV battery (kWh) at a moment."""

    battery: float
    tank: float
    ev: float


@dataclass(frozen=True)
class RunResult:
    """Totals of one strategy over the reported period."""

    key: str
    raw_cost_yen: float
    import_kwh: float
    export_kwh: float
    pv_kwh: float
    hot_water_short_days: int
    hot_water_short_l: float
    hot_water_short_kwh_th: float
    emergency_heating_yen: float  # the shortfall heated at that slot's buy price and COP, included in raw_cost_yen
    ev_short_departures: int
    ev_short_kwh: float
    diverted_kwh_per_day: tuple[float, ...]
    start: StoredEnergy
    end: StoredEnergy
    plan_ms: tuple[float, ...]
    leaks: tuple[tuple[str, int, int], ...] = ()  # reads of the truth at or after "now": (series, now, last slot)
    replans: tuple[tuple[str, int], ...] = ()  # (d): why its plans were made (reason, count), issue 14

    @property
    def comfort_failures(self) -> int:
        """Days with a hot-water shortfall plus EV departures below target."""
        return self.hot_water_short_days + self.ev_short_departures

    @property
    def plan_ms_median(self) -> float | None:
        """Median wall time per plan (ms), None for strategies that do not plan."""
        return statistics.median(self.plan_ms) if self.plan_ms else None

    @property
    def plan_ms_p99(self) -> float | None:
        """99th percentile of the wall time per plan (ms), None for strategies that do not plan."""
        if not self.plan_ms:
            return None
        return float(np.percentile(self.plan_ms, 99))


def build_history(scenario: Scenario) -> list[DayHistory]:
    """The measured history of every simulated day (exogenous, the same for every strategy)."""
    days = len(scenario.pv_kw) // SLOTS_PER_DAY
    history = []
    for d in range(days):
        window = slice(d * SLOTS_PER_DAY, (d + 1) * SLOTS_PER_DAY)
        history.append(
            DayHistory(
                day=scenario.times[d * SLOTS_PER_DAY].date(),
                kind=scenario.day_kind[d],
                load_kw=tuple(float(x) for x in scenario.load_kw[window]),
                pv_kwh=float(scenario.pv_kw[window].sum() * DT_H),
                clear_sky_pv_kwh=float(scenario.clear_pv_kw[window].sum() * DT_H),
                hot_water_kwh_th=tuple(float(x) for x in scenario.draw_kwh_th[window]),
            )
        )
    return history


def emergency_heating(scenario: Scenario, k: int, litres: float) -> tuple[float, float]:
    """(kWh_th, yen per kWh_th) of the hot water missing in slot `k` (40 °C litres): BENCHMARK.md §5.1 has the
    unmet heat supplied by a forced heat-pump run at that slot's buy price and COP."""
    heater = scenario.devices.water_heater
    if heater is None or litres <= 0.0:
        return 0.0, 0.0
    heat = heater.draw_kwh_th(litres, scenario.times[k].timetuple().tm_yday)
    return heat, float(scenario.buy[k]) / heater.cop(float(scenario.temp_c[k]))


@dataclass
class _Comfort:
    """Comfort accounting of a run: hot-water shortfall (charged as emergency heating) and EV departures."""

    short_days: set[int] = field(default_factory=set)
    short_l: float = 0.0
    short_th: float = 0.0
    emergency_yen: float = 0.0
    ev_short: int = 0
    ev_short_kwh: float = 0.0

    def hot_water(self, scenario: Scenario, k: int, litres: float) -> float:
        """Record slot `k`'s shortfall; return the emergency heating's cost (yen)."""
        if litres > HOT_WATER_TOLERANCE_L:
            self.short_days.add(k // SLOTS_PER_DAY)
            self.short_l += litres
        heat, price = emergency_heating(scenario, k, litres)
        self.short_th += heat
        self.emergency_yen += heat * price
        return heat * price

    def departure(self, soc_wh: float, target_wh: float) -> None:
        """Record a departure with `soc_wh` in the car."""
        if soc_wh < target_wh - EV_TOLERANCE_KWH * 1000.0:
            self.ev_short += 1
            self.ev_short_kwh += (target_wh - soc_wh) / 1000.0


def run_strategy(
    scenario: Scenario,
    forecasts: ForecastService,
    factory: Callable[[Context], Strategy],
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate one strategy; returns its totals over the reported period. The strategy sees the scenario through a
    ``ScenarioView`` whose clock is the slot being decided (while it observes a slot's result, the next one)."""
    history = build_history(scenario)
    clock = TruthClock()
    ctx = Context(ScenarioView(scenario, clock), forecasts, [])
    strategy = factory(ctx)
    home = build_home(scenario)
    ecocute = home.ecocute
    charger = home.ev_chargers[0] if home.ev_chargers else None
    target_wh = scenario.spec.ev_target_kwh * 1000.0
    cost = imp_total = exp_total = pv_total = 0.0
    comfort = _Comfort()
    departures = charger.car.departures if charger is not None else 0
    diverted = np.zeros(scenario.spec.days)
    start = _stored(home)
    for k in range(scenario.report_end):
        if k % SLOTS_PER_DAY == 0:
            ctx.history = history[: k // SLOTS_PER_DAY]
        if k == scenario.report_start:
            start = _stored(home)
        clock.now = k
        strategy.control(k, home)
        shortfall_before = ecocute.shortfall_l if ecocute is not None else 0.0
        snapshot = home.step(SLOT_S, scenario.times[k], outdoor_c=float(scenario.temp_c[k]))
        clock.now = k + 1
        strategy.observe(k, snapshot, home)
        if progress is not None:
            progress(k)
        if k < scenario.report_start:
            if charger is not None:
                departures = charger.car.departures
            continue
        grid_kw = snapshot.grid_w / 1000.0
        imp, exp = max(grid_kw, 0.0) * DT_H, max(-grid_kw, 0.0) * DT_H
        cost += scenario.buy[k] * imp - scenario.sell[k] * exp
        if ecocute is not None:
            cost += comfort.hot_water(scenario, k, ecocute.shortfall_l - shortfall_before)
        imp_total += imp
        exp_total += exp
        pv_total += scenario.pv_kw[k] * DT_H
        surplus = max(scenario.pv_kw[k] - scenario.load_kw[k], 0.0)
        diverted[(k - scenario.report_start) // SLOTS_PER_DAY] += min(snapshot.ecocute_w / 1000.0, surplus) * DT_H
        if charger is not None and charger.car.departures != departures:
            departures = charger.car.departures
            comfort.departure(charger.car.last_departure_soc_wh or 0.0, target_wh)
    return RunResult(
        key=strategy.key,
        raw_cost_yen=cost,
        import_kwh=imp_total,
        export_kwh=exp_total,
        pv_kwh=pv_total,
        hot_water_short_days=len(comfort.short_days),
        hot_water_short_l=comfort.short_l,
        hot_water_short_kwh_th=comfort.short_th,
        emergency_heating_yen=comfort.emergency_yen,
        ev_short_departures=comfort.ev_short,
        ev_short_kwh=comfort.ev_short_kwh,
        diverted_kwh_per_day=tuple(float(x) for x in diverted),
        start=start,
        end=_stored(home),
        plan_ms=tuple(strategy.plan_ms),
        leaks=tuple(clock.leaks),
        replans=tuple(sorted(strategy.replans.items())),
    )


def _stored(home: Home) -> StoredEnergy:
    return StoredEnergy(
        battery=home.battery.soc_wh / 1000.0 if home.battery is not None else 0.0,
        tank=home.ecocute.heat_wh / 1000.0 if home.ecocute is not None else 0.0,
        ev=home.ev_chargers[0].car.soc_wh / 1000.0 if home.ev_chargers else 0.0,
    )
