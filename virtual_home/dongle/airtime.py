"""The ARIB STD-T108 transmission-time budget: at most `budget` seconds on air in any `window` (PROTOCOL.md §3.8).

The ledger keeps each transmission's start and air time; a transmission counts while it is younger than the window
(a sliding hour). The dongle is limited (EVENT 32, SFB=1) once the air time in the window reaches the budget and
released (EVENT 33) when old transmissions have aged out below it.
"""

from __future__ import annotations

from collections import deque


class AirtimeLedger:
    """Air time in a sliding window, and the cumulative total (register SFD)."""

    def __init__(self, budget: float, window: float) -> None:
        self.budget = budget
        self.window = window
        self._entries: deque[tuple[float, float]] = deque()
        self._in_window = 0.0
        self.total = 0.0  # seconds on air since power-on

    def record(self, now: float, seconds: float) -> None:
        """One transmission of `seconds` air time at `now`."""
        self._entries.append((now, seconds))
        self._in_window += seconds
        self.total += seconds

    def used(self, now: float) -> float:
        """Air time within the window that ends at `now`."""
        while self._entries and self._entries[0][0] + self.window <= now:
            _, seconds = self._entries.popleft()
            self._in_window -= seconds
        if not self._entries:
            self._in_window = 0.0  # no float drift once the window is empty
        return self._in_window

    def exhausted(self, now: float) -> bool:
        """Whether the budget is used up."""
        return self.used(now) >= self.budget

    def next_expiry(self) -> float | None:
        """When the oldest transmission in the window leaves it."""
        return self._entries[0][0] + self.window if self._entries else None


def air_time(payload_len: int, *, overhead_bytes: int, bitrate: int) -> float:
    """Seconds on air for one UDP payload of `payload_len` bytes."""
    return (payload_len + overhead_bytes) * 8 / bitrate
