"""General lighting (0x0290) as a light entity: on/off and, where the device allows it, brightness."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.light import ATTR_BRIGHTNESS, LightEntity
from homeassistant.components.light.const import ColorMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.color import brightness_to_value, value_to_brightness

from .entity import EchonetObjectEntity, async_add_object_entities
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import GENERAL_LIGHTING
from .object_coordinator import EchonetObjectCoordinator

PARALLEL_UPDATES = 1

EPC_POWER: Final = 0x80
EPC_LEVEL: Final = 0xB0  # light level, 0..100 %
LEVEL_SCALE: Final = (1, 100)


def lights_for(coordinator: EchonetObjectCoordinator) -> list[EchonetLightEntity]:
    """One light entity per lighting object that can be switched."""
    info = coordinator.info
    if coordinator.class_id != GENERAL_LIGHTING or EPC_POWER not in info.get_map & info.set_map:
        return []
    return [EchonetLightEntity(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant, entry: EchonetLanConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Light entities for every lighting object, now and when one appears later."""
    async_add_object_entities(hass, entry, async_add_entities, lights_for)


class EchonetLightEntity(EchonetObjectEntity, LightEntity):
    """An ECHONET Lite light; the device's main feature, so it carries the device's name."""

    _attr_name = None

    def __init__(self, coordinator: EchonetObjectCoordinator) -> None:
        """Brightness when the light level can be both read and set."""
        super().__init__(coordinator, "light", (EPC_POWER, EPC_LEVEL))
        info = coordinator.info
        dimmable = EPC_LEVEL in info.get_map & info.set_map
        self._attr_color_mode = ColorMode.BRIGHTNESS if dimmable else ColorMode.ONOFF
        self._attr_supported_color_modes = {self._attr_color_mode}

    @property
    def is_on(self) -> bool | None:
        """On/off (None: unknown)."""
        power = self.decoded(EPC_POWER)
        return None if not isinstance(power, str) else power == "on"

    @property
    def brightness(self) -> int | None:
        """The light level mapped to 0..255."""
        level = self.decoded(EPC_LEVEL)
        if self._attr_color_mode is not ColorMode.BRIGHTNESS or isinstance(level, bool) or not isinstance(level, int):
            return None
        return value_to_brightness(LEVEL_SCALE, level) if level else 0

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, with the level in the same SetC when a brightness is given."""
        values: dict[int, Any] = {EPC_POWER: "on"}
        if ATTR_BRIGHTNESS in kwargs and self._attr_color_mode is ColorMode.BRIGHTNESS:
            values = {EPC_LEVEL: max(1, round(brightness_to_value(LEVEL_SCALE, kwargs[ATTR_BRIGHTNESS]))), **values}
        await self.coordinator.async_set(values)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.coordinator.async_set({EPC_POWER: "off"})
