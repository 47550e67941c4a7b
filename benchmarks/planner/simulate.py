"""The simulation engine: one strategy over warm-up + period on the physics home, with settlement and comfort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import statistics

import numpy as np

from custom_components.echonet_hems.lib.energy import DayHistory
from virtual_home.physics import Home

from .home import build_home
from .scenario import DT_H, SLOT_S, SLOTS_PER_DAY, FloatArray, Scenario
from .strategies import Context, Strategy

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
    ev_short_departures: int
    ev_short_kwh: float
    diverted_kwh_per_day: tuple[float, ...]
    start: StoredEnergy
    end: StoredEnergy
    plan_ms: tuple[float, ...]

    @property
    def comfort_failures(self) -> int:
        """Days with a hot-water shortfall plus EV departures below target."""
        return self.hot_water_short_days + self.ev_short_departures

    @property
    def plan_ms_median(self) -> float | None:
        """Median wall time per plan (ms), None for strategies that do not plan."""
        return statistics.median(self.plan_ms) if self.plan_ms else None


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


def run_strategy(
    scenario: Scenario,
    forecast_pv: FloatArray,
    factory: Callable[[Context], Strategy],
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate one strategy; returns its totals over the reported period."""
    history = build_history(scenario)
    ctx = Context(scenario, forecast_pv, [])
    strategy = factory(ctx)
    home = build_home(scenario)
    ecocute = home.ecocute
    charger = home.ev_chargers[0] if home.ev_chargers else None
    target_wh = scenario.spec.ev_target_kwh * 1000.0
    cost = imp_total = exp_total = pv_total = 0.0
    short_days: set[int] = set()
    short_l = ev_short_kwh = 0.0
    ev_short = 0
    departures = charger.car.departures if charger is not None else 0
    diverted = np.zeros(scenario.spec.days)
    start = _stored(home)
    for k in range(scenario.report_end):
        if k % SLOTS_PER_DAY == 0:
            ctx.history = history[: k // SLOTS_PER_DAY]
        if k == scenario.report_start:
            start = _stored(home)
        strategy.control(k, home)
        shortfall_before = ecocute.shortfall_l if ecocute is not None else 0.0
        snapshot = home.step(SLOT_S, scenario.times[k], outdoor_c=float(scenario.temp_c[k]))
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
        imp_total += imp
        exp_total += exp
        pv_total += scenario.pv_kw[k] * DT_H
        surplus = max(scenario.pv_kw[k] - scenario.load_kw[k], 0.0)
        diverted[(k - scenario.report_start) // SLOTS_PER_DAY] += min(snapshot.ecocute_w / 1000.0, surplus) * DT_H
        if ecocute is not None and ecocute.shortfall_l - shortfall_before > HOT_WATER_TOLERANCE_L:
            short_days.add(k // SLOTS_PER_DAY)
            short_l += ecocute.shortfall_l - shortfall_before
        if charger is not None and charger.car.departures != departures:
            departures = charger.car.departures
            soc = charger.car.last_departure_soc_wh or 0.0
            if soc < target_wh - EV_TOLERANCE_KWH * 1000.0:
                ev_short += 1
                ev_short_kwh += (target_wh - soc) / 1000.0
    return RunResult(
        key=strategy.key,
        raw_cost_yen=cost,
        import_kwh=imp_total,
        export_kwh=exp_total,
        pv_kwh=pv_total,
        hot_water_short_days=len(short_days),
        hot_water_short_l=short_l,
        ev_short_departures=ev_short,
        ev_short_kwh=ev_short_kwh,
        diverted_kwh_per_day=tuple(float(x) for x in diverted),
        start=start,
        end=_stored(home),
        plan_ms=tuple(strategy.plan_ms),
    )


def _stored(home: Home) -> StoredEnergy:
    return StoredEnergy(
        battery=home.battery.soc_wh / 1000.0 if home.battery is not None else 0.0,
        tank=home.ecocute.heat_wh / 1000.0 if home.ecocute is not None else 0.0,
        ev=home.ev_chargers[0].car.soc_wh / 1000.0 if home.ev_chargers else 0.0,
    )
