"""The EcoCute (electric water heater 0x026B) as a water_heater entity.

Operation modes are the automatic water heating setting (0xB0): automatic, manual heating (heat now) and manual
heating stopped. The target temperature (0xB3) is shown, and settable where the device's Set map lists it.
Turning it off (e.g. "turn off the water heater" by voice) stops heating (manual heating stopped); turning it on
returns it to automatic heating — the tank's hot water stays usable either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.water_heater import WaterHeaterEntity, WaterHeaterEntityFeature
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, async_add_object_entities
from .ha_compat import has_native_temperatures
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import WATER_HEATER
from .lib.echonet.specs.datatypes import Value
from .object_coordinator import EchonetObjectCoordinator

PARALLEL_UPDATES = 1

EPC_MODE: Final = 0xB0
EPC_TARGET: Final = 0xB3
EPC_WATER_TEMPERATURE: Final = 0xC1
# HA operation mode ↔ ECHONET state key of 0xB0.
MODES: Final = {
    "automatic": "automatic_water_heating_function_used",
    "manual_heating": "non_automatic_water_heating_function_used",
    "manual_heating_stopped": "non_automatic_water_heating_function_stopped",
}
OPERATIONS: Final = {key: mode for mode, key in MODES.items()}


def _number(value: Value) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else float(value)


def water_heaters_for(coordinator: EchonetObjectCoordinator) -> list[EchonetWaterHeaterEntity]:
    """One water heater entity per electric water heater that reports its heating setting."""
    if coordinator.class_id != WATER_HEATER or EPC_MODE not in coordinator.info.get_map:
        return []
    return [EchonetWaterHeaterEntity(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant, entry: EchonetLanConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Water heater entities, now and when one appears later."""
    async_add_object_entities(hass, entry, async_add_entities, water_heaters_for)


class EchonetWaterHeaterEntity(EchonetObjectEntity, WaterHeaterEntity):
    """An EcoCute; the device's main feature, so it carries the device's name."""

    _attr_name = None
    _attr_translation_key = "ecocute"
    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_min_temp = 30
    _attr_max_temp = 90

    def __init__(self, coordinator: EchonetObjectCoordinator) -> None:
        """Features follow the object's Set map."""
        super().__init__(coordinator, "water_heater", (EPC_MODE, EPC_TARGET, EPC_WATER_TEMPERATURE))
        self._attr_operation_list = list(MODES)
        settable = coordinator.info.set_map
        features = WaterHeaterEntityFeature(0)
        if EPC_MODE in settable:
            features |= WaterHeaterEntityFeature.OPERATION_MODE | WaterHeaterEntityFeature.ON_OFF
        if EPC_TARGET in settable:
            features |= WaterHeaterEntityFeature.TARGET_TEMPERATURE
        self._attr_supported_features = features

    @property
    def current_operation(self) -> str | None:
        """Automatic, manual heating or manual heating stopped."""
        value = self.decoded(EPC_MODE)
        return OPERATIONS.get(value) if isinstance(value, str) else None

    @property
    def native_target_temperature(self) -> float | None:
        """The water heating temperature setting."""
        return _number(self.decoded(EPC_TARGET))

    @property
    def native_current_temperature(self) -> float | None:
        """The measured water temperature in the tank, where the device reports it."""
        return _number(self.decoded(EPC_WATER_TEMPERATURE))

    if not TYPE_CHECKING and not has_native_temperatures(WaterHeaterEntity):
        # Home Assistant before the `native_*` names reads these (the `native_*` names replace them, the old ones stop
        # working in 2027.11). Defined only there, so a newer Home Assistant sees no deprecated name.
        _attr_temperature_unit = UnitOfTemperature.CELSIUS
        target_temperature = native_target_temperature
        current_temperature = native_current_temperature

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Automatic, heat now, or stop manual heating."""
        await self.coordinator.async_set({EPC_MODE: MODES[operation_mode]})

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Back to automatic heating."""
        await self.async_set_operation_mode("automatic")

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop heating (manual heating stopped)."""
        await self.async_set_operation_mode("manual_heating_stopped")

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the water heating temperature (whole degrees)."""
        await self.coordinator.async_set({EPC_TARGET: round(kwargs[ATTR_TEMPERATURE])})
