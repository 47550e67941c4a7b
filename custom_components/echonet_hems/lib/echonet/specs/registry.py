"""Lookup of class and property specifications.

Device classes fall back to the super class 0x0000 for EPCs their own table does not define (or does not define for
the requested release); the node profile 0x0EF0 has a complete table of its own and never falls back.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ...errors import UnsupportedError
from ..ids import NODE_PROFILE as NODE_PROFILE_CLASS
from .classes_appliances import ELECTRIC_WATER_HEATER, GENERAL_LIGHTING, HOME_AIR_CONDITIONER
from .classes_generation import FUEL_CELL, MULTIPLE_INPUT_PCS, PV_POWER_GENERATION
from .classes_metering import LV_SMART_ELECTRIC_ENERGY_METER, POWER_DISTRIBUTION_BOARD_METERING
from .classes_profiles import COMMON, NODE_PROFILE
from .classes_storage import EV_CHARGER, EV_CHARGER_DISCHARGER, STORAGE_BATTERY
from .datatypes import Value
from .model import SUPER_CLASS, ClassSpec, PropertySpec, normalize_release

_CLASSES: Final[Mapping[int, ClassSpec]] = MappingProxyType(
    {
        spec.class_id: spec
        for spec in (
            COMMON,
            NODE_PROFILE,
            LV_SMART_ELECTRIC_ENERGY_METER,
            PV_POWER_GENERATION,
            STORAGE_BATTERY,
            EV_CHARGER_DISCHARGER,
            EV_CHARGER,
            ELECTRIC_WATER_HEATER,
            FUEL_CELL,
            POWER_DISTRIBUTION_BOARD_METERING,
            MULTIPLE_INPUT_PCS,
            HOME_AIR_CONDITIONER,
            GENERAL_LIGHTING,
        )
    }
)
# Class group codes of device objects (0x00 sensors … 0x06 AV); 0x0E is the profile group, 0x0F user-defined.
_DEVICE_GROUPS: Final = range(0x07)


def class_specs() -> tuple[ClassSpec, ...]:
    """Every modelled class, in ascending class code order."""
    return tuple(_CLASSES[class_id] for class_id in sorted(_CLASSES))


def class_spec(class_id: int) -> ClassSpec:
    """The specification of a class (group code << 8 | class code); `UnsupportedError` when not modelled."""
    try:
        return _CLASSES[class_id]
    except KeyError:
        raise UnsupportedError(f"class 0x{class_id:04X} is not modelled") from None


def _lookup(spec: ClassSpec, epc: int, release: str | None) -> PropertySpec | None:
    falls_back = spec.class_id not in (SUPER_CLASS, NODE_PROFILE_CLASS)
    found = spec.find(epc, release)
    if found is None and falls_back:
        found = _CLASSES[SUPER_CLASS].find(epc, release)
    if found is None and release is not None:
        # The EPC exists, just not in that release (devices do implement properties of later releases): the latest
        # definition is the best guess.
        found = spec.find(epc) or (_CLASSES[SUPER_CLASS].find(epc) if falls_back else None)
    return found


def property_spec(class_id: int, epc: int, release: str | None = None) -> PropertySpec:
    """The specification of one EPC of a class, as valid in the given Appendix release (default: the latest).

    Raises `UnsupportedError` for an unmodelled class or an EPC defined neither by the class nor (for device classes)
    by the super class, and `ValueError` for a malformed release letter.
    """
    spec = class_spec(class_id)
    found = _lookup(spec, epc, None if release is None else normalize_release(release))
    if found is None:
        raise UnsupportedError(f"EPC 0x{epc:02X} is not defined for class 0x{class_id:04X}")
    return found


def describe(class_id: int, epc: int, release: str | None = None) -> PropertySpec | None:
    """Like `property_spec` but never raises: `None` for anything unknown (bad release letters count as latest).

    An unmodelled device class still gets the super-class EPCs (0x80 operation status, 0x88 fault status, ...).
    """
    try:
        letter = None if release is None else normalize_release(release)
    except ValueError:
        letter = None
    spec = _CLASSES.get(class_id)
    if spec is not None:
        return _lookup(spec, epc, letter)
    if class_id >> 8 in _DEVICE_GROUPS:
        return _lookup(_CLASSES[SUPER_CLASS], epc, letter)
    return None


def decode_property(
    class_id: int,
    epc: int,
    edt: bytes,
    coefficients: Mapping[int, bytes] | None = None,
    release: str | None = None,
) -> Value:
    """Decode one EDT of a class; `UnsupportedError` for unknown EPCs, `ProtocolError` for malformed bytes."""
    return property_spec(class_id, epc, release).decode(edt, coefficients)
