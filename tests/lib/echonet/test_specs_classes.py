"""Decoder and encoder tables of the device classes and the profiles (the meter and the board have their own files).

Vector ids refer to ../shared/docs/VECTORS.md.
"""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from custom_components.echonet_hems.lib.errors import ProtocolError, ValueRangeError

SUPER, NODE, PV, BATTERY, EVCD, EV, HEATER, FUEL_CELL, PCS, AC, LIGHT = (
    0x0000,
    0x0EF0,
    0x0279,
    0x027D,
    0x027E,
    0x02A1,
    0x026B,
    0x027C,
    0x02A5,
    0x0130,
    0x0290,
)


def d(class_id: int, epc: int, edt: str, release: str | None = None) -> Value:
    return property_spec(class_id, epc, release).decode(bytes.fromhex(edt))


@pytest.mark.parametrize(
    ("class_id", "epc", "edt", "expected"),
    [
        # Super class, with the real meter's values (B.3) and the Daikin AC's (A8).
        pytest.param(SUPER, 0x80, "30", "on", id="B.3-80-on"),
        pytest.param(SUPER, 0x80, "31", "off", id="A8-80-off"),
        pytest.param(SUPER, 0x81, "61", b"\x61", id="B.3-81-garden-1"),
        pytest.param(SUPER, 0x81, "01" + "00" * 16, bytes.fromhex("01" + "00" * 16), id="81-17-bytes"),
        pytest.param(SUPER, 0x82, "00004600", bytes.fromhex("00004600"), id="B.3-82-release-F"),
        pytest.param(SUPER, 0x84, "0064", 100, id="A8-84-100W"),
        pytest.param(SUPER, 0x85, "000823FC", 533.5, id="A8-85-533.5kWh"),
        pytest.param(SUPER, 0x88, "42", "no_fault_has_occurred", id="B.3-88"),
        pytest.param(SUPER, 0x89, "0000", "no_fault", id="A8-89"),
        pytest.param(SUPER, 0x89, "000B", "abnormal_event_or_safety_device_tripped", id="89-range-code"),
        pytest.param(SUPER, 0x89, "0001", "recoverable_by_power_cycle", id="89-recoverable"),
        pytest.param(SUPER, 0x8A, "000016", bytes.fromhex("000016"), id="B.3-8A"),
        pytest.param(SUPER, 0x8D, "463234473336363530350000", b"F24G366505\x00\x00", id="B.3-8D"),
        pytest.param(SUPER, 0x97, "0E1A", dt.time(14, 26), id="B.3-97"),
        pytest.param(SUPER, 0x97, "FFFF", None, id="97-not-set"),
        pytest.param(SUPER, 0x98, "07EA0514", dt.date(2026, 5, 20), id="B.3-98"),
        pytest.param(SUPER, 0x98, "FFFFFFFF", None, id="98-not-set"),
        pytest.param(SUPER, 0x9A, "4300000010", {"unit": "hour", "time": 16}, id="9A"),
        pytest.param(SUPER, 0x9A, "44FFFFFFFF", {"unit": "day", "time": 4294967295}, id="9A-full-range"),
        pytest.param(SUPER, 0x9F, "0381E5ED", bytes.fromhex("0381E5ED"), id="PM3-9F-raw"),
        # Node profile (A4, A6, A8).
        pytest.param(NODE, 0x80, "30", "booting", id="node-80"),
        pytest.param(NODE, 0x89, "0000", 0, id="A8-node-89"),
        pytest.param(NODE, 0x89, "FFFF", None, id="node-89-overflow"),
        pytest.param(NODE, 0xD3, "000001", 1, id="A8-D3-3-byte-integer"),
        pytest.param(NODE, 0xD4, "0002", 2, id="A8-D4"),
        pytest.param(
            NODE,
            0xD6,
            "020F2001029101",
            {"number_of_instances": 2, "instance_list": (b"\x0f\x20\x01", b"\x02\x91\x01")},
            id="A4-D6",
        ),
        pytest.param(
            NODE,
            0xD6,
            "020287010F8701",
            {"number_of_instances": 2, "instance_list": (b"\x02\x87\x01", b"\x0f\x87\x01")},
            id="A6-D6",
        ),
        pytest.param(NODE, 0xD6, "00", {"number_of_instances": 0, "instance_list": ()}, id="D6-empty"),
        pytest.param(
            NODE, 0xD5, "01028801", {"number_of_instances": 1, "instance_list": (b"\x02\x88\x01",)}, id="B.1-D5"
        ),
        pytest.param(NODE, 0xD7, "010130", {"number_of_classes": 1, "class_list": (b"\x01\x30",)}, id="A8-D7"),
        # Household solar power.
        pytest.param(PV, 0xE0, "0BB8", 3000, id="pv-E0"),
        pytest.param(PV, 0xE1, "000003E8", 1.0, id="pv-E1-x0.001"),
        pytest.param(PV, 0xE1, "3B9AC9FF", 999999.999, id="pv-E1-max"),
        pytest.param(PV, 0xE1, "FFFFFFFF", None, id="pv-E1-overflow"),
        pytest.param(PV, 0xE8, "FFFF", None, id="pv-E8-no-setting"),
        pytest.param(PV, 0xE8, "1194", 4500, id="pv-E8"),
        pytest.param(PV, 0xD0, "03", "unknown", id="pv-D0-K+"),
        pytest.param(PV, 0xD1, "44", "not_restraining", id="pv-D1"),
        pytest.param(PV, 0xB1, "FFFFFFFFFFFFFF", None, id="pv-B1-not-applicable"),
        pytest.param(PV, 0xB1, "07EA05140E0000", dt.datetime(2026, 5, 20, 14), id="pv-B1"),  # noqa: DTZ001
        pytest.param(
            PV,
            0xB0,
            "FFFFFFFF" + "64" * 95 + "FF",
            {"date": None, "power_control_ratio": (100,) * 95 + (None,)},
            id="pv-B0",
        ),
        # Storage battery (S1, S2, S4).
        pytest.param(BATTERY, 0xA0, "000023C7", 9159, id="S2-A0"),
        pytest.param(BATTERY, 0xA1, "00002092", 8338, id="S2-A1"),
        pytest.param(BATTERY, 0xE2, "0000221B", 8731, id="S2-E2"),
        pytest.param(BATTERY, 0xE4, "64", 100, id="S2-E4"),
        pytest.param(BATTERY, 0xE4, "09", 9, id="S1-E4"),
        pytest.param(BATTERY, 0xE5, "63", 99, id="S2-E5"),
        pytest.param(BATTERY, 0xE6, "04", "lithium_ion", id="S2-E6"),
        pytest.param(BATTERY, 0xA8, "001989D7", 1673.687, id="S2-A8-kWh"),
        pytest.param(BATTERY, 0xA9, "001609B4", 1444.276, id="S2-A9-kWh"),
        pytest.param(BATTERY, 0xCF, "44", "standby", id="S2-CF-standby"),
        pytest.param(BATTERY, 0xCF, "43", "discharging", id="S4-CF-discharging"),
        pytest.param(BATTERY, 0xCF, "49", "effective_capacity_recalculation_processing", id="CF-49"),
        pytest.param(BATTERY, 0xD3, "00000000", 0, id="S1-D3"),
        pytest.param(BATTERY, 0xD3, "FFFFFC18", -1000, id="D3-discharging"),
        pytest.param(BATTERY, 0xD4, "FF9C", -10.0, id="D4-current"),
        pytest.param(BATTERY, 0xDA, "41", "rapid_charging", id="DA-41"),
        pytest.param(BATTERY, 0xDA, "46", "automatic", id="DA-46"),
        pytest.param(BATTERY, 0xDA, "40", "other", id="DA-40"),
        pytest.param(BATTERY, 0xAA, "00000000", None, id="AA-no-setting"),
        pytest.param(BATTERY, 0xAA, "000003E8", 1000, id="AA"),
        pytest.param(BATTERY, 0xE0, "000003E8", 1000, id="E0-charge"),
        pytest.param(BATTERY, 0xE0, "FFFFFC18", -1000, id="E0-discharge"),
        pytest.param(BATTERY, 0xE1, "FF9C", -10.0, id="E1-discharge-Ah"),
        pytest.param(
            BATTERY, 0xC8, "000003E8000007D0", {"min_value": 1000, "max_value": 2000}, id="battery-C8-min-max"
        ),
        # EV charger/discharger and EV charger.
        pytest.param(EVCD, 0xC7, "FF", "undefined", id="evcd-C7-undefined-state"),
        pytest.param(EVCD, 0xC7, "44", "unknown_of_chargeability", id="evcd-C7-J+"),
        pytest.param(EVCD, 0xDA, "49", "automatic", id="evcd-DA-P+"),
        pytest.param(EVCD, 0xE0, "FFFFFFFF", -1, id="evcd-E0"),
        pytest.param(EVCD, 0xE6, "03414243", {"data_size": 3, "id": b"ABC"}, id="evcd-E6"),
        pytest.param(EVCD, 0xE6, "00", {"data_size": 0, "id": b""}, id="evcd-E6-empty"),
        pytest.param(EV, 0xC7, "41", "chargeable", id="ev-C7"),
        pytest.param(EV, 0xCC, "10", "ac_no_communication", id="ev-CC-R"),
        pytest.param(EV, 0xD3, "00000BB8", 3000, id="ev-D3-uint32"),
        # Electric water heater.
        pytest.param(HEATER, 0xB0, "41", "automatic_water_heating_function_used", id="heater-B0-auto"),
        pytest.param(HEATER, 0xB0, "42", "non_automatic_water_heating_function_used", id="heater-B0-manual"),
        pytest.param(HEATER, 0xB0, "43", "non_automatic_water_heating_function_stopped", id="heater-B0-stop"),
        pytest.param(HEATER, 0xB3, "FD", None, id="heater-B3-undefined"),
        pytest.param(HEATER, 0xB3, "41", 65, id="heater-B3"),
        pytest.param(HEATER, 0xB4, "FD", "no_time_limit", id="heater-B4-no-limit"),
        pytest.param(HEATER, 0xB4, "03", 3, id="heater-B4"),
        pytest.param(HEATER, 0xC0, "41", "daytime_reheating_permitted", id="heater-C0"),
        pytest.param(HEATER, 0xC0, "42", "daytime_reheating_not_permitted", id="heater-C0-not"),
        pytest.param(
            HEATER, 0xC2, "02000000", {"no_hot_water": "no_alarm", "leaking": "alarm", "freezing": "no_alarm"}, id="C2"
        ),
        pytest.param(HEATER, 0xC7, "01", "participation", id="heater-C7"),
        pytest.param(HEATER, 0xC7, "00", "non_participation", id="heater-C7-not"),
        pytest.param(HEATER, 0xC8, "14", 20, id="heater-C8-20h"),
        pytest.param(HEATER, 0xC8, "01", 1, id="heater-C8-1h"),
        pytest.param(HEATER, 0xC9, "02", 2, id="heater-C9"),
        pytest.param(HEATER, 0xCA, "09", "09_00", id="heater-CA-09"),
        pytest.param(HEATER, 0xCA, "11", "17_00", id="heater-CA-17"),
        pytest.param(HEATER, 0xCA, "00", None, id="heater-CA-cleared"),
        pytest.param(
            HEATER,
            0xCB,
            "000003E8000007D0FFFFFFFE00000000",
            {"at1000": 1000, "at1300": 2000, "at1500": None, "at1700": 0},
            id="heater-CB",
        ),
        pytest.param(HEATER, 0xCD, "0A", "10_00", id="heater-CD"),
        pytest.param(HEATER, 0xCF, "00640064FFFF", {"at1300": 100, "at1500": 100, "at1700": None}, id="heater-CF"),
        pytest.param(HEATER, 0xE1, "0096", 150, id="heater-E1-L"),
        pytest.param(HEATER, 0xE8, "33", 3, id="heater-E8-level"),
        pytest.param(HEATER, 0xEA, "43", "keeping_temperature", id="heater-EA"),
        # Fuel cell.
        pytest.param(FUEL_CELL, 0xC4, "02BC", 700, id="fc-C4"),
        pytest.param(FUEL_CELL, 0xC7, "03E8", 1.0, id="fc-C7-m3-per-h"),
        pytest.param(FUEL_CELL, 0xC8, "000F4240", 1000.0, id="fc-C8-m3"),
        pytest.param(FUEL_CELL, 0xCB, "45", "idling", id="fc-CB"),
        pytest.param(FUEL_CELL, 0xD1, "FFFFFFFF", None, id="fc-D1-undefined"),
        pytest.param(FUEL_CELL, 0xD1, "0A001200", {"start_time": dt.time(10), "end_time": dt.time(18)}, id="fc-D1"),
        # Multiple-input PCS.
        pytest.param(PCS, 0x80, "30", "on", id="pcs-80"),
        pytest.param(PCS, 0xE7, "FFFFF830", -2000, id="pcs-E7"),
        pytest.param(PCS, 0xE7, "7FFFFFFF", None, id="pcs-E7-overflow"),
        pytest.param(
            PCS,
            0xE8,
            "02027D01027901",
            {
                "number_of_connected_device_objects": 2,
                "connected_device_object_list": (b"\x02\x7d\x01", b"\x02\x79\x01"),
            },
            id="pcs-E8",
        ),
        # Home air conditioner.
        pytest.param(AC, 0x80, "30", "on", id="ac-80"),
        pytest.param(AC, 0xB0, "42", "cooling", id="ac-B0-cool"),
        pytest.param(AC, 0xB0, "45", "air_circulation", id="ac-B0-fan"),
        pytest.param(AC, 0xB0, "40", "other", id="ac-B0-other"),
        pytest.param(AC, 0xB3, "19", 25, id="ac-B3"),
        pytest.param(AC, 0xB3, "FD", None, id="ac-B3-undefined"),
        pytest.param(AC, 0xB3, "FF", None, id="ac-B3-overflow"),
        pytest.param(AC, 0xBB, "1A", 26, id="ac-BB"),
        pytest.param(AC, 0xBB, "F6", -10, id="ac-BB-negative"),
        pytest.param(AC, 0xBB, "7E", None, id="ac-BB-unmeasurable"),
        pytest.param(AC, 0xBB, "7F", None, id="ac-BB-overflow"),
        pytest.param(AC, 0xBB, "80", None, id="ac-BB-underflow"),
        pytest.param(AC, 0xBB, "81", -127, id="ac-BB-min"),
        pytest.param(AC, 0xBA, "FD", None, id="ac-BA-unmeasurable"),
        pytest.param(AC, 0xBF, "EC", -2.0, id="ac-BF-relative"),
        pytest.param(AC, 0xA0, "41", "automatic", id="ac-A0-auto"),
        pytest.param(AC, 0xA0, "31", 1, id="ac-A0-level-1"),
        pytest.param(AC, 0xA0, "38", 8, id="ac-A0-level-8"),
        pytest.param(AC, 0xA3, "31", "off", id="ac-A3"),
        pytest.param(AC, 0xA5, "5D", "lc_c_r", id="ac-A5"),
        pytest.param(AC, 0xA5, "6F", "l_lc_c_rc_r", id="ac-A5-all"),
        pytest.param(
            AC,
            0xB8,
            "03E8FFFE04B0FFFE",
            {"cooling": 1000, "heating": None, "dehumidifying": 1200, "circulation": None},
            id="ac-B8",
        ),
        pytest.param(AC, 0xCD, "03", {"compressor": "in_operation", "thermostat": "on"}, id="ac-CD-bitmap"),
        pytest.param(
            AC,
            0xC7,
            "1B00000000000000",
            {
                "level_of_electronic": 4,
                "mode_of_electronic": "on",
                "auto_of_electronic": "automatic",
                "level_of_cluster_ion": 1,
                "mode_of_cluster_ion": "off",
                "auto_of_cluster_ion": "non_automatic",
            },
            id="ac-C7-bitmap-levels",
        ),
        # General lighting.
        pytest.param(LIGHT, 0x80, "31", "off", id="light-80"),
        pytest.param(LIGHT, 0xB0, "64", 100, id="light-B0"),
        pytest.param(LIGHT, 0xB6, "41", "auto", id="light-B6-auto"),
        pytest.param(LIGHT, 0xB6, "42", "main_lighting", id="light-B6-main"),
        pytest.param(LIGHT, 0xB6, "43", "night_lighting", id="light-B6-night"),
        pytest.param(LIGHT, 0xB6, "45", "color_lighting", id="light-B6-color"),
        pytest.param(LIGHT, 0xB4, "0A00", {"light_level": 10, "color": None}, id="light-B4"),
        pytest.param(LIGHT, 0xBF, "44", "off", id="light-BF"),
        pytest.param(LIGHT, 0xC0, "FF8000", {"red": 255, "green": 128, "blue": 0}, id="light-C0"),
        pytest.param(LIGHT, 0x91, "1530", dt.time(21, 48), id="light-91"),
    ],
)
def test_decode(class_id: int, epc: int, edt: str, expected: Value) -> None:
    assert d(class_id, epc, edt) == expected


