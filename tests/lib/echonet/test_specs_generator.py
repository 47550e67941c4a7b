"""The generator's Data-language parser on inline strings; the committed modules are current (only with the doc)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from custom_components.echonet_hems.lib.echonet.specs.composites import (
    ArrayType,
    BitmapType,
    ObjectType,
    OneOfType,
)
from custom_components.echonet_hems.lib.echonet.specs.datatypes import (
    DateTimeType,
    EnumType,
    IntType,
    LevelType,
    RawType,
    StateType,
    UIntType,
)
from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "generate_class_specs.py"
DOC = REPO.parent / "shared" / "docs" / "ECHONET_CLASSES.md"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_script(SCRIPT, "generate_class_specs")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Measured instantaneous electric power", "measured_instantaneous_electric_power"),
        ("Manufacturer's fault code", "manufacturers_fault_code"),
        ("Minimum/maximum charging electric power", "minimum_maximum_charging_electric_power"),
        ("Rated power consumption of H/P unit in wintertime", "rated_power_consumption_of_h_p_unit_in_wintertime"),
        ("rPhase", "r_phase"),
        ("multipleInputPCS", "multiple_input_pcs"),
        ("AC_HLC_ChargeDischarge", "ac_hlc_charge_discharge"),
        ("09:00", "09_00"),
    ],
)
def test_snake(generator: ModuleType, name: str, key: str) -> None:
    assert generator.snake(name) == key


def test_parse_numbers(generator: ModuleType) -> None:
    parsed = generator.parse_alternatives("uint32 0..999999999 (0x3B9AC9FF) kWh ×0.001")
    assert parsed == UIntType(size=4, minimum=0, maximum=999999999, unit="kWh", scale=Decimal("0.001"))
    parsed = generator.parse_alternatives(
        "uint32 0..99999999 (0x5F5E0FF) kWh ×coef('0xD3', '0xE1') [ovf=False,udf=False] / "
        "state[4B] {0xFFFFFFFE=Not measured}"
    )
    assert isinstance(parsed, OneOfType)
    number, state = parsed.alternatives
    assert number == UIntType(
        size=4, minimum=0, maximum=99999999, unit="kWh", coefficient_epcs=(0xD3, 0xE1), overflow_codes=False
    )
    assert isinstance(state, StateType)
    assert state.codes[0].no_data
    assert generator.parse_alternatives("int8 -127..125 Celsius ×0.1") == IntType(
        size=1, minimum=-127, maximum=125, unit="°C", scale=Decimal("0.1")
    )
    assert generator.parse_alternatives("uint8  one of 1,20,21") == UIntType(
        size=1, minimum=1, maximum=21, choices=(1, 20, 21)
    )


def test_parse_states_and_sentinels(generator: ModuleType) -> None:
    fault = generator.parse_alternatives("state[2B] {0x0000=No fault; 0x000a...0x0013=Abnormal event.}")
    assert [(code.code, code.last, code.key) for code in fault.codes] == [
        (0, None, "no_fault"),
        (0x0A, 0x13, "abnormal_event"),
    ]
    meaningful = generator.parse_alternatives("uint8 0..252 days / state[1B] {0xFD=No time limit}")
    assert not meaningful.alternatives[1].codes[0].no_data
    with pytest.raises(generator.SpecError, match="unclassified"):
        generator.parse_alternatives("uint8 0..1 / state[1B] {0xFD=Something new}")
    with pytest.raises(generator.SpecError, match="non-state"):
        generator.parse_alternatives("uint8 0..1 / {a:state[1B] {0x00=Undefined}}")
    charge_or_discharge = generator.parse_alternatives("uint32 1..9 Wh / int32 -9..-1 Wh")
    assert [type(alt) for alt in charge_or_discharge.alternatives] == [UIntType, IntType]
    with pytest.raises(generator.SpecError, match="cannot parse"):
        generator.parse_alternatives("float32 0..1")
    with pytest.raises(generator.SpecError, match="unit"):
        generator.parse_alternatives("uint8 0..1 furlongs")


def test_parse_composites(generator: ModuleType) -> None:
    listing = generator.parse_alternatives(
        "{numberOfinstances:uint8 0..84, instanceList:array[None..84] of (raw 3..3B)}"
    )
    assert isinstance(listing, ObjectType)
    assert [field.key for field in listing.fields] == ["number_of_instances", "instance_list"]
    assert listing.fields[1].datatype == ArrayType(RawType(3, 3), 0, 84, "number_of_instances")
    vehicle = generator.parse_alternatives("{dataSize:uint8 0..24, id:raw 0..24B}")
    assert vehicle.fields[1].datatype == RawType(0, 24, "data_size")
    bitmap = generator.parse_alternatives(
        "bitmap[8B]: levelOfOzone@byte0/mask0b00000111=level base=0x00 max=8; "
        "modeOfOzone@byte1/mask0b00001000=state[0B] {0x00=OFF; 0x01=ON}"
    )
    assert isinstance(bitmap, BitmapType)
    assert bitmap.fields[0].datatype == LevelType(0, 8, 0)
    assert (bitmap.fields[1].byte, bitmap.fields[1].mask, bitmap.fields[1].shift) == (1, 0b1000, 3)
    assert generator.parse_alternatives("date-time 6B") == DateTimeType(6)
    unit = generator.parse_alternatives("enum[1B] {0x00=1; 0x01=0.1}")
    assert isinstance(unit, EnumType)
    assert [member.value for member in unit.members] == [Decimal(1), Decimal("0.1")]
    with pytest.raises(generator.SpecError, match="not last"):
        generator.parse_alternatives("{a:raw 0..2B, b:uint8 0..1}")


@pytest.mark.skipif(not DOC.exists(), reason="ECHONET_CLASSES.md is not checked out next to the repository")
def test_committed_modules_are_current(generator: ModuleType) -> None:
    assert generator.main([str(DOC), "--check"]) == 0
