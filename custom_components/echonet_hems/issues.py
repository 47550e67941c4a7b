"""Repair issues: raised with their condition, deleted when it is gone; one per entry and kind of problem."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import CONF_INTERFACE, DOMAIN

ISSUE_PORT_IN_USE: Final = "port_in_use"
ISSUE_NO_MULTICAST: Final = "no_multicast_answers"
ISSUE_METER_BUSY: Final = "meter_busy"
# One per node and entry (raised by the LAN hub with its own placeholders): two live addresses claim one identity.
ISSUE_IDENTITY_CONFLICT: Final = "identity_conflict"
# Raised by the LAN hub: nodes discovery did not add on its own (too many objects, too many new nodes at once).
ISSUE_NODES_NOT_ADDED: Final = "nodes_not_added"
# Port in use and a meter held by another controller stop the entry; missing multicast answers may only slow it.
ERRORS: Final = frozenset({ISSUE_PORT_IN_USE, ISSUE_METER_BUSY})


def entry_issue(hass: HomeAssistant, entry: ConfigEntry[Any], key: str, *, active: bool) -> None:
    """Raise (`active`) or delete the repair `key` of `entry`."""
    issue_id = f"{key}_{entry.entry_id}"
    if not active:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR if key in ERRORS else ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"title": entry.title, "interface": str(entry.data.get(CONF_INTERFACE, ""))},
    )
