"""Composite ECHONET Lite data types: bit maps, arrays, objects (consecutive fields) and alternatives ("one of").

They combine the scalar types of `datatypes` and follow the same contract: exact-length decoding that raises only
`ProtocolError`, encoding that raises `ValueRangeError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ...errors import ProtocolError, ValueRangeError
from .datatypes import DataType, DecodeContext, LevelType, NumberType, RawType, StateType, Value, check_length


@dataclass(frozen=True, slots=True)
class BitField:
    """A masked part of one byte of a `BitmapType`, interpreted as a state or a level."""

    key: str
    byte: int
    mask: int
    datatype: StateType | LevelType

    @property
    def shift(self) -> int:
        """Position of the mask's lowest set bit."""
        return (self.mask & -self.mask).bit_length() - 1


@dataclass(frozen=True, slots=True)
class BitmapType(DataType):
    """`size` bytes of bit fields; decodes to a mapping field key → state key / level."""

    size: int
    fields: tuple[BitField, ...]

    @property
    def min_size(self) -> int:
        return self.size

    @property
    def max_size(self) -> int | None:
        return self.size

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        check_length(data, self.size, "bitmap")
        return {
            field.key: field.datatype.decode_int((data[field.byte] & field.mask) >> field.shift)
            for field in self.fields
        }

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if not isinstance(value, Mapping):
            raise ValueRangeError(f"mapping needed, got {value!r}")
        known = {field.key for field in self.fields}
        unknown = set(value) - known
        if unknown:
            raise ValueRangeError(f"unknown bitmap fields {sorted(unknown)}")
        out = bytearray(self.size)
        for field in self.fields:
            if field.key in value:
                raw = field.datatype.encode_int(value[field.key])
                if raw << field.shift & ~field.mask:
                    raise ValueRangeError(f"{field.key}: code does not fit its mask")
                out[field.byte] |= raw << field.shift
        return bytes(out)


@dataclass(frozen=True, slots=True)
class ArrayType(DataType):
    """`min_count..max_count` items of a fixed-size type; inside an object `count_field` names the count field."""

    item: DataType
    min_count: int
    max_count: int
    count_field: str | None = None

    @property
    def item_size(self) -> int:
        """Encoded size of one item (arrays hold fixed-size items only)."""
        size = self.item.fixed_size
        if size is None:  # pragma: no cover - the generator never emits such arrays
            raise AssertionError("array items must have a fixed size")
        return size

    @property
    def min_size(self) -> int:
        return self.item_size * self.min_count

    @property
    def max_size(self) -> int | None:
        return self.item_size * self.max_count

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        size = self.item_size
        count, rest = divmod(len(data), size)
        if rest:
            raise ProtocolError(f"array of {size}-byte items cannot be {len(data)} bytes long")
        if not self.min_count <= count <= self.max_count:
            raise ProtocolError(f"array needs {self.min_count}..{self.max_count} items, got {count}")
        return tuple(self.item.read(data[i * size : (i + 1) * size], ctx) for i in range(count))

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise ValueRangeError(f"sequence needed, got {value!r}")
        if not self.min_count <= len(value) <= self.max_count:
            raise ValueRangeError(f"array needs {self.min_count}..{self.max_count} items, got {len(value)}")
        return b"".join(self.item.write(item, multiplier) for item in value)


@dataclass(frozen=True, slots=True)
class Field:
    """A named field of an `ObjectType` (key in snake_case)."""

    key: str
    datatype: DataType


def _sum_sizes(sizes: Sequence[int | None]) -> int | None:
    total = 0
    for size in sizes:
        if size is None:
            return None
        total += size
    return total


