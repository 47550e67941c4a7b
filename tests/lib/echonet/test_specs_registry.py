"""The class-spec registry: every documented class and row is present, lookups follow releases and the super class."""

from __future__ import annotations

import re

import pytest

from custom_components.echonet_hems.lib.echonet.specs.model import Access, PropertySpec, appendix_release
from custom_components.echonet_hems.lib.echonet.specs.registry import (
    class_spec,
    class_specs,
    decode_property,
    describe,
    property_spec,
)
from custom_components.echonet_hems.lib.errors import ProtocolError, UnsupportedError

# Rows per class table in ECHONET_CLASSES.md (MRA V1.3.1), counted from the document; repeated EPCs count per row.
EXPECTED_ROWS = {
    0x0000: 30,
    0x0EF0: 19,
    0x0288: 18,
    0x0279: 32,
    0x027D: 69,
    0x027E: 60,
    0x02A1: 22,
    0x026B: 51,
    0x027C: 26,
    0x0287: 56,
    0x02A5: 11,
    0x0130: 49,
    0x0290: 24,
}
SNAKE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


def all_properties() -> list[PropertySpec]:
    return [prop for spec in class_specs() for prop in spec.properties]


def test_every_class_is_registered_with_every_row() -> None:
    assert {spec.class_id for spec in class_specs()} == set(EXPECTED_ROWS)
    for class_id, rows in EXPECTED_ROWS.items():
        assert len(class_spec(class_id).properties) == rows, f"0x{class_id:04X}"
    assert sum(EXPECTED_ROWS.values()) == 467


@pytest.mark.parametrize(
    ("class_id", "key"),
    [
        (0x0000, "common"),
        (0x0EF0, "node_profile"),
        (0x0288, "lv_smart_electric_energy_meter"),
        (0x0279, "pv_power_generation"),
        (0x027D, "storage_battery"),
        (0x027E, "ev_charger_discharger"),
        (0x02A1, "ev_charger"),
        (0x026B, "electric_water_heater"),
        (0x027C, "fuel_cell"),
        (0x0287, "power_distribution_board_metering"),
        (0x02A5, "multiple_input_pcs"),
        (0x0130, "home_air_conditioner"),
        (0x0290, "general_lighting"),
    ],
)
def test_class_keys(class_id: int, key: str) -> None:
    assert class_spec(class_id).key == key


def test_keys_are_snake_case_and_name_one_epc_per_class() -> None:
    for spec in class_specs():
        owners: dict[str, int] = {}
        for prop in spec.properties:
            assert SNAKE.fullmatch(prop.key), prop.key
            assert owners.setdefault(prop.key, prop.epc) == prop.epc, (spec.class_id, prop.key)
            assert prop.name_en
            assert prop.name_ja


def test_rows_of_one_epc_share_their_key_except_the_old_location_information() -> None:
    for spec in class_specs():
        for epc in spec.epcs:
            keys = {row.key for row in spec.rows(epc)}
            if (spec.class_id, epc) == (0x0000, 0x93):
                assert keys == {"location_information", "remote_control_setting"}
            else:
                assert len(keys) == 1, (spec.class_id, epc, keys)


def test_known_keys() -> None:
    assert property_spec(0x0288, 0xE7).key == "measured_instantaneous_electric_power"
    assert property_spec(0x0288, 0xE0).key == "measured_cumulative_amount_of_electric_energy_normal_direction"
    assert property_spec(0x026B, 0x90).key == "on_timer_reservation_setting"  # override: 0x91 has the same name
    assert property_spec(0x026B, 0x91).key == "on_timer_setting"
    assert property_spec(0x027E, 0xEA).key == "discharging_amount_setting"  # override: 0xEC has the same name
    assert property_spec(0x027E, 0xEC).key == "discharging_electric_energy_setting"
    assert property_spec(0x0000, 0x86).key == "manufacturers_fault_code"


def test_unknown_class_and_epc() -> None:
    with pytest.raises(UnsupportedError):
        class_spec(0x0272)
    with pytest.raises(UnsupportedError):
        property_spec(0x0272, 0x80)
    with pytest.raises(UnsupportedError):
        property_spec(0x0288, 0xF0)
    with pytest.raises(UnsupportedError):
        decode_property(0x0288, 0x01, b"\x00")


def test_device_classes_fall_back_to_the_super_class() -> None:
    prop = property_spec(0x0288, 0x80)
    assert prop.key == "operation_status"
    assert prop is class_spec(0x0000).find(0x80)
    assert property_spec(0x0288, 0x8D).key == "production_number"
    # The node profile's table is complete: no super-class 0x84 there.
    with pytest.raises(UnsupportedError):
        property_spec(0x0EF0, 0x84)
    assert property_spec(0x0EF0, 0x80).key == "operating_status"


