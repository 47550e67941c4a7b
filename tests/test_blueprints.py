"""The automation blueprints in `blueprints/automation/echonet_hems/`: each one passes Home Assistant's own blueprint
checks (as when a user imports it by URL and when Home Assistant loads it from disk), a broken one does not, and each
one, used by an automation, does what it says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import importer
from homeassistant.components.blueprint.errors import InvalidBlueprint
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed, async_mock_service
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.echonet_hems.const import DOMAIN

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "blueprints" / "automation" / "echonet_hems"
BLUEPRINTS = sorted(FOLDER.glob("*.yaml"))
GITHUB = "https://github.com/echonet-hems/echonet_hems/blob/main/"
RAW = "https://raw.githubusercontent.com/echonet-hems/echonet_hems/main/"
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=dt_util.UTC)


def load(path: Path) -> Blueprint:
    """Load a blueprint file the way Home Assistant loads the automation blueprints it has on disk."""
    return Blueprint(
        yaml_util.load_yaml_dict(str(path)),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_the_four_blueprints_are_there() -> None:
    """Storm reserve, plan-change notice, EV departure question, surplus follower."""
    assert [path.stem for path in BLUEPRINTS] == [
        "ev_departure_ask",
        "plan_change_notify",
        "storm_reserve",
        "surplus_follower",
    ]


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_blueprint_passes_home_assistants_schema(path: Path) -> None:
    """Valid for the automation domain, every `!input` defined, its source URL is its place in the repository."""
    blueprint = load(path)
    assert blueprint.domain == "automation"
    assert blueprint.metadata["source_url"] == GITHUB + path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
async def test_blueprint_imports_by_url(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, path: Path) -> None:
    """Home Assistant's importer fetches the file behind the GitHub URL (its raw form) and accepts it."""
    relative = path.relative_to(REPO).as_posix()
    aioclient_mock.get(RAW + relative, text=path.read_text(encoding="utf-8"))
    imported = await importer.fetch_blueprint_from_url(hass, GITHUB + relative)
    assert imported.blueprint.domain == "automation"
    assert imported.suggested_filename == f"echonet-hems/{path.stem}"


def test_a_broken_blueprint_is_refused(tmp_path: Path) -> None:
    """The checks can fail: an `!input` without its definition, and a selector Home Assistant does not know."""
    text = (FOLDER / "storm_reserve.yaml").read_text(encoding="utf-8")
    missing = tmp_path / "missing_input.yaml"
    missing.write_text(
        text.replace("    fill_tank:\n      name:", "    fill_tank_renamed:\n      name:"), encoding="utf-8"
    )
    with pytest.raises(InvalidBlueprint, match="Missing input definition for fill_tank"):
        load(missing)
    selector = tmp_path / "bad_selector.yaml"
    selector.write_text(text.replace("        boolean:\n", "        no_such_selector:\n", 1), encoding="utf-8")
    with pytest.raises(InvalidBlueprint):
        load(selector)


# --- each blueprint at work in an automation --------------------------------------------------------------------------


