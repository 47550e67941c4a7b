"""Tariff presets, day types and guard conditions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from custom_components.echonet_hems.lib.energy import (
    FLAT,
    KEPCO_3BAND,
    NEWFIT_24,
    TEPCO_SMART_LIFE_S,
    Conditions,
    DayType,
    GuardEffect,
    GuardKey,
    PriceBand,
    PriceOrdering,
    Tariff,
    day_type,
    evaluate_guards,
)
from custom_components.echonet_hems.lib.energy.tariff import JST


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize(
    ("tariff", "when", "price"),
    [
        (TEPCO_SMART_LIFE_S, "2025-06-02 00:30", 35.76 + 3.98),
        (TEPCO_SMART_LIFE_S, "2025-06-02 01:00", 27.86 + 3.98),
        (TEPCO_SMART_LIFE_S, "2025-06-02 05:59", 27.86 + 3.98),
        (TEPCO_SMART_LIFE_S, "2025-06-02 06:00", 35.76 + 3.98),
        (KEPCO_3BAND, "2025-08-04 12:00", 28.96 + 3.98),  # summer weekday daytime
        (KEPCO_3BAND, "2025-06-02 12:00", 26.33 + 3.98),  # weekday daytime
        (KEPCO_3BAND, "2025-06-01 12:00", 22.89 + 3.98),  # Sunday: living
        (KEPCO_3BAND, "2025-05-05 12:00", 22.89 + 3.98),  # Children's Day (holiday): living
        (KEPCO_3BAND, "2025-06-02 08:00", 22.89 + 3.98),
        (KEPCO_3BAND, "2025-06-02 23:00", 15.20 + 3.98),
        (KEPCO_3BAND, "2025-06-02 06:30", 15.20 + 3.98),
        (FLAT, "2025-06-02 03:00", 36.40 + 3.98),
    ],
)
def test_buy_prices(tariff: Tariff, when: str, price: float) -> None:
    assert tariff.buy_price(at(when)) == pytest.approx(price)


def test_fuel_adjustment_and_overrides() -> None:
    adjusted = replace(
        TEPCO_SMART_LIFE_S, fuel_adjustment=(0.0,) * 6 + (-2.0, -2.4, -2.0) + (0.0,) * 3, sell_price=11.0
    )
    assert adjusted.buy_price(at("2025-08-01 12:00")) == pytest.approx(35.76 + 3.98 - 2.4)
    assert adjusted.buy_price(at("2025-10-01 12:00")) == pytest.approx(35.76 + 3.98)
    assert adjusted.sell_price == 11.0
    assert adjusted.buy_prices([at("2025-10-01 02:00")]) == [pytest.approx(27.86 + 3.98)]


def test_invalid_tariffs() -> None:
    with pytest.raises(ValueError, match="at least one band"):
        Tariff("x", (), 8.5)
    with pytest.raises(ValueError, match="12 monthly"):
        Tariff("x", (PriceBand("a", 1.0),), 8.5, fuel_adjustment=(0.0,))
    with pytest.raises(ValueError, match="last band"):
        Tariff("x", (PriceBand("a", 1.0, 1, 6),), 8.5)


def test_price_orderings() -> None:
    assert TEPCO_SMART_LIFE_S.price_ordering() is PriceOrdering.CHEAPEST_ABOVE_SELL
    assert NEWFIT_24.price_ordering() is PriceOrdering.SELL_ABOVE_CHEAPEST
    assert FLAT.price_ordering() is PriceOrdering.FLAT
    assert replace(FLAT, sell_price=50.0).price_ordering() is PriceOrdering.SELL_ABOVE_HIGHEST
    assert FLAT.is_flat
    assert not KEPCO_3BAND.is_flat


def test_day_types() -> None:
    assert day_type(date(2025, 6, 2)) is DayType.WEEKDAY
    assert day_type(date(2025, 6, 1)) is DayType.DAY_OFF
    assert day_type(date(2025, 11, 24)) is DayType.DAY_OFF  # substitute holiday for 11-23 (Sunday)
    assert day_type(date(2025, 12, 30)) is DayType.DAY_OFF
    assert day_type(date(2025, 12, 30), new_year_break=False) is DayType.WEEKDAY


def test_guards_all_clear() -> None:
    guards = evaluate_guards(TEPCO_SMART_LIFE_S, Conditions(sunny_history_days=7), month=5)
    assert [g.key for g in guards] == list(GuardKey)
    assert all(g.ok for g in guards)
    assert {g.effect for g in guards} == {GuardEffect.NONE}
    values = {g.key: g.value for g in guards}
    assert values[GuardKey.SUNNY_HISTORY_DAYS] == 7
    assert values[GuardKey.PRICE_ORDERING] == "highest>cheapest>=sell"


def test_guards_each_trip() -> None:
    conditions = Conditions(
        full_purchase_contract=True, weather_warning=True, sunny_history_days=2, pv_forecast_available=False
    )
    effects = {g.key: g.effect for g in evaluate_guards(FLAT, conditions, month=1)}
    assert effects == {
        GuardKey.FULL_PURCHASE_CONTRACT: GuardEffect.PLANNER_OFF,
        GuardKey.TIME_OF_USE_TARIFF: GuardEffect.NO_GRID_CHARGING,
        GuardKey.PRICE_ORDERING: GuardEffect.NONE,
        GuardKey.WEATHER_WARNING: GuardEffect.RESERVE_FULL,
        GuardKey.SUNNY_HISTORY_DAYS: GuardEffect.HEDGE_HARDER,
        GuardKey.PV_FORECAST: GuardEffect.HEDGE_HARDER,
        GuardKey.HOUSE_CONSUMPTION_MEASURED: GuardEffect.NONE,
        GuardKey.SURPLUS_CONTRACT: GuardEffect.PLANNER_OFF,
        GuardKey.GRID_PURCHASE_IN_SURPLUS: GuardEffect.NONE,
    }
    trap = {g.key: g for g in evaluate_guards(NEWFIT_24, Conditions(sunny_history_days=9), month=1)}
    assert trap[GuardKey.PRICE_ORDERING].effect is GuardEffect.SELL_PREFERRED
