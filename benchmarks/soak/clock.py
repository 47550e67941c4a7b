"""Simulated time for Home Assistant and the virtual home together: one frozen clock, moved event by event.

The whole process runs on freezegun's clock (the harness's `freezer`): `datetime`, `time.time` and `time.monotonic` —
and with it the event loop's `loop.time()`, which the harness binds to a patchable monotonic. Nothing then happens by
itself in real time: `SimDriver.run_until` lets the loop drain every ready callback and every datagram already in a
socket buffer, then moves the clock straight to the next timer of the loop (a coordinator's poll, a request timeout,
the dongle emulator's next event) or of the virtual home's physics, whichever comes first. A poll that would wait 60
real seconds costs a few hundred microseconds; a timeout still expires after its full simulated length, only later
than everything that was already due.

Limits: I/O must be fast compared with the idle check (loopback UDP and TCP: the bytes are in the peer's buffer when
`send` returns; a thread, e.g. the recorder or an executor job, may finish after time has moved on, which only delays
its result in simulated time), and the virtual home's physics move in `step_seconds` steps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import select
from typing import Any, Protocol

MIN_STEP_S = 0.001  # the smallest move of the clock: a due timer always becomes due
IDLE_ROUNDS = 3  # loop iterations without ready callbacks before the loop counts as idle
IO_GRACE_S = 0.0002  # real seconds to wait once idle, for bytes from a thread or the kernel
THREAD_POLL_S = 0.002  # real seconds between looks at a running thread job
THREAD_WAIT_MAX_S = 30.0  # real seconds after which a thread job no longer holds simulated time


class Freezer(Protocol):
    """What the soak needs of freezegun's factory (pytest-freezer's `freezer`)."""

    def tick(self, delta: float | timedelta = ...) -> object:
        """Move the frozen clock forward."""
        ...  # pragma: no cover - protocol

    def __call__(self) -> datetime:
        """The frozen time."""
        ...  # pragma: no cover - protocol


def next_timer(loop: asyncio.AbstractEventLoop) -> float | None:
    """When (loop time) the loop's next live timer is due, if any."""
    scheduled: list[asyncio.TimerHandle] = getattr(loop, "_scheduled", [])
    live = [handle.when() for handle in scheduled if not handle.cancelled()]
    return min(live) if live else None


def loop_busy(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether callbacks are waiting to run."""
    return bool(getattr(loop, "_ready", ()))


async def settle(loop: asyncio.AbstractEventLoop, threads_busy: Callable[[], bool] = lambda: False) -> None:
    """Run the loop until nothing is ready, no I/O is arriving and no awaited thread job is still running.

    Thread jobs (Home Assistant's executor: module imports at set-up, file access) take real time; simulated time
    waits for them, as it would on a real machine where they take milliseconds of the poll interval.
    """
    waited = 0.0
    while True:
        idle = 0
        while idle < IDLE_ROUNDS:
            await asyncio.sleep(0)
            idle = 0 if loop_busy(loop) else idle + 1
        busy = threads_busy()
        grace = THREAD_POLL_S if busy else IO_GRACE_S
        select.select([], [], [], grace)  # real time: a thread's result or the kernel's bytes get their moment
        waited += grace
        await asyncio.sleep(0)
        if not loop_busy(loop) and not busy:
            return
        if waited > THREAD_WAIT_MAX_S:
            return  # a job that never ends must not hang the soak: time moves on and the job is late


class SimDriver:
    """Moves simulated time for the loop and calls `on_step` at every `step_s` boundary (the virtual home's physics)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        freezer: Freezer,
        step_s: float,
        on_step: Callable[[], None],
        max_jump_s: float = 60.0,
        threads_busy: Callable[[], bool] = lambda: False,
    ) -> None:
        """`max_jump_s` bounds a single move (nothing is scheduled further than that without a reason to look)."""
        self._loop = loop
        self._freezer = freezer
        self._step_s = step_s
        self._on_step = on_step
        self._max_jump_s = max_jump_s
        self._threads_busy = threads_busy
        self._next_step = loop.time() + step_s
        self.moves = 0

    async def run_until(self, deadline: float, *, stop: Callable[[], bool] | None = None) -> None:
        """Advance until loop time `deadline` (or until `stop()` holds after a move)."""
        loop = self._loop
        while True:
            await settle(loop, self._threads_busy)
            now = loop.time()
            if now >= deadline or (stop is not None and stop()):
                return
            target = min(deadline, self._next_step, now + self._max_jump_s)
            timer = next_timer(loop)
            if timer is not None:
                target = min(target, timer)
            self._freezer.tick(max(MIN_STEP_S, target - now))
            self.moves += 1
            if loop.time() >= self._next_step:
                self._next_step += self._step_s
                self._on_step()

    async def run_for(self, seconds: float, *, stop: Callable[[], bool] | None = None) -> None:
        """Advance `seconds` of simulated time."""
        await self.run_until(self._loop.time() + seconds, stop=stop)

    async def run_task_slowly(
        self, task: asyncio.Task[Any], limit_s: float, tick_s: float = 0.1, real_wait_s: float = 0.005
    ) -> Any:
        """Run a set-up step to its end, moving simulated time by `tick_s` at a time: set-up imports modules on Home
        Assistant's import executor, which `threads_busy` cannot see, so each short move gives those threads
        `real_wait_s` real seconds. `RuntimeError` when the task is not done after `limit_s` simulated seconds."""
        deadline = self._loop.time() + limit_s
        while not task.done() and self._loop.time() < deadline:
            await self.run_for(tick_s, stop=task.done)
            select.select([], [], [], real_wait_s)
        if not task.done():
            task.print_stack()
            raise RuntimeError("a set-up step did not finish in simulated time")
        return task.result()