async def use(hass: HomeAssistant, tmp_path: Path, name: str, inputs: dict[str, Any]) -> None:
    """An automation from the blueprint with these inputs (the blueprints copied into a config folder of our own)."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(FOLDER, tmp_path / "blueprints" / "automation" / "echonet_hems")
    config = {"automation": [{"use_blueprint": {"path": f"echonet_hems/{name}.yaml", "input": inputs}}]}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    automations = hass.states.async_entity_ids("automation")
    assert len(automations) == 1
    assert hass.states.get(automations[0]).state == "on"  # an invalid config gives an unavailable automation


def _calls_data(calls: list[ServiceCall]) -> list[dict[str, Any]]:
    return [dict(call.data) for call in calls]


def _targets(calls: list[ServiceCall]) -> list[str]:
    return [entity for call in calls for entity in call.data["entity_id"]]


async def test_storm_warning_forces_charging_and_hands_back(hass: HomeAssistant, tmp_path: Path) -> None:
    """Warning on: battery and tank forced on, then a re-plan; warning off: both follow the plan again."""
    override = async_mock_service(hass, DOMAIN, "override")
    plan_now = async_mock_service(
        hass, DOMAIN, "plan_now", response={"status": "idle"}, supports_response=SupportsResponse.ONLY
    )
    hass.states.async_set("binary_sensor.storm", "off")
    await use(hass, tmp_path, "storm_reserve", {"warning": "binary_sensor.storm"})
    hass.states.async_set("binary_sensor.storm", "on")
    await hass.async_block_till_done()
    assert _calls_data(override) == [
        {"device": "battery", "mode": "force_on"},
        {"device": "water_heater", "mode": "force_on"},
    ]
    assert len(plan_now) == 1
    hass.states.async_set("binary_sensor.storm", "off")
    await hass.async_block_till_done()
    assert _calls_data(override)[2:] == [
        {"device": "battery", "mode": "follow_plan"},
        {"device": "water_heater", "mode": "follow_plan"},
    ]
    assert len(plan_now) == 2


async def test_storm_warning_battery_only(hass: HomeAssistant, tmp_path: Path) -> None:
    """Without the tank and without a re-plan: one override, nothing else."""
    override = async_mock_service(hass, DOMAIN, "override")
    plan_now = async_mock_service(hass, DOMAIN, "plan_now", response={}, supports_response=SupportsResponse.ONLY)
    hass.states.async_set("binary_sensor.storm", "off")
    inputs = {"warning": "binary_sensor.storm", "fill_tank": False, "plan_now": False}
    await use(hass, tmp_path, "storm_reserve", inputs)
    hass.states.async_set("binary_sensor.storm", "on")
    await hass.async_block_till_done()
    assert _calls_data(override) == [{"device": "battery", "mode": "force_on"}]
    assert plan_now == []


async def test_plan_change_is_notified_but_a_run_starting_is_not(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """A future run moved by an hour or cancelled → a message; a run whose start has passed, or a small shift → none."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(NOW)  # Wednesday 21:00 in Tokyo
    notify = async_mock_service(hass, "notify", "phone")
    sensor = "sensor.solar_charge_water_heater_next_start"

    def next_start(value: str) -> None:
        hass.states.async_set(sensor, value, {"friendly_name": "EcoCute next start", "device_class": "timestamp"})

    next_start((NOW + timedelta(hours=2)).isoformat())
    inputs = {"next_start": [sensor], "notify_action": "notify.phone", "min_shift": 15}
    await use(hass, tmp_path, "plan_change_notify", inputs)

    next_start((NOW + timedelta(hours=3)).isoformat())
    await hass.async_block_till_done()
    assert len(notify) == 1
    assert notify[0].data["message"] == "EcoCute next start: the run moves from Wed 23:00 to Thu 00:00."

    next_start((NOW + timedelta(hours=3, minutes=5)).isoformat())  # 5 min: not worth a message
    await hass.async_block_till_done()
    next_start("unknown")  # cancelled
    await hass.async_block_till_done()
    assert len(notify) == 2
    assert notify[1].data["message"] == "EcoCute next start: the run at Thu 00:05 is cancelled."

    next_start((NOW - timedelta(minutes=30)).isoformat())
    await hass.async_block_till_done()
    next_start((NOW + timedelta(hours=20)).isoformat())  # the run began: the next one is shown
    await hass.async_block_till_done()
    assert len(notify) == 2


async def settle(condition: Callable[[], bool]) -> None:
    """Let the loop run until `condition` holds. (`async_block_till_done` would wait for the automation's run, which
    waits for the phone's answer: a run paused in `wait_for_trigger` never settles.)"""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the automation did not get there")


