"""Irradiance traces: a CSV of `time,ghi_w_m2` rows (ISO 8601 times, JST when no offset is given) turned into the
`Weather.irradiance_trace` the PV model samples, with linear interpolation between rows and darkness outside them."""

from __future__ import annotations

import bisect
from collections.abc import Callable
import csv
from datetime import datetime
from pathlib import Path

from .clock import JST


def load_irradiance_trace(path: Path) -> Callable[[datetime], float]:
    """Read a trace; raises ValueError naming the line for anything malformed."""
    points: list[tuple[float, float]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].strip().lower() in ("time", "timestamp") or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{number}: expected 'time,ghi_w_m2'")
            try:
                moment = datetime.fromisoformat(row[0].strip())
                ghi = float(row[1])
            except ValueError as err:
                raise ValueError(f"{path}:{number}: {err}") from None
            if ghi < 0:
                raise ValueError(f"{path}:{number}: negative irradiance {ghi}")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=JST)
            points.append((moment.timestamp(), ghi))
    if len(points) < 2:
        raise ValueError(f"{path}: an irradiance trace needs at least two rows")
    points.sort()
    times = [t for t, _ in points]
    values = [v for _, v in points]

    def trace(moment: datetime) -> float:
        ts = moment.timestamp()
        if ts < times[0] or ts > times[-1]:
            return 0.0
        index = bisect.bisect_right(times, ts)
        if index >= len(times):
            return values[-1]
        t0, t1 = times[index - 1], times[index]
        share = (ts - t0) / (t1 - t0) if t1 > t0 else 0.0
        return values[index - 1] + share * (values[index] - values[index - 1])

    return trace
