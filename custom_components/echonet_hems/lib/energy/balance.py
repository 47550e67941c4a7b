"""The house balance: what the house consumes, in both PV contract modes, from power readings and energy counters.

Where each device sits (the wiring both modes assume):

- surplus purchase (余剰買取): PV, fuel cell, battery and V2H all feed the house bus behind the smart meter; the meter
  measures what the bus imports from (+) or exports to (−) the grid. House consumption is what the bus delivers to
  the loads::

      house = grid + pv + fuel_cell − battery − v2h + max(v2h, 0)   =   grid + pv + fuel_cell − battery − min(v2h, 0)

- full purchase (全量買取): a second meter sells all PV straight to the grid, so PV never reaches the house bus and the
  house meter sees only the house side. PV counts as sold::

      house = grid + fuel_cell − battery − min(v2h, 0)

Signs: grid + import / − export; battery + charging (charging is not consumption, discharging is a source); V2H
+ charging the car / − supplying the house. **Charging the car is house consumption** (it is a load like any other,
the issue's "EV charging counts"), while the car supplying the house (V2H discharge) is a source like the battery:
hence ``− min(v2h, 0)`` adds only the discharge. Energy counters follow the same rule (``v2h_discharged`` is a source,
the car's charging energy needs no counter because the meter already saw it).

Without a smart meter the distribution board's main power (its CT sits on the grid side of the bus) stands in for the
grid. A reading that is ``None`` is unknown and makes the result ``None`` — never 0; a device the house does not have
is passed as ``0.0``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

JST = timezone(timedelta(hours=9), "JST")
_JUST_BEFORE = timedelta(microseconds=1)


class ContractMode(StrEnum):
    """How the PV is contracted."""

    SURPLUS = "surplus"  # 余剰買取: PV serves the house first, the surplus is sold
    FULL = "full"  # 全量買取: all PV is sold through its own meter


@dataclass(frozen=True, slots=True)
class PowerReadings:
    """Instantaneous powers in W (``None`` = unknown; ``0.0`` = the house has no such device)."""

    grid_w: float | None = None  # smart meter, + import / − export
    pv_w: float | None = 0.0  # sum of all power conditioners
    fuel_cell_w: float | None = 0.0
    battery_w: float | None = 0.0  # + charging
    v2h_w: float | None = 0.0  # + charging the car / − supplying the house
    board_w: float | None = None  # distribution board main, + import


def house_power_w(readings: PowerReadings, mode: ContractMode) -> float | None:
    """House consumption in W (formulas in the module docstring); ``None`` when an input it needs is unknown."""
    grid = readings.grid_w if readings.grid_w is not None else readings.board_w
    pv = readings.pv_w if mode is ContractMode.SURPLUS else 0.0
    fuel_cell, battery, v2h = readings.fuel_cell_w, readings.battery_w, readings.v2h_w
    if grid is None or pv is None or fuel_cell is None or battery is None or v2h is None:
        return None
    return grid + pv + fuel_cell - battery - min(v2h, 0.0)


class GenerationStatus(StrEnum):
    """The reference controller's generation LED."""

    SOLAR = "solar"  # PV generating (also while a fuel cell runs)
    EXTERNAL = "external"  # only fuel cell / gas generation
    NONE = "none"


def generation_status(
    pv_w: float | None, fuel_cell_w: float | None, threshold_w: float = 30.0
) -> GenerationStatus | None:
    """Which source generates at least `threshold_w`; ``None`` when an unknown reading could change the answer."""
    if pv_w is not None and pv_w >= threshold_w:
        return GenerationStatus.SOLAR
    if pv_w is None:
        return None
    if fuel_cell_w is None:
        return None
    return GenerationStatus.EXTERNAL if fuel_cell_w >= threshold_w else GenerationStatus.NONE


@dataclass(frozen=True, slots=True)
class EnergyCounters:
    """Cumulative kWh counters (or, inside ``DailyBalance``, today's increments of them). ``None`` = unknown."""

    bought: float | None = None  # smart meter, normal direction
    sold: float | None = 0.0  # smart meter, reverse direction
    pv: float | None = 0.0
    fuel_cell: float | None = 0.0
    battery_charged: float | None = 0.0
    battery_discharged: float | None = 0.0
    v2h_discharged: float | None = 0.0


