"""Typed ECHONET Lite data types and their byte codecs: the base class and the scalar types (composites: `composites`).

Every property of a class specification carries one `DataType`. Decoding takes the exact EDT of a property (or of a
field inside it) and returns a `Value` in the property's unit with its scale and coefficients applied; the spec's "no
data" codes, the default overflow/underflow codes (PROTOCOL.md §1.9) and all-0xFF dates become `None`. Anything else
that does not fit the spec raises `ProtocolError`, whatever the bytes. Encoding validates against the same spec and
raises `ValueRangeError`.

Default overflow/underflow codes (applied only when the raw value lies outside the valid range and the spec does not
disable them with `[ovf=False]`): unsigned all-ones / all-ones minus one (0xFF/0xFE, 0xFFFF/0xFFFE, ...), signed
0x7F..FF / 0x80..00.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
import datetime as dt
from decimal import Decimal
import math
from typing import ClassVar, Final

from ...errors import ProtocolError, ValueRangeError

type Value = (
    int | float | str | bool | None | dt.date | dt.time | dt.datetime | bytes | tuple[Value, ...] | Mapping[str, Value]
)
"""A decoded property value: numbers in the stated unit, state keys, dates (naive JST), raw bytes, or composites."""

JST: Final = dt.timezone(dt.timedelta(hours=9), "JST")
_ONE: Final = Decimal(1)


@dataclass(frozen=True, slots=True)
class DecodeContext:
    """How to decode: the coefficient product, whether to scale, whether default overflow codes count as `None`."""

    multiplier: Decimal | None
    scaled: bool
    lenient: bool


class DataType(ABC):
    """Base of every data type: exact-length decoding and validated encoding."""

    __slots__ = ()

    @property
    @abstractmethod
    def min_size(self) -> int:
        """Smallest encoded size in bytes."""

    @property
    @abstractmethod
    def max_size(self) -> int | None:
        """Largest encoded size in bytes (`None` = unbounded)."""

    @property
    def fixed_size(self) -> int | None:
        """The encoded size when it never varies, else `None`."""
        return self.min_size if self.max_size == self.min_size else None

    def accepts_size(self, size: int) -> bool:
        """Whether an EDT of `size` bytes could hold this type."""
        maximum = self.max_size
        return self.min_size <= size and (maximum is None or size <= maximum)

    def decode(self, data: bytes, multiplier: Decimal | None = None, *, scaled: bool = True) -> Value:
        """Decode exactly `data`. `multiplier` is the coefficient product for `×coef(...)` numbers.

        With `scaled=False` numbers come back as raw integers (no scale, no coefficient); sentinels are still `None`.
        """
        return self.read(bytes(data), DecodeContext(multiplier, scaled, lenient=True))

    def encode(self, value: Value, multiplier: Decimal | None = None) -> bytes:
        """Encode a value given in the decoded form (unit after scale; state key or code)."""
        return self.write(value, multiplier)

    @abstractmethod
    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        """Decode exactly `data` in a context (used by composite types)."""

    @abstractmethod
    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        """Encode `value` (used by composite types)."""


def check_length(data: bytes, size: int, what: str) -> None:
    """Raise `ProtocolError` unless `data` is exactly `size` bytes long."""
    if len(data) != size:
        raise ProtocolError(f"{what} needs {size} bytes, got {len(data)}")


def _require_int(value: Value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueRangeError(f"{what} needs an integer, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class NumberType(DataType):
    """Shared behaviour of `UIntType` and `IntType`."""

    signed: ClassVar[bool] = False

    size: int
    minimum: int
    maximum: int
    unit: str | None = None
    scale: Decimal = _ONE
    coefficient_epcs: tuple[int, ...] = ()
    overflow_codes: bool = True
    choices: tuple[int, ...] = ()

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    @property
    def overflow_code(self) -> int:
        """The raw value meaning "overflow"."""
        return (1 << (8 * self.size - 1)) - 1 if self.signed else (1 << (8 * self.size)) - 1

    @property
    def underflow_code(self) -> int:
        """The raw value meaning "underflow"."""
        return -(1 << (8 * self.size - 1)) if self.signed else (1 << (8 * self.size)) - 2

    def is_valid_raw(self, raw: int) -> bool:
        """Whether `raw` is a valid (non-sentinel) raw value."""
        if self.choices:
            return raw in self.choices
        return self.minimum <= raw <= self.maximum

    def factor(self, multiplier: Decimal | None) -> Decimal:
        """Scale times coefficient product; raises `ProtocolError` when a needed coefficient is missing."""
        if not self.coefficient_epcs:
            return self.scale
        if multiplier is None:
            epcs = ", ".join(f"0x{epc:02X}" for epc in self.coefficient_epcs)
            raise ProtocolError(f"value needs the coefficient properties {epcs}")
        return self.scale * multiplier

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, self.size, "number")
        raw = int.from_bytes(data, "big", signed=self.signed)
        if not self.is_valid_raw(raw):
            if ctx.lenient and self.overflow_codes and raw in (self.overflow_code, self.underflow_code):
                return None
            raise ProtocolError(f"value {raw} outside {self.minimum}..{self.maximum}")
        if not ctx.scaled:
            return raw
        factor = self.factor(ctx.multiplier)
        if factor == _ONE and not self.coefficient_epcs:
            return raw
        return float(Decimal(raw) * factor)

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueRangeError(f"number needed, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueRangeError(f"number needed, got {value!r}")
        try:
            factor = self.factor(multiplier)
        except ProtocolError as err:
            raise ValueRangeError(str(err)) from err
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        raw_decimal = exact / factor
        if raw_decimal != raw_decimal.to_integral_value():
            raise ValueRangeError(f"{value!r} is not a multiple of {factor}")
        raw = int(raw_decimal)
        if not self.is_valid_raw(raw):
            raise ValueRangeError(f"{value!r} (raw {raw}) outside {self.minimum}..{self.maximum}")
        return raw.to_bytes(self.size, "big", signed=self.signed)


@dataclass(frozen=True, slots=True)
class UIntType(NumberType):
    """Unsigned big-endian integer `minimum..maximum` (raw), value = raw × scale (× coefficients) in `unit`."""

    signed: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class IntType(NumberType):
    """Signed (two's complement) big-endian integer, otherwise like `UIntType`."""

    signed: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class StateCode:
    """One enumerated code (or inclusive code range `code..last`) with its stable snake_case key and English label.

    `no_data` marks a sentinel ("Not measured", "Undefined", ...) that decodes to `None` instead of its key.
    """

    code: int
    key: str
    label: str
    last: int | None = None
    no_data: bool = False

    def contains(self, raw: int) -> bool:
        """Whether `raw` is this code or lies in its range."""
        return raw == self.code if self.last is None else self.code <= raw <= self.last


def _find_code(codes: tuple[StateCode, ...], raw: int) -> StateCode | None:
    return next((code for code in codes if code.contains(raw)), None)


def _encode_code(codes: tuple[StateCode, ...], value: Value) -> int:
    if value is None:
        for code in codes:
            if code.no_data:
                return code.code
        raise ValueRangeError("this state has no 'no data' code")
    if isinstance(value, str):
        for code in codes:
            if code.key == value:
                return code.code
        raise ValueRangeError(f"unknown state {value!r}")
    raw = _require_int(value, "state")
    if _find_code(codes, raw) is None:
        raise ValueRangeError(f"undefined state code 0x{raw:X}")
    return raw


@dataclass(frozen=True, slots=True)
class StateType(DataType):
    """Enumerated codes of `size` bytes (size 0: a bit field inside a `BitmapType`). Decodes to the code's key."""

    size: int
    codes: tuple[StateCode, ...]

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    def decode_int(self, raw: int) -> Value:
        """Decode an already extracted code."""
        code = _find_code(self.codes, raw)
        if code is None:
            raise ProtocolError(f"undefined state code 0x{raw:X}")
        return None if code.no_data else code.key

    def encode_int(self, value: Value) -> int:
        """Encode a key, code or `None` (the no-data code) to the integer code."""
        return _encode_code(self.codes, value)

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, self.size, "state")
        return self.decode_int(int.from_bytes(data, "big"))

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        return self.encode_int(value).to_bytes(self.size, "big")


