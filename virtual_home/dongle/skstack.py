"""A Wi-SUN B-route dongle speaking SKSTACK-IP text commands, as a transport-independent state machine.

Bytes from the controller go into `feed`; everything the dongle prints goes out through `write`. The two dialects
(PROTOCOL.md §3.1) differ in argument counts (SKSCAN, SKSENDTO), the SIDE field of EVENT/EPANDESC/ERXUDP, the EINFO
tail and, with SA2=1 on the BP35C0 family, an RSSI field in ERXUDP. Timed behaviour (scans, PANA, session lifetime,
the ARIB transmit budget) runs on a `Scheduler` in simulated time: `tick`/`advance` in tests, `run` in a live home.

Choices where the manuals are silent (kept consistent so that controllers meet one well-defined dongle):
- Echo (SFE=1) repeats each command line before its answer; SKSENDTO echoes its header (up to the length and its
  space, never the data). SKSENDTO then answers `<CRLF>`, `EVENT 21 <dest> [side] <param>`, `OK` (VECTORS.md C.2,
  C.6, C.7), and the meter's answer follows as ERXUDP.
- A send is refused with `EVENT 21 … 01` and `OK` (nothing on air) while the ARIB limit is active, between EVENT 29
  and EVENT 25 (re-authentication), on side 1, and with SEC=1 without a PANA session. Plaintext sends (SEC=0, or
  SEC=2 without a session) go on air but the meter ignores them: it only talks over an authenticated session.
  A unicast nobody acknowledges (wrong address, channel or PAN, meter out of range) gives `EVENT 21 … 01`.
- EVENT 20/22/1F/32/33 carry the dongle's own link-local address (VECTORS.md C.1, C.2); EVENT 21/02/24-29 the peer's.
- Active scan mode 2 (with the pairing-ID IE) finds the meter only when S0A (the last 8 characters of SKSETRBID)
  equals the meter's pairing ID; mode 3 finds it regardless; a duration below `scan_min_duration` finds nothing.
  EVENT 20 comes when the scan reaches the meter's channel, EVENT 22 when it has covered every channel of the mask.
- SKRESET drops the session, the scan and the registers but not FLASH (WOPT, SKSAVE) nor the transmit-time history
  (SFB/SFD, the EVENT 32 state): a controller cannot reset its way out of the ARIB limit. A power cycle (a new
  emulator with the same `DongleFlash`) clears it.
- S16 is stored but the meter's granted lifetime (`session_lifetime`) governs, as for any PaC.
"""

from __future__ import annotations

from collections.abc import Callable
import functools
import logging
from typing import Final

from virtual_home.clock import Clock, ManualClock

from .airtime import AirtimeLedger, air_time
from .arguments import (
    ER_ARGUMENT,
    ER_ARGUMENT_COUNT,
    ER_EXECUTION,
    ER_UART,
    ER_UNSUPPORTED,
    SkCommandError,
    parse_exact_hex,
    parse_hex,
    parse_mac,
    split_args,
)
from .config import CHANNEL_MAX, CHANNEL_MIN, Dialect, DongleFlash, DongleOptions
from .framing import CommandFramer
from .lines import (
    ALL_NODES,
    CRLF,
    PORT_ECHONET,
    PORT_PANA,
    eedscan_lines,
    einfo_line,
    epandesc_lines,
    format_ipv6,
    link_local,
    parse_ipv6,
)
from .meter_link import MeterLink
from .radio import Radio
from .registers import RegisterFile
from .scheduler import RESOLUTION, Scheduler
from .session import LinkState, PanaSession

__all__ = ["Dialect", "DongleFlash", "DongleOptions", "LinkState", "SkStackEmulator"]

_LOGGER = logging.getLogger(__name__)

SENDTO_MAX: Final = 0x04D0
_PRODUCT_COMMANDS: Final = frozenset({"WOPT", "ROPT", "WUART", "RUART"})
_SECRET_COMMANDS: Final = frozenset({"SKSETPWD", "SKSETRBID"})
_VERSIONS: Final = {Dialect.BP35A1: ("1.2.10", "rev26e"), Dialect.BP35C0: ("1.5.2", "rev1.5.2")}


