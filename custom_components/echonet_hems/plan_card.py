"""The solar-charge plan card: a Lovelace card shipped inside the integration, registered by the integration itself.

The card is one plain ES module (`frontend/echonet-hems-plan-card.js`, no build step). We serve it as a static file and
add it to the frontend's extra modules, so every dashboard can use `type: custom:echonet-hems-plan-card` without a
separate download or a Lovelace resource. Its URL carries a digest of the file: a browser that cached an older card
fetches the new one after an update, while an unchanged card stays cached.

A small websocket command tells the card which sensors hold the past day's actual values (PV power, house power, the
battery's power and stored energy): the card cannot tell our battery from a V2H charger by the entity alone, the
integration's own source finder can.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Final

from homeassistant.components import websocket_api
from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN, HOME_ENERGY_UNIQUE_ID
from .home_energy_sources import Role, async_find_sources

CARD_FILE: Final = Path(__file__).parent / "frontend" / "echonet-hems-plan-card.js"
CARD_URL: Final = f"/{DOMAIN}/frontend/echonet-hems-plan-card.js"
WS_SOURCES: Final = f"{DOMAIN}/plan_card_sources"
_DIGEST_CHARS: Final = 12


def _digest(path: Path) -> str:
    """A short digest of the card's file (read in the executor: file I/O blocks)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:_DIGEST_CHARS]


async def async_register_plan_card(hass: HomeAssistant) -> str | None:
    """Serve the card and load it on every dashboard; returns the versioned module URL.

    Without the frontend (a test harness, recovery mode) there is nobody to draw the card: nothing is registered and
    None is returned. `frontend` is an after-dependency, so in a normal start it is set up before us.
    """
    if "frontend" not in hass.config.components or hass.http is None:
        return None
    digest = await hass.async_add_executor_job(_digest, CARD_FILE)
    # cache_headers: the URL changes with the content, so a long browser cache is safe.
    await hass.http.async_register_static_paths([StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)])
    url = f"{CARD_URL}?v={digest}"
    add_extra_js_url(hass, url)
    websocket_api.async_register_command(hass, _ws_sources)
    return url


def _house_power(registry: er.EntityRegistry) -> list[str]:
    """The Home energy entry's house power (its key depends on the contract mode)."""
    keys = (f"{HOME_ENERGY_UNIQUE_ID}_house_power", f"{HOME_ENERGY_UNIQUE_ID}_house_power_full")
    found = (registry.async_get_entity_id("sensor", DOMAIN, key) for key in keys)
    return [entity_id for entity_id in found if entity_id is not None]


def _battery_energy(registry: er.EntityRegistry) -> list[str]:
    """The batteries' stored energy (only the storage-battery class has a `stored_energy` sensor)."""
    return sorted(
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN
        and entry.domain == "sensor"
        and entry.disabled_by is None
        and entry.unique_id.endswith("_stored_energy")
    )


@callback
def async_plan_card_sources(hass: HomeAssistant) -> dict[str, list[str]]:
    """The sensors of the past day's actual values, per series the card draws."""
    registry = er.async_get(hass)
    sources = async_find_sources(hass)
    return {
        "pv_power": list(sources.by_role.get(Role.PV_POWER, ())),
        "house_power": _house_power(registry),
        "battery_power": list(sources.by_role.get(Role.BATTERY_POWER, ())),
        "battery_energy": _battery_energy(registry),
    }


@websocket_command({"type": WS_SOURCES})
@callback
def _ws_sources(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer the card's question: where are the actual values."""
    connection.send_result(msg["id"], async_plan_card_sources(hass))
