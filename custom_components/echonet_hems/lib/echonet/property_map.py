"""Property maps 0x9D (status change), 0x9E (Set), 0x9F (Get) — and 0x9B/0x9C.

Byte 0 is the number of properties N. N < 16: bytes 1..N list the EPCs. N >= 16: 16 bitmap bytes follow, where bit b
of byte k marks EPC 0x80 + 0x10·b + k (PROTOCOL.md §1.7). The form is decided by the count byte, never by the length.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ..errors import ProtocolError

LIST_FORM_LIMIT: Final = 16
BITMAP_SIZE: Final = 16


def decode_property_map(edt: bytes) -> frozenset[int]:
    """Decode a property-map EDT into its set of EPCs. Raises `ProtocolError` when structurally malformed."""
    if not edt:
        raise ProtocolError("empty property map")
    count = edt[0]
    if count < LIST_FORM_LIMIT:
        if len(edt) != 1 + count:
            raise ProtocolError(f"list-form map says {count} EPCs but carries {len(edt) - 1}")
        # A repeated EPC is harmless: the map is a hint (PROTOCOL.md §5.2), so keep the set.
        return frozenset(edt[1:])
    if len(edt) != 1 + BITMAP_SIZE:
        raise ProtocolError(f"bitmap map needs 17 bytes, got {len(edt)}")
    # The marked bits are authoritative; a count byte that disagrees with them costs nothing.
    return frozenset(0x80 + 0x10 * bit + low for low, byte in enumerate(edt[1:]) for bit in range(8) if byte >> bit & 1)


def encode_property_map(epcs: Iterable[int]) -> bytes:
    """Encode a set of EPCs: list form below 16 entries, bitmap form from 16 on (which needs EPCs 0x80..0xFF)."""
    unique = sorted(set(epcs))
    for epc in unique:
        if not 0 <= epc <= 0xFF:
            raise ValueError(f"EPC out of range: {epc!r}")
    if len(unique) < LIST_FORM_LIMIT:
        return bytes((len(unique), *unique))
    bitmap = bytearray(BITMAP_SIZE)
    for epc in unique:
        if epc < 0x80:
            raise ValueError(f"EPC 0x{epc:02X} cannot be expressed in a bitmap property map")
        bitmap[epc & 0x0F] |= 1 << ((epc >> 4) - 8)
    return bytes((len(unique), *bitmap))
