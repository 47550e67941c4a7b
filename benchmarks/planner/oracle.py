"""(e) the perfect-foresight oracle: one LP over the whole reported period (continuous heat-pump and EV power).

It starts from the state (a) has at the start of the period and is charged for ending with less stored energy, at
the same refill prices used to settle every strategy's end state (``metrics.stored_value``), so its cost is a lower
bound for any strategy on the same footing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custom_components.echonet_hems.lib.energy import EVTrip, LPInputs, solve
from custom_components.echonet_hems.lib.energy.planner import ev_arrays

from .scenario import DT_H, SLOTS_PER_DAY, FloatArray, Scenario
from .simulate import StoredEnergy


@dataclass(frozen=True)
class OracleResult:
    """The oracle's LP solution over the reported period."""

    energy_cost_yen: float
    import_kwh: float
    export_kwh: float
    diverted_kwh_per_day: tuple[float, ...]
    start: StoredEnergy
    end: StoredEnergy
    unmet_kwh: float
    solve_ms: float
    objective: float = 0.0
    objective_bound: float = 0.0  # lower bound on the optimal objective (= objective for the LP)


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


def run_oracle(
    scenario: Scenario, start: StoredEnergy, on_off: bool = False, time_limit_s: float = 120.0
) -> OracleResult:
    """Solve the period's LP with perfect foresight; with `on_off` the heat pump and the on/off EV charger run off or
    at full power in every slot (a MILP: the physically executable optimum, solved to a gap within a time limit)."""
    window = slice(scenario.report_start, scenario.report_end)
    n = scenario.report_end - scenario.report_start
    devices = scenario.devices
    heater = devices.water_heater
    temps: FloatArray = scenario.temp_c[window]
    cop = np.array([heater.cop(float(t)) for t in temps]) if heater is not None else np.ones(n)
    home, trip, departures = ev_arrays(oracle_trips(scenario), n)
    prices = refill_prices(scenario)
    credit = credit_prices(scenario)
    result = solve(
        LPInputs(
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
            soc0=start.battery,
            tank0=start.tank,
            ev0=start.ev,
            terminal_value=credit,
            terminal_target=(start.battery, start.tank, start.ev),
            terminal_shortfall_price=(prices[0] - credit[0], prices[1] - credit[1], prices[2] - credit[2]),
            cycle_penalty=0.01,
            on_off_slots=n if on_off else 0,
            mip_gap=1e-3,
            time_limit_s=time_limit_s,
        )
    )
    surplus = np.maximum(scenario.pv_kw[window] - scenario.load_kw[window], 0.0)
    diverted = (np.minimum(result.heat, surplus) * DT_H).reshape(-1, SLOTS_PER_DAY).sum(axis=1)
    return OracleResult(
        energy_cost_yen=result.energy_cost,
        import_kwh=float(result.imp.sum() * DT_H),
        export_kwh=float(result.exp.sum() * DT_H),
        diverted_kwh_per_day=tuple(float(x) for x in diverted),
        start=start,
        end=StoredEnergy(float(result.soc[-1]), float(result.tank[-1]), float(result.ev_soc[-1])),
        unmet_kwh=float(result.unmet_heat.sum() + result.ev_short.sum() + result.extra["trip_unmet_kwh"]),
        solve_ms=result.solve_ms,
        objective=result.objective,
        objective_bound=result.extra["objective_bound"],
    )
