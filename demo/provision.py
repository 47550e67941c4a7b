"""Steps against a running Home Assistant: onboarding, network, config flows, dashboards, statistics, token."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
import json
import logging
import time
from typing import Any, Final

from virtual_home.clock import JST

from .config import DEMO_NAME, DEMO_PASSWORD, DEMO_USERNAME
from .errors import DemoError
from .ha_api import RestApi, WebSocketApi
from .history import HourlyEnergy, statistics_rows
from .layout import (
    SOLAR_CHARGE_SWITCH,
    Device,
    EnergySelection,
    Entity,
    devices_from,
    entities_from,
    solar_charge_entity,
)

_LOGGER = logging.getLogger(__name__)

DOMAIN: Final = "echonet_hems"
LOOPBACK: Final = "127.0.0.1"  # the virtual home's interface
HOME_DASHBOARD: Final = "echonet-home"
# The Home energy entry the demo creates: the simulated home sells its PV surplus (余剰買取) and buys on TEPCO's
# "Smart Life S" time-of-use plan (a preset of the integration, lib/energy/tariff_presets.py).
HOME_ENERGY_CHOICES: Final = {"contract": "surplus", "tariff": "tepco-smart-life-s"}


async def onboard(api: RestApi, language: str = "en", password: str = DEMO_PASSWORD) -> str:
    """Create the demo owner and finish every onboarding step; returns an access token of the owner."""
    step = "onboarding"
    user = await api.request(
        step,
        "POST",
        "/api/onboarding/users",
        json={
            "client_id": api.client_id,
            "name": DEMO_NAME,
            "username": DEMO_USERNAME,
            "password": password,
            "language": language,
        },
    )
    api.token = await api.token_from_code(user["auth_code"])
    # "core_config" is done already (config.onboarding_store); configuration.yaml holds its answers.
    await api.request(step, "POST", "/api/onboarding/analytics", json={})
    await api.request(
        step, "POST", "/api/onboarding/integration", json={"client_id": api.client_id, "redirect_uri": api.client_id}
    )
    return api.token


async def set_profile(ws: WebSocketApi, language: str) -> None:
    """The demo user's profile: `language` for the interface, and days in the home's (server's) time zone.

    A browser elsewhere would otherwise page the Energy dashboard by its own days, not the Japanese home's.
    """
    await ws.command(
        "setting the demo user's language and time zone",
        "frontend/set_user_data",
        key="language",
        value={
            "language": language,
            "number_format": "language",
            "time_format": "language",
            "date_format": "language",
            "time_zone": "server",
            "first_weekday": "language",
        },
    )


async def wait_until_running(ws: WebSocketApi, within: float) -> None:
    """Home Assistant answers HTTP early in its start; integrations are set up when its state is RUNNING."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        config = await ws.command("waiting for Home Assistant to finish starting", "get_config")
        if config.get("state") == "RUNNING":
            return
        await asyncio.sleep(1.0)
    raise DemoError("waiting for Home Assistant to finish starting", f"not RUNNING after {within:.0f} s")


async def enable_loopback(ws: WebSocketApi) -> None:
    """Add the loopback adapter to HA's enabled network adapters (the virtual home lives on 127.0.0.x).

    HA enables only the adapter of its default route; the LAN flow lists enabled adapters only.
    """
    step = "enabling the loopback network adapter"
    network = await ws.command(step, "network")
    enabled = [adapter["name"] for adapter in network["adapters"] if adapter["enabled"]]
    loopback = [
        adapter["name"]
        for adapter in network["adapters"]
        if any(ipv4["address"] == LOOPBACK for ipv4 in adapter.get("ipv4", []))
    ]
    if not loopback:
        raise DemoError(step, f"no adapter with {LOOPBACK} among {[a['name'] for a in network['adapters']]}")
    if loopback[0] not in enabled:
        await ws.command(step, "network/configure", config={"configured_adapters": [*enabled, loopback[0]]})


async def _flow_step(api: RestApi, step: str, flow_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await api.request(step, "POST", f"/api/config/config_entries/flow/{flow_id}", json=data)
    return result


async def _start_flow(api: RestApi, step: str) -> dict[str, Any]:
    result: dict[str, Any] = await api.request(
        step, "POST", "/api/config/config_entries/flow", json={"handler": DOMAIN, "show_advanced_options": False}
    )
    if result.get("type") != "menu":
        raise DemoError(step, f"expected the menu, got {result}")
    return result


def _created_entry_id(step: str, result: Mapping[str, Any]) -> str:
    if result.get("type") != "create_entry":
        raise DemoError(step, f"the flow did not create an entry: {_describe(result)}")
    return str(result["result"]["entry_id"])


def _describe(result: Mapping[str, Any]) -> str:
    if result.get("type") == "form":
        return f"form {result.get('step_id')} with errors {result.get('errors')}"
    if result.get("type") == "abort":
        return f"aborted: {result.get('reason')}"
    return str(result)


async def add_lan_entry(api: RestApi) -> str:
    """ "ECHONET Lite network" through the real flow: menu → lan (loopback interface) → confirm; the entry id."""
    step = "adding the ECHONET Lite network entry (config flow)"
    menu = await _start_flow(api, step)
    form = await _flow_step(api, step, menu["flow_id"], {"next_step_id": "lan"})
    if form.get("type") != "form":
        raise DemoError(step, _describe(form))
    # Options are adapters by name ("lo"), labelled with their address ("lo (127.0.0.1)").
    choices = {
        option["value"]: option["label"]
        for field in form["data_schema"]
        if field["name"] == "interface"
        for option in field["selector"]["select"]["options"]
    }
    loopback = next((value for value, label in choices.items() if f"({LOOPBACK})" in label), None)
    if loopback is None:
        raise DemoError(step, f"the interface list {list(choices.values())} lacks {LOOPBACK}")
    found = await _flow_step(api, step, menu["flow_id"], {"interface": loopback, "addresses": ""})
    if found.get("type") != "form" or found.get("step_id") != "lan_confirm":
        raise DemoError(step, f"the search found nothing on {LOOPBACK}: {_describe(found)}")
    _LOGGER.info("found: %s devices", found.get("description_placeholders", {}).get("count"))
    return _created_entry_id(step, await _flow_step(api, step, menu["flow_id"], {}))


async def add_meter_entry(api: RestApi, port: str, route_b_id: str, password: str) -> str | None:
    """ "Smart meter (B-route)" through the real flow (joins the meter); None when this integration has no such step."""
    step = "adding the smart meter (B-route) entry (config flow)"
    menu = await _start_flow(api, step)
    if "broute" not in menu.get("menu_options", []):
        await api.request(step, "DELETE", f"/api/config/config_entries/flow/{menu['flow_id']}")
        return None
    form = await _flow_step(api, step, menu["flow_id"], {"next_step_id": "broute"})
    if form.get("type") != "form":
        raise DemoError(step, _describe(form))
    result = await _flow_step(
        api, step, menu["flow_id"], {"port": port, "route_b_id": route_b_id, "route_b_password": password}
    )
    return _created_entry_id(step, result)


async def add_home_energy_entry(api: RestApi, choices: Mapping[str, str] = HOME_ENERGY_CHOICES) -> str:
    """ "Home energy" through the real flow: menu → home_energy → contract and tariff → solar charge's devices and
    reserves (as offered); the entry id."""
    step = "adding the Home energy entry (config flow)"
    menu = await _start_flow(api, step)
    if "home_energy" not in menu.get("menu_options", []):
        await api.request(step, "DELETE", f"/api/config/config_entries/flow/{menu['flow_id']}")
        raise DemoError(step, f"the menu has no home_energy step: {menu.get('menu_options')}")
    form = await _flow_step(api, step, menu["flow_id"], {"next_step_id": "home_energy"})
    if form.get("type") != "form":
        raise DemoError(step, _describe(form))
    solar_charge = await _flow_step(api, step, menu["flow_id"], dict(choices))
    if solar_charge.get("type") != "form" or solar_charge.get("step_id") != "solar_charge":
        raise DemoError(step, f"expected solar charge's step: {_describe(solar_charge)}")
    # Solar charge's devices and reserves as offered (the first device found of each kind, the defaults).
    return _created_entry_id(step, await _flow_step(api, step, menu["flow_id"], {}))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A calendar day of the home (Japan time) as [start, end)."""
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    return start, start + timedelta(days=1)


def hours_with_change(result: Mapping[str, Sequence[Mapping[str, Any]]], statistic_ids: Sequence[str]) -> int:
    """The fewest hourly rows with a change among `statistic_ids` (`recorder/statistics_during_period`)."""
    return min(
        (
            sum(1 for row in result.get(statistic_id, []) if row.get("change") is not None)
            for statistic_id in statistic_ids
        ),
        default=0,
    )


async def wait_for_day_of_statistics(ws: WebSocketApi, statistic_ids: Sequence[str], day: date, within: float) -> None:
    """Until the recorder holds all 24 hours of `day` for every statistic (an import is queued, not written, when
    `recorder/import_statistics` returns; the Home energy entry reads the day when it is set up)."""
    step = f"waiting for the imported statistics of {day.isoformat()}"
    start, end = day_bounds(day)
    deadline = time.monotonic() + within
    while True:
        result = await ws.command(
            step,
            "recorder/statistics_during_period",
            start_time=start.isoformat(),
            end_time=end.isoformat(),
            statistic_ids=list(statistic_ids),
            period="hour",
            types=["change"],
        )
        hours = hours_with_change(result, statistic_ids)
        if hours >= 24:
            return
        if time.monotonic() > deadline:
            raise DemoError(step, f"only {hours} of 24 hours after {within:.0f} s for {list(statistic_ids)}")
        await asyncio.sleep(1.0)


def meter_poll_seconds(form: Mapping[str, Any], speed: float) -> int | None:
    """The meter's poll interval for a demo at `speed`: its default scaled to simulated time, no lower than the
    options form allows (radio air time is limited); None when the default is right (real time)."""
    field = next((item for item in form.get("data_schema", []) if item.get("name") == "scan_interval"), None)
    if field is None or speed <= 1.0:
        return None
    default = float(field.get("default", 10))
    minimum = float(field.get("selector", {}).get("number", {}).get("min", 1))
    return int(max(minimum, round(default / speed)))


async def scale_meter_poll(api: RestApi, entry_id: str, speed: float) -> int | None:
    """Set the meter entry's poll interval for the demo's speed through its real options flow; the seconds set."""
    step = "setting the smart meter's poll interval (options flow)"
    form = await api.request(step, "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id})
    seconds = meter_poll_seconds(form, speed) if form.get("type") == "form" else None
    if seconds is None:
        await api.request(step, "DELETE", f"/api/config/config_entries/options/flow/{form['flow_id']}")
        return None
    result = await api.request(
        step, "POST", f"/api/config/config_entries/options/flow/{form['flow_id']}", json={"scan_interval": seconds}
    )
    if result.get("type") != "create_entry":
        raise DemoError(step, _describe(result))
    return seconds


async def integration_entities(ws: WebSocketApi, step: str) -> list[Entity]:
    """The integration's enabled entities with their states."""
    registry = await ws.command(step, "config/entity_registry/list")
    states = await ws.command(step, "get_states")
    return entities_from(registry, states, DOMAIN)


async def integration_devices(ws: WebSocketApi, step: str, entry_ids: Sequence[str]) -> list[Device]:
    """The devices of the demo's entries."""
    return devices_from(await ws.command(step, "config/device_registry/list"), entry_ids)


async def import_demo_history(
    ws: WebSocketApi, selection: EnergySelection, entities: Sequence[Entity], history: HourlyEnergy
) -> list[str]:
    """Import the simulated past for the selected energy sensors (complete hours before the demo's start); their ids.

    Rows of hours Home Assistant compiled itself in the meantime are replaced (the import upserts by hour).
    """
    step = "importing the simulated past as statistics"
    if not history.hours:
        return []
    by_id = {entity.entity_id: entity for entity in entities}
    imported = []
    for statistic_id in selection.statistic_ids:
        quantity = selection.quantities.get(statistic_id)
        entity = by_id.get(statistic_id)
        if quantity is None or entity is None or quantity not in history.wh:
            continue  # not a sensor of the simulated home (e.g. the meter's own 30-minute statistics)
        current = entity.numeric_state or 0.0
        unit = str(entity.attributes.get("unit_of_measurement", "kWh"))
        scale = {"Wh": 1000.0, "kWh": 1.0, "MWh": 0.001}.get(unit, 1.0)
        rows = statistics_rows(history.hours, history.wh[quantity], current / scale)
        for row in rows:
            row["state"] = round(row["state"] * scale, 4)
            row["sum"] = round(row["sum"] * scale, 4)
        await ws.command(
            step,
            "recorder/import_statistics",
            metadata={
                "has_mean": False,
                "has_sum": True,
                "name": None,
                "source": "recorder",
                "statistic_id": statistic_id,
                "unit_of_measurement": unit,
            },
            stats=rows,
        )
        imported.append(statistic_id)
    return imported


SWITCH_TIMEOUT: Final = 30.0  # the switch's state follows the action at once; slack for a busy machine


async def turn_on_solar_charge(ws: WebSocketApi, entities: Sequence[Entity]) -> str:
    """Switch solar charge's control on (it ships off: a dry run) with `switch.turn_on`, as a user would, and wait
    until the switch reads on; its entity id."""
    step = "turning solar charge on"
    switch = solar_charge_entity(entities, SOLAR_CHARGE_SWITCH)
    if switch is None:
        raise DemoError(step, "the Home energy entry has no solar charge switch")
    await ws.command(step, "call_service", domain="switch", service="turn_on", target={"entity_id": switch.entity_id})
    deadline = time.monotonic() + SWITCH_TIMEOUT
    while True:
        states = await ws.command(step, "get_states")
        state = next((item.get("state") for item in states if item["entity_id"] == switch.entity_id), None)
        if state == "on":
            return switch.entity_id
        if time.monotonic() > deadline:
            raise DemoError(step, f"{switch.entity_id} is {state} after {SWITCH_TIMEOUT:.0f} s")
        await asyncio.sleep(1.0)


async def create_dashboard(ws: WebSocketApi, config: Mapping[str, Any]) -> str:
    """A storage-mode dashboard in the sidebar with `config`; its URL path."""
    step = "creating the home dashboard"
    dashboards = await ws.command(step, "lovelace/dashboards/list")
    if not any(dashboard["url_path"] == HOME_DASHBOARD for dashboard in dashboards):
        await ws.command(
            step,
            "lovelace/dashboards/create",
            url_path=HOME_DASHBOARD,
            title="ECHONET Lite home",
            icon="mdi:home-lightning-bolt",
            show_in_sidebar=True,
            require_admin=False,
            mode="storage",
        )
    await ws.command(step, "lovelace/config/save", url_path=HOME_DASHBOARD, config=dict(config))
    return dashboard_view("home")


def dashboard_view(view: str) -> str:
    """The URL path of the home dashboard's view `view` (its `path`)."""
    return f"/{HOME_DASHBOARD}/{view}"


# The demo's token is for scripts talking to this demo only: it is revoked when the demo stops (`revoke_token`), and
# should a demo die without stopping, it expires by itself within days instead of the ten years HA's UI offers.
DEMO_TOKEN_CLIENT: Final = "echonet_hems demo (revoked when the demo stops)"
DEMO_TOKEN_DAYS: Final = 7


async def long_lived_token(ws: WebSocketApi) -> str:
    """A long-lived access token for scripts, scoped to this demo (see `DEMO_TOKEN_CLIENT`)."""
    token = await ws.command(
        "creating a long-lived access token",
        "auth/long_lived_access_token",
        client_name=DEMO_TOKEN_CLIENT,
        lifespan=DEMO_TOKEN_DAYS,
    )
    return str(token)


def refresh_token_id(access_token: str) -> str:
    """The id of the refresh token behind a Home Assistant access token: its JWT names it in the `iss` claim."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["iss"])
    except (IndexError, KeyError, TypeError, ValueError) as err:
        raise DemoError("revoking the demo's access token", f"not a Home Assistant access token: {err!r}") from err


async def revoke_token(ws: WebSocketApi, access_token: str) -> None:
    """Delete the refresh token behind `access_token`. Home Assistant closes the connections it authenticated right
    away, sometimes before the result is sent: the caller confirms by logging in again (`DemoError` either way)."""
    await ws.command(
        "revoking the demo's access token", "auth/delete_refresh_token", refresh_token_id=refresh_token_id(access_token)
    )
