"""The SKSTACK-IP state machine: commands, registers, scan, PANA, SKSENDTO, faults and the ARIB budget."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.virtual_home.test_dongle_support import (
    E7_504W,
    E7_WITH_CRLF,
    EA_INF,
    GET_E7,
    INSTANCE_LIST,
    PASSWORD,
    ROUTE_B_ID,
    START,
    Harness,
    StubMeter,
    parse_all,
)
from virtual_home.clock import SimClock
from virtual_home.dongle import (
    Dialect,
    DongleFlash,
    DongleModel,
    DongleOptions,
    LinkState,
    SkStackEmulator,
    model_profile,
)

ALL_NODES = "FF02:0000:0000:0000:0000:0000:0000:0001"
DIALECTS = pytest.mark.parametrize("dialect", list(Dialect))


def state_of(h: Harness) -> LinkState:
    """The session state (a call, so that type checkers do not narrow it across commands)."""
    return h.emulator.state


def limited(h: Harness) -> bool:
    return h.emulator.tx_limited


def events(lines: list[str]) -> list[str]:
    """`EVENT nn` of each EVENT line, in order."""
    return [" ".join(line.split(" ")[:2]) for line in lines if line.startswith("EVENT ")]


# --------------------------------------------------------------------------------------------- basic commands
@DIALECTS
def test_version_and_info_follow_the_dialect(dialect: Dialect) -> None:
    h = Harness(dialect)
    assert h.send("SKVER") == ["SKVER", "EVER 1.2.10" if dialect is Dialect.BP35A1 else "EVER 1.5.2", "OK"]
    assert h.send("SKAPPVER")[1].startswith("EAPPVER ")
    info = h.send("SKINFO")
    tail = "FFFE" if dialect is Dialect.BP35A1 else "0"
    assert info == ["SKINFO", f"EINFO FE80:0000:0000:0000:021D:1290:1234:5678 001D129012345678 21 FFFF {tail}", "OK"]


def test_registers_read_write_and_reject_bad_values() -> None:
    h = Harness()
    assert h.send("SKSREG SFE 0") == ["SKSREG SFE 0", "OK"]  # echoed while it was still on
    assert h.send("SKSREG SFE") == ["ESREG 0", "OK"]
    assert h.send("SKSREG S2 3B") == ["OK"]
    assert h.send("SKSREG S02") == ["ESREG 3B", "OK"]
    assert h.send("SKSREG S16") == ["ESREG 00000384", "OK"]
    assert h.send("SKSREG S3 8888") == ["OK"]
    assert h.emulator.register("s3") == "8888"
    for bad in ("S2 20", "S2 3D", "S3 10000", "SFB 1", "S07 1", "SFD 5", "SZZ 1", "S99", "S16 3B", "S0A 123"):
        assert h.send(f"SKSREG {bad}") == ["FAIL ER06"], bad
    assert h.send("SKSREG") == ["FAIL ER05"]
    assert h.send("SKSREG S2 21 22") == ["FAIL ER05"]
    assert h.send("SKSREG SFD 0") == ["OK"]
    with pytest.raises(KeyError):
        h.emulator.register("nope")


def test_route_b_id_sets_the_pairing_id_and_password_length_is_checked() -> None:
    h = Harness()
    h.send("SKSREG SFE 0")
    assert h.send(f"SKSETRBID {ROUTE_B_ID}") == ["OK"]
    assert h.send("SKSREG S0A") == ["ESREG CCDDEEFF", "OK"]
    assert h.send("SKSETPWD c 1234567890ab") == ["OK"]  # lowercase hex length (VECTORS.md C.1)
    assert h.send("SKSETPWD 5 1234567890AB") == ["FAIL ER06"]  # longer than its length
    assert h.send("SKSETPWD 21 X") == ["FAIL ER06"]
    assert h.send("SKSETPWD C") == ["FAIL ER05"]
    assert h.send("SKSETRBID " + "0" * 33) == ["FAIL ER06"]
    assert h.send("SKSETRBID A B") == ["FAIL ER05"]


def test_line_framing_accepts_any_chunking_and_line_end() -> None:
    h = Harness()
    h.send("SKSREG SFE 0")
    for byte in b"SKVER\r":
        h.emulator.feed(bytes([byte]))
    h.emulator.feed(b"\nSKVER\nSKVER\r")  # the LF after a CR in the next chunk is not an empty command
    assert h.lines() == ["EVER 1.2.10", "OK"] * 3
    h.emulator.feed(b"\r\n\r\n  \r\n")
    assert h.take() == b""


def test_unknown_commands_bad_arguments_and_overlong_lines() -> None:
    h = Harness()
    h.send("SKSREG SFE 0")
    assert h.send("SKFOO") == ["FAIL ER04"]
    assert h.send("\xff\xfe") == ["FAIL ER04"]
    assert h.send("SKVER 1") == ["FAIL ER05"]
    assert h.send("SKLL64 001D12901234567") == ["FAIL ER06"]
    assert h.send("SKJOIN FE80::G") == ["FAIL ER06"]
    assert h.send("SKTERM") == ["FAIL ER10"]
    assert h.send("SKREJOIN") == ["FAIL ER10"]
    assert h.send("SKLOAD") == ["FAIL ER10"]
    h.emulator.feed(b"X" * 600)
    assert h.lines() == ["FAIL ER09"]
    assert h.send("still the same line") == []  # dropped up to its line end
    assert h.send("SKVER") == ["EVER 1.2.10", "OK"]


def test_skll64_flips_the_universal_local_bit() -> None:
    h = Harness()
    assert h.send("SKLL64 001D129012345678") == ["SKLL64 001D129012345678", "FE80:0000:0000:0000:021D:1290:1234:5678"]


# --------------------------------------------------------------------------------------------------------- scan
@pytest.mark.parametrize(("dialect", "args"), [(Dialect.BP35A1, "2 FFFFFFFF 6 0"), (Dialect.BP35C0, "2 FFFFFFFF 6")])
def test_skscan_with_the_other_dialects_argument_count_is_er05(dialect: Dialect, args: str) -> None:
    h = Harness(dialect)
    assert h.send(f"SKSCAN {args}") == [f"SKSCAN {args}", "FAIL ER05"]


@DIALECTS
def test_scan_finds_the_meter_with_a_long_enough_duration(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.send("SKSREG SFE 0")
    h.send(f"SKSETRBID {ROUTE_B_ID}")
    assert h.send(f"SKSCAN 2 FFFFFFFF 5{h.side}", advance=60) == ["OK", f"EVENT 22 {h.emulator.own_address}{h.side}"]
    assert h.send(f"SKSCAN 2 FFFFFFFF 6{h.side}") == ["OK"]
    assert h.send(f"SKSCAN 2 FFFFFFFF 6{h.side}") == ["FAIL ER10"]  # still scanning
    per_channel = 0.01 * (2**6 + 1)
    h.emulator.advance(per_channel * (0x3B - 0x21 + 1) - 0.01)
    assert h.lines() == []
    h.emulator.advance(0.02)
    beacon = h.lines()
    side = ["  Side:0"] if dialect is Dialect.BP35C0 else []
    assert beacon == [
        f"EVENT 20 {h.emulator.own_address}{h.side}",
        "EPANDESC",
        "  Channel:3B",
        "  Channel Page:09",
        "  Pan ID:8888",
        "  Addr:001C6400601421A3",
        "  LQI:A0",
        *side,
        "  PairID:CCDDEEFF",
    ]
    h.emulator.advance(per_channel)
    assert h.lines() == [f"EVENT 22 {h.emulator.own_address}{h.side}"]


def test_scan_with_ie_needs_the_right_pairing_id_and_mode_3_does_not() -> None:
    h = Harness(options=DongleOptions(scan_time_scale=0))
    h.send("SKSREG SFE 0")
    h.send("SKSETRBID 0000000000000000000000000BADBEEF")
    assert events(h.send("SKSCAN 2 FFFFFFFF 6", advance=0)) == ["EVENT 22"]
    lines = h.send("SKSCAN 3 FFFFFFFF 6", advance=0)
    assert events(lines) == ["EVENT 20", "EVENT 22"]
    assert not any("PairID" in line for line in lines)
    assert h.send("SKSCAN 3 0BFFFFFF 6", advance=0)[1:] == [f"EVENT 22 {h.emulator.own_address}"]  # no 0x3B
    h.emulator.set_meter_reachable(False)
    assert events(h.send("SKSCAN 3 FFFFFFFF E", advance=0)) == ["EVENT 22"]
    assert h.send("SKSCAN 1 FFFFFFFF 6") == ["FAIL ER06"]
    assert h.send("SKSCAN 2 FFFFFFFF F") == ["FAIL ER06"]


def test_energy_detect_scan_lists_every_masked_channel() -> None:
    h = Harness(options=DongleOptions(scan_time_scale=0))
    lines = h.send("SKSCAN 0 FFFFFFFF 6")
    assert lines[:3] == ["SKSCAN 0 FFFFFFFF 6", "OK", f"EVENT 1F {h.emulator.own_address}"]
    assert lines[3] == "EEDSCAN"
    pairs = lines[4].split(" ")
    assert [int(channel, 16) for channel in pairs[::2]] == list(range(0x21, 0x3D))
    assert pairs[pairs.index("3B") + 1] == "A0"


# ---------------------------------------------------------------------------------------------------------- PANA
@DIALECTS
def test_join_runs_pana_then_event_25_and_the_meter_announces_its_instances(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.send("SKSREG SFE 0")
    h.send(f"SKSETPWD C {PASSWORD}")
    h.send(f"SKSETRBID {ROUTE_B_ID}")
    h.send("SKSREG S2 3B")
    h.send("SKSREG S3 8888")
    meter = h.emulator.meter_address
    assert h.send(f"SKJOIN {meter}") == ["OK"]
    assert state_of(h) is LinkState.JOINING
    h.emulator.advance(2.0)
    items = h.items()
    texts = [item.text for item in items]
    assert events(texts) == ["EVENT 21", "EVENT 02", *["EVENT 21"] * 5, "EVENT 25"]
    assert texts[0] == f"EVENT 21 {meter}{h.side} 02"
    assert texts[1] == f"EVENT 02 {meter}{h.side}"
    pana = [item for item in items if item.text.startswith("ERXUDP") and item.tokens[3] == "02CC"]
    assert len(pana) == 4
    assert all(item.tokens[1] == meter and item.tokens[2] == h.emulator.own_address for item in pana)
    completion = pana[-1].data
    assert completion is not None
    assert len(completion) == 0x58  # the size of the captured completions (VECTORS.md C.3, C.5)
    assert bytes.fromhex("000800000004000000015180") in completion  # Session-Lifetime 86400 s
    announce = items[-1]
    assert announce.tokens[1:5] == [meter, ALL_NODES, "0E1A", "0E1A"]
    assert announce.data == INSTANCE_LIST
    assert state_of(h) is LinkState.CONNECTED
    assert h.meter.notifier is not None


@pytest.mark.parametrize(
    ("pwd_command", "rbid"),
    [
        ("SKSETPWD C 0123456789AC", ROUTE_B_ID),
        (f"SKSETPWD C {PASSWORD}", "00112233445566778899AABBCCDDEEF0"),
        ("SKSETPWD D 0123456789AB", ROUTE_B_ID),  # one undefined byte after the password
    ],
)
def test_wrong_credentials_end_in_event_24_after_the_pana_exchange(pwd_command: str, rbid: str) -> None:
    h = Harness()
    h.send("SKSREG SFE 0")
    h.send(pwd_command)
    h.send(f"SKSETRBID {rbid}")
    h.send("SKSREG S2 3B")
    h.send("SKSREG S3 8888")
    lines = h.send(f"SKJOIN {h.emulator.meter_address}", advance=2.0)
    assert events(lines)[-1] == "EVENT 24"
    assert sum(line.startswith("ERXUDP") for line in lines) == 4
    assert state_of(h) is LinkState.IDLE
    assert h.meter.attach_count == 0


@pytest.mark.parametrize("fault", ["busy", "channel", "unreachable"])
def test_join_nobody_answers_ends_in_event_24_after_the_timeout(fault: str) -> None:
    h = Harness()
    h.send("SKSREG SFE 0")
    h.send(f"SKSETPWD C {PASSWORD}")
    h.send(f"SKSETRBID {ROUTE_B_ID}")
    h.send("SKSREG S2 3A" if fault == "channel" else "SKSREG S2 3B")
    h.send("SKSREG S3 8888")
    h.emulator.set_meter_busy(fault == "busy")
    h.emulator.set_meter_reachable(fault != "unreachable")
    lines = h.send(f"SKJOIN {h.emulator.meter_address}", advance=37.0)
    assert "EVENT 24" not in events(lines)
    assert not any(line.startswith("ERXUDP") for line in lines)
    assert events(h.send(b"", advance=1.5)) == ["EVENT 24"]
    assert state_of(h) is LinkState.IDLE


def test_join_again_while_connected_replaces_the_session() -> None:
    h = Harness()
    h.join()
    assert h.send(f"SKJOIN {h.emulator.meter_address}")[0] == "OK"
    assert h.meter.notifier is None
    assert events(h.send(b"", advance=2.0))[-1] == "EVENT 25"
    assert h.meter.attach_count == 2
    h.emulator.feed(f"SKJOIN {h.emulator.meter_address}\r\n".encode())
    assert h.send(f"SKJOIN {h.emulator.meter_address}") == ["OK", "FAIL ER10"]  # already joining


def test_session_lifetime_expiry_reauthenticates_and_sends_fail_in_the_gap() -> None:
    h = Harness(options=DongleOptions(session_lifetime=600.0, reauth_duration=1.0))
    h.join()
    h.emulator.advance(599.0)
    assert h.lines() == []
    h.emulator.advance(1.0)
    assert h.lines() == [f"EVENT 29 {h.emulator.meter_address}"]
    assert state_of(h) is LinkState.REAUTH
    assert h.sendto(GET_E7) == f"\r\nEVENT 21 {h.emulator.meter_address} 01\r\nOK\r\n".encode()
    h.meter.push(EA_INF)  # lost: the session is re-authenticating
    assert h.take() == b""
    lines = h.send(b"", advance=1.0)
    assert events(lines) == ["EVENT 21", "EVENT 21", "EVENT 25"]
    assert h.meter.attach_count == 1  # still attached: no second INF D5
    assert h.meter.requests == []
    assert b"ERXUDP" in h.sendto(GET_E7)
    h.emulator.advance(601.0)
    assert events(h.lines()) == ["EVENT 29", "EVENT 21", "EVENT 21", "EVENT 25"]


def test_expiry_without_auto_reauthentication_ends_the_session() -> None:
    h = Harness(options=DongleOptions(session_lifetime=60.0))
    h.join()
    h.send("SKSREG S17 0")
    assert h.send(b"", advance=60.0) == [f"EVENT 29 {h.emulator.meter_address}"]
    assert state_of(h) is LinkState.IDLE
    assert h.meter.notifier is None
    assert h.send("SKTERM") == ["FAIL ER10"]


def test_failed_reauthentication_and_skrejoin() -> None:
    h = Harness()
    h.join()
    assert h.send("SKREJOIN", advance=1.0)[0] == "OK"
    assert state_of(h) is LinkState.CONNECTED
    h.emulator.fail_next_reauth()
    assert h.emulator.expire_session()
    assert events(h.send(b"", advance=1.0)) == ["EVENT 29", "EVENT 21", "EVENT 24"]
    assert state_of(h) is LinkState.IDLE
    assert h.meter.notifier is None
    assert not h.emulator.expire_session()


def test_meter_terminating_the_session_gives_event_26() -> None:
    h = Harness()
    assert not h.emulator.terminate_session()
    h.join()
    assert h.emulator.terminate_session()
    assert h.lines() == [f"EVENT 26 {h.emulator.meter_address}"]
    assert h.meter.notifier is None
    assert h.sendto(GET_E7) == f"\r\nEVENT 21 {h.emulator.meter_address} 01\r\nOK\r\n".encode()


@DIALECTS
def test_skterm_gives_event_27_or_28_when_the_meter_is_gone(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.join()
    assert h.send("SKTERM") == ["OK"]
    assert state_of(h) is LinkState.TERMINATING
    assert h.send(b"", advance=0.5) == [f"EVENT 27 {h.emulator.meter_address}{h.side}"]
    assert h.send("SKTERM") == ["FAIL ER10"]
    h.join(echo_off=False)
    h.emulator.set_meter_reachable(False)
    assert h.send("SKTERM", advance=38.0) == ["OK", f"EVENT 28 {h.emulator.meter_address}{h.side}"]


# ------------------------------------------------------------------------------------------------------ SKSENDTO
@DIALECTS
def test_sendto_binary_answer_may_contain_crlf(dialect: Dialect) -> None:
    h = Harness(dialect, meter=StubMeter(answers=[E7_WITH_CRLF]))
    h.join()
    meter, own = h.emulator.meter_address, h.emulator.own_address
    header = f"SKSENDTO 1 {meter} 0E1A 1{h.side} 000E ".encode()
    for chunk in (header[:10], header[10:] + GET_E7[:3], GET_E7[3:9], GET_E7[9:]):  # data split across chunks
        h.emulator.feed(chunk)
    output = h.take()
    assert output.startswith(f"\r\nEVENT 21 {meter}{h.side} 00\r\nOK\r\n".encode())
    answer = parse_all(output, dialect)[-1]
    assert answer.tokens[:6] == ["ERXUDP", meter, own, "0E1A", "0E1A", "001C6400601421A3"]
    assert answer.tokens[6:] == (["1", "0012"] if dialect is Dialect.BP35A1 else ["1", "0", "0012"])
    assert answer.data == E7_WITH_CRLF
    assert h.meter.requests == [GET_E7]


@DIALECTS
def test_wopt_switches_erxudp_data_to_uppercase_hex(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.join()
    assert h.emulator.erxudp_hex is False
    h.emulator.feed(b"ROPT\r")
    assert h.take() == b"OK 00\r"
    h.emulator.feed(b"WOPT 01\r")
    assert h.take() == b"OK\r"
    h.emulator.feed(b"ROPT\r")
    assert h.take() == b"OK 01\r"
    assert h.emulator.flash.writes == 1
    answer = h.sendto(GET_E7).split(b"\r\n")[-2].decode()
    assert answer.endswith(" 0012 " + E7_504W.hex().upper())
    h.emulator.feed(b"WOPT 02\r")
    assert h.take() == b"FAIL ER06\r"


def test_rssi_field_appears_with_sa2_on_the_bp35c0_family_only() -> None:
    for dialect, expected in ((Dialect.BP35C0, 11), (Dialect.BP35A1, 9)):
        h = Harness(dialect, options=DongleOptions(hex_default=True, lqi=0x7B))
        h.join()
        h.send("SKSREG SA2 1")
        tokens = h.sendto(GET_E7).split(b"\r\n")[-2].decode().split(" ")
        assert len(tokens) == expected
        if dialect is Dialect.BP35C0:
            assert tokens[6:9] == ["7B", "1", "0"]  # RSSI/LQI, SECURED, SIDE (MOMONGA's layout)


@DIALECTS
def test_sendto_echo_shows_the_header_but_never_the_data(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.join(echo_off=False)
    header = f"SKSENDTO 1 {h.emulator.meter_address} 0E1A 1{h.side} 000E "
    output = h.sendto(GET_E7)
    assert output.startswith(header.encode() + b"\r\nEVENT 21 ")
    assert GET_E7 not in output


@DIALECTS
def test_sends_that_cannot_go_out_give_event_21_01(dialect: Dialect) -> None:
    h = Harness(dialect)
    meter = h.emulator.meter_address
    h.send("SKSREG SFE 0")
    assert h.sendto(GET_E7) == f"\r\nEVENT 21 {meter}{h.side} 01\r\nOK\r\n".encode()  # SEC=1 without a session
    h.join()
    assert h.sendto(GET_E7, sec=0) == f"\r\nEVENT 21 {meter}{h.side} 00\r\nOK\r\n".encode()  # meter ignores plain
    other = "FE80:0000:0000:0000:021D:1290:0000:0001"
    assert h.sendto(GET_E7, address=other, sec=2) == f"\r\nEVENT 21 {other}{h.side} 01\r\nOK\r\n".encode()
    assert h.meter.requests == []
    if dialect is Dialect.BP35C0:
        h.emulator.feed(f"SKSENDTO 1 {meter} 0E1A 1 1 000E ".encode() + GET_E7)
        assert h.take() == f"\r\nEVENT 21 {meter} 1 01\r\nOK\r\n".encode()  # HAN side
    assert h.sendto(GET_E7, address="FF02::1", sec=2).startswith(f"\r\nEVENT 21 {ALL_NODES}{h.side} 00".encode())
    assert h.meter.requests == [GET_E7]


@DIALECTS
def test_malformed_sendto_headers(dialect: Dialect) -> None:
    h = Harness(dialect)
    h.join()
    meter, side = h.emulator.meter_address, h.side
    h.emulator.feed(f"SKSENDTO 1 {meter} 0E1A 1{side} 00E ".encode() + b"SKVER\r\n")
    assert h.lines() == ["FAIL ER06", "EVER " + ("1.2.10" if dialect is Dialect.BP35A1 else "1.5.2"), "OK"]
    h.emulator.feed(f"SKSENDTO 1 {meter} 0E1A 1{side} 04D1 ".encode())
    assert h.lines() == ["FAIL ER06"]
    assert h.send(f"SKSENDTO 1 {meter} 0E1A") == ["FAIL ER05"]
    assert h.send(f"SKSENDTO 1 {meter} 0E1A 1{side} 000E") == ["FAIL ER06"]  # no data follows a line end
    for args in (
        f"3 {meter} 0E1A 1{side}",
        f"1 {meter} E1A 1{side}",
        f"1 FE80::1::2 0E1A 1{side}",
        f"1 {meter} 0E1A 3{side}",
    ):
        h.emulator.feed(f"SKSENDTO {args} 000E ".encode() + GET_E7)
        assert h.lines()[-1] in ("FAIL ER06", "FAIL ER10"), args
    h.emulator.feed(f"SKSENDTO 1 {meter} 0E1A 1{side} 0000 ".encode())
    assert h.lines() == [f"EVENT 21 {meter}{side} 00", "OK"]
    assert h.send("SKUDPPORT 3 0E1A") == ["OK"]
    h.emulator.feed(f"SKSENDTO 3 {meter} 0E1A 1{side} 000E ".encode() + GET_E7)
    assert h.lines()[-1].startswith("ERXUDP ")


def test_answers_can_be_delayed() -> None:
    h = Harness(options=DongleOptions(response_delay=0.5))
    h.join()
    assert b"ERXUDP" not in h.sendto(GET_E7)
    h.emulator.advance(0.5)
    assert h.lines()[0].startswith("ERXUDP ")


def test_meter_pushes_reach_the_dongle_only_during_a_session() -> None:
    h = Harness()
    h.join()
    h.meter.push(EA_INF)
    (item,) = h.items()
    assert item.tokens[1:3] == [h.emulator.meter_address, h.emulator.own_address]
    assert item.data == EA_INF
    h.meter.push(INSTANCE_LIST)
    assert h.items()[0].tokens[2] == ALL_NODES


def test_the_emulator_can_announce_the_instance_list_itself() -> None:
    h = Harness(options=DongleOptions(send_instance_list=True), meter=StubMeter(announce=False))
    h.send("SKSREG SFE 0")
    h.send(f"SKSETPWD C {PASSWORD}")
    h.send(f"SKSETRBID {ROUTE_B_ID}")
    h.send("SKSREG S2 3B")
    h.send("SKSREG S3 8888")
    h.emulator.feed(f"SKJOIN {h.emulator.meter_address}\r\n".encode())
    h.emulator.advance(2.0)
    assert h.items()[-1].data == INSTANCE_LIST


# ------------------------------------------------------------------------------------------- ARIB transmit limit
@DIALECTS
def test_transmit_budget_gives_event_32_then_33(dialect: Dialect) -> None:
    h = Harness(dialect, options=DongleOptions(tx_budget=0.02, tx_window=3600.0))
    h.join()
    own = h.emulator.own_address
    sends = 0
    while not limited(h):
        output = h.sendto(GET_E7)
        sends += 1
        assert sends < 10
    assert sends == 5  # (14 + 48) bytes × 8 / 100 kbit/s = 4.96 ms each
    assert output.split(b"\r\n")[3] == f"EVENT 32 {own}{h.side}".encode()  # after OK, before the answer
    assert h.send("SKSREG SFB") == ["ESREG 1", "OK"]
    assert h.send("SKSREG SFD") == ["ESREG 00000018", "OK"]  # 24.8 ms on air
    assert h.sendto(GET_E7) == f"\r\nEVENT 21 {h.emulator.meter_address}{h.side} 01\r\nOK\r\n".encode()
    assert len(h.meter.requests) == 5
    h.send("SKRESET")
    assert h.send("SKSREG SFB") == ["SKSREG SFB", "ESREG 1", "OK"]  # SKRESET does not lift the limit
    assert h.send(b"", advance=3599.0) == []
    assert h.send(b"", advance=1.0) == [f"EVENT 33 {own}{h.side}"]
    assert not limited(h)
    h.join()
    assert b"ERXUDP" in h.sendto(GET_E7)


def test_a_join_while_limited_fails() -> None:
    h = Harness(options=DongleOptions(tx_budget=0.001))
    h.join()
    h.sendto(GET_E7)
    assert h.emulator.tx_limited
    assert events(h.send(f"SKJOIN {h.emulator.meter_address}", advance=1.0)) == ["EVENT 24"]


# ------------------------------------------------------------------------------------------ reset, FLASH, models
def test_skreset_drops_the_session_and_registers_but_keeps_flash() -> None:
    h = Harness()
    h.emulator.feed(b"WOPT 01\r")
    h.join()
    h.send("SKSAVE")
    assert h.send("SKRESET") == ["OK"]
    assert state_of(h) is LinkState.IDLE
    assert h.meter.notifier is None
    assert h.send("SKSREG SFE") == ["SKSREG SFE", "ESREG 1", "OK"]
    assert h.send("SKSREG S2") == ["SKSREG S2", "ESREG 21", "OK"]
    assert h.send("SKLOAD") == ["SKLOAD", "OK"]
    assert h.send("SKSREG S2") == ["ESREG 3B", "OK"]
    h.emulator.feed(b"ROPT\r")
    assert h.take() == b"OK 01\r"


def test_flash_survives_a_power_cycle_and_wears_out() -> None:
    flash = DongleFlash(erxudp_hex=False, saved_registers={"SFF": 1, "SFE": 0, "S02": 0x3B})
    h = Harness()
    emulator = SkStackEmulator(
        Dialect.BP35A1,
        StubMeter(),
        h.clock,
        route_b_id=ROUTE_B_ID,
        password=PASSWORD,
        flash=flash,
        write=h.output.extend,
    )
    assert emulator.register("SFE") == "0"
    assert emulator.register("S2") == "3B"
    flash.writes = DongleFlash.WRITE_LIMIT
    emulator.feed(b"WOPT 01\r")
    assert h.take() == b"FAIL ER10\r"
    emulator.close()
    emulator.feed(b"SKVER\r\n")
    assert h.take() == b""


@pytest.mark.parametrize("model", list(DongleModel))
def test_models_bring_their_quirks(model: DongleModel) -> None:
    dialect, options = model_profile(model)
    h = Harness(dialect, options=options)
    h.send("SKSREG SFE 0")
    h.emulator.feed(b"ROPT\r")
    reply = h.take()
    if model is DongleModel.RL7023_DSS:
        assert reply == b"FAIL ER04\r\n"
        assert h.send("SKAPPVER") == ["FAIL ER04"]
        h.emulator.feed(b"WOPT 01\r")
        assert h.take() == b"FAIL ER04\r\n"
    else:
        assert reply == (b"OK 01\r" if model is DongleModel.RL7023_IPS else b"OK 00\r")
    assert h.emulator.erxudp_hex is (model in (DongleModel.RL7023_DSS, DongleModel.RL7023_IPS))
    assert dialect is (Dialect.BP35A1 if model in (DongleModel.BP35A1, DongleModel.RL7023_IPS) else Dialect.BP35C0)
    assert model_profile(model, replace(options, channel=0x21))[1].channel == 0x21


def test_options_are_validated() -> None:
    for bad in ({"meter_mac": "001c6400601421a3"}, {"channel": 0x20}, {"pan_id": -1}, {"lqi": 256}, {"tx_window": 0}):
        with pytest.raises(ValueError, match="must"):
            DongleOptions(**bad)


# ------------------------------------------------------------------------------------------------------- timing
def test_advance_needs_a_manual_clock() -> None:
    emulator = SkStackEmulator(Dialect.BP35A1, StubMeter(), SimClock(START), route_b_id=ROUTE_B_ID, password=PASSWORD)
    with pytest.raises(TypeError):
        emulator.advance(1.0)


async def test_the_runner_fires_events_on_an_accelerated_clock() -> None:
    received = bytearray()
    done = asyncio.Event()

    def write(data: bytes) -> None:
        received.extend(data)
        if b"EVENT 22" in received:
            done.set()

    emulator = SkStackEmulator(
        Dialect.BP35A1, StubMeter(), SimClock(START, speed=1000.0), route_b_id=ROUTE_B_ID, password=PASSWORD
    )
    emulator.write = write
    runner = asyncio.create_task(emulator.run())
    emulator.feed(f"SKSETRBID {ROUTE_B_ID}\r\nSKSCAN 2 FFFFFFFF 6\r\n".encode())  # 18.2 s simulated ≈ 18 ms
    async with asyncio.timeout(5):
        await done.wait()
    assert b"EVENT 20 " in received
    assert emulator.now() >= 18.2
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner


async def test_the_runner_waits_for_tick_on_a_manual_clock() -> None:
    h = Harness(options=DongleOptions(scan_time_scale=1.0))
    runner = asyncio.create_task(h.emulator.run())
    h.send("SKSCAN 2 FFFFFFFF 6")
    for _ in range(20):
        await asyncio.sleep(0)  # give the runner turns: simulated time does not pass by itself
    assert h.lines() == []
    h.clock.advance(20.0)
    assert h.emulator.tick() == 1
    assert events(h.lines()) == ["EVENT 22"]
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