async def test_ev_plugged_in_asks_and_sets_the_trip(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """Plugged in → three buttons (Android's most); the answer "07:00" (already past today) → tomorrow 07:00."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(NOW)  # 21:00 in Tokyo
    phone_entry = MockConfigEntry(domain="mobile_app")
    phone_entry.add_to_hass(hass)
    phone = dr.async_get(hass).async_get_or_create(
        config_entry_id=phone_entry.entry_id, identifiers={("mobile_app", "phone-1")}, name="My Phone"
    )
    notify = async_mock_service(hass, "notify", "mobile_app_my_phone")
    trip = async_mock_service(hass, DOMAIN, "set_ev_trip")
    hass.states.async_set("binary_sensor.car_connected", "off")
    inputs = {"plugged": "binary_sensor.car_connected", "phone": phone.id, "energy_kwh": 12}
    await use(hass, tmp_path, "ev_departure_ask", inputs)

    hass.states.async_set("binary_sensor.car_connected", "on")
    await settle(lambda: len(notify) == 1)
    buttons = notify[0].data["data"]["actions"]
    assert [button["title"] for button in buttons] == ["07:00", "08:30", "Another time…"]
    hass.bus.async_fire("mobile_app_notification_action", {"action": buttons[0]["action"]})
    await settle(lambda: len(trip) == 1)
    departure = dt_util.parse_datetime(str(trip[0].data["departure"]))
    assert departure == datetime(2026, 5, 21, 7, 0, tzinfo=dt_util.get_time_zone("Asia/Tokyo"))
    assert float(trip[0].data["energy_kwh"]) == 12.0


async def test_ev_typed_answer_and_nonsense(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """A typed "23:15" is later today; a typed "soon" sets nothing."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(NOW)
    phone_entry = MockConfigEntry(domain="mobile_app")
    phone_entry.add_to_hass(hass)
    phone = dr.async_get(hass).async_get_or_create(
        config_entry_id=phone_entry.entry_id, identifiers={("mobile_app", "phone-1")}, name="My Phone"
    )
    notify = async_mock_service(hass, "notify", "mobile_app_my_phone")
    trip = async_mock_service(hass, DOMAIN, "set_ev_trip")
    hass.states.async_set("binary_sensor.car_connected", "off")
    await use(hass, tmp_path, "ev_departure_ask", {"plugged": "binary_sensor.car_connected", "phone": phone.id})
    for question, (reply, expected) in enumerate((("soon", 0), ("23:15", 1)), start=1):
        hass.states.async_set("binary_sensor.car_connected", "on")
        await settle(lambda question=question: len(notify) == question)
        typed = notify[-1].data["data"]["actions"][2]
        assert typed["behavior"] == "textInput"
        hass.bus.async_fire("mobile_app_notification_action", {"action": typed["action"], "reply_text": reply})
        await hass.async_block_till_done()  # the run has its answer: it ends (with or without a trip)
        assert len(trip) == expected
        hass.states.async_set("binary_sensor.car_connected", "off")
        await hass.async_block_till_done()
    departure = dt_util.parse_datetime(str(trip[0].data["departure"]))
    assert departure == datetime(2026, 5, 20, 23, 15, tzinfo=dt_util.get_time_zone("Asia/Tokyo"))


async def _advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float) -> None:
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()


async def test_surplus_follower_pv_minus_house(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """On after the surplus has lasted 5 minutes (not before), off after the shortfall has lasted 5 minutes."""
    freezer.move_to(NOW)
    turn_on = async_mock_service(hass, "switch", "turn_on")
    turn_off = async_mock_service(hass, "switch", "turn_off")
    hass.states.async_set("sensor.pv", "0.4", {"unit_of_measurement": "kW"})
    hass.states.async_set("sensor.house", "600", {"unit_of_measurement": "W"})
    hass.states.async_set("switch.dehumidifier", "off")
    inputs = {"plug": "switch.dehumidifier", "pv_power": "sensor.pv", "house_power": "sensor.house"}
    await use(hass, tmp_path, "surplus_follower", inputs)

    hass.states.async_set("sensor.pv", "2.0", {"unit_of_measurement": "kW"})  # surplus 1400 W > 800 W
    await hass.async_block_till_done()
    await _advance(hass, freezer, 4)
    assert turn_on == []
    await _advance(hass, freezer, 1.5)
    assert _targets(turn_on) == ["switch.dehumidifier"]

    hass.states.async_set("sensor.house", "2300", {"unit_of_measurement": "W"})  # surplus −300 W < 0
    await hass.async_block_till_done()
    await _advance(hass, freezer, 5.5)
    assert _targets(turn_off) == ["switch.dehumidifier"]


async def test_surplus_follower_grid_export(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """With a grid sensor (+ import) the surplus is the export; a short export does nothing."""
    freezer.move_to(NOW)
    turn_on = async_mock_service(hass, "switch", "turn_on")
    hass.states.async_set("sensor.grid", "300", {"unit_of_measurement": "W"})
    hass.states.async_set("switch.pump", "off")
    inputs = {"plug": "switch.pump", "grid_power": "sensor.grid", "on_above": 500, "on_minutes": 10}
    await use(hass, tmp_path, "surplus_follower", inputs)
    hass.states.async_set("sensor.grid", "-900", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    await _advance(hass, freezer, 6)
    hass.states.async_set("sensor.grid", "-100", {"unit_of_measurement": "W"})  # the export fell before 10 min
    await hass.async_block_till_done()
    await _advance(hass, freezer, 6)
    assert turn_on == []
    hass.states.async_set("sensor.grid", "-0.7", {"unit_of_measurement": "kW"})
    await hass.async_block_till_done()
    await _advance(hass, freezer, 10.5)
    assert len(turn_on) == 1
