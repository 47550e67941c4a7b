"""Electricity tariffs: time-of-use and seasonal bands (by month, day type and hour) or flat, a renewable levy, a
monthly fuel-cost adjustment and a sell price. Presets are data (BENCHMARK.md §2.1-2.2) and can be overridden with
``dataclasses.replace``.

Prices are yen/kWh including tax. ``buy_price`` = band price + renewable levy (再エネ賦課金) + fuel-cost adjustment
(燃料費調整) of the month. The basic charge is not modelled (it does not depend on when energy is used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from .calendar import DayType, day_type

JST = timezone(timedelta(hours=9), "JST")
ALL_MONTHS: frozenset[int] = frozenset(range(1, 13))
ALL_DAY_TYPES: frozenset[DayType] = frozenset(DayType)
RENEWABLE_LEVY_2025 = 3.98  # yen/kWh, May 2025 - Apr 2026 [S3]
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
        kind = day_type(local.date(), new_year_break=self.new_year_break)
        for band in self.bands:
            if band.applies(local.month, kind, local.hour):
                return band
        raise AssertionError("unreachable: the last band covers everything")

    def buy_price(self, when: datetime) -> float:
        """Price of one bought kWh at `when`, levy and fuel adjustment included."""
        local = when.astimezone(JST)
        return self.band_at(local).price + self.renewable_levy + self.fuel_adjustment[local.month - 1]

    def buy_prices(self, times: Sequence[datetime]) -> list[float]:
        """``buy_price`` of each time."""
        return [self.buy_price(t) for t in times]

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
