"""Serving the dongle emulator where a controller expects a USB dongle: a pseudo-terminal and/or a TCP port.

The pty is in raw mode (no echo, no CR/LF translation) and can be reached through a stable symlink that follows the
device across replugs, like a udev `/dev/serial/by-id/…` link. The TCP server listens on loopback for
`socket://host:port` URLs; one controller at a time: a new connection replaces the current one (the older is closed,
as ser2net's "kickolduser" does), because a controller that reconnects after a crash must not find its own stale
connection in the way. Both can be served at once (output goes to both).

Faults: `inject_garbage` (bytes on the line as if from the dongle), `unplug` (the pty closes and its path disappears,
TCP stops listening and drops the client) and `replug` (a new pty behind the same symlink, TCP listening on the same
port, and a power-cycled dongle: registers at their defaults, no session, but the same FLASH, so WOPT persists).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
import logging
import os
from pathlib import Path
import tty
from types import TracebackType
from typing import Final, Self

from virtual_home.clock import Clock

from .config import Dialect, DongleFlash, DongleOptions
from .meter_link import MeterLink
from .skstack import SkStackEmulator

_LOGGER = logging.getLogger(__name__)

_READ_SIZE: Final = 65536
_MAX_PENDING: Final = 1 << 20  # output kept for a pty nobody reads; beyond it the oldest bytes are lost (overrun)


@dataclass(frozen=True, slots=True)
class DongleEndpoints:
    """Where a controller finds the dongle."""

    pty_path: str | None  # the stable symlink when configured, else the pty device
    device_path: str | None  # the pty device itself (/dev/pts/N), new after every replug
    tcp_url: str | None  # socket://127.0.0.1:<port>


class _PtyLink:
    """The emulator's end of a pseudo-terminal (the master); the controller opens the slave device or the symlink."""

    def __init__(self, on_data: Callable[[bytes], None], symlink: Path | None) -> None:
        self._on_data = on_data
        self.symlink = symlink
        self.device_path: str | None = None
        self._master: int | None = None
        self._slave: int | None = None  # held open so the master never sees EIO while no controller has it open
        self._pending = bytearray()

    def open(self) -> str:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.device_path = os.ttyname(slave)
        asyncio.get_running_loop().add_reader(master, self._readable)
        if self.symlink is not None:
            temporary = self.symlink.with_name(f".{self.symlink.name}.{os.getpid()}.tmp")
            temporary.unlink(missing_ok=True)
            temporary.symlink_to(self.device_path)
            temporary.replace(self.symlink)  # atomic: the path never dangles while plugged
        return str(self.symlink) if self.symlink is not None else self.device_path

    def _readable(self) -> None:
        if self._master is None:
            return
        try:
            data = os.read(self._master, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as err:
            _LOGGER.debug("pty read failed: %s", err)
            return
        if data:
            self._on_data(data)

    def write(self, data: bytes) -> None:
        if self._master is None:
            return
        if self._pending:
            self._queue(data)
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError as err:
            _LOGGER.debug("pty write failed: %s", err)
            return
        if written < len(data):
            self._queue(data[written:])
            asyncio.get_running_loop().add_writer(self._master, self._writable)

    def _queue(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) > _MAX_PENDING:
            del self._pending[: len(self._pending) - _MAX_PENDING]

    def _writable(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            return
        except OSError as err:
            _LOGGER.debug("pty write failed: %s", err)
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            asyncio.get_running_loop().remove_writer(self._master)

    def close(self) -> None:
        if self._master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._master)
            loop.remove_writer(self._master)
            os.close(self._master)
            self._master = None
        if self._slave is not None:
            os.close(self._slave)
            self._slave = None
        self._pending.clear()
        if self.symlink is not None and self.symlink.is_symlink() and str(self.symlink.readlink()) == self.device_path:
            self.symlink.unlink()


class _TcpLink:
    """A loopback TCP server with at most one controller connected."""

    def __init__(self, on_data: Callable[[bytes], None], host: str, port: int) -> None:
        self._on_data = on_data
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> str:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # keep an ephemeral port across replugs
        return f"socket://{self.host}:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        previous, self._writer = self._writer, writer
        if previous is not None:
            _LOGGER.info("a second controller connected: dropping the first")
            previous.close()
        try:
            with contextlib.suppress(ConnectionError):
                while data := await reader.read(_READ_SIZE):
                    if self._writer is not writer:
                        break
                    self._on_data(data)
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()

    def write(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._server is not None:
            self._server.close()
            self._server.close_clients()
            await self._server.wait_closed()
            self._server = None


class DonglePort:
    """A plugged-in dongle: the emulator, its runner task, and the pty and/or TCP endpoint a controller opens."""

    def __init__(
        self,
        dialect: Dialect,
        meter: MeterLink,
        clock: Clock,
        *,
        route_b_id: str,
        password: str,
        options: DongleOptions | None = None,
        flash: DongleFlash | None = None,
        pty: bool = True,
        symlink: str | os.PathLike[str] | None = None,
        tcp: bool = False,
        host: str = "127.0.0.1",
        tcp_port: int = 0,
    ) -> None:
        if not pty and not tcp:
            raise ValueError("serve the dongle on a pty, on TCP or on both")
        self.dialect = Dialect(dialect)
        self.meter = meter
        self.options = options or DongleOptions()
        self.flash = flash if flash is not None else DongleFlash.for_options(self.options)
        self._clock = clock
        self._credentials = (route_b_id, password)
        self._pty = _PtyLink(self._from_controller, None if symlink is None else Path(symlink)) if pty else None
        self._tcp = _TcpLink(self._from_controller, host, tcp_port) if tcp else None
        self._emulator = self._power_on()
        self._runner: asyncio.Task[None] | None = None
        self._plugged = False

    def _power_on(self) -> SkStackEmulator:
        route_b_id, password = self._credentials
        return SkStackEmulator(
            self.dialect,
            self.meter,
            self._clock,
            route_b_id=route_b_id,
            password=password,
            options=self.options,
            flash=self.flash,
            write=self._to_controller,
        )

    # ------------------------------------------------------------------------------------------------ properties
    @property
    def emulator(self) -> SkStackEmulator:
        """The dongle currently plugged in (a new one after every replug)."""
        return self._emulator

    @property
    def plugged(self) -> bool:
        """Whether the dongle is plugged in."""
        return self._plugged

    @property
    def endpoints(self) -> DongleEndpoints:
        """Where to open the dongle (None for what is not served or while unplugged)."""
        pty_path = device_path = tcp_url = None
        if self._plugged and self._pty is not None:
            device_path = self._pty.device_path
            pty_path = str(self._pty.symlink) if self._pty.symlink is not None else device_path
        if self._plugged and self._tcp is not None:
            tcp_url = f"socket://{self._tcp.host}:{self._tcp.port}"
        return DongleEndpoints(pty_path, device_path, tcp_url)

    @property
    def pty_path(self) -> str | None:
        """The path a controller opens (the symlink when configured)."""
        return self.endpoints.pty_path

    @property
    def tcp_url(self) -> str | None:
        """`socket://127.0.0.1:<port>`."""
        return self.endpoints.tcp_url

    @property
    def tcp_port(self) -> int | None:
        """The TCP port (kept across replugs), when served over TCP."""
        return self._tcp.port if self._tcp is not None else None

    # --------------------------------------------------------------------------------------------------- control
    async def start(self) -> DongleEndpoints:
        """Plug the dongle in."""
        await self._plug()
        return self.endpoints

    async def close(self) -> None:
        """Unplug for good."""
        await self.unplug()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    async def unplug(self) -> None:
        """Pull the dongle: the pty closes (its path disappears) and TCP refuses; the dongle loses power."""
        if not self._plugged:
            return
        self._plugged = False
        if self._pty is not None:
            self._pty.close()
        if self._tcp is not None:
            await self._tcp.close()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        self._emulator.close()
        _LOGGER.info("dongle unplugged")

    async def replug(self) -> DongleEndpoints:
        """Plug a power-cycled dongle back in: same symlink and TCP port, same FLASH, fresh stack state."""
        await self.unplug()
        self._emulator = self._power_on()
        await self._plug()
        return self.endpoints

    async def _plug(self) -> None:
        if self._plugged:
            return
        if self._pty is not None:
            self._pty.open()
        if self._tcp is not None:
            await self._tcp.open()
        self._plugged = True
        self._runner = asyncio.create_task(self._emulator.run(), name="dongle-emulator")
        endpoints = self.endpoints
        _LOGGER.info("dongle (%s) on %s %s", self.dialect, endpoints.pty_path, endpoints.tcp_url)

    # ------------------------------------------------------------------------------------------------ the line
    def inject_garbage(self, data: bytes) -> None:
        """Bytes on the line towards the controller, as a glitching dongle would send them."""
        self._to_controller(data)

    def tick(self) -> int:
        """Fire the emulator's timed events that are due (see `SkStackEmulator.tick`)."""
        return self._emulator.tick()

    def advance(self, seconds: float) -> int:
        """Move a `ManualClock` and fire the emulator's timed events in order (see `SkStackEmulator.advance`)."""
        return self._emulator.advance(seconds)

    def _from_controller(self, data: bytes) -> None:
        if self._plugged:
            self._emulator.feed(data)

    def _to_controller(self, data: bytes) -> None:
        if not self._plugged:
            return
        if self._pty is not None:
            self._pty.write(data)
        if self._tcp is not None:
            self._tcp.write(data)
