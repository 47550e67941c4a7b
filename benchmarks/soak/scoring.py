"""The soak's figures from what it observed: pure functions, so a planted fault in the data shows that they can fail.

Times are simulated seconds (POSIX timestamps of the frozen clock). An entity's unavailability counts only where no
fault window of its device covers it; a recovery is the time from a fault's end until every entity of the affected
device is available again with a value written after the end; statistics rows are checked against the meter's own
registers at full hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import itertools
import logging
import statistics

type Interval = tuple[float, float]

SUM_TOLERANCE_KWH = 1e-6


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def uncovered_seconds(spans: Iterable[Interval], excused: Iterable[Interval]) -> float:
    """How much of `spans` lies outside every interval of `excused`."""
    covers = _merge(excused)
    total = 0.0
    for start, end in _merge(spans):
        length = end - start
        for cover_start, cover_end in covers:
            length -= max(0.0, min(end, cover_end) - max(start, cover_start))
        total += max(0.0, length)
    return total


@dataclass(frozen=True, slots=True)
class Recovery:
    """One injected fault and how it ended: `recover_s` None when it did not recover by its deadline."""

    kind: str
    recover_s: float | None


def summarize_faults(recoveries: Sequence[Recovery], kinds: Iterable[str]) -> dict[str, dict[str, object]]:
    """Per kind: count, median and max recovery (s), and whether any needed a restart (did not recover in time)."""
    summary: dict[str, dict[str, object]] = {}
    for kind in kinds:
        mine = [r for r in recoveries if r.kind == kind]
        times = [r.recover_s for r in mine if r.recover_s is not None]
        summary[kind] = {
            "count": len(mine),
            "recover_s_median": round(statistics.median(times), 1) if times else None,
            "recover_s_max": round(max(times), 1) if times else None,
            "restart_needed": any(r.recover_s is None for r in mine),
        }
    return summary


def unavailable_extra(
    unavailable: Mapping[str, Sequence[Interval]], excused: Mapping[str, Sequence[Interval]]
) -> dict[str, object]:
    """Minutes of unavailability beyond the fault windows: the total and the entities that have any."""
    per_entity = {
        entity: round(uncovered_seconds(spans, excused.get(entity, ())) / 60, 2)
        for entity, spans in sorted(unavailable.items())
    }
    nonzero = {entity: minutes for entity, minutes in per_entity.items() if minutes > 0}
    return {"total": round(sum(nonzero.values()), 2), "per_entity": nonzero}


@dataclass(frozen=True, slots=True)
class StatisticsCheck:
    """Hourly rows against the meter: expected hours without a row, rows counted twice, rows with a wrong increase."""

    expected: int
    rows: int
    missing: int
    duplicated: int
    mismatched: int


@dataclass(frozen=True, slots=True)
class HourRow:
    """One long-term statistics row: its start (timestamp) and its running sum (kWh)."""

    start: float
    sum_kwh: float


def check_statistics(rows: Sequence[HourRow], registers: Mapping[float, float], until: float) -> StatisticsCheck:
    """Compare rows with the meter's registers (kWh at full hours, by timestamp).

    An hour is expected when the meter holds its register at both ends and it ended by `until`. A row whose start
    appears twice, or whose increase over the previous row exceeds the meter's energy of that hour, counts as
    duplicated; any other wrong increase as mismatched.
    """
    expected = {hour for hour in registers if hour + 3600 in registers and hour + 3600 <= until}
    starts = [row.start for row in rows]
    duplicated = len(starts) - len(set(starts))
    mismatched = 0
    ordered = sorted(rows, key=lambda row: row.start)
    for previous, row in itertools.pairwise(ordered):
        if row.start not in expected or row.start - previous.start != 3600:
            continue
        truth = registers[row.start + 3600] - registers[row.start]
        step = row.sum_kwh - previous.sum_kwh
        if step > truth + SUM_TOLERANCE_KWH:
            duplicated += 1
        elif step < truth - SUM_TOLERANCE_KWH:
            mismatched += 1
    # The meter's whole history is within the integration's backfill (31 days): every hour it holds is expected.
    present = set(starts)
    missing = sum(1 for hour in expected if hour not in present)
    return StatisticsCheck(len(expected), len(rows), missing, duplicated, mismatched)


class ExceptionCounter(logging.Handler):
    """Counts log records that carry a traceback (exc_info), keeping the first few messages."""

    def __init__(self, keep: int = 5) -> None:
        """Keep up to `keep` sample messages."""
        super().__init__(level=logging.DEBUG)
        self.count = 0
        self.errors = 0
        self.samples: list[str] = []
        self._keep = keep

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record when it has a traceback (and every ERROR or worse separately)."""
        if record.levelno >= logging.ERROR:
            self.errors += 1
        if record.exc_info is None or record.exc_info[0] is None:
            return
        self.count += 1
        if len(self.samples) < self._keep:
            self.samples.append(f"{record.name}: {record.getMessage()} ({record.exc_info[0].__name__})")


@dataclass(frozen=True, slots=True)
class HandOver:
    """The executor handed a device back to its own operation at `at`, for `reason` (`HandBackReason`)."""

    at: float
    device: str
    reason: str


def _first_after(at: float, moments: Iterable[float]) -> float | None:
    later = [moment for moment in moments if moment > at]
    return round(min(later) - at, 1) if later else None


def resumptions(
    handovers: Sequence[HandOver], fresh: Sequence[float], writes: Mapping[str, Sequence[float]], reason: str
) -> list[dict[str, object]]:
    """For each hand-over for `reason`: seconds until the executor had fresh data again (`fresh`: the moments of its
    steps that did) and until it next wrote to that device (None: not by the end of the run)."""
    return [
        {
            "device": handover.device,
            "at": handover.at,
            "fresh_again_after_s": _first_after(handover.at, fresh),
            "wrote_again_after_s": _first_after(handover.at, writes.get(handover.device, ())),
        }
        for handover in handovers
        if handover.reason == reason
    ]
