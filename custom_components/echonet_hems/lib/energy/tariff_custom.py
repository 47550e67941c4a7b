"""A user's own time-of-use tariff: bands by hour, day type (weekday / day off with Japanese holidays) and month.

The options flow shows the bands in one text field, one band per line::

    <name> <start>-<end> <price> [weekday|dayoff|all] [<months>]

* ``name``: letters, digits, ``_`` or ``-`` (the band's name in the price-band entity).
* ``start``-``end``: whole hours in JST, ``00``-``23`` and ``01``-``24``; the band covers [start, end) and wraps past
  midnight when end < start (``23-07``); ``00-24`` is the whole day. Hours after midnight belong to the day they
  fall on (a ``weekday`` band ``23-07`` covers Friday 23-24 and Saturday 00-07 only if both are weekdays).
* ``price``: yen/kWh including tax, without the renewable levy and fuel adjustment (those are separate settings).
* day types: ``weekday`` (Monday-Friday that are not national holidays), ``dayoff`` (weekends and national
  holidays; ``holiday`` is accepted too) or ``all`` (the default).
* months: ``7-9``, ``12-2`` (wraps), ``1,2,12`` or mixes like ``1-3,12``; all months by default.
* ``#`` starts a comment; blank lines are ignored.

Example (TEPCO Smart Life S)::

    night 01-06 27.86
    day   06-01 35.76

Every hour of every month and day type must be priced by exactly one band; ``TariffSpecError`` says what is wrong
with a ``code`` the flow translates: ``empty``, ``bad_syntax``, ``bad_hour``, ``negative_price``, ``overlap``, ``gap``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
import re

from .calendar import DayType
from .tariff import ALL_DAY_TYPES, ALL_MONTHS, JST, RENEWABLE_LEVY_2026, PriceBand, Tariff

_HOURS_PER_DAY = 24
_MONTHS_PER_YEAR = 12
_NAME = re.compile(r"^[\w-]+$")
_HOURS = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_PRICE = re.compile(r"^-?\d+(?:\.\d+)?$")
_MONTHS = re.compile(r"^\d{1,2}(?:-\d{1,2})?(?:,\d{1,2}(?:-\d{1,2})?)*$")
_DAY_TYPE_WORDS: dict[str, frozenset[DayType]] = {
    "weekday": frozenset({DayType.WEEKDAY}),
    "dayoff": frozenset({DayType.DAY_OFF}),
    "holiday": frozenset({DayType.DAY_OFF}),
    "all": ALL_DAY_TYPES,
}


class TariffSpecError(ValueError):
    """A custom tariff that cannot be used; `code` names the problem, `detail` says where (not user-facing text)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CustomBand:
    """A price for [start_hour, end_hour) on some day types and months."""

    name: str
    price: float
    start_hour: int
    end_hour: int
    day_types: frozenset[DayType] = ALL_DAY_TYPES
    months: frozenset[int] = ALL_MONTHS

    def hours(self) -> tuple[int, ...]:
        """The hours of the day the band covers."""
        if self.start_hour == 0 and self.end_hour == _HOURS_PER_DAY:
            return tuple(range(_HOURS_PER_DAY))
        if self.start_hour < self.end_hour:
            return tuple(range(self.start_hour, self.end_hour))
        return (*range(self.start_hour, _HOURS_PER_DAY), *range(self.end_hour))


@dataclass(frozen=True, slots=True)
class CustomTariffSpec:
    """Everything the options flow collects for a custom tariff."""

    bands: tuple[CustomBand, ...]
    sell_price: float
    renewable_levy: float = RENEWABLE_LEVY_2026
    fuel_adjustment: float = 0.0  # yen/kWh, every month; may be negative (subsidies)
    name: str = "custom"


def _check_band(band: CustomBand) -> None:
    hours_ok = 0 <= band.start_hour < _HOURS_PER_DAY and 0 < band.end_hour <= _HOURS_PER_DAY
    if not hours_ok or band.start_hour == band.end_hour:
        raise TariffSpecError("bad_hour", f"{band.name}: {band.start_hour}-{band.end_hour}")
    if band.price < 0:
        raise TariffSpecError("negative_price", f"{band.name}: {band.price}")
    if not band.months or not band.day_types or not band.months <= ALL_MONTHS:
        raise TariffSpecError("bad_syntax", f"{band.name}: no month or day type, or a month outside 1-12")


