"""Generate the typed ECHONET Lite class specifications from ECHONET_CLASSES.md.

Usage: python scripts/generate_class_specs.py [path/to/ECHONET_CLASSES.md] [--check]

The document's tables (rendered from the ECHONET Machine Readable Appendix) are parsed row by row; each row's "Data"
column is a small type language (`uint16 0..65533 W`, `state[1B] {0x30=ON; 0x31=OFF}`, `{a:type, b:type}`, ...). The
script builds the dataclass instances of `lib/echonet/specs/datatypes.py` / `model.py` and writes them as Python modules
(`lib/echonet/specs/classes_*.py`), formatted with ruff. `--check` only verifies the committed modules are current.

Keys are derived mechanically (snake_case of the English name / label); the override tables below are the only manual
choices, each with its reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, fields, is_dataclass, replace
from decimal import Decimal
from enum import Enum
from itertools import pairwise
from pathlib import Path
import re
import subprocess
import sys
import tempfile

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from custom_components.echonet_hems.lib.echonet.specs.composites import (  # noqa: E402
    ArrayType,
    BitField,
    BitmapType,
    Field,
    ObjectType,
    OneOfType,
)
from custom_components.echonet_hems.lib.echonet.specs.datatypes import (  # noqa: E402
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
)
from custom_components.echonet_hems.lib.echonet.specs.model import (  # noqa: E402
    Access,
    ClassSpec,
    Coefficient,
    PropertySpec,
)

DEFAULT_DOC = REPO.parent / "shared" / "docs" / "ECHONET_CLASSES.md"
SPECS_DIR = REPO / "custom_components" / "echonet_hems" / "lib" / "echonet" / "specs"

# Output modules: file stem → (docstring subject, class ids).
MODULES: dict[str, tuple[str, tuple[int, ...]]] = {
    "classes_profiles": ("super class and node profile", (0x0000, 0x0EF0)),
    "classes_metering": ("smart meter and distribution-board metering", (0x0288, 0x0287)),
    "classes_generation": ("solar power, fuel cell and multiple-input PCS", (0x0279, 0x027C, 0x02A5)),
    "classes_storage": ("storage battery and EV chargers", (0x027D, 0x027E, 0x02A1)),
    "classes_appliances": ("water heater, air conditioner and lighting", (0x026B, 0x0130, 0x0290)),
}

# Property keys: two different EPCs of 0x026B are both named "ON timer setting" in the MRA; 0x90 is the reservation
# (ONタイマ予約設定), as in every other class.
PROPERTY_KEY_OVERRIDES: dict[tuple[int, int], str] = {
    (0x026B, 0x90): "on_timer_reservation_setting",
    # 0xEA and 0xEC of 0x027E are both "Discharging electric energy setting"; 0xEA is the amount in Wh (放電量設定値),
    # 0xEC the power in W (放電電力設定値, the key 0x027D uses for its 0xEC too).
    (0x027E, 0xEA): "discharging_amount_setting",
}
# All rows of one EPC share the key of its latest row, except rows that describe another property altogether:
# super-class 0x93 was "Location information" in releases A and B and is "Remote control setting" since C.
PROPERTY_ROW_KEY_OVERRIDES: dict[tuple[int, int, str], str] = {
    (0x0000, 0x93, "A"): "location_information",
    (0x0000, 0x93, "B"): "location_information",
}
# Object field keys whose camelCase the mechanical rule would mangle.
FIELD_KEY_OVERRIDES: dict[str, str] = {
    "numberOfinstances": "number_of_instances",
    "currentRphase": "current_r_phase",
    "currentTphase": "current_t_phase",
}
# State labels that are sentences rather than names.
STATE_KEY_OVERRIDES: dict[str, str] = {
    "Faults that can be recovered from by turn off the power or unplug and reoperate.": "recoverable_by_power_cycle",
    "Faults that can be recovered from by pressing the reset button.": "recoverable_by_reset_button",
    "Abnormal event or the tripping of a safety device.": "abnormal_event_or_safety_device_tripped",
    "Fault in a component such as an actuator.": "fault_in_a_component",
    "Communication line is normal. (operation through a public network is not possible.)": (
        "line_normal_public_network_not_possible"
    ),
    "Communication line is normal. (operation through a public network is possible.)": (
        "line_normal_public_network_possible"
    ),
    "Both the time- and relative time-based reservation functions are ON.": "both_on",
    "Both reservation functions are OFF.": "both_off",
    "Time-based reservation function is ON.": "time_based_on",
    "Relative time-based reservation function is ON.": "relative_time_based_on",
    "17:00 (this value is nullified if energy shifts occur twice.)": "17_00",
    "Automatic air flow rate control function used.": "automatic",
    "Automatic control of ventilation air flow rate": "automatic",
    "Automatic control of the degree of humidification": "automatic",
    "When the function is not implemented.": "not_implemented",
    "When the function is not implemented": "not_implemented",
    "Solar power generation that requires no output power control by output power controlling schedule and cases "
    "where output power controlling schedule has not been acquired": "not_applicable",
    "Ventilation function ON (outlet and intake direction)": "ventilation_on_outlet_and_intake",
}
# Labels of sentinel alternatives ("number / state {...}"): no-data codes decode to None, meaningful ones to their key.
NO_DATA_LABEL = re.compile(
    r"(not measured|default value|undefined|no setting|unknown|unmeasurable|unsupported|invalid data"
    r"|when the function is not implemented\.?|solar power generation that requires no output power control.*)",
    re.IGNORECASE,
)
MEANINGFUL_SENTINEL_LABELS = frozenset(
    {
        "No time limit",
        "Automatic air flow rate control function used.",
        "Automatic control of ventilation air flow rate",
        "Automatic control of the degree of humidification",
    }
)
# Data strings the type language cannot express; each replaced by a hand-modelled type.
HAND_MODELLED: dict[tuple[int, int], tuple[str, DataType]] = {
    # "raw 3..3B — note: 3 byte data for integer": the number of self-node instances is a 3-byte unsigned integer.
    (0x0EF0, 0xD3): ("raw 3..3B", UIntType(size=3, minimum=0, maximum=0xFFFFFF, overflow_codes=False)),
}
# Coefficients that may be absent: a meter without 0xD3 uses 1 (PROTOCOL.md §2.1).
COEFFICIENT_DEFAULTS: dict[tuple[int, int], Decimal] = {(0x0288, 0xD3): Decimal(1)}
UNITS: dict[str, str | None] = {
    "W": "W",
    "kWh": "kWh",
    "Wh": "Wh",
    "A": "A",
    "Ah": "Ah",
    "V": "V",
    "%": "%",
    "L": "L",
    "MJ": "MJ",
    "Celsius": "°C",
    "second": "s",
    "days": "d",
    "m3": "m³",
    "m3/h": "m³/h",
    "digit": None,
}

HEADER = re.compile(r"### (0x[0-9A-F]{4}) (.+?) \((.+?)\) shortName=(\w+) ")
NUMBER = re.compile(
    r"(?P<kind>u?int)(?P<bits>8|16|32)\s+"
    r"(?:(?P<min>-?\d+)\.\.(?P<max>-?\d+)|one of (?P<choices>[\d,]+))"
    r"(?:\s+\(0x[0-9A-Fa-f]+\))?"
    r"(?:\s+(?P<unit>[^\s×\[]+))?"
    r"(?:\s+×(?P<scale>[\d.]+))?"
    r"(?:\s+×coef\((?P<coef>[^)]*)\))?"
    r"(?:\s+\[ovf=(?P<ovf>True|False),udf=(?P<udf>True|False)\])?"
)
CODE = re.compile(r"(0x[0-9A-Fa-f]+)(?:\.\.\.(0x[0-9A-Fa-f]+))?=(.*)", re.DOTALL)
BIT_FIELD = re.compile(r"(\w+)@byte(\d+)/mask0b([01]+)=(.*)", re.DOTALL)


class SpecError(Exception):
    """The document says something this generator does not understand."""


def snake(text: str) -> str:
    """Mechanical snake_case: camelCase split, apostrophes dropped, every other non-alphanumeric run → '_'."""
    text = text.replace("'", "")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside (), [] and {}."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:])
    return parts


def state_key(label: str) -> str:
    """Key of a state label: an override for sentences, else the mechanical snake_case."""
    return STATE_KEY_OVERRIDES.get(label) or snake(label)


def parse_codes(body: str, *, sentinel: bool) -> tuple[StateCode, ...]:
    codes: list[StateCode] = []
    for part in split_top(body, "; "):
        match = CODE.fullmatch(part.strip())
        if match is None:
            raise SpecError(f"bad state code {part!r}")
        label = match.group(3).strip()
        no_data = False
        if sentinel:
            if NO_DATA_LABEL.fullmatch(label):
                no_data = True
            elif label not in MEANINGFUL_SENTINEL_LABELS:
                raise SpecError(f"unclassified sentinel label {label!r}")
        last = int(match.group(2), 16) if match.group(2) else None
        codes.append(StateCode(int(match.group(1), 16), state_key(label), label, last, no_data))
    return tuple(codes)


def direction_key(label: str) -> str:
    """Key of a horizontal air-flow direction (0x0130 0xA5): the lit positions, e.g. "Left center, Center" → lc_c.

    Its labels list positions separated by commas and "and", so the mechanical rule would merge "Left, Center" with
    "Left center".
    """
    tokens = {"left": "l", "left center": "lc", "center": "c", "right center": "rc", "right": "r"}
    return "_".join(tokens[part.strip().lower()] for part in re.split(r",| and ", label))


# Classes/EPCs whose state keys follow a rule of their own.
STATE_KEY_RULES = {(0x0130, 0xA5): direction_key}


def rekey_states(datatype: DataType, rule: Callable[[str], str]) -> DataType:
    """Re-derive the keys of the state codes in `datatype` with `rule`."""
    if isinstance(datatype, StateType):
        codes = tuple(replace(code, key=rule(code.label)) for code in datatype.codes)
        return StateType(datatype.size, codes)
    if isinstance(datatype, OneOfType):
        return OneOfType(tuple(rekey_states(alternative, rule) for alternative in datatype.alternatives))
    raise SpecError(f"no state rule for {type(datatype).__name__}")


def check_state_keys(datatype: DataType, where: str) -> None:
    """A key must stand for one label within a state (the same label may cover several codes)."""
    for node in walk(datatype):
        if isinstance(node, StateType):
            labels: dict[str, str] = {}
            for code in node.codes:
                if labels.setdefault(code.key, code.label) != code.label:
                    raise SpecError(f"{where}: key {code.key!r} stands for {labels[code.key]!r} and {code.label!r}")


def parse_number(match: re.Match[str]) -> DataType:
    size = int(match["bits"]) // 8
    cls = UIntType if match["kind"] == "uint" else IntType
    choices = tuple(int(choice) for choice in match["choices"].split(",")) if match["choices"] else ()
    minimum = int(match["min"]) if match["min"] else min(choices)
    maximum = int(match["max"]) if match["max"] else max(choices)
    unit = match["unit"]
    if unit is not None and unit not in UNITS:
        raise SpecError(f"unknown unit {unit!r}")
    coefficient_epcs: tuple[int, ...] = ()
    if match["coef"]:
        coefficient_epcs = tuple(int(item, 16) for item in re.findall(r"'(0x[0-9A-Fa-f]+)'", match["coef"]))
    if match["ovf"] is not None and match["ovf"] != match["udf"]:
        raise SpecError("overflow and underflow flags differ")
    return cls(
        size=size,
        minimum=minimum,
        maximum=maximum,
        unit=UNITS[unit] if unit else None,
        scale=Decimal(match["scale"]) if match["scale"] else Decimal(1),
        coefficient_epcs=coefficient_epcs,
        overflow_codes=match["ovf"] != "False",
        choices=choices,
    )


def parse_single(text: str, *, sentinel: bool = False, bit_field: bool = False) -> DataType:  # noqa: PLR0911, PLR0912
    text = text.strip()
    if match := re.fullmatch(r"state\[(\d+)B\] \{(.*)\}", text, re.DOTALL):
        return StateType(int(match[1]), parse_codes(match[2], sentinel=sentinel))
    if sentinel:
        raise SpecError(f"a non-state alternative after the first: {text!r}")
    if match := re.fullmatch(r"enum\[(\d+)B\] \{(.*)\}", text, re.DOTALL):
        members = []
        for part in split_top(match[2], "; "):
            code, value = part.split("=")
            members.append(EnumMember(int(code, 16), Decimal(value)))
        return EnumType(int(match[1]), tuple(members), unit="kWh")
    if match := re.fullmatch(r"raw (\d+)\.\.(\d+)B", text):
        return RawType(int(match[1]), int(match[2]))
    if match := NUMBER.fullmatch(text):
        return parse_number(match)
    if text == "date(4B YYYY MM DD)":
        return DateType()
    if text == "time(2B hh mm)":
        return TimeType()
    if text == "date-time(7B: YYYY(2)MM DD hh mm ss)":
        return DateTimeType(7)
    if text == "date-time 6B":
        return DateTimeType(6)
    if match := re.fullmatch(r"level base=(0x[0-9A-Fa-f]+) max=(\d+)", text):
        return LevelType(int(match[1], 16), int(match[2]), 0 if bit_field else 1)
    if match := re.fullmatch(r"bitmap\[(\d+)B\]: (.*)", text, re.DOTALL):
        return parse_bitmap(int(match[1]), match[2])
    if match := re.fullmatch(r"array\[(None|\d+)\.\.(\d+)\] of \((.*)\)", text, re.DOTALL):
        item = parse_alternatives(match[3])
        if item.fixed_size is None:
            raise SpecError("array items must have a fixed size")
        return ArrayType(item, 0 if match[1] == "None" else int(match[1]), int(match[2]))
    if text.startswith("{") and text.endswith("}"):
        return parse_object(text[1:-1])
    raise SpecError(f"cannot parse data {text!r}")


def parse_alternatives(text: str) -> DataType:
    parts = split_top(text.strip(), " / ")
    if len(parts) == 1:
        return parse_single(parts[0])
    first = parse_single(parts[0])
    rest = [parse_single(part, sentinel=isinstance(first, StateType) or "state[" in part) for part in parts[1:]]
    return OneOfType((first, *rest))


def parse_bitmap(size: int, body: str) -> BitmapType:
    bit_fields = []
    for part in split_top(body, "; "):
        match = BIT_FIELD.fullmatch(part.strip())
        if match is None:
            raise SpecError(f"bad bit field {part!r}")
        datatype = parse_single(match[4], bit_field=True)
        if not isinstance(datatype, StateType | LevelType):
            raise SpecError(f"bit field of unsupported type {match[4]!r}")
        bit_fields.append(BitField(snake(match[1]), int(match[2]), int(match[3], 2), datatype))
    return BitmapType(size, tuple(bit_fields))


def _is_count(datatype: DataType) -> bool:
    if isinstance(datatype, OneOfType):
        return isinstance(datatype.alternatives[0], UIntType)
    return isinstance(datatype, UIntType)


def parse_object(body: str) -> ObjectType:
    object_fields: list[Field] = []
    for index, part in enumerate(split_top(body, ", ")):
        name, _, type_text = part.partition(":")
        key = FIELD_KEY_OVERRIDES.get(name.strip()) or snake(name.strip())
        datatype = parse_alternatives(type_text)
        variable = datatype.fixed_size is None
        if variable and isinstance(datatype, ArrayType | RawType) and index and _is_count(object_fields[-1].datatype):
            count_field = object_fields[-1].key
            if isinstance(datatype, ArrayType):
                datatype = ArrayType(datatype.item, datatype.min_count, datatype.max_count, count_field)
            else:
                datatype = RawType(datatype.min_length, datatype.max_length, count_field)
        object_fields.append(Field(key, datatype))
    for field in object_fields[:-1]:
        datatype = field.datatype
        if datatype.fixed_size is None and getattr(datatype, "count_field", None) is None:
            raise SpecError(f"variable-size field {field.key!r} is not last and has no count")
    return ObjectType(tuple(object_fields))


@dataclass(frozen=True)
class Row:
    class_id: int
    epc: int
    name_en: str
    name_ja: str
    access: tuple[str, str, str]
    release: tuple[str, str | None]
    data: str
    note: str


@dataclass(frozen=True)
class ClassHeader:
    class_id: int
    name_en: str
    name_ja: str
    short_name: str


def read_document(path: Path) -> tuple[list[ClassHeader], list[Row]]:
    headers: list[ClassHeader] = []
    rows: list[Row] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := HEADER.match(line):
            headers.append(ClassHeader(int(match[1], 16), match[2], match[3], match[4]))
        elif line.startswith("| 0x"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            if len(cells) != 7:
                raise SpecError(f"row with {len(cells)} cells: {line[:80]}")
            epc, names, get, set_, inf, release, data = cells
            name_en, _, name_ja = names.partition(" / ")
            data, _, note = data.partition(" — note: ")
            first, _, last = release.partition("-")
            rows.append(
                Row(
                    headers[-1].class_id,
                    int(epc, 16),
                    name_en.strip(),
                    name_ja.strip(),
                    (get, set_, inf),
                    (first, None if last == "latest" else last),
                    data.strip(),
                    note.strip(),
                )
            )
    return headers, rows


def walk(datatype: DataType) -> Iterator[DataType]:
    """Every type inside `datatype`, children first."""
    children: list[DataType] = []
    if isinstance(datatype, OneOfType):
        children = list(datatype.alternatives)
    elif isinstance(datatype, ObjectType):
        children = [field.datatype for field in datatype.fields]
    elif isinstance(datatype, ArrayType):
        children = [datatype.item]
    elif isinstance(datatype, BitmapType):
        children = [field.datatype for field in datatype.fields]
    for child in children:
        yield from walk(child)
    yield datatype


def coefficient_epcs_of(datatype: DataType) -> tuple[int, ...]:
    found = {node.coefficient_epcs for node in walk(datatype) if isinstance(node, UIntType | IntType)}
    found.discard(())
    if len(found) > 1:
        raise SpecError(f"several coefficient sets {found}")
    return found.pop() if found else ()


def build_classes(headers: list[ClassHeader], rows: list[Row]) -> dict[int, ClassSpec]:
    datatypes: dict[tuple[int, int, str], DataType] = {}
    for row in rows:
        hand = HAND_MODELLED.get((row.class_id, row.epc))
        if hand is not None:
            if hand[0] != row.data:
                raise SpecError(f"hand-modelled 0x{row.class_id:04X}/0x{row.epc:02X} changed in the document")
            datatypes[row.class_id, row.epc, row.release[0]] = hand[1]
        else:
            datatype = parse_alternatives(row.data)
            rule = STATE_KEY_RULES.get((row.class_id, row.epc))
            datatypes[row.class_id, row.epc, row.release[0]] = rekey_states(datatype, rule) if rule else datatype
        check_state_keys(datatypes[row.class_id, row.epc, row.release[0]], f"0x{row.class_id:04X}/0x{row.epc:02X}")
    classes: dict[int, ClassSpec] = {}
    for header in headers:
        class_rows = [row for row in rows if row.class_id == header.class_id]
        latest_name = {row.epc: row.name_en for row in class_rows}  # rows of an EPC are listed oldest first
        properties = []
        for row in class_rows:
            key = PROPERTY_ROW_KEY_OVERRIDES.get((row.class_id, row.epc, row.release[0])) or PROPERTY_KEY_OVERRIDES.get(
                (row.class_id, row.epc)
            )
            datatype = datatypes[row.class_id, row.epc, row.release[0]]
            coefficients = tuple(
                Coefficient(
                    epc,
                    _coefficient_type(datatypes, row.class_id, epc),
                    COEFFICIENT_DEFAULTS.get((row.class_id, epc)),
                )
                for epc in coefficient_epcs_of(datatype)
            )
            properties.append(
                PropertySpec(
                    epc=row.epc,
                    key=key or snake(latest_name[row.epc]),
                    name_en=row.name_en,
                    name_ja=row.name_ja,
                    datatype=datatype,
                    get=Access(row.access[0]),
                    set=Access(row.access[1]),
                    inf=Access(row.access[2]),
                    release_from=row.release[0],
                    release_to=row.release[1],
                    coefficients=coefficients,
                    note=row.note,
                )
            )
        check_rows(header.class_id, properties)
        classes[header.class_id] = ClassSpec(
            header.class_id, snake(header.short_name), header.name_en, header.name_ja, tuple(properties)
        )
    check_keys(classes)
    return classes


def _coefficient_type(datatypes: dict[tuple[int, int, str], DataType], class_id: int, epc: int) -> UIntType | EnumType:
    matches = [datatype for (cls, code, _), datatype in datatypes.items() if cls == class_id and code == epc]
    if len(matches) != 1 or not isinstance(matches[0], UIntType | EnumType):
        raise SpecError(f"coefficient 0x{epc:02X} of 0x{class_id:04X} is not a single number/enum row")
    return matches[0]


def check_rows(class_id: int, properties: list[PropertySpec]) -> None:
    """Rows of one EPC must not overlap and must be listed oldest first."""
    by_epc: dict[int, list[PropertySpec]] = {}
    for prop in properties:
        by_epc.setdefault(prop.epc, []).append(prop)
    for epc, group in by_epc.items():
        for older, newer in pairwise(group):
            if older.release_to is None or older.release_to >= newer.release_from:
                raise SpecError(f"0x{class_id:04X}/0x{epc:02X}: overlapping or unordered releases")


def check_keys(classes: dict[int, ClassSpec]) -> None:
    """Within a class (with the super class for device classes) a key must name one EPC only."""
    super_keys = {prop.key: prop.epc for prop in classes[0x0000].properties}
    problems: list[str] = []
    for class_id, spec in classes.items():
        owners: dict[str, int] = {}
        if class_id not in (0x0000, 0x0EF0):
            owners = {key: epc for key, epc in super_keys.items() if epc not in spec.epcs}
        for prop in spec.properties:
            if owners.setdefault(prop.key, prop.epc) != prop.epc:
                problems.append(
                    f"0x{class_id:04X}: key {prop.key!r} names 0x{owners[prop.key]:02X} and 0x{prop.epc:02X}"
                )
    if problems:
        raise SpecError("\n".join(problems))


# --- rendering ---------------------------------------------------------------------------------------------------

HEX_FIELDS = frozenset({"epc", "code", "last", "base", "class_id", "coefficient_epcs"})


class Renderer:
    """Renders dataclass instances as constructor calls, hoisting repeated large types into named constants."""

    HOISTED_KINDS = (StateType, EnumType, ObjectType, OneOfType, ArrayType, BitmapType)

    def __init__(self) -> None:
        self.names: dict[DataType, str] = {}
        self.definitions: list[tuple[str, str]] = []
        self.used: set[str] = set()
        self.modules: dict[str, str] = {"Decimal": "decimal"}

    def hoist(self, specs: list[ClassSpec]) -> None:
        counts: dict[DataType, int] = {}
        first_user: dict[DataType, str] = {}
        for spec in specs:
            for prop in spec.properties:
                nodes = list(walk_named(prop.datatype, prop.key))
                nodes += [(c.datatype, f"coefficient_{c.epc:02x}") for c in prop.coefficients]
                for node, name in nodes:
                    counts[node] = counts.get(node, 0) + 1
                    first_user.setdefault(node, name)
        taken: set[str] = set()
        for node, name in first_user.items():  # children before parents
            if counts[node] < 2 or not isinstance(node, self.HOISTED_KINDS) or len(self.render(node)) < 60:
                continue
            constant = base = "_" + (content_name(node) or name).upper()
            suffix = 2
            while constant in taken:
                constant = f"{base}_{suffix}"
                suffix += 1
            taken.add(constant)
            self.definitions.append((constant, self.render(node)))
            self.names[node] = constant

    def render(self, value: object, *, top: bool = True) -> str:
        if not top and isinstance(value, DataType) and value in self.names:
            return self.names[value]
        if isinstance(value, Enum):
            self.used.add(type(value).__name__)
            return f"{type(value).__name__}.{value.name}"
        if isinstance(value, Decimal):
            self.used.add("Decimal")
            return f'Decimal("{value}")'
        if is_dataclass(value) and not isinstance(value, type):
            return self._render_dataclass(value)
        if isinstance(value, tuple):
            return _tuple([self.render(item, top=False) for item in value])
        return repr(value)

    def _render_dataclass(self, value: object) -> str:
        name = type(value).__name__
        self.used.add(name)
        self.modules[name] = type(value).__module__.rpartition(".")[2]
        args = []
        for field in fields(value):  # type: ignore[arg-type]
            current = getattr(value, field.name)
            if field.default is not MISSING and type(current) is type(field.default) and current == field.default:
                continue
            args.append(f"{field.name}={self._render_field(field.name, current)}")
        return f"{name}({', '.join(args)})"

    def _render_field(self, name: str, value: object) -> str:
        if name in HEX_FIELDS:
            if isinstance(value, int):
                return f"0x{value:02X}"
            if isinstance(value, tuple):
                return _tuple([f"0x{item:02X}" for item in value])
        if name == "mask" and isinstance(value, int):
            return f"0b{value:08b}"
        return self.render(value, top=False)


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


UNIT_TOKENS = {"%": "pct", "°C": "celsius", "m³": "m3", "m³/h": "m3_per_h"}


def content_name(node: DataType) -> str | None:
    """A name saying what a small type is (`uint32_kwh_coef_or_not_measured`), or `None` for big types."""
    if isinstance(node, StateType) and len(node.codes) == 1:
        return f"{node.codes[0].key}_{node.codes[0].code:0{2 * node.size}x}"
    if isinstance(node, StateType) and len(node.codes) == 2:
        return "_".join(code.key for code in node.codes)
    if isinstance(node, EnumType):
        return f"{unit_token(node.unit or 'number')}_unit_code"
    if isinstance(node, UIntType | IntType):
        name = f"{'uint' if isinstance(node, UIntType) else 'int'}{node.size * 8}"
        if node.unit:
            name += "_" + unit_token(node.unit)
        if node.scale != 1:
            name += "_x" + str(node.scale).replace(".", "_")
        return name + "".join(f"_coef_{epc:02x}" for epc in node.coefficient_epcs)
    if isinstance(node, OneOfType):
        first, *rest = node.alternatives
        names = [content_name(first)] + [
            "_".join(code.key for code in alt.codes) if isinstance(alt, StateType) and len(alt.codes) <= 2 else None
            for alt in rest
        ]
        if all(names):
            return "_or_".join(name for name in names if name)
    return None


def unit_token(unit: str) -> str:
    return UNIT_TOKENS.get(unit, unit).lower()


def walk_named(datatype: DataType, name: str) -> Iterator[tuple[DataType, str]]:
    """Like `walk`, with a name for each type: the property key, extended by the object field it fills."""
    if isinstance(datatype, OneOfType):
        for alternative in datatype.alternatives:
            yield from walk_named(alternative, name)
    elif isinstance(datatype, ObjectType):
        for field in datatype.fields:
            yield from walk_named(field.datatype, field.key)
    elif isinstance(datatype, ArrayType):
        yield from walk_named(datatype.item, f"{name}_item")
    yield datatype, name


def render_module(stem: str, subject: str, specs: list[ClassSpec], source: str) -> str:
    renderer = Renderer()
    renderer.hoist(specs)
    bodies = []
    for spec in specs:
        constant = spec.key.upper()
        props = ",\n".join(renderer.render(prop) for prop in spec.properties)
        bodies.append(
            f"{constant} = ClassSpec(\n    class_id=0x{spec.class_id:04X},\n    key={spec.key!r},\n"
            f"    name_en={spec.name_en!r},\n    name_ja={spec.name_ja!r},\n    properties=(\n{props},\n    ),\n)\n"
        )
    renderer.used.add("ClassSpec")
    definitions = "\n".join(f"{name} = {text}" for name, text in renderer.definitions)
    renderer.modules |= {"Access": "model", "ClassSpec": "model"}
    by_module: dict[str, list[str]] = {}
    for name in sorted(renderer.used):
        by_module.setdefault(renderer.modules[name], []).append(name)
    imports = "from decimal import Decimal\n\n" if by_module.pop("decimal", None) else ""
    for module in sorted(by_module):
        imports += f"from .{module} import {', '.join(by_module[module])}\n"
    constants = ", ".join(sorted(repr(spec.key.upper()) for spec in specs))
    return (
        f'"""ECHONET Lite class specifications: {subject}.\n\n'
        f"Generated by scripts/generate_class_specs.py from {source} (MRA V1.3.1) — do not edit by hand.\n"
        '"""\n\n'
        "# ruff: noqa: E501, RUF001\n\n"
        f"{imports}\n"
        f"__all__ = [{constants}]\n\n"
        f"{definitions}\n\n" + "\n\n".join(bodies)
    )


