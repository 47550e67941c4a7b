"""Guard conditions of issue 12: each flips when its input crosses its threshold, with value and threshold shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from custom_components.echonet_hems.lib.energy import (
    FLAT,
    KEPCO_3BAND,
    NEWFIT_24,
    TEPCO_SMART_LIFE_S,
    Conditions,
    DayHistory,
    DayType,
    GuardEffect,
    GuardKey,
    evaluate_guards,
)
from custom_components.echonet_hems.lib.energy.balance import ContractMode
from custom_components.echonet_hems.lib.energy.guards import (
    ACCEPTED_ORDERINGS,
    GRID_PURCHASE_THRESHOLD_KWH,
    GridSlot,
    GuardCondition,
    grid_purchase_in_surplus_kwh,
    home_conditions,
)

OK_CONDITIONS = Conditions(sunny_history_days=5)


def guard(conditions: Conditions, key: GuardKey, tariff: object = TEPCO_SMART_LIFE_S) -> GuardCondition:
    guards = evaluate_guards(tariff, conditions, month=6)  # type: ignore[arg-type]
    return next(g for g in guards if g.key is key)


def test_all_keys_in_order_and_ok_by_default() -> None:
    guards = evaluate_guards(TEPCO_SMART_LIFE_S, OK_CONDITIONS, month=6)
    assert [g.key for g in guards] == list(GuardKey)
    assert all(g.ok for g in guards)
    assert {g.effect for g in guards} == {GuardEffect.NONE}


def test_sunny_history_flips_on_the_fifth_day() -> None:
    fourth = guard(replace(OK_CONDITIONS, sunny_history_days=4), GuardKey.SUNNY_HISTORY_DAYS)
    fifth = guard(replace(OK_CONDITIONS, sunny_history_days=5), GuardKey.SUNNY_HISTORY_DAYS)
    assert (fourth.value, fourth.threshold, fourth.ok, fourth.effect) == (4, 5, False, GuardEffect.HEDGE_HARDER)
    assert (fifth.value, fifth.threshold, fifth.ok, fifth.effect) == (5, 5, True, GuardEffect.NONE)


def test_time_of_use_tariff() -> None:
    assert guard(OK_CONDITIONS, GuardKey.TIME_OF_USE_TARIFF, KEPCO_3BAND).ok
    flat = guard(OK_CONDITIONS, GuardKey.TIME_OF_USE_TARIFF, FLAT)
    assert (flat.value, flat.threshold, flat.ok, flat.effect) == (False, True, False, GuardEffect.NO_GRID_CHARGING)


def test_price_ordering() -> None:
    good = guard(OK_CONDITIONS, GuardKey.PRICE_ORDERING)
    assert (good.value, good.ok) == ("highest>cheapest>=sell", True)
    assert good.threshold == ACCEPTED_ORDERINGS == "highest>cheapest>=sell|highest>sell>=cheapest"
    trap = guard(OK_CONDITIONS, GuardKey.PRICE_ORDERING, NEWFIT_24)
    assert (trap.ok, trap.effect) == (True, GuardEffect.SELL_PREFERRED)
    selling_wins = guard(OK_CONDITIONS, GuardKey.PRICE_ORDERING, replace(FLAT, sell_price=50.0))
    assert not selling_wins.ok


def test_house_consumption_measured() -> None:
    missing = guard(replace(OK_CONDITIONS, house_consumption_measured=False), GuardKey.HOUSE_CONSUMPTION_MEASURED)
    assert (missing.value, missing.ok, missing.effect) == (False, False, GuardEffect.PLANNER_OFF)
    assert guard(OK_CONDITIONS, GuardKey.HOUSE_CONSUMPTION_MEASURED).ok


def test_surplus_contract() -> None:
    full = replace(OK_CONDITIONS, full_purchase_contract=True)
    surplus_guard = guard(full, GuardKey.SURPLUS_CONTRACT)
    assert (surplus_guard.value, surplus_guard.ok, surplus_guard.effect) == (False, False, GuardEffect.PLANNER_OFF)
    assert guard(full, GuardKey.FULL_PURCHASE_CONTRACT).threshold is False
    assert guard(OK_CONDITIONS, GuardKey.SURPLUS_CONTRACT).ok


@pytest.mark.parametrize(
    ("active", "in_surplus_hours", "ok"),
    [(False, True, True), (True, True, False), (True, False, True)],
)
def test_weather_warning_in_surplus_hours(active: bool, in_surplus_hours: bool, ok: bool) -> None:
    conditions = replace(OK_CONDITIONS, weather_warning=active, weather_warning_in_surplus_hours=in_surplus_hours)
    warning = guard(conditions, GuardKey.WEATHER_WARNING)
    assert (warning.value, warning.ok) == (active, ok)
    assert warning.effect is (GuardEffect.NONE if ok else GuardEffect.RESERVE_FULL)


def test_grid_purchase_in_surplus_hours() -> None:
    slots = [
        GridSlot(bought_kwh=0.4, pv_kwh=0.0, house_kwh=0.4),  # night: buying is fine
        GridSlot(bought_kwh=0.06, pv_kwh=1.5, house_kwh=1.0),  # surplus slot, a little bought
        GridSlot(bought_kwh=0.05, pv_kwh=1.2, house_kwh=0.9),  # surplus slot
        GridSlot(bought_kwh=0.3, pv_kwh=0.5, house_kwh=0.8),  # PV below load: not a surplus slot
    ]
    bought = grid_purchase_in_surplus_kwh(slots)
    assert bought == pytest.approx(0.11)
    tripped = guard(replace(OK_CONDITIONS, grid_purchase_in_surplus_kwh=bought), GuardKey.GRID_PURCHASE_IN_SURPLUS)
    assert (tripped.value, tripped.threshold, tripped.ok) == (0.11, GRID_PURCHASE_THRESHOLD_KWH, False)
    assert tripped.effect is GuardEffect.HEDGE_HARDER
    below = grid_purchase_in_surplus_kwh(slots[:2])
    assert guard(replace(OK_CONDITIONS, grid_purchase_in_surplus_kwh=below), GuardKey.GRID_PURCHASE_IN_SURPLUS).ok


def sunny_days(count: int, kind: DayType) -> list[DayHistory]:
    start = date(2025, 5, 1)
    return [
        DayHistory(start + timedelta(days=i), kind, (0.3,) * 48, pv_kwh=20.0, clear_sky_pv_kwh=25.0)
        for i in range(count)
    ]


def test_home_conditions_from_measurements() -> None:
    history = sunny_days(4, DayType.WEEKDAY) + sunny_days(6, DayType.DAY_OFF)
    conditions = home_conditions(
        mode=ContractMode.SURPLUS,
        house_consumption_measured=True,
        history=history,
        day_kind=DayType.WEEKDAY,
        weather_warning=True,
        last_day_slots=[GridSlot(0.5, 2.0, 1.0)],
    )
    keyed = {g.key: g for g in evaluate_guards(TEPCO_SMART_LIFE_S, conditions, month=6)}
    assert keyed[GuardKey.SUNNY_HISTORY_DAYS].value == 4
    assert not keyed[GuardKey.WEATHER_WARNING].ok
    assert keyed[GuardKey.GRID_PURCHASE_IN_SURPLUS].value == 0.5
    assert keyed[GuardKey.SURPLUS_CONTRACT].ok
    full = home_conditions(
        mode=ContractMode.FULL, house_consumption_measured=False, history=history, day_kind=DayType.DAY_OFF
    )
    assert full.full_purchase_contract
    assert not full.house_consumption_measured
    assert full.sunny_history_days == 6