def _check_coverage(bands: tuple[CustomBand, ...]) -> None:
    """Every (month, day type, hour) priced by exactly one band."""
    for month in sorted(ALL_MONTHS):
        for kind in DayType:
            for hour in range(_HOURS_PER_DAY):
                names = [b.name for b in bands if month in b.months and kind in b.day_types and hour in b.hours()]
                where = f"month {month}, {kind.value}, {hour:02d}h"
                if not names:
                    raise TariffSpecError("gap", where)
                if len(names) > 1:
                    raise TariffSpecError("overlap", f"{where}: {', '.join(names)}")


def custom_tariff(spec: CustomTariffSpec) -> Tariff:
    """A ``Tariff`` from a validated spec; raises ``TariffSpecError``."""
    if not spec.bands:
        raise TariffSpecError("empty", "no band")
    for band in spec.bands:
        _check_band(band)
    if spec.sell_price < 0 or spec.renewable_levy < 0:
        raise TariffSpecError("negative_price", "sell price or renewable levy")
    _check_coverage(spec.bands)
    bands = [
        PriceBand(b.name, b.price, b.start_hour, b.end_hour % _HOURS_PER_DAY, b.months, b.day_types) for b in spec.bands
    ]
    # The bands partition the year, so the last one can be widened into the catch-all ``Tariff`` needs: every slot
    # it gains is already taken by an earlier band and never reaches it.
    bands[-1] = replace(bands[-1], start_hour=0, end_hour=_HOURS_PER_DAY, months=ALL_MONTHS, day_types=ALL_DAY_TYPES)
    return Tariff(
        name=spec.name,
        bands=tuple(bands),
        sell_price=spec.sell_price,
        renewable_levy=spec.renewable_levy,
        fuel_adjustment=(spec.fuel_adjustment,) * _MONTHS_PER_YEAR,
    )


def _parse_months(text: str, line_no: int) -> frozenset[int]:
    months: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, end = int(first), int(last or first)
        if not (1 <= start <= _MONTHS_PER_YEAR and 1 <= end <= _MONTHS_PER_YEAR):
            raise TariffSpecError("bad_syntax", f"line {line_no}: month {part}")
        span = end - start if end >= start else end + _MONTHS_PER_YEAR - start
        months.update((start - 1 + i) % _MONTHS_PER_YEAR + 1 for i in range(span + 1))
    return frozenset(months)


def _parse_line(tokens: list[str], line_no: int) -> CustomBand:
    min_tokens, max_tokens = 3, 5
    if not min_tokens <= len(tokens) <= max_tokens:
        raise TariffSpecError("bad_syntax", f"line {line_no}: expected name, hours, price [day type] [months]")
    name, hours, price = tokens[:3]
    hours_match = _HOURS.match(hours)
    if not _NAME.match(name) or hours_match is None or not _PRICE.match(price):
        raise TariffSpecError("bad_syntax", f"line {line_no}: {' '.join(tokens)}")
    day_types, months = ALL_DAY_TYPES, ALL_MONTHS
    for token in tokens[3:]:
        if token.lower() in _DAY_TYPE_WORDS:
            day_types = _DAY_TYPE_WORDS[token.lower()]
        elif _MONTHS.match(token):
            months = _parse_months(token, line_no)
        else:
            raise TariffSpecError("bad_syntax", f"line {line_no}: {token}")
    return CustomBand(name, float(price), int(hours_match[1]), int(hours_match[2]), day_types, months)


def parse_bands(text: str) -> tuple[CustomBand, ...]:
    """The bands written in `text` (grammar in the module docstring); raises ``TariffSpecError``."""
    bands: list[CustomBand] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split("#", 1)[0].split()
        if tokens:
            band = _parse_line(tokens, line_no)
            _check_band(band)
            bands.append(band)
    if not bands:
        raise TariffSpecError("empty", "no band")
    return tuple(bands)


def day_preview(tariff: Tariff, day: date) -> tuple[tuple[int, int, str, float], ...]:
    """The bands of `day` as (start hour, end hour, band name, price incl. levy and fuel adjustment), merged."""
    spans: list[tuple[int, int, str, float]] = []
    for hour in range(_HOURS_PER_DAY):
        when = datetime.combine(day, time(hour), tzinfo=JST)
        name, price = tariff.band_at(when).name, round(tariff.buy_price(when), 4)
        if spans and spans[-1][2] == name and spans[-1][3] == price:
            start, _, _, _ = spans[-1]
            spans[-1] = (start, hour + 1, name, price)
        else:
            spans.append((hour, hour + 1, name, price))
    return tuple(spans)
