"""Sensors of the Home energy entry: the house balance, generation status, prices, cost, sales and CO2 of today.

Entities whose meaning depends on the contract mode (house consumption and the shares) carry the mode in their key
under full purchase, so a change of mode starts new statistics instead of mixing two definitions in one series.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfEnergy, UnitOfMass, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .const import DOMAIN, HOME_ENERGY_UNIQUE_ID
from .home_energy import HomeEnergyCoordinator, HomeEnergyData
from .home_energy_forecast import PVForecastCoordinator
from .home_energy_runtime import HomeEnergyConfigEntry
from .lib.energy.balance import ContractMode, GenerationStatus
from .lib.energy.pv_outlook import PVOutlook
from .solar_charge_entities import solar_charge_sensors

CURRENCY = "JPY"
PRICE_UNIT = "JPY/kWh"


def home_energy_device_info() -> DeviceInfo:
    """The Home energy entry's one device (a service: it is computed, not a box on the wall)."""
    return DeviceInfo(
        identifiers={(DOMAIN, HOME_ENERGY_UNIQUE_ID)},
        translation_key="home_energy",
        manufacturer="ECHONET Lite HEMS",
        entry_type=DeviceEntryType.SERVICE,
    )


class HomeEnergyEntity(CoordinatorEntity[HomeEnergyCoordinator]):
    """An entity of the Home energy entry."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: HomeEnergyCoordinator, key: str) -> None:
        """Unique id = the entry's fixed id + semantic key."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{HOME_ENERGY_UNIQUE_ID}_{key}"
        self._attr_device_info = home_energy_device_info()


@dataclass(frozen=True, kw_only=True)
class HomeEnergySensorEntityDescription(SensorEntityDescription):
    """A sensor computed from the house balance; `per_mode`: its meaning depends on the contract mode."""

    value_fn: Callable[[HomeEnergyData, ContractMode], StateType | datetime]
    per_mode: bool = False
    daily: bool = False  # a total of today (state class TOTAL, reset at midnight)


def _today_total(
    key: str,
    value_fn: Callable[[HomeEnergyData, ContractMode], StateType],
    device_class: SensorDeviceClass,
    unit: str,
    precision: int,
) -> HomeEnergySensorEntityDescription:
    return HomeEnergySensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        state_class=SensorStateClass.TOTAL,
        daily=True,
        value_fn=value_fn,
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


SENSORS: tuple[HomeEnergySensorEntityDescription, ...] = (
    HomeEnergySensorEntityDescription(
        key="house_power",
        translation_key="house_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        per_mode=True,
        value_fn=lambda data, _mode: _round(data.house_power_w, 1),
    ),
    HomeEnergySensorEntityDescription(
        key="house_energy",
        translation_key="house_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        per_mode=True,
        value_fn=lambda data, _mode: _round(data.house_energy_kwh, 4),
    ),
    HomeEnergySensorEntityDescription(
        key="self_consumption",
        translation_key="self_consumption",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        per_mode=True,
        value_fn=lambda data, mode: _round(data.today.self_consumption_pct(mode), 1),
    ),
    HomeEnergySensorEntityDescription(
        key="self_sufficiency",
        translation_key="self_sufficiency",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        per_mode=True,
        value_fn=lambda data, _mode: _round(data.today.self_sufficiency_pct(), 1),
    ),
    HomeEnergySensorEntityDescription(
        key="generation_status",
        translation_key="generation_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in GenerationStatus],
        value_fn=lambda data, _mode: data.generation.value if data.generation else None,
    ),
    HomeEnergySensorEntityDescription(
        key="price_now",
        translation_key="price_now",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda data, _mode: round(data.price_now, 4),
    ),
    HomeEnergySensorEntityDescription(
        key="sell_price_now",
        translation_key="sell_price_now",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda data, _mode: round(data.sell_price, 4),
    ),
    HomeEnergySensorEntityDescription(
        key="price_band",
        translation_key="price_band",
        value_fn=lambda data, _mode: data.band_now,
    ),
    HomeEnergySensorEntityDescription(
        key="next_price_change",
        translation_key="next_price_change",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data, _mode: data.next_change,
    ),
    _today_total(
        "cost_today",
        lambda data, _mode: round(data.today.cost_yen, 2),
        SensorDeviceClass.MONETARY,
        CURRENCY,
        0,
    ),
    _today_total(
        "sales_today",
        lambda data, _mode: round(data.today.sales_yen, 2),
        SensorDeviceClass.MONETARY,
        CURRENCY,
        0,
    ),
    _today_total(
        "co2_today",
        lambda data, _mode: round(data.today.co2_kg, 3) if data.co2_known else None,
        SensorDeviceClass.WEIGHT,
        UnitOfMass.KILOGRAMS,
        1,
    ),
)


