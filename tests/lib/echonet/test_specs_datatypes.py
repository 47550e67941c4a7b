"""The data types on their own: sizes, sentinels, scaling, strict/lenient alternatives and every encoder's checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from custom_components.echonet_hems.lib.echonet.specs.composites import (
    ArrayType,
    BitField,
    BitmapType,
    Field,
    ObjectType,
    OneOfType,
)
from custom_components.echonet_hems.lib.echonet.specs.datatypes import (
    DataType,
    DateTimeType,
    DateType,
    EnumMember,
    EnumType,
    IntType,
    LevelType,
    RawType,
    StateCode,
    StateType,
    TimeType,
    UIntType,
    Value,
)
from custom_components.echonet_hems.lib.echonet.specs.model import Coefficient
from custom_components.echonet_hems.lib.errors import ProtocolError, ValueRangeError

UINT16_W = UIntType(size=2, minimum=0, maximum=65533, unit="W")
KWH_COEF = UIntType(size=4, minimum=0, maximum=99999999, unit="kWh", coefficient_epcs=(0xE1,), overflow_codes=False)
NOT_MEASURED = StateType(4, (StateCode(0xFFFFFFFE, "not_measured", "Not measured", no_data=True),))
UNIT = EnumType(1, (EnumMember(0x00, Decimal(1)), EnumMember(0x01, Decimal("0.1"))), unit="kWh")


def test_number_sentinels_and_ranges() -> None:
    assert UINT16_W.decode(b"\xff\xfd") == 65533
    assert UINT16_W.decode(b"\xff\xff") is None  # overflow
    assert UINT16_W.decode(b"\xff\xfe") is None  # underflow
    assert (UINT16_W.overflow_code, UINT16_W.underflow_code) == (0xFFFF, 0xFFFE)
    int8 = IntType(size=1, minimum=-127, maximum=125)
    assert (int8.overflow_code, int8.underflow_code) == (0x7F, -0x80)
    assert int8.decode(b"\x81") == -127
    with pytest.raises(ProtocolError):
        int8.decode(b"\x7e")  # outside the range, not a default code, no state listed
    no_codes = UIntType(size=1, minimum=0, maximum=100, overflow_codes=False)
    with pytest.raises(ProtocolError):
        no_codes.decode(b"\xff")
    assert UIntType(size=1, minimum=1, maximum=24, choices=(1, 20)).decode(b"\x14") == 20


def test_number_scaling_is_exact() -> None:
    tenth = UIntType(size=2, minimum=0, maximum=65533, unit="A", scale=Decimal("0.1"))
    assert tenth.decode(b"\x00\x03") == 0.3
    assert tenth.encode(0.3) == b"\x00\x03"
    assert tenth.encode(7) == b"\x00\x46"
    assert tenth.decode(b"\x00\x03", scaled=False) == 3
    assert KWH_COEF.decode(b"\x00\x00\x00\x07", Decimal("0.1")) == 0.7
    assert KWH_COEF.decode(b"\x00\x00\x00\x07", scaled=False) == 7
    with pytest.raises(ProtocolError):
        KWH_COEF.decode(b"\x00\x00\x00\x07")
    with pytest.raises(ValueRangeError):
        KWH_COEF.encode(0.7)
    assert KWH_COEF.encode(0.7, Decimal("0.1")) == b"\x00\x00\x00\x07"


def test_sizes() -> None:
    assert UINT16_W.fixed_size == 2
    raw = RawType(1, 17)
    assert (raw.min_size, raw.max_size, raw.fixed_size) == (1, 17, None)
    assert raw.accepts_size(17)
    assert not raw.accepts_size(18)
    either = OneOfType((RawType(1, 1), RawType(17, 17)))
    assert (either.min_size, either.max_size) == (1, 17)
    array = ArrayType(RawType(3, 3), 0, 84)
    obj = ObjectType((Field("count", UIntType(size=1, minimum=0, maximum=84)), Field("items", array)))
    assert (obj.min_size, obj.max_size) == (1, 253)
    unbounded = ObjectType((Field("a", UINT16_W), Field("b", _Unbounded())))
    assert unbounded.max_size is None
    assert OneOfType((UINT16_W, _Unbounded())).max_size is None
    assert _Unbounded().accepts_size(10_000)


class _Unbounded(RawType):
    """A raw type without an upper bound (none of the MRA tables has one, but the size arithmetic must cope)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(0, 0)

    @property
    def max_size(self) -> int | None:
        return None


