"""Low-voltage smart meter 0x0288: decoders with sentinels and D3/E1 scaling, and the cumulative wrap arithmetic.

Vector ids refer to ../shared/docs/VECTORS.md (B.3 = the real Toshiba meter, M* = §B.4, "sentinel" = the synthetic
sentinel unit vectors at the end of §B.4).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.meter import (
    energy_multiplier,
    energy_wrap_modulus,
    raw_energy_increase,
    raw_to_kwh,
)
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from custom_components.echonet_hems.lib.errors import ProtocolError, ValueRangeError

METER = 0x0288
# B.3: D3 = 00000001 (coefficient 1); E1 0x01 = 0.1 kWh is the usual unit of a 6-digit meter.
COEFFICIENTS = {0xD3: bytes.fromhex("00000001"), 0xE1: bytes.fromhex("01")}
# The B.3 E2 EDT: day 11 + 48 half-hour values 0xF766 … 0xF7B6.
E2_EDT = (
    "000B"
    "0000F7660000F7680000F76A0000F76C0000F76D0000F76F0000F7700000F7720000F7740000F7760000F7770000F779"
    "0000F77A0000F77C0000F77E0000F7800000F7810000F7830000F7840000F7860000F7880000F7890000F78B0000F78D"
    "0000F78E0000F7900000F7920000F7930000F7950000F7960000F7980000F79A0000F79C0000F79D0000F79F0000F7A0"
    "0000F7A20000F7A40000F7A60000F7A70000F7A90000F7AB0000F7AD0000F7AF0000F7B00000F7B20000F7B40000F7B6"
)


def decode(epc: int, edt: str, coefficients: dict[int, bytes] | None = None) -> Value:
    return property_spec(METER, epc).decode(bytes.fromhex(edt), coefficients)


@pytest.mark.parametrize(
    ("epc", "edt", "expected"),
    [
        pytest.param(0xE7, "00000278", 632, id="B.3-E7-632W"),
        pytest.param(0xE7, "0000029C", 668, id="M1-E7-668W"),
        pytest.param(0xE7, "000001F8", 504, id="M4-E7-504W"),
        pytest.param(0xE7, "FFFFF856", -1962, id="M5-E7-export"),
        pytest.param(0xE7, "7FFFFFFD", 2147483645, id="sentinel-E7-max-valid"),
        pytest.param(0xE7, "80000001", -2147483647, id="sentinel-E7-min-valid"),
        pytest.param(0xE7, "7FFFFFFE", None, id="sentinel-E7-not-measured"),
        pytest.param(0xE7, "7FFFFFFF", None, id="sentinel-E7-overflow"),
        pytest.param(0xE7, "80000000", None, id="sentinel-E7-underflow"),
        pytest.param(0xE8, "001E0032", {"r_phase": 3.0, "t_phase": 5.0}, id="B.3-E8"),
        pytest.param(0xE8, "00280028", {"r_phase": 4.0, "t_phase": 4.0}, id="M1-E8"),
        pytest.param(0xE8, "00140064", {"r_phase": 2.0, "t_phase": 10.0}, id="M9-E8"),
        pytest.param(0xE8, "00120034", {"r_phase": 1.8, "t_phase": 5.2}, id="sentinel-E8-1.8-5.2"),
        pytest.param(0xE8, "001E7FFE", {"r_phase": 3.0, "t_phase": None}, id="sentinel-E8-T-not-measured"),
        pytest.param(0xE8, "FFF67FFF", {"r_phase": -1.0, "t_phase": None}, id="E8-negative-and-overflow"),
        pytest.param(0xE8, "80007FFE", {"r_phase": None, "t_phase": None}, id="E8-underflow"),
        pytest.param(0xD3, "00000001", 1, id="B.3-D3"),
        pytest.param(0xD7, "06", 6, id="B.3-D7"),
        pytest.param(0xE1, "01", 0.1, id="E1-0.1"),
        pytest.param(0xE1, "0D", 10000.0, id="E1-10000"),
        pytest.param(0xE5, "01", 1, id="E5-day-1"),
        pytest.param(0xE5, "FF", None, id="E5-default"),
        pytest.param(0xC0, "00000016" + "00" * 12, bytes.fromhex("00000016" + "00" * 12), id="C0-route-b-id"),
    ],
)
def test_meter_values(epc: int, edt: str, expected: Value) -> None:
    assert decode(epc, edt) == expected


@pytest.mark.parametrize(
    ("epc", "edt", "coefficients", "expected"),
    [
        pytest.param(0xE0, "0000FE73", COEFFICIENTS, 6513.9, id="B.3-E0-65139-x0.1"),
        pytest.param(0xE0, "0000FE73", {0xE1: b"\x01"}, 6513.9, id="E0-missing-D3-means-1"),
        pytest.param(0xE0, "0000FE73", {0xD3: b"\x00\x00\x00\x01", 0xE1: b"\x00"}, 65139.0, id="E0-unit-1kWh"),
        pytest.param(0xE0, "FFFFFFFE", COEFFICIENTS, None, id="sentinel-E0-not-measured"),
        pytest.param(0xE0, "05F5E0FF", COEFFICIENTS, 9999999.9, id="E0-max-valid"),
        # D3 is a binary uint32 (MRA range 0..999999 = 0xF423F): 0x00010000 = 65536. With E1 0x04 (0.0001 kWh)
        # one count is 6.5536 kWh. (A Go reader reads those hex digits as decimal 10000 — not the MRA encoding.)
        pytest.param(0xE0, "00000001", {0xD3: bytes.fromhex("00010000"), 0xE1: b"\x04"}, 6.5536, id="D3-65536-E1-04"),
        pytest.param(0xE0, "00002710", {0xD3: bytes.fromhex("00002710"), 0xE1: b"\x04"}, 10000.0, id="D3-10000-E1-04"),
        pytest.param(0xE3, "00000016", COEFFICIENTS, 2.2, id="E3-reverse"),
    ],
)
def test_cumulative_energy_scaling(epc: int, edt: str, coefficients: dict[int, bytes], expected: float | None) -> None:
    assert decode(epc, edt, coefficients) == expected


def test_fixed_time_energy_b3_ea_eb_and_m3() -> None:
    assert decode(0xEA, "07EA05140E00000000FE68", COEFFICIENTS) == {
        "date_and_time": dt.datetime(2026, 5, 20, 14, 0, 0),  # noqa: DTZ001 - meter time is naive JST
        "electric_energy": 6512.8,
    }
    raw = property_spec(METER, 0xEA).decode(bytes.fromhex("07EA05140E00000000FE68"), scaled=False)
    assert raw == {"date_and_time": dt.datetime(2026, 5, 20, 14, 0, 0), "electric_energy": 65128}  # noqa: DTZ001
    assert decode(0xEB, "07EA0518161E0000000016", COEFFICIENTS) == {
        "date_and_time": dt.datetime(2026, 5, 24, 22, 30, 0),  # noqa: DTZ001
        "electric_energy": 2.2,
    }
    m3 = decode(0xEA, "07E606150F1E0000016CA7", {0xE1: b"\x02"})
    assert m3 == {"date_and_time": dt.datetime(2022, 6, 21, 15, 30), "electric_energy": 933.51}  # noqa: DTZ001
    not_measured = decode(0xEA, "FFFFFFFFFFFFFFFFFFFFFE", COEFFICIENTS)
    assert not_measured == {"date_and_time": None, "electric_energy": None}


def test_historical_e2_b3_vector() -> None:
    edt = bytes.fromhex(E2_EDT)
    assert len(edt) == 194
    decoded = property_spec(METER, 0xE2).decode(edt, COEFFICIENTS)
    assert isinstance(decoded, dict)
    assert decoded["day"] == 11
    values = decoded["electric_energy"]
    assert isinstance(values, tuple)
    assert len(values) == 48
    assert values[0] == 6333.4
    assert values[-1] == 6341.4
    raw = property_spec(METER, 0xE2).decode(edt, scaled=False)
    assert isinstance(raw, dict)
    assert raw["electric_energy"][:2] == (63334, 63336)


def test_historical_e2_missing_slots_and_default_day() -> None:
    edt = bytes.fromhex("00FF" + "FFFFFFFE" * 47 + "00000064")
    decoded = property_spec(METER, 0xE4).decode(edt, COEFFICIENTS)
    assert decoded == {"day": None, "electric_energy": (None,) * 47 + (10.0,)}


@pytest.mark.parametrize(
    "edt",
    [
        pytest.param(E2_EDT[:-2], id="E2-one-byte-short"),
        pytest.param(E2_EDT + "00", id="E2-one-byte-long"),
        pytest.param("0064" + E2_EDT[4:], id="E2-day-100"),
        pytest.param("000B" + "05F5E100" + E2_EDT[12:], id="E2-value-above-99999999"),
    ],
)
def test_historical_e2_malformed(edt: str) -> None:
    with pytest.raises(ProtocolError):
        property_spec(METER, 0xE2).decode(bytes.fromhex(edt), COEFFICIENTS)


def test_historical_ec_default_and_segments() -> None:
    # PROTOCOL.md §2.1: default EDT of EC.
    assert decode(0xEC, "FFFFFFFFFFFF01FFFFFFFEFFFFFFFE", COEFFICIENTS) == {
        "date_and_time": None,
        "number_of_collection_segments": 1,
        "electric_energy": ({"normal_direction_electric_energy": None, "reverse_direction_electric_energy": None},),
    }
    two = decode(0xEC, "07EA0514" + "0E1E" + "02" + "00000064000000010000006500000002", COEFFICIENTS)
    assert two == {
        "date_and_time": dt.datetime(2026, 5, 20, 14, 30),  # noqa: DTZ001
        "number_of_collection_segments": 2,
        "electric_energy": (
            {"normal_direction_electric_energy": 10.0, "reverse_direction_electric_energy": 0.1},
            {"normal_direction_electric_energy": 10.1, "reverse_direction_electric_energy": 0.2},
        ),
    }
    with pytest.raises(ProtocolError):  # says 2 segments, carries 1
        decode(0xEC, "07EA05140E1E02" + "0000006400000001", COEFFICIENTS)


def test_request_properties_ed_ef_encode() -> None:
    ed = property_spec(METER, 0xED)
    value: dict[str, Value] = {
        "date_and_time": dt.datetime(2026, 5, 20, 14, 30),  # noqa: DTZ001
        "number_of_collection_segments": 12,
    }
    assert ed.encode(value) == bytes.fromhex("07EA05140E1E0C")
    assert ed.decode(bytes.fromhex("FFFFFFFFFFFF01")) == {"date_and_time": None, "number_of_collection_segments": 1}
    with pytest.raises(ValueRangeError):
        property_spec(METER, 0xEF).encode({**value, "number_of_collection_segments": 11})
    with pytest.raises(ValueRangeError):  # 6-byte date-time carries no seconds
        ed.encode({**value, "date_and_time": dt.datetime(2026, 5, 20, 14, 30, 5)})  # noqa: DTZ001


def test_one_minute_d0() -> None:
    decoded = decode(0xD0, "07EA05140E2100" + "0000FE73" + "FFFFFFFE", COEFFICIENTS)
    assert decoded == {
        "date_and_time": dt.datetime(2026, 5, 20, 14, 33),  # noqa: DTZ001
        "normal_direction_electric_energy": 6513.9,
        "reverse_direction_electric_energy": None,
    }


@pytest.mark.parametrize(
    ("epc", "edt", "coefficients"),
    [
        pytest.param(0xE7, "000278", None, id="E7-short"),
        pytest.param(0xE7, "0000027800", None, id="E7-long"),
        pytest.param(0xE8, "001E", None, id="E8-short"),
        pytest.param(0xE0, "0000FE73", None, id="E0-without-E1"),
        pytest.param(0xE0, "0000FE73", {0xD3: b"\x00\x00\x00\x01"}, id="E0-without-E1-with-D3"),
        pytest.param(0xE0, "0000FE73", {0xE1: b"\x05"}, id="E0-undefined-unit"),
        pytest.param(0xE0, "0000FE73", {0xE1: b"\x01\x01"}, id="E0-unit-too-long"),
        pytest.param(0xE0, "0000FE73", {0xD3: b"\x00\x00\x00\x00", 0xE1: b"\x01"}, id="E0-zero-coefficient"),
        pytest.param(0xE0, "0000FE73", {0xD3: b"\xff\xff\xff\xff", 0xE1: b"\x01"}, id="E0-overflow-coefficient"),
        pytest.param(0xE0, "0000FE73", {0xD3: b"\x01", 0xE1: b"\x01"}, id="E0-short-coefficient"),
        pytest.param(0xE0, "FFFFFFFF", COEFFICIENTS, id="E0-no-overflow-codes"),
        pytest.param(0xEA, "07EA02300E00000000FE68", COEFFICIENTS, id="EA-30-february"),
        pytest.param(0xE5, "64", None, id="E5-100"),
        pytest.param(0xE1, "05", None, id="E1-undefined"),
        pytest.param(0xD7, "09", None, id="D7-9-digits"),
    ],
)
def test_malformed(epc: int, edt: str, coefficients: dict[int, bytes] | None) -> None:
    with pytest.raises(ProtocolError):
        decode(epc, edt, coefficients)


def test_encoders() -> None:
    e5 = property_spec(METER, 0xE5)
    assert e5.encode(1) == b"\x01"
    assert e5.encode(None) == b"\xff"
    assert e5.encode("default_value") == b"\xff"
    for bad in (100, -1, 1.5, "yesterday", True, b"\x01"):
        with pytest.raises(ValueRangeError):
            e5.encode(bad)
    e0 = property_spec(METER, 0xE0)
    assert e0.encode(6513.9, COEFFICIENTS) == bytes.fromhex("0000FE73")
    with pytest.raises(ValueRangeError):
        e0.encode(6513.95, COEFFICIENTS)  # not a multiple of 0.1 kWh
    with pytest.raises(ValueRangeError):
        e0.encode(1.0)  # no unit to scale with
    with pytest.raises(ValueRangeError):
        property_spec(METER, 0xE7).encode(2147483646)
    assert property_spec(METER, 0xE7).encode(-1962) == bytes.fromhex("FFFFF856")


@pytest.mark.parametrize(("digits", "modulus"), [(1, 10), (6, 1_000_000), (8, 100_000_000)])
def test_energy_wrap_modulus(digits: int, modulus: int) -> None:
    assert energy_wrap_modulus(digits) == modulus


@pytest.mark.parametrize("digits", [0, 9, -1, True])
def test_energy_wrap_modulus_rejects(digits: int) -> None:
    with pytest.raises(ValueRangeError):
        energy_wrap_modulus(digits)


@pytest.mark.parametrize(
    ("previous", "current", "digits", "increase"),
    [
        pytest.param(65128, 65139, 6, 11, id="B.3-EA-to-E0"),
        pytest.param(999_990, 5, 6, 15, id="wrap-across-10^6"),
        pytest.param(999_999, 0, 6, 1, id="wrap-to-zero"),
        pytest.param(42, 42, 6, 0, id="unchanged"),
        pytest.param(99_999_999, 1, 8, 2, id="wrap-across-10^8"),
    ],
)
def test_raw_energy_increase(previous: int, current: int, digits: int, increase: int) -> None:
    assert raw_energy_increase(previous, current, digits) == increase


@pytest.mark.parametrize(("previous", "current"), [(1_000_000, 0), (0, 1_000_000), (-1, 0), (0, 1.5)])
def test_raw_energy_increase_rejects_counts_outside_the_modulus(previous: int, current: int) -> None:
    with pytest.raises(ValueRangeError):
        raw_energy_increase(previous, current, 6)


def test_energy_multiplier_and_kwh() -> None:
    assert energy_multiplier(bytes.fromhex("00000001"), b"\x01") == Decimal("0.1")
    assert energy_multiplier(None, b"\x03") == Decimal("0.001")
    assert energy_multiplier(bytes.fromhex("00010000"), b"\x04") == Decimal("6.5536")
    assert raw_to_kwh(raw_energy_increase(999_990, 5, 6), energy_multiplier(None, b"\x01")) == 1.5
    with pytest.raises(ProtocolError):
        energy_multiplier(None, b"\x07")
