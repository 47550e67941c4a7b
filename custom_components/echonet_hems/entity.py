"""Base entities (ECHONET Lite device objects, the smart meter) and the run-time entity adder."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .device_info import meter_device_info, object_device_info
from .lan_hub import EchonetLanConfigEntry
from .lib.broute.readings import MeterIdentity
from .lib.echonet.specs.datatypes import Value
from .meter_coordinator import SmartMeterCoordinator
from .object_coordinator import EchonetObjectCoordinator, signal_new_object


def object_offers(coordinator: EchonetObjectCoordinator, epc: int, class_ids: frozenset[int] | None) -> bool:
    """Whether an entity reading `epc` of the given classes (None: any class) belongs to this object: its class
    matches and its Get map lists the EPC."""
    return (class_ids is None or coordinator.class_id in class_ids) and epc in coordinator.info.get_map


class EchonetObjectEntity(CoordinatorEntity[EchonetObjectCoordinator]):
    """An entity of one device object; `epcs` are read by every poll of its coordinator."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: EchonetObjectCoordinator, key: str, epcs: Iterable[int]) -> None:
        """Unique id = object id (node identity + EOJ) + semantic key."""
        super().__init__(coordinator)
        self._epcs = tuple(epcs)
        self._attr_unique_id = f"{coordinator.object_id}_{key}"
        self._attr_device_info = object_device_info(coordinator)

    async def async_added_to_hass(self) -> None:
        """Join the object's poll while added: a disabled entity is never added, and adds nothing to the poll."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.want(self._epcs))

    @property
    def available(self) -> bool:
        """Available while the object answers (and once it was read)."""
        return super().available and self.coordinator.data is not None

    def decoded(self, epc: int) -> Value:
        """The decoded value of one EPC of this object (None when unknown)."""
        return self.coordinator.decoded(epc)


def async_add_object_entities(
    hass: HomeAssistant,
    entry: EchonetLanConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[EchonetObjectCoordinator], Sequence[Entity]],
) -> None:
    """Add the entities of every known object now and of every object that appears later, without a restart."""

    @callback
    def add(coordinator: EchonetObjectCoordinator) -> None:
        entities = factory(coordinator)
        if entities:
            async_add_entities(entities)

    for coordinator in list(entry.runtime_data.coordinators.values()):
        add(coordinator)
    entry.async_on_unload(async_dispatcher_connect(hass, signal_new_object(entry.entry_id), add))


class SmartMeterEntity(CoordinatorEntity[SmartMeterCoordinator]):
    """An entity of the smart meter; unavailable while the B-route session is down."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SmartMeterCoordinator, identity: MeterIdentity, key: str) -> None:
        """Unique id = the meter's EUI-64 + semantic key."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{identity.stable_id}_{key}"
        self._attr_device_info = meter_device_info(identity)

    @property
    def available(self) -> bool:
        """Available while the session is up and the last poll worked."""
        return super().available and self.coordinator.connected
