"""Test support for the B-route stack: the virtual home's dongle on a pty or TCP, a scripted fake dongle, recorders.

`rig(...)` runs a `VirtualHome` on an accelerated `SimClock` (600×: a day in 2.4 minutes) with its smart meter behind
the emulated dongle, served on a real pty (behind a stable symlink, like /dev/serial/by-id) or a loopback TCP port.
The client gets the same clock, so its protocol timeouts and back-off run 600× faster too.

`FakeDongle` is an in-memory serial port that answers each command with canned bytes (the transcripts of
VECTORS.md §C), for replays and for faults the emulator cannot produce.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from custom_components.echonet_hems.lib.broute.session import BRouteSession, LinkState, SessionOptions, SessionStatus
from virtual_home.clock import JST
from virtual_home.dongle import Dialect as EmulatedDialect, DongleOptions, DonglePort
from virtual_home.dongle.meter_link import MeterLink
from virtual_home.meter import MeterConfig
from virtual_home.runtime import HomeOptions, VirtualHome

ROUTE_B_ID = "0123456789ABCDEF0123456789ABCDEF"
PASSWORD = "VHPASSWORD12"
START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)  # a clear noon: the home exports
SPEED = 600.0
BASE_ADDRESS = "127.0.3.11"  # the home's LAN nodes (unused here) stay clear of other tests' addresses
WAIT = 5.0  # real seconds: a safety net against hangs, never a wait for simulated time
DIALECTS = ("bp35a1", "bp35c0")
TRANSPORTS = ("pty", "tcp")


@dataclass
class Rig:
    """A running virtual home with its dongle plugged in."""

    home: VirtualHome
    port: DonglePort
    url: str

    def session(self, password: str = PASSWORD, **options: object) -> BRouteSession:
        """A session on this dongle with the home's clock."""
        return BRouteSession(
            self.url,
            ROUTE_B_ID,
            password,
            clock=self.home.clock,
            options=SessionOptions(**options),  # type: ignore[arg-type]
        )


@contextlib.asynccontextmanager
async def rig(
    dialect: str,
    transport: str,
    tmp_path: Path,
    *,
    dongle: DongleOptions | None = None,
    meter_config: MeterConfig | None = None,
    wrap_meter: Callable[[MeterLink], MeterLink] | None = None,
    start: datetime = START,
    history_days: int = 1,
) -> AsyncIterator[Rig]:
    """The virtual home and its dongle on a pty (`transport="pty"`) or TCP (`"tcp"`)."""
    options = HomeOptions(
        start=start,
        speed=SPEED,
        base_address=BASE_ADDRESS,
        history_days=history_days,
        step_seconds=300.0,
        meter=meter_config or MeterConfig(),
    )
    async with VirtualHome(options) as home:
        meter: MeterLink = home.meter if wrap_meter is None else wrap_meter(home.meter)
        pty = transport == "pty"
        port = DonglePort(
            EmulatedDialect(dialect),
            meter,
            home.clock,
            route_b_id=ROUTE_B_ID,
            password=PASSWORD,
            options=dongle,
            pty=pty,
            symlink=tmp_path / "wisun-dongle" if pty else None,
            tcp=not pty,
        )
        endpoints = await port.start()
        url = endpoints.pty_path if pty else endpoints.tcp_url
        assert url is not None
        try:
            yield Rig(home, port, url)
        finally:
            await port.close()


