"""Hourly energy totals from the meter's half-hourly cumulative registers — the rows of an energy statistic.

The meter records its cumulative registers at every :00 and :30 (history E2/E4, pushes EA/EB). An hourly row that
starts at T holds the register at T + 1 h (`state`, kWh) and the energy counted since the series began (`sum`): the
layout of Home Assistant's long-term statistics, kept here without Home Assistant. Registers wrap at 10^D7; an hour
whose end or start is unknown breaks the chain, and the sum carries on from the next known pair (missing energy is
left out, never guessed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from ..echonet.specs.meter import raw_energy_increase, raw_to_kwh
from .readings import DayHistory, Direction, EnergyScale

HOUR: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class RegisterValue:
    """A cumulative register (raw counts) at a full hour, aware."""

    at: datetime
    raw: int


@dataclass(frozen=True, slots=True)
class HourlyTotal:
    """One statistic row: the hour [start, start + 1 h), the register at its end and the running sum (kWh)."""

    start: datetime
    end_raw: int
    state_kwh: float
    sum_kwh: float

    @property
    def end(self) -> datetime:
        """When the hour ends (the register's time)."""
        return self.start + HOUR


def hour_boundaries(history: DayHistory, direction: Direction) -> list[RegisterValue]:
    """The known register values of a day at full hours (00:00, 01:00, … 23:00)."""
    out: list[RegisterValue] = []
    for slot in history.slots:
        raw = slot.import_raw if direction is Direction.IMPORT else slot.export_raw
        if raw is not None and slot.measured_at.minute == 0 and 0 <= raw < history.scale.modulus:
            out.append(RegisterValue(slot.measured_at, raw))
    return out


def hourly_totals(
    boundaries: Iterable[RegisterValue],
    scale: EnergyScale,
    *,
    after: HourlyTotal | None = None,
    until: datetime | None = None,
) -> list[HourlyTotal]:
    """Rows for every hour whose start and end registers are both known, continuing from `after`.

    `boundaries` may come in any order and repeat (days overlap at midnight); only rows that start after
    `after.start` and end no later than `until` are returned, so a meter clock running ahead cannot write the future.
    """
    values = _unique_sorted(boundaries)
    rows: list[HourlyTotal] = []
    last = after
    previous: RegisterValue | None = None
    if after is not None:
        previous = RegisterValue(after.end, after.end_raw)
    for value in values:
        if after is not None and value.at <= after.end:
            continue
        if until is not None and value.at > until:
            break
        if previous is not None and value.at - previous.at == HOUR:
            increase = raw_to_kwh(raw_energy_increase(previous.raw, value.raw, scale.digits), scale.multiplier)
            base = last.sum_kwh if last is not None else 0.0
            last = HourlyTotal(previous.at, value.raw, raw_to_kwh(value.raw, scale.multiplier), base + increase)
            rows.append(last)
        previous = value
    return rows


def _unique_sorted(boundaries: Iterable[RegisterValue]) -> Sequence[RegisterValue]:
    """By time, one value per instant (the first one seen wins; the meter gives the same value twice at midnight)."""
    by_time: dict[datetime, RegisterValue] = {}
    for value in boundaries:
        by_time.setdefault(value.at, value)
    return [by_time[at] for at in sorted(by_time)]
