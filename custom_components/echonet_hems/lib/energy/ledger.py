"""The house's running energy ledger: house consumption as a never-decreasing total, and today's bought, sold,
generated and house energy with their cost, sales and CO2 — from cumulative counters read at any moments.

Each update takes the counters (kWh, read from the meter and the devices) at ``now``. The step since the last update
is priced at the band of the step's start: with the meter's 30-minute values the steps end on the half hours, so
every kWh is priced in its own slot. A counter that goes backwards (a device replaced, a reset) starts a new base
instead of making a negative step; a counter that is missing for a while contributes its whole step when it returns.
Counters of different devices are read at slightly different moments, so a single step of the house balance can come
out negative: it is carried into the next steps rather than published, which keeps the total never-decreasing while
it still adds up over time.

The state is a plain mapping (``as_dict``/``from_dict``) so Home Assistant can store it across restarts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from typing import Protocol

from .balance import ContractMode, EnergyCounters, house_energy_kwh
from .tariff import JST

_COUNTERS = tuple(f.name for f in fields(EnergyCounters))


class BuyPricing(Protocol):
    """What the ledger needs of a tariff: the price of bought energy (levy and fuel adjustment included)."""

    def cost_of(self, when: datetime, month_kwh_before: float, kwh: float) -> float:
        """Yen for `kwh` bought at `when` when `month_kwh_before` were bought earlier in the month (`Tariff` and
        `TieredTariff` both have it)."""
        ...


@dataclass(frozen=True, slots=True)
class DayTotals:
    """Energy (kWh), money (yen) and CO2 (kg) of one day so far."""

    bought_kwh: float = 0.0
    sold_kwh: float = 0.0
    pv_kwh: float = 0.0
    fuel_cell_kwh: float = 0.0
    house_kwh: float = 0.0
    cost_yen: float = 0.0
    sales_yen: float = 0.0
    co2_kg: float = 0.0

    @property
    def generated_kwh(self) -> float:
        """Own generation (PV and fuel cell)."""
        return self.pv_kwh + self.fuel_cell_kwh

    def self_consumption_pct(self, mode: ContractMode) -> float | None:
        """Share of own generation used in the house (not sold); under full purchase PV is all sold, so only the
        fuel cell's generation counts. None before anything was generated."""
        generated = self.fuel_cell_kwh if mode is ContractMode.FULL else self.generated_kwh
        if generated <= 0.0:
            return None
        sold = 0.0 if mode is ContractMode.FULL else self.sold_kwh
        return max(0.0, min(100.0, 100.0 * (generated - sold) / generated))

    def self_sufficiency_pct(self) -> float | None:
        """Share of the house's consumption not bought from the grid. None before the house used anything."""
        if self.house_kwh <= 0.0:
            return None
        return max(0.0, min(100.0, 100.0 * (self.house_kwh - self.bought_kwh) / self.house_kwh))


@dataclass(frozen=True, slots=True)
class LedgerState:
    """Everything the ledger carries from one update to the next."""

    day: date | None = None
    updated: datetime | None = None
    last: dict[str, float] = field(default_factory=dict)
    house_total_kwh: float = 0.0
    house_carry_kwh: float = 0.0  # a negative step waiting to be absorbed by the next positive ones
    month: str = ""  # "YYYY-MM" (JST) of month_bought_kwh
    month_bought_kwh: float = 0.0
    today: DayTotals = field(default_factory=DayTotals)

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly mapping."""
        data = asdict(self)
        data["day"] = self.day.isoformat() if self.day else None
        data["updated"] = self.updated.isoformat() if self.updated else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LedgerState:
        """The state `as_dict` wrote; a damaged mapping gives a fresh ledger (ValueError/TypeError are caught)."""
        try:
            today = data.get("today")
            last = data.get("last")
            return cls(
                day=date.fromisoformat(str(data["day"])) if data.get("day") else None,
                updated=datetime.fromisoformat(str(data["updated"])) if data.get("updated") else None,
                last={str(k): float(v) for k, v in last.items()} if isinstance(last, dict) else {},
                house_total_kwh=float(str(data.get("house_total_kwh", 0.0))),
                house_carry_kwh=float(str(data.get("house_carry_kwh", 0.0))),
                month=str(data.get("month", "")),
                month_bought_kwh=float(str(data.get("month_bought_kwh", 0.0))),
                today=DayTotals(**{str(k): float(v) for k, v in today.items()})
                if isinstance(today, dict)
                else DayTotals(),
            )
        except (KeyError, TypeError, ValueError):
            return cls()


@dataclass(frozen=True, slots=True)
class Prices:
    """How the ledger prices a step: the tariff, the sell price (yen/kWh) and the CO2 factor (kg/kWh)."""

    buy: BuyPricing
    sell_yen_per_kwh: float
    co2_kg_per_kwh: float


def _steps(last: dict[str, float], counters: EnergyCounters) -> tuple[EnergyCounters, dict[str, float]]:
    """Per counter, the kWh since the last reading (0 when unknown or after a reset) and the new last readings."""
    step: dict[str, float] = {}
    new_last = dict(last)
    for name in _COUNTERS:
        value = getattr(counters, name)
        if value is None:
            step[name] = 0.0
            continue
        previous = last.get(name)
        step[name] = value - previous if previous is not None and value >= previous else 0.0
        new_last[name] = value
    return EnergyCounters(**step), new_last


def update(
    state: LedgerState, now: datetime, counters: EnergyCounters, mode: ContractMode, prices: Prices
) -> LedgerState:
    """The ledger after the counters read at `now` (aware)."""
    local = now.astimezone(JST)
    step, last = _steps(state.last, counters)
    today = state.today if state.day == local.date() else DayTotals()
    month = f"{local.year:04d}-{local.month:02d}"
    month_bought = state.month_bought_kwh if state.month == month else 0.0
    priced_at = state.updated if state.updated is not None and state.day == local.date() else now
    house_step = house_energy_kwh(step, mode) or 0.0
    carry = state.house_carry_kwh + house_step
    published = max(carry, 0.0)
    bought, sold = step.bought or 0.0, step.sold or 0.0
    if mode is ContractMode.FULL:  # all PV goes to the sell meter: it is what the house sells
        sold = step.pv or 0.0
    cost = prices.buy.cost_of(priced_at, month_bought, bought) if bought > 0.0 else 0.0
    today = replace(
        today,
        bought_kwh=today.bought_kwh + bought,
        sold_kwh=today.sold_kwh + sold,
        pv_kwh=today.pv_kwh + (step.pv or 0.0),
        fuel_cell_kwh=today.fuel_cell_kwh + (step.fuel_cell or 0.0),
        house_kwh=today.house_kwh + published,
        cost_yen=today.cost_yen + cost,
        sales_yen=today.sales_yen + sold * prices.sell_yen_per_kwh,
        co2_kg=today.co2_kg + bought * prices.co2_kg_per_kwh,
    )
    return LedgerState(
        day=local.date(),
        updated=now,
        last=last,
        house_total_kwh=state.house_total_kwh + published,
        house_carry_kwh=carry - published,
        month=month,
        month_bought_kwh=month_bought + bought,
        today=today,
    )
