"""The B-route session: dongle set-up, active scan, PANA join, and keeping the link up by itself (PROTOCOL.md §3.7).

`BRouteSession(port, route_b_id, password)` validates the credentials at once (`InvalidCredentialsError`, before any
I/O). `start()` opens the dongle and joins the meter or raises (`AuthError`: the meter rejected us; `TransportError`:
no port, no meter, no answer). From then on a supervisor task keeps the session up: any loss — the port failing or
vanishing (USB unplugged), a hung dongle, EVENT 26/27/28, EVENT 24 after a re-authentication, no EVENT 25 after
EVENT 29 — leads to a re-join with exponential back-off (reopening the port when it was the port), reusing the cached
channel, PAN and meter address so that no scan is needed; only when that PAN no longer answers does it scan again.
`close()` ends the PANA session with SKTERM and closes the port.

Before its set-up (SKRESET) every opening of the port sends SKTERM: a process that crashed or was killed leaves its
PANA session open in the dongle, and SKRESET would drop it without telling the meter, which serves one session and
would ignore our join until that one expired. Without a session the dongle answers `FAIL ER10`, which is fine.

Back-off between re-join attempts (protocol seconds): while the port cannot be opened or the dongle does not answer
its set-up (unplugged, hung), no radio is involved and the port is retried every `port_retry` at most; when it answers
again the back-off starts over, so a replugged dongle re-joins within seconds. Failed joins (meter busy with another
controller, not found) back off up to `backoff_max`; rejected credentials up to `auth_backoff_max`.

Set-up and dialect detection: see `dongle` (WOPT is written at most once per session object).
Scan: `SKSCAN 2` (with the pairing-ID IE) with growing durations; only PANs whose PairID is the last 8 characters of
the B-route ID are candidates, the best LQI wins.
Join: SKSREG S2/S3, SKLL64, SKJOIN, then EVENT 25 (connected) or EVENT 24. EVENT 24 after the meter answered PANA
(ERXUDP on port 716) means it rejected our credentials → `AuthError`; EVENT 24 without any PANA answer means it did not
talk to us (out of range, or another controller holds its only session) → `TransportError`.
Events: 29 holds sends until 25; 32 pauses sending (`TransmitLimitedError`, `status.tx_limited`) until 33; a send
answered by EVENT 21 with param 01 is resent a bounded number of times.

Durations in `SessionOptions` are protocol seconds (see `timing`), so tests run the session on an accelerated clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
import logging
from typing import Final

from ..errors import AuthError, HemsError, TransportError
from .credentials import Credentials
from .dongle import DongleInfo, set_up, skscan
from .driver import PARAM_FAILED, DriverOptions, SerialOpener, SkStackDriver, first_of
from .lines import (
    PORT_ECHONET,
    PORT_PANA,
    Address,
    AsyncLine,
    Dialect,
    Event,
    PanDescriptor,
    UdpPacket,
    link_local,
)
from .timing import Clock, SystemClock, Timing

_LOGGER = logging.getLogger(__name__)

CHANNEL_COUNT: Final = 28  # logical channels 33-60
EVENT_SCAN_DONE: Final = 0x22
EVENT_PANA_FAILED: Final = 0x24
EVENT_PANA_CONNECTED: Final = 0x25
EVENT_TERMINATION_REQUEST: Final = 0x26
EVENT_TERMINATED: Final = 0x27
EVENT_TERMINATION_TIMEOUT: Final = 0x28
EVENT_LIFETIME_EXPIRED: Final = 0x29
EVENT_TX_LIMITED: Final = 0x32
EVENT_TX_RELEASED: Final = 0x33


class LinkState(StrEnum):
    """Where the session is."""

    IDLE = "idle"  # not started
    CONNECTING = "connecting"  # opening the port and setting the dongle up
    SCANNING = "scanning"
    JOINING = "joining"
    CONNECTED = "connected"
    REAUTHENTICATING = "reauthenticating"  # EVENT 29 seen, EVENT 25 not yet: sends wait
    RECONNECTING = "reconnecting"  # lost; waiting out the back-off before the next attempt
    CLOSED = "closed"


class TransmitLimitedError(TransportError):
    """The dongle used up the ARIB STD-T108 hourly transmission budget (EVENT 32): nothing is sent until EVENT 33."""


class MeterBusyError(TransportError):
    """The meter was found but never answered PANA: with valid credentials, another controller holds its only session
    (an HEMS controller, a second dongle) — or the link is too weak for the join."""


class MeterNotFoundError(TransportError):
    """No PAN with the B-route ID's pairing ID answered an active scan (wrong ID, or the meter is out of range)."""


