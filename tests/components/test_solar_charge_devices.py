"""Solar charge's device choice, through the real options flow on the virtual home: one select per kind listing what
the LAN entry found (name, address, what can be set), "not controlled", a chosen device that is gone reported (status
at once, a repair after 10 minutes) and never replaced by another one; the executor's memory of a device (what to hand
back) stays with that device when the choice changes."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import (
    CONF_BATTERY_DEVICE,
    CONF_CONTRACT,
    CONF_EV_DEVICE,
    CONF_HOT_WATER_RESERVE,
    CONF_TARIFF,
    CONF_WATER_HEATER_DEVICE,
    DEFAULT_TARIFF,
    DOMAIN,
    NOT_CONTROLLED,
)
from custom_components.echonet_hems.diagnostics import async_get_config_entry_diagnostics
from custom_components.echonet_hems.home_energy_runtime import HomeEnergyRuntimeData
from custom_components.echonet_hems.lib.echonet.ids import EV_CHARGER, V2H
from custom_components.echonet_hems.lib.energy.commands import DeviceRole
from custom_components.echonet_hems.lib.energy.devices import WaterHeaterParams
from custom_components.echonet_hems.lib.energy.executor import DeviceState
from custom_components.echonet_hems.lib.energy.solar_charge import Device
from custom_components.echonet_hems.object_coordinator import EchonetObjectCoordinator
from custom_components.echonet_hems.solar_charge_coordinator import (
    MISSING_REPAIR_AFTER,
    find_devices,
    planner_settings,
)
from custom_components.echonet_hems.solar_charge_devices import ISSUE_DEVICE_MISSING, candidates
from custom_components.echonet_hems.solar_charge_executor import Executor, comfort
from virtual_home.runtime import VirtualHome

from .test_home_energy import entity_id, set_up, set_up_lan
from .test_home_energy_flow import home_energy_entry

pytestmark = pytest.mark.usefixtures("mock_adapters")
# A battery that is not in the virtual home: a node id (identification number) and the battery's EOJ.
GONE_BATTERY = "FE00000B" + "00" * 12 + "-027D01"
SETTINGS = {
    "battery_reserve": 20,
    "ev_departure": "07:30:00",
    "ev_arrival": "18:00:00",
    "ev_target_kwh": 30.0,
    "ev_trip_kwh": 8.0,
    "ev_battery_kwh": 40.0,
}


async def _solar_charge_form(hass: HomeAssistant, entry: MockConfigEntry) -> FlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "solar_charge"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "solar_charge"
    return result


def _field(result: FlowResult, key: str) -> tuple[Any, dict[str, str]]:
    """The default of the form's field `key` and its options (value → label)."""
    for marker, selector in result["data_schema"].schema.items():  # type: ignore[union-attr]
        if marker == key:
            return marker.default(), {option["value"]: option["label"] for option in selector.config["options"]}
    raise AssertionError(f"no field {key}")


def _runtime(entry: MockConfigEntry) -> HomeEnergyRuntimeData:
    runtime = entry.runtime_data
    assert isinstance(runtime, HomeEnergyRuntimeData)
    return runtime


