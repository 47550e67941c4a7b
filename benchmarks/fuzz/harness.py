"""The fuzzing loop: feed cases one by one, time each, count crashes and hangs, keep the slowest and the first crashes.

Targets are plain callables `feed(case) -> outcome label | None`. Everything here is synchronous, so a test can drive
a planted target in its own thread without an event loop; the asynchronous targets call `feed_cases` per batch and
give their loop a turn in between.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
import logging
import time
import traceback
from typing import Any, Final

MAX_EXAMPLES: Final = 5  # crashing inputs kept per shard (and per target after merging)
HEX_PREFIX: Final = 48  # bytes of an input shown in the report


@dataclass(frozen=True, slots=True)
class Case:
    """One generated input: the generator's `kind`, its bytes (what the report shows) and, for non-byte targets, the
    structured `value` the target really receives."""

    kind: str
    data: bytes
    value: object = None


type Feed = Callable[[Case], str | None]
type AsyncFeed = Callable[[Case], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class CrashExample:
    """A crashing input and what it raised."""

    kind: str
    input_hex: str
    error: str
    where: str


@dataclass(slots=True)
class Stats:
    """What one shard (or, merged, one target) measured."""

    executions: int = 0
    crashes: int = 0
    hangs: int = 0
    busy_s: float = 0.0
    slowest_us: float = 0.0
    slowest_hex: str = ""
    slowest_kind: str = ""
    examples: list[CrashExample] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Stats) -> None:
        """Add another shard's figures."""
        self.executions += other.executions
        self.crashes += other.crashes
        self.hangs += other.hangs
        self.busy_s += other.busy_s
        if other.slowest_us > self.slowest_us:
            self.slowest_us, self.slowest_hex, self.slowest_kind = (
                other.slowest_us,
                other.slowest_hex,
                other.slowest_kind,
            )
        self.examples.extend(other.examples[: MAX_EXAMPLES - len(self.examples)])
        self.kinds.update(other.kinds)
        self.outcomes.update(other.outcomes)


class ErrorLogCounter(logging.Handler):
    """Counts records logged at ERROR or above: a caught exception logged with a traceback is a crash as well (the
    client logs a failing subscriber instead of raising; asyncio logs an exception in a callback)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.last = f"{record.name}: {record.getMessage()}"[:200]


def install_error_counter() -> ErrorLogCounter:
    """Attach a counter to the root logger (once per process)."""
    counter = ErrorLogCounter()
    logging.getLogger().addHandler(counter)
    return counter


def feed_cases(
    stats: Stats, feed: Feed, cases: Iterable[Case], *, budget_s: float, errors: ErrorLogCounter | None = None
) -> None:
    """Feed every case, one at a time, and account for it in `stats`."""
    perf_counter = time.perf_counter
    for case in cases:
        logged = errors.count if errors is not None else 0
        start = perf_counter()
        try:
            outcome = feed(case)
        except Exception as err:  # noqa: BLE001 - any exception is the finding
            elapsed = perf_counter() - start
            _record_crash(stats, case, f"{type(err).__name__}: {err}"[:200], _where(err))
            outcome = "crash"
        else:
            elapsed = perf_counter() - start
            _check_log(stats, case, errors, logged)
        _account(stats, case, elapsed, outcome, budget_s)


async def afeed_cases(
    stats: Stats,
    feed: AsyncFeed,
    cases: Iterable[Case],
    *,
    budget_s: float,
    cap_s: float,
    errors: ErrorLogCounter | None = None,
) -> None:
    """`feed_cases` for a coroutine target: a case still unanswered after `cap_s` is cancelled and counted as a hang
    whatever the budget, so one stuck input cannot stop the run."""
    perf_counter = time.perf_counter
    for case in cases:
        logged = errors.count if errors is not None else 0
        start = perf_counter()
        bound = asyncio.timeout(cap_s)
        try:
            async with bound:
                outcome = await feed(case)
        except TimeoutError as err:
            elapsed = perf_counter() - start
            if bound.expired():
                outcome = "no answer"
            else:  # the target's own TimeoutError escaped: a finding like any other exception
                _record_crash(stats, case, f"TimeoutError: {err}"[:200], _where(err))
                outcome = "crash"
        except Exception as err:  # noqa: BLE001 - any exception is the finding
            elapsed = perf_counter() - start
            _record_crash(stats, case, f"{type(err).__name__}: {err}"[:200], _where(err))
            outcome = "crash"
        else:
            elapsed = perf_counter() - start
            _check_log(stats, case, errors, logged)
        _account(stats, case, elapsed, outcome, budget_s, hung=outcome == "no answer")


def _check_log(stats: Stats, case: Case, errors: ErrorLogCounter | None, logged: int) -> None:
    if errors is not None and errors.count != logged:
        _record_crash(stats, case, f"logged error: {errors.last}", "log")


def _account(
    stats: Stats, case: Case, elapsed: float, outcome: str | None, budget_s: float, *, hung: bool = False
) -> None:
    stats.executions += 1
    stats.busy_s += elapsed
    stats.kinds[case.kind] += 1
    if outcome is not None:
        stats.outcomes[outcome] += 1
    if hung or elapsed > budget_s:
        stats.hangs += 1
    micros = elapsed * 1e6
    if micros > stats.slowest_us:
        stats.slowest_us, stats.slowest_hex, stats.slowest_kind = micros, show(case), case.kind


def stats_to_json(stats: Stats) -> dict[str, object]:
    """A shard's figures as JSON (a shard run in a subprocess hands them back this way)."""
    return {
        "executions": stats.executions,
        "crashes": stats.crashes,
        "hangs": stats.hangs,
        "busy_s": stats.busy_s,
        "slowest_us": stats.slowest_us,
        "slowest_hex": stats.slowest_hex,
        "slowest_kind": stats.slowest_kind,
        "examples": [[ex.kind, ex.input_hex, ex.error, ex.where] for ex in stats.examples],
        "kinds": dict(stats.kinds),
        "outcomes": dict(stats.outcomes),
    }


def stats_from_json(document: dict[str, Any]) -> Stats:
    """The inverse of `stats_to_json`."""
    return Stats(
        executions=int(document["executions"]),
        crashes=int(document["crashes"]),
        hangs=int(document["hangs"]),
        busy_s=float(document["busy_s"]),
        slowest_us=float(document["slowest_us"]),
        slowest_hex=str(document["slowest_hex"]),
        slowest_kind=str(document["slowest_kind"]),
        examples=[CrashExample(*(str(part) for part in example)) for example in document["examples"]],
        kinds=Counter(document["kinds"]),
        outcomes=Counter(document["outcomes"]),
    )


def show(case: Case) -> str:
    """The hex prefix of a case's bytes, with "…" when cut."""
    text = case.data[:HEX_PREFIX].hex()
    return text + ("…" if len(case.data) > HEX_PREFIX else "")


def _record_crash(stats: Stats, case: Case, error: str, where: str) -> None:
    stats.crashes += 1
    if len(stats.examples) < MAX_EXAMPLES:
        stats.examples.append(CrashExample(case.kind, case.data.hex(), error, where))


def _where(err: BaseException) -> str:
    """The innermost frame of the traceback: file and line where the exception was raised."""
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 3)[-1] if '/' in last.filename else last.filename}:{last.lineno}"
