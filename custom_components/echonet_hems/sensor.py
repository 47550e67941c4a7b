"""Sensors of ECHONET Lite device objects: power, energy, state of charge, hot water.

Signs: battery and vehicle charge/discharge power are charge-positive (ECHONET's convention: positive while charging,
negative while discharging); the distribution board's main power is import-positive (positive while buying).
Generation power is positive while generating, for every class: a multiple-input PCS (0x02A5) counts its E7 positive
in the AC→DC direction, so its generation is the negated E7, i.e. its DC→AC output (with a battery among its inputs
that output includes the battery's discharge and goes negative while the PCS charges it).
Cumulative energy is `ENERGY` + `TOTAL_INCREASING` in kWh; a missing or undecodable value is unknown, never 0.
The smart meter's power is import-positive (positive while buying, negative while selling); its cumulative import and
export continue across the register's wrap at 10^digits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfVolume,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .board_coordinator import ENERGY_LIST, POWER_LIST, DistributionBoardCoordinator, signal_new_channels
from .entity import EchonetObjectEntity, SmartMeterEntity, async_add_object_entities, object_offers
from .home_energy_sensor import setup_home_energy_sensors
from .lan_hub import EchonetLanConfigEntry
from .lib.broute.readings import MeterIdentity, MeterReading
from .lib.echonet.ids import BATTERY, BOARD, EV_CHARGER, FUEL_CELL, MULTI_INPUT_PCS, PV, V2H, WATER_HEATER
from .lib.echonet.specs.datatypes import Value
from .meter_coordinator import SmartMeterConfigEntry, SmartMeterCoordinator
from .object_coordinator import EchonetObjectCoordinator
from .platform_dispatch import KindSetups, async_setup_kind

PARALLEL_UPDATES = 0

# One display precision per kind of value, wherever it appears: whole watts, kWh to 10 Wh.
POWER_PRECISION = 0
ENERGY_PRECISION = 2


def number(value: Value) -> StateType:
    """A decoded number as state; anything else (None, a state key, a composite) is unknown."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def negated(value: Value) -> StateType:
    """A decoded number with its sign flipped (a power measured in the other direction); anything else is unknown."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return -value


@dataclass(frozen=True, kw_only=True)
class EchonetSensorEntityDescription(SensorEntityDescription):
    """A sensor reading one EPC of the given classes (None: every device class)."""

    epc: int
    class_ids: frozenset[int] | None
    value_fn: Callable[[Value], StateType] = number


def _power(key: str, epc: int, *class_ids: int) -> EchonetSensorEntityDescription:
    return EchonetSensorEntityDescription(
        key=key,
        translation_key=key,
        epc=epc,
        class_ids=frozenset(class_ids) or None,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=POWER_PRECISION,
    )


def _energy(key: str, epc: int, *class_ids: int) -> EchonetSensorEntityDescription:
    return EchonetSensorEntityDescription(
        key=key,
        translation_key=key,
        epc=epc,
        class_ids=frozenset(class_ids) or None,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=ENERGY_PRECISION,
    )


def _soc(key: str, epc: int, *class_ids: int) -> EchonetSensorEntityDescription:
    return EchonetSensorEntityDescription(
        key=key,
        translation_key=key,
        epc=epc,
        class_ids=frozenset(class_ids),
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
    )


def _volume(key: str, epc: int, *, diagnostic: bool = False) -> EchonetSensorEntityDescription:
    return EchonetSensorEntityDescription(
        key=key,
        translation_key=key,
        epc=epc,
        class_ids=frozenset({WATER_HEATER}),
        device_class=SensorDeviceClass.VOLUME_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfVolume.LITERS,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        entity_registry_enabled_default=not diagnostic,  # a fixed rating: rarely worth a history
    )


SENSORS: tuple[EchonetSensorEntityDescription, ...] = (
    # Any device object (super class 0x84/0x85): EcoCute, air conditioner, ...
    _power("power_consumption", 0x84),
    _energy("energy_consumption", 0x85),
    # Solar power generation
    _power("generation_power", 0xE0, PV),
    _energy("generation_energy", 0xE1, PV),
    # The PV's own count of sold energy: the meter's export is the one that is billed; off by default.
    replace(_energy("sold_energy", 0xE3, PV), entity_registry_enabled_default=False),
    # Multiple-input PCS: the same keys as a PV power conditioner, so PV totals find both. E3 (DC→AC) is the
    # generation of its inputs; E0 (AC→DC: standby draw, battery charging) is rarely worth a history.
    replace(_power("generation_power", 0xE7, MULTI_INPUT_PCS), value_fn=negated),
    _energy("generation_energy", 0xE3, MULTI_INPUT_PCS),
    replace(_energy("ac_input_energy", 0xE0, MULTI_INPUT_PCS), entity_registry_enabled_default=False),
    # Fuel cell
    _power("generation_power", 0xC4, FUEL_CELL),
    _energy("generation_energy", 0xC5, FUEL_CELL),
    # Storage battery (charge-positive)
    _soc("state_of_charge", 0xE4, BATTERY),
    _power("charge_discharge_power", 0xD3, BATTERY),
    _energy("charged_energy", 0xD8, BATTERY),
    _energy("discharged_energy", 0xD6, BATTERY),
    EchonetSensorEntityDescription(
        key="stored_energy",
        translation_key="stored_energy",
        epc=0xE2,
        class_ids=frozenset({BATTERY}),
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=ENERGY_PRECISION,
    ),
    # EV charger (0x02A1, charge only) and charger/discharger (V2H, 0x027E, charge-positive)
    _power("charging_power", 0xD3, EV_CHARGER),
    _power("charge_discharge_power", 0xD3, V2H),
    _energy("charged_energy", 0xD8, EV_CHARGER, V2H),
    _energy("discharged_energy", 0xD6, V2H),
    _soc("vehicle_state_of_charge", 0xE4, EV_CHARGER, V2H),
    # EcoCute (electric water heater)
    _volume("remaining_hot_water", 0xE1),
    _volume("tank_capacity", 0xE2, diagnostic=True),
    # Distribution board: the whole board at the main breaker (import-positive)
    _power("main_power", 0xC6, BOARD),
    _energy("main_energy_import", 0xC0, BOARD),
    _energy("main_energy_export", 0xC1, BOARD),
)


def sensors_for(coordinator: EchonetObjectCoordinator) -> Sequence[EchonetSensorEntity]:
    """The sensors whose EPC the object lists in its Get map."""
    return [
        EchonetSensorEntity(coordinator, description)
        for description in SENSORS
        if object_offers(coordinator, description.epc, description.class_ids)
    ]


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any], async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Sensors of the entry's kind."""
    async_setup_kind(hass, entry, async_add_entities, SETUPS)


