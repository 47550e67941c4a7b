"""Device-registry entries, built in one place: ECHONET Lite nodes, their device objects, and the smart meter.

What the device page shows is in words: the maker from the ECHONET maker-code table, the maker's product code as the
model, the ECHONET class by name, and "ECHONET Lite Appendix Release R" for the specification version an object follows.
"""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo

from .const import DOMAIN
from .ha_compat import link_via_device
from .lib.broute.readings import MeterIdentity
from .lib.echonet.discovery import Node
from .lib.echonet.ids import SMART_METER
from .lib.echonet.makers import manufacturer_name
from .lib.echonet.specs.registry import class_spec
from .lib.errors import UnsupportedError
from .object_coordinator import EchonetObjectCoordinator

SMART_METER_CLASS_NAME = "Low-voltage smart electric energy meter"


def class_label(class_id: int) -> str:
    """The ECHONET class as the model id: "ECHONET Lite class 0x027D" (the device's name already says what it is)."""
    return f"ECHONET Lite class 0x{class_id:04X}"


def appendix_label(release: str | None) -> str | None:
    """The specification version an object follows, in words ("ECHONET Lite Appendix Release R")."""
    return f"ECHONET Lite Appendix Release {release}" if release else None


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


def object_device_info(coordinator: EchonetObjectCoordinator) -> DeviceInfo:
    """The device of one object (battery, EcoCute, ...), linked to its node's device."""
    info = coordinator.info
    node = coordinator.node
    try:
        spec = class_spec(info.eoj.class_id)
    except UnsupportedError:
        translation_key, class_name = "device_object", class_label(info.eoj.class_id)
    else:
        translation_key, class_name = spec.key, spec.name_en
    maker = info.manufacturer_code if info.manufacturer_code is not None else node.identity.manufacturer_code
    device_info = DeviceInfo(
        identifiers={(DOMAIN, coordinator.object_id)},
        manufacturer=manufacturer_label(maker),
        # Model: the maker's product code where the node gives one, else what the object is.
        model=node.identity.product_code or class_name,
        model_id=class_label(info.eoj.class_id),
        hw_version=appendix_label(info.release),
        translation_key=translation_key,
        translation_placeholders={"eoj": str(info.eoj)},
    )
    # Linked to the node's device the way the running Home Assistant accepts (via_device_id from 2027.8 on).
    return link_via_device(coordinator.hass, device_info, (DOMAIN, node.node_id))


def meter_device_info(identity: MeterIdentity) -> DeviceInfo:
    """The smart meter: keyed by its EUI-64 (hardware identity), maker from the ECHONET maker-code table."""
    return DeviceInfo(
        identifiers={(DOMAIN, identity.stable_id)},
        manufacturer=manufacturer_label(identity.manufacturer_code),
        model=SMART_METER_CLASS_NAME,
        model_id=class_label(SMART_METER),
        serial_number=identity.serial_number,
        hw_version=appendix_label(identity.appendix_release),
        translation_key="smart_meter",
    )
