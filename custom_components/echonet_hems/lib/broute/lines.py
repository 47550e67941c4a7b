"""What a SKSTACK-IP dongle prints, as typed values: an incremental parser for both dialects (PROTOCOL.md §3.2-§3.6).

`LineParser.feed(bytes)` takes the dongle's output in any chunking and returns the complete lines seen so far:
command answers (`OK`, `FAIL ER<nn>`, `EVER`, `EAPPVER`, `EINFO`, `ESREG`, the bare address SKLL64 prints),
asynchronous lines (`EVENT`, `ERXUDP`, the `EPANDESC` block as one `PanDescriptor`) and command echoes.

- A line ends with CRLF, a lone CR (the product commands' `OK 01<CR>`) or a lone LF; a CR and the LF after it (even
  in the next chunk) are one line end. Empty lines (the CRLF that starts SKSENDTO's answer) are skipped.
- `ERXUDP` data is binary (WOPT 00) or hex ASCII (WOPT 01). No mode is assumed: after the header, DATALEN bytes
  followed by CRLF is the binary form (the data may contain CR/LF); anything else is a text line with hex data.
  The two cannot be confused: in the binary form byte DATALEN is a CR, in the hex form it is a hex digit.
- The layouts of both dialects are recognised by their fields: `EVENT <num> <sender> [<side>] [<param>]` (side 1
  digit, param 2), ERXUDP with 9, 10 or 11 fields (`[<rssi>] <secured> [<side>]`), EPANDESC with or without `Side:`.
- Anything else (garbage, truncated or unknown lines) is dropped with a debug log. The parser never raises and keeps at
  most `MAX_LINE` bytes of an unterminated line. Echoed SKSETPWD/SKSETRBID arguments are masked, never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import ipaddress
import logging
import re
from typing import Final

_LOGGER = logging.getLogger(__name__)

CRLF: Final = b"\r\n"
MAX_LINE: Final = 4096  # a hex ERXUDP of the largest datagram is ~2,600 characters
MAX_UDP_DATA: Final = 0x04D0  # 1232 bytes: the largest UDP payload over 6LoWPAN/IPv6 minimum MTU
PORT_ECHONET: Final = 0x0E1A
PORT_PANA: Final = 0x02CC
_HEADER_MAX: Final = 160  # longest possible ERXUDP header before its data
_HEX_DIGITS: Final = frozenset(b"0123456789abcdefABCDEF")
_ERXUDP_HEADER: Final = re.compile(
    rb"ERXUDP ([0-9A-Fa-f:]{2,39}) ([0-9A-Fa-f:]{2,39}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{16}) "
    rb"((?:[0-9A-Fa-f]{1,2} ){1,3})([0-9A-Fa-f]{4}) "
)
_SECRET_COMMANDS: Final = ("SKSETPWD", "SKSETRBID")
_ECHO_WORDS: Final = frozenset({"WOPT", "ROPT", "WUART", "RUART"})
_FAIL: Final = re.compile(r"FAIL ER(\d{2})")


class Dialect(StrEnum):
    """The SKSTACK-IP text dialect (PROTOCOL.md §3.1)."""

    BP35A1 = "bp35a1"  # single-hop: BP35A1, RL7023 Stick-D/IPS — 3-argument SKSCAN, no SIDE field
    BP35C0 = "bp35c0"  # dual stack: BP35C2, RS-WSUHA-P, RL7023 Stick-D/DSS — SIDE field everywhere


# ------------------------------------------------------------------------------------------------------- the lines
@dataclass(frozen=True, slots=True)
class Ok:
    """`OK`, or a product command's `OK <value>` (ROPT → `OK 01`)."""

    value: int | None = None


@dataclass(frozen=True, slots=True)
class Fail:
    """`FAIL ER<nn>` (04 unsupported, 05 argument count, 06 argument, 09 UART, 10 execution)."""

    code: int


@dataclass(frozen=True, slots=True)
class StackVersion:
    """`EVER <version>` (SKVER)."""

    version: str


@dataclass(frozen=True, slots=True)
class AppVersion:
    """`EAPPVER <version>` (SKAPPVER)."""

    version: str


@dataclass(frozen=True, slots=True)
class Info:
    """`EINFO <address> <mac> <channel> <pan id> <tail>` (SKINFO); the tail is ADDR16 (BP35A1) or SIDE (BP35C0)."""

    address: str
    mac: str
    channel: int
    pan_id: int
    tail: str

    @property
    def dialect_hint(self) -> Dialect | None:
        """BP35A1 prints ADDR16 (`FFFE`) last, the BP35C0 family a one-digit side (a heuristic, PROTOCOL.md §3.1)."""
        if len(self.tail) == 4:
            return Dialect.BP35A1
        if len(self.tail) == 1:
            return Dialect.BP35C0
        return None


