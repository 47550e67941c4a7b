"""Base entity of ECHONET Lite device objects, the DeviceInfo builders and the run-time entity adder."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import EchonetLanConfigEntry, EchonetObjectCoordinator, signal_new_object
from .ha_compat import link_via_device
from .lib.broute.readings import MeterIdentity
from .lib.echonet.discovery import Node
from .lib.echonet.makers import manufacturer_name
from .lib.echonet.specs.datatypes import Value
from .lib.echonet.specs.registry import class_spec
from .lib.errors import UnsupportedError
from .meter_coordinator import SmartMeterCoordinator


def manufacturer_label(code: int | None) -> str:
    """The maker's name from the ECHONET maker-code table, else "Unknown (0xNNNNNN)"."""
    name = manufacturer_name(code)
    if name is not None:
        return name
    return "Unknown" if code is None else f"Unknown (0x{code:06X})"


def node_device_info(node: Node) -> DeviceInfo:
    """The device of a node: identity 0x83, maker, product code, production number, ECHONET Lite version."""
    identity = node.identity
    manufacturer = manufacturer_label(identity.manufacturer_code)
    return DeviceInfo(
        identifiers={(DOMAIN, identity.node_id)},
        manufacturer=manufacturer,
        model=identity.product_code,
        name=f"{manufacturer} {identity.product_code}" if identity.product_code else manufacturer,
        serial_number=identity.production_number,
        sw_version=identity.version,
    )


def object_offers(coordinator: EchonetObjectCoordinator, epc: int, class_ids: frozenset[int] | None) -> bool:
    """Whether an entity reading `epc` of the given classes (None: any class) belongs to this object: its class
    matches and its Get map lists the EPC."""
    return (class_ids is None or coordinator.class_id in class_ids) and epc in coordinator.info.get_map


def object_device_info(coordinator: EchonetObjectCoordinator) -> DeviceInfo:
    """The device of one object (battery, EcoCute, ...), linked to its node's device."""
    info = coordinator.info
    node = coordinator.node
    try:
        translation_key = class_spec(info.eoj.class_id).key
    except UnsupportedError:
        translation_key = "device_object"
    maker = info.manufacturer_code if info.manufacturer_code is not None else node.identity.manufacturer_code
    device_info = DeviceInfo(
        identifiers={(DOMAIN, coordinator.object_id)},
        manufacturer=manufacturer_label(maker),
        model=node.identity.product_code,
        model_id=f"0x{info.eoj.class_id:04X}",
        hw_version=f"Appendix {info.release}" if info.release else None,
        translation_key=translation_key,
        translation_placeholders={"eoj": str(info.eoj)},
    )
    return link_via_device(coordinator.hass, device_info, (DOMAIN, node.node_id))


class EchonetObjectEntity(CoordinatorEntity[EchonetObjectCoordinator]):
    """An entity of one device object; `epcs` are read by every poll of its coordinator."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: EchonetObjectCoordinator, key: str, epcs: Iterable[int]) -> None:
        """Unique id = object id (node identity + EOJ) + semantic key."""
        super().__init__(coordinator)
        coordinator.want(epcs)
        self._attr_unique_id = f"{coordinator.object_id}_{key}"
        self._attr_device_info = object_device_info(coordinator)

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


def meter_device_info(identity: MeterIdentity) -> DeviceInfo:
    """The smart meter: keyed by its EUI-64 (hardware identity), maker from the ECHONET maker-code table."""
    return DeviceInfo(
        identifiers={(DOMAIN, identity.stable_id)},
        manufacturer=manufacturer_label(identity.manufacturer_code),
        model_id="0x0288",
        serial_number=identity.serial_number,
        hw_version=f"Appendix {identity.appendix_release}" if identity.appendix_release else None,
        translation_key="smart_meter",
    )


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
