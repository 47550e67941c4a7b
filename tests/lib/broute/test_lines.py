"""The SKSTACK-IP line parser against the transcripts of VECTORS.md §C (both dialects) and the line-syntax corners."""

from __future__ import annotations

import logging

import pytest

from custom_components.echonet_hems.lib.broute.lines import (
    Address,
    AppVersion,
    Dialect,
    Echo,
    Event,
    Fail,
    Info,
    LineParser,
    Ok,
    PanDescriptor,
    RegisterValue,
    SkLine,
    StackVersion,
    UdpPacket,
    link_local,
    mask_secrets,
    normalize_ipv6,
)

CRLF = b"\r\n"


def parse(text: bytes, chunk: int | None = None) -> list[SkLine]:
    parser = LineParser()
    if chunk is None:
        return parser.feed(text)
    out: list[SkLine] = []
    for index in range(0, len(text), chunk):
        out += parser.feed(text[index : index + chunk])
    return out


def lines(*texts: str) -> bytes:
    return b"".join(text.encode("ascii") + CRLF for text in texts)


# VECTORS.md C.1 — RL7023 Stick-D/IPS (BP35A1 dialect), manual session with echo on.
C1 = lines(
    "SKINFO",
    "EINFO FE80:0000:0000:0000:1234:5678:1234:5678 1234567812345678 21 FFFF FFFE",
    "OK",
    "SKSETRBID 12345678123456781234567812345678",
    "OK",
    "SKSETPWD c 1234567890ab",
    "OK",
    "SKSCAN 2 FFFFFFFF 6",
    "EVENT 20 FE80:0000:0000:0000:1234:5678:1234:5678",
    "EPANDESC",
    "  Channel:39",
    "  Channel Page:09",
    "  Pan ID:9876",
    "  Addr:1234567812345678",
    "  LQI:2D",
    "  PairID:12345678",
    "EVENT 22 FE80:0000:0000:0000:1234:5678:1234:5678",
    "SKSREG S2 39",
    "OK",
    "SKSREG S3 9876",
    "OK",
    "SKLL64 1234567812345678",
    "FE80:0000:0000:0000:9876:5432:9876:5432",
    "SKJOIN FE80:0000:0000:0000:9876:5432:9876:5432",
    "OK",
    "EVENT 21 FE80:0000:0000:0000:9876:5432:9876:5432 02",
    "EVENT 02 FE80:0000:0000:0000:9876:5432:9876:5432",
    "ERXUDP FE80:0000:0000:0000:9876:5432:9876:5432 FE80:0000:0000:0000:1234:5678:1234:5678 02CC 02CC "
    "1234567812345678 0 0028 00000028C00000024A1F4DC0C99C3A6A00060000000400000000000500030000000400000000000C",
)
C1_PANA = bytes.fromhex("00000028C00000024A1F4DC0C99C3A6A00060000000400000000000500030000000400000000000C")

# VECTORS.md C.2 — RL7023 dual stack (BP35C0 dialect, SIDE fields).
C2_PANA = (
    "00000054800000021C2FF4B1D1A295AA00020000003B0000015B003B2F808A7F842BD41B4C0902258E791A8FF605914DA6E50C90EDE8"
    "ACC05E035979BA4A00000000C639CE0D16CC74349C8F6DF9FF9D6EA1D200"
)
C2 = lines(
    "OK",
    "EVENT 20 2001:0DB8:0000:0000:011A:1111:0000:0001 0",
    "EPANDESC",
    "  Channel:21",
    "  Channel Page:01",
    "  Pan ID:0002",
    "  Addr:001A111100000002",
    "  LQI:CA",
    "  Side:0",
    "  PairID:0112CE67",
    "EVENT 22 2001:0DB8:0000:0000:011A:1111:0000:0001 0",
    "OK",
    "EVENT 21 2001:0DB8:0000:0000:011A:1111:0000:0002 0 00",
    "ERXUDP 2001:0DB8:0000:0000:011A:1111:0000:0002 2001:0DB8:0000:0000:011A:1111:0000:0001 02CC 02CC "
    f"001C6400030C12A4 0 0 0054 {C2_PANA}",
    "EVENT 25 2001:0DB8:0000:0000:011A:1111:0000:0002 0",
    "ERXUDP 2001:0DB8:0000:0000:011A:1111:0000:0002 2001:0DB8:0000:0000:011A:1111:0000:0001 02CC 02CC "
    "001A111100000002 0 0 0028 108100000EF0010EF0017301D50401028801",
    "EVENT 21 2001:0DB8:0000:0000:011A:1111:0000:0002 0 00",
    "OK",
    "ERXUDP FE80:0000:0000:0000:021C:6400:030C:12A4 FE80:0000:0000:0000:021D:1291:0000:0574 0E1A 0E1A "
    "001C6400030C12A4 1 0 0012 1081000102880105FF017201E704000001F8",
    "EVER 1.5.2",
)


