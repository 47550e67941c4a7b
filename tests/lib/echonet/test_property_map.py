"""Property maps (0x9D/0x9E/0x9F): VECTORS.md PM1–PM5 and A8, list/bitmap forms, malformed maps."""

from __future__ import annotations

import pytest

from custom_components.echonet_hems.lib.echonet.property_map import (
    decode_property_map,
    encode_property_map,
)
from custom_components.echonet_hems.lib.errors import ProtocolError


def _epcs(text: str) -> frozenset[int]:
    return frozenset(bytes.fromhex(text))


VECTORS = [
    pytest.param(
        "1001010101010101010101010101010101",
        _epcs("808182838485868788898A8B8C8D8E8F"),
        id="PM1-bitmap-16",
    ),
    pytest.param(
        "1941414160404000624300414040430202",
        _epcs("808182888A8D97989D9E9FD3D7E0E1E2E3E4E5E7E8EAEBECED"),
        id="PM2-meter-9F-bitmap-25",
    ),
    pytest.param("0381E5ED", _epcs("81E5ED"), id="PM3-meter-9E-list-3"),
    pytest.param("03808188", _epcs("808188"), id="PM4-meter-9D-list-3"),
    pytest.param(
        "0D808283898A9D9E9FBFD3D4D6D7",
        _epcs("808283898A9D9E9FBFD3D4D6D7"),
        id="PM5-node-9F-list-13",
    ),
    pytest.param("0280D5", _epcs("80D5"), id="A8-node-9D"),
    pytest.param("01BF", _epcs("BF"), id="A8-node-9E"),
    pytest.param("068081888FA0B0", _epcs("8081888FA0B0"), id="A8-ac-9D"),
    pytest.param("0B80818F93A0A3B0B3B4C1C4", _epcs("80818F93A0A3B0B3B4C1C4"), id="A8-ac-9E-list-11"),
]


@pytest.mark.parametrize(("edt", "expected"), VECTORS)
def test_vector_decodes_to_documented_set(edt: str, expected: frozenset[int]) -> None:
    raw = bytes.fromhex(edt)
    decoded = decode_property_map(raw)

    assert decoded == expected
    assert len(decoded) == raw[0]


@pytest.mark.parametrize(("edt", "expected"), VECTORS)
def test_vector_re_encodes_to_the_same_bytes(edt: str, expected: frozenset[int]) -> None:
    assert encode_property_map(expected) == bytes.fromhex(edt)


# PROTOCOL.md §1.7 worked example 2: bitmap byte k (low nibble) → EPCs.
PM2_ROWS = {
    0x0: {0x80, 0xE0},
    0x1: {0x81, 0xE1},
    0x2: {0x82, 0xE2},
    0x3: {0xD3, 0xE3},
    0x4: {0xE4},
    0x5: {0xE5},
    0x6: set(),
    0x7: {0x97, 0xD7, 0xE7},
    0x8: {0x88, 0x98, 0xE8},
    0x9: set(),
    0xA: {0x8A, 0xEA},
    0xB: {0xEB},
    0xC: {0xEC},
    0xD: {0x8D, 0x9D, 0xED},
    0xE: {0x9E},
    0xF: {0x9F},
}


@pytest.mark.parametrize("low", range(16), ids=lambda low: f"k={low:X}")
def test_pm2_bitmap_rows(low: int) -> None:
    decoded = decode_property_map(bytes.fromhex("1941414160404000624300414040430202"))

    assert {epc for epc in decoded if epc & 0x0F == low} == PM2_ROWS[low]


