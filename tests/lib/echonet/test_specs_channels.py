"""Power distribution board metering 0x0287: whole-board values, range requests (B2/B4/B6/B9/BB/BD) and list replies."""

from __future__ import annotations

import pytest

from custom_components.echonet_hems.lib.echonet.specs.channels import (
    LIST_TO_RANGE,
    RANGE_TO_LIST,
    ChannelReadings,
    decode_channel_list,
    encode_channel_range,
    max_channel_count,
)
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from custom_components.echonet_hems.lib.errors import ProtocolError, UnsupportedError, ValueRangeError

BOARD = 0x0287
UNIT_001 = b"\x02"  # C2 0x02 = 0.01 kWh


@pytest.mark.parametrize(
    ("epc", "edt", "expected"),
    [
        pytest.param(0xC0, "000F4240", 10000.0, id="C0-x0.01"),
        pytest.param(0xC1, "FFFFFFFE", None, id="C1-not-measured"),
        pytest.param(0xC6, "FFFFFC18", -1000, id="C6"),
        pytest.param(0xC6, "7FFFFFFE", None, id="C6-not-measured"),
        pytest.param(0xC7, "00327FFE", {"r_phase": 5.0, "t_phase": None}, id="C7"),
        pytest.param(0xC8, "04B004B0", {"r_s": 120.0, "s_t": 120.0}, id="C8-voltages"),
        pytest.param(0xC2, "02", 0.01, id="C2"),
        pytest.param(0xB1, "1D", 29, id="B1-29-channels"),
        pytest.param(0xB1, "FD", None, id="B1-undefined"),
        pytest.param(
            0xD0,
            "000003E800327FFE",
            {"electric_energy": 10.0, "current_r_phase": 5.0, "current_t_phase": None},
            id="D0-channel-1",
        ),
        pytest.param(0xB2, "011D", {"start_channel": 1, "range": 29}, id="B2"),
        pytest.param(0xB2, "FDFD", {"start_channel": None, "range": None}, id="B2-undefined"),
    ],
)
def test_board_values(epc: int, edt: str, expected: Value) -> None:
    assert property_spec(BOARD, epc).decode(bytes.fromhex(edt), {0xC2: UNIT_001}) == expected


def test_channel_properties_d0_to_ef_share_one_layout() -> None:
    specs = [property_spec(BOARD, epc) for epc in range(0xD0, 0xF0)]
    assert [spec.key for spec in specs] == [f"measurement_channel_{n}" for n in range(1, 33)]
    assert len({spec.datatype for spec in specs}) == 1
    assert all(spec.coefficient_epcs == (0xC2,) for spec in specs)


@pytest.mark.parametrize(
    ("start", "count", "range_epc", "edt"),
    [
        (1, 29, 0xB2, "011D"),
        (1, 60, 0xB6, "013C"),
        (193, 60, 0xB4, "C13C"),
        (252, 1, 0xBB, "FC01"),
        (1, 30, 0xB9, "011E"),
        (31, 30, 0xBD, "1F1E"),
    ],
)
def test_encode_channel_range(start: int, count: int, range_epc: int, edt: str) -> None:
    assert encode_channel_range(start, count, range_epc) == bytes.fromhex(edt)


@pytest.mark.parametrize(
    ("start", "count", "range_epc"),
    [
        (0, 1, 0xB2),
        (253, 1, 0xB2),
        (1, 0, 0xB2),
        (1, 61, 0xB2),
        (1, 31, 0xB9),
        (250, 5, 0xB6),
        (True, 1, 0xB2),
        (1, 2.0, 0xB2),
    ],
)
def test_encode_channel_range_rejects(start: int, count: int, range_epc: int) -> None:
    with pytest.raises(ValueRangeError):
        encode_channel_range(start, count, range_epc)


def test_range_epcs() -> None:
    assert max_channel_count(0xB2) == 60
    assert max_channel_count(0xB9) == 30
    assert {RANGE_TO_LIST[epc] for epc in RANGE_TO_LIST} == set(LIST_TO_RANGE)
    with pytest.raises(UnsupportedError):
        max_channel_count(0xB3)
    with pytest.raises(UnsupportedError):
        encode_channel_range(1, 1, 0xC0)
    with pytest.raises(UnsupportedError):
        decode_channel_list(0xB2, b"\x01\x01")


def test_b3_cumulative_list_scaled_by_c2() -> None:
    edt = bytes.fromhex("0503" + "000003E8" + "FFFFFFFE" + "00000001")
    readings = decode_channel_list(0xB3, edt, UNIT_001)
    assert readings == ChannelReadings(0xB3, 5, (10.0, None, 0.01))
    assert readings.by_channel() == {5: 10.0, 6: None, 7: 0.01}
    with pytest.raises(ProtocolError):  # cumulative values need the unit
        decode_channel_list(0xB3, edt)


def test_b5_b7_ba_bc_be_lists() -> None:
    b5 = decode_channel_list(0xB5, bytes.fromhex("0102" + "00327FFE" + "FFF60014"))
    assert b5.by_channel() == {1: {"r_phase": 5.0, "t_phase": None}, 2: {"r_phase": -1.0, "t_phase": 2.0}}
    b7 = decode_channel_list(0xB7, bytes.fromhex("0A02" + "000001F4" + "7FFFFFFE"))
    assert b7.by_channel() == {10: 500, 11: None}
    ba = decode_channel_list(0xBA, bytes.fromhex("0101" + "00000064" + "FFFFFFFE"), b"\x01")
    assert ba.by_channel() == {1: {"normal_direction_electric_energy": 10.0, "reverse_direction_electric_energy": None}}
    bc = decode_channel_list(0xBC, bytes.fromhex("FC01" + "00010002"))
    assert bc.by_channel() == {252: {"r_phase": 0.1, "t_phase": 0.2}}
    be = decode_channel_list(0xBE, bytes.fromhex("0301" + "FFFFFF9C"))
    assert be.by_channel() == {3: -100}


def test_list_with_undefined_range_and_no_values() -> None:
    empty = decode_channel_list(0xB7, bytes.fromhex("FDFD"))
    assert empty == ChannelReadings(0xB7, None, ())
    assert empty.by_channel() == {}


@pytest.mark.parametrize(
    ("epc", "edt"),
    [
        pytest.param(0xB7, "0102000001F4", id="range-2-one-value"),
        pytest.param(0xB7, "0101000001F4000001F4", id="range-1-two-values"),
        pytest.param(0xB7, "FD01000001F4", id="values-without-start"),
        pytest.param(0xB7, "FC02000001F4000001F4", id="past-channel-252"),
        pytest.param(0xB7, "01", id="truncated"),
        pytest.param(0xB7, "013D" + "00000000" * 61, id="61-channels"),
        pytest.param(0xBA, "011F" + "0000000000000000" * 31, id="duplex-31-channels"),
        pytest.param(0xB5, "010100327F", id="item-cut"),
    ],
)
def test_malformed_lists(epc: int, edt: str) -> None:
    with pytest.raises(ProtocolError):
        decode_channel_list(epc, bytes.fromhex(edt), UNIT_001)