@pytest.mark.parametrize(
    ("class_id", "epc", "edt"),
    [
        pytest.param(SUPER, 0x80, "32", id="80-undefined-code"),
        pytest.param(SUPER, 0x80, "", id="80-empty"),
        pytest.param(SUPER, 0x80, "3030", id="80-long"),
        pytest.param(SUPER, 0x81, "0102", id="81-2-bytes"),
        pytest.param(SUPER, 0x89, "0008", id="89-undefined-code"),
        pytest.param(SUPER, 0x97, "1800", id="97-24h"),
        pytest.param(SUPER, 0x98, "07EA0D01", id="98-month-13"),
        pytest.param(SUPER, 0x9A, "45000000", id="9A-short"),
        pytest.param(NODE, 0xD6, "02013001", id="D6-count-2-one-eoj"),
        pytest.param(NODE, 0xD6, "0101300101", id="D6-trailing-byte"),
        pytest.param(NODE, 0xD6, "55" + "013001" * 85, id="D6-85-instances"),
        pytest.param(NODE, 0xD7, "00", id="D7-zero-classes"),
        pytest.param(BATTERY, 0xE4, "65", id="E4-101%"),
        pytest.param(BATTERY, 0xDA, "47", id="DA-47"),
        pytest.param(BATTERY, 0xE0, "00000000", id="E0-zero-is-neither"),
        pytest.param(EVCD, 0xE6, "05414243", id="E6-size-past-end"),
        pytest.param(EVCD, 0xE6, "19" + "41" * 25, id="E6-25-bytes"),
        pytest.param(HEATER, 0xC8, "02", id="C8-2h"),
        pytest.param(HEATER, 0xCA, "12", id="CA-18h"),
        pytest.param(HEATER, 0xCD, "09", id="CD-09h"),
        pytest.param(AC, 0xA0, "39", id="A0-level-9"),
        pytest.param(AC, 0xB3, "33", id="B3-51"),
        pytest.param(AC, 0xC7, "0000", id="C7-short"),
        pytest.param(LIGHT, 0xB6, "44", id="B6-44"),
        pytest.param(PCS, 0xE8, "00", id="pcs-E8-no-device"),
        pytest.param(PCS, 0xE7, "7FFFFFFE", id="pcs-E7-has-no-not-measured-code"),
        pytest.param(EV, 0xD8, "FFFFFFFF", id="ev-D8-overflow-codes-disabled"),
        pytest.param(FUEL_CELL, 0xD1, "1900FFFF", id="fc-D1-25h"),
    ],
)
def test_decode_malformed(class_id: int, epc: int, edt: str) -> None:
    with pytest.raises(ProtocolError):
        d(class_id, epc, edt)