@dataclass(frozen=True, slots=True)
class PanInfo:
    """The meter's PAN as the scan found it: what a re-join needs, and the meter's EUI-64 (its MAC)."""

    channel: int
    pan_id: int
    mac: str
    lqi: int | None = None

    @property
    def address(self) -> str:
        """The meter's link-local IPv6 address."""
        return link_local(self.mac)

    @property
    def rssi_dbm(self) -> float | None:
        """Beacon RSSI at scan time."""
        return None if self.lqi is None else round(0.275 * self.lqi - 104.27, 2)


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """A snapshot for listeners and diagnostics."""

    state: LinkState
    tx_limited: bool
    dialect: Dialect | None
    pan: PanInfo | None
    dongle: DongleInfo
    last_error: HemsError | None

    @property
    def connected(self) -> bool:
        """Whether frames can be sent now."""
        return self.state is LinkState.CONNECTED and not self.tx_limited


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionOptions:
    """Timings (protocol seconds) and policies of a session."""

    # SKSCAN durations tried in turn: 0.01 s × (2^d + 1) per channel, 28 channels — 6 ≈ 18 s, 7 ≈ 36 s, 8 ≈ 72 s.
    scan_durations: tuple[int, ...] = (6, 7, 8)
    channel_mask: int = 0xFFFFFFFF
    scan_margin: float = 10.0  # beyond the scan's nominal duration before it counts as hung
    join_timeout: float = 120.0  # SKJOIN → EVENT 25/24 (a BP35A1 gives up with EVENT 24 after ~40 s)
    reauth_timeout: float = 60.0  # EVENT 29 → EVENT 25
    terminate_timeout: float = 5.0  # SKTERM → EVENT 27/28
    ready_timeout: float = 60.0  # how long `wait_connected` waits by default
    resend_limit: int = 2  # extra SKSENDTO attempts after EVENT 21 param 01
    resend_delay: float = 2.0
    backoff_initial: float = 1.0
    # A failed re-join costs air time: a scan (a beacon request on each of 28 channels) and a few PANA frames, each
    # well under 20 ms at 100 kbit/s; with a 60-s cap (and the dongle's ~38-s join timeout) that is at most about 40
    # attempts an hour, a few seconds of the 360 s of transmission an hour the 920 MHz rules allow (ARIB STD-T108 and
    # MIC notice H31-123, tele.soumu.go.jp/horei/law_honbun/72ab6860, as cited in PROTOCOL.md §3.8).
    backoff_max: float = 60.0
    auth_backoff_max: float = 300.0  # rejected credentials: retrying faster would not help
    port_retry: float = 5.0  # no port, or no answer to the set-up: retried this often at most (no radio involved)
    timeout_floor: float = 0.5  # real seconds (see `timing`)
    write_hex_mode: bool = False  # WOPT 01 when ROPT says binary (a FLASH write; at most once)
    driver: DriverOptions = field(default_factory=DriverOptions)


type StatusListener = Callable[[SessionStatus], None]
type FrameHandler = Callable[[bytes], None]