@dataclass(frozen=True, slots=True)
class EnumMember:
    """A code standing for a number (e.g. the meter's energy unit 0x01 = 0.1 kWh)."""

    code: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class EnumType(DataType):
    """Codes standing for numbers; decodes to the number (float)."""

    size: int
    members: tuple[EnumMember, ...]
    unit: str | None = None

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    def member(self, data: bytes) -> EnumMember:
        """The member an EDT stands for; `ProtocolError` when the length or the code is wrong."""
        check_length(data, self.size, "enumeration")
        raw = int.from_bytes(data, "big")
        for member in self.members:
            if member.code == raw:
                return member
        raise ProtocolError(f"undefined enumeration code 0x{raw:X}")

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        member = self.member(data)
        return float(member.value) if ctx.scaled else member.code

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueRangeError(f"number needed, got {value!r}")
        wanted = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        for member in self.members:
            if member.value == wanted:
                return member.code.to_bytes(self.size, "big")
        raise ValueRangeError(f"{value!r} is not one of the enumerated values")


@dataclass(frozen=True, slots=True)
class LevelType(DataType):
    """Levels 1..`max_level` encoded as `base`..`base + max_level - 1` (size 0: a bit field)."""

    base: int
    max_level: int
    size: int = 1

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    def decode_int(self, raw: int) -> Value:
        """Decode an already extracted raw level."""
        level = raw - self.base + 1
        if not 1 <= level <= self.max_level:
            raise ProtocolError(f"level code 0x{raw:X} outside 1..{self.max_level}")
        return level

    def encode_int(self, value: Value) -> int:
        """Encode a level 1..max to its raw code."""
        level = _require_int(value, "level")
        if not 1 <= level <= self.max_level:
            raise ValueRangeError(f"level {level} outside 1..{self.max_level}")
        return self.base + level - 1

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, self.size, "level")
        return self.decode_int(int.from_bytes(data, "big"))

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        return self.encode_int(value).to_bytes(self.size, "big")


