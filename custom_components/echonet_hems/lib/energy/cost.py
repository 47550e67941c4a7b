"""Cost of bought energy and value of sold energy from the meter's 30-minute values.

cost = Σ kWh_i × (band price at the interval's start + renewable levy + fuel adjustment of its month)

for a time-of-use tariff (bands start and end on whole hours, so a 30-minute interval never straddles two bands).
For a tiered tariff each interval's kWh is split across the monthly steps, counting from what was bought earlier
in the same calendar month (JST): `month_kwh_before` for the month of the first interval, and 0 again from the
first interval of each later month. sales = sell price × Σ kWh sold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from types import MappingProxyType

from .tariff import JST, Tariff
from .tariff_tiered import TieredTariff

type Interval = tuple[datetime, float]
"""(start of a metering interval as an aware datetime, kWh in the interval)."""


@dataclass(frozen=True, slots=True)
class CostResult:
    """What some bought energy cost, in total and per band (tier step for a tiered tariff)."""

    buy_yen: float
    kwh: float
    per_band: Mapping[str, float]  # yen per band name, levy and fuel adjustment included; sums to buy_yen
    kwh_per_band: Mapping[str, float]
    month_kwh_after: float  # kWh bought in the month of the last interval, for the next call


def _check(intervals: Sequence[Interval]) -> None:
    for (start, kwh), (later, _) in pairwise(intervals):
        if later <= start:
            raise ValueError(f"intervals must be in time order: {later.isoformat()} after {start.isoformat()}")
        if kwh < 0:
            raise ValueError("energy must not be negative")
    if intervals and intervals[-1][1] < 0:
        raise ValueError("energy must not be negative")


def _month_of(when: datetime) -> tuple[int, int]:
    local = when.astimezone(JST)
    return local.year, local.month


class _Tally:
    """Running totals per band."""

    def __init__(self) -> None:
        self.yen: dict[str, float] = {}
        self.kwh: dict[str, float] = {}

    def add(self, band: str, kwh: float, yen: float) -> None:
        self.yen[band] = self.yen.get(band, 0.0) + yen
        self.kwh[band] = self.kwh.get(band, 0.0) + kwh


def _tiered_tally(tariff: TieredTariff, intervals: Sequence[Interval], month_kwh: float) -> tuple[_Tally, float]:
    tally = _Tally()
    month = _month_of(intervals[0][0]) if intervals else None
    for start, kwh in intervals:
        if _month_of(start) != month:
            month, month_kwh = _month_of(start), 0.0  # a new calendar month starts the steps again
        extra = tariff.renewable_levy + tariff.fuel_adjustment[start.astimezone(JST).month - 1]
        for share in tariff.split(month_kwh, kwh):
            tally.add(share.step.name, share.kwh, share.kwh * (share.step.price + extra))
        month_kwh += kwh
    return tally, month_kwh


def _tou_tally(tariff: Tariff, intervals: Sequence[Interval], month_kwh: float) -> tuple[_Tally, float]:
    tally = _Tally()
    month = _month_of(intervals[0][0]) if intervals else None
    for start, kwh in intervals:
        if _month_of(start) != month:
            month, month_kwh = _month_of(start), 0.0
        tally.add(tariff.band_at(start).name, kwh, kwh * tariff.buy_price(start))
        month_kwh += kwh
    return tally, month_kwh


def cost_of_intervals(
    tariff: Tariff | TieredTariff, intervals: Sequence[Interval], *, month_kwh_before: float = 0.0
) -> CostResult:
    """Cost of the bought kWh of each interval (in time order) under `tariff`; see the module docstring."""
    _check(intervals)
    if month_kwh_before < 0:
        raise ValueError("energy must not be negative")
    if isinstance(tariff, TieredTariff):
        tally, month_kwh = _tiered_tally(tariff, intervals, month_kwh_before)
    else:
        tally, month_kwh = _tou_tally(tariff, intervals, month_kwh_before)
    return CostResult(
        buy_yen=sum(tally.yen.values()),
        kwh=sum(kwh for _, kwh in intervals),
        per_band=MappingProxyType(tally.yen),
        kwh_per_band=MappingProxyType(tally.kwh),
        month_kwh_after=month_kwh,
    )


def sales_of_intervals(sell_price: float, intervals: Sequence[Interval]) -> float:
    """Yen earned for the sold kWh of each interval at `sell_price` yen/kWh."""
    _check(intervals)
    return sell_price * sum(kwh for _, kwh in intervals)
