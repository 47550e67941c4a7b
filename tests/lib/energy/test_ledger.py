"""The running ledger: house total never decreasing but adding up, resets, daily totals, cost per band, CO2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from custom_components.echonet_hems.lib.energy.balance import ContractMode, EnergyCounters
from custom_components.echonet_hems.lib.energy.ledger import DayTotals, LedgerState, Prices, update
from custom_components.echonet_hems.lib.energy.tariff import JST

START = datetime(2026, 6, 3, 0, 0, tzinfo=JST)  # a Wednesday


@dataclass(frozen=True)
class NightDay:
    """A two-band test tariff: 20 yen/kWh 01-06 h, 40 yen/kWh otherwise (levy included), flat tiers."""

    def cost_of(self, when: datetime, month_kwh_before: float, kwh: float) -> float:
        del month_kwh_before
        return kwh * (20.0 if 1 <= when.astimezone(JST).hour < 6 else 40.0)


PRICES = Prices(buy=NightDay(), sell_yen_per_kwh=8.5, co2_kg_per_kwh=0.45)


def counters(bought: float, sold: float = 0.0, pv: float = 0.0, **more: float) -> EnergyCounters:
    values = {
        "bought": bought,
        "sold": sold,
        "pv": pv,
        "fuel_cell": 0.0,
        "battery_charged": 0.0,
        "battery_discharged": 0.0,
        "v2h_discharged": 0.0,
    }
    values.update(more)
    return EnergyCounters(**values)


def run(readings: list[tuple[float, EnergyCounters]], mode: ContractMode = ContractMode.SURPLUS) -> LedgerState:
    state = LedgerState()
    for hours, reading in readings:
        state = update(state, START + timedelta(hours=hours), reading, mode, PRICES)
    return state


def test_first_reading_is_the_base_and_counts_nothing() -> None:
    state = run([(0.5, counters(100.0, 5.0, 300.0))])
    assert state.house_total_kwh == 0.0
    assert state.today == DayTotals()


def test_house_energy_of_a_surplus_home_adds_up() -> None:
    # 02:00-03:00: bought 1 kWh at night. 12:00-13:00: PV 3 kWh, sold 1.5, bought 0.2, battery charged 0.5.
    state = run(
        [
            (2.0, counters(100.0, 5.0, 300.0)),
            (3.0, counters(101.0, 5.0, 300.0)),
            (12.0, counters(101.0, 5.0, 300.0)),
            (13.0, counters(101.2, 6.5, 303.0, battery_charged=0.5)),
        ]
    )
    # house = bought − sold + PV − battery charged = (1 + 0.2) − 1.5 + 3 − 0.5 = 2.2 kWh
    assert state.house_total_kwh == pytest.approx(2.2)
    assert state.today.bought_kwh == pytest.approx(1.2)
    assert state.today.cost_yen == pytest.approx(1.0 * 20.0 + 0.2 * 40.0)  # each step at its own band
    assert state.today.sales_yen == pytest.approx(1.5 * 8.5)
    assert state.today.co2_kg == pytest.approx(1.2 * 0.45)
    assert state.today.self_consumption_pct(ContractMode.SURPLUS) == pytest.approx(100 * 1.5 / 3.0)
    assert state.today.self_sufficiency_pct() == pytest.approx(100 * (2.2 - 1.2) / 2.2)


def test_a_negative_step_is_carried_not_published() -> None:
    # The meter's export is read before the PV's generation of the same minutes: one step looks negative.
    state = run(
        [
            (12.0, counters(100.0, 5.0, 300.0)),
            (12.1, counters(100.0, 6.0, 300.0)),  # sold 1 kWh, PV not yet counted: house step −1
            (12.2, counters(100.0, 6.0, 301.5)),  # PV 1.5 kWh catches up: +1.5
        ]
    )
    assert state.house_total_kwh == pytest.approx(0.5)
    assert state.house_carry_kwh == pytest.approx(0.0)


def test_total_never_decreases_through_a_negative_step() -> None:
    first = run([(12.0, counters(100.0, 5.0, 300.0)), (12.1, counters(100.5, 5.0, 300.0))])
    second = update(first, START + timedelta(hours=12.2), counters(100.5, 6.0, 300.0), ContractMode.SURPLUS, PRICES)
    assert second.house_total_kwh == pytest.approx(first.house_total_kwh)
    assert second.house_carry_kwh == pytest.approx(-1.0)


def test_a_counter_going_backwards_is_a_new_base() -> None:
    state = run(
        [
            (1.0, counters(100.0)),
            (2.0, counters(101.0)),
            (3.0, counters(0.5)),  # a replaced meter: no step, no negative energy
            (4.0, counters(1.5)),
        ]
    )
    assert state.today.bought_kwh == pytest.approx(2.0)
    assert state.house_total_kwh == pytest.approx(2.0)


def test_a_missing_counter_contributes_its_whole_step_when_it_returns() -> None:
    missing_pv = EnergyCounters(101.0, 5.0, None, 0.0, 0.0, 0.0, 0.0)
    state = run(
        [
            (12.0, counters(100.0, 5.0, 300.0)),
            (12.5, missing_pv),
            (13.0, counters(101.0, 5.0, 302.0)),
        ]
    )
    assert state.house_total_kwh == pytest.approx(3.0)


def test_today_restarts_at_jst_midnight_and_the_total_goes_on() -> None:
    state = run([(22.0, counters(100.0)), (23.0, counters(101.0)), (25.0, counters(102.0))])
    assert state.house_total_kwh == pytest.approx(2.0)
    assert state.today.bought_kwh == pytest.approx(1.0)
    assert state.day == (START + timedelta(days=1)).date()


def test_full_purchase_counts_pv_as_sold_and_not_as_house() -> None:
    state = run(
        [(12.0, counters(100.0, 0.0, 300.0)), (13.0, counters(101.0, 0.0, 303.0))],
        mode=ContractMode.FULL,
    )
    assert state.house_total_kwh == pytest.approx(1.0)
    assert state.today.sold_kwh == pytest.approx(3.0)
    assert state.today.sales_yen == pytest.approx(3.0 * 8.5)
    assert state.today.self_consumption_pct(ContractMode.FULL) is None  # no own generation the house may use


def test_state_round_trips_through_a_mapping_and_survives_damage() -> None:
    state = run([(2.0, counters(100.0, 5.0, 300.0)), (3.0, counters(101.0, 5.0, 300.0))])
    assert LedgerState.from_dict(state.as_dict()) == state
    assert LedgerState.from_dict({"day": "not a date"}) == LedgerState()