@dataclass(frozen=True, slots=True)
class RawType(DataType):
    """Opaque bytes of `min_size..max_size`; inside an object `count_field` names the field holding the length."""

    min_length: int
    max_length: int
    count_field: str | None = None

    @property
    def min_size(self) -> int:
        return self.min_length

    @property
    def max_size(self) -> int | None:
        return self.max_length

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        if not self.accepts_size(len(data)):
            raise ProtocolError(f"raw data needs {self.min_length}..{self.max_length} bytes, got {len(data)}")
        return data

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if not isinstance(value, bytes | bytearray):
            raise ValueRangeError(f"bytes needed, got {value!r}")
        if not self.accepts_size(len(value)):
            raise ValueRangeError(f"{len(value)} bytes outside {self.min_length}..{self.max_length}")
        return bytes(value)


def _not_set(data: bytes, ctx: DecodeContext) -> bool:
    """All 0xFF means "not set": `None`, unless a stricter alternative (a listed state) should get the chance first."""
    if not all(byte == 0xFF for byte in data):
        return False
    if not ctx.lenient:
        raise ProtocolError("date/time not set")
    return True


@dataclass(frozen=True, slots=True)
class DateType(DataType):
    """YYYY(2) MM DD; all 0xFF = not set (`None`)."""

    @property
    def min_size(self) -> int:
        return 4

    @property
    def max_size(self) -> int | None:
        return 4

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, 4, "date")
        if _not_set(data, ctx):
            return None
        try:
            return dt.date(int.from_bytes(data[:2], "big"), data[2], data[3])
        except ValueError as err:
            raise ProtocolError(f"invalid date {data.hex()}") from err

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if value is None:
            return b"\xff" * 4
        if not isinstance(value, dt.date):
            raise ValueRangeError(f"date needed, got {value!r}")
        if isinstance(value, dt.datetime):
            value = _naive_jst(value).date()
        return value.year.to_bytes(2, "big") + bytes((value.month, value.day))


@dataclass(frozen=True, slots=True)
class TimeType(DataType):
    """hh mm (seconds are not transmitted); all 0xFF = not set (`None`)."""

    @property
    def min_size(self) -> int:
        return 2

    @property
    def max_size(self) -> int | None:
        return 2

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, 2, "time")
        if _not_set(data, ctx):
            return None
        try:
            return dt.time(data[0], data[1])
        except ValueError as err:
            raise ProtocolError(f"invalid time {data.hex()}") from err

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if value is None:
            return b"\xff\xff"
        if not isinstance(value, dt.time):
            raise ValueRangeError(f"time needed, got {value!r}")
        return bytes((value.hour, value.minute))


def _naive_jst(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(JST).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class DateTimeType(DataType):
    """YYYY(2) MM DD hh mm [ss] (7 bytes, or 6 without seconds) as a naive JST datetime; all 0xFF = `None`."""

    size: int = 7

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, self.size, "date-time")
        if _not_set(data, ctx):
            return None
        second = data[6] if self.size == 7 else 0
        try:
            return dt.datetime(  # noqa: DTZ001 - ECHONET date-times are local (JST) wall-clock values
                int.from_bytes(data[:2], "big"), data[2], data[3], data[4], data[5], second
            )
        except ValueError as err:
            raise ProtocolError(f"invalid date-time {data.hex()}") from err

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if value is None:
            return b"\xff" * self.size
        if not isinstance(value, dt.datetime):
            raise ValueRangeError(f"datetime needed, got {value!r}")
        local = _naive_jst(value)
        if self.size == 6 and local.second:
            raise ValueRangeError("this date-time carries no seconds")
        encoded = local.year.to_bytes(2, "big") + bytes((local.month, local.day, local.hour, local.minute))
        return encoded + bytes((local.second,)) if self.size == 7 else encoded