@pytest.mark.parametrize("chunk", [None, 1, 5, 64])
def test_c1_bp35a1_transcript(chunk: int | None) -> None:
    parsed = parse(C1, chunk)
    meter_ll = "FE80:0000:0000:0000:9876:5432:9876:5432"
    me = "FE80:0000:0000:0000:1234:5678:1234:5678"
    assert parsed == [
        Echo("SKINFO"),
        Info(me, "1234567812345678", 0x21, 0xFFFF, "FFFE"),
        Ok(),
        Echo("SKSETRBID ***"),
        Ok(),
        Echo("SKSETPWD ***"),
        Ok(),
        Echo("SKSCAN 2 FFFFFFFF 6"),
        Event(0x20, me),
        PanDescriptor(0x39, 0x9876, "1234567812345678", channel_page=9, lqi=0x2D, pairing_id="12345678"),
        Event(0x22, me),
        Echo("SKSREG S2 39"),
        Ok(),
        Echo("SKSREG S3 9876"),
        Ok(),
        Echo("SKLL64 1234567812345678"),
        Address(meter_ll),
        Echo(f"SKJOIN {meter_ll}"),
        Ok(),
        Event(0x21, meter_ll, param=0x02),
        Event(0x02, meter_ll),
        UdpPacket(meter_ll, me, 0x02CC, 0x02CC, "1234567812345678", False, C1_PANA, hex_data=True),
    ]
    info = parsed[1]
    assert isinstance(info, Info)
    assert info.dialect_hint is Dialect.BP35A1


@pytest.mark.parametrize("chunk", [None, 1, 3, 100])
def test_c2_bp35c0_transcript_with_side_fields(chunk: int | None) -> None:
    parsed = parse(C2, chunk)
    me = "2001:0DB8:0000:0000:011A:1111:0000:0001"
    meter = "2001:0DB8:0000:0000:011A:1111:0000:0002"
    assert parsed[:4] == [
        Ok(),
        Event(0x20, me, side=0),
        PanDescriptor(0x21, 0x0002, "001A111100000002", channel_page=1, lqi=0xCA, side=0, pairing_id="0112CE67"),
        Event(0x22, me, side=0),
    ]
    assert parsed[5] == Event(0x21, meter, side=0, param=0)
    pana = parsed[6]
    assert isinstance(pana, UdpPacket)
    assert (pana.rport, pana.side, pana.secured, pana.data) == (0x02CC, 0, False, bytes.fromhex(C2_PANA))
    assert parsed[7] == Event(0x25, meter, side=0)
    # The fixture's INF D5 line says DATALEN 0028 for 18 bytes (an editing artefact, VECTORS.md C.2): dropped.
    assert parsed[8:10] == [Event(0x21, meter, side=0, param=0), Ok()]
    e7 = parsed[10]
    assert isinstance(e7, UdpPacket)
    assert e7 == UdpPacket(
        "FE80:0000:0000:0000:021C:6400:030C:12A4",
        "FE80:0000:0000:0000:021D:1291:0000:0574",
        0x0E1A,
        0x0E1A,
        "001C6400030C12A4",
        True,
        bytes.fromhex("1081000102880105FF017201E704000001F8"),
        hex_data=True,
        side=0,
    )
    assert parsed[11:] == [StackVersion("1.5.2")]
    assert len(parsed) == 12


