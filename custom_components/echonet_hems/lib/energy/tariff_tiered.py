"""Tiered (従量制) tariffs: the price of a kWh depends on how much was already bought in the month, not on the time.

A 従量電灯 plan has three steps (most utilities: up to 120 kWh, 120-300 kWh, above 300 kWh in a month; Hokkaido
uses 280 instead of 300). Some plans (従量電灯A of Kansai, Chugoku, Shikoku, Okinawa) start with a minimum charge
(最低料金) that covers the first kWh of the month; like a basic charge it does not depend on use and is not
modelled: that first step is priced 0.

The month is the calendar month in JST. Real bills run from one meter reading (検針日) to the next, so a bill's
split across steps can differ from ours on the days around the reading; the total over a month is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from .tariff import JST, RENEWABLE_LEVY_2025, PriceOrdering

_EPS_KWH = 1e-9


@dataclass(frozen=True, slots=True)
class TierStep:
    """A price for the month's kWh up to `up_to_kwh` (cumulative; ``None``: no upper end, the last step)."""

    name: str
    price: float
    up_to_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class TierShare:
    """The part of a purchase that falls in one step."""

    step: TierStep
    kwh: float


@dataclass(frozen=True, slots=True)
class TieredTariff:
    """A tariff priced by monthly kWh steps, with the levy and fuel adjustment of ``Tariff``."""

    name: str
    steps: tuple[TierStep, ...]
    sell_price: float
    renewable_levy: float = RENEWABLE_LEVY_2025
    fuel_adjustment: tuple[float, ...] = field(default=(0.0,) * 12)  # yen/kWh per month (Jan … Dec)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a tiered tariff needs at least one step")
        if len(self.fuel_adjustment) != 12:
            raise ValueError("fuel_adjustment needs 12 monthly values")
        if self.steps[-1].up_to_kwh is not None:
            raise ValueError("the last step must have no upper end")
        bounds = [0.0] + [step.up_to_kwh or 0.0 for step in self.steps[:-1]]
        if any(high <= low for low, high in pairwise(bounds)):
            raise ValueError("step ends must be positive and increasing")
        if any(step.price < 0 for step in self.steps):
            raise ValueError("step prices must not be negative")

    @property
    def is_time_of_use(self) -> bool:
        """Never: the price depends on the month's consumption, not on the time."""
        return False

    @property
    def is_flat(self) -> bool:
        """Always, for shifting energy in time: every hour of a day costs the same (the guards' view)."""
        return True

    def price_ordering(self, month: int = 1) -> PriceOrdering:
        """Flat for the guards, unless selling pays at least the dearest step (then selling always wins)."""
        highest = max(step.price for step in self.steps) + self.renewable_levy + self.fuel_adjustment[month - 1]
        return PriceOrdering.SELL_ABOVE_HIGHEST if self.sell_price >= highest else PriceOrdering.FLAT

    def cost_of(self, when: datetime, month_kwh_before: float, kwh: float) -> float:
        """Yen for `kwh` bought at `when` after `month_kwh_before` kWh this month (split across the steps)."""
        return self.price_for(month_kwh_before, kwh, month=when.astimezone(JST).month)

    def step_at(self, month_kwh: float) -> TierStep:
        """The step that prices the next kWh once `month_kwh` kWh were bought this month."""
        for step in self.steps:
            if step.up_to_kwh is None or month_kwh < step.up_to_kwh - _EPS_KWH:
                return step
        raise AssertionError("unreachable: the last step has no upper end")

    def split(self, month_kwh_before: float, kwh: float) -> tuple[TierShare, ...]:
        """How `kwh` bought after `month_kwh_before` kWh this month falls into the steps (in step order)."""
        if month_kwh_before < 0 or kwh < 0:
            raise ValueError("energy must not be negative")
        shares: list[TierShare] = []
        start, left = month_kwh_before, kwh
        for step in self.steps:
            if left <= 0:
                break
            room = left if step.up_to_kwh is None else max(0.0, step.up_to_kwh - start)
            part = min(left, room)
            if part > 0:
                shares.append(TierShare(step, part))
                start += part
                left -= part
        return tuple(shares)

    def price_for(self, month_kwh_before: float, kwh: float, *, month: int | None = None) -> float:
        """Yen for `kwh` bought after `month_kwh_before` kWh this month: the steps' prices plus the levy, and the
        fuel-cost adjustment of `month` (1-12) when given."""
        fuel = 0.0 if month is None else self.fuel_adjustment[month - 1]
        energy = sum(share.kwh * share.step.price for share in self.split(month_kwh_before, kwh))
        return energy + kwh * (self.renewable_levy + fuel)

    def band_name_at(self, when: datetime, month_kwh_before: float = 0.0) -> str:
        """Name of the step that prices the next kWh (the time does not matter)."""
        return self.step_at(month_kwh_before).name

    def buy_price_at(self, when: datetime, month_kwh_before: float = 0.0) -> float:
        """Price of the next kWh bought at `when`, levy and the month's fuel adjustment included."""
        month = when.astimezone(JST).month
        return self.step_at(month_kwh_before).price + self.renewable_levy + self.fuel_adjustment[month - 1]

    def next_change(self, after: datetime) -> datetime | None:
        """Always ``None``: a step changes with consumption, not at a known time."""
        return None