@pytest.mark.parametrize("epc", range(0x80, 0x100), ids=lambda epc: f"0x{epc:02X}")
def test_each_bitmap_position_maps_to_one_epc(epc: int) -> None:
    bitmap = bytearray(16)
    bitmap[epc % 16] = 1 << (epc // 16 - 8)  # byte k = low nibble, bit b = high nibble - 8
    decoded = decode_property_map(bytes((16, *bitmap)))

    assert decoded == frozenset({epc})


# --- list/bitmap boundary ------------------------------------------------------------------------


def test_fifteen_epcs_use_the_list_form() -> None:
    epcs = range(0x80, 0x8F)
    encoded = encode_property_map(epcs)

    assert encoded == bytes((15, *epcs))
    assert len(encoded) == 16
    assert decode_property_map(encoded) == frozenset(epcs)


def test_sixteen_epcs_use_the_bitmap_form() -> None:
    epcs = range(0x80, 0x90)
    encoded = encode_property_map(epcs)

    assert encoded == bytes.fromhex("1001010101010101010101010101010101")
    assert len(encoded) == 17
    assert decode_property_map(encoded) == frozenset(epcs)


def test_list_form_may_carry_epcs_below_0x80() -> None:
    epcs = {0x00, 0x01, 0x7F, *range(0x80, 0x8C)}
    encoded = encode_property_map(epcs)

    assert encoded[0] == 15
    assert decode_property_map(encoded) == frozenset(epcs)


@pytest.mark.parametrize("low_epc", [0x00, 0x10, 0x7F])
def test_bitmap_rejects_epcs_below_0x80(low_epc: int) -> None:
    with pytest.raises(ValueError, match="bitmap"):
        encode_property_map({low_epc, *range(0x80, 0x8F)})


def test_all_128_bitmap_epcs() -> None:
    encoded = encode_property_map(range(0x80, 0x100))

    assert encoded == bytes((0x80, *([0xFF] * 16)))
    assert decode_property_map(encoded) == frozenset(range(0x80, 0x100))


def test_empty_set_encodes_as_count_zero() -> None:
    assert encode_property_map([]) == b"\x00"
    assert decode_property_map(b"\x00") == frozenset()


def test_encode_deduplicates_and_sorts() -> None:
    assert encode_property_map([0xE7, 0x80, 0xE7, 0x81]) == bytes.fromhex("038081E7")


@pytest.mark.parametrize("epc", [-1, 0x100])
def test_encode_rejects_epc_out_of_range(epc: int) -> None:
    with pytest.raises(ValueError, match="EPC out of range"):
        encode_property_map([0x80, epc])


@pytest.mark.parametrize(
    "epcs",
    [
        pytest.param(frozenset({0x80}), id="one"),
        pytest.param(frozenset({0x00, 0xFF}), id="extremes-list"),
        pytest.param(frozenset(range(0x80, 0x8F)), id="15-list"),
        pytest.param(frozenset(range(0x80, 0x90)), id="16-bitmap"),
        pytest.param(frozenset(range(0x80, 0x100, 3)), id="43-bitmap"),
        pytest.param(frozenset(range(0xF0, 0x100)) | {0x80}, id="17-bitmap-high"),
    ],
)
def test_encode_decode_round_trip(epcs: frozenset[int]) -> None:
    encoded = encode_property_map(epcs)

    assert encoded[0] == len(epcs)
    assert decode_property_map(encoded) == epcs
    assert encode_property_map(decode_property_map(encoded)) == encoded


# --- malformed and tolerated maps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("edt", "match"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("03808188" + "8F", "says 3 EPCs but carries 4", id="list-too-long"),
        pytest.param("038081", "says 3 EPCs but carries 2", id="list-too-short"),
        pytest.param("01", "says 1 EPCs but carries 0", id="list-count-only"),
        pytest.param("0F" + "80" * 16, "says 15", id="list-15-carrying-16"),
        pytest.param("10", "17 bytes", id="bitmap-count-only"),
        pytest.param("10" + "01" * 15, "17 bytes", id="bitmap-15-bytes"),
        pytest.param("19" + "41" * 17, "17 bytes", id="bitmap-17-bytes"),
        pytest.param("FF" + "00" * 32, "17 bytes", id="bitmap-32-bytes"),
    ],
)
def test_malformed_map_raises_protocol_error(edt: str, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        decode_property_map(bytes.fromhex(edt))


@pytest.mark.parametrize(
    ("edt", "expected"),
    [
        pytest.param("03808081", _epcs("8081"), id="list-repeated-epc"),
        pytest.param("02E7E7", _epcs("E7"), id="list-same-epc-twice"),
        pytest.param("20" + "01" * 16, frozenset(range(0x80, 0x90)), id="bitmap-count-too-high"),
        pytest.param("10" + "00" * 16, frozenset(), id="bitmap-count-16-no-bits"),
        pytest.param("FF" + "FF" * 16, frozenset(range(0x80, 0x100)), id="bitmap-count-255"),
    ],
)
def test_tolerated_maps_give_the_set(edt: str, expected: frozenset[int]) -> None:
    assert decode_property_map(bytes.fromhex(edt)) == expected
