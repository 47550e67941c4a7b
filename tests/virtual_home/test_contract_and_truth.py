"""The two PV contracts (`--contract surplus|full`) and the home's ground truth (`VirtualHome.truth`).

Under full purchase (全量買取) the PV has its own sell meter: the house's smart meter must read exactly what the same
home without PV would read. In both contracts the ground truth must balance over a simulated day:
house = bought + pv + fuel cell + battery discharged + V2H discharged − battery charged − sold.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path

import pytest

from virtual_home.__main__ import options_from, parse_args
from virtual_home.clock import JST, ManualClock
from virtual_home.physics.battery import BatteryMode
from virtual_home.physics.ev import ChargerMode
from virtual_home.physics.home import Contract
from virtual_home.runtime import HomeOptions, PcsWiring, VirtualHome, build_home

START = datetime(2026, 5, 20, 0, 0, tzinfo=JST)  # a clear day in May
DAY = timedelta(days=1)


def simulate_day(contract: Contract, pcs: PcsWiring = PcsWiring.SEPARATE, arrays: int = 1) -> VirtualHome:
    """A busy scripted day (not started, no sockets): the routine runs the air conditioner and the fuel cell, the
    battery charges from the grid until 05:00 and then runs in self-consumption, and from 21:00 the V2H car supplies
    the house. Under full purchase the battery would otherwise never charge: it sees no PV surplus."""
    options = HomeOptions(
        start=START, history_days=0, contract=contract, pcs=pcs, pv_arrays=arrays, routine=True, seed=5
    )
    home = VirtualHome(options, clock=ManualClock(START))
    battery = home.home.battery
    assert battery is not None
    v2h = home.home.ev_chargers[0]
    assert v2h.bidirectional
    battery.mode = BatteryMode.CHARGE
    home.advance(START + timedelta(hours=5))
    battery.mode = BatteryMode.AUTO
    home.advance(START + timedelta(hours=21))
    v2h.mode = ChargerMode.DISCHARGE
    home.advance(START + DAY)
    return home


@pytest.mark.parametrize("contract", list(Contract))
@pytest.mark.parametrize(("pcs", "arrays"), [(PcsWiring.SEPARATE, 1), (PcsWiring.SEPARATE, 2), (PcsWiring.MULTI, 2)])
def test_truth_balances_over_a_day(contract: Contract, pcs: PcsWiring, arrays: int) -> None:
    home = simulate_day(contract, pcs, arrays)
    truth = home.truth
    physics = home.home
    assert truth.contract is contract
    # Every flow of the identity actually happened on this day, so a dropped term cannot go unnoticed.
    assert truth.pv_kwh > 10.0
    assert truth.fuel_cell_kwh > 0.5
    assert truth.battery_charged_kwh > 0.5
    assert truth.battery_discharged_kwh > 0.5
    assert truth.bought_kwh > 1.0
    assert truth.sold_kwh > 1.0
    assert truth.v2h_discharged_kwh > 0.5
    supplied = truth.bought_kwh + truth.pv_kwh + truth.fuel_cell_kwh + truth.battery_discharged_kwh
    supplied += truth.v2h_discharged_kwh - truth.battery_charged_kwh - truth.sold_kwh
    assert truth.house_kwh == pytest.approx(supplied, rel=1e-3)  # the brief's 0.1 %
    assert abs(truth.balance_error_kwh) < 1e-9
    # The truth agrees with the devices' and the meter's own counters.
    assert truth.pv_kwh == pytest.approx(sum(home.pv_wh) / 1000)
    assert physics.battery is not None
    assert physics.fuel_cell is not None
    assert truth.battery_charged_kwh == pytest.approx(physics.battery.charged_wh / 1000)
    assert truth.battery_discharged_kwh == pytest.approx(physics.battery.discharged_wh / 1000)
    assert truth.fuel_cell_kwh == pytest.approx(physics.fuel_cell.generated_wh / 1000)
    assert truth.bought_kwh == pytest.approx(home.meter.import_kwh)
    assert truth.sold_kwh == pytest.approx(home.meter.export_kwh + truth.sell_meter_kwh)
    consumers = physics.circuit_wh
    loads_kwh = sum(consumers[name] for name in ("living", "kitchen", "bedrooms", "aircon", "lighting", "ecocute"))
    ev_kwh = sum(charger.charged_wh for charger in physics.ev_chargers)
    assert truth.house_kwh == pytest.approx(loads_kwh / 1000 + ev_kwh / 1000)


def test_full_purchase_meter_never_sees_pv() -> None:
    full = build_home(HomeOptions(start=START, contract=Contract.FULL, routine=True, seed=5))
    without_pv = build_home(HomeOptions(start=START, routine=True, seed=5))
    without_pv.pv = []
    now = START
    pv_wh = 0.0
    for _ in range(24 * 60):
        step = full.step(60.0, now)
        twin = without_pv.step(60.0, now)
        assert step.grid_w == pytest.approx(twin.grid_w, abs=1e-9)
        assert step.sell_meter_w == step.pv_w
        pv_wh += step.pv_w / 60
        now += timedelta(minutes=1)
    assert pv_wh > 20000.0  # 5 kW on a clear May day
    assert full.grid_import_wh == pytest.approx(without_pv.grid_import_wh)
    assert full.grid_export_wh == without_pv.grid_export_wh == 0.0  # batteries and fuel cells never export
    assert full.pv_sold_wh == pytest.approx(pv_wh)  # the PV's own "sold" counter: all of it
    assert full.totals.sell_meter_wh == pytest.approx(pv_wh)


def test_surplus_home_exports_its_pv_through_the_meter() -> None:
    home = simulate_day(Contract.SURPLUS)
    assert home.truth.sell_meter_kwh == 0.0
    assert home.meter.export_kwh > 1.0  # noon's surplus left through the smart meter


def test_flags_and_scenario_choose_the_wiring(tmp_path: Path) -> None:
    home, _ = options_from(parse_args(["--pcs", "multi", "--contract", "full", "--no-pty", "--no-tcp"]))
    assert (home.pcs, home.contract) == (PcsWiring.MULTI, Contract.FULL)
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"pcs": "multi", "contract": "full", "pv_arrays": 2}), encoding="utf-8")
    home, _ = options_from(parse_args(["--scenario", str(scenario)]))
    assert (home.pcs, home.contract, home.pv_arrays) == (PcsWiring.MULTI, Contract.FULL, 2)
    home, _ = options_from(parse_args([]))
    assert (home.pcs, home.contract) == (PcsWiring.SEPARATE, Contract.SURPLUS)
