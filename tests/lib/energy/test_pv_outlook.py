"""The PV outlook: the system factor learned from the home's history, clouds from a forecast, surplus after the load."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from custom_components.echonet_hems.lib.energy.forecast import PVSite, clear_sky_pv_kw
from custom_components.echonet_hems.lib.energy.guards import GridSlot
from custom_components.echonet_hems.lib.energy.pv_outlook import (
    HistoryFactsCache,
    HourlyDay,
    day_histories,
    history_facts,
    last_day_slots,
    pv_outlook,
)
from custom_components.echonet_hems.lib.energy.tariff import JST

SITE = PVSite(latitude=35.68, longitude=139.77, capacity_kw=1.0)
NOW = datetime(2026, 5, 20, 9, 10, tzinfo=JST)
KWP = 4.5  # the "real" array: the clear-sky model × 4.5


def clear_day(day: date, kwp: float = KWP, load_kw: float = 0.5) -> HourlyDay:
    """A clear past day of a `kwp` array (hourly PV from the model) with a flat load."""
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    half_hours = clear_sky_pv_kw(start, 48, SITE)
    pv = tuple(kwp * (half_hours[2 * h] + half_hours[2 * h + 1]) / 2.0 for h in range(24))
    return HourlyDay(day, pv, (load_kw,) * 24, (0.1,) * 24)


def history(days: int, **kwargs: float) -> list[HourlyDay]:
    return [clear_day(NOW.date() - timedelta(days=n), **kwargs) for n in range(days, 0, -1)]


def test_no_outlook_without_a_complete_day() -> None:
    partial = clear_day(NOW.date() - timedelta(days=1))
    partial = HourlyDay(partial.day, (*partial.pv_kwh[:23], None), partial.house_kwh)
    assert pv_outlook(NOW, SITE, [partial]) is None


def test_the_array_size_is_learned_from_history() -> None:
    outlook = pv_outlook(NOW, SITE, history(5))
    assert outlook is not None
    assert outlook.system_factor == pytest.approx(KWP, rel=0.01)
    assert outlook.history_days == 5
    # A clear tomorrow without a weather forecast: the typical clear-sky index of these clear days is 1.
    tomorrow = NOW.date() + timedelta(days=1)
    expected = sum(clear_day(tomorrow).pv_kwh)
    assert outlook.tomorrow_kwh == pytest.approx(expected, rel=0.02)
    assert not outlook.weather_used


def test_clouds_from_a_forecast_lower_the_outlook() -> None:
    clear = pv_outlook(NOW, SITE, history(5))
    tomorrow = datetime.combine(NOW.date() + timedelta(days=1), datetime.min.time(), JST)
    overcast = {tomorrow + timedelta(hours=h): 1.0 for h in range(24)}
    cloudy = pv_outlook(NOW, SITE, history(5), overcast)
    assert clear is not None
    assert cloudy is not None
    assert cloudy.weather_used
    assert cloudy.tomorrow_kwh == pytest.approx(clear.tomorrow_kwh * 0.25, rel=0.01)  # Kasten-Czeplak at cover 1
    assert cloudy.today_remaining_kwh == pytest.approx(clear.today_remaining_kwh, rel=1e-6)  # today not forecast


def test_surplus_subtracts_the_expected_load_slot_by_slot() -> None:
    outlook = pv_outlook(NOW, SITE, history(5, load_kw=0.5))
    assert outlook is not None
    assert outlook.surplus_tomorrow_kwh is not None
    expected = sum(max(slot.pv_kw - 0.5, 0.0) for slot in outlook.slots if slot.start.date() > NOW.date()) / 2
    assert outlook.surplus_tomorrow_kwh == pytest.approx(expected)
    assert outlook.surplus_tomorrow_kwh < outlook.tomorrow_kwh


def test_hourly_wh_adds_up_to_the_outlook() -> None:
    outlook = pv_outlook(NOW, SITE, history(3))
    assert outlook is not None
    total_kwh = sum(outlook.hourly_wh().values()) / 1000.0
    assert total_kwh == pytest.approx(outlook.today_remaining_kwh + outlook.tomorrow_kwh)


def test_last_day_slots_are_the_measured_hours_of_the_last_day() -> None:
    days = history(2)
    slots = last_day_slots(days)
    assert len(slots) == 24
    assert slots[12] == GridSlot(bought_kwh=0.1, pv_kwh=days[-1].pv_kwh[12] or 0.0, house_kwh=0.5)
    assert last_day_slots([]) == []


def test_the_guards_history_facts_are_derived_again_only_for_new_data() -> None:
    site = PVSite(capacity_kw=1.0)
    days = history(20)
    cache = HistoryFactsCache()
    facts = cache.get(days, site)
    assert facts == history_facts(days, site)
    assert facts.days == tuple(day_histories(days, site))
    for _ in range(100):  # the balance updates of an hour: same history object, then an equal reload
        assert cache.get(days, site) is facts
    assert cache.get(list(days), site) is facts
    assert cache.computed == 1

    newer = [*days[1:], clear_day(days[-1].day + timedelta(days=1), load_kw=0.9)]  # a new day came in
    assert cache.get(newer, site) == history_facts(newer, site) != facts
    assert cache.get(newer, PVSite(latitude=43.06, capacity_kw=1.0)).days != cache.get(newer, site).days  # moved
    assert cache.computed == 4


def without_hour(record: HourlyDay, hour: int) -> HourlyDay:
    """`record` with the PV row of `hour` missing and its energy in the next row, as Home Assistant's hourly
    statistics give it after an hour in which the sensor was unavailable throughout (a row's change is the step of
    the running sum since the row before)."""
    pv = list(record.pv_kwh)
    lost, pv[hour] = pv[hour], None
    if hour < 23:
        pv[hour + 1] = (pv[hour + 1] or 0.0) + (lost or 0.0)
    return HourlyDay(record.day, tuple(pv), record.house_kwh, record.bought_kwh)


def test_a_day_with_a_lost_hour_counts_when_both_its_ends_have_rows() -> None:
    days = history(3)
    complete = day_histories(days, SITE)
    days[1] = without_hour(days[1], 11)  # noon: the hour with the most PV
    counted = day_histories(days, SITE)
    assert [d.day for d in counted] == [d.day for d in complete]
    assert counted[1].pv_kwh == pytest.approx(complete[1].pv_kwh)


def test_a_day_is_not_counted_when_an_end_has_no_row() -> None:
    days = history(3)
    # The day's last row missing: what it held may have gone into the next day.
    days[1] = without_hour(days[1], 23)
    assert [d.day for d in day_histories(days, SITE)] == [days[0].day, days[2].day]
    # The day before ends without a row, so this day's first row may hold some of the day before: a day with a gap
    # is then not counted; a day with every hour still is (the night hours' PV is nothing).
    days = history(3)
    days[0] = without_hour(days[0], 23)
    days[1] = without_hour(days[1], 11)
    assert [d.day for d in day_histories(days, SITE)] == [days[2].day]
    # The first day of the history has no day before it to close it.
    assert day_histories([without_hour(history(1)[0], 11)], SITE) == []
