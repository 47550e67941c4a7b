"""Electricity tariffs: time-of-use and seasonal bands (by month, day type and hour) or flat, a renewable levy, a
monthly fuel-cost adjustment and a sell price. Presets are data (BENCHMARK.md §2.1-2.2) and can be overridden with
``dataclasses.replace``.

Prices are yen/kWh including tax. ``buy_price`` = band price + renewable levy (再エネ賦課金) + fuel-cost adjustment
(燃料費調整) of the month. The basic charge is not modelled (it does not depend on when energy is used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Protocol

from .calendar import DayType, day_type

JST = timezone(timedelta(hours=9), "JST")
ALL_MONTHS: frozenset[int] = frozenset(range(1, 13))
ALL_DAY_TYPES: frozenset[DayType] = frozenset(DayType)
RENEWABLE_LEVY_2025 = 3.98  # yen/kWh, May 2025 - Apr 2026 [S3]
RENEWABLE_LEVY_2026 = 4.18
"""yen/kWh, bills of May 2026 - Apr 2027 (METI, announced 2026-03; quoted by https://sunglad-energy.com/?p=2370)."""
NEXT_CHANGE_HORIZON = timedelta(days=8)
"""How far ``next_change`` looks ahead: a week of bands plus a day, so a weekly pattern always shows its next edge."""
_PRICE_EPS = 1e-9


class PriceOrdering(StrEnum):
    """How the sell price sits between the buy prices (the commercial controller's precondition for battery/EV)."""

    CHEAPEST_ABOVE_SELL = "highest>cheapest>=sell"  # surplus is worth less than any bought kWh
    SELL_ABOVE_CHEAPEST = "highest>sell>=cheapest"  # selling beats storing for the cheap band (newFIT-24 trap)
    FLAT = "flat"  # one buy price: no band to shift from
    SELL_ABOVE_HIGHEST = "sell>=highest"  # selling always wins


@dataclass(frozen=True, slots=True)
class PriceBand:
    """A price that applies in [start_hour, end_hour) (wrapping past midnight) on some months and day types."""

    name: str
    price: float
    start_hour: int = 0
    end_hour: int = 24
    months: frozenset[int] = ALL_MONTHS
    day_types: frozenset[DayType] = ALL_DAY_TYPES

    def applies(self, month: int, kind: DayType, hour: int) -> bool:
        """Whether the band covers the hour `hour` of a day of `month` and type `kind`."""
        if month not in self.months or kind not in self.day_types:
            return False
        start, end = self.start_hour % 24, self.end_hour % 24
        if start == end:
            return True
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end


@dataclass(frozen=True, slots=True)
class Tariff:
    """A buy tariff (first matching band wins) and a sell price."""

    name: str
    bands: tuple[PriceBand, ...]
    sell_price: float
    renewable_levy: float = RENEWABLE_LEVY_2025
    fuel_adjustment: tuple[float, ...] = field(default=(0.0,) * 12)  # yen/kWh per month (Jan … Dec)
    new_year_break: bool = False  # whether 12-30 … 01-03 counts as a holiday for the bands
    extra_days_off: frozenset[tuple[int, int]] = frozenset()
    """(month, day) dates priced as a day off besides weekends and national holidays (e.g. Kansai's 休日扱い日)."""

    def __post_init__(self) -> None:
        if not self.bands:
            raise ValueError("a tariff needs at least one band")
        if len(self.fuel_adjustment) != 12:
            raise ValueError("fuel_adjustment needs 12 monthly values")
        last = self.bands[-1]
        if last.months != ALL_MONTHS or last.day_types != ALL_DAY_TYPES or last.start_hour % 24 != last.end_hour % 24:
            # Every hour must be priced: the last band is the catch-all.
            raise ValueError("the last band must cover every month, day type and hour")

    def band_at(self, when: datetime) -> PriceBand:
        """The band in force at the aware datetime `when` (evaluated in JST)."""
        local = when.astimezone(JST)
        kind = self.day_type_of(local.date())
        for band in self.bands:
            if band.applies(local.month, kind, local.hour):
                return band
        raise AssertionError("unreachable: the last band covers everything")

    def day_type_of(self, day: date) -> DayType:
        """The day type this tariff's bands see on `day` (its own extra days off included)."""
        if (day.month, day.day) in self.extra_days_off:
            return DayType.DAY_OFF
        return day_type(day, new_year_break=self.new_year_break)

    def buy_price(self, when: datetime) -> float:
        """Price of one bought kWh at `when`, levy and fuel adjustment included."""
        local = when.astimezone(JST)
        return self.band_at(local).price + self.renewable_levy + self.fuel_adjustment[local.month - 1]

    def buy_prices(self, times: Sequence[datetime]) -> list[float]:
        """``buy_price`` of each time."""
        return [self.buy_price(t) for t in times]

    def band_name_at(self, when: datetime, month_kwh_before: float = 0.0) -> str:
        """Name of the band in force at `when` (the month's consumption does not matter for a time-of-use tariff)."""
        return self.band_at(when).name

    def buy_price_at(self, when: datetime, month_kwh_before: float = 0.0) -> float:
        """``buy_price``; `month_kwh_before` is accepted so that every tariff kind has one signature."""
        return self.buy_price(when)

    def cost_of(self, when: datetime, month_kwh_before: float, kwh: float) -> float:
        """Yen for `kwh` bought at `when` (the month's earlier consumption does not matter to a time-of-use plan)."""
        return kwh * self.buy_price(when)

    def next_change(self, after: datetime) -> datetime | None:
        """The first instant after `after` at which another band applies, within ``NEXT_CHANGE_HORIZON``.

        Bands start and end on whole JST hours (and day types and months change at midnight), so checking each
        following top of the hour finds the exact edge. ``None`` for a single-band tariff or no edge in the horizon.
        """
        if not self.is_time_of_use:
            return None
        current = self.band_at(after)
        local = after.astimezone(JST)
        edge = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        end = local + NEXT_CHANGE_HORIZON
        while edge <= end:
            if self.band_at(edge) != current:
                return edge
            edge += timedelta(hours=1)
        return None

    @property
    def is_time_of_use(self) -> bool:
        """Whether the buy price depends on the time (more than one band price)."""
        return not self.is_flat

    @property
    def is_flat(self) -> bool:
        """Whether every band has the same price (no time-of-use spread)."""
        prices = {round(band.price, 6) for band in self.bands}
        return len(prices) == 1

    @property
    def highest_band_price(self) -> float:
        """Highest band price (before levy and fuel adjustment)."""
        return max(band.price for band in self.bands)

    @property
    def cheapest_band_price(self) -> float:
        """Cheapest band price (before levy and fuel adjustment)."""
        return min(band.price for band in self.bands)

    def price_ordering(self, month: int = 1) -> PriceOrdering:
        """The ordering of highest buy, cheapest buy and sell price in `month` (levy and adjustment included)."""
        extra = self.renewable_levy + self.fuel_adjustment[month - 1]
        highest, cheapest = self.highest_band_price + extra, self.cheapest_band_price + extra
        sell = self.sell_price
        if sell >= highest - _PRICE_EPS:
            return PriceOrdering.SELL_ABOVE_HIGHEST
        if self.is_flat:
            return PriceOrdering.FLAT
        if cheapest >= sell:
            return PriceOrdering.CHEAPEST_ABOVE_SELL
        return PriceOrdering.SELL_ABOVE_CHEAPEST


class PricingTariff(Protocol):
    """What the Home Assistant side reads from any tariff: a time-of-use ``Tariff`` or a ``TieredTariff``."""

    @property
    def name(self) -> str: ...
    @property
    def sell_price(self) -> float: ...
    @property
    def renewable_levy(self) -> float: ...
    @property
    def fuel_adjustment(self) -> tuple[float, ...]: ...
    @property
    def is_time_of_use(self) -> bool: ...

    def band_name_at(self, when: datetime, month_kwh_before: float = 0.0) -> str:
        """Name of the band (or tier step) that prices the next kWh bought at `when`."""
        ...

    def buy_price_at(self, when: datetime, month_kwh_before: float = 0.0) -> float:
        """Yen for the next kWh bought at `when` with `month_kwh_before` kWh already bought this month (JST)."""
        ...

    def next_change(self, after: datetime) -> datetime | None:
        """Next instant the band changes (≤ 8 days ahead), ``None`` when the price does not depend on the time."""
        ...


_LEVY_YEAR_FIRST_MONTH = 5  # a levy year runs from the bills of May to those of April
_FY2025 = 2025


def renewable_levy_for(day: date) -> float:
    """The renewable levy (再エネ賦課金) of the levy year containing `day` (May … April).

    Only FY2025 and FY2026 are listed: earlier days get the FY2025 figure, later ones the FY2026 figure.
    """
    levy_year = day.year if day.month >= _LEVY_YEAR_FIRST_MONTH else day.year - 1
    return RENEWABLE_LEVY_2025 if levy_year <= _FY2025 else RENEWABLE_LEVY_2026


_WEEKDAY = frozenset({DayType.WEEKDAY})
_SUMMER = frozenset({7, 8, 9})

TEPCO_SMART_LIFE_S = Tariff(
    name="tepco-sl",
    bands=(
        PriceBand("night", 27.86, 1, 6),
        PriceBand("day", 35.76),
    ),
    sell_price=8.5,
)
"""TEPCO スマートライフS (2025): 昼間 06-01 h 35.76, 夜間 01-06 h 27.86; 卒FIT sell 8.5 [S3][S10]."""

KEPCO_3BAND = Tariff(
    name="kepco-3band",
    bands=(
        PriceBand("night", 15.20, 23, 7),
        PriceBand("daytime_summer", 28.96, 10, 17, months=_SUMMER, day_types=_WEEKDAY),
        PriceBand("daytime", 26.33, 10, 17, day_types=_WEEKDAY),
        PriceBand("living", 22.89),
    ),
    sell_price=8.5,
)
"""KEPCO はぴeタイム (from 2022-07): デイタイム weekdays 10-17 h 28.96 (Jul-Sep) / 26.33, リビングタイム 22.89,
ナイトタイム 23-07 h 15.20 [S7]; sell 8.5."""

NEWFIT_24 = Tariff(name="newfit24", bands=KEPCO_3BAND.bands, sell_price=24.0)
"""KEPCO 3-band with the Oct-2025 FIT (24 yen for years 1-4) [S13][S14]: sell ≥ cheapest — the trap case."""

FLAT = Tariff(name="flat", bands=(PriceBand("flat", 36.40),), sell_price=8.5)
"""従量電灯B-like flat price (TEPCO 2025 second tier, an assumption for the stress test; tiers not modelled)."""

PRESETS: dict[str, Tariff] = {t.name: t for t in (TEPCO_SMART_LIFE_S, KEPCO_3BAND, NEWFIT_24, FLAT)}