def test_c3_c4_c5_c6_c7_single_lines() -> None:
    c3 = lines(
        "EVENT 21 FE80:0000:0000:0000:8EDF:9DFF:FEC1:323B 00",
        "ERXUDP FE80:0000:0000:0000:8EDF:9DFF:FEC1:323B FE80:0000:0000:0000:021D:1290:0003:809A 02CC 02CC "
        "<MeterAddr Omitted> 0 0058 0000",  # the reporter removed the MAC: not a valid line
        "EVENT 25 FE80:0000:0000:0000:8EDF:9DFF:FEC1:323B",
    )
    assert parse(c3) == [
        Event(0x21, "FE80:0000:0000:0000:8EDF:9DFF:FEC1:323B", param=0),
        Event(0x25, "FE80:0000:0000:0000:8EDF:9DFF:FEC1:323B"),
    ]
    c4 = lines(
        "ERXUDP FE80:0000:0000:0000:021C:6400:03CD:76A4 FE80:0000:0000:0000:021D:1290:0004:263D 0E1A 0E1A "
        "001C640003CD76A4 1 0018 1081100202880105FF017202E7040000029CE80400280028"
    )
    (packet,) = parse(c4)
    assert isinstance(packet, UdpPacket)
    assert (packet.side, packet.rssi, packet.secured) == (None, None, True)
    assert packet.data.hex().upper() == "1081100202880105FF017202E7040000029CE80400280028"
    c5 = lines(
        "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
        "ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 FE80:0000:0000:0000:1207:23FF:FEA0:77E3 0E1A 0E1A "
        "001C640003DD6393 1 0012 1081000302880105FF017201E704FFFFF856",
    )
    assert [type(line) for line in parse(c5)] == [Event, UdpPacket]
    c6 = lines(
        "EVENT 21 FE80:0000:0000:0000:C2F9:4500:4058:B5FB 0 00",
        "OK",
        "ERXUDP FE80:0000:0000:0000:C2F9:4500:4058:B5FB FE80:0000:0000:0000:021D:1291:0004:E578 0E1A 0E1A "
        "0011223344556677 1 0 0012 1081525302880105FF017201E704000000E4",
    )
    event, ok, e7 = parse(c6)
    assert event == Event(0x21, "FE80:0000:0000:0000:C2F9:4500:4058:B5FB", side=0, param=0)
    assert ok == Ok()
    assert isinstance(e7, UdpPacket)
    assert e7.side == 0
    c7 = lines(
        "SKSENDTO 1 FE80:0000:0000:0000:0000:0000:0000:0000 0E1A 2 000E 1081001A05FF0102880162019E00",
        "EVENT 21 FE80:0000:0000:0000:0000:0000:0000:0000 00",
        "OK",
        "ERXUDP FE80:0000:0000:0000:0000:0000:0000:0000 FE80:0000:0000:0000:0000:0000:0000:0001 0E1A 0E1A "
        "001C64000334809F 1 0012 1081001A02880105FF0172019E040381E5ED",
    )
    assert [type(line) for line in parse(c7)] == [Echo, Event, Ok, UdpPacket]


def test_c8_manual_examples_and_c9_ed_scan() -> None:
    c8 = lines(
        "EINFO FE80:0000:0000:0000:021D:1290:1234:5678 001D129012345678 21 8888 FFFE",
        "OK",
        "FE80:0000:0000:0000:021D:1290:1234:5678",
        "EPANDESC",
        "  Channel:21",
        "  Channel Page:09",
        "  Pan ID:8888",
        "  Addr:001D129012345678",
        "  LQI:E1",
        "EVENT 22 FE80:0000:0000:0000:021D:1290:0003:C890",
    )
    parsed = parse(c8)
    assert parsed[2] == Address("FE80:0000:0000:0000:021D:1290:1234:5678")
    assert parsed[3] == PanDescriptor(0x21, 0x8888, "001D129012345678", channel_page=9, lqi=0xE1)
    assert parsed[3].rssi_dbm == pytest.approx(-42.39, abs=0.01)
    assert isinstance(parsed[4], Event)
    # SKLL64 as computed locally agrees with the manual (§4.33).
    assert link_local("001D129012345678") == "FE80:0000:0000:0000:021D:1290:1234:5678"
    c9 = lines(
        "OK",
        "EVENT 1F FE80:0000:0000:0000:021D:1290:0003:C890",
        "EEDSCAN",
        "21 04 22 04 23 03 24 02 25 05 26 06 27 05 28 11 29 10 2A 0B 2B 10 2C 0C 2D 09 2E 0A 2F 07 30 06",
    )
    assert parse(c9) == [Ok(), Event(0x1F, "FE80:0000:0000:0000:021D:1290:0003:C890")]


