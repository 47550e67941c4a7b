"""The serial line to a SKSTACK-IP dongle: one reader loop, one command at a time (PROTOCOL.md §3.2).

`SkStackDriver` opens a device path, a `socket://host:port` or an `rfc2217://` URL through serialx (the open runs in
an executor or on the event loop's sockets, never blocking it), drains whatever stale output the dongle still has,
and starts one task that reads and parses every byte. Each parsed line goes one of two ways:

- command answers (OK, FAIL, EVER, EAPPVER, EINFO, ESREG, SKLL64's bare address) complete the one command in flight
  (`command`), which holds the port's lock: one outstanding command per port;
- asynchronous lines (EVENT, ERXUDP, EPANDESC) go to `on_async`; EVENT 21 also completes a pending `sendto`, whether
  it comes before or after SKSENDTO's OK. Echoes are skipped.

A dongle that does not answer a command within `command_timeout` (real seconds) is treated as hung: the port is
closed and `on_lost` is called, as it is when the line fails or the device disappears (USB unplugged, TCP dropped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import logging
from typing import Any, Final, Protocol

from serialx import SerialException, open_serial_connection

from ..errors import TransportError
from .lines import AsyncLine, Echo, Event, Fail, LineParser, Ok, PanDescriptor, SkLine, UdpPacket, mask_secrets

_LOGGER = logging.getLogger(__name__)


class _MaskWrittenSecrets(logging.Filter):
    """serialx logs the bytes it writes at debug level, SKSETPWD and SKSETRBID included: mask their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_masked(arg) for arg in args)
        return True


def _masked(arg: object) -> object:
    if isinstance(arg, bytes | bytearray):
        text = bytes(arg).decode("latin-1")
        masked = mask_secrets(text)
        return masked.encode("latin-1") if masked != text else arg
    if isinstance(arg, str):
        return mask_secrets(arg)
    return arg


# The serialx modules that log written or buffered data (a filter on a parent logger would not see their records).
_SERIALX_DATA_LOGGERS: Final = (
    "serialx.descriptor_transport",
    "serialx.async_serial",
    "serialx.common",
    "serialx.platforms.serial_socket",
    "serialx.platforms.serial_posix",
    "serialx.platforms.serial_linux",
)
for _name in _SERIALX_DATA_LOGGERS:
    _logger = logging.getLogger(_name)
    if not any(isinstance(existing, _MaskWrittenSecrets) for existing in _logger.filters):
        _logger.addFilter(_MaskWrittenSecrets())

BAUDRATE: Final = 115200
_READ_SIZE: Final = 4096
PARAM_SENT: Final = 0x00
PARAM_FAILED: Final = 0x01
PARAM_NEIGHBOUR_SOLICITATION: Final = 0x02


class SerialWriter(Protocol):
    """The writing half of a serial connection (an `asyncio.StreamWriter` fits)."""

    def write(self, data: bytes) -> None:
        """Queue bytes."""
        ...  # pragma: no cover - protocol

    async def drain(self) -> None:
        """Wait until the queue is flushed to the transport."""
        ...  # pragma: no cover - protocol

    def close(self) -> None:
        """Close the connection."""
        ...  # pragma: no cover - protocol

    async def wait_closed(self) -> None:
        """Wait until the connection is closed."""
        ...  # pragma: no cover - protocol


type SerialOpener = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, SerialWriter]]]


async def open_serial(url: str, baudrate: int) -> tuple[asyncio.StreamReader, SerialWriter]:
    """Open a dongle with serialx: a device path, `socket://host:port` or `rfc2217://host:port`."""
    return await open_serial_connection(url, baudrate)


class DongleCommandError(TransportError):
    """The dongle answered a command with `FAIL ER<nn>`."""

    def __init__(self, command: str, code: int) -> None:
        super().__init__(f"{command} failed: ER{code:02d}")
        self.command = command
        self.code = code


@dataclass(frozen=True, slots=True, kw_only=True)
class DriverOptions:
    """Serial settings and UART timeouts (real seconds: a dongle answers a command within milliseconds)."""

    baudrate: int = BAUDRATE
    command_timeout: float = 10.0
    sendto_event_timeout: float = 10.0  # SKSENDTO → its EVENT 21 (the radio has retried by then)
    drain_quiet: float = 0.05  # at open: stale output is drained until the line has been quiet this long
    drain_limit: float = 1.0