def test_states() -> None:
    fault = StateType(
        2,
        (
            StateCode(0x0000, "no_fault", "No fault"),
            StateCode(0x000A, "abnormal_event", "Abnormal event", last=0x0013),
        ),
    )
    assert fault.decode(b"\x00\x13") == "abnormal_event"
    assert fault.encode("abnormal_event") == b"\x00\x0a"
    assert fault.encode(0x0011) == b"\x00\x11"
    with pytest.raises(ValueRangeError):
        fault.encode(0x0014)
    with pytest.raises(ValueRangeError):
        fault.encode(None)
    with pytest.raises(ValueRangeError):
        fault.encode(1.0)
    assert NOT_MEASURED.decode(b"\xff\xff\xff\xfe") is None
    assert NOT_MEASURED.encode(None) == b"\xff\xff\xff\xfe"


def test_enum() -> None:
    assert UNIT.decode(b"\x01") == 0.1
    assert UNIT.decode(b"\x01", scaled=False) == 1
    assert UNIT.encode(0.1) == b"\x01"
    assert UNIT.encode(1) == b"\x00"
    for bad in (0.5, "0.1", True, None):
        with pytest.raises(ValueRangeError):
            UNIT.encode(bad)
    with pytest.raises(ProtocolError):
        UNIT.decode(b"\x02")


def test_levels() -> None:
    level = LevelType(0x31, 8)
    assert level.decode(b"\x31") == 1
    assert level.encode(8) == b"\x38"
    with pytest.raises(ProtocolError):
        level.decode(b"\x30")
    with pytest.raises(ValueRangeError):
        level.encode("1")


def test_raw() -> None:
    raw = RawType(2, 3)
    assert raw.encode(bytearray(b"ab")) == b"ab"
    with pytest.raises(ValueRangeError):
        raw.encode(b"a")
    with pytest.raises(ValueRangeError):
        raw.encode("ab")
    with pytest.raises(ProtocolError):
        raw.decode(b"abcd")


def test_dates_and_times() -> None:
    date, time, stamp, short = DateType(), TimeType(), DateTimeType(), DateTimeType(6)
    assert date.encode(dt.datetime(2026, 5, 20, 23, 59)) == bytes.fromhex("07EA0514")  # noqa: DTZ001
    assert stamp.encode(None) == b"\xff" * 7
    assert short.encode(None) == b"\xff" * 6
    aware = dt.datetime(2026, 5, 20, 5, 0, 30, tzinfo=dt.UTC)
    assert stamp.encode(aware) == bytes.fromhex("07EA05140E001E")
    assert short.decode(bytes.fromhex("07EA05140E1E")) == dt.datetime(2026, 5, 20, 14, 30)  # noqa: DTZ001
    for bad in (dt.date(2026, 5, 20), "2026-05-20", 0):
        with pytest.raises(ValueRangeError):
            stamp.encode(bad)
    with pytest.raises(ProtocolError):
        stamp.decode(bytes.fromhex("07EA05140E1E3C"))  # 60 seconds
    with pytest.raises(ProtocolError):
        time.decode(bytes.fromhex("0C3C"))
    with pytest.raises(ProtocolError):
        date.decode(bytes.fromhex("00000101"))  # year 0


def test_bitmap() -> None:
    on_off = StateType(0, (StateCode(0, "off", "OFF"), StateCode(1, "on", "ON")))
    wide = StateType(0, (StateCode(0, "zero", "0"), StateCode(3, "three", "3")))
    bitmap = BitmapType(
        2,
        (BitField("a", 0, 0b00000001, on_off), BitField("b", 1, 0b00110000, wide), BitField("c", 1, 0b1, on_off)),
    )
    assert bitmap.decode(b"\x01\x30") == {"a": "on", "b": "three", "c": "off"}
    assert bitmap.encode({"b": "three"}) == b"\x00\x30"
    too_wide = BitmapType(1, (BitField("x", 0, 0b00000001, wide),))
    with pytest.raises(ValueRangeError):
        too_wide.encode({"x": "three"})
    with pytest.raises(ProtocolError):
        bitmap.decode(b"\x01\x10")  # b = 1 is undefined


