"""The home air conditioner (0x0130) as a climate entity: power, mode, target temperature, fan speed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import FAN_AUTO, ClimateEntityFeature, HVACMode
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, async_add_object_entities
from .ha_compat import has_native_temperatures
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import AIR_CONDITIONER
from .lib.echonet.specs.datatypes import Value
from .object_coordinator import EchonetObjectCoordinator

PARALLEL_UPDATES = 1

EPC_POWER: Final = 0x80
EPC_FAN: Final = 0xA0
EPC_MODE: Final = 0xB0
EPC_TARGET: Final = 0xB3
EPC_ROOM: Final = 0xBB
# ECHONET operation mode (0xB0) state keys ↔ HA modes; "other" has no HA counterpart (shown as no mode).
MODES: Final = {
    "automatic": HVACMode.HEAT_COOL,
    "cooling": HVACMode.COOL,
    "heating": HVACMode.HEAT,
    "dehumidification": HVACMode.DRY,
    "air_circulation": HVACMode.FAN_ONLY,
}
ECHONET_MODES: Final = {mode: key for key, mode in MODES.items()}
FAN_LEVELS: Final = tuple(str(level) for level in range(1, 9))


def _number(value: Value) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else float(value)


def climates_for(coordinator: EchonetObjectCoordinator) -> list[EchonetClimateEntity]:
    """One climate entity per air conditioner that lets its power and mode be set."""
    info = coordinator.info
    if coordinator.class_id != AIR_CONDITIONER or not {EPC_POWER, EPC_MODE} <= info.get_map & info.set_map:
        return []
    return [EchonetClimateEntity(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant, entry: EchonetLanConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Climate entities for every air conditioner, now and when one appears later."""
    async_add_object_entities(hass, entry, async_add_entities, climates_for)


class EchonetClimateEntity(EchonetObjectEntity, ClimateEntity):
    """An ECHONET Lite home air conditioner; the device's main feature, so it carries the device's name."""

    _attr_name = None
    _attr_translation_key = "air_conditioner"
    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 1
    _attr_min_temp = 16
    _attr_max_temp = 30

    def __init__(self, coordinator: EchonetObjectCoordinator) -> None:
        """Features follow the object's Set map."""
        super().__init__(coordinator, "climate", (EPC_POWER, EPC_MODE, EPC_TARGET, EPC_ROOM, EPC_FAN))
        settable = coordinator.info.set_map
        features = ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
        if EPC_TARGET in settable:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE
        if EPC_FAN in settable:
            features |= ClimateEntityFeature.FAN_MODE
            self._attr_fan_modes = [FAN_AUTO, *FAN_LEVELS]
        self._attr_supported_features = features
        self._attr_hvac_modes = [HVACMode.OFF, *MODES.values()]

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off when the unit is off, else its operation mode."""
        power = self.decoded(EPC_POWER)
        if power == "off":
            return HVACMode.OFF
        mode = self.decoded(EPC_MODE)
        return MODES.get(mode) if power == "on" and isinstance(mode, str) else None

    @property
    def native_target_temperature(self) -> float | None:
        """The set temperature (None when the unit reports "undefined")."""
        return _number(self.decoded(EPC_TARGET))

    @property
    def native_current_temperature(self) -> float | None:
        """The measured room temperature."""
        return _number(self.decoded(EPC_ROOM))

    if not TYPE_CHECKING and not has_native_temperatures(ClimateEntity):
        # Home Assistant before the `native_*` names reads these (the `native_*` names replace them, the old ones stop
        # working in 2027.11). Defined only there, so a newer Home Assistant sees no deprecated name.
        _attr_temperature_unit = UnitOfTemperature.CELSIUS
        target_temperature = native_target_temperature
        current_temperature = native_current_temperature

    @property
    def fan_mode(self) -> str | None:
        """Automatic or a level 1..8."""
        value = self.decoded(EPC_FAN)
        if value == "automatic":
            return FAN_AUTO
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Off switches the unit off; any other mode sets the mode and switches it on, in one SetC."""
        if hvac_mode is HVACMode.OFF:
            await self.coordinator.async_set({EPC_POWER: "off"})
            return
        await self.coordinator.async_set({EPC_MODE: ECHONET_MODES[hvac_mode], EPC_POWER: "on"})

    async def async_turn_on(self) -> None:
        """Switch on in the last mode."""
        await self.coordinator.async_set({EPC_POWER: "on"})

    async def async_turn_off(self) -> None:
        """Switch off."""
        await self.coordinator.async_set({EPC_POWER: "off"})

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature (whole degrees)."""
        await self.coordinator.async_set({EPC_TARGET: round(kwargs[ATTR_TEMPERATURE])})

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Automatic or a level 1..8."""
        await self.coordinator.async_set({EPC_FAN: "automatic" if fan_mode == FAN_AUTO else int(fan_mode)})
