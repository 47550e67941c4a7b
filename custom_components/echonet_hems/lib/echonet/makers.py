"""ECHONET Lite manufacturer codes (EPC 0x8A) of makers whose equipment appears in Japanese homes.

Source: the ECHONET Consortium's public list of issued manufacturer codes ("発行済メーカーコード一覧", published on
https://echonet.jp/); 0x000006 Mitsubishi Electric is also listed that way by public ECHONET Lite controller code.
Only codes known from that list are included; the integration shows any other code as "Unknown (0xNNNNNN)".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

MANUFACTURERS: Final[Mapping[int, str]] = MappingProxyType(
    {
        0x000005: "Sharp",
        0x000006: "Mitsubishi Electric",
        0x000008: "Daikin",
        0x00000B: "Panasonic",
        0x000016: "Toshiba",
        0x00006C: "Nichicon",
    }
)


def manufacturer_name(code: int | None) -> str | None:
    """The maker's name for a manufacturer code, or None when the code is not in the table (or unknown)."""
    return None if code is None else MANUFACTURERS.get(code)