@dataclass(frozen=True, slots=True)
class RegisterValue:
    """`ESREG <value>` (SKSREG <register>)."""

    value: str


@dataclass(frozen=True, slots=True)
class Address:
    """A bare IPv6 address: what SKLL64 prints (no OK follows)."""

    address: str


@dataclass(frozen=True, slots=True)
class Event:
    """`EVENT <num> <sender> [<side>] [<param>]` (PROTOCOL.md §3.5); `side` is None in the BP35A1 dialect."""

    number: int
    sender: str
    side: int | None = None
    param: int | None = None


@dataclass(frozen=True, slots=True)
class UdpPacket:
    """One `ERXUDP`: a datagram the dongle received (`side`/`rssi` are None where the dialect has no such field)."""

    sender: str
    dest: str
    rport: int
    lport: int
    sender_mac: str
    secured: bool
    data: bytes
    hex_data: bool
    side: int | None = None
    rssi: int | None = None


@dataclass(frozen=True, slots=True)
class PanDescriptor:
    """An `EPANDESC` block: one PAN heard during an active scan."""

    channel: int
    pan_id: int
    mac: str
    channel_page: int | None = None
    lqi: int | None = None
    side: int | None = None
    pairing_id: str | None = None

    @property
    def rssi_dbm(self) -> float | None:
        """Beacon RSSI from the LQI: 0.275 × LQI − 104.27 dBm (PROTOCOL.md §3.6)."""
        return None if self.lqi is None else round(0.275 * self.lqi - 104.27, 2)


@dataclass(frozen=True, slots=True)
class Echo:
    """A command echoed back (register SFE = 1); secret arguments are masked."""

    text: str


type SkLine = (
    Ok | Fail | StackVersion | AppVersion | Info | RegisterValue | Address | Event | UdpPacket | PanDescriptor | Echo
)
type AsyncLine = Event | UdpPacket | PanDescriptor


# --------------------------------------------------------------------------------------------------------- values
def normalize_ipv6(text: str) -> str | None:
    """The full uppercase colon form SKSTACK prints (`FE80:0000:…`), or None when `text` is not an IPv6 address."""
    if ":" not in text or "%" in text or len(text) > 39:
        return None
    try:
        return ipaddress.IPv6Address(text).exploded.upper()
    except ValueError:
        return None


def link_local(mac: str) -> str:
    """The EUI-64 link-local address of a 16-hex-digit MAC (U/L bit flipped), as SKLL64 computes it."""
    eui = bytearray.fromhex(mac)
    if len(eui) != 8:
        raise ValueError("a MAC (EUI-64) has 16 hex digits")
    eui[0] ^= 0x02
    text = (bytes.fromhex("FE80000000000000") + bytes(eui)).hex().upper()
    return ":".join(text[i : i + 4] for i in range(0, 32, 4))


def mask_secrets(text: str) -> str:
    """`text` with the arguments of SKSETPWD/SKSETRBID replaced, wherever those commands appear in it."""
    upper = text.upper()
    for command in _SECRET_COMMANDS:
        index = upper.find(command)
        if index >= 0:
            return text[: index + len(command)] + " ***"
    return text


def _hex(token: str, digits: int) -> int | None:
    if not 0 < len(token) <= digits or not set(token.encode("latin-1")) <= _HEX_DIGITS:
        return None
    return int(token, 16)


def _is_hex(text: str) -> bool:
    return set(text.encode("latin-1")) <= _HEX_DIGITS


def _mac(token: str) -> str | None:
    return token.upper() if len(token) == 16 and _hex(token, 16) is not None else None


