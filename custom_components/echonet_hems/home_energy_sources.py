"""Where the Home energy entry reads the house: the sensors of this integration's LAN and meter entries.

The Home energy entry owns no device. It finds the sensors the other entries created in the entity registry, by the
semantic key at the end of their unique id and, for device objects, the ECHONET class in the object id
(``<node>-<EOJ>_<key>``, see `entity.py`): so it works with whichever entries exist (a meter only, a LAN only, both)
and picks up devices that appear later. Values are read from the state machine in the unit each sensor shows (a user
may display Wh as kWh) and converted to W and kWh here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import re

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_conversion import EnergyConverter, PowerConverter

from .const import CONF_KIND, DOMAIN, EntryKind
from .lib.echonet.ids import BATTERY, BOARD, EV_CHARGER, FUEL_CELL, MULTI_INPUT_PCS, PV, V2H
from .lib.energy.forecast import pv_expected

# "<node id>-<EOJ as 6 hex digits>_<key>" (object entities); the meter's are "<EUI-64>_<key>".
_OBJECT_UNIQUE_ID = re.compile(r"-(?P<eoj>[0-9A-Fa-f]{6})_(?P<key>[a-z0-9_]+)$")
_METER_UNIQUE_ID = re.compile(r"_(?P<key>[a-z0-9_]+)$")


class Role(StrEnum):
    """What a source sensor measures for the house balance (power in W, energy in kWh)."""

    GRID_POWER = "grid_power"  # + import
    GRID_IMPORT = "grid_import"
    GRID_EXPORT = "grid_export"
    BOARD_POWER = "board_power"  # distribution board main, + import
    BOARD_IMPORT = "board_import"
    BOARD_EXPORT = "board_export"
    PV_POWER = "pv_power"
    PV_ENERGY = "pv_energy"
    FUEL_CELL_POWER = "fuel_cell_power"
    FUEL_CELL_ENERGY = "fuel_cell_energy"
    BATTERY_POWER = "battery_power"  # + charging
    BATTERY_CHARGED = "battery_charged"
    BATTERY_DISCHARGED = "battery_discharged"
    V2H_POWER = "v2h_power"  # + charging the car
    V2H_DISCHARGED = "v2h_discharged"
    EV_POWER = "ev_power"  # charge-only EV charger


ENERGY_ROLES: frozenset[Role] = frozenset(
    {
        Role.GRID_IMPORT,
        Role.GRID_EXPORT,
        Role.BOARD_IMPORT,
        Role.BOARD_EXPORT,
        Role.PV_ENERGY,
        Role.FUEL_CELL_ENERGY,
        Role.BATTERY_CHARGED,
        Role.BATTERY_DISCHARGED,
        Role.V2H_DISCHARGED,
    }
)

# (ECHONET class, sensor key) → role, for device objects found by a LAN entry.
_OBJECT_ROLES: dict[tuple[int, str], Role] = {
    (BOARD, "main_power"): Role.BOARD_POWER,
    (BOARD, "main_energy_import"): Role.BOARD_IMPORT,
    (BOARD, "main_energy_export"): Role.BOARD_EXPORT,
    (PV, "generation_power"): Role.PV_POWER,
    (PV, "generation_energy"): Role.PV_ENERGY,
    (MULTI_INPUT_PCS, "generation_power"): Role.PV_POWER,
    (MULTI_INPUT_PCS, "generation_energy"): Role.PV_ENERGY,
    (FUEL_CELL, "generation_power"): Role.FUEL_CELL_POWER,
    (FUEL_CELL, "generation_energy"): Role.FUEL_CELL_ENERGY,
    (BATTERY, "charge_discharge_power"): Role.BATTERY_POWER,
    (BATTERY, "charged_energy"): Role.BATTERY_CHARGED,
    (BATTERY, "discharged_energy"): Role.BATTERY_DISCHARGED,
    (V2H, "charge_discharge_power"): Role.V2H_POWER,
    (V2H, "discharged_energy"): Role.V2H_DISCHARGED,
    (EV_CHARGER, "charging_power"): Role.EV_POWER,
}
_METER_ROLES: dict[str, Role] = {
    "grid_power": Role.GRID_POWER,
    "grid_import_energy": Role.GRID_IMPORT,
    "grid_export_energy": Role.GRID_EXPORT,
}


@dataclass(frozen=True, slots=True)
class Sources:
    """The entity ids of each role (several for PV, batteries, …: they are summed)."""

    by_role: dict[Role, tuple[str, ...]] = field(default_factory=dict)

    def entity_ids(self) -> tuple[str, ...]:
        """Every source entity (to listen to their changes)."""
        return tuple(sorted({entity_id for ids in self.by_role.values() for entity_id in ids}))

    def has(self, role: Role) -> bool:
        """Whether at least one sensor measures `role`."""
        return bool(self.by_role.get(role))


def role_of(unique_id: str, kind: EntryKind) -> Role | None:
    """The role of one of our sensors, from its unique id and its entry's kind (None: not a balance input)."""
    if kind is EntryKind.BROUTE:
        meter = _METER_UNIQUE_ID.search(unique_id)
        return _METER_ROLES.get(meter.group("key")) if meter else None
    match = _OBJECT_UNIQUE_ID.search(unique_id)
    if match is None:
        return None
    class_id = int(match.group("eoj")[:4], 16)
    return _OBJECT_ROLES.get((class_id, match.group("key")))


