"""The Wi-SUN B-route dongle emulator: SKSTACK-IP text commands in two dialects over a pty or a TCP port.

`SkStackEmulator` is the transport-independent state machine (bytes in, lines out, timed events in simulated time);
`DonglePort` serves it on a pseudo-terminal (with a stable symlink) and/or a loopback TCP port (`socket://` URLs),
with faults: garbage on the line, unplug and replug. The meter behind it is any `MeterLink`.
"""

from __future__ import annotations

from .config import Dialect, DongleFlash, DongleModel, DongleOptions, model_profile
from .meter_link import MeterLink
from .session import LinkState
from .skstack import SkStackEmulator
from .transport import DongleEndpoints, DonglePort

__all__ = [
    "Dialect",
    "DongleEndpoints",
    "DongleFlash",
    "DongleModel",
    "DongleOptions",
    "DonglePort",
    "LinkState",
    "MeterLink",
    "SkStackEmulator",
    "model_profile",
]