def house_energy_kwh(counters: EnergyCounters, mode: ContractMode) -> float | None:
    """House consumption in kWh from counters (or increments), by the power formula; ``None`` when one is unknown.

    The meter's reverse counter is subtracted in both modes: in full purchase it stays at zero (PV has its own
    meter), and should anything flow back through the house meter it was not consumed.
    """
    pv = counters.pv if mode is ContractMode.SURPLUS else 0.0
    parts = (
        counters.bought,
        counters.sold,
        pv,
        counters.fuel_cell,
        counters.battery_charged,
        counters.battery_discharged,
        counters.v2h_discharged,
    )
    if any(part is None for part in parts):
        return None
    bought, sold, own_pv, fuel_cell, charged, discharged, v2h = (float(part or 0.0) for part in parts)
    return bought - sold + own_pv + fuel_cell - charged + discharged + v2h


def _step(previous: float | None, current: float | None) -> tuple[float | None, float]:
    """(new base, increment) of one counter: a counter going backwards (wrap, reset, replaced device) starts a new
    base with no step, so a day total never decreases; an unknown reading keeps the old base."""
    if current is None:
        return previous, 0.0
    if previous is None or current < previous:
        return current, 0.0
    return current, current - previous


_ZERO = EnergyCounters(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
_UNKNOWN = EnergyCounters(None, None, None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class DailyBalance:
    """Today's energy balance from counter snapshots, reset at JST midnight (the caller passes the time).

    Immutable: ``add`` and ``rolled`` return the new state, so the HA side can store and restore it.
    An interval between two snapshots counts for the day it ends in (a snapshot at exactly 00:00 closes the old day).
    """

    mode: ContractMode = ContractMode.SURPLUS
    day: date | None = None
    base: EnergyCounters = _UNKNOWN
    today: EnergyCounters = _ZERO

    def add(self, when: datetime, counters: EnergyCounters) -> DailyBalance:
        """The balance after a snapshot of the counters taken at the aware time `when`."""
        local = when.astimezone(JST)
        interval_day = (local - _JUST_BEFORE).date()
        state = self if self.day == interval_day else replace(self, day=interval_day, today=_ZERO)
        base: dict[str, float | None] = {}
        today: dict[str, float | None] = {}
        for field in fields(EnergyCounters):
            new_base, increment = _step(getattr(state.base, field.name), getattr(counters, field.name))
            base[field.name] = new_base
            today[field.name] = (getattr(state.today, field.name) or 0.0) + increment
        added = replace(state, base=EnergyCounters(**base), today=EnergyCounters(**today))
        return added.rolled(when)

    def rolled(self, now: datetime) -> DailyBalance:
        """The balance as seen at `now`: zero totals once `now` is on a later JST day than the last snapshot."""
        local_day = now.astimezone(JST).date()
        if self.day is None or local_day > self.day:
            return replace(self, day=local_day, today=_ZERO)
        return self

    @property
    def bought_kwh(self) -> float:
        """kWh bought today."""
        return self.today.bought or 0.0

    @property
    def sold_kwh(self) -> float:
        """kWh sold today (in full purchase: all PV, plus anything the house meter exported)."""
        sold = self.today.sold or 0.0
        return sold + (self.today.pv or 0.0) if self.mode is ContractMode.FULL else sold

    @property
    def generated_kwh(self) -> float:
        """kWh generated today by own sources (PV and fuel cell)."""
        return (self.today.pv or 0.0) + (self.today.fuel_cell or 0.0)

    @property
    def house_kwh(self) -> float:
        """kWh the house consumed today."""
        return house_energy_kwh(self.today, self.mode) or 0.0

    @property
    def self_consumption_pct(self) -> float | None:
        """Share of today's generation used in the house (not sold), %; ``None`` before anything was generated."""
        generated = self.generated_kwh
        if generated <= 0.0:
            return None
        return _clamp_pct(100.0 * (generated - self.sold_kwh) / generated)

    @property
    def self_sufficiency_pct(self) -> float | None:
        """Share of today's house consumption not bought from the grid, %; ``None`` before any consumption."""
        house = self.house_kwh
        if house <= 0.0:
            return None
        return _clamp_pct(100.0 * (house - self.bought_kwh) / house)


def _clamp_pct(value: float) -> float:
    return min(max(value, 0.0), 100.0)
