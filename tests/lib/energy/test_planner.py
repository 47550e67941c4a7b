"""The planner: decisions and reasons in table-driven cases, guards applied, comfort never infeasible, and the
LP's device models against the virtual home's physics (one source of truth)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from custom_components.echonet_hems.lib.energy import (
    FLAT,
    NEWFIT_24,
    TEPCO_SMART_LIFE_S,
    BatteryParams,
    Conditions,
    EVParams,
    EVTrip,
    ForecastError,
    HomeDevices,
    LPInputs,
    PlanInputs,
    PlannerSettings,
    PlanningError,
    PlanState,
    Reason,
    WaterHeaterParams,
    make_plan,
    solve,
    solve_scenarios,
)
from custom_components.echonet_hems.lib.energy.tariff import JST
from virtual_home.physics import Battery, BatteryMode, EcoCute, HeaterMode

START = datetime(2025, 5, 12, 21, 0, tzinfo=JST)  # a Monday evening
N = 96
HOURS = [((21 + i * 0.5) % 24) for i in range(N)]
SUNNY = tuple(max(0.0, 4.5 * np.sin((h - 6) / 12 * np.pi)) for h in HOURS)
CLOUDY = tuple(0.1 * p for p in SUNNY)
DRAWS = tuple(1.5 if h in (19.0, 19.5, 20.0, 21.0) else 0.1 for h in HOURS)


def inputs(pv: tuple[float, ...] = SUNNY, **changes: object) -> PlanInputs:
    base = PlanInputs(
        start=START,
        pv_kw=pv,
        load_kw=(0.4,) * N,
        ambient_c=tuple(12.0 if 9 <= h <= 16 else 8.0 for h in HOURS),
        hot_water_kwh_th=DRAWS,
        ev_trips=(EVTrip(22, 42, 24.0, 5.0), EVTrip(70, 90, 24.0, 5.0)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


STATE = PlanState(battery_kwh=1.0, tank_kwh_th=8.0, ev_kwh=20.0)


def night_heat_kwh(plan_slots: object) -> float:
    return sum(s.heat_kw * 0.5 for s in plan_slots if s.start.hour < 7 or s.start.hour >= 23)  # type: ignore[attr-defined]


def test_sunny_tomorrow_heats_from_surplus_not_at_night() -> None:
    plan = make_plan(inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START)
    day = [s for s in plan.slots[:48] if 9 <= s.start.hour < 17]
    # Tomorrow's evening draws (~6 kWh_th) minus what the tank still holds above its floor, bought from surplus.
    assert sum(s.heat_kw for s in day) * 0.5 > 1.2
    assert {s.heat_reason for s in day if s.heat_kw > 0.01} == {Reason.HEAT_PV_SURPLUS}
    assert night_heat_kwh(plan.slots[:20]) < 1.0
    assert plan.active
    assert plan.comfort_slack_kwh == pytest.approx(0.0, abs=1e-6)
    assert plan.solve_ms > 0


def test_cloudy_tomorrow_heats_in_the_cheap_band() -> None:
    plan = make_plan(inputs(CLOUDY), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START)
    cheap = [s for s in plan.slots[:20] if s.heat_kw > 0.01]
    assert cheap
    assert {s.heat_reason for s in cheap} == {Reason.HEAT_CHEAP_BAND}
    assert plan.comfort_slack_kwh == pytest.approx(0.0, abs=1e-6)


def test_newfit_trap_sells_instead_of_diverting() -> None:
    """Summer COPs day and night alike: selling at 24 yen beats heating that replaces 19.2-yen night kWh."""
    summer = inputs(ambient_c=(26.0,) * N)
    plan = make_plan(summer, HomeDevices(ev=None, battery=None), NEWFIT_24, STATE, START)
    surplus_heat = sum(s.heat_kw for s in plan.slots[:48] if s.pv_kw > s.load_kw) * 0.5
    assert surplus_heat < 0.05
    assert Reason.HEAT_OFF_SELLING_PAYS_MORE in {s.heat_reason for s in plan.slots}


def test_ev_reaches_its_target_and_is_away_in_between() -> None:
    plan = make_plan(inputs(CLOUDY), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START)
    assert plan.slots[21].ev_kwh >= 24.0 - 1e-6
    assert plan.slots[30].ev_reason is Reason.EV_AWAY
    assert plan.slots[30].ev_kw == 0.0
    charging = {s.ev_reason for s in plan.slots[:22] if s.ev_kw > 0.01}
    assert charging <= {Reason.EV_CHARGE_CHEAP_BAND, Reason.EV_CHARGE_FOR_DEPARTURE}


def test_impossible_comfort_uses_slack_not_infeasible() -> None:
    """An empty tank and an empty car just before huge draws and a departure: a plan with slack, never an error."""
    hard = inputs(CLOUDY, hot_water_kwh_th=(5.0,) * N, ev_trips=(EVTrip(1, 10, 40.0, 5.0),))
    plan = make_plan(hard, HomeDevices(), TEPCO_SMART_LIFE_S, PlanState(0.7, 0.0, 0.0), START)
    assert plan.comfort_slack_kwh > 10.0
    assert plan.slots[0].heat_kw == pytest.approx(1.2)


def test_guards_change_the_plan() -> None:
    off = make_plan(inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, Conditions(full_purchase_contract=True))
    assert not off.active
    assert {s.heat_reason for s in off.slots} == {Reason.PLANNER_OFF}
    warned = make_plan(
        inputs(CLOUDY), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, Conditions(weather_warning=True)
    )
    assert warned.slots[10].battery_kwh == pytest.approx(6.5, abs=0.01)
    assert Reason.BATTERY_CHARGE_RESERVE in {s.battery_reason for s in warned.slots}
    flat = make_plan(inputs(CLOUDY), HomeDevices(), FLAT, STATE, START)
    assert all(s.battery_kw <= max(s.pv_kw - s.load_kw, 0.0) + 1e-6 for s in flat.slots)


def test_single_scenario_hedging_uses_a_pessimistic_quantile() -> None:
    uncertain = inputs(pv_error=ForecastError(sd=0.6, days=20))
    single = PlannerSettings(pv_scenarios=1)
    proven = Conditions(sunny_history_days=9)
    hedged = make_plan(uncertain, HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, proven, single)
    unproven = make_plan(uncertain, HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, Conditions(sunny_history_days=1))
    assert hedged.pv_hedge_quantile == single.pv_quantile
    assert unproven.pv_hedge_quantile == PlannerSettings().no_history_quantile
    assert sum(s.pv_kw for s in unproven.slots) < sum(s.pv_kw for s in hedged.slots) < sum(SUNNY)
    assert hedged.slots[0].pv_kw == SUNNY[0]  # the firm slot is not hedged
    no_forecast = make_plan(
        inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, Conditions(pv_forecast_available=False)
    )
    assert sum(s.pv_kw for s in no_forecast.slots[1:]) == 0.0


def test_two_stage_night_heating_lies_between_the_optimistic_and_pessimistic_plans() -> None:
    """At 21:00 the night heating is decided before tomorrow's sun is known: the two-stage plan (one night decision
    for every PV scenario) heats no less than a plan that trusts the bright case and no more than one that expects
    the dark case; the reported plan shows the median forecast."""
    uncertain = inputs(CLOUDY, pv_error=ForecastError(sd=0.6, days=20))
    low_tank = PlanState(battery_kwh=1.0, tank_kwh_th=2.0, ev_kwh=20.0)
    proven = Conditions(sunny_history_days=9)

    def night_heat(settings: PlannerSettings) -> float:
        plan = make_plan(uncertain, HomeDevices(), TEPCO_SMART_LIFE_S, low_tank, START, proven, settings)
        return night_heat_kwh(plan.slots[:20])

    two_stage = make_plan(uncertain, HomeDevices(), TEPCO_SMART_LIFE_S, low_tank, START, proven)
    assert two_stage.pv_hedge_quantile == 0.5
    assert [s.pv_kw for s in two_stage.slots] == pytest.approx(CLOUDY)
    bright = night_heat(PlannerSettings(pv_scenarios=1, pv_quantile=0.9))
    dark = night_heat(PlannerSettings(pv_scenarios=1, pv_quantile=0.1))
    assert bright + 0.5 < night_heat_kwh(two_stage.slots[:20]) < dark - 0.5


def test_inputs_are_validated() -> None:
    with pytest.raises(ValueError, match="same"):
        inputs(load_kw=(0.4,))
    with pytest.raises(ValueError, match="pv_limit_kw"):
        inputs(pv_limit_kw=(5.0,))
    with pytest.raises(ValueError, match="aware"):
        inputs(start=START.replace(tzinfo=None))
    with pytest.raises(ValueError, match="first slot"):
        make_plan(inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START + timedelta(hours=1))


def test_device_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="battery"):
        BatteryParams(capacity_kwh=0.0)
    with pytest.raises(ValueError, match="efficiency"):
        BatteryParams(efficiency=1.5)
    with pytest.raises(ValueError, match="tank"):
        WaterHeaterParams(storage_temp_c=10.0)
    with pytest.raises(ValueError, match="COP"):
        WaterHeaterParams(cop_curve=((5.0, 3.0),))
    with pytest.raises(ValueError, match="EV"):
        EVParams(efficiency=0.0)
    with pytest.raises(ValueError, match="min_power"):
        EVParams(min_power_kw=5.0)


def test_cop_and_tank_match_the_physics() -> None:
    params = WaterHeaterParams()
    tank = EcoCute()
    assert params.capacity_kwh * 1000.0 == pytest.approx(tank.capacity_wh)
    for ambient in (-10.0, 0.0, 3.5, 7.0, 16.0, 20.0, 25.0, 40.0):
        assert params.cop(ambient) == pytest.approx(tank.cop(ambient))
    for day_of_year in (1, 40, 200, 365):
        assert params.inlet_temp_on(day_of_year) == pytest.approx(tank.inlet_temp_on(day_of_year))


def forced_lp(heater_on: np.ndarray, ambient: float, draws: np.ndarray, tank0: float) -> np.ndarray:
    """The LP with a negative buy price heats at full power whenever allowed: its tank trajectory for a schedule."""
    n = len(heater_on)
    result = solve(
        LPInputs(
            dt_h=0.5,
            buy=np.full(n, -100.0),
            sell=np.zeros(n),
            pv=np.zeros(n),
            load=np.zeros(n),
            cop=np.full(n, WaterHeaterParams().cop(ambient)),
            draw_kwh_th=draws,
            ev_home=np.zeros(n),
            trip_kwh=np.zeros(n),
            heater=WaterHeaterParams(),
            tank0=tank0,
            heater_enabled=heater_on,
        )
    )
    return result.tank


def test_lp_tank_prediction_matches_the_physics_within_tolerance() -> None:
    """Replay one on/off schedule in the physics EcoCute (no draws at this hour-aligned test) and in the LP."""
    n = 12
    schedule = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0], dtype=float)
    tank = EcoCute(heat_wh=5000.0, draw_scale=0.0)
    start = datetime(2025, 5, 13, 9, 0, tzinfo=JST)
    physics = []
    for i in range(n):
        tank.mode = HeaterMode.MANUAL_HEATING if schedule[i] else HeaterMode.MANUAL_STOP
        tank.step(1800.0, start + timedelta(minutes=30 * i), ambient_c=15.0)
        physics.append(tank.heat_wh / 1000.0)
    predicted = forced_lp(schedule, 15.0, np.zeros(n), 5.0)
    assert np.allclose(predicted, physics, atol=0.05)
    electricity = sum(schedule) * 1.2 * 0.5
    assert tank.consumed_wh / 1000.0 == pytest.approx(electricity, rel=0.01)


def test_lp_battery_prediction_matches_the_physics() -> None:
    params = BatteryParams()
    n = 8
    result = solve(
        LPInputs(
            dt_h=0.5,
            buy=np.array([-50.0] * 4 + [50.0] * 4),
            sell=np.zeros(n),
            pv=np.zeros(n),
            load=np.full(n, 3.0),
            cop=np.ones(n),
            draw_kwh_th=np.zeros(n),
            ev_home=np.zeros(n),
            trip_kwh=np.zeros(n),
            battery=params,
            soc0=1.0,
            cycle_penalty=0.0,
        )
    )
    battery = Battery(capacity_wh=6500, max_charge_w=2000, max_discharge_w=2000, efficiency=0.95, soc_wh=1000)
    physics = []
    for i in range(n):
        charge = result.battery_charge[i] - result.battery_discharge[i]
        battery.mode = BatteryMode.CHARGE if charge > 0 else BatteryMode.DISCHARGE
        battery.charge_power_setting_w = charge * 1000.0
        battery.discharge_power_setting_w = -charge * 1000.0
        battery.step(1800.0, surplus_w=-3000.0)
        physics.append(battery.soc_wh / 1000.0)
    assert np.allclose(result.soc, physics, atol=0.01)
    assert result.soc[3] > 4.5
    assert result.soc[-1] == pytest.approx(params.reserve_kwh, abs=0.01)


def surplus_lp(on_off_slots: int) -> LPInputs:
    """Four slots of 0.7 kW PV surplus, a tank with room and a heat pump worth running on surplus only."""
    n = 4
    return LPInputs(
        dt_h=0.5,
        buy=np.full(n, 40.0),
        sell=np.full(n, 8.5),
        pv=np.full(n, 1.1),
        load=np.full(n, 0.4),
        cop=np.full(n, 4.0),
        draw_kwh_th=np.zeros(n),
        ev_home=np.zeros(n),
        trip_kwh=np.zeros(n),
        heater=WaterHeaterParams(),
        tank0=5.0,
        terminal_value=(0.0, 40.0 / 4.0, 0.0),  # heat is worth buying it later at 40 yen and COP 4
        on_off_slots=on_off_slots,
    )


def test_on_off_slots_plan_the_heat_pump_off_or_at_full_power() -> None:
    relaxed = solve(surplus_lp(0))
    assert np.allclose(relaxed.heat, 0.7, atol=1e-6)  # the LP soaks the surplus exactly, which no heat pump can
    exact = solve(surplus_lp(2))
    assert all(h == pytest.approx(0.0, abs=1e-6) or h == pytest.approx(1.2, abs=1e-6) for h in exact.heat[:2])
    assert np.allclose(exact.heat[2:], 0.7, atol=1e-6)  # beyond the on/off slots the plan stays continuous
    assert exact.objective >= relaxed.objective - 1e-6
    assert exact.extra["objective_bound"] <= exact.objective + 1e-6


def test_planner_first_slots_are_executable_on_off() -> None:
    """With time enough (a generous ``solver_time_limit_s``, so a loaded host cannot change the outcome) the first
    slots are on/off; with no time at all the plan still exists (the continuous fallback)."""
    settings = PlannerSettings(on_off_slots=8, solver_time_limit_s=60.0)
    plan = make_plan(inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, settings=settings)
    for slot in plan.slots[:8]:
        assert slot.heat_kw == pytest.approx(0.0, abs=1e-6) or slot.heat_kw == pytest.approx(1.2, abs=1e-6)
        assert slot.ev_kw == pytest.approx(0.0, abs=1e-6) or slot.ev_kw == pytest.approx(3.0, abs=1e-6)
    rushed = make_plan(
        inputs(), HomeDevices(), TEPCO_SMART_LIFE_S, STATE, START, settings=replace(settings, solver_time_limit_s=0.0)
    )
    assert rushed.active
    assert rushed.comfort_slack_kwh == pytest.approx(plan.comfort_slack_kwh, abs=1e-6)


def _sunny_or_dark_lp(pv: float) -> LPInputs:
    n = 12
    return LPInputs(
        dt_h=0.5,
        buy=np.array([30.0] * 4 + [40.0] * 8),
        sell=np.full(n, 8.5),
        pv=np.array([0.0] * 4 + [pv] * 8),
        load=np.full(n, 0.4),
        cop=np.full(n, 4.0),
        draw_kwh_th=np.array([0.0] * 11 + [6.0]),
        ev_home=np.zeros(n),
        trip_kwh=np.zeros(n),
        heater=WaterHeaterParams(),
        tank0=0.0,
    )


def test_two_stage_lp_shares_only_the_undecided_slots() -> None:
    """Scenarios without shared slots are independent problems (expected objective = mean of their optima); sharing
    the four cheap night slots couples them and costs something when the sun decides the best night heating; one
    scenario is the plain LP. Mismatched weights are refused."""
    sunny, dark = _sunny_or_dark_lp(2.0), _sunny_or_dark_lp(0.0)
    alone = [solve(sunny).objective, solve(dark).objective]
    scenarios = (sunny.pv, dark.pv)
    free = solve_scenarios(sunny, scenarios, (0.2, 0.8), 0)
    coupled = solve_scenarios(sunny, scenarios, (0.2, 0.8), 4)
    assert free.objective == pytest.approx(0.2 * alone[0] + 0.8 * alone[1])
    assert coupled.objective > free.objective + 1.0
    assert solve_scenarios(dark, (dark.pv,), (1.0,), 4).objective == pytest.approx(alone[1])
    assert float(free.heat[:4].sum()) < float(coupled.heat[:4].sum())  # the shared night hedges the dark case
    with pytest.raises(ValueError, match="weight"):
        solve_scenarios(sunny, scenarios, (1.0,), 4)


def test_a_milp_without_incumbent_at_its_time_limit_falls_back_to_the_continuous_plan() -> None:
    """On a busy host HiGHS may stop before it found any on/off schedule: the plan is then the continuous LP (the
    caller rounds the first slot) rather than an error that would leave the home without a plan."""
    rushed = replace(_sunny_or_dark_lp(0.0), on_off_slots=8, time_limit_s=0.0)
    result = solve(rushed)
    relaxed = solve(replace(rushed, on_off_slots=0))
    assert result.objective == pytest.approx(relaxed.objective)
    assert result.unmet_heat.sum() == pytest.approx(0.0)


def _heat_in_surplus_lp(sell: float, on_off_slots: int = 4) -> LPInputs:
    """Four slots of 0.7 kW PV surplus, a tank that must be heated now (a draw right after) and a charged battery."""
    n = 4
    return LPInputs(
        dt_h=0.5,
        buy=np.full(n, 40.0),
        sell=np.full(n, sell),
        pv=np.full(n, 1.1),
        load=np.full(n, 0.4),
        cop=np.full(n, 4.0),
        draw_kwh_th=np.array([0.0, 0.0, 0.0, 9.6]),
        ev_home=np.zeros(n),
        trip_kwh=np.zeros(n),
        battery=BatteryParams(),
        heater=WaterHeaterParams(),
        soc0=5.0,
        tank0=0.0,
        on_off_slots=on_off_slots,
        cycle_penalty=0.0,
    )


def test_battery_covers_an_on_off_heat_pump_beyond_the_surplus() -> None:
    """PV exceeds the base load by 0.7 kW and the 1.2 kW heat pump must run: the physical battery in
    self-consumption mode covers the missing 0.5 kW, so the LP must not buy it (the first LP forbade any discharge
    while PV covered the base load)."""
    result = solve(_heat_in_surplus_lp(8.5))
    assert np.allclose(result.heat, 1.2, atol=1e-6)
    assert np.allclose(result.battery_discharge, 0.5, atol=1e-6)
    assert np.allclose(result.imp, 0.0, atol=1e-6)
    assert np.allclose(result.exp, 0.0, atol=1e-6)
    battery = Battery(capacity_wh=6500, max_charge_w=2000, max_discharge_w=2000, efficiency=0.95, soc_wh=5000)
    battery.mode = BatteryMode.AUTO
    battery.step(1800.0, surplus_w=(1.1 - 0.4 - 1.2) * 1000.0)
    assert battery.power_w == pytest.approx(-result.battery_discharge[0] * 1000.0)


def test_battery_never_exports_when_selling_stored_energy_would_pay() -> None:
    """Sell 24 yen × η² beats a 19-yen refill: the relaxed rule would let the battery run the heat pump while the
    whole surplus is sold. In the on/off slots the plan may discharge only what the home draws beyond its PV."""
    result = solve(replace(_heat_in_surplus_lp(24.0), buy=np.full(4, 19.0)))
    assert np.allclose(result.heat, 1.2, atol=1e-6)
    surplus = 0.7
    assert np.all(result.battery_discharge <= result.heat - surplus + 1e-6)
    assert np.allclose(result.exp * result.battery_discharge, 0.0, atol=1e-9)
    relaxed = solve(replace(_heat_in_surplus_lp(24.0), buy=np.full(4, 19.0), on_off_slots=0))
    assert relaxed.objective <= result.objective + 1e-6  # the exact rule can only cost


def test_an_oracle_milp_without_incumbent_is_an_error_not_a_relaxed_answer() -> None:
    rushed = replace(_sunny_or_dark_lp(0.0), on_off_slots=8, time_limit_s=0.0, relax_without_incumbent=False)
    with pytest.raises(PlanningError, match="without any on/off schedule"):
        solve(rushed)