class HomeEnergySensorEntity(HomeEnergyEntity, SensorEntity):
    """One value of the house balance."""

    entity_description: HomeEnergySensorEntityDescription

    def __init__(self, coordinator: HomeEnergyCoordinator, description: HomeEnergySensorEntityDescription) -> None:
        """Under full purchase a per-mode sensor is a different series (its own key and name)."""
        full = description.per_mode and coordinator.mode is ContractMode.FULL
        key = f"{description.key}_full" if full else description.key
        super().__init__(coordinator, key)
        self.entity_description = description
        if full:
            self._attr_translation_key = f"{description.translation_key}_full"

    @property
    def native_value(self) -> StateType | datetime:
        """The description's value of the latest balance."""
        return self.entity_description.value_fn(self.coordinator.data, self.coordinator.mode)

    @property
    def last_reset(self) -> datetime | None:
        """Today's totals start at local midnight."""
        if not self.entity_description.daily:
            return None
        return dt_util.start_of_local_day() if self.coordinator.data is not None else None


@dataclass(frozen=True, kw_only=True)
class PVForecastSensorEntityDescription(SensorEntityDescription):
    """A figure of the PV outlook (kWh)."""

    value_fn: Callable[[PVOutlook], float | None]


def _forecast(key: str, value_fn: Callable[[PVOutlook], float | None]) -> PVForecastSensorEntityDescription:
    return PVForecastSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=value_fn,
    )


FORECAST_SENSORS: tuple[PVForecastSensorEntityDescription, ...] = (
    _forecast("pv_forecast_today_remaining", lambda outlook: outlook.today_remaining_kwh),
    _forecast("pv_forecast_tomorrow", lambda outlook: outlook.tomorrow_kwh),
    _forecast("surplus_forecast_today_remaining", lambda outlook: outlook.surplus_today_remaining_kwh),
    _forecast("surplus_forecast_tomorrow", lambda outlook: outlook.surplus_tomorrow_kwh),
)


class PVForecastSensorEntity(CoordinatorEntity[PVForecastCoordinator], SensorEntity):
    """A figure of the PV outlook; unknown until a day of PV history exists (attribute `status` says so)."""

    _attr_has_entity_name = True
    entity_description: PVForecastSensorEntityDescription

    def __init__(self, coordinator: PVForecastCoordinator, description: PVForecastSensorEntityDescription) -> None:
        """Unique id = the entry's fixed id + semantic key."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{HOME_ENERGY_UNIQUE_ID}_{description.key}"
        self._attr_device_info = home_energy_device_info()

    @property
    def native_value(self) -> float | None:
        """The figure, rounded to Wh."""
        if self.coordinator.data is None:
            return None
        value = self.entity_description.value_fn(self.coordinator.data)
        return None if value is None else round(value, 3)

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """Why there is no figure yet, or what it rests on."""
        outlook = self.coordinator.data
        if outlook is None:
            return {"status": "learning"}
        return {
            "status": "weather" if outlook.weather_used else "history",
            "system_factor_kwp": round(outlook.system_factor, 3),
            "history_days": outlook.history_days,
        }


def home_energy_sensors(coordinator: HomeEnergyCoordinator, forecast: PVForecastCoordinator) -> Iterable[SensorEntity]:
    """Every sensor of the Home energy entry."""
    return [
        *(HomeEnergySensorEntity(coordinator, description) for description in SENSORS),
        *(PVForecastSensorEntity(forecast, description) for description in FORECAST_SENSORS),
    ]


def setup_home_energy_sensors(
    hass: HomeAssistant, entry: HomeEnergyConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """The Home energy entry's sensors; the other contract mode's series leave the registry (their history stays in
    the recorder until it is purged, as any removed entity's)."""
    coordinator = entry.runtime_data.coordinator
    registry = er.async_get(hass)
    for description in SENSORS:
        if not description.per_mode:
            continue
        other = description.key if coordinator.mode is ContractMode.FULL else f"{description.key}_full"
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{HOME_ENERGY_UNIQUE_ID}_{other}")
        if entity_id is not None:
            registry.async_remove(entity_id)
    add(home_energy_sensors(coordinator, entry.runtime_data.forecast))
    add(solar_charge_sensors(entry.runtime_data.solar_charge))
