"""Timed events in simulated time: a heap of callbacks fired by `run_due` (tests) or by the `run` task (a live home).

With a `SimClock` the runner sleeps the real time that corresponds to the next due event; with a `ManualClock` (whose
simulated time never passes by itself) it only wakes when a new event is scheduled, and the test moves time with
`ManualClock.advance` and fires what became due with `run_due` (through `SkStackEmulator.tick`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
import heapq
import logging

from virtual_home.clock import Clock

_LOGGER = logging.getLogger(__name__)
_MAX_FIRINGS_PER_RUN = 100_000  # a callback that keeps rescheduling itself at "now" must not hang the loop
RESOLUTION = 1e-6  # datetimes have microseconds: a timer within this of now is due


@dataclass(order=True, slots=True)
class Timer:
    """One scheduled callback; `cancel` keeps it in the heap but makes it a no-op."""

    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    tag: str = field(compare=False, default="")
    cancelled: bool = field(compare=False, default=False)

    def cancel(self) -> None:
        """Do not fire."""
        self.cancelled = True


class Scheduler:
    """Simulated seconds since construction, and callbacks due at given simulated times."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._origin = clock.now()
        self._heap: list[Timer] = []
        self._seq = 0
        self._wakeup = asyncio.Event()

    def now(self) -> float:
        """Simulated seconds since this scheduler was created."""
        return (self._clock.now() - self._origin).total_seconds()

    def call_later(self, delay: float, callback: Callable[[], None], tag: str = "") -> Timer:
        """Fire `callback` once `delay` simulated seconds have passed."""
        self._seq += 1
        timer = Timer(self.now() + max(0.0, delay), self._seq, callback, tag)
        heapq.heappush(self._heap, timer)
        self._wakeup.set()
        return timer

    def cancel(self, *tags: str) -> None:
        """Cancel every pending timer with one of `tags` (all timers when no tag is given)."""
        for timer in self._heap:
            if not tags or timer.tag in tags:
                timer.cancel()

    def pending(self, tag: str) -> bool:
        """Whether a live timer with that tag is waiting."""
        return any(timer.tag == tag and not timer.cancelled for timer in self._heap)

    def next_due(self) -> float | None:
        """When the next live timer is due (simulated seconds), if any."""
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].due if self._heap else None

    def run_due(self) -> int:
        """Fire every timer that is due now, in order (including ones scheduled by them for now); return the count."""
        fired = 0
        now = self.now()
        while fired < _MAX_FIRINGS_PER_RUN:
            due = self.next_due()
            if due is None or due > now + RESOLUTION:
                break
            timer = heapq.heappop(self._heap)
            fired += 1
            timer.callback()
        return fired

    async def run(self) -> None:
        """Fire timers as simulated time reaches them, until cancelled."""
        while True:
            self._wakeup.clear()
            self.run_due()
            due = self.next_due()
            if due is None:
                await self._wakeup.wait()
                continue
            wall = self._clock.wall_seconds(due - self.now())
            if wall <= 0:
                if due <= self.now() + RESOLUTION:
                    await asyncio.sleep(0)  # more than one run's worth was due: let the loop breathe
                    continue
                await self._wakeup.wait()  # a manual clock: whoever moves time also calls run_due
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wall):
                    await self._wakeup.wait()