@dataclass(slots=True)
class _Pending:
    command: str
    until: type[SkLine]
    future: asyncio.Future[list[SkLine]]
    lines: list[SkLine] = field(default_factory=list)


class SkStackDriver:
    """One dongle on one serial line. `open`, then `command`/`sendto`; `close` when done (no `on_lost` then)."""

    def __init__(
        self,
        url: str,
        *,
        options: DriverOptions | None = None,
        opener: SerialOpener | None = None,
        on_async: Callable[[AsyncLine], None] | None = None,
        on_lost: Callable[[TransportError], None] | None = None,
    ) -> None:
        self.url = url
        self.options = options or DriverOptions()
        self._opener = opener or open_serial
        self._on_async = on_async or (lambda _line: None)
        self._on_lost = on_lost or (lambda _error: None)
        self._parser = LineParser()
        self._lock = asyncio.Lock()
        self._writer: SerialWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._pending: _Pending | None = None
        self._sendto: tuple[str, asyncio.Future[int]] | None = None
        self._open = False

    @property
    def is_open(self) -> bool:
        """Whether the line is up (False before `open`, after `close` and after a loss)."""
        return self._open

    # ------------------------------------------------------------------------------------------------ life cycle
    async def open(self) -> None:
        """Open the port, drain stale output and start reading; `TransportError` when the port cannot be opened."""
        try:
            reader, writer = await self._opener(self.url, self.options.baudrate)
        except (OSError, SerialException, ValueError, TimeoutError) as err:
            raise TransportError(f"cannot open the dongle at {self.url}: {err}") from err
        self._writer = writer
        self._parser = LineParser()
        try:
            await self._drain(reader, writer)
        except (OSError, SerialException, TransportError) as err:
            await self._close_writer()
            raise TransportError(f"the dongle at {self.url} went away while opening: {err}") from err
        self._open = True
        self._reader_task = asyncio.get_running_loop().create_task(self._read_loop(reader), name="skstack-reader")
        _LOGGER.debug("dongle open at %s", self.url)

    async def _drain(self, reader: asyncio.StreamReader, writer: SerialWriter) -> None:
        """End any partial command the dongle holds (CRLF) and discard the output it still had queued."""
        writer.write(b"\r\n")
        await writer.drain()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.drain_limit
        drained = 0
        while loop.time() < deadline:
            try:
                async with asyncio.timeout(self.options.drain_quiet):
                    chunk = await reader.read(_READ_SIZE)
            except TimeoutError:
                break
            if not chunk:
                raise TransportError("end of stream")
            drained += len(chunk)
        if drained:
            _LOGGER.debug("drained %d stale bytes", drained)

    async def close(self) -> None:
        """Stop reading and close the port (idempotent)."""
        self._open = False
        task, self._reader_task = self._reader_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_waiters(TransportError("the dongle was closed"))
        await self._close_writer()

    async def _close_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        writer.close()
        with contextlib.suppress(OSError, SerialException, TimeoutError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()

    def _lose(self, error: TransportError) -> None:
        """The line is gone (or the dongle hangs): close it and tell the owner, once."""
        if not self._open:
            return
        self._open = False
        _LOGGER.debug("dongle lost: %s", error)
        self._fail_waiters(error)
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        task = self._reader_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self._reader_task = None
        try:
            self._on_lost(error)
        except Exception:
            _LOGGER.exception("on_lost callback failed")

    def _fail_waiters(self, error: TransportError) -> None:
        if self._pending is not None and not self._pending.future.done():
            self._pending.future.set_exception(error)
        if self._sendto is not None and not self._sendto[1].done():
            self._sendto[1].set_exception(error)

    # ------------------------------------------------------------------------------------------------- commands
    async def command(
        self, text: str, *, product: bool = False, until: type[SkLine] = Ok, reply_within: float | None = None
    ) -> list[SkLine]:
        """Send one command; return its answer lines (ending with `until`, OK by default; SKLL64 needs `Address`).

        `product`: WOPT/ROPT/WUART/RUART end with CR only. `DongleCommandError` on FAIL; `TransportError` when the
        line is down or the dongle does not answer (which also closes the port, see the module docstring).
        """
        async with self._lock:
            return await self._exchange(
                text.encode("ascii") + (b"\r" if product else b"\r\n"), text, until, reply_within
            )

    async def sendto(
        self, address: str, data: bytes, *, side: int | None, secured: bool = True, port: int = 0x0E1A
    ) -> int | None:
        """SKSENDTO on handle 1 (UDP 3610); return the EVENT 21 parameter (0 sent, 1 failed), None if none came."""
        header = f"SKSENDTO 1 {address} {port:04X} {1 if secured else 0}"
        if side is not None:
            header += f" {side}"
        header += f" {len(data):04X} "
        async with self._lock:
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            self._sendto = (address, future)
            try:
                await self._exchange(header.encode("ascii") + data, "SKSENDTO", Ok, None)
                try:
                    async with asyncio.timeout(self.options.sendto_event_timeout):
                        return await future
                except TimeoutError:
                    _LOGGER.debug("no EVENT 21 after SKSENDTO")
                    return None
            finally:
                self._sendto = None
                _settle(future)

    async def _exchange(self, data: bytes, text: str, until: type[SkLine], within: float | None) -> list[SkLine]:
        name = text.split(" ", 1)[0]
        if not self._open or self._writer is None:
            raise TransportError(f"{name}: the dongle is not connected")
        future: asyncio.Future[list[SkLine]] = asyncio.get_running_loop().create_future()
        self._pending = _Pending(name, until, future)
        try:
            _LOGGER.debug("dongle <- %s", mask_secrets(text))
            try:
                self._writer.write(data)
                await self._writer.drain()
            except (OSError, SerialException) as err:
                error = TransportError(f"{name}: writing to the dongle failed: {err}")
                self._lose(error)
                raise error from err
            try:
                async with asyncio.timeout(within or self.options.command_timeout):
                    lines = await future
            except TimeoutError:
                error = TransportError(f"{name}: the dongle did not answer")
                self._lose(error)
                raise error from None
        finally:
            self._pending = None
            _settle(future)
        last = lines[-1]
        if isinstance(last, Fail):
            raise DongleCommandError(name, last.code)
        return lines

    # ------------------------------------------------------------------------------------------------- reading
    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        try:
            while chunk := await reader.read(_READ_SIZE):
                for line in self._parser.feed(chunk):
                    self._dispatch(line)
        except (OSError, SerialException) as err:
            self._lose(TransportError(f"the dongle went away: {err}"))
            return
        self._lose(TransportError("the dongle went away: end of stream"))

    def _dispatch(self, line: SkLine) -> None:
        if isinstance(line, Echo):
            _LOGGER.debug("dongle echo: %s", line.text)
            return
        if isinstance(line, Event | UdpPacket | PanDescriptor):
            if isinstance(line, Event):
                _LOGGER.debug(
                    "dongle -> EVENT %02X %s side=%s param=%s", line.number, line.sender, line.side, line.param
                )
                if line.number == 0x21:
                    self._event21(line)
            try:
                self._on_async(line)
            except Exception:
                _LOGGER.exception("handling %s failed", type(line).__name__)
            return
        _LOGGER.debug("dongle -> %s", line)
        pending = self._pending
        if pending is None or pending.future.done():
            _LOGGER.debug("unsolicited %s dropped", line)
            return
        pending.lines.append(line)
        if isinstance(line, Fail | pending.until):
            pending.future.set_result(pending.lines)

    def _event21(self, event: Event) -> None:
        waiter, param = self._sendto, event.param
        if waiter is None or waiter[1].done() or param is None or param == PARAM_NEIGHBOUR_SOLICITATION:
            return  # 02: a neighbour solicitation went out first; the datagram follows, and its own EVENT 21
        if event.sender == waiter[0]:
            waiter[1].set_result(param)


def _settle(future: asyncio.Future[Any]) -> None:
    """A waiter nobody awaits any more: cancel it, or mark its exception as seen (no "never retrieved" warning)."""
    if not future.done():
        future.cancel()
    elif not future.cancelled():
        future.exception()


def first_of[T](lines: list[SkLine], kind: type[T]) -> T | None:
    """The first line of `kind` in a command's answer."""
    for line in lines:
        if isinstance(line, kind):
            return line
    return None
