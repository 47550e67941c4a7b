"""Wi-SUN B-route: the SKSTACK-IP dongle driver, the PANA session and the low-voltage smart meter client.

Layers, bottom up (PROTOCOL.md §2.1, §3):
- `lines` — the dongle's output as typed lines (both dialects, binary or hex ERXUDP), an incremental parser;
- `driver` — the serial line (serialx): one reader loop, one command at a time, async lines to a callback;
- `session` — set-up, dialect detection, scan, join, events, automatic re-join/reconnect, transmit-limit state;
- `meter` — ECHONET Lite to the meter object 0x028801: identity, scale, readings, 30-minute values, history;
- `readings` — the typed results; `credentials` — validation before any I/O; `timing` — the injectable clock.

`python -m custom_components.echonet_hems.lib.broute --port … --id … --password …` is a probe for users (see
`__main__`). Nothing here imports Home Assistant.
"""

from __future__ import annotations

from .credentials import Credentials, InvalidCredentialsError
from .dongle import DongleInfo
from .driver import DongleCommandError, DriverOptions, SkStackDriver
from .hourly import HourlyTotal, RegisterValue, hour_boundaries, hourly_totals
from .lines import Dialect, LineParser
from .meter import MeterTimeouts, SmartMeterClient
from .readings import (
    DayHistory,
    Direction,
    EnergyScale,
    FixedTimeReading,
    HistorySlot,
    MeterIdentity,
    MeterReading,
    TimedEnergy,
)
from .session import (
    BRouteSession,
    LinkState,
    MeterBusyError,
    MeterNotFoundError,
    PanInfo,
    SessionOptions,
    SessionStatus,
    TransmitLimitedError,
)
from .timing import Clock, SystemClock

__all__ = [
    "BRouteSession",
    "Clock",
    "Credentials",
    "DayHistory",
    "Dialect",
    "Direction",
    "DongleCommandError",
    "DongleInfo",
    "DriverOptions",
    "EnergyScale",
    "FixedTimeReading",
    "HistorySlot",
    "HourlyTotal",
    "InvalidCredentialsError",
    "LineParser",
    "LinkState",
    "MeterBusyError",
    "MeterIdentity",
    "MeterNotFoundError",
    "MeterReading",
    "MeterTimeouts",
    "PanInfo",
    "RegisterValue",
    "SessionOptions",
    "SessionStatus",
    "SkStackDriver",
    "SmartMeterClient",
    "SystemClock",
    "TimedEnergy",
    "TransmitLimitedError",
    "hour_boundaries",
    "hourly_totals",
]
