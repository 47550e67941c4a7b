"""The PV outlook with a real recorder: the array's size learned from the PV sensor's statistics, clouds from a
weather entity's hourly forecast, the figures as sensors and as the Energy dashboard's solar forecast."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, time, timedelta
import json
from typing import Any, cast
from unittest.mock import patch

from homeassistant.components.recorder.models import StatisticData, StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
import voluptuous as vol

from custom_components.echonet_hems.const import CONF_WEATHER_ENTITY, DOMAIN
from custom_components.echonet_hems.energy import async_get_solar_forecast
from custom_components.echonet_hems.home_energy_forecast import async_hourly_history
from custom_components.echonet_hems.home_energy_runtime import HomeEnergyRuntimeData
from custom_components.echonet_hems.home_energy_sources import Role
from custom_components.echonet_hems.lib.energy.commands import DeviceRole
from custom_components.echonet_hems.lib.energy.executor import EventKind, HandBackReason
from custom_components.echonet_hems.lib.energy.forecast import PVSite, clear_sky_pv_kw
from custom_components.echonet_hems.lib.energy.pv_outlook import day_histories
from custom_components.echonet_hems.lib.energy.solar_charge import Device
from custom_components.echonet_hems.lib.energy.tariff import JST
from custom_components.echonet_hems.solar_charge_coordinator import SolarChargeCoordinator, ev_params, find_devices
from custom_components.echonet_hems.solar_charge_devices import capability_words
from custom_components.echonet_hems.solar_charge_executor import capabilities
from virtual_home.clock import ManualClock
from virtual_home.physics.battery import BatteryMode
from virtual_home.physics.ev import ChargerMode
from virtual_home.runtime import HomeOptions, VirtualHome

from .conftest import SEED
from .test_home_energy import set_up, set_up_lan, state
from .test_home_energy_flow import home_energy_entry

pytestmark = pytest.mark.usefixtures("mock_adapters")
KWP = 4.0  # the array the imported history describes: the clear-sky model × 4


@pytest.fixture(autouse=True)
def auto_enable(recorder_mock: object, enable_custom_integrations: None, socket_enabled: None) -> None:
    """The recorder must exist before Home Assistant starts."""


def _pv_energy_entity(hass: HomeAssistant) -> str:
    registry = er.async_get(hass)
    found = [
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and entry.unique_id.endswith("-027901_generation_energy")
    ]
    assert found
    return found[0]


def _energy_metadata(statistic_id: str) -> StatisticMetaData:
    metadata: dict[str, Any] = {
        "has_mean": False,
        "mean_type": StatisticMeanType.NONE,
        "has_sum": True,
        "name": None,
        "source": "recorder",
        "statistic_id": statistic_id,
        "unit_of_measurement": "kWh",
    }
    if "unit_class" in StatisticMetaData.__annotations__:
        metadata["unit_class"] = "energy"
    return cast(StatisticMetaData, metadata)


async def _import_clear_days(hass: HomeAssistant, statistic_id: str, days: int) -> None:
    """`days` clear past days of a KWP array, hourly, as the PV energy sensor's long-term statistics."""
    site = PVSite(latitude=hass.config.latitude, longitude=hass.config.longitude, capacity_kw=1.0)
    today = dt_util.now().astimezone(JST).replace(hour=0, minute=0, second=0, microsecond=0)
    rows: list[StatisticData] = []
    total = 0.0
    for hour in range(days * 24):
        start = today - timedelta(days=days) + timedelta(hours=hour)
        halves = clear_sky_pv_kw(start, 2, site)
        total += KWP * sum(halves) / 2.0
        rows.append(StatisticData(start=start, state=total, sum=total))
    async_import_statistics(hass, _energy_metadata(statistic_id), rows)
    await async_wait_recording_done(hass)


