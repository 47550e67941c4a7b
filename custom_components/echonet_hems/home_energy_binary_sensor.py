"""Binary sensors of the Home energy entry: one per solar-charge guard condition, and the weather warning.

A guard sensor is on when its condition holds (solar charge may act on it unchanged); its attributes give the
measured value, the threshold and what the guard does to the plan (`effect`, translated), so a user sees why solar
charge behaves as it does. The warning sensor is on while a storm-relevant warning is in force for the chosen area.
"""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import HOME_ENERGY_UNIQUE_ID
from .home_energy import HomeEnergyCoordinator
from .home_energy_runtime import HomeEnergyConfigEntry
from .home_energy_sensor import HomeEnergyEntity, home_energy_device_info
from .home_energy_warning import JmaWarningCoordinator
from .lib.energy.guards import GuardCondition, GuardKey
from .lib.energy.jma_warnings import is_storm_relevant
from .solar_charge_entities import solar_charge_binary_sensors


class GuardBinarySensorEntity(HomeEnergyEntity, BinarySensorEntity):
    """One guard condition of solar charge."""

    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, coordinator: HomeEnergyCoordinator, key: GuardKey) -> None:
        """Key and name from the guard's key."""
        super().__init__(coordinator, f"guard_{key}")
        self._attr_translation_key = f"guard_{key}"
        self._key = key

    def _guard(self) -> GuardCondition | None:
        return next((guard for guard in self.coordinator.data.guards if guard.key is self._key), None)

    @property
    def is_on(self) -> bool | None:
        """Whether the condition holds."""
        guard = self._guard()
        return None if guard is None else guard.ok

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """Measured value, threshold and the effect on the plan."""
        guard = self._guard()
        if guard is None:
            return {}
        return {"value": guard.value, "threshold": guard.threshold, "effect": guard.effect.value}


class JmaWarningBinarySensorEntity(CoordinatorEntity[JmaWarningCoordinator], BinarySensorEntity):
    """The agency's warnings for the chosen area: on while a storm-relevant one is in force."""

    _attr_has_entity_name = True
    _attr_device_class = BinarySensorDeviceClass.SAFETY
    _attr_translation_key = "weather_warning"

    def __init__(self, coordinator: JmaWarningCoordinator) -> None:
        """One per Home energy entry."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{HOME_ENERGY_UNIQUE_ID}_weather_warning"
        self._attr_device_info = home_energy_device_info()

    @property
    def is_on(self) -> bool | None:
        """A storm-relevant warning is in force."""
        return any(is_storm_relevant(warning) for warning in self.coordinator.data.warnings)

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """The active warnings (kind and level) and the report time, as the agency published them."""
        report = self.coordinator.data
        return {
            "office": self.coordinator.office,
            "report_time": report.report_time.isoformat(),
            "warnings": [{"code": w.code, "kind": w.kind, "level": w.level} for w in report.warnings],
        }


def setup_home_energy_binary_sensors(
    hass: HomeAssistant, entry: HomeEnergyConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """A sensor per guard; the warning sensor when the agency's feed is the warning source."""
    runtime = entry.runtime_data
    entities: list[BinarySensorEntity] = [GuardBinarySensorEntity(runtime.coordinator, key) for key in GuardKey]
    if runtime.jma is not None:
        entities.append(JmaWarningBinarySensorEntity(runtime.jma))
    entities += solar_charge_binary_sensors(runtime.solar_charge)
    add(entities)
