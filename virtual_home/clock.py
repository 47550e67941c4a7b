"""Simulated time: wall-clock speed or accelerated, from a given start in Japan Standard Time.

Every part of the virtual home reads time from one `SimClock`, so a whole day can be shown in minutes (`speed`) and
tests can move time by hand (`ManualClock`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
import time
from typing import Protocol

JST = timezone(timedelta(hours=9), "JST")


class Clock(Protocol):
    """What the simulation needs from time."""

    def now(self) -> datetime:
        """The simulated time (aware, JST)."""
        ...  # pragma: no cover - protocol

    def sim_seconds(self, wall_seconds: float) -> float:
        """How many simulated seconds pass in `wall_seconds` of real time."""
        ...  # pragma: no cover - protocol

    def wall_seconds(self, sim_seconds: float) -> float:
        """How many real seconds it takes for `sim_seconds` of simulated time to pass."""
        ...  # pragma: no cover - protocol


class SimClock:
    """Simulated time = start + speed × elapsed real time (a monotonic clock, so wall-clock jumps do not matter)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the start time must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start = start.astimezone(JST)
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        """The simulated time."""
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)

    def sim_seconds(self, wall_seconds: float) -> float:
        """Simulated seconds in `wall_seconds` of real time."""
        return wall_seconds * self.speed

    def wall_seconds(self, sim_seconds: float) -> float:
        """Real seconds for `sim_seconds` of simulated time."""
        return sim_seconds / self.speed


class ManualClock:
    """A clock tests move by hand with `advance`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the start time must be timezone-aware")
        self._now = start.astimezone(JST)

    def now(self) -> datetime:
        """The current simulated time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._now += timedelta(seconds=seconds)

    def sim_seconds(self, wall_seconds: float) -> float:
        """A manual clock does not follow real time: no simulated time passes by itself."""
        return 0.0 * wall_seconds

    def wall_seconds(self, sim_seconds: float) -> float:
        """Everything is immediate for a manual clock."""
        return 0.0 * sim_seconds