async def test_an_hour_without_a_row_loses_no_energy_of_the_day(hass: HomeAssistant) -> None:
    """Two PV sensors; one has no row for yesterday 11:00 (unavailable all that hour), and its running sum puts that
    hour's energy into its 12:00 row. The day still counts for the outlook, with all of its energy: the other sensor's
    11:00 energy is carried into 12:00, not dropped with the hour."""
    midnight = dt_util.now().astimezone(JST).replace(hour=0, minute=0, second=0, microsecond=0)
    per_hour = {"sensor.pv_east": 1.0, "sensor.pv_west": 0.5}  # kWh in each hour from 08:00 to 15:00
    for statistic_id, kwh in per_hour.items():
        rows: list[StatisticData] = []
        total = 0.0
        for hour in range(48):
            start = midnight - timedelta(days=2) + timedelta(hours=hour)
            total += kwh if 8 <= start.hour < 16 else 0.0
            if statistic_id == "sensor.pv_west" and hour == 24 + 11:
                continue
            rows.append(StatisticData(start=start, state=total, sum=total))
        async_import_statistics(hass, _energy_metadata(statistic_id), rows)
    await async_wait_recording_done(hass)

    history = await async_hourly_history(hass, list(per_hour), [], [], dt_util.utcnow())
    yesterday = history[-1]
    assert yesterday.day == (midnight - timedelta(days=1)).date()
    assert yesterday.pv_kwh[11] is None
    assert yesterday.pv_kwh[12] == pytest.approx(3.0)  # both sensors' 11:00 and 12:00
    site = PVSite(latitude=hass.config.latitude, longitude=hass.config.longitude, capacity_kw=1.0)
    days = {record.day: record.pv_kwh for record in day_histories(history, site)}
    assert days[yesterday.day] == pytest.approx(12.0)
    assert days[history[-2].day] == pytest.approx(12.0)


async def _weather(hass: HomeAssistant, cloud_coverage: int) -> None:
    """A template weather entity whose hourly forecast has the given cloud cover for the next two days."""
    now = dt_util.now().replace(minute=0, second=0, microsecond=0)
    hours = [
        {"datetime": (now + timedelta(hours=h)).isoformat(), "condition": "cloudy", "cloud_coverage": cloud_coverage}
        for h in range(48)
    ]
    config = {
        "weather": [
            {
                "platform": "template",
                "name": "Home",
                "condition_template": "cloudy",
                "temperature_template": "{{ 20 }}",
                "humidity_template": "{{ 50 }}",
                "forecast_hourly_template": "{{ " + json.dumps(hours) + " }}",
            }
        ]
    }
    assert await async_setup_component(hass, "weather", config)
    await hass.async_block_till_done()


async def test_outlook_from_history_and_weather(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    await _import_clear_days(hass, _pv_energy_entity(hass), 4)
    await _weather(hass, 100)
    entry = home_energy_entry()
    runtime = await set_up(hass, entry, at=dt_util.utcnow())
    assert runtime.forecast.data is not None
    assert runtime.forecast.data.system_factor == pytest.approx(KWP, rel=0.02)
    assert not runtime.forecast.data.weather_used
    clear_tomorrow = float(state(hass, "pv_forecast_tomorrow"))
    assert clear_tomorrow > 5.0

    # A fully overcast forecast: Kasten-Czeplak leaves a quarter of the clear-sky energy.
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_WEATHER_ENTITY: "weather.home"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    reloaded = entry.runtime_data
    assert isinstance(reloaded, HomeEnergyRuntimeData)
    assert reloaded.forecast.data is not None
    assert reloaded.forecast.data.weather_used
    overcast = float(state(hass, "pv_forecast_tomorrow"))
    assert overcast == pytest.approx(clear_tomorrow * 0.25, rel=0.05)
    outlook = hass.states.get(
        er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "home_energy_pv_forecast_tomorrow") or ""
    )
    assert outlook is not None
    assert outlook.attributes["status"] == "weather"

    forecast = await async_get_solar_forecast(hass, entry.entry_id)
    assert forecast is not None
    total_kwh = sum(forecast["wh_hours"].values()) / 1000.0
    assert total_kwh == pytest.approx(float(state(hass, "pv_forecast_today_remaining")) + overcast, rel=0.01, abs=0.01)
    assert all(datetime.fromisoformat(hour).minute == 0 for hour in forecast["wh_hours"])
    assert await async_get_solar_forecast(hass, "not-an-entry") is None


