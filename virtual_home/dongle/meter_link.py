"""The smart meter as the dongle emulator sees it: ECHONET Lite frames in, frames out, pushes through a notifier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class MeterLink(Protocol):
    """The meter's ECHONET node behind the B-route (implemented by `virtual_home.meter.SmartMeter`).

    The emulator passes every ECHONET payload a controller sends to the meter over an authenticated session
    (`SKSENDTO … 0E1A` with security) to `handle`, including INFC_Res answers, and turns the returned frames into
    ERXUDP lines. It attaches its sender with `set_notifier` when a PANA session has been established by SKJOIN
    (right after EVENT 25) and detaches it (None) when the session ends (SKTERM, EVENT 24/26, expiry without
    re-authentication, SKRESET, power cycle). On attach the meter announces its instance list (INF D5 from 0x0EF001,
    PROTOCOL.md §2.1), which the emulator delivers to FF02::1; all other pushes (EA/EB at :00/:30) go to the dongle.
    Pushes arriving while the session re-authenticates (between EVENT 29 and EVENT 25) are lost.
    """

    def handle(self, payload: bytes) -> list[bytes]:
        """Answer one ECHONET Lite request frame (no answer: an empty list)."""
        ...  # pragma: no cover - protocol

    def set_notifier(self, send: Callable[[bytes], None] | None) -> None:
        """Attach (or with None detach) the function through which the meter pushes INF/INFC frames."""
        ...  # pragma: no cover - protocol
