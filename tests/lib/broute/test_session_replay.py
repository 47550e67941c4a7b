"""The session against scripted dongles: the VECTORS.md §C transcripts replayed in both dialects (dialect detection by
SKSCAN's FAIL ER05, ROPT's ER04, SIDE fields), and the faults the emulator cannot produce (hangs, garbage at open,
scans that never end, joins without an answer, a lost EVENT 25, resend limits)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import logging

import pytest

from custom_components.echonet_hems.lib.broute.credentials import InvalidCredentialsError
from custom_components.echonet_hems.lib.broute.driver import DongleCommandError, DriverOptions
from custom_components.echonet_hems.lib.broute.lines import Dialect, link_local
from custom_components.echonet_hems.lib.broute.session import (
    BRouteSession,
    LinkState,
    MeterBusyError,
    MeterNotFoundError,
    PanInfo,
    SessionOptions,
    TransmitLimitedError,
)
from custom_components.echonet_hems.lib.broute.timing import JST, Clock
from custom_components.echonet_hems.lib.errors import AuthError, HemsError, TransportError
from tests.lib.broute.support import OK, FakeDongle, StateRecorder

# VECTORS.md C.1: RL7023 Stick-D/IPS (BP35A1 dialect, hex ERXUDP).
C1_ID, C1_PASSWORD = "12345678123456781234567812345678", "1234567890ab"
C1_ME = "FE80:0000:0000:0000:1234:5678:1234:5678"
C1_METER = "FE80:0000:0000:0000:9876:5432:9876:5432"
C1_EINFO = f"EINFO {C1_ME} 1234567812345678 21 FFFF FFFE\r\nOK\r\n".encode()
C1_SCAN = (
    f"OK\r\nEVENT 20 {C1_ME}\r\nEPANDESC\r\n  Channel:39\r\n  Channel Page:09\r\n  Pan ID:9876\r\n"
    f"  Addr:1234567812345678\r\n  LQI:2D\r\n  PairID:12345678\r\nEVENT 22 {C1_ME}\r\n"
).encode()
C1_PANA = (
    f"ERXUDP {C1_METER} {C1_ME} 02CC 02CC 1234567812345678 0 0028 "
    "00000028C00000024A1F4DC0C99C3A6A00060000000400000000000500030000000400000000000C\r\n"
)
C1_JOIN = (f"OK\r\nEVENT 21 {C1_METER} 02\r\nEVENT 02 {C1_METER}\r\n{C1_PANA}EVENT 21 {C1_METER} 00\r\n").encode()
GET_E7 = bytes.fromhex("1081000105FF010288016201E700")
E7_ANSWER = bytes.fromhex("1081000102880105FF017201E704000001F8")  # VECTORS.md B.4 M4: 504 W

# VECTORS.md C.2: RL7023 dual stack (BP35C0 dialect). The fixture's author replaced the meter's link-local address by
# 2001:DB8::…:2; it is mapped back to the link-local address SKLL64 gives for the EPANDESC Addr.
C2_ID = "0123456789ABCDEF01234567" + "0112CE67"
C2_ME = "2001:0DB8:0000:0000:011A:1111:0000:0001"
C2_METER = link_local("001A111100000002")
C2_SCAN = (
    f"OK\r\nEVENT 20 {C2_ME} 0\r\nEPANDESC\r\n  Channel:21\r\n  Channel Page:01\r\n  Pan ID:0002\r\n"
    f"  Addr:001A111100000002\r\n  LQI:CA\r\n  Side:0\r\n  PairID:0112CE67\r\nEVENT 22 {C2_ME} 0\r\n"
).encode()
C2_JOIN = (
    f"OK\r\nEVENT 21 {C2_METER} 0 00\r\nERXUDP {C2_METER} {C2_ME} 02CC 02CC 001C6400030C12A4 0 0 0054 "
    "00000054800000021C2FF4B1D1A295AA00020000003B0000015B003B2F808A7F842BD41B4C0902258E791A8FF605914DA6E50C90EDE8"
    f"ACC05E035979BA4A00000000C639CE0D16CC74349C8F6DF9FF9D6EA1D200\r\nEVENT 25 {C2_METER} 0\r\n"
).encode()
C2_FOREIGN_E7 = (  # the fixture's E7 answer comes from another (anonymised) address and MAC: not our meter's
    b"ERXUDP FE80:0000:0000:0000:021C:6400:030C:12A4 FE80:0000:0000:0000:021D:1291:0000:0574 0E1A 0E1A "
    b"001C6400030C12A4 1 0 0012 1081000102880105FF017201E704000001F8\r\n"
)

FAST = SessionOptions(
    scan_durations=(4, 5),
    join_timeout=0.3,
    reauth_timeout=0.2,
    terminate_timeout=0.2,
    ready_timeout=0.5,
    resend_delay=0.01,
    backoff_initial=0.01,
    backoff_max=0.05,
    scan_margin=0.2,
    timeout_floor=0.01,
    driver=DriverOptions(command_timeout=0.3, sendto_event_timeout=0.3, drain_quiet=0.01, drain_limit=0.2),
)


@dataclass
class Script:
    """A dongle answering from canned transcripts; knobs for faults."""

    dialect: str = "bp35a1"
    einfo: bytes = C1_EINFO
    ropt: bytes | None = b"OK 01\r"  # None: FAIL ER04 (no product commands)
    scan: bytes = C1_SCAN
    scan_durations_that_find: tuple[int, ...] = (4, 5)
    scan_ends: bool = True
    join: bytes = C1_JOIN + f"EVENT 25 {C1_METER}\r\n".encode()
    meter_address: str = C1_METER
    meter_mac: str = "1234567812345678"
    sendto_params: list[str] = field(default_factory=list)  # EVENT 21 params to give, in turn ("00" after them)
    extra_after_send: bytes = b""
    silent: set[str] = field(default_factory=set)
    fail: dict[str, int] = field(default_factory=dict)
    answer: Callable[[bytes], bytes | None] = lambda request: E7_ANSWER if request == GET_E7 else None
    in_session: bool = False  # a PANA session is up (SKTERM without one: FAIL ER10)

    @property
    def side(self) -> str:
        return " 0" if self.dialect == "bp35c0" else ""

    def __call__(self, command: str, data: bytes) -> bytes | None:  # noqa: PLR0911, PLR0912 - one answer per command
        word, *args = command.split()
        if word in self.silent:
            return None
        if word in self.fail:
            return f"FAIL ER{self.fail[word]:02d}\r\n".encode()
        match word:
            case "SKVER":
                return b"EVER 1.5.2\r\nOK\r\n"
            case "SKINFO":
                return self.einfo
            case "ROPT":
                return self.ropt if self.ropt is not None else b"FAIL ER04\r\n"
            case "WOPT":
                return b"OK\r"
            case "SKSCAN":
                if len(args) != (4 if self.dialect == "bp35c0" else 3):
                    return b"FAIL ER05\r\n"
                if not self.scan_ends:
                    return OK
                if int(args[2], 16) in self.scan_durations_that_find:
                    return self.scan
                return OK + f"EVENT 22 {C1_ME}{self.side}\r\n".encode()
            case "SKLL64":
                return f"{self.meter_address}\r\n".encode()
            case "SKJOIN":
                self.in_session = b"EVENT 25" in self.join
                return self.join
            case "SKRESET":
                self.in_session = False
                return OK
            case "SKSENDTO":
                return self._sendto(data)
            case "SKTERM":
                if not self.in_session:
                    return b"FAIL ER10\r\n"
                self.in_session = False
                return OK + f"EVENT 27 {self.meter_address}{self.side}\r\n".encode()
        return OK

    def _sendto(self, data: bytes) -> bytes:
        param = self.sendto_params.pop(0) if self.sendto_params else "00"
        out = f"\r\nEVENT 21 {self.meter_address}{self.side} {param}\r\nOK\r\n".encode() + self.extra_after_send
        answer = self.answer(data) if param == "00" else None
        if answer is not None:
            out += (
                f"ERXUDP {self.meter_address} {C1_ME} 0E1A 0E1A {self.meter_mac} 1{self.side} {len(answer):04X} "
                f"{answer.hex().upper()}\r\n"
            ).encode()
        return out


class FastClock:
    """Protocol time 1000× faster than real time."""

    def now(self) -> datetime:
        return datetime.now(JST)

    def wall_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / 1000


def make(
    script: Script,
    *,
    route_b_id: str = C1_ID,
    password: str = C1_PASSWORD,
    clock: Clock | None = None,
    **options: object,
) -> tuple[BRouteSession, FakeDongle, list[bytes]]:
    dongle = FakeDongle(script)
    session_options = SessionOptions(**_options(options))  # type: ignore[arg-type]
    session = BRouteSession(
        "fake://dongle", route_b_id, password, clock=clock, options=session_options, opener=dongle.open
    )
    frames: list[bytes] = []
    session.set_frame_handler(frames.append)
    return session, dongle, frames


def _options(overrides: dict[str, object]) -> dict[str, object]:
    values = {name: getattr(FAST, name) for name in FAST.__dataclass_fields__}
    values.update(overrides)
    return values


async def until(predicate: Callable[[], bool], within: float = 2.0) -> None:
    """Poll a condition of the fakes (small polling, bounded)."""
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 - the fakes have no event to wait on
            await asyncio.sleep(0.005)


# ------------------------------------------------------------------------------------------------ transcripts
async def test_c1_rl7023_ips_transcript_bp35a1_dialect() -> None:
    session, dongle, frames = make(Script())
    await session.start()
    assert session.state is LinkState.CONNECTED
    assert session.dialect is Dialect.BP35A1
    assert session.pan == PanInfo(0x39, 0x9876, "1234567812345678", 0x2D)
    status = session.status
    assert (status.dongle.stack_version, status.dongle.mac) == ("1.5.2", "1234567812345678")
    assert (status.dongle.product_commands, status.dongle.erxudp_hex) == (True, True)
    assert [c.split()[0] for c in dongle.commands] == [
        "SKTERM",  # no session left behind: FAIL ER10
        "SKVER",
        "SKRESET",
        "SKSREG",  # SFE 0
        "SKINFO",
        "ROPT",
        "SKSETPWD",
        "SKSETRBID",
        "SKSCAN",
        "SKSREG",
        "SKSREG",
        "SKLL64",
        "SKJOIN",
    ]
    assert dongle.commands[3] == "SKSREG SFE 0"
    assert dongle.commands[6] == "SKSETPWD C 1234567890ab"
    assert dongle.commands[8] == "SKSCAN 2 FFFFFFFF 4"  # 3 arguments: BP35A1
    assert dongle.commands[9:13] == ["SKSREG S2 39", "SKSREG S3 9876", "SKLL64 1234567812345678", f"SKJOIN {C1_METER}"]
    await session.send(GET_E7)
    assert dongle.commands[-1] == f"SKSENDTO 1 {C1_METER} 0E1A 1 000E"
    assert dongle.sent_data[-1] == GET_E7
    await until(lambda: bool(frames))
    assert frames == [E7_ANSWER]
    await session.close()
    assert dongle.commands[-1] == "SKTERM"


async def test_c2_dual_stack_transcript_detects_bp35c0_by_er05() -> None:
    # The EINFO tail wrongly hints BP35A1; SKSCAN with 3 arguments gets FAIL ER05 and the 4-argument form is the truth.
    script = Script(
        dialect="bp35c0",
        ropt=None,  # RL7023 Stick-D/DSS: ROPT → FAIL ER04, hex data assumed
        scan=C2_SCAN,
        join=C2_JOIN,
        meter_address=C2_METER,
        meter_mac="001A111100000002",
        extra_after_send=C2_FOREIGN_E7,
    )
    session, dongle, frames = make(script, route_b_id=C2_ID)
    recorder = StateRecorder(session)
    await session.start()
    assert session.dialect is Dialect.BP35C0
    assert any(status.dialect is Dialect.BP35C0 for status in recorder.statuses)
    assert "SKSCAN 2 FFFFFFFF 4" in dongle.commands
    assert "SKSCAN 2 FFFFFFFF 4 0" in dongle.commands
    assert (session.status.dongle.product_commands, session.status.dongle.erxudp_hex) == (False, True)
    assert session.pan == PanInfo(0x21, 0x0002, "001A111100000002", 0xCA)
    await session.send(GET_E7)
    assert dongle.commands[-1] == f"SKSENDTO 1 {C2_METER} 0E1A 1 0 000E"  # with SIDE
    await until(lambda: bool(frames))
    assert frames == [E7_ANSWER]  # the transcript's answer from a foreign address was dropped, ours accepted
    await session.close()


async def test_hex_mode_is_written_once_only_when_asked_and_only_when_binary() -> None:
    script = Script(ropt=b"OK 00\r")
    session, dongle, _ = make(script, write_hex_mode=True)
    await session.start()
    assert "WOPT 01" in dongle.commands
    assert session.status.dongle.erxudp_hex is True
    dongle.unplug()  # a reopen runs the set-up again: no second FLASH write
    await until(lambda: dongle.opened == 2 and session.state is LinkState.CONNECTED)
    assert dongle.commands.count("WOPT 01") == 1
    await session.close()
    plain, plain_dongle, _ = make(Script(ropt=b"OK 00\r"))
    await plain.start()
    assert "WOPT 01" not in plain_dongle.commands
    assert plain.status.dongle.erxudp_hex is False
    await plain.close()


# ------------------------------------------------------------------------------------------------- failures
def test_credentials_are_checked_before_any_io() -> None:
    opened: list[str] = []

    async def opener(url: str, baudrate: int) -> None:  # pragma: no cover - must not be called
        opened.append(url)

    for route_b_id, password, message in (
        ("0123", C1_PASSWORD, "B-route ID must be 32 characters, got 4"),
        ("0123456789ABCDEF0123456789ABCDE-", C1_PASSWORD, "only the letters"),
        (C1_ID, "short", "password must be 12 characters, got 5"),
        (C1_ID, "pass word 12", "without spaces"),
    ):
        with pytest.raises(InvalidCredentialsError, match=message) as caught:
            BRouteSession("/dev/null", route_b_id, password, opener=opener)  # type: ignore[arg-type]
        assert isinstance(caught.value, AuthError)
        assert isinstance(caught.value, ValueError)
        assert password not in str(caught.value)
    assert opened == []
    session = BRouteSession("/dev/null", f"  {C1_ID} ", f"{C1_PASSWORD}\n")
    assert "1234567890ab" not in repr(session._credentials)
    assert session._credentials.pairing_id == "12345678"


async def test_port_that_cannot_be_opened() -> None:
    session, dongle, _ = make(Script())
    dongle.fail_open = FileNotFoundError(2, "No such file or directory")
    with pytest.raises(TransportError, match="cannot open the dongle"):
        await session.start()
    assert session.state is LinkState.CLOSED
    with pytest.raises(RuntimeError):
        await session.start()
    with pytest.raises(TransportError, match="closed"):
        await session.wait_connected()


async def test_stale_output_at_open_is_drained() -> None:
    # Without the drain, SKVER would take the stale OK/FAIL as its answer and the rest would shift.
    session, dongle, _ = make(Script())
    dongle.garbage_at_open = b"OK\r\nFAIL ER10\r\n\x00\xffgarbage without an end"
    await session.start()
    assert session.status.dongle.stack_version == "1.5.2"
    await session.close()


async def test_a_dongle_that_does_not_answer_is_a_transport_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, "custom_components.echonet_hems.lib.broute")
    session, _, _ = make(Script(silent={"SKRESET"}))
    with pytest.raises(TransportError, match="SKRESET: the dongle did not answer"):
        await session.start()
    # Secrets never reach the logs.
    session, _, _ = make(Script())
    await session.start()
    await session.close()
    assert C1_PASSWORD not in caplog.text
    assert C1_ID not in caplog.text
    assert "SKSETPWD ***" in caplog.text


async def test_no_meter_in_the_scans() -> None:
    session, dongle, _ = make(Script(scan_durations_that_find=()))
    with pytest.raises(MeterNotFoundError, match="2 active scans"):
        await session.start()
    assert [c for c in dongle.commands if c.startswith("SKSCAN")] == ["SKSCAN 2 FFFFFFFF 4", "SKSCAN 2 FFFFFFFF 5"]
    # A beacon with another pairing ID is not our meter.
    session, _, _ = make(Script(), route_b_id="1234567812345678123456781234567F")
    with pytest.raises(MeterNotFoundError, match="1 other PANs heard"):
        await session.start()


async def test_a_scan_that_never_ends() -> None:
    session, _, _ = make(Script(scan_ends=False), clock=FastClock())  # a 7-second scan, 1000× faster
    with pytest.raises(TransportError, match="did not finish"):
        await session.start()


async def test_join_outcomes() -> None:
    # EVENT 24 after the meter answered PANA: the credentials were rejected.
    rejected = Script(join=C1_JOIN + f"EVENT 24 {C1_METER}\r\n".encode())
    session, _, _ = make(rejected)
    with pytest.raises(AuthError, match="rejected PANA"):
        await session.start()
    # EVENT 24 without any PANA answer: nobody talked to us — not a credentials problem.
    silent = Script(join=f"OK\r\nEVENT 21 {C1_METER} 02\r\nEVENT 24 {C1_METER}\r\n".encode())
    session, _, _ = make(silent)
    with pytest.raises(MeterBusyError, match="did not answer PANA") as caught:
        await session.start()
    assert isinstance(caught.value, TransportError)
    assert not isinstance(caught.value, AuthError)
    # No result at all.
    session, _, _ = make(Script(join=OK))
    with pytest.raises(TransportError, match="no PANA result"):
        await session.start()


async def test_known_pan_joins_without_scanning_and_falls_back_to_a_scan() -> None:
    dongle = FakeDongle(Script())
    pan = PanInfo(0x39, 0x9876, "1234567812345678")
    session = BRouteSession(
        "fake://", C1_ID, C1_PASSWORD, options=FAST, pan=pan, dialect=Dialect.BP35A1, opener=dongle.open
    )
    await session.start()
    assert not any(c.startswith("SKSCAN") for c in dongle.commands)
    await session.close()
    # A stale PAN: the meter does not answer there (EVENT 24 without PANA) → scan → the right PAN.
    script = Script()
    joins: list[int] = []

    def join_then(command: str, data: bytes) -> bytes | None:
        if command.startswith("SKJOIN"):
            joins.append(1)
            if len(joins) == 1:
                return f"OK\r\nEVENT 24 {C1_METER}\r\n".encode()
        return script(command, data)

    dongle = FakeDongle(join_then)
    stale = PanInfo(0x21, 0x1111, "1234567812345678")
    session = BRouteSession("fake://", C1_ID, C1_PASSWORD, options=FAST, pan=stale, opener=dongle.open)
    await session.start()
    assert session.pan == PanInfo(0x39, 0x9876, "1234567812345678", 0x2D)
    assert any(c.startswith("SKSCAN") for c in dongle.commands)
    await session.close()


async def test_lost_event_25_after_expiry_leads_to_a_rejoin() -> None:
    session, dongle, _ = make(Script())
    recorder = StateRecorder(session)
    await session.start()
    mark = recorder.mark()
    dongle.push(f"EVENT 29 {C1_METER}\r\n".encode())  # lifetime expired … and no EVENT 25 ever comes
    await recorder.wait_for(lambda s: s.state is LinkState.REAUTHENTICATING, within=2)
    await recorder.wait_for(lambda s: s.state is LinkState.CONNECTED, within=2)
    assert recorder.since(mark) == [
        LinkState.REAUTHENTICATING,
        LinkState.RECONNECTING,
        LinkState.JOINING,
        LinkState.CONNECTED,
    ]
    assert sum(c.startswith("SKJOIN") for c in dongle.commands) == 2
    # HAN-side events (side 1) of a dual-stack dongle do not touch the B-route session; EVENT 25 while connected is
    # a quiet automatic re-authentication.
    dongle.push(f"EVENT 26 {C1_METER} 1\r\nEVENT 25 {C1_METER}\r\n".encode())
    await asyncio.sleep(0.05)
    assert session.state is LinkState.CONNECTED
    await session.close()


async def test_transmit_limit_events_and_bounded_resends() -> None:
    script = Script()
    session, dongle, frames = make(script, resend_limit=2)
    recorder = StateRecorder(session)
    await session.start()
    dongle.push(f"EVENT 32 {C1_ME}\r\n".encode())
    await recorder.wait_for(lambda s: s.tx_limited, within=2)
    with pytest.raises(TransmitLimitedError):
        await session.send(GET_E7)
    dongle.push(f"EVENT 33 {C1_ME}\r\n".encode())
    await recorder.wait_for(lambda s: not s.tx_limited, within=2)
    await session.send(GET_E7)
    await until(lambda: bool(frames))

    # EVENT 21 01 (send failed): resent, then successful.
    sends = sum(c.startswith("SKSENDTO") for c in dongle.commands)
    script.sendto_params[:] = ["01", "01"]
    await session.send(GET_E7)
    assert sum(c.startswith("SKSENDTO") for c in dongle.commands) - sends == 3
    # … but not forever.
    script.sendto_params[:] = ["01"] * 5
    with pytest.raises(TransportError, match="3 attempts"):
        await session.send(GET_E7)
    # A last failure that comes with the limit is reported as the limit.
    script.sendto_params[:] = ["01", "01", f"01\r\nEVENT 32 {C1_ME}"]
    with pytest.raises(TransmitLimitedError):
        await session.send(GET_E7)
    await session.close()


async def test_sendto_failure_and_a_missing_event_21() -> None:
    script = Script()
    session, dongle, _ = make(script)
    await session.start()
    script.fail["SKSENDTO"] = 10
    with pytest.raises(DongleCommandError, match="ER10") as caught:
        await session.send(GET_E7)
    assert caught.value.code == 10
    del script.fail["SKSENDTO"]
    script.sendto_params[:] = ["02"]  # only a neighbour solicitation, no final EVENT 21: counts as sent
    await session.send(GET_E7)
    await session.close()


async def test_line_loss_reopens_the_port_and_rejoins() -> None:
    session, dongle, _ = make(Script())
    recorder = StateRecorder(session)
    await session.start()
    mark = recorder.mark()
    dongle.unplug(OSError(5, "Input/output error"))
    await until(lambda: dongle.opened == 2 and session.state is LinkState.CONNECTED)
    assert LinkState.CONNECTING in recorder.since(mark)
    assert LinkState.SCANNING not in recorder.since(mark)
    # While the port cannot be opened, the session backs off and keeps trying.
    dongle.fail_open = ConnectionRefusedError(111, "Connection refused")
    dongle.unplug()
    await recorder.wait_for(lambda s: s.state is LinkState.RECONNECTING, within=2)
    with pytest.raises(TransportError, match="cannot open"):
        await session.wait_connected(within=0.05)
    dongle.fail_open = None
    await session.wait_connected(within=2)
    await session.close()


async def test_status_listeners_and_errors_of_a_closed_session() -> None:
    session, _, _ = make(Script())
    seen: list[LinkState] = []
    remove = session.add_listener(lambda status: seen.append(status.state))

    def broken(_status: object) -> None:
        raise ValueError("listener bug")

    session.add_listener(broken)  # a failing listener is logged, not fatal
    await session.start()
    remove()
    remove()
    await session.close()
    assert seen[-1] is LinkState.CONNECTED
    with pytest.raises(HemsError):
        await session.send(GET_E7)


async def test_a_rejection_in_the_background_surfaces_as_auth_error() -> None:
    script = Script()
    session, dongle, _ = make(script)
    recorder = StateRecorder(session)
    await session.start()
    # The utility changed the password: the meter ends the session and rejects every re-join.
    script.join = C1_JOIN + f"EVENT 24 {C1_METER}\r\n".encode()
    dongle.push(f"EVENT 26 {C1_METER}\r\n".encode())
    await recorder.wait_for(lambda s: isinstance(s.last_error, AuthError) and s.state is LinkState.RECONNECTING)
    with pytest.raises(AuthError, match="the meter rejected"):
        await session.wait_connected(within=0.05)
    assert not any(c.startswith("SKSCAN") for c in dongle.commands[13:])  # the cached PAN, never a rescan
    await session.close()


async def test_unsolicited_session_ends_and_redundant_events() -> None:
    session, dongle, _ = make(Script())
    recorder = StateRecorder(session)
    await session.start()
    mark = recorder.mark()
    dongle.push(f"EVENT 32 {C1_ME}\r\nEVENT 32 {C1_ME}\r\n".encode())  # the second changes nothing
    dongle.push(f"ERXUDP {C1_METER} {C1_ME} 02CC 02CC 1234567812345678 0 0002 0000\r\n".encode())  # stray PANA
    dongle.push(f"ERXUDP {C1_METER} {C1_ME} 0E1A 0E1B 1234567812345678 1 0002 1081\r\n".encode())  # other port
    await recorder.wait_for(lambda s: s.tx_limited)
    with pytest.raises(TransmitLimitedError, match="cannot join"):
        await session._join(session._driver, session.pan)  # type: ignore[arg-type]
    dongle.push(f"EVENT 33 {C1_ME}\r\n".encode())
    await recorder.wait_for(lambda s: not s.tx_limited)
    dongle.push(f"EVENT 28 {C1_METER}\r\n".encode())  # the session ended without our SKTERM
    await recorder.wait_for(lambda s: s.state is LinkState.RECONNECTING)
    await session.wait_connected(within=2)
    assert [s for s in recorder.since(mark) if s is not LinkState.CONNECTED][:2] == [
        LinkState.RECONNECTING,
        LinkState.JOINING,
    ]
    mark = recorder.mark()
    dongle.push(f"EVENT 29 {C1_METER}\r\nEVENT 29 {C1_METER}\r\nEVENT 25 {C1_METER}\r\n".encode())
    await until(lambda: recorder.since(mark) == [LinkState.REAUTHENTICATING, LinkState.CONNECTED])
    await session.close()


async def test_the_line_failing_during_the_join_or_skterm() -> None:
    script = Script(join=OK)  # SKJOIN accepted; then the dongle vanishes
    session, dongle, _ = make(script, join_timeout=5.0)
    task = asyncio.ensure_future(session.start())
    await until(lambda: any(c.startswith("SKJOIN") for c in dongle.commands))
    dongle.unplug()
    with pytest.raises(TransportError, match="went away"):
        await task
    # SKTERM refused at close: the port is closed all the same.
    session, dongle, _ = make(Script(fail={"SKTERM": 10}))
    await session.start()
    await session.close()
    assert session.state is LinkState.CLOSED
    assert dongle.writer is not None
    assert dongle.writer.closed


def test_pan_info() -> None:
    pan = PanInfo(0x3B, 0x8888, "001C6400601421A3", 0xA0)
    assert pan.address == "FE80:0000:0000:0000:021C:6400:6014:21A3"
    assert pan.rssi_dbm == pytest.approx(-60.27)
    assert PanInfo(0x3B, 0x8888, "001C6400601421A3").rssi_dbm is None