def test_release_selection() -> None:
    latest = property_spec(0x027D, 0xDA)
    assert (latest.release_from, latest.release_to) == ("H", None)
    assert property_spec(0x027D, 0xDA, "a").release_to == "A"
    assert property_spec(0x027D, 0xDA, "E").release_from == "D"
    assert property_spec(0x0000, 0x93, "B").key == "location_information"
    assert property_spec(0x0000, 0x93, "C").key == "remote_control_setting"
    # 0x0279 0x89 is a class row from R only; before that the super-class row applies.
    assert property_spec(0x0279, 0x89, "J") is class_spec(0x0000).find(0x89)
    assert property_spec(0x0279, 0x89, "R") is class_spec(0x0279).find(0x89)
    # An EPC of a later release on an older device: the latest definition is the best guess.
    assert property_spec(0x0288, 0xC0, "F").release_from == "R"
    assert property_spec(0x0EF0, 0xD6, "Z").release_from == "A"
    with pytest.raises(ValueError, match="release"):
        property_spec(0x0288, 0xE7, "F1")
    with pytest.raises(ValueError, match="release"):
        class_spec(0x0288).find(0xE7, "")


def test_release_dependent_decoding() -> None:
    # 0x027D 0xDA: "Automatic" (0x46) exists from release D on.
    with pytest.raises(ProtocolError):
        decode_property(0x027D, 0xDA, b"\x46", release="C")
    assert decode_property(0x027D, 0xDA, b"\x46", release="D") == "automatic"
    # 0x0290 0xB1 gained 0xFD "Undefined" in release N (a plain state: decodes to its key).
    with pytest.raises(ProtocolError):
        decode_property(0x0290, 0xB1, b"\xfd", release="B")
    assert decode_property(0x0290, 0xB1, b"\xfd") == "undefined"


def test_describe_never_raises() -> None:
    assert describe(0x0288, 0xE7) is property_spec(0x0288, 0xE7)
    assert describe(0x0288, 0xF0) is None
    assert describe(0x0EF0, 0x84) is None
    assert describe(0x0288, 0xE7, "not a release") is property_spec(0x0288, 0xE7)
    # An unmodelled device class still gets the super class (S6: instantaneous water heater 0x0272, 80=30).
    prop = describe(0x0272, 0x80)
    assert prop is not None
    assert prop.decode(b"\x30") == "on"
    assert describe(0x0272, 0xD1) is None
    # Unmodelled profile / user-defined classes get nothing.
    assert describe(0x0EF1, 0x80) is None
    assert describe(0x0F20, 0x80) is None


def test_access_rules() -> None:
    e5 = property_spec(0x0288, 0xE5)
    assert (e5.get, e5.set, e5.inf) == (Access.REQUIRED, Access.REQUIRED, Access.OPTIONAL)
    reset = property_spec(0x0279, 0xE2)
    assert reset.get is Access.NOT_APPLICABLE
    assert not reset.get.supported
    assert reset.set.supported
    assert property_spec(0x026B, 0xE3).get is Access.REQUIRED_O
    assert property_spec(0x0288, 0xE3).get is Access.REQUIRED_C


def test_coefficients_are_attached() -> None:
    meter_epcs = {0xD0, 0xE0, 0xE2, 0xE3, 0xE4, 0xEA, 0xEB, 0xEC, 0xEE}
    for prop in class_spec(0x0288).properties:
        assert prop.coefficient_epcs == ((0xD3, 0xE1) if prop.epc in meter_epcs else ()), hex(prop.epc)
    board_epcs = {0xB3, 0xBA, 0xC0, 0xC1, 0xC3, 0xC4, *range(0xD0, 0xF0)}
    for prop in class_spec(0x0287).properties:
        assert prop.coefficient_epcs == ((0xC2,) if prop.epc in board_epcs else ()), hex(prop.epc)


@pytest.mark.parametrize(
    ("edt", "release"),
    [
        ("00004600", "F"),  # VECTORS.md B.3: the real meter's 0x82
        ("00004A00", "J"),  # VECTORS.md A8: Daikin AC 0x82
        ("00005200", "R"),
        ("010C0100", None),  # VECTORS.md A9 is the node profile's version, not a release
        ("000046", None),
    ],
)
def test_appendix_release(edt: str, release: str | None) -> None:
    assert appendix_release(bytes.fromhex(edt)) == release


def test_rows_have_notes_where_the_document_has_them() -> None:
    assert "Atomic operation with EPC=0xCD" in property_spec(0x02A1, 0xC7).note
    assert property_spec(0x0288, 0xE7).note == ""
    assert sum(1 for prop in all_properties() if prop.note) > 50