@pytest.mark.parametrize(
    ("class_id", "epc", "value", "edt"),
    [
        pytest.param(SUPER, 0x80, "on", "30", id="80-key"),
        pytest.param(SUPER, 0x80, 0x31, "31", id="80-code"),
        pytest.param(SUPER, 0x81, b"\x61", "61", id="81-raw"),
        pytest.param(SUPER, 0x97, dt.time(14, 26, 59), "0E1A", id="97-seconds-dropped"),
        pytest.param(SUPER, 0x97, None, "FFFF", id="97-not-set"),
        pytest.param(SUPER, 0x98, dt.date(2026, 5, 20), "07EA0514", id="98"),
        pytest.param(SUPER, 0x98, None, "FFFFFFFF", id="98-not-set"),
        pytest.param(SUPER, 0x98, dt.datetime(2026, 5, 19, 16, tzinfo=dt.UTC), "07EA0514", id="98-aware-to-JST"),
        pytest.param(SUPER, 0x89, "abnormal_event_or_safety_device_tripped", "000A", id="89-range-key"),
        pytest.param(SUPER, 0x89, 0x0010, "0010", id="89-range-code"),
        pytest.param(HEATER, 0xB0, "automatic_water_heating_function_used", "41", id="heater-B0"),
        pytest.param(HEATER, 0xC0, "daytime_reheating_not_permitted", "42", id="heater-C0"),
        pytest.param(HEATER, 0xC7, "participation", "01", id="heater-C7"),
        pytest.param(HEATER, 0xCA, "13_00", "0D", id="heater-CA"),
        pytest.param(HEATER, 0xCA, None, "00", id="heater-CA-clear"),
        pytest.param(HEATER, 0xB3, 60, "3C", id="heater-B3"),
        pytest.param(HEATER, 0xB4, "no_time_limit", "FD", id="heater-B4"),
        pytest.param(HEATER, 0xE8, 8, "38", id="heater-E8-level"),
        pytest.param(
            HEATER,
            0xD9,
            {"month": 5, "day": 20, "hour": 8, "surplus_energy_prediction_value": (None, *(100.0,) * 23)},
            "051408" + "8000" + "000A" * 23,
            id="heater-D9",
        ),
        pytest.param(BATTERY, 0xDA, "discharging", "43", id="battery-DA"),
        pytest.param(BATTERY, 0xAA, None, "00000000", id="battery-AA-no-setting"),
        pytest.param(BATTERY, 0xAA, 5000, "00001388", id="battery-AA"),
        pytest.param(BATTERY, 0xE0, -1000, "FFFFFC18", id="battery-E0-discharge"),
        pytest.param(BATTERY, 0xE1, 2.5, "0019", id="battery-E1-Ah"),
        pytest.param(BATTERY, 0xED, 12.3, "007B", id="battery-ED-A"),
        pytest.param(EVCD, 0xE0, -999999999, "C4653601", id="evcd-E0-min"),
        pytest.param(AC, 0xB0, "heating", "43", id="ac-B0"),
        pytest.param(AC, 0xB3, 25, "19", id="ac-B3"),
        pytest.param(AC, 0xB3, None, "FD", id="ac-B3-undefined"),
        pytest.param(AC, 0xA0, "automatic", "41", id="ac-A0-auto"),
        pytest.param(AC, 0xA0, 3, "33", id="ac-A0-level"),
        pytest.param(AC, 0xBF, -1.5, "F1", id="ac-BF"),
        pytest.param(
            AC,
            0xC9,
            {"level_of_minus_ion": 2, "mode_of_minus_ion": "on", "auto_of_cluster_ion": "automatic"},
            "0910000000000000",
            id="ac-C9-bitmap",
        ),
        pytest.param(LIGHT, 0xB6, "night_lighting", "43", id="light-B6"),
        pytest.param(LIGHT, 0xB0, 55, "37", id="light-B0"),
        pytest.param(LIGHT, 0xC0, {"red": 1, "green": 2, "blue": 3}, "010203", id="light-C0"),
        pytest.param(LIGHT, 0x91, dt.time(6, 30), "061E", id="light-91"),
        pytest.param(FUEL_CELL, 0xD1, {"start_time": dt.time(10), "end_time": dt.time(18)}, "0A001200", id="fc-D1"),
        pytest.param(FUEL_CELL, 0xD1, None, "FFFFFFFF", id="fc-D1-undefined"),
        pytest.param(NODE, 0xD3, 3, "000003", id="node-D3"),
        pytest.param(
            NODE,
            0xD6,
            {"number_of_instances": 1, "instance_list": (b"\x01\x30\x01",)},
            "01013001",
            id="node-D6",
        ),
        pytest.param(EVCD, 0xE6, {"data_size": 2, "id": b"AB"}, "024142", id="evcd-E6"),
    ],
)
def test_encode(class_id: int, epc: int, value: Value, edt: str) -> None:
    spec = property_spec(class_id, epc)
    assert spec.encode(value) == bytes.fromhex(edt)