# --------------------------------------------------------------------------------------------------------- parser
class LineParser:
    """Bytes from the dongle in, typed lines out (see the module docstring)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip_lf = False
        self._discarding = False  # an overlong line is being dropped up to its line end
        self._pan: dict[str, str] | None = None  # the EPANDESC block being collected

    def feed(self, data: bytes) -> list[SkLine]:
        """Append `data`; return every line completed by it (possibly none)."""
        self._buffer += data
        out: list[SkLine] = []
        while self._buffer:
            if self._skip_lf:
                self._skip_lf = False
                if self._buffer[0] == 0x0A:
                    del self._buffer[0]
                    continue
            if not self._discarding and self._buffer.startswith(b"ERXUDP "):
                verdict = self._binary_erxudp(out)
                if verdict == "more":
                    break
                if verdict == "done":
                    continue
            end = _line_end(self._buffer)
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    _LOGGER.debug("dropping %d bytes without a line end", len(self._buffer))
                    self._buffer.clear()
                    self._discarding = True
                break
            raw = bytes(self._buffer[:end])
            self._skip_lf = self._buffer[end] == 0x0D
            del self._buffer[: end + 1]
            if self._discarding:
                self._discarding = False
                continue
            self._line(raw, out)
        return out

    # Binary ERXUDP ------------------------------------------------------------------------------------------------
    def _binary_erxudp(self, out: list[SkLine]) -> str:  # noqa: PLR0911 - one return per framing verdict
        """The framing verdict: "done" (a binary ERXUDP was consumed), "more" (wait for bytes), "text" (a text line)."""
        buffer = self._buffer
        match = _ERXUDP_HEADER.match(buffer)
        if match is None:
            waiting = _line_end(buffer) < 0 and len(buffer) < _HEADER_MAX
            return "more" if waiting else "text"
        size = int(match[7], 16)
        if size > MAX_UDP_DATA:
            return "text"
        start = match.end()
        if len(buffer) < start + size + 2:
            rest = buffer[start:]
            end = _line_end(rest)
            if end >= 0 and end != size and set(rest[:end]) <= _HEX_DIGITS:
                return "text"  # a (broken) hex-mode line: binary data would not end before DATALEN
            return "more"
        if buffer[start + size : start + size + 2] != CRLF:
            return "text"
        data = bytes(buffer[start : start + size])
        header = match[0].decode("ascii").split()
        del buffer[: start + size + 2]
        packet = _udp_packet(header[1:], data, hex_data=False)
        if packet is None:
            _LOGGER.debug("dropping a malformed binary ERXUDP: %s", " ".join(header))
            return "done"
        self._emit(packet, out)
        return "done"

    # Text lines ---------------------------------------------------------------------------------------------------
    def _line(self, raw: bytes, out: list[SkLine]) -> None:
        if not raw:
            return
        text = raw.decode("latin-1")
        if self._pan is not None:
            if text.startswith(" "):
                self._pan_field(text, out)
                return
            self._finish_pan(out)
        if text == "EPANDESC":
            self._pan = {}
            return
        try:
            line = _parse(text)
        except (ValueError, IndexError) as err:  # pragma: no cover - _parse validates before converting
            _LOGGER.debug("dropping line %r: %s", mask_secrets(text)[:80], err)
            return
        if line is None:
            _LOGGER.debug("dropping line %r", mask_secrets(text)[:80])
            return
        self._emit(line, out)

    def _emit(self, line: SkLine, out: list[SkLine]) -> None:
        if self._pan is not None:
            self._finish_pan(out)
        out.append(line)

    def _pan_field(self, text: str, out: list[SkLine]) -> None:
        assert self._pan is not None
        key, sep, value = text.strip().partition(":")
        if not sep:
            _LOGGER.debug("dropping EPANDESC line %r", text[:80])
            return
        self._pan[key.strip().upper()] = value.strip()
        if key.strip().upper() == "PAIRID":  # always the block's last field
            self._finish_pan(out)

    def _finish_pan(self, out: list[SkLine]) -> None:
        fields, self._pan = self._pan or {}, None
        descriptor = _pan_descriptor(fields)
        if descriptor is None:
            _LOGGER.debug("dropping an incomplete EPANDESC block: %s", sorted(fields))
            return
        out.append(descriptor)


def _line_end(buffer: bytes | bytearray) -> int:
    """Index of the first CR or LF, or -1."""
    cr, lf = buffer.find(b"\r"), buffer.find(b"\n")
    if cr < 0:
        return lf
    return cr if lf < 0 else min(cr, lf)


def _parse(text: str) -> SkLine | None:
    if not text.isascii() or not text.isprintable():
        return None
    word, _, rest = text.partition(" ")
    parser = _PARSERS.get(word)
    if parser is not None:
        return parser(text, rest, rest.split())
    upper = word.upper()
    if upper.startswith("SK") or upper in _ECHO_WORDS:
        return Echo(mask_secrets(text.rstrip()))
    address = normalize_ipv6(text.strip())
    return Address(address) if address is not None else None


def _fail(text: str) -> Fail | None:
    found = _FAIL.fullmatch(text.strip())
    return Fail(int(found[1])) if found else None


def _ok(tokens: list[str]) -> Ok | None:
    if not tokens:
        return Ok()
    value = _hex(tokens[0], 2) if len(tokens) == 1 else None
    return None if value is None else Ok(value)


def _info(tokens: list[str]) -> Info | None:
    if len(tokens) != 5:
        return None
    address, mac = normalize_ipv6(tokens[0]), _mac(tokens[1])
    channel, pan_id = _hex(tokens[2], 2), _hex(tokens[3], 4)
    if address is None or mac is None or channel is None or pan_id is None:
        return None
    return Info(address, mac, channel, pan_id, tokens[4].upper())


def _event(tokens: list[str]) -> Event | None:
    if not 2 <= len(tokens) <= 4:
        return None
    number, sender = _hex(tokens[0], 2), normalize_ipv6(tokens[1])
    if number is None or sender is None:
        return None
    side = param = None
    extra = tokens[2:]
    if len(extra) == 2:
        side, param = _hex(extra[0], 1), _hex(extra[1], 2)
        if side is None or param is None or len(extra[1]) != 2:
            return None
    elif len(extra) == 1:
        if len(extra[0]) == 1:
            side = _hex(extra[0], 1)
        elif len(extra[0]) == 2:
            param = _hex(extra[0], 2)
        if side is None and param is None:
            return None
    return Event(number, sender, side, param)


def _text_erxudp(tokens: list[str]) -> UdpPacket | None:
    if not 8 <= len(tokens) <= 10:
        return None
    size, data_text = _hex(tokens[-2], 4), tokens[-1]
    if size is None or len(tokens[-2]) != 4 or len(data_text) != 2 * size or not _is_hex(data_text):
        return None
    return _udp_packet(tokens[:-1], bytes.fromhex(data_text), hex_data=True)


def _udp_packet(fields: list[str], data: bytes, *, hex_data: bool) -> UdpPacket | None:
    """From the header fields `<sender> <dest> <rport> <lport> <mac> [<rssi>] <secured> [<side>] <datalen>`.

    The callers have checked the field count (7-9) and that DATALEN matches `data`.
    """
    sender, dest = normalize_ipv6(fields[0]), normalize_ipv6(fields[1])
    rport, lport = _hex(fields[2], 4), _hex(fields[3], 4)
    mac = _mac(fields[4])
    middle = fields[5:-1]
    rssi: int | None = None
    side: int | None = None
    if len(middle) == 3:
        rssi = _hex(middle[0], 2) if len(middle[0]) == 2 else None
        if rssi is None:
            return None
        middle = middle[1:]
    if len(middle) == 2:
        side = _hex(middle[1], 1)
        if side is None:
            return None
    secured = _hex(middle[0], 1)
    if sender is None or dest is None or rport is None or lport is None or mac is None or secured is None:
        return None
    return UdpPacket(sender, dest, rport, lport, mac, secured != 0, data, hex_data, side, rssi)


_PARSERS: Final[dict[str, Callable[[str, str, list[str]], SkLine | None]]] = {
    "OK": lambda _text, _rest, tokens: _ok(tokens),
    "FAIL": lambda text, _rest, _tokens: _fail(text),
    "EVER": lambda _text, rest, tokens: StackVersion(rest.strip()) if tokens else None,
    "EAPPVER": lambda _text, rest, tokens: AppVersion(rest.strip()) if tokens else None,
    "EINFO": lambda _text, _rest, tokens: _info(tokens),
    "ESREG": lambda _text, _rest, tokens: RegisterValue(tokens[0]) if len(tokens) == 1 else None,
    "EVENT": lambda _text, _rest, tokens: _event(tokens),
    "ERXUDP": lambda _text, _rest, tokens: _text_erxudp(tokens),
}


def _pan_descriptor(fields: dict[str, str]) -> PanDescriptor | None:
    channel = _hex(fields.get("CHANNEL", ""), 2)
    pan_id = _hex(fields.get("PAN ID", ""), 4)
    mac = _mac(fields.get("ADDR", ""))
    if channel is None or pan_id is None or mac is None:
        return None
    pairing = fields.get("PAIRID")
    return PanDescriptor(
        channel=channel,
        pan_id=pan_id,
        mac=mac,
        channel_page=_hex(fields.get("CHANNEL PAGE", ""), 2),
        lqi=_hex(fields.get("LQI", ""), 2),
        side=_hex(fields.get("SIDE", ""), 1),
        pairing_id=pairing.upper() if pairing else None,
    )
