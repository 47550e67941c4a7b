"""The home's PV outlook for today and tomorrow: what the array will still produce, and what is left after the house.

PV = the clear-sky model of the site × the system factor learned from the home's own clearest days × a cloud factor:
from the hourly cloud cover of a weather forecast where one is given, else the home's typical clear-sky index of
its recent days (a climatology, honest about knowing nothing of tomorrow's weather). Expected load = the mean hourly
consumption of the recent days of the same day type. Pure: the caller passes the time, the history and the forecast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean

from .calendar import day_type
from .forecast import DayHistory, PVSite, clear_sky_pv_kw, cloud_factor, learn_system_factor
from .guards import GridSlot
from .tariff import JST

SLOT = timedelta(minutes=30)
_HISTORY_DAYS = 14


@dataclass(frozen=True, slots=True)
class HourlyDay:
    """One past day of the home: PV, house and bought energy per local hour (kWh; None where not measured)."""

    day: date
    pv_kwh: tuple[float | None, ...]
    house_kwh: tuple[float | None, ...]
    bought_kwh: tuple[float | None, ...] = ()


@dataclass(frozen=True, slots=True)
class OutlookSlot:
    """One 30-minute slot: its start, PV (kW) and expected house load (kW, None when unknown)."""

    start: datetime
    pv_kw: float
    load_kw: float | None


@dataclass(frozen=True, slots=True)
class PVOutlook:
    """Today's remaining and tomorrow's PV, the surplus after the expected load, and the 30-minute series."""

    slots: tuple[OutlookSlot, ...]
    today_remaining_kwh: float
    tomorrow_kwh: float
    surplus_today_remaining_kwh: float | None
    surplus_tomorrow_kwh: float | None
    system_factor: float
    weather_used: bool
    history_days: int  # complete days of PV history the system factor was learned from

    def hourly_wh(self) -> dict[datetime, float]:
        """PV energy per hour (Wh) keyed by the hour's start (the Energy dashboard's solar forecast)."""
        hours: dict[datetime, float] = {}
        for slot in self.slots:
            hour = slot.start.replace(minute=0, second=0, microsecond=0)
            hours[hour] = hours.get(hour, 0.0) + slot.pv_kw * 500.0
        return hours


def _clear_sky_day_kwh(day: date, site: PVSite) -> float:
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    return sum(clear_sky_pv_kw(start, 48, site)) / 2.0


def day_histories(days: Sequence[HourlyDay], site: PVSite) -> list[DayHistory]:
    """The past days whose PV energy is known (`pv_day_known`) as the forecast module's day records."""
    result = []
    previous: HourlyDay | None = None
    for record in days:
        if pv_day_known(record, previous):
            pv = sum(value for value in record.pv_kwh if value is not None)
            result.append(DayHistory(record.day, day_type(record.day), (), pv, _clear_sky_day_kwh(record.day, site)))
        previous = record
    return result


def pv_day_known(record: HourlyDay, previous: HourlyDay | None) -> bool:
    """Whether the hourly PV rows of `record` add up to the day's energy: every hour has a row, or the day is closed
    at both ends (its 23:00 row and the 23:00 row of the day before, `previous`).

    Home Assistant's hourly statistics keep a running sum, and a row's change is the step from the row before it. An
    hour without a row (the sensor unavailable for all of it, e.g. the PV's node silent for an hour) therefore puts
    its energy into the next row, and with both ends of the day present the day's changes still add up to exactly its
    energy. One lost hour then costs the outlook nothing instead of the whole day."""
    if len(record.pv_kwh) != 24:
        return False
    if all(value is not None for value in record.pv_kwh):
        return True
    return (
        record.pv_kwh[23] is not None
        and previous is not None
        and previous.day == record.day - timedelta(days=1)
        and len(previous.pv_kwh) == 24
        and previous.pv_kwh[23] is not None
    )


def _hourly_load(days: Sequence[HourlyDay], when: date) -> list[float | None]:
    kind = day_type(when)
    same = [d for d in days if day_type(d.day) is kind] or list(days)
    profile: list[float | None] = []
    for hour in range(24):
        values = [d.house_kwh[hour] for d in same if len(d.house_kwh) == 24 and d.house_kwh[hour] is not None]
        profile.append(fmean(v for v in values if v is not None) if values else None)
    return profile


