"""Time for the B-route stack: an injectable clock, and waits measured in protocol seconds.

Every radio-level duration of the stack (scan and join timeouts, the AIF response timers, back-off, the
re-authentication watchdog) is stated in protocol seconds and slept or awaited through `Clock.wall_seconds`, so a test
can run the stack against the virtual home's accelerated `SimClock` (which satisfies `Clock` as it is) and a day of
B-route life passes in seconds. UART replies (a dongle answering a command) are real time and not scaled.
A timeout never shrinks below `floor` real seconds, so an accelerated clock cannot starve a wait for event-loop
latency; in production (`SystemClock`) every protocol timeout is far above the floor.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Final, Protocol

from ..echonet.specs.datatypes import JST

DEFAULT_FLOOR: Final = 0.5


class Clock(Protocol):
    """Where the stack reads time (aware datetimes; readings are stamped in JST) and how fast protocol time runs."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...  # pragma: no cover - protocol

    def wall_seconds(self, sim_seconds: float) -> float:
        """How many real seconds `sim_seconds` protocol seconds take."""
        ...  # pragma: no cover - protocol


class SystemClock:
    """Real time in Japan Standard Time."""

    def now(self) -> datetime:
        """The current time in JST."""
        return datetime.now(JST)

    def wall_seconds(self, sim_seconds: float) -> float:
        """Protocol time is real time."""
        return sim_seconds


class Timing:
    """Sleeps and timeouts in protocol seconds, on a `Clock`."""

    def __init__(self, clock: Clock, floor: float = DEFAULT_FLOOR) -> None:
        self.clock = clock
        self.floor = floor

    def now(self) -> datetime:
        """The clock's time in JST."""
        return self.clock.now().astimezone(JST)

    def timeout(self, seconds: float) -> float:
        """Real seconds to wait for something that should happen within `seconds` protocol seconds."""
        return max(self.clock.wall_seconds(seconds), self.floor)

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` protocol seconds."""
        await asyncio.sleep(max(0.0, self.clock.wall_seconds(seconds)))