def async_find_sources(hass: HomeAssistant) -> Sources:
    """The balance inputs among this integration's enabled sensors right now."""
    kinds: dict[str, EntryKind] = {}
    for entry in hass.config_entries.async_entries(DOMAIN):
        kind = entry.data.get(CONF_KIND)
        if kind in (EntryKind.LAN, EntryKind.BROUTE):
            kinds[entry.entry_id] = EntryKind(kind)
    found: dict[Role, list[str]] = {}
    for registry_entry in er.async_get(hass).entities.values():
        kind = kinds.get(registry_entry.config_entry_id or "")
        if kind is None or registry_entry.domain != "sensor" or registry_entry.disabled_by is not None:
            continue
        role = role_of(registry_entry.unique_id, kind)
        if role is not None:
            found.setdefault(role, []).append(registry_entry.entity_id)
    return Sources({role: tuple(sorted(ids)) for role, ids in found.items()})


def _number(state: State | None) -> float | None:
    if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE, ""):
        return None
    try:
        return float(state.state)
    except ValueError:
        return None


def read_power_w(state: State | None) -> float | None:
    """A power sensor's value in W (None: unknown, unavailable or an unknown unit)."""
    value = _number(state)
    unit = state.attributes.get("unit_of_measurement") if state is not None else None
    if value is None or unit not in PowerConverter.VALID_UNITS:
        return None
    return PowerConverter.convert(value, unit, UnitOfPower.WATT)


def read_energy_kwh(state: State | None) -> float | None:
    """An energy sensor's value in kWh (None: unknown, unavailable or an unknown unit)."""
    value = _number(state)
    unit = state.attributes.get("unit_of_measurement") if state is not None else None
    if value is None or unit not in EnergyConverter.VALID_UNITS:
        return None
    return EnergyConverter.convert(value, unit, UnitOfEnergy.KILO_WATT_HOUR)


def sum_role(hass: HomeAssistant, sources: Sources, role: Role) -> float | None:
    """The sum over every sensor of `role` (W or kWh); None when there is none or any of them is unknown: a sum
    with a power conditioner missing would be a wrong number, not a smaller one."""
    entity_ids: Iterable[str] = sources.by_role.get(role, ())
    read = read_energy_kwh if role in ENERGY_ROLES else read_power_w
    values = [read(hass.states.get(entity_id)) for entity_id in entity_ids]
    if not values or any(value is None for value in values):
        return None
    return sum(value for value in values if value is not None)


# The live readings solar charge relies on (issue 13: stale meter/PV data hands the devices back): the grid at the
# meter (the distribution board's main where there is no meter) and the PV.
_GRID_ROLES: tuple[Role, ...] = (Role.GRID_POWER, Role.BOARD_POWER)
_PV_ROLES: tuple[Role, ...] = (Role.PV_POWER,)


def readings_reported_at(hass: HomeAssistant, sources: Sources, now: datetime) -> datetime | None:
    """When the grid and PV power readings were last reported (the oldest of them, at most `now`); None while one is
    unavailable or unknown. A house without such a sensor has nothing that can go stale: `now`.

    The PV counts only while PV is expected (the sun above `PV_EXPECTED_ELEVATION_DEG` at the home): many power
    conditioners stop answering at night, and a silent one must not hand the devices back at night and so block
    night-time grid charging, when the PV reading carries nothing the plan needs."""
    reported = now
    freshness = [_GRID_ROLES]
    if pv_expected(now, hass.config.latitude, hass.config.longitude):
        freshness.append(_PV_ROLES)
    for roles in freshness:
        role = next((role for role in roles if sources.has(role)), None)
        for entity_id in sources.by_role.get(role, ()) if role is not None else ():
            state = hass.states.get(entity_id)
            if _number(state) is None or state is None:
                return None
            reported = min(reported, state.last_reported)
    return reported
