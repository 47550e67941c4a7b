"""The closed loop's figures from what the virtual home really did: pure functions, so a test can plant values.

Cost per run = Σ over 30-minute slots of bought kWh × the tariff's buy price at the slot's start (levy and fuel
adjustment included, `lib/energy/cost.py`) − sold kWh × the sell price. The readings are the home's cumulative ground
truth (`VirtualHome.truth`) taken exactly at each slot boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from statistics import fmean
from typing import Final

from custom_components.echonet_hems.lib.energy.cost import Interval, cost_of_intervals, sales_of_intervals
from custom_components.echonet_hems.lib.energy.tariff import Tariff

HOT_WATER_TOLERANCE_L: Final = 1.0  # litres of 40 °C water short in a day before it counts as a comfort failure
EV_TOLERANCE_KWH: Final = 0.5  # the car may leave this much under its target (the charger's last step)


@dataclass(frozen=True, slots=True)
class Reading:
    """The home's cumulative bought and sold energy (kWh) at a slot boundary."""

    at: datetime
    bought_kwh: float
    sold_kwh: float


@dataclass(frozen=True, slots=True)
class Cost:
    """What a run's energy cost: bought minus sold (yen), and the energies (kWh)."""

    buy_yen: float
    sell_yen: float
    import_kwh: float
    export_kwh: float

    @property
    def net_yen(self) -> float:
        """Bought minus sold."""
        return self.buy_yen - self.sell_yen


@dataclass(frozen=True, slots=True)
class DayComfort:
    """One day's comfort as the physics saw it: hot water short (40 °C litres), the car's energy at each departure."""

    hot_water_short_l: float
    departures_kwh: tuple[float, ...]


def intervals(readings: Sequence[Reading]) -> tuple[list[Interval], list[Interval]]:
    """(bought, sold) per slot, each keyed by the slot's start."""
    bought = [(a.at, max(b.bought_kwh - a.bought_kwh, 0.0)) for a, b in pairwise(readings)]
    sold = [(a.at, max(b.sold_kwh - a.sold_kwh, 0.0)) for a, b in pairwise(readings)]
    return bought, sold


def energy_cost(tariff: Tariff, readings: Sequence[Reading]) -> Cost:
    """The cost of a run's readings under `tariff` (its own sell price)."""
    bought, sold = intervals(readings)
    buy = cost_of_intervals(tariff, bought)
    return Cost(
        buy_yen=buy.buy_yen,
        sell_yen=sales_of_intervals(tariff.sell_price, sold),
        import_kwh=buy.kwh,
        export_kwh=sum(kwh for _, kwh in sold),
    )


def comfort_failures(days: Sequence[DayComfort], ev_target_kwh: float) -> int:
    """Days with hot water short, plus departures of the controlled car under its target."""
    water = sum(1 for day in days if day.hot_water_short_l > HOT_WATER_TOLERANCE_L)
    ev = sum(1 for day in days for kwh in day.departures_kwh if kwh < ev_target_kwh - EV_TOLERANCE_KWH)
    return water + ev


def writes_per_day(per_day: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """Mean writes per device per day."""
    return {device: round(fmean(counts), 2) if counts else 0.0 for device, counts in per_day.items()}


def kappa(savings_yen: float, oracle_savings_yen: float | None) -> float | None:
    """κ = savings in the loop ÷ savings of the perfect-foresight oracle (None without an oracle or its savings)."""
    if oracle_savings_yen is None or abs(oracle_savings_yen) < 1e-9:
        return None
    return round(savings_yen / oracle_savings_yen, 4)


def problems(report: Mapping[str, object], cap: int) -> list[str]:
    """What makes a run a failure: no pause on the hand change, comfort failures, a device over the write cap."""
    found: list[str] = []
    if report.get("hand_change_paused") is not True:
        found.append("the hand change did not pause the battery")
    failures = report.get("comfort_failures")
    if not isinstance(failures, int) or failures != 0:
        found.append(f"comfort failures: {failures}")
    peak = report.get("max_writes_device_day")
    if not isinstance(peak, int) or peak > cap:
        found.append(f"writes per device per day above the cap {cap}: {peak}")
    return found
