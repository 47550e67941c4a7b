"""Shared pieces of the dongle tests: a stub meter, a harness around the emulator and a parser of its output stream.

The parser is what a controller has to do: split lines at CRLF (or a lone CR after a product command) and read the
data of a binary ERXUDP by its length, because the data may contain CR/LF. Its own tests live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from virtual_home.clock import JST, ManualClock
from virtual_home.dongle import Dialect, DongleOptions, SkStackEmulator

ROUTE_B_ID = "00112233445566778899AABBCCDDEEFF"
PASSWORD = "0123456789AB"
START = datetime(2026, 5, 20, 14, 0, tzinfo=JST)
GET_E7 = bytes.fromhex("1081000105FF010288016201E700")
E7_504W = bytes.fromhex("1081000102880105FF017201E704000001F8")
E7_WITH_CRLF = bytes.fromhex("1081000102880105FF017201E704000D0A0D")  # 854,541 W: the EDT holds 0D 0A
INSTANCE_LIST = bytes.fromhex("108100000EF0010EF0017301D50401028801")
EA_INF = bytes.fromhex("1081A00102880105FF017301EA0B07EA05140E00000000FE68")


@dataclass
class StubMeter:
    """A `MeterLink` that answers every request with `answers` and announces INF D5 when attached (as the real one)."""

    answers: list[bytes] = field(default_factory=lambda: [E7_504W])
    announce: bool = True
    requests: list[bytes] = field(default_factory=list)
    notifier: Callable[[bytes], None] | None = None
    attach_count: int = 0

    def handle(self, payload: bytes) -> list[bytes]:
        self.requests.append(payload)
        if len(payload) > 10 and 0x60 <= payload[10] <= 0x6F:
            return list(self.answers)
        return []

    def set_notifier(self, send: Callable[[bytes], None] | None) -> None:
        self.notifier = send
        if send is not None:
            self.attach_count += 1
            if self.announce:
                send(INSTANCE_LIST)

    def push(self, frame: bytes) -> None:
        assert self.notifier is not None, "no session: the meter has nobody to push to"
        self.notifier(frame)


@dataclass(frozen=True)
class Item:
    """One unit of dongle output: a line, or an ERXUDP whose data was read by length."""

    text: str  # the line without its terminator; for a binary ERXUDP the header without the data
    data: bytes | None = None  # ERXUDP data (decoded from hex in hex mode)

    @property
    def tokens(self) -> list[str]:
        return self.text.split(" ")


def erxudp_header_tokens(dialect: Dialect, *, rssi: bool) -> int:
    """Tokens before the data: ERXUDP + 7 fields (BP35A1), + SIDE (BP35C0), + RSSI (BP35C0 with SA2=1)."""
    return 8 if dialect is Dialect.BP35A1 else 9 + int(rssi)


def parse_one(buffer: bytes, dialect: Dialect, *, binary: bool, rssi: bool, final: bool) -> tuple[Item, int] | None:
    """The first item of `buffer` and the bytes it took, or None if more bytes are needed (`final`: no more come)."""
    if binary and buffer.startswith(b"ERXUDP "):
        return _parse_binary_erxudp(buffer, erxudp_header_tokens(dialect, rssi=rssi))
    cr = buffer.find(b"\r")
    lf = buffer.find(b"\n")
    if cr < 0 and lf < 0:
        return None
    if cr < 0 or (0 <= lf < cr):
        end, size = lf, lf + 1
    elif cr + 1 < len(buffer) or final:
        end, size = cr, cr + 2 if buffer[cr + 1 : cr + 2] == b"\n" else cr + 1
    else:
        return None  # a CR at the end: its LF may still come
    text = buffer[:end].decode("latin-1")
    if text.startswith("ERXUDP ") and not binary:
        return Item(text, bytes.fromhex(text.rsplit(" ", 1)[1])), size
    return Item(text), size


def _parse_binary_erxudp(buffer: bytes, header_tokens: int) -> tuple[Item, int] | None:
    position = 0
    for _ in range(header_tokens):
        position = buffer.find(b" ", position)
        if position < 0:
            return None
        position += 1
    header = buffer[: position - 1].decode("ascii")
    end = position + int(header.rsplit(" ", 1)[1], 16)
    if len(buffer) < end + 2:
        return None
    assert buffer[end : end + 2] == b"\r\n", buffer[end : end + 2]
    return Item(header, buffer[position:end]), end + 2


def parse_all(output: bytes, dialect: Dialect, *, binary: bool = True, rssi: bool = False) -> list[Item]:
    """Every item of a complete output."""
    items = []
    while output:
        parsed = parse_one(output, dialect, binary=binary, rssi=rssi, final=True)
        assert parsed is not None, output
        item, size = parsed
        items.append(item)
        output = output[size:]
    return items


class Harness:
    """An emulator on a manual clock, with its output collected."""

    def __init__(
        self,
        dialect: Dialect = Dialect.BP35A1,
        *,
        options: DongleOptions | None = None,
        meter: StubMeter | None = None,
        route_b_id: str = ROUTE_B_ID,
        password: str = PASSWORD,
    ) -> None:
        self.dialect = dialect
        self.meter = meter or StubMeter()
        self.clock = ManualClock(START)
        self.output = bytearray()
        self.emulator = SkStackEmulator(
            dialect,
            self.meter,
            self.clock,
            route_b_id=route_b_id,
            password=password,
            options=options,
            write=self.output.extend,
        )

    @property
    def side(self) -> str:
        """The SIDE argument the dialect needs (` 0` on the BP35C0 family)."""
        return " 0" if self.dialect is Dialect.BP35C0 else ""

    def take(self) -> bytes:
        data = bytes(self.output)
        self.output.clear()
        return data

    def items(self, *, rssi: bool = False) -> list[Item]:
        return parse_all(self.take(), self.dialect, binary=not self.emulator.erxudp_hex, rssi=rssi)

    def lines(self) -> list[str]:
        return [item.text for item in self.items() if item.text]

    def send(self, command: str | bytes, *, advance: float = 0.0) -> list[str]:
        """A command (a str gets CRLF), then time moves on; the lines that came out."""
        self.emulator.feed(command.encode() + b"\r\n" if isinstance(command, str) else command)
        self.emulator.advance(advance)
        return self.lines()

    def sendto(self, payload: bytes, *, address: str | None = None, sec: int = 1) -> bytes:
        """SKSENDTO of `payload` to the meter (or `address`); the raw output."""
        target = address or self.emulator.meter_address
        header = f"SKSENDTO 1 {target} 0E1A {sec}{self.side} {len(payload):04X} "
        self.emulator.feed(header.encode() + payload)
        return self.take()

    def join(self, *, echo_off: bool = True) -> None:
        """Credentials, channel and PAN set, SKJOIN, EVENT 25."""
        options = self.emulator.options
        if echo_off:
            self.send("SKSREG SFE 0")
        self.send(f"SKSETPWD C {PASSWORD}")
        self.send(f"SKSETRBID {ROUTE_B_ID}")
        self.send(f"SKSREG S2 {options.channel:02X}")
        self.send(f"SKSREG S3 {options.pan_id:04X}")
        lines = self.send(f"SKJOIN {self.emulator.meter_address}", advance=options.join_duration)
        assert any(line.startswith("EVENT 25 ") for line in lines), lines


# ------------------------------------------------------------------------------------------------- parser tests
def test_parser_reads_binary_data_by_length_even_with_crlf_inside() -> None:
    line = b"ERXUDP A B 0E1A 0E1A 0011223344556677 1 0004 \r\n\r\n\r\nOK\r\n"
    items = parse_all(line, Dialect.BP35A1)
    assert items == [Item("ERXUDP A B 0E1A 0E1A 0011223344556677 1 0004", b"\r\n\r\n"), Item("OK")]


def test_parser_waits_for_a_split_crlf_and_accepts_a_final_lone_cr() -> None:
    assert parse_one(b"OK 01\r", Dialect.BP35C0, binary=True, rssi=False, final=False) is None
    assert parse_one(b"OK 01\r", Dialect.BP35C0, binary=True, rssi=False, final=True) == (Item("OK 01"), 6)
    assert (
        parse_one(
            b"ERXUDP A B 0E1A 0E1A 0011223344556677 1 0 0002 \r", Dialect.BP35C0, binary=True, rssi=False, final=True
        )
        is None
    )