class StateRecorder:
    """Every status a session reports, and a way to wait for one."""

    def __init__(self, session: BRouteSession) -> None:
        self.statuses: list[SessionStatus] = []
        self._changed = asyncio.Event()
        session.add_listener(self._record)

    def _record(self, status: SessionStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    @property
    def states(self) -> list[LinkState]:
        """The states seen, consecutive duplicates collapsed."""
        out: list[LinkState] = []
        for status in self.statuses:
            if not out or out[-1] is not status.state:
                out.append(status.state)
        return out

    def mark(self) -> int:
        """A position to look from (`since`)."""
        return len(self.statuses)

    def since(self, mark: int) -> list[LinkState]:
        """States seen after `mark`."""
        return [status.state for status in self.statuses[mark:]]

    async def wait_for(self, predicate: Callable[[SessionStatus], bool], within: float = WAIT) -> SessionStatus:
        """The first status satisfying `predicate` among the latest one and those reported from now on.

        Every reported status is looked at, so a state that lasted only an instant is not missed.
        """
        index = max(0, len(self.statuses) - 1)
        async with asyncio.timeout(within):
            while True:
                while index < len(self.statuses):
                    status = self.statuses[index]
                    index += 1
                    if predicate(status):
                        return status
                self._changed.clear()
                await self._changed.wait()


# ------------------------------------------------------------------------------------------------ fake dongle
type Responder = Callable[[str, bytes], bytes | None]


@dataclass
class FakeWriter:
    """The controller's writing end of a `FakeDongle`."""

    dongle: FakeDongle
    closed: bool = False

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.dongle.receive(data)

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("closed")

    def close(self) -> None:
        self.closed = True

    async def wait_closed(self) -> None:
        return None


@dataclass
class FakeDongle:
    """A serial port whose dongle answers each command through `responder(command, sendto_data)`.

    Output is delivered to the controller in chunks of `chunk` bytes (1 = byte by byte) on later loop iterations.
    `commands` records every command line the controller wrote (SKSENDTO as its header, data apart in `sent_data`).
    """

    responder: Responder
    chunk: int = 7
    garbage_at_open: bytes = b""
    fail_open: Exception | None = None
    commands: list[str] = field(default_factory=list)
    sent_data: list[bytes] = field(default_factory=list)
    opened: int = 0
    reader: asyncio.StreamReader | None = None
    writer: FakeWriter | None = None
    _buffer: bytes = b""

    async def open(self, url: str, baudrate: int) -> tuple[asyncio.StreamReader, FakeWriter]:
        assert baudrate == 115200
        if self.fail_open is not None:
            raise self.fail_open
        self.opened += 1
        self.reader = asyncio.StreamReader()
        self.writer = FakeWriter(self)
        self._buffer = b""
        if self.garbage_at_open:
            self.reader.feed_data(self.garbage_at_open)
        return self.reader, self.writer

    def push(self, data: bytes) -> None:
        """Output from the dongle, delivered in chunks."""
        loop = asyncio.get_running_loop()
        reader = self.reader
        assert reader is not None
        for index in range(0, len(data), self.chunk):
            piece = data[index : index + self.chunk]
            loop.call_soon(lambda piece=piece: None if reader.at_eof() else reader.feed_data(piece))

    def unplug(self, error: Exception | None = None) -> None:
        """The line ends: EOF, or an error on read."""
        reader = self.reader
        assert reader is not None
        if error is None:
            reader.feed_eof()
        else:
            reader.set_exception(error)

    def receive(self, data: bytes) -> None:
        self._buffer += data
        while self._buffer:
            if self._buffer.startswith(b"SKSENDTO "):
                tokens = self._buffer.split(b" ")
                # SKSENDTO handle addr port sec [side] len <data>: the length is the last 4-digit token before data
                header_tokens = next(
                    (count for count in (6, 7) if len(tokens) > count and len(tokens[count - 1]) == 4), None
                )
                if header_tokens is None:
                    return
                header = b" ".join(tokens[:header_tokens]) + b" "
                size = int(tokens[header_tokens - 1], 16)
                if len(self._buffer) < len(header) + size:
                    return
                data_bytes = self._buffer[len(header) : len(header) + size]
                self._buffer = self._buffer[len(header) + size :]
                self._command(header.decode().strip(), data_bytes)
                continue
            ends = [index for index in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if index >= 0]
            if not ends:
                return
            end = min(ends)
            line = self._buffer[:end].decode("ascii", "replace")
            self._buffer = self._buffer[end + 1 :].lstrip(b"\n")
            if line:
                self._command(line, b"")

    def _command(self, line: str, data: bytes) -> None:
        self.commands.append(line)
        if data:
            self.sent_data.append(data)
        answer = self.responder(line, data)
        if answer:
            self.push(answer)


OK = b"OK\r\n"
