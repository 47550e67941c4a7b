"""Range-specified channel reads of the power distribution board metering class 0x0287.

A controller first Sets (or Gets) a range EPC — start channel (1 byte, 1..252) + number of channels (1 byte, ≤60;
≤30 for 0xB9) — and then Gets the list EPC, whose reply repeats start and range before the per-channel values:

| range | list | values per channel |
|---|---|---|
| 0xB2 | 0xB3 | cumulative energy (simplex), uint32 × C2 kWh |
| 0xB4 | 0xB5 | instantaneous currents (simplex), R/T phase int16 × 0.1 A |
| 0xB6 | 0xB7 | instantaneous power (simplex), int32 W |
| 0xB9 | 0xBA | cumulative energy (duplex), normal + reverse uint32 × C2 kWh |
| 0xBB | 0xBC | instantaneous currents (duplex) |
| 0xBD | 0xBE | instantaneous power (duplex) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from ...errors import ProtocolError, UnsupportedError, ValueRangeError
from ..ids import BOARD as DISTRIBUTION_BOARD_CLASS
from .datatypes import Value
from .registry import property_spec

UNIT_EPC: Final = 0xC2
MAX_CHANNEL: Final = 252
RANGE_TO_LIST: Final[Mapping[int, int]] = MappingProxyType(
    {0xB2: 0xB3, 0xB4: 0xB5, 0xB6: 0xB7, 0xB9: 0xBA, 0xBB: 0xBC, 0xBD: 0xBE}
)
LIST_TO_RANGE: Final[Mapping[int, int]] = MappingProxyType({value: key for key, value in RANGE_TO_LIST.items()})
_MAX_COUNT: Final[Mapping[int, int]] = MappingProxyType({0xB9: 30})
_DEFAULT_MAX_COUNT: Final = 60
_LIST_FIELDS: Final[Mapping[int, str]] = MappingProxyType(
    {
        0xB3: "electric_energy",
        0xB5: "instantaneous_current",
        0xB7: "instantaneous_electric_power",
        0xBA: "electric_energy",
        0xBC: "instantaneous_current",
        0xBE: "instantaneous_electric_power",
    }
)


def max_channel_count(range_epc: int) -> int:
    """How many channels one request of `range_epc` may cover (60; 30 for 0xB9)."""
    if range_epc not in RANGE_TO_LIST:
        raise UnsupportedError(f"0x{range_epc:02X} is not a channel range EPC of class 0x0287")
    return _MAX_COUNT.get(range_epc, _DEFAULT_MAX_COUNT)


def encode_channel_range(start: int, count: int, range_epc: int = 0xB2) -> bytes:
    """EDT of a channel range request; `ValueRangeError` unless start 1..252, count 1..limit and the end ≤ 252."""
    limit = max_channel_count(range_epc)
    for name, value, maximum in (("start channel", start, MAX_CHANNEL), ("channel count", count, limit)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise ValueRangeError(f"{name} must be 1..{maximum}, got {value!r}")
    if start + count - 1 > MAX_CHANNEL:
        raise ValueRangeError(f"channels {start}..{start + count - 1} run past channel {MAX_CHANNEL}")
    return property_spec(DISTRIBUTION_BOARD_CLASS, range_epc).encode({"start_channel": start, "range": count})


@dataclass(frozen=True, slots=True)
class ChannelReadings:
    """A decoded list reply: values of consecutive channels from `start_channel` (`None` when the board says
    "undefined", which only happens with no values)."""

    epc: int
    start_channel: int | None
    values: tuple[Value, ...]

    def by_channel(self) -> dict[int, Value]:
        """Channel number → value."""
        if self.start_channel is None:
            return {}
        return {self.start_channel + offset: value for offset, value in enumerate(self.values)}


def decode_channel_list(epc: int, edt: bytes, unit: bytes | None = None) -> ChannelReadings:
    """Decode a B3/B5/B7/BA/BC/BE reply; cumulative energies (B3, BA) are scaled by the EDT of C2 (`unit`).

    Raises `UnsupportedError` for other EPCs and `ProtocolError` for malformed bytes or a missing unit.
    """
    field = _LIST_FIELDS.get(epc)
    if field is None:
        raise UnsupportedError(f"0x{epc:02X} is not a channel list EPC of class 0x0287")
    spec = property_spec(DISTRIBUTION_BOARD_CLASS, epc)
    decoded = spec.decode(edt, None if unit is None else {UNIT_EPC: unit})
    if not isinstance(decoded, Mapping):  # pragma: no cover - list EPCs are objects
        raise TypeError("channel list decoded to a non-object")
    start, values = decoded["start_channel"], decoded[field]
    if not isinstance(values, tuple):  # pragma: no cover - the list field is an array
        raise TypeError("channel values decoded to a non-array")
    if start is None:
        if values:
            raise ProtocolError("channel values without a start channel")
        return ChannelReadings(epc, None, ())
    if not isinstance(start, int):  # pragma: no cover - start is uint8 / state
        raise TypeError("start channel decoded to a non-integer")
    if start + len(values) - 1 > MAX_CHANNEL:
        raise ProtocolError(f"{len(values)} channels from {start} run past channel {MAX_CHANNEL}")
    return ChannelReadings(epc, start, values)
