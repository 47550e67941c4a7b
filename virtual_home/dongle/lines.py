"""The text of SKSTACK-IP output lines and the values inside them (PROTOCOL.md §3.2, §3.5, §3.6).

Everything here is a pure function of its arguments; the dialect decides whether a SIDE (and RSSI) field is present.
"""

from __future__ import annotations

import ipaddress
from typing import Final

from .config import Dialect

CRLF: Final = b"\r\n"
ALL_NODES: Final = bytes.fromhex("FF020000000000000000000000000001")  # FF02::1
PORT_ECHONET: Final = 0x0E1A
PORT_PANA: Final = 0x02CC
CHANNEL_PAGE: Final = 0x09


def link_local(mac: str) -> bytes:
    """The EUI-64 link-local IPv6 address of a 16-hex-digit MAC: FE80::/64 + MAC with the U/L bit flipped."""
    eui = bytearray.fromhex(mac)
    eui[0] ^= 0x02
    return bytes.fromhex("FE80000000000000") + bytes(eui)


def format_ipv6(address: bytes) -> str:
    """The full colon form SKSTACK prints: eight groups of four uppercase hex digits."""
    text = address.hex().upper()
    return ":".join(text[i : i + 4] for i in range(0, 32, 4))


def parse_ipv6(text: str) -> bytes | None:
    """An IPv6 address as SKSTACK accepts it (the full colon form; shortened forms are tolerated), or None."""
    if ":" not in text or "%" in text:
        return None
    try:
        return ipaddress.IPv6Address(text).packed
    except ValueError:
        return None


def event_line(dialect: Dialect, num: int, sender: bytes, param: int | None = None, side: int = 0) -> bytes:
    """`EVENT <NUM> <SENDER> [<SIDE>] [<PARAM>]` (SIDE on the BP35C0 family only)."""
    fields = [f"EVENT {num:02X}", format_ipv6(sender)]
    if dialect is Dialect.BP35C0:
        fields.append(f"{side:X}")
    if param is not None:
        fields.append(f"{param:02X}")
    return " ".join(fields).encode("ascii") + CRLF


def erxudp_line(
    dialect: Dialect,
    *,
    sender: bytes,
    dest: bytes,
    rport: int,
    lport: int,
    sender_mac: str,
    secured: bool,
    data: bytes,
    hex_data: bool,
    rssi_lqi: int | None = None,
) -> bytes:
    """An ERXUDP line: 9 tokens (BP35A1), 10 with SIDE (BP35C0), 11 with the RSSI/LQI field (BP35C0 with SA2=1).

    In binary mode the data bytes follow the length raw (they may contain CR/LF); in hex mode as uppercase hex.
    """
    fields = ["ERXUDP", format_ipv6(sender), format_ipv6(dest), f"{rport:04X}", f"{lport:04X}", sender_mac]
    if dialect is Dialect.BP35C0 and rssi_lqi is not None:
        fields.append(f"{rssi_lqi:02X}")
    fields.append("1" if secured else "0")
    if dialect is Dialect.BP35C0:
        fields.append("0")
    fields.append(f"{len(data):04X}")
    body = data.hex().upper().encode("ascii") if hex_data else data
    return " ".join(fields).encode("ascii") + b" " + body + CRLF


def epandesc_lines(
    dialect: Dialect, *, channel: int, pan_id: int, mac: str, lqi: int, pairing_id: str | None, side: int = 0
) -> list[bytes]:
    """The EPANDESC block that follows EVENT 20 (`  Side:` on the BP35C0 family; `  PairID:` for an IE scan)."""
    lines = [
        "EPANDESC",
        f"  Channel:{channel:02X}",
        f"  Channel Page:{CHANNEL_PAGE:02X}",
        f"  Pan ID:{pan_id:04X}",
        f"  Addr:{mac}",
        f"  LQI:{lqi:02X}",
    ]
    if dialect is Dialect.BP35C0:
        lines.append(f"  Side:{side:X}")
    if pairing_id is not None:
        lines.append(f"  PairID:{pairing_id}")
    return [line.encode("ascii", "replace") + CRLF for line in lines]


def einfo_line(dialect: Dialect, *, address: bytes, mac: str, channel: int, pan_id: int) -> bytes:
    """`EINFO <IPADDR> <ADDR64> <CHANNEL> <PANID> <ADDR16>` (BP35A1: ADDR16 FFFE) or `… <SIDE>` (BP35C0 family: 0)."""
    last = "FFFE" if dialect is Dialect.BP35A1 else "0"
    return f"EINFO {format_ipv6(address)} {mac} {channel:02X} {pan_id:04X} {last}".encode("ascii") + CRLF


def eedscan_lines(levels: list[tuple[int, int]]) -> list[bytes]:
    """EEDSCAN and its one line of channel/LQI pairs (VECTORS.md C.9)."""
    pairs = " ".join(f"{channel:02X} {lqi:02X}" for channel, lqi in levels)
    return [b"EEDSCAN" + CRLF, pairs.encode("ascii") + CRLF]