async def test_the_form_lists_the_found_devices_and_the_choice_drives_the_plan(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry()
    await set_up(hass, entry)
    found = candidates(hass)
    evs = found[Device.EV]
    assert {ev.class_id for ev in evs} == {V2H, EV_CHARGER}  # the virtual home has both

    form = await _solar_charge_form(hass, entry)
    default, options = _field(form, CONF_EV_DEVICE)
    assert default == evs[0].object_id  # without a choice: the first found, as before
    assert list(options) == [evs[0].object_id, evs[1].object_id, NOT_CONTROLLED]
    assert options[NOT_CONTROLLED] == "Not controlled"
    for ev in evs:
        name, address, settable = options[ev.object_id].split(" · ")
        assert address == ev.node.address
        assert name  # the device's name in Home Assistant
        assert "operation mode" in settable
    battery_default, battery_options = _field(form, CONF_BATTERY_DEVICE)
    battery = found[Device.BATTERY][0]
    assert battery_default == battery.object_id
    assert battery_options[battery.object_id] == (
        f"Storage battery · {battery.node.address} · operation mode, charge power, discharge power"
    )
    heater_default, heater_options = _field(form, CONF_WATER_HEATER_DEVICE)
    assert heater_default == found[Device.WATER_HEATER][0].object_id
    assert heater_options[heater_default].endswith(" · manual heating, daytime reheat, daytime heating timer")

    other_ev = evs[1]
    result = await hass.config_entries.options.async_configure(
        form["flow_id"],
        {
            **SETTINGS,
            CONF_BATTERY_DEVICE: battery.object_id,
            CONF_WATER_HEATER_DEVICE: NOT_CONTROLLED,
            CONF_EV_DEVICE: other_ev.object_id,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_EV_DEVICE] == other_ev.object_id
    await hass.async_block_till_done()  # the entry reloads with the new options
    solar = _runtime(entry).solar_charge
    await solar.async_refresh()
    assert solar.data.devices == {Device.BATTERY, Device.EV}  # "not controlled": the EcoCute is left out
    assert solar.data.missing == frozenset()
    assert find_devices(hass, solar.settings.devices)[Device.EV] is other_ev  # not the first found
    assert find_devices(hass)[Device.EV] is evs[0]  # without a choice: the first found

    again = await _solar_charge_form(hass, entry)  # the form shows the choice now stored
    assert _field(again, CONF_EV_DEVICE)[0] == other_ev.object_id
    assert _field(again, CONF_WATER_HEATER_DEVICE)[0] == NOT_CONTROLLED


async def test_a_chosen_device_that_is_gone_is_reported_never_replaced(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry(**{CONF_BATTERY_DEVICE: GONE_BATTERY})
    await set_up(hass, entry)
    solar = _runtime(entry).solar_charge
    assert candidates(hass)[Device.BATTERY]  # the home has a battery, but not the chosen one
    assert Device.BATTERY not in solar.data.devices
    assert solar.data.missing == {Device.BATTERY}
    status = hass.states.get(entity_id(hass, "solar_charge_status"))
    assert status is not None
    assert status.attributes["missing_devices"] == ["battery"]
    issues = ir.async_get(hass)
    issue_id = f"{ISSUE_DEVICE_MISSING}_battery"
    assert issues.async_get_issue(DOMAIN, issue_id) is None  # not at once: discovery may still be under way

    later = dt_util.utcnow() + MISSING_REPAIR_AFTER + timedelta(seconds=1)
    solar.clock = lambda: later
    await solar.async_refresh()
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"device": "Battery", "name": GONE_BATTERY}

    dump = await async_get_config_entry_diagnostics(hass, entry)
    assert dump["entry"]["options"][CONF_BATTERY_DEVICE] == "**REDACTED**-027D01"
    assert dump["solar_charge"]["missing_devices"] == ["battery"]

    # The form keeps the stored choice (marked), next to the battery found now; choosing that one clears the repair.
    form = await _solar_charge_form(hass, entry)
    default, options = _field(form, CONF_BATTERY_DEVICE)
    assert default == GONE_BATTERY
    assert options[GONE_BATTERY] == f"{GONE_BATTERY} · not found now"
    battery = candidates(hass)[Device.BATTERY][0]
    values = {key: value for key, value in entry.options.items() if key in SETTINGS}
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {**SETTINGS, **values, CONF_BATTERY_DEVICE: battery.object_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    solar = _runtime(entry).solar_charge
    await solar.async_refresh()
    assert Device.BATTERY in solar.data.devices
    assert solar.data.missing == frozenset()


async def test_the_executor_never_applies_one_devices_state_to_another(hass: HomeAssistant) -> None:
    entry = home_energy_entry()
    entry.add_to_hass(hass)
    executor = Executor(hass, entry)
    old, new = (
        cast(EchonetObjectCoordinator, SimpleNamespace(object_id="A-027D01")),
        cast(EchonetObjectCoordinator, SimpleNamespace(object_id="B-027D01")),
    )
    remembered = DeviceState(controlling=True, baseline={0xDA: "automatic"}, seen={0xDA: "charging"})
    heater = DeviceState(baseline={0xB0: "automatic_water_heating_function_used"})
    executor.pin_devices({DeviceRole.BATTERY: old})
    executor.state = executor.state.with_device(DeviceRole.BATTERY, remembered)
    executor.state = executor.state.with_device(DeviceRole.WATER_HEATER, heater)
    executor.pin_devices({DeviceRole.BATTERY: old})  # the same device: its state stays
    assert executor.state.device(DeviceRole.BATTERY) == remembered
    await executor.async_save()

    restarted = Executor(hass, entry)  # after a restart the state is still the old battery's
    await restarted.async_load()
    assert restarted.objects == {DeviceRole.BATTERY: "A-027D01"}
    assert restarted.state.device(DeviceRole.BATTERY) == remembered
    restarted.pin_devices({DeviceRole.BATTERY: new})  # the user chose another battery
    assert restarted.state.device(DeviceRole.BATTERY) == DeviceState()  # its baseline is not the new one's
    assert restarted.state.device(DeviceRole.WATER_HEATER) == heater  # other roles keep theirs
    assert restarted.objects == {DeviceRole.BATTERY: "B-027D01"}


async def test_setting_up_home_energy_offers_the_devices_and_the_reserves(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    """The config flow's second step is solar charge's: the devices the LAN entry found, the battery and hot-water
    reserves and the car's usual day; what the user picks is the entry's options, and the hot-water reserve reaches
    the executor's comfort rule and the plan's tank floor. A number that is not finite is refused, nothing lost."""
    await set_up_lan(hass, lan_entry)
    evs = candidates(hass)[Device.EV]
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "home_energy"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CONTRACT: "surplus", CONF_TARIFF: DEFAULT_TARIFF}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "solar_charge"
    default, options = _field(result, CONF_EV_DEVICE)
    assert default == evs[0].object_id
    assert list(options) == [evs[0].object_id, evs[1].object_id, NOT_CONTROLLED]
    assert _field_default(result, CONF_HOT_WATER_RESERVE) == 100

    chosen = {
        **SETTINGS,
        CONF_HOT_WATER_RESERVE: 180,
        CONF_EV_DEVICE: evs[1].object_id,
        CONF_WATER_HEATER_DEVICE: NOT_CONTROLLED,
    }
    refused = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**chosen, CONF_HOT_WATER_RESERVE: float("nan")}
    )
    assert refused["type"] is FlowResultType.FORM
    assert refused["errors"] == {CONF_HOT_WATER_RESERVE: "not_a_number"}
    created = await hass.config_entries.flow.async_configure(result["flow_id"], chosen)
    assert created["type"] is FlowResultType.CREATE_ENTRY
    entry = created["result"]
    assert entry.options[CONF_EV_DEVICE] == evs[1].object_id
    assert entry.options[CONF_WATER_HEATER_DEVICE] == NOT_CONTROLLED
    assert entry.options[CONF_TARIFF] == DEFAULT_TARIFF  # the first step's choices are kept
    await hass.async_block_till_done()
    solar = _runtime(entry).solar_charge
    assert solar.settings.hot_water_reserve_l == 180
    assert find_devices(hass, solar.settings.devices)[Device.EV] is evs[1]
    now = dt_util.utcnow()
    limits = comfort(solar.settings.battery_reserve_pct, solar.settings.ev, None, now, hot_water_reserve_l=180)
    assert limits.hot_water_reserve_l == 180
    heater = WaterHeaterParams(tank_l=460.0)
    assert planner_settings(heater, 180).tank_floor_fraction > planner_settings(heater, 100).tank_floor_fraction


def _field_default(result: FlowResult, key: str) -> Any:
    for marker in result["data_schema"].schema:  # type: ignore[union-attr]
        if marker == key:
            return marker.default()
    raise AssertionError(f"no field {key}")