def test_c10_error_answers_and_product_replies_ending_in_cr() -> None:
    assert parse(b"FAIL ER05\r\nFAIL ER04\rOK 01\rOK\r\nOK 00\r") == [Fail(5), Fail(4), Ok(1), Ok(), Ok(0)]
    # A CR and its LF split across chunks are one line end.
    parser = LineParser()
    assert parser.feed(b"OK 01\r") == [Ok(1)]
    assert parser.feed(b"\nEVER 1.2.10\r\nEAPPVER rev26e\r\nESREG 0001\r\n") == [
        StackVersion("1.2.10"),
        AppVersion("rev26e"),
        RegisterValue("0001"),
    ]


def test_binary_erxudp_is_read_by_length_even_with_crlf_inside() -> None:
    payload = bytes.fromhex("1081000102880105FF017201E704") + b"\r\n\r\n"  # the data carries CR LF bytes
    header = (
        b"ERXUDP FE80:0000:0000:0000:021C:6400:6014:21A3 FE80:0000:0000:0000:021D:1290:1234:5678 0E1A 0E1A "
        b"001C6400601421A3 1 0012 "
    )
    stream = header + payload + CRLF + b"EVENT 21 FE80:0000:0000:0000:021C:6400:6014:21A3 00\r\n"
    for chunk in (None, 1, 2, 17):
        parsed = parse(stream, chunk)
        assert len(parsed) == 2, chunk
        packet = parsed[0]
        assert isinstance(packet, UdpPacket)
        assert packet.data == payload
        assert not packet.hex_data


def test_erxudp_layouts_9_10_11_fields_binary_and_hex() -> None:
    sender, dest = "FE80:0000:0000:0000:021C:6400:6014:21A3", "FE80:0000:0000:0000:021D:1290:1234:5678"
    data = bytes.fromhex("1081000102880105FF017201E70400000278")
    prefix = f"ERXUDP {sender} {dest} 0E1A 0E1A 001C6400601421A3 "
    for middle, side, rssi in (("1", None, None), ("1 0", 0, None), ("A0 1 1", 1, 0xA0)):
        binary = f"{prefix}{middle} 0012 ".encode() + data + CRLF
        hexed = f"{prefix}{middle} 0012 {data.hex().upper()}\r\n".encode()
        for stream, is_hex in ((binary, False), (hexed, True)):
            (packet,) = parse(stream, 3)
            assert isinstance(packet, UdpPacket)
            assert (packet.side, packet.rssi, packet.data, packet.hex_data) == (side, rssi, data, is_hex)


@pytest.mark.parametrize(
    "text",
    [
        "FAIL",
        "FAIL ER5",
        "OK 1FF",
        "OK 01 02",
        "EVER",
        "EINFO FE80::1 001D129012345678 21",
        "EINFO notanaddress 001D129012345678 21 8888 FFFE",
        "ESREG",
        "EVENT",
        "EVENT 21",
        "EVENT ZZ FE80:0000:0000:0000:0000:0000:0000:0001",
        "EVENT 21 FE80:0000:0000:0000:0000:0000:0000:0001 0 0",
        "EVENT 21 FE80:0000:0000:0000:0000:0000:0000:0001 000",
        "EVENT 21 FE80:0000:0000:0000:0000:0000:0000:0001 0 00 1",
        "EVENT 21 FE80::1%eth0",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 1 0002 ABC",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 1 0002 ABCG",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 X 0002 ABCD",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 1 X 0002 ABCD",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 A 1 0 0002 ABCD",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 1 002 ABCD",
        "ERXUDP FE80::1 FE80::2 0E1A 0E1A MAC 1 0002 ABCD",
        "hello world",
        "\x01\x02",
        "ｘｙｚ",
    ],
)
def test_malformed_lines_are_dropped_with_a_debug_log(text: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, "custom_components.echonet_hems.lib.broute.lines")
    assert parse(text.encode("utf-8") + CRLF + b"OK\r\n") == [Ok()]
    assert "dropping" in caplog.text