@dataclass(frozen=True, slots=True)
class ObjectType(DataType):
    """Consecutive fields; decodes to a mapping field key → value."""

    fields: tuple[Field, ...]

    @property
    def min_size(self) -> int:
        return sum(field.datatype.min_size for field in self.fields)

    @property
    def max_size(self) -> int | None:
        return _sum_sizes([field.datatype.max_size for field in self.fields])

    def _field_size(self, index: int, decoded: Mapping[str, Value], remaining: int) -> int:
        datatype = self.fields[index].datatype
        fixed = datatype.fixed_size
        if fixed is not None:
            return fixed
        if isinstance(datatype, ArrayType | RawType) and datatype.count_field is not None:
            count = decoded.get(datatype.count_field)
            if isinstance(count, int) and not isinstance(count, bool):
                return count * (datatype.item_size if isinstance(datatype, ArrayType) else 1)
        if index == len(self.fields) - 1:
            return remaining
        raise AssertionError("variable-size field before the end of an object")  # pragma: no cover

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        decoded: dict[str, Value] = {}
        position = 0
        for index, field in enumerate(self.fields):
            size = self._field_size(index, decoded, len(data) - position)
            if position + size > len(data):
                raise ProtocolError(f"field {field.key} runs past the end of {len(data)} bytes")
            decoded[field.key] = field.datatype.read(data[position : position + size], ctx)
            position += size
        if position != len(data):
            raise ProtocolError(f"{len(data) - position} trailing bytes after the last field")
        return decoded

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        if not isinstance(value, Mapping):
            raise ValueRangeError(f"mapping needed, got {value!r}")
        keys = [field.key for field in self.fields]
        if set(value) != set(keys):
            raise ValueRangeError(f"fields {sorted(value)} do not match {keys}")
        encoded = b"".join(field.datatype.write(value[field.key], multiplier) for field in self.fields)
        for field in self.fields:
            datatype = field.datatype
            if isinstance(datatype, ArrayType | RawType) and datatype.count_field is not None:
                count, items = value[datatype.count_field], value[field.key]
                if isinstance(items, Sequence) and count is not None and count != len(items):
                    raise ValueRangeError(f"{datatype.count_field}={count!r} but {field.key} has {len(items)}")
        return encoded


@dataclass(frozen=True, slots=True)
class OneOfType(DataType):
    """Alternative encodings of one field, e.g. a number or a "not measured" state, or raw 1 B / raw 17 B.

    Decoding prefers an alternative holding a valid value or a listed state; the default overflow/underflow codes are
    considered only when no alternative matches otherwise. Encoding uses the first alternative that accepts the value;
    numbers go to the number alternatives only (sentinels are written as `None` or by their key).
    """

    alternatives: tuple[DataType, ...]

    @property
    def min_size(self) -> int:
        return min(alternative.min_size for alternative in self.alternatives)

    @property
    def max_size(self) -> int | None:
        sizes = [alternative.max_size for alternative in self.alternatives]
        return None if None in sizes else max(size for size in sizes if size is not None)

    def read(self, data: bytes, ctx: DecodeContext) -> Value:
        candidates = [alternative for alternative in self.alternatives if alternative.accepts_size(len(data))]
        if not candidates:
            raise ProtocolError(f"no alternative is {len(data)} bytes long")
        passes = (False, True) if ctx.lenient else (False,)
        errors: list[str] = []
        for lenient in passes:
            inner = DecodeContext(ctx.multiplier, ctx.scaled, lenient)
            for alternative in candidates:
                try:
                    return alternative.read(data, inner)
                except ProtocolError as err:
                    errors.append(str(err))
        raise ProtocolError("; ".join(dict.fromkeys(errors)))

    def write(self, value: Value, multiplier: Decimal | None) -> bytes:
        candidates = self.alternatives
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A number is never a sentinel's code: 0x7FFFFFFE written as a power must not mean "not measured".
            numbers = tuple(alternative for alternative in candidates if isinstance(alternative, NumberType))
            candidates = numbers or candidates
        errors: list[str] = []
        for alternative in candidates:
            try:
                return alternative.write(value, multiplier)
            except ValueRangeError as err:
                errors.append(str(err))
        raise ValueRangeError("; ".join(dict.fromkeys(errors)))