def _setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """For every object, now and when objects appear later; circuits once a board knows how many it has."""
    async_add_object_entities(hass, entry, add, sensors_for)

    @callback
    def add_circuits(coordinator: DistributionBoardCoordinator) -> None:
        add(
            CircuitSensorEntity(coordinator, channel, description)
            for channel in coordinator.channels
            for description in CIRCUIT_SENSORS
        )

    entry.async_on_unload(async_dispatcher_connect(hass, signal_new_channels(entry.entry_id), add_circuits))


def _setup_meter(hass: HomeAssistant, entry: SmartMeterConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """The smart meter's sensors."""
    runtime = entry.runtime_data
    add(SmartMeterSensorEntity(runtime.coordinator, runtime.identity, description) for description in METER_SENSORS)


SETUPS = KindSetups(lan=_setup_lan, meter=_setup_meter, home_energy=setup_home_energy_sensors)


class EchonetSensorEntity(EchonetObjectEntity, SensorEntity):
    """One measured property."""

    entity_description: EchonetSensorEntityDescription

    def __init__(self, coordinator: EchonetObjectCoordinator, description: EchonetSensorEntityDescription) -> None:
        """Read `description.epc` of the object."""
        super().__init__(coordinator, description.key, (description.epc,))
        self.entity_description = description

    @property
    def native_value(self) -> StateType:
        """The decoded value (None: unknown)."""
        return self.entity_description.value_fn(self.decoded(self.entity_description.epc))


def _reading(value_fn: Callable[[MeterReading], StateType]) -> Callable[[SmartMeterCoordinator], StateType]:
    """A value of the latest poll (unknown before the first one)."""
    return (
        lambda coordinator: None
        if coordinator.data is None or (r := coordinator.data.reading) is None
        else (value_fn(r))
    )


def _rssi(coordinator: SmartMeterCoordinator) -> StateType:
    pan = coordinator.status.pan
    return None if pan is None else pan.rssi_dbm


@dataclass(frozen=True, kw_only=True)
class SmartMeterSensorEntityDescription(SensorEntityDescription):
    """A value of the smart meter's coordinator."""

    value_fn: Callable[[SmartMeterCoordinator], StateType]


def _meter_current(key: str, value_fn: Callable[[MeterReading], StateType]) -> SmartMeterSensorEntityDescription:
    return SmartMeterSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        entity_registry_enabled_default=False,  # rarely useful beside the power
        value_fn=_reading(value_fn),
    )