def format_sources(paths: list[Path]) -> None:
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--quiet", "--config", str(REPO / "pyproject.toml"), *map(str, paths)],
        check=True,
    )


def generate(doc: Path, out_dir: Path) -> list[Path]:
    headers, rows = read_document(doc)
    classes = build_classes(headers, rows)
    covered = {class_id for _, ids in MODULES.values() for class_id in ids}
    if covered != set(classes):
        raise SpecError(f"classes in the document {sorted(classes)} differ from the modules {sorted(covered)}")
    paths = []
    for stem, (subject, ids) in MODULES.items():
        path = out_dir / f"{stem}.py"
        path.write_text(
            render_module(stem, subject, [classes[class_id] for class_id in ids], "ECHONET_CLASSES.md"),
            encoding="utf-8",
        )
        paths.append(path)
    format_sources(paths)
    for header in headers:
        count = len(classes[header.class_id].properties)
        print(f"0x{header.class_id:04X} {header.short_name}: {count} rows")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("doc", nargs="?", type=Path, default=DEFAULT_DOC)
    parser.add_argument("--check", action="store_true", help="fail if the committed modules are out of date")
    args = parser.parse_args(argv)
    if not args.check:
        generate(args.doc, SPECS_DIR)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(args.doc, Path(tmp))
        stale = [p.name for p in paths if p.read_text("utf-8") != (SPECS_DIR / p.name).read_text("utf-8")]
    if stale:
        print(f"out of date: {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
