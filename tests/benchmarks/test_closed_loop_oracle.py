"""The closed loop's benchmark scenario (`benchmarks/closed_loop/oracle_scenario.py`) is the virtual home's own day:
its series add up to what the physics did, its devices are the physics' devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from benchmarks.closed_loop.oracle_scenario import (
    ExogenousTape,
    LoopTrips,
    home_devices,
    loop_scenario,
    slot_draw_kwh_th,
    stored_energy,
)
from benchmarks.planner.scenario import DT_H, SLOT_S, SLOTS_PER_DAY
from custom_components.echonet_hems.lib.energy.tariff import JST, Tariff
from custom_components.echonet_hems.lib.energy.tariff_presets import TARIFF_PRESETS
from virtual_home.clock import ManualClock
from virtual_home.ground_truth import GroundTruth
from virtual_home.runtime import HomeOptions, VirtualHome

START = datetime(2026, 5, 18, 0, 0, tzinfo=JST)  # a Monday
DAYS = 3  # one warm-up day, one measured day, the look-ahead needs two more: the tape covers them all
TRIPS = LoopTrips(target_kwh=30.0, trip_kwh=6.0, depart_hour=8, return_hour=18)


@dataclass(frozen=True)
class Stepped:
    """The home after the run, its tape, and what the physics counted over the tape's span (kWh)."""

    home: VirtualHome
    tape: ExogenousTape
    truth: GroundTruth
    ecocute_kwh: float
    v2h_kwh: float
    drawn_kwh_th: float


def _counters(home: VirtualHome) -> tuple[float, float, float]:
    tank = home.home.ecocute
    assert tank is not None
    v2h = next(charger for charger in home.home.ev_chargers if charger.bidirectional)
    return home.home.circuit_wh["ecocute"] / 1000.0, v2h.charged_wh / 1000.0, tank.delivered_wh / 1000.0


@pytest.fixture(scope="module")
def stepped() -> Stepped:
    """The closed loop's kind of home (routine, fuel cell, V2H + EVSE) stepped over four days."""
    home = VirtualHome(HomeOptions(start=START, seed=1, routine=True, history_days=0), clock=ManualClock(START))
    tape = ExogenousTape(START)
    tape.read(home)
    first, before = home.truth, _counters(home)
    moment = START
    while moment < START + timedelta(days=DAYS + 1):
        moment += timedelta(seconds=SLOT_S)
        home.advance(moment)
        tape.read(home)
    after = _counters(home)
    ecocute, v2h, drawn = (b - a for a, b in zip(before, after, strict=True))
    return Stepped(home, tape, home.truth.since(first), ecocute, v2h, drawn)


def test_series_add_up_to_what_the_physics_did(stepped: Stepped) -> None:
    tape, truth = stepped.tape, stepped.truth
    assert len(tape.pv_kwh) == (DAYS + 1) * SLOTS_PER_DAY
    assert sum(tape.pv_kwh) == pytest.approx(truth.pv_kwh)
    # House consumption = the uncontrolled load + what the fuel cell covered of it + the EcoCute + the V2H car.
    fuel_covered = truth.fuel_cell_kwh - tape.fuel_cell_dropped_kwh
    expected = truth.house_kwh - stepped.ecocute_kwh - stepped.v2h_kwh - fuel_covered
    assert sum(tape.load_kwh) == pytest.approx(expected, rel=1e-9)
    assert min(tape.load_kwh) >= 0.0
    assert truth.fuel_cell_kwh > 0.0  # the routine ran the fuel cell: the subtraction above was exercised


def test_draws_are_the_ecocutes_own(stepped: Stepped) -> None:
    home = stepped.home
    devices = home_devices(home)
    assert devices.water_heater is not None
    tank = home.home.ecocute
    assert tank is not None
    assert tank.shortfall_l == 0.0  # so everything drawn was delivered
    times = [START + timedelta(seconds=SLOT_S * k) for k in range((DAYS + 1) * SLOTS_PER_DAY)]
    draws = sum(slot_draw_kwh_th(devices.water_heater, t, tank.draw_scale) for t in times)
    assert draws == pytest.approx(stepped.drawn_kwh_th, rel=1e-6)


def test_scenario_is_the_loops_day(stepped: Stepped) -> None:
    home, tape = stepped.home, stepped.tape
    tariff = TARIFF_PRESETS["tepco-smart-life-s"].tariff
    assert isinstance(tariff, Tariff)
    t0 = START + timedelta(days=1)
    scenario = loop_scenario(tape, home, tariff, t0, 1, TRIPS, seed=1)
    assert (scenario.report_start, scenario.report_end) == (SLOTS_PER_DAY, 2 * SLOTS_PER_DAY)
    assert scenario.times[scenario.report_start] == t0
    assert scenario.buy[scenario.report_start + 20] == pytest.approx(tariff.buy_price(t0 + timedelta(hours=10)))
    assert scenario.pv_kw.sum() * DT_H == pytest.approx(sum(tape.pv_kwh))
    # A clear sky: the clear-sky PV is the PV (midpoint rule vs 60-s steps: within a percent).
    assert scenario.clear_pv_kw.sum() == pytest.approx(scenario.pv_kw.sum(), rel=0.01)
    devices = scenario.devices
    assert devices.battery is not None
    assert devices.ev is not None
    battery = home.home.battery
    assert battery is not None
    assert devices.battery.capacity_kwh == battery.capacity_wh / 1000.0
    assert devices.ev.max_power_kw == 6.0  # the V2H unit, not the 3 kW EVSE
    assert stored_energy(home).ev == pytest.approx(
        next(c for c in home.home.ev_chargers if c.bidirectional).car.soc_wh / 1000.0
    )
    with pytest.raises(ValueError, match="look-ahead"):
        loop_scenario(tape, home, tariff, t0, 3, TRIPS, seed=1)