async def test_no_outlook_without_history(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry()
    await set_up(hass, entry)
    assert state(hass, "pv_forecast_tomorrow") == "unknown"
    assert await async_get_solar_forecast(hass, entry.entry_id) is None


async def test_solar_charge_plans_and_shows_the_plan_with_control_off(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    await _import_clear_days(hass, _pv_energy_entity(hass), 3)
    entry = home_energy_entry()
    runtime = await set_up(hass, entry, at=dt_util.utcnow())
    solar = runtime.solar_charge
    await solar.async_refresh()
    await hass.async_block_till_done()
    assert solar.data.plan is not None, solar.data.error
    assert solar.data.devices == {Device.BATTERY, Device.WATER_HEATER, Device.EV}
    registry = er.async_get(hass)

    def entity(domain: str, key: str) -> str:
        found = registry.async_get_entity_id(domain, DOMAIN, f"home_energy_solar_charge_{key}")
        assert found is not None, key
        return found

    switch = hass.states.get(entity("switch", "solar_charge"))
    assert switch is not None
    assert switch.state == "off"  # control ships off
    status = hass.states.get(entity("sensor", "status"))
    assert status is not None
    assert status.state == "off"  # a dry run: the plan is shown
    assert len(status.attributes["plan"]["slots"]) == 96
    mode = hass.states.get(entity("select", "mode_water_heater"))
    assert mode is not None
    assert mode.state == "follow_plan"
    assert hass.states.get(entity("sensor", "battery_planned_power")) is not None
    assert hass.states.get(entity("binary_sensor", "water_heater_should_run")) is not None
    reason_state = hass.states.get(entity("sensor", "water_heater_reason"))
    assert reason_state is not None
    assert reason_state.state in reason_state.attributes["options"]

    calendar_id = entity("calendar", "plan")
    start = dt_util.utcnow()
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": calendar_id, "start_date_time": start, "end_date_time": start + timedelta(days=2)},
        blocking=True,
        return_response=True,
    )
    assert events is not None
    assert events[calendar_id]["events"]  # the EcoCute or the battery runs somewhere in two sunny days
    titles = [event["summary"] for event in events[calendar_id]["events"]]  # type: ignore[index,union-attr]
    assert all(title.split(":")[0] in {"EcoCute", "Battery", "EV"} for title in titles), titles

    await hass.services.async_call("switch", "turn_on", {"entity_id": entity("switch", "solar_charge")}, blocking=True)
    await hass.async_block_till_done()
    turned = hass.states.get(entity("sensor", "status"))
    assert turned is not None
    assert turned.state in {"running", "idle", "no_history", "storm_reserve"}
    assert solar.control_on


async def test_solar_charge_actions(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> None:
    assert await async_setup_component(hass, DOMAIN, {})  # the actions exist without any entry
    with pytest.raises(ServiceValidationError) as missing:
        await hass.services.async_call(DOMAIN, "get_plan", {}, blocking=True, return_response=True)
    assert missing.value.translation_key == "no_solar_charge"

    await set_up_lan(hass, lan_entry)
    await _import_clear_days(hass, _pv_energy_entity(hass), 3)
    runtime = await set_up(hass, home_energy_entry(), at=dt_util.utcnow())
    solar = runtime.solar_charge

    planned = await hass.services.async_call(DOMAIN, "plan_now", {}, blocking=True, return_response=True)
    assert planned is not None
    assert planned["status"] == "off"
    assert len(planned["plan"]["slots"]) == 96  # type: ignore[index,arg-type]
    got = await hass.services.async_call(DOMAIN, "get_plan", {}, blocking=True, return_response=True)
    assert got is not None
    assert got["plan"] == planned["plan"]
    why = await hass.services.async_call(DOMAIN, "explain", {}, blocking=True, return_response=True)
    assert why is not None
    assert set(why["devices"]) >= {"water_heater", "battery", "ev", "guards"}  # type: ignore[arg-type]
    assert why["control_on"] is False

    with pytest.raises(ServiceValidationError) as past:
        await hass.services.async_call(
            DOMAIN, "set_ev_trip", {"departure": "2020-01-01 08:00:00", "energy_kwh": 20}, blocking=True
        )
    assert past.value.translation_key == "time_in_past"
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN, "set_ev_trip", {"departure": "tomorrow", "energy_kwh": -3}, blocking=True
        )
    departure = dt_util.now() + timedelta(hours=20)
    await hass.services.async_call(
        DOMAIN, "set_ev_trip", {"departure": departure.isoformat(), "energy_kwh": 25}, blocking=True
    )
    assert solar.one_off_trip is not None
    assert solar.one_off_trip[1] == 25.0

    until = (dt_util.now() + timedelta(hours=1)).isoformat()
    await hass.services.async_call(
        DOMAIN, "override", {"device": "ev", "mode": "force_off", "until": until}, blocking=True
    )
    await hass.async_block_till_done()
    select_id = er.async_get(hass).async_get_entity_id("select", DOMAIN, "home_energy_solar_charge_mode_ev")
    assert select_id is not None
    select = hass.states.get(select_id)
    assert select is not None
    assert select.state == "force_off"

    registry = er.async_get(hass)
    departure_id = registry.async_get_entity_id("time", DOMAIN, "home_energy_solar_charge_ev_departure")
    target_id = registry.async_get_entity_id("number", DOMAIN, "home_energy_solar_charge_ev_target")
    assert departure_id is not None
    assert target_id is not None
    await hass.services.async_call("time", "set_value", {"entity_id": departure_id, "time": "06:15:00"}, blocking=True)
    await hass.services.async_call("number", "set_value", {"entity_id": target_id, "value": 33}, blocking=True)
    assert solar.settings.ev.departure == time(6, 15)
    assert solar.settings.ev.target_kwh == 33.0
    departure_state = hass.states.get(departure_id)
    assert departure_state is not None
    assert departure_state.state == "06:15:00"

    await hass.services.async_call(DOMAIN, "pause", {"device": "battery"}, blocking=True)
    assert solar.data.status.key.value == "paused"
    await hass.services.async_call(DOMAIN, "resume", {}, blocking=True)
    assert solar.data.status.key.value != "paused"


async def _step(hass: HomeAssistant, lan_entry: MockConfigEntry, solar: SolarChargeCoordinator) -> None:
    """Poll every object (the executor sees what the devices hold), then one solar-charge step."""
    for coordinator in list(lan_entry.runtime_data.coordinators.values()):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    await solar.async_refresh()
    await hass.async_block_till_done()


async def _battery_forced_to_charge(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> tuple[HomeEnergyRuntimeData, SolarChargeCoordinator]:
    """The LAN and Home energy entries with three days of PV history, solar charge's control on and the battery
    forced to charge, one step taken (the battery charges)."""
    await set_up_lan(hass, lan_entry)
    await _import_clear_days(hass, _pv_energy_entity(hass), 3)
    runtime = await set_up(hass, home_energy_entry(), at=dt_util.utcnow())
    solar = runtime.solar_charge
    solar.modes[Device.BATTERY] = "force_on"
    solar.async_set_control(True)
    await _step(hass, lan_entry, solar)
    assert home.home.battery is not None
    assert home.home.battery.mode is BatteryMode.CHARGE
    return runtime, solar


async def test_solar_charge_writes_pauses_on_a_hand_change_and_hands_back(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    await _import_clear_days(hass, _pv_energy_entity(hass), 3)
    runtime = await set_up(hass, home_energy_entry(), at=dt_util.utcnow())
    solar = runtime.solar_charge
    battery = home.home.battery
    assert battery is not None
    before = battery.mode
    # Dry run: nothing is written while control is off.
    await _step(hass, lan_entry, solar)
    assert not any(event.kind is EventKind.WROTE for _, event in solar.executor.history)

    # Control on, the battery forced to charge: the executor writes its mode and the device follows.
    solar.modes[Device.BATTERY] = "force_on"
    solar.async_set_control(True)
    await _step(hass, lan_entry, solar)
    wrote = [event for _, event in solar.executor.history if event.kind is EventKind.WROTE]
    assert any(event.role is DeviceRole.BATTERY for event in wrote), solar.executor.history
    assert battery.mode is BatteryMode.CHARGE

    # Someone sets the battery back to automatic by hand (a device that stops charging on its own, i.e. goes to
    # standby, is tolerated): solar charge pauses it and says so.
    battery.mode = BatteryMode.AUTO
    await _step(hass, lan_entry, solar)
    kinds = {event.kind for _, event in solar.executor.history}
    assert EventKind.HAND_CHANGE_PAUSED in kinds
    assert battery.mode is BatteryMode.AUTO  # left as the user set it
    notifications = hass.states.async_all("persistent_notification")
    assert notifications or "persistent_notification" not in hass.config.components

    # Resumed and then control off: the battery goes back to what it had before we first wrote.
    await hass.services.async_call(DOMAIN, "resume", {"device": "battery"}, blocking=True)
    await _step(hass, lan_entry, solar)
    assert battery.mode is BatteryMode.CHARGE  # following the forced mode again
    solar.async_set_control(False)
    await _step(hass, lan_entry, solar)
    assert battery.mode is before


@pytest.fixture
async def current_set_home() -> AsyncIterator[VirtualHome]:
    """A home whose only EV charger (0x02A1) takes its charging current (0xED), not its power, at 21:00 (car home)."""
    evening = datetime(2026, 5, 20, 21, 0, tzinfo=JST)
    options = HomeOptions(
        start=evening,
        base_address="127.0.0.210",
        history_days=0,
        seed=SEED,
        ev_charger_discharger=False,
        ev_charger_current_setting=True,
    )
    async with VirtualHome(options, clock=ManualClock(evening)) as virtual_home:
        yield virtual_home


async def test_a_charger_set_by_its_current_is_planned_modulating_and_driven_by_its_current(
    hass: HomeAssistant, current_set_home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    (evse,) = current_set_home.home.ev_chargers
    await set_up_lan(hass, lan_entry)
    # Its current is a number entity (0.1-A steps up to 0xCA's 15 A); set to 7 A by hand before solar charge.
    current = next(
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN and entry.unique_id.endswith("-02A101_charging_current_setting")
    )
    assert hass.states.get(current).attributes["max"] == 15.0  # type: ignore[union-attr]
    await hass.services.async_call("number", "set_value", {"entity_id": current, "value": 7.0}, blocking=True)
    assert evse.power_setting_w == 1400.0
    await _import_clear_days(hass, _pv_energy_entity(hass), 3)
    runtime = await set_up(hass, home_energy_entry(), at=dt_util.utcnow())
    solar = runtime.solar_charge
    solar.modes[Device.EV] = "force_on"
    solar.async_set_control(True)
    await _step(hass, lan_entry, solar)  # solar charge chooses the charger and asks for its ranges
    await _step(hass, lan_entry, solar)
    charger = find_devices(hass)[Device.EV]
    # 7-15 A (0xCA) at 200 V (0xD2): the planner gets a 1.4-3 kW modulating charger, and the device choice says what
    # can be set.
    params = ev_params(charger, 20.0)
    assert (params.modulating, params.min_power_kw, params.max_power_kw) == (True, 1.4, 3.0)
    assert capability_words(capabilities(charger)) == ("operation_mode", "charge_current")
    assert evse.mode is ChargerMode.CHARGE
    assert evse.power_setting_w == 3000.0  # 15 A written: full power
    solar.async_set_control(False)
    await _step(hass, lan_entry, solar)
    assert evse.power_setting_w == 1400.0  # handed back: the 7 A set by hand


async def test_stale_pv_data_hands_devices_back_and_control_resumes_when_it_returns(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: meter/PV data stale for 10 minutes hands every device back. Found wiring the soak: the executor took
    fresh data from the controlled devices only, so a PV (or meter) outage never handed anything back."""
    # By day: Home Assistant runs on the wall clock here, and at night a silent PV is not stale data (see
    # test_home_energy_sources.py).
    monkeypatch.setattr("custom_components.echonet_hems.home_energy_sources.pv_expected", lambda *_: True)
    battery = home.home.battery
    assert battery is not None
    before = battery.mode
    runtime, solar = await _battery_forced_to_charge(hass, home, lan_entry)

    # The PV power sensor goes unavailable (its node stops answering) and the last fresh data is 11 minutes old.
    (pv_power,) = runtime.coordinator.sources.by_role[Role.PV_POWER]
    hass.states.async_set(pv_power, STATE_UNAVAILABLE)
    solar.executor.state = replace(solar.executor.state, last_data=dt_util.utcnow() - timedelta(minutes=11))
    await solar.async_refresh()
    await hass.async_block_till_done()
    handed = [e for _, e in solar.executor.history if e.kind is EventKind.HANDED_BACK]
    assert DeviceRole.BATTERY in {e.role for e in handed}
    assert {e.detail for e in handed} == {HandBackReason.DATA_STALE}
    assert battery.mode is before

    # The PV node answers again: control resumes and the battery is forced to charge again.
    await _step(hass, lan_entry, solar)
    assert battery.mode is BatteryMode.CHARGE
    assert solar.executor.history[-1][1].kind is EventKind.WROTE


async def test_home_assistant_stopping_hands_the_devices_back(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    """Found wiring the soak: the stop listener was a lambda returning the hand-back coroutine, which Home Assistant
    ran as an executor job (a plain function), so the coroutine was never awaited and nothing was handed back."""
    battery = home.home.battery
    assert battery is not None
    before = battery.mode
    _, solar = await _battery_forced_to_charge(hass, home, lan_entry)

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert battery.mode is before
    handed = [e for _, e in solar.executor.history if e.kind is EventKind.HANDED_BACK]
    assert DeviceRole.BATTERY in {e.role for e in handed}
    # With the reason the logbook shows: the master switch is still on, so not "master_off".
    assert solar.control_on
    assert {e.detail for e in handed} == {HandBackReason.STOPPED}


async def test_state_is_saved_when_it_changes_and_the_ledger_while_it_keeps_changing(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    """Found by the 30-day soak's memory trace (the harness keeps every storage write): the executor's state was saved
    at every 30-s step, since it holds the time of the last fresh data; on a real disk that is a file write every
    30 s. And the Home energy ledger asked for a save 60 s ahead at every 30-s update, which Home Assistant's Store
    postpones to the newest call: it was written only at a clean stop, so a power cut lost the ledger back to then."""
    battery = home.home.battery
    assert battery is not None
    runtime, solar = await _battery_forced_to_charge(hass, home, lan_entry)

    executor_store = solar.executor._store  # what is asked of the store is the point
    with patch.object(executor_store, "async_delay_save", wraps=executor_store.async_delay_save) as saves:
        quiet = 0
        for _ in range(3):
            before = saves.call_count
            await _step(hass, lan_entry, solar)
            if not solar.executor.last_events:  # nothing happened: fresh data and a plan only
                quiet += 1
                assert saves.call_count == before
        assert quiet >= 1
        battery.mode = BatteryMode.AUTO  # a hand change: paused, which a restart must remember
        await _step(hass, lan_entry, solar)
        assert saves.call_count >= 1

    ledger_store = runtime.coordinator._store
    with patch.object(ledger_store, "async_delay_save", wraps=ledger_store.async_delay_save) as saves:
        for _ in range(3):  # updates closer together than the save's delay
            await runtime.coordinator.async_refresh()
        # At most once per minute (set-up's updates may have asked already): the pending write is not pushed back.
        assert saves.call_count <= 1