def test_array_and_object_encoders() -> None:
    array = ArrayType(UINT16_W, 1, 2)
    assert array.decode(bytes.fromhex("00010002")) == (1, 2)
    for malformed in ("", "000100", "000100020003"):
        with pytest.raises(ProtocolError):
            array.decode(bytes.fromhex(malformed))
    assert array.encode((1, 2)) == bytes.fromhex("00010002")
    bad_values: list[Value] = [(), (1, 2, 3), "ab", b"ab", {"a": 1}, 5]
    for bad in bad_values:
        with pytest.raises(ValueRangeError):
            array.encode(bad)
    counted = ObjectType(
        (Field("count", UIntType(size=1, minimum=0, maximum=2)), Field("items", ArrayType(UINT16_W, 0, 2, "count")))
    )
    assert counted.encode({"count": 1, "items": (7,)}) == bytes.fromhex("010007")
    assert counted.decode(bytes.fromhex("020007FFFF")) == {"count": 2, "items": (7, None)}
    with pytest.raises(ValueRangeError):
        counted.encode({"count": 2, "items": (7,)})
    with pytest.raises(ValueRangeError):
        counted.encode({"count": 1})
    with pytest.raises(ProtocolError):
        counted.decode(bytes.fromhex("0200"))


def test_one_of_prefers_valid_values_over_overflow_codes() -> None:
    # 0x027D E0: uint32 1..999999999 Wh or int32 -999999999..-1 Wh. 0xFFFFFFFF is the uint32 overflow code but a
    # valid int32 (-1): the valid reading wins.
    either = OneOfType(
        (UIntType(size=4, minimum=1, maximum=999999999), IntType(size=4, minimum=-999999999, maximum=-1))
    )
    assert either.decode(b"\xff\xff\xff\xff") == -1
    assert either.decode(b"\xff\xff\xff\xfe") == -2
    reading = OneOfType((UIntType(size=4, minimum=0, maximum=999), NOT_MEASURED))
    assert reading.decode(b"\xff\xff\xff\xfe") is None
    assert reading.decode(b"\xff\xff\xff\xff") is None  # overflow code, second pass
    with pytest.raises(ProtocolError):
        reading.decode(b"\x00\x00\x10\x00")
    with pytest.raises(ProtocolError):
        reading.decode(b"\x00")
    # Numbers are written only through number alternatives: 0xFFFFFFFE is no "not measured".
    with pytest.raises(ValueRangeError):
        reading.encode(0xFFFFFFFE)
    assert reading.encode("not_measured") == b"\xff\xff\xff\xfe"


def test_coefficients() -> None:
    unit = Coefficient(0xE1, UNIT)
    assert unit.resolve(b"\x01") == Decimal("0.1")
    with pytest.raises(ProtocolError):
        unit.resolve(None)
    factor = Coefficient(0xD3, UIntType(size=4, minimum=0, maximum=999999), default=Decimal(1))
    assert factor.resolve(None) == 1
    assert factor.resolve(b"\x00\x00\x00\x0a") == 10
    with pytest.raises(ProtocolError):
        factor.resolve(b"\x00\x00\x00\x00")


@pytest.mark.parametrize(
    ("datatype", "value"),
    [
        (UINT16_W, "1"),
        (UINT16_W, None),
        (UINT16_W, True),
        (DateType(), dt.time(1, 2)),
        (TimeType(), dt.date(2026, 1, 1)),
        (ObjectType((Field("a", UINT16_W),)), [1]),
        (BitmapType(1, ()), {"zz": 1}),
    ],
)
def test_encoders_reject_wrong_types(datatype: DataType, value: Value) -> None:
    with pytest.raises(ValueRangeError):
        datatype.encode(value)