def test_epandesc_block_variants() -> None:
    # A block ends at the next unindented line too (a mode-3 scan has no PairID), and incomplete blocks are dropped.
    stream = lines(
        "EPANDESC",
        "  Channel:3B",
        "  Pan ID:8888",
        "  Addr:001C6400601421A3",
        "  Side:0",
        "  garbage-without-colon",
        "EVENT 22 FE80:0000:0000:0000:021D:1290:1234:5678 0",
        "EPANDESC",
        "  Channel:3B",
        "OK",
        "  Channel:3C",
    )
    assert parse(stream) == [
        PanDescriptor(0x3B, 0x8888, "001C6400601421A3", side=0),
        Event(0x22, "FE80:0000:0000:0000:021D:1290:1234:5678", side=0),
        Ok(),
    ]
    assert PanDescriptor(0x3B, 0x8888, "001C6400601421A3").rssi_dbm is None


def test_binary_erxudp_header_then_a_broken_line_does_not_swallow_what_follows() -> None:
    parser = LineParser()
    header = (
        b"ERXUDP FE80:0000:0000:0000:021C:6400:6014:21A3 FE80:0000:0000:0000:021D:1290:1234:5678 0E1A 0E1A "
        b"001C6400601421A3 1 0400 "
    )
    # A truncated hex-mode line: 4 hex digits and a line end where 0x400 data bytes were announced.
    assert parser.feed(header + b"1081\r\nOK\r\n") == [Ok()]
    # An announced length beyond any datagram is not waited for.
    assert parser.feed(header.replace(b"0400", b"FFFF") + b"\r\nOK\r\n") == [Ok()]
    # A header not yet complete is waited for; a line end before it completes makes it a (bad) text line.
    assert parser.feed(b"ERXUDP FE80:0000") == []
    assert parser.feed(b"\r\nOK\r\n") == [Ok()]
    # A binary-looking line whose byte at DATALEN is not CR LF is a text line (dropped here).
    assert parser.feed(header.replace(b"0400", b"0002") + b"\x10\x81XY\r\nOK\r\n") == [Ok()]


def test_an_overlong_line_is_dropped_up_to_its_end() -> None:
    parser = LineParser()
    assert parser.feed(b"X" * 5000) == []
    assert parser.feed(b"Y" * 10 + b"\r\nOK\r\n") == [Ok()]


def test_helpers() -> None:
    assert normalize_ipv6("fe80::1") == "FE80:0000:0000:0000:0000:0000:0000:0001"
    assert normalize_ipv6("1234") is None
    assert normalize_ipv6("FE80::G") is None
    assert mask_secrets("SKSETPWD C secretsecret") == "SKSETPWD ***"
    assert mask_secrets("xxSKSETRBID 0123") == "xxSKSETRBID ***"
    assert mask_secrets("SKVER") == "SKVER"
    with pytest.raises(ValueError, match="16 hex digits"):
        link_local("0011")
    assert Info("FE80::1", "0011223344556677", 0x21, 0x8888, "0").dialect_hint is Dialect.BP35C0
    assert Info("FE80::1", "0011223344556677", 0x21, 0x8888, "XY").dialect_hint is None


def test_binary_erxudp_with_a_bad_address_and_after_an_epandesc_block() -> None:
    bad = b"ERXUDP :::::::::: FE80::2 0E1A 0E1A 001C6400601421A3 1 0002 \x10\x81\r\n"
    good = b"ERXUDP FE80::1 FE80::2 0E1A 0E1A 001C6400601421A3 1 0002 \x10\x81\r\n"
    block = b"EPANDESC\r\n  Channel:3B\r\n  Pan ID:8888\r\n  Addr:001C6400601421A3\r\n"
    parsed = parse(bad + block + good)
    assert [type(line) for line in parsed] == [PanDescriptor, UdpPacket]  # the bad one dropped, the block closed