def _meter_energy(key: str, value_fn: Callable[[MeterReading], StateType]) -> SmartMeterSensorEntityDescription:
    return SmartMeterSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=ENERGY_PRECISION,
        value_fn=_reading(value_fn),
    )


METER_SENSORS: tuple[SmartMeterSensorEntityDescription, ...] = (
    SmartMeterSensorEntityDescription(
        key="grid_power",
        translation_key="grid_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=POWER_PRECISION,
        value_fn=_reading(lambda reading: reading.power_w),
    ),
    _meter_current("current_r_phase", lambda reading: reading.current_r_a),
    _meter_current("current_t_phase", lambda reading: reading.current_t_a),
    _meter_energy("grid_import_energy", lambda reading: reading.import_kwh),
    _meter_energy("grid_export_energy", lambda reading: reading.export_kwh),
    SmartMeterSensorEntityDescription(
        key="signal_strength",
        translation_key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_rssi,
    ),
)


class SmartMeterSensorEntity(SmartMeterEntity, SensorEntity):
    """One value of the smart meter."""

    entity_description: SmartMeterSensorEntityDescription

    def __init__(
        self,
        coordinator: SmartMeterCoordinator,
        identity: MeterIdentity,
        description: SmartMeterSensorEntityDescription,
    ) -> None:
        """The meter's `description.key`."""
        super().__init__(coordinator, identity, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> StateType:
        """The latest value (None: unknown)."""
        return self.entity_description.value_fn(self.coordinator)


@dataclass(frozen=True, kw_only=True)
class CircuitSensorEntityDescription(SensorEntityDescription):
    """One value per channel of a distribution board, from one of its channel lists."""

    list_epc: int


CIRCUIT_SENSORS: tuple[CircuitSensorEntityDescription, ...] = (
    CircuitSensorEntityDescription(
        key="power",
        translation_key="circuit_power",
        list_epc=POWER_LIST,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=POWER_PRECISION,
    ),
    CircuitSensorEntityDescription(
        key="energy",
        translation_key="circuit_energy",
        list_epc=ENERGY_LIST,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=ENERGY_PRECISION,
    ),
)


class CircuitSensorEntity(EchonetObjectEntity, SensorEntity):
    """Power or energy of one circuit (measurement channel) of a distribution board."""

    entity_description: CircuitSensorEntityDescription
    coordinator: DistributionBoardCoordinator

    def __init__(
        self, coordinator: DistributionBoardCoordinator, channel: int, description: CircuitSensorEntityDescription
    ) -> None:
        """Channel `channel`; the coordinator reads the channel lists itself."""
        super().__init__(coordinator, f"channel_{channel}_{description.key}", ())
        self.entity_description = description
        self.channel = channel
        self._attr_translation_placeholders = {"channel": str(channel)}

    @property
    def native_value(self) -> StateType:
        """The channel's value from the last poll (None: unknown)."""
        return self.coordinator.channel_values(self.entity_description.list_epc).get(self.channel)
