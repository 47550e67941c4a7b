"""Repair issues of the ECHONET Lite network entry: raised with the condition, deleted when it is gone.

(The smart meter's "held by another controller" issue lives with its coordinator, `meter_coordinator`.)
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import CONF_INTERFACE, DOMAIN

ISSUE_PORT_IN_USE: Final = "port_in_use"
ISSUE_NO_MULTICAST: Final = "no_multicast_answers"


def lan_issue(hass: HomeAssistant, entry: ConfigEntry[Any], key: str, *, active: bool) -> None:
    """Raise (`active`) or delete the repair `key` of a LAN entry."""
    issue_id = f"{key}_{entry.entry_id}"
    if not active:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR if key == ISSUE_PORT_IN_USE else ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"title": entry.title, "interface": str(entry.data.get(CONF_INTERFACE, ""))},
    )