def pv_outlook(
    now: datetime,
    site: PVSite,
    history: Sequence[HourlyDay],
    cloud_cover: Mapping[datetime, float] | None = None,
) -> PVOutlook | None:
    """The outlook from `now` to the end of tomorrow (JST); None until one complete day of PV history exists — a
    forecast without it would be a guess about the array's size. The factor firms up as days accumulate (the
    clearest fifth of up to 14 days); `history_days` says how many it rests on."""
    recent = list(history)[-_HISTORY_DAYS:]
    days = day_histories(recent, site)
    factor = learn_system_factor(days, min_days=1)
    if factor is None:
        return None
    typical_index = fmean(day.clear_sky_index / factor for day in days) if days else 1.0
    local = now.astimezone(JST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight + SLOT * ((local - midnight) // SLOT)
    count = int((midnight + timedelta(days=2) - first) / SLOT)
    clear = clear_sky_pv_kw(first, count, site)
    covers = {t.astimezone(JST).replace(minute=0, second=0, microsecond=0): c for t, c in (cloud_cover or {}).items()}
    loads = {0: _hourly_load(recent, midnight.date()), 1: _hourly_load(recent, midnight.date() + timedelta(days=1))}
    slots = []
    for index, clear_kw in enumerate(clear):
        start = first + SLOT * index
        hour = start.replace(minute=0)
        cover = covers.get(hour)
        weather = cloud_factor(cover) if cover is not None else min(typical_index, 1.0)
        load_hour = loads[(start.date() - midnight.date()).days][start.hour]
        slots.append(OutlookSlot(start, clear_kw * factor * weather, None if load_hour is None else load_hour))
    return _summarise(tuple(slots), midnight, factor, weather_used=bool(covers), history_days=len(days))


def _summarise(
    slots: tuple[OutlookSlot, ...], midnight: datetime, factor: float, *, weather_used: bool, history_days: int
) -> PVOutlook:
    tomorrow = midnight + timedelta(days=1)

    def pv(selected: Sequence[OutlookSlot]) -> float:
        return sum(slot.pv_kw for slot in selected) / 2.0

    def surplus(selected: Sequence[OutlookSlot]) -> float | None:
        if any(slot.load_kw is None for slot in selected):
            return None
        return sum(max(slot.pv_kw - (slot.load_kw or 0.0), 0.0) for slot in selected) / 2.0

    today = [slot for slot in slots if slot.start < tomorrow]
    later = [slot for slot in slots if slot.start >= tomorrow]
    return PVOutlook(
        slots=slots,
        today_remaining_kwh=pv(today),
        tomorrow_kwh=pv(later),
        surplus_today_remaining_kwh=surplus(today),
        surplus_tomorrow_kwh=surplus(later),
        system_factor=factor,
        weather_used=weather_used,
        history_days=history_days,
    )


def last_day_slots(history: Sequence[HourlyDay]) -> list[GridSlot]:
    """The hours of the last recorded day with bought, PV and house energy all measured (for the guard "grid
    purchase during the surplus hours")."""
    for record in reversed(history):
        if not record.bought_kwh:
            continue
        slots = [
            GridSlot(bought_kwh=bought, pv_kwh=pv, house_kwh=house)
            for bought, pv, house in zip(record.bought_kwh, record.pv_kwh, record.house_kwh, strict=False)
            if bought is not None and pv is not None and house is not None
        ]
        if slots:
            return slots
    return []


@dataclass(frozen=True, slots=True)
class HistoryFacts:
    """What the guards read from the hourly history: the complete days as day records, and the last day's slots."""

    days: tuple[DayHistory, ...]
    last_day_slots: tuple[GridSlot, ...]


def history_facts(history: Sequence[HourlyDay], site: PVSite) -> HistoryFacts:
    """The guards' facts from the hourly history (the clear-sky model for each of up to 60 days: the costly part)."""
    return HistoryFacts(tuple(day_histories(history, site)), tuple(last_day_slots(history)))


class HistoryFactsCache:
    """`history_facts` of the last history seen. The guards are evaluated on every balance update (every 30 s and on
    each source change), while the history changes only when the PV outlook reloads it (every 30 minutes, with new
    content once a day): deriving the days again each time cost more than half of an evaluation."""

    __slots__ = ("_facts", "_history", "_site", "computed")

    def __init__(self) -> None:
        """Empty: the first `get` computes."""
        self._history: Sequence[HourlyDay] | None = None
        self._site: PVSite | None = None
        self._facts = HistoryFacts((), ())
        self.computed = 0  # how many times the facts were derived (for tests and benchmarks)

    def get(self, history: Sequence[HourlyDay], site: PVSite) -> HistoryFacts:
        """The facts of `history` at `site`, derived again only when either differs from the last call's."""
        same = self._history is not None and (history is self._history or history == self._history)
        if not same or site != self._site:
            self._history, self._site = history, site
            self._facts = history_facts(history, site)
            self.computed += 1
        return self._facts
