"""Which fault happens when: a seeded plan of the soak, one fault at a time.

Every simulated day is cut into one slot per fault kind (two hours each for the twelve kinds) and each kind gets one
slot in a random order; the fault starts in the first ten minutes of its slot, so it has ended (the air-time limit
lasts its window, an hour) and the integration has had time to recover before the next slot begins. One fault at a
time makes every recovery attributable to its fault. Home Assistant restarts once, at the end of a slot in the middle
of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import random
from typing import Final

DAY_S: Final = 86_400.0
START_JITTER_S: Final = 600.0
RESTART_OFFSET_S: Final = 6_000.0  # into its slot: after the slot's fault and its recovery


class FaultKind(StrEnum):
    """The fault catalogue of the virtual home, as the soak injects it."""

    LOSS_BURST = "loss_burst"
    DELAY = "delay"
    SILENCE = "silence"
    REBOOT = "reboot"
    ADDRESS_CHANGE = "address_change"
    GARBAGE_DATAGRAMS = "garbage_datagrams"
    BATCH_CAP = "batch_cap"
    SESSION_EXPIRY = "session_expiry"
    DONGLE_UNPLUG = "dongle_unplug"
    SERIAL_GARBAGE = "serial_garbage"
    TRANSMIT_LIMIT = "transmit_limit"
    METER_TAKEN = "meter_taken"
    HA_RESTART = "ha_restart"


NODE_KINDS: Final = frozenset(
    {
        FaultKind.LOSS_BURST,
        FaultKind.DELAY,
        FaultKind.SILENCE,
        FaultKind.REBOOT,
        FaultKind.ADDRESS_CHANGE,
        FaultKind.BATCH_CAP,
    }
)
METER_KINDS: Final = frozenset(
    {
        FaultKind.SESSION_EXPIRY,
        FaultKind.DONGLE_UNPLUG,
        FaultKind.SERIAL_GARBAGE,
        FaultKind.TRANSMIT_LIMIT,
        FaultKind.METER_TAKEN,
    }
)
DAILY_KINDS: Final = tuple(kind for kind in FaultKind if kind is not FaultKind.HA_RESTART)
SLOT_S: Final = DAY_S / len(DAILY_KINDS)
# Simulated seconds a windowed fault lasts (low, high); instant faults have none.
DURATIONS: Final[dict[FaultKind, tuple[float, float]]] = {
    FaultKind.LOSS_BURST: (60.0, 600.0),
    FaultKind.DELAY: (60.0, 600.0),
    FaultKind.SILENCE: (60.0, 900.0),
    FaultKind.REBOOT: (30.0, 300.0),  # power off this long, then on (announcing its instance list)
    FaultKind.BATCH_CAP: (300.0, 1800.0),
    FaultKind.DONGLE_UNPLUG: (30.0, 600.0),
    FaultKind.METER_TAKEN: (300.0, 1800.0),
}
# The severity drawn for a fault: loss probability, answer delay (s), properties per answer, datagrams.
LEVELS: Final[dict[FaultKind, tuple[float, float]]] = {
    FaultKind.LOSS_BURST: (0.3, 0.9),
    FaultKind.DELAY: (0.5, 4.0),
    FaultKind.BATCH_CAP: (1.0, 3.0),
    FaultKind.GARBAGE_DATAGRAMS: (50.0, 300.0),
}


@dataclass(frozen=True, slots=True)
class PlannedFault:
    """One fault: when (simulated seconds after the soak's start), how long, where (a node's index) and how bad."""

    kind: FaultKind
    at_s: float
    duration_s: float
    deadline_s: float  # recovery must be complete by then (the next slot's start)
    node: int | None = None
    level: float = 0.0


def plan_faults(days: int, seed: int, nodes: int) -> list[PlannedFault]:
    """Every kind once per simulated day at seeded random times, plus one Home Assistant restart mid-run."""
    if days < 1 or nodes < 1:
        raise ValueError("a soak needs at least one day and one node")
    rng = random.Random(seed)
    plan: list[PlannedFault] = []
    for day in range(days):
        order = list(DAILY_KINDS)
        rng.shuffle(order)
        for slot, kind in enumerate(order):
            slot_start = day * DAY_S + slot * SLOT_S
            plan.append(_fault(kind, slot_start, rng, nodes))
    middle = int(days * len(DAILY_KINDS) / 2)
    restart_at = middle * SLOT_S - SLOT_S + RESTART_OFFSET_S if middle else RESTART_OFFSET_S
    plan.append(PlannedFault(FaultKind.HA_RESTART, restart_at, 0.0, restart_at + SLOT_S - RESTART_OFFSET_S))
    return sorted(plan, key=lambda fault: fault.at_s)


def _fault(kind: FaultKind, slot_start: float, rng: random.Random, nodes: int) -> PlannedFault:
    low, high = DURATIONS.get(kind, (0.0, 0.0))
    level_low, level_high = LEVELS.get(kind, (0.0, 0.0))
    level = rng.uniform(level_low, level_high)
    if kind in (FaultKind.BATCH_CAP, FaultKind.GARBAGE_DATAGRAMS):
        level = float(round(level))
    return PlannedFault(
        kind=kind,
        at_s=slot_start + rng.uniform(0.0, START_JITTER_S),
        duration_s=rng.uniform(low, high),
        deadline_s=slot_start + SLOT_S,
        node=rng.randrange(nodes) if kind in NODE_KINDS else None,
        level=level,
    )
