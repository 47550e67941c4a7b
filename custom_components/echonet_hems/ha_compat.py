"""What differs between the Home Assistant versions we support, detected by feature rather than by version number.

The floor is 2025.4; the code must keep working on the newest release (checked statically by `scripts/check_ha_static`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

# `OptionsFlowWithReload` (Home Assistant 2025.8) reloads the entry when an options flow changed its options. Where it
# exists the entry must not have an update listener: 2026.11 logs a deprecation when `async_update_reload_and_abort`
# (reauth, reconfigure) updates an entry that has one, 2026.12 stops supporting it, and `OptionsFlowWithReload`
# refuses it. Before 2025.8 an update listener is the only way an options change reloads the entry.
OPTIONS_FLOW_RELOADS: Final = hasattr(config_entries, "OptionsFlowWithReload")

if TYPE_CHECKING:
    ReloadingOptionsFlow = config_entries.OptionsFlow
else:
    ReloadingOptionsFlow = getattr(config_entries, "OptionsFlowWithReload", config_entries.OptionsFlow)
"""Base of our options flows: `OptionsFlowWithReload` where it exists, else `OptionsFlow` (and an update listener)."""

# `DeviceInfo(via_device_id=...)` (the parent's device-registry id) replaces `via_device=` (the parent's identifier),
# which is deprecated and removed in Home Assistant 2027.8. The device info lists the keys it accepts.
VIA_DEVICE_ID: Final = "via_device_id" in getattr(dr.DeviceInfo, "__optional_keys__", frozenset())


def link_via_device(hass: HomeAssistant, device_info: dr.DeviceInfo, parent: tuple[str, str]) -> dr.DeviceInfo:
    """Link a device to its parent device (given by identifier) in the way the running Home Assistant accepts.

    With `via_device_id` the parent must already be registered; when it is not, the link is left out.
    """
    # A TypedDict before `via_device_id`, a dataclass with item access since: both take `[key] = value`.
    fields = cast("MutableMapping[str, Any]", device_info)
    if VIA_DEVICE_ID:
        parent_device = dr.async_get(hass).async_get_device(identifiers={parent})
        if parent_device is not None:
            fields["via_device_id"] = parent_device.id
    else:
        fields["via_device"] = parent
    return device_info


def has_native_temperatures(entity_class: type) -> bool:
    """Whether a climate/water-heater base class reads `native_*` temperatures (the old names go in 2027.11)."""
    return hasattr(entity_class, "native_current_temperature")