@pytest.mark.parametrize(
    ("class_id", "epc", "value"),
    [
        pytest.param(SUPER, 0x80, "standby", id="80-unknown-key"),
        pytest.param(SUPER, 0x80, 0x32, id="80-undefined-code"),
        pytest.param(SUPER, 0x80, True, id="80-bool"),
        pytest.param(SUPER, 0x80, None, id="80-no-sentinel"),
        pytest.param(SUPER, 0x81, b"\x01\x02", id="81-2-bytes"),
        pytest.param(SUPER, 0x81, "living", id="81-str"),
        pytest.param(SUPER, 0x97, "14:26", id="97-str"),
        pytest.param(SUPER, 0x98, dt.time(1, 2), id="98-time"),
        pytest.param(SUPER, 0x87, 101, id="87-101%"),
        pytest.param(SUPER, 0x99, 65534, id="99-65534W"),
        pytest.param(SUPER, 0x99, float("nan"), id="99-nan"),
        pytest.param(SUPER, 0x99, float("inf"), id="99-inf"),
        pytest.param(HEATER, 0xB3, 101, id="heater-B3-101"),
        pytest.param(HEATER, 0xC7, 2, id="heater-C7-2"),
        pytest.param(HEATER, 0xCA, 0x08, id="heater-CA-08h"),
        pytest.param(HEATER, 0xCA, "18_00", id="heater-CA-18h"),
        pytest.param(HEATER, 0xC8, 2, id="heater-C8-2h"),
        pytest.param(HEATER, 0xE8, 9, id="heater-E8-level-9"),
        pytest.param(HEATER, 0xE8, 0, id="heater-E8-level-0"),
        pytest.param(BATTERY, 0xAA, 0, id="battery-AA-0-is-not-a-sentinel"),
        pytest.param(BATTERY, 0xAA, 1_000_000_000, id="battery-AA-too-big"),
        pytest.param(BATTERY, 0xE0, 0, id="battery-E0-zero"),
        pytest.param(BATTERY, 0xE1, 2.55, id="battery-E1-not-a-step"),
        pytest.param(AC, 0xB3, 51, id="ac-B3-51"),
        pytest.param(AC, 0xB3, -1, id="ac-B3-negative"),
        pytest.param(AC, 0xB3, "25", id="ac-B3-str"),
        pytest.param(AC, 0xA0, 9, id="ac-A0-level-9"),
        pytest.param(AC, 0xC9, {"level_of_minus_ion": 9}, id="ac-C9-level-9"),
        pytest.param(AC, 0xC9, {"nonsense": 1}, id="ac-C9-unknown-field"),
        pytest.param(AC, 0xC9, [1, 2], id="ac-C9-not-a-mapping"),
        pytest.param(LIGHT, 0xB0, 101, id="light-B0-101"),
        pytest.param(LIGHT, 0xC0, {"red": 256, "green": 0, "blue": 0}, id="light-C0-256"),
        pytest.param(LIGHT, 0xC0, {"red": 1, "green": 2}, id="light-C0-missing-field"),
        pytest.param(LIGHT, 0xC0, (1, 2, 3), id="light-C0-tuple"),
        pytest.param(NODE, 0xD6, {"number_of_instances": 2, "instance_list": (b"\x01\x30\x01",)}, id="D6-count"),
        pytest.param(NODE, 0xD6, {"number_of_instances": 1, "instance_list": b"\x01\x30\x01"}, id="D6-bytes"),
        pytest.param(EVCD, 0xE6, {"data_size": 3, "id": b"AB"}, id="E6-size"),
    ],
)
def test_encode_rejects(class_id: int, epc: int, value: Value) -> None:
    with pytest.raises(ValueRangeError):
        property_spec(class_id, epc).encode(value)


def test_encode_decode_round_trip_of_the_node_profile_map_rows() -> None:
    spec = property_spec(NODE, 0x9F)
    edt = bytes.fromhex("0D808283898A9D9E9FBFD3D4D6D7")  # A8 / PM5
    assert spec.encode(spec.decode(edt)) == edt