class BRouteSession:
    """A PANA session with one smart meter through one SKSTACK-IP dongle (see the module docstring)."""

    def __init__(
        self,
        port: str,
        route_b_id: str,
        password: str,
        *,
        clock: Clock | None = None,
        options: SessionOptions | None = None,
        pan: PanInfo | None = None,
        dialect: Dialect | None = None,
        opener: SerialOpener | None = None,
    ) -> None:
        self._credentials = Credentials.validate(route_b_id, password)
        self.port = port
        self.options = options or SessionOptions()
        self.timing = Timing(clock or SystemClock(), self.options.timeout_floor)
        self._opener = opener
        self._pan = pan
        self._dialect = dialect
        self._dongle = DongleInfo()
        self._state = LinkState.IDLE
        self._tx_limited = False
        self._last_error: HemsError | None = None
        self._driver: SkStackDriver | None = None
        self._meter_address: str | None = None
        self._meter_mac: str | None = None
        self._listeners: list[StatusListener] = []
        self._frame_handler: FrameHandler | None = None
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._closing = False
        self._establishing = False
        self._port_answered = False  # the last attempt had an open port whose dongle answered its set-up
        self._hex_written = False
        # The procedure in progress.
        self._scan_results: list[PanDescriptor] | None = None
        self._scan_done: asyncio.Future[None] | None = None
        self._join_result: asyncio.Future[bool] | None = None
        self._pana_seen = False
        self._term_done: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------------------------------------ status
    @property
    def state(self) -> LinkState:
        """The current state."""
        return self._state

    @property
    def tx_limited(self) -> bool:
        """Whether the ARIB transmit limit is active (EVENT 32 seen, EVENT 33 not yet)."""
        return self._tx_limited

    @property
    def pan(self) -> PanInfo | None:
        """The meter's PAN (known after the first successful join, or given to the constructor)."""
        return self._pan

    @property
    def dialect(self) -> Dialect | None:
        """The dongle's dialect, once detected."""
        return self._dialect

    @property
    def status(self) -> SessionStatus:
        """A snapshot of everything above."""
        return SessionStatus(self._state, self._tx_limited, self._dialect, self._pan, self._dongle, self._last_error)

    def add_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call `listener(status)` on every change; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def set_frame_handler(self, handler: FrameHandler | None) -> None:
        """Where the ECHONET Lite payloads the meter sends (UDP 3610, side 0) go."""
        self._frame_handler = handler

    def _set_state(self, state: LinkState) -> None:
        if state is not self._state:
            _LOGGER.debug("B-route session: %s → %s", self._state, state)
            self._state = state
            self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        status = self.status
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:
                _LOGGER.exception("status listener failed")

    # -------------------------------------------------------------------------------------------- life cycle
    async def start(self) -> None:
        """Open the dongle and join the meter; then keep the session up in the background until `close`."""
        if self._state is not LinkState.IDLE:
            raise RuntimeError("a session starts once")
        try:
            await self._establish()
        except BaseException:
            await self._close_driver()
            self._set_state(LinkState.CLOSED)
            raise
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise(), name="broute-supervisor")

    async def close(self) -> None:
        """End the PANA session (SKTERM), close the port, stop the supervisor (idempotent)."""
        if self._state is LinkState.CLOSED:
            return
        self._closing = True
        self._wake.set()
        for task in (self._supervisor, self._watchdog):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._supervisor = self._watchdog = None
        driver = self._driver
        if driver is not None and driver.is_open and self._state in (LinkState.CONNECTED, LinkState.REAUTHENTICATING):
            await self._terminate(driver)
        await self._close_driver()
        self._set_state(LinkState.CLOSED)

    async def wait_connected(self, within: float | None = None) -> None:
        """Wait until the session is connected, at most `within` protocol seconds (default `ready_timeout`).

        Raises the reason it is not: `AuthError` when the last attempt was rejected, else `TransportError`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timing.timeout(self.options.ready_timeout if within is None else within)
        while self._state is not LinkState.CONNECTED:
            if self._state in (LinkState.IDLE, LinkState.CLOSED):
                raise TransportError(f"the B-route session is {self._state}")
            changed = self._changed
            try:
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    await changed.wait()
            except TimeoutError:
                raise self._not_ready_error() from None

    def _not_ready_error(self) -> HemsError:
        reason = f"the B-route session is {self._state}" + (f": {self._last_error}" if self._last_error else "")
        if isinstance(self._last_error, AuthError):
            return AuthError(reason)
        return TransportError(reason)

    # ----------------------------------------------------------------------------------------------- sending
    async def send(self, payload: bytes, *, within: float | None = None) -> None:
        """Send one ECHONET Lite frame to the meter (encrypted, UDP 3610).

        Waits up to `within` protocol seconds for a usable session (through a re-authentication or a re-join);
        raises `TransmitLimitedError` at once while the transmit limit is active, and `TransportError` when the dongle
        could not deliver the frame after the bounded resends.
        """
        attempts = self.options.resend_limit + 1
        for attempt in range(attempts):
            if self._tx_limited:
                raise TransmitLimitedError("transmission paused by the ARIB STD-T108 limit (EVENT 32)")
            await self.wait_connected(within)
            driver, address = self._driver, self._meter_address
            if driver is None or address is None:  # pragma: no cover - connected implies both
                raise TransportError("the B-route session has no dongle")
            side = 0 if self._dialect is Dialect.BP35C0 else None
            if await driver.sendto(address, payload, side=side) != PARAM_FAILED:
                return
            _LOGGER.debug("send failed (EVENT 21 01), attempt %d of %d", attempt + 1, attempts)
            if attempt + 1 < attempts and not self._tx_limited:
                await self.timing.sleep(self.options.resend_delay)
        if self._tx_limited:
            raise TransmitLimitedError("transmission paused by the ARIB STD-T108 limit (EVENT 32)")
        raise TransportError(f"the dongle could not deliver the frame ({attempts} attempts, EVENT 21 01)")

    # ------------------------------------------------------------------------------------------ establishing
    async def _establish(self) -> None:
        self._establishing = True
        self._port_answered = False
        try:
            driver = self._driver
            if driver is None or not driver.is_open:
                await self._close_driver()
                self._set_state(LinkState.CONNECTING)
                driver = await self._open_driver()
            self._port_answered = True
            await self._join_meter(driver)
            if not driver.is_open:
                raise TransportError("the dongle went away while joining")
        finally:
            self._establishing = False
        self._last_error = None
        self._set_state(LinkState.CONNECTED)

    async def _open_driver(self) -> SkStackDriver:
        driver = SkStackDriver(
            self.port,
            options=self.options.driver,
            opener=self._opener,
            on_async=self._on_async,
            on_lost=self._on_lost,
        )
        await driver.open()
        self._driver = driver
        try:
            await self._terminate(driver)  # a session a crashed process left behind (see the module docstring)
            self._dongle = await set_up(
                driver, self._credentials, write_hex_mode=self.options.write_hex_mode and not self._hex_written
            )
            self._hex_written = self._hex_written or self._dongle.wrote_hex_mode
        except BaseException:
            await self._close_driver()
            raise
        if self._dialect is None:
            self._dialect = self._dongle.dialect_hint
        return driver

    async def _close_driver(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()

    async def _join_meter(self, driver: SkStackDriver) -> None:
        if self._pan is not None:
            try:
                await self._join(driver, self._pan)
            except AuthError:
                raise
            except TransportError as err:
                if not driver.is_open or isinstance(err, TransmitLimitedError):
                    raise
                _LOGGER.info("re-joining the known PAN failed (%s); scanning", err)
            else:
                return
        pan = await self._scan(driver)
        await self._join(driver, pan)

    async def _scan(self, driver: SkStackDriver) -> PanInfo:
        pairing_id = self._credentials.pairing_id
        heard: set[str] = set()
        for duration in self.options.scan_durations:
            self._set_state(LinkState.SCANNING)
            found = await self._scan_once(driver, duration)
            heard.update(pan.mac for pan in found)
            candidates = [pan for pan in found if pan.side in (None, 0) and pan.pairing_id == pairing_id]
            if candidates:
                best = max(candidates, key=lambda pan: pan.lqi or 0)
                _LOGGER.debug("meter found: channel %02X, PAN %04X, LQI %s", best.channel, best.pan_id, best.lqi)
                return PanInfo(best.channel, best.pan_id, best.mac, best.lqi)
        raise MeterNotFoundError(
            f"no smart meter with this B-route ID's pairing ID answered {len(self.options.scan_durations)} active "
            f"scans ({len(heard)} other PANs heard)"
        )

    async def _scan_once(self, driver: SkStackDriver, duration: int) -> list[PanDescriptor]:
        loop = asyncio.get_running_loop()
        self._scan_results, self._scan_done = [], loop.create_future()
        try:
            dialect = await skscan(driver, f"SKSCAN 2 {self.options.channel_mask:08X} {duration:X}", self._dialect)
            if dialect is not self._dialect:
                self._dialect = dialect
                self._notify()
            channels = bin(self.options.channel_mask & 0x0FFFFFFF).count("1")
            nominal = channels * 0.01 * (2**duration + 1)
            try:
                async with asyncio.timeout(self.timing.timeout(nominal * 1.5 + self.options.scan_margin)):
                    await self._scan_done
            except TimeoutError:
                await self._close_driver()  # a scan that never ends needs SKRESET: reopen next time
                raise TransportError(f"the active scan (duration {duration}) did not finish") from None
            return list(self._scan_results)
        finally:
            self._scan_results = self._scan_done = None

    async def _join(self, driver: SkStackDriver, pan: PanInfo) -> None:
        if self._tx_limited:
            raise TransmitLimitedError("cannot join while the ARIB STD-T108 limit is active")
        self._set_state(LinkState.JOINING)
        await driver.command(f"SKSREG S2 {pan.channel:02X}")
        await driver.command(f"SKSREG S3 {pan.pan_id:04X}")
        answer = first_of(await driver.command(f"SKLL64 {pan.mac}", until=Address), Address)
        self._meter_address = answer.address if answer is not None else pan.address
        self._meter_mac = pan.mac
        self._pana_seen = False
        self._join_result = asyncio.get_running_loop().create_future()
        try:
            await driver.command(f"SKJOIN {self._meter_address}")
            try:
                async with asyncio.timeout(self.timing.timeout(self.options.join_timeout)):
                    accepted = await self._join_result
            except TimeoutError:
                await self._close_driver()  # a PANA exchange that never ends needs SKRESET
                raise TransportError("no PANA result (EVENT 25/24) after SKJOIN") from None
        finally:
            self._join_result = None
        if not accepted:
            if self._pana_seen:
                raise AuthError("the meter rejected PANA authentication (EVENT 24): check the B-route ID and password")
            raise MeterBusyError(
                "the meter did not answer PANA (EVENT 24): another controller holds its session, or the link is weak"
            )
        if self._pan != pan:
            self._pan = pan
            self._notify()

    async def _terminate(self, driver: SkStackDriver) -> None:
        self._term_done = asyncio.get_running_loop().create_future()
        try:
            await driver.command("SKTERM")
            async with asyncio.timeout(self.timing.timeout(self.options.terminate_timeout)):
                await self._term_done
        except (TransportError, TimeoutError) as err:
            _LOGGER.debug("SKTERM: %s", err or "no EVENT 27/28")
        finally:
            self._term_done = None

    # ----------------------------------------------------------------------------------------- supervising
    async def _supervise(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            await self._recover()

    async def _recover(self) -> None:
        attempt = 0
        port_was_down = warned = False
        while not self._closing:
            try:
                await self._establish()
            except (TransportError, AuthError) as err:
                error: HemsError = err
            else:
                _LOGGER.info("B-route session re-established")
                return
            self._last_error = error
            # Once per outage at warning level; the retries that follow are for debugging only.
            _LOGGER.log(logging.DEBUG if warned else logging.WARNING, "B-route session not re-established: %s", error)
            warned = True
            if self._port_answered and port_was_down:
                attempt = 0  # the dongle is back (replugged, or it recovered): start the back-off over
            port_was_down = not self._port_answered
            delay = self._backoff(attempt, error)
            attempt += 1
            self._set_state(LinkState.RECONNECTING)
            await self.timing.sleep(delay)

    def _backoff(self, attempt: int, error: HemsError) -> float:
        """Protocol seconds before the next attempt (see the module docstring)."""
        options = self.options
        delay = options.backoff_initial * 2.0 ** min(attempt, 32)
        if not self._port_answered:
            return min(delay, options.port_retry)
        return min(delay, options.auth_backoff_max if isinstance(error, AuthError) else options.backoff_max)

    def _session_lost(self, error: TransportError) -> None:
        if self._closing or self._establishing:
            return
        if self._state not in (LinkState.CONNECTED, LinkState.REAUTHENTICATING):
            return
        _LOGGER.info("B-route session lost: %s", error)
        self._last_error = error
        self._cancel_watchdog()
        self._set_state(LinkState.RECONNECTING)
        self._wake.set()

    def _on_lost(self, error: TransportError) -> None:
        """The driver lost its line (or the dongle hung)."""
        if self._driver is not None and self._driver.is_open:
            return  # a previous driver's late report
        for future in (self._scan_done, self._join_result, self._term_done):
            if future is not None and not future.done():
                future.set_exception(error)
        self._session_lost(error)

    def _cancel_watchdog(self) -> None:
        task, self._watchdog = self._watchdog, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _reauth_watchdog(self) -> None:
        await self.timing.sleep(self.options.reauth_timeout)
        if self._state is LinkState.REAUTHENTICATING:
            self._session_lost(TransportError("no EVENT 25 after the session lifetime expired (EVENT 29)"))

    # ----------------------------------------------------------------------------------------- async lines
    def _on_async(self, line: AsyncLine) -> None:
        if isinstance(line, PanDescriptor):
            if self._scan_results is not None:
                self._scan_results.append(line)
        elif line.side not in (None, 0):
            return  # the HAN side of a dual-stack dongle
        elif isinstance(line, Event):
            self._on_event(line)
        else:
            self._on_udp(line)

    def _on_event(self, event: Event) -> None:  # noqa: PLR0912 - one branch per EVENT number
        number = event.number
        if number == EVENT_SCAN_DONE:
            _resolve(self._scan_done, None)
        elif number == EVENT_PANA_CONNECTED:
            if _resolve(self._join_result, True):
                return
            if self._state is LinkState.REAUTHENTICATING:
                self._cancel_watchdog()
                self._set_state(LinkState.CONNECTED)
        elif number == EVENT_PANA_FAILED:
            if not _resolve(self._join_result, False):
                self._session_lost(TransportError("PANA re-authentication failed (EVENT 24)"))
        elif number == EVENT_TERMINATION_REQUEST:
            self._session_lost(TransportError("the meter ended the session (EVENT 26)"))
        elif number in (EVENT_TERMINATED, EVENT_TERMINATION_TIMEOUT):
            if not _resolve(self._term_done, None):
                self._session_lost(TransportError(f"the session ended (EVENT {number:02X})"))
        elif number == EVENT_LIFETIME_EXPIRED:
            if self._state is LinkState.CONNECTED:
                self._set_state(LinkState.REAUTHENTICATING)
                self._cancel_watchdog()
                self._watchdog = asyncio.get_running_loop().create_task(self._reauth_watchdog())
        elif number in (EVENT_TX_LIMITED, EVENT_TX_RELEASED):
            limited = number == EVENT_TX_LIMITED
            if limited is not self._tx_limited:
                _LOGGER.warning("ARIB transmit limit %s", "active: sending paused" if limited else "released")
                self._tx_limited = limited
                self._notify()

    def _on_udp(self, packet: UdpPacket) -> None:
        if packet.rport == PORT_PANA:
            if self._join_result is not None:
                self._pana_seen = True
            return
        if packet.rport != PORT_ECHONET or packet.lport != PORT_ECHONET:
            return
        if packet.sender != self._meter_address and packet.sender_mac != self._meter_mac:
            _LOGGER.debug("ECHONET datagram from %s (not the meter) dropped", packet.sender)
            return
        handler = self._frame_handler
        if handler is not None:
            handler(packet.data)


def _resolve[T](future: asyncio.Future[T] | None, value: T) -> bool:
    """Complete a procedure's future if it is waiting; whether it was."""
    if future is None or future.done():
        return False
    future.set_result(value)
    return True