class SkStackEmulator:
    """One dongle: feed it the controller's bytes, read its lines from `write`, move time with `tick`/`advance`.

    `route_b_id` and `password` are the meter's credentials (what SKSETRBID/SKSETPWD must match); the meter beacons
    the last 8 characters of the B-route ID as its pairing ID. `flash` survives power cycles: give the same object to
    the emulator that replaces this one after a replug (by default it is factory-fresh for `options`).
    """

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
        write: Callable[[bytes], None] | None = None,
    ) -> None:
        self.dialect = Dialect(dialect)
        self.meter = meter
        self.options = options or DongleOptions()
        self.flash = flash if flash is not None else DongleFlash.for_options(self.options)
        self.write: Callable[[bytes], None] = write or (lambda _data: None)
        self._clock = clock
        self._closed = False
        self._scheduler = Scheduler(clock)
        # Transmit-time accounting (RAM: only a power cycle clears it).
        self._ledger = AirtimeLedger(self.options.tx_budget, self.options.tx_window)
        self._tx_limited = False
        self._sfd_offset = 0.0
        self._frame_counter = 0
        self._registers = RegisterFile(
            computed={
                "S07": lambda: self._frame_counter & 0xFFFFFFFF,
                "SFB": lambda: int(self._tx_limited),
                "SFD": lambda: int((self._ledger.total - self._sfd_offset) * 1000) & 0xFFFFFFFF,
            },
            on_write={"SFD": self._clear_sfd},
        )
        self._radio = Radio(self.dialect, self.options, self.flash, self._scheduler, self._registers, self._out)
        self._session = PanaSession(self._radio, meter, route_b_id=route_b_id, password=password)
        self._meter_pairing_id = route_b_id[-8:]
        # Stack state (SKRESET).
        self._route_b_id: str | None = None
        self._password: str | None = None
        self._scanning = False
        self._udp_ports: dict[int, int] = {}
        self._sendto_args: tuple[str, ...] = ()
        self._framer = CommandFramer(
            6 if self.dialect is Dialect.BP35A1 else 7,  # SKSENDTO handle addr port sec [side] len
            on_line=self._line,
            on_sendto_header=self._sendto_header,
            on_sendto_data=self._sendto_data,
            on_overflow=functools.partial(self._radio.fail, ER_UART),
        )
        self._handlers = self._command_table()
        self._reset_stack()
        saved = self.flash.saved_registers
        if saved is not None and saved.get("SFF") == 1:
            self._registers.load(saved)

    # ------------------------------------------------------------------------------------------------ public API
    @property
    def state(self) -> LinkState:
        """The PANA session state."""
        return self._session.state

    @property
    def erxudp_hex(self) -> bool:
        """Whether ERXUDP data is printed as hex ASCII (else raw binary)."""
        return self.flash.erxudp_hex

    @property
    def tx_limited(self) -> bool:
        """Whether the ARIB transmit-time limit is active (EVENT 32 given, EVENT 33 not yet)."""
        return self._tx_limited

    @property
    def own_address(self) -> str:
        """The dongle's link-local address (colon form)."""
        return format_ipv6(self._radio.own_address)

    @property
    def meter_address(self) -> str:
        """The meter's link-local address (colon form), i.e. `SKLL64 <meter MAC>`."""
        return format_ipv6(self._radio.meter_address)

    @property
    def meter_pairing_id(self) -> str:
        """The pairing ID the meter beacons (the last 8 characters of its B-route ID)."""
        return self._meter_pairing_id

    def register(self, name: str) -> str:
        """A register as ESREG shows it; KeyError for an unknown name."""
        try:
            return self._registers.read(name)
        except SkCommandError:
            raise KeyError(name) from None

    def now(self) -> float:
        """Simulated seconds since power-on."""
        return self._scheduler.now()

    def tick(self) -> int:
        """Fire every timed event that is due at the clock's current time; return how many fired."""
        return 0 if self._closed else self._scheduler.run_due()

    def advance(self, seconds: float) -> int:
        """Move a `ManualClock` forward, firing each timed event at its own time; return how many fired."""
        if not isinstance(self._clock, ManualClock):
            raise TypeError("advance() needs a ManualClock; a SimClock moves by itself (use run())")
        target = self.now() + seconds
        fired = self.tick()
        while not self._closed and (due := self._scheduler.next_due()) is not None and due <= target:
            # A datetime moves in whole microseconds: step at least one so that the timer becomes due.
            self._clock.advance(max(RESOLUTION, due - self.now()))
            fired += self.tick()
        self._clock.advance(max(0.0, target - self.now()))
        return fired + self.tick()

    async def run(self) -> None:
        """Fire timed events as simulated time passes, until cancelled (what a `SimClock` needs)."""
        await self._scheduler.run()

    def close(self) -> None:
        """Power off: no more output, timers cancelled, the meter's notifier detached."""
        if not self._closed:
            self._session.end()
            self._closed = True
            self._scheduler.cancel()

    # Faults --------------------------------------------------------------------------------------------------
    def set_meter_busy(self, busy: bool) -> None:
        """Another controller holds (True) or has released (False) the meter's only PANA session."""
        self._radio.meter_busy = busy

    def set_meter_reachable(self, reachable: bool) -> None:
        """Move the meter out of (False) or back into (True) radio range."""
        self._radio.meter_reachable = reachable

    def terminate_session(self) -> bool:
        """The meter ends the session: EVENT 26. False when there was no session."""
        return self._session.meter_terminates()

    def expire_session(self) -> bool:
        """The PANA session lifetime runs out now: EVENT 29, then re-authentication (S17=1) or no session."""
        return self._session.expire_now()

    def exhaust_tx_budget(self) -> None:
        """The ARIB air-time budget is used up now (as by a burst of traffic): EVENT 32 at once, EVENT 33 when that
        air time has aged out of the window (`tx_window` later)."""
        self._ledger.record(self.now(), self.options.tx_budget)
        self._check_tx_limit()

    def fail_next_reauth(self) -> None:
        """The next re-authentication (after EVENT 29 or SKREJOIN) ends in EVENT 24."""
        self._session.fail_next_reauth()

    # ---------------------------------------------------------------------------------------------------- input
    def feed(self, data: bytes) -> None:
        """Bytes from the controller, in any chunking."""
        if not self._closed:
            self._framer.feed(data)

    def _out(self, data: bytes) -> None:
        if not self._closed:
            self.write(data)

    def _line(self, line: bytes) -> None:
        text = line.decode("ascii", "replace").strip(" ")
        if not text:
            return
        word, _, rest = text.partition(" ")
        command = word.upper()
        product = command in _PRODUCT_COMMANDS and self.options.ropt_supported
        if self._registers["SFE"]:
            self._out(line + (b"\r" if product else CRLF))
        _LOGGER.debug("dongle <- %s", command + " ***" if command in _SECRET_COMMANDS else text)
        handler = self._handlers.get(command)
        try:
            if handler is None:
                raise SkCommandError(ER_UNSUPPORTED)  # noqa: TRY301 - one place turns every failure into FAIL
            handler(rest.strip(" "))
        except SkCommandError as err:
            self._radio.fail(err.code, product=product)

    def _command_table(self) -> dict[str, Callable[[str], None]]:
        table: dict[str, Callable[[str], None]] = {
            "SKVER": self._cmd_skver,
            "SKINFO": self._cmd_skinfo,
            "SKRESET": self._cmd_skreset,
            "SKSREG": self._cmd_sksreg,
            "SKSETPWD": self._cmd_sksetpwd,
            "SKSETRBID": self._cmd_sksetrbid,
            "SKSCAN": self._cmd_skscan,
            "SKLL64": self._cmd_skll64,
            "SKJOIN": self._cmd_skjoin,
            "SKREJOIN": self._cmd_skrejoin,
            "SKTERM": self._cmd_skterm,
            "SKSENDTO": self._cmd_sksendto_line,
            "SKSAVE": self._cmd_sksave,
            "SKLOAD": self._cmd_skload,
            "SKERASE": self._cmd_skerase,
            "SKADDNBR": self._cmd_skaddnbr,
            "SKUDPPORT": self._cmd_skudpport,
        }
        if self.options.ropt_supported:
            table |= {
                "SKAPPVER": self._cmd_skappver,
                "ROPT": self._cmd_ropt,
                "WOPT": self._cmd_wopt,
                "RUART": self._cmd_ruart,
                "WUART": self._cmd_wuart,
            }
        return table

    # ------------------------------------------------------------------------------------------------- commands
    def _version(self, index: int) -> str:
        configured = self.options.stack_version if index == 0 else self.options.app_version
        return configured or _VERSIONS[self.dialect][index]

    def _cmd_skver(self, rest: str) -> None:
        split_args(rest, 0)
        self._out(f"EVER {self._version(0)}".encode("ascii", "replace") + CRLF)
        self._radio.ok()

    def _cmd_skappver(self, rest: str) -> None:
        split_args(rest, 0)
        self._out(f"EAPPVER {self._version(1)}".encode("ascii", "replace") + CRLF)
        self._radio.ok()

    def _cmd_skinfo(self, rest: str) -> None:
        split_args(rest, 0)
        channel, pan_id, mac = self._registers["S02"], self._registers["S03"], self.options.dongle_mac
        self._out(einfo_line(self.dialect, address=self._radio.own_address, mac=mac, channel=channel, pan_id=pan_id))
        self._radio.ok()

    def _cmd_skreset(self, rest: str) -> None:
        split_args(rest, 0)
        self._reset_stack()
        self._radio.ok()

    def _cmd_sksreg(self, rest: str) -> None:
        args = rest.split()
        if len(args) == 1:
            self._out(f"ESREG {self._registers.read(args[0])}".encode("ascii", "replace") + CRLF)
        elif len(args) == 2:
            self._registers.write(args[0], args[1])
        else:
            raise SkCommandError(ER_ARGUMENT_COUNT)
        self._radio.ok()

    def _clear_sfd(self, _value: int) -> None:
        self._sfd_offset = self._ledger.total

    def _cmd_sksetpwd(self, rest: str) -> None:
        length_token, _, password = rest.partition(" ")
        if not length_token or not password:
            raise SkCommandError(ER_ARGUMENT_COUNT)
        length = parse_hex(length_token, 2, 1, 32)
        if len(password) > length:
            raise SkCommandError(ER_ARGUMENT)
        self._password = password.ljust(length, "\x00")  # a short input leaves undefined bytes (BP35A1 §4.19)
        self._radio.ok()

    def _cmd_sksetrbid(self, rest: str) -> None:
        (route_b_id,) = split_args(rest, 1)
        if len(route_b_id) > 32:
            raise SkCommandError(ER_ARGUMENT)
        self._route_b_id = route_b_id.ljust(32, "\x00")
        self._registers.pairing_id = self._route_b_id[-8:]
        self._radio.ok()

    def _cmd_skll64(self, rest: str) -> None:
        (mac,) = split_args(rest, 1)
        self._out(format_ipv6(link_local(parse_mac(mac))).encode("ascii") + CRLF)  # no OK

    def _cmd_sksave(self, rest: str) -> None:
        split_args(rest, 0)
        self.flash.saved_registers = self._registers.snapshot()
        self.flash.writes += 1
        self._radio.ok()

    def _cmd_skload(self, rest: str) -> None:
        split_args(rest, 0)
        if self.flash.saved_registers is None:
            raise SkCommandError(ER_EXECUTION)
        self._registers.load(self.flash.saved_registers)
        self._radio.ok()

    def _cmd_skerase(self, rest: str) -> None:
        split_args(rest, 0)
        self.flash.saved_registers = None
        self._radio.ok()

    def _cmd_skaddnbr(self, rest: str) -> None:
        address, mac = split_args(rest, 2)
        parse_mac(mac)
        if parse_ipv6(address) is None:
            raise SkCommandError(ER_ARGUMENT)
        self._radio.ok()

    def _cmd_skudpport(self, rest: str) -> None:
        handle_token, port_token = split_args(rest, 2)
        self._udp_ports[parse_hex(handle_token, 1, 1, 6)] = parse_hex(port_token, 4)
        self._radio.ok()

    def _cmd_skjoin(self, rest: str) -> None:
        (address_token,) = split_args(rest, 1)
        address = parse_ipv6(address_token)
        if address is None:
            raise SkCommandError(ER_ARGUMENT)
        self._session.join(address, route_b_id=self._route_b_id, password=self._password, tx_limited=self._tx_limited)

    def _cmd_skrejoin(self, rest: str) -> None:
        split_args(rest, 0)
        self._session.rejoin()

    def _cmd_skterm(self, rest: str) -> None:
        split_args(rest, 0)
        self._session.terminate()

    # Product commands (CR-terminated; the data mode lives in FLASH) -------------------------------------------
    def _product_ok(self, value: int | None = None) -> None:
        self._out(b"OK" + (b"" if value is None else f" {value:02X}".encode("ascii")) + b"\r")

    def _cmd_ropt(self, rest: str) -> None:
        split_args(rest, 0)
        self._product_ok(int(self.flash.erxudp_hex))

    def _cmd_wopt(self, rest: str) -> None:
        (mode_token,) = split_args(rest, 1)
        mode = parse_hex(mode_token, 2, 0, 1)
        self._write_flash()
        self.flash.erxudp_hex = mode == 1
        self._product_ok()

    def _cmd_ruart(self, rest: str) -> None:
        split_args(rest, 0)
        self._product_ok(0)  # 115200 bit/s 8N1, no flow control

    def _cmd_wuart(self, rest: str) -> None:
        (mode_token,) = split_args(rest, 1)
        parse_hex(mode_token, 2)
        self._write_flash()
        self._product_ok()

    def _write_flash(self) -> None:
        if self.flash.writes >= DongleFlash.WRITE_LIMIT:
            raise SkCommandError(ER_EXECUTION)  # worn out
        self.flash.writes += 1

    # ----------------------------------------------------------------------------------------------------- scan
    def _cmd_skscan(self, rest: str) -> None:
        args = split_args(rest, 3 if self.dialect is Dialect.BP35A1 else 4)
        mode = parse_hex(args[0], 2)
        mask = parse_hex(args[1], 8)
        duration = parse_hex(args[2], 2, 0, 14)
        side = parse_hex(args[3], 1, 0, 1) if self.dialect is Dialect.BP35C0 else 0
        if mode not in (0, 2, 3):
            raise SkCommandError(ER_ARGUMENT)
        if self._scanning:
            raise SkCommandError(ER_EXECUTION)
        self._radio.ok()
        self._scanning = True
        channels = [CHANNEL_MIN + bit for bit in range(CHANNEL_MAX - CHANNEL_MIN + 1) if mask >> bit & 1]
        per_channel = 0.01 * (2**duration + 1) * self.options.scan_time_scale
        total = len(channels) * per_channel
        if mode == 0:
            self._scheduler.call_later(total, functools.partial(self._energy_scan_done, channels, side), "scan")
            return
        channel = self.options.channel
        found = (
            side == 0
            and self._radio.meter_reachable
            and channel in channels
            and duration >= self.options.scan_min_duration
            and (mode == 3 or self._registers.pairing_id == self._meter_pairing_id)
        )
        if found:
            delay = (channels.index(channel) + 1) * per_channel
            self._scheduler.call_later(delay, functools.partial(self._beacon, with_pairing_id=mode == 2), "scan")
        self._scheduler.call_later(total, functools.partial(self._scan_done, side), "scan")

    def _beacon(self, *, with_pairing_id: bool) -> None:
        self._radio.event(0x20, self._radio.own_address)
        for line in epandesc_lines(
            self.dialect,
            channel=self.options.channel,
            pan_id=self.options.pan_id,
            mac=self.options.meter_mac,
            lqi=self.options.lqi,
            pairing_id=self._meter_pairing_id if with_pairing_id else None,
        ):
            self._out(line)

    def _scan_done(self, side: int) -> None:
        self._scanning = False
        self._radio.event(0x22, self._radio.own_address, side=side)

    def _energy_scan_done(self, channels: list[int], side: int) -> None:
        self._scanning = False
        self._radio.event(0x1F, self._radio.own_address, side=side)
        levels = []
        for channel in channels:
            heard = channel == self.options.channel and self._radio.meter_reachable and side == 0
            levels.append((channel, self.options.lqi if heard else 0x02 + channel * 7 % 0x0E))
        for line in eedscan_lines(levels):
            self._out(line)

    # ------------------------------------------------------------------------------------------------- SKSENDTO
    def _cmd_sksendto_line(self, rest: str) -> None:
        """SKSENDTO that ended with a line end before its data: too few arguments, or a malformed header."""
        expected_args = 5 if self.dialect is Dialect.BP35A1 else 6
        raise SkCommandError(ER_ARGUMENT_COUNT if len(rest.split()) < expected_args else ER_ARGUMENT)

    def _sendto_header(self, header: bytes, tokens: list[bytes]) -> int | None:
        if self._registers["SFE"]:
            self._out(header)
        try:
            length = parse_exact_hex(tokens[-1].decode("ascii", "replace"), 4)
            if length > SENDTO_MAX:
                raise SkCommandError(ER_ARGUMENT)  # noqa: TRY301 - same answer as a malformed length
        except SkCommandError as err:
            self._out(CRLF)
            self._radio.fail(err.code)
            return None
        self._sendto_args = tuple(token.decode("ascii", "replace") for token in tokens[1:-1])
        return length

    def _sendto_data(self, data: bytes) -> None:
        self._out(CRLF)  # the response to SKSENDTO starts with CRLF
        try:
            handle, dest, port, secure, side = self._parse_sendto(self._sendto_args)
        except SkCommandError as err:
            self._radio.fail(err.code)
            return
        self._transmit(handle, dest, port, secure, side, data)

    def _parse_sendto(self, args: tuple[str, ...]) -> tuple[int, bytes, int, int, int]:
        handle = parse_hex(args[0], 1, 1, 6)
        dest = parse_ipv6(args[1])
        port = parse_exact_hex(args[2], 4)
        if dest is None or len(args[3]) != 1:
            raise SkCommandError(ER_ARGUMENT)
        secure = parse_hex(args[3], 1, 0, 2)
        side = 0
        if self.dialect is Dialect.BP35C0:
            if len(args[4]) != 1:
                raise SkCommandError(ER_ARGUMENT)
            side = parse_hex(args[4], 1, 0, 1)
        if self._udp_ports.get(handle, 0) == 0:
            raise SkCommandError(ER_EXECUTION)  # no UDP port open on that handle
        return handle, dest, port, secure, side

    def _transmit(self, handle: int, dest: bytes, port: int, secure: int, side: int, data: bytes) -> None:
        state = self._session.state
        session = state is LinkState.CONNECTED and dest in (self._radio.meter_address, ALL_NODES)
        if side != 0 or self._tx_limited or state is LinkState.REAUTH or (secure == 1 and not session):
            self._radio.event(0x21, dest, 0x01, side=side)  # not sent
            self._radio.ok()
            return
        airtime = air_time(len(data), overhead_bytes=self.options.tx_overhead_bytes, bitrate=self.options.tx_bitrate)
        self._ledger.record(self.now(), airtime)
        self._frame_counter += 1
        heard = self._radio.meter_hears(dest)
        self._radio.event(0x21, dest, 0x00 if heard or dest == ALL_NODES else 0x01)
        self._radio.ok()
        self._check_tx_limit()
        if heard and session and secure != 0 and port == PORT_ECHONET and self._udp_ports[handle] == PORT_ECHONET:
            self._session.request(data)

    # ------------------------------------------------------------------------------------- ARIB STD-T108 budget
    def _check_tx_limit(self) -> None:
        if self._tx_limited or not self._ledger.exhausted(self.now()):
            return
        self._tx_limited = True
        self._radio.event(0x32, self._radio.own_address)
        self._schedule_tx_release()

    def _schedule_tx_release(self) -> None:
        expiry = self._ledger.next_expiry()
        delay = 0.0 if expiry is None else expiry - self.now()
        self._scheduler.call_later(delay, self._tx_release_check, "tx")

    def _tx_release_check(self) -> None:
        if self._ledger.exhausted(self.now()):
            self._schedule_tx_release()
            return
        self._tx_limited = False
        self._radio.event(0x33, self._radio.own_address)

    # -------------------------------------------------------------------------------------------------- reset
    def _reset_stack(self) -> None:
        """SKRESET (and power-on): registers to defaults, no session, no scan; FLASH and TX history stay."""
        self._session.end()
        self._scheduler.cancel("scan")
        self._scanning = False
        self._registers.reset()
        self._route_b_id = None
        self._password = None
        self._udp_ports = {1: PORT_ECHONET, 2: PORT_PANA, 3: 0, 4: 0, 5: 0, 6: 0}
