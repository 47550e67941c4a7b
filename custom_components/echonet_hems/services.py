"""Actions of solar charge: re-plan, read the plan, explain it, a one-off EV trip, per-device override, pause, resume.

Registered once in `async_setup`. Each validates its input with voluptuous (Home Assistant answers bad input with a
validation error, never a traceback) and answers a missing Home energy entry or a request that makes no sense with a
translated `ServiceValidationError`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType
import voluptuous as vol

from .const import CONF_KIND, DOMAIN, EntryKind
from .home_energy_runtime import HomeEnergyRuntimeData
from .lib.energy.commands import DeviceRole
from .lib.energy.executor import resume
from .lib.energy.solar_charge import Device, explain, plan_as_dict
from .solar_charge_coordinator import SolarChargeCoordinator
from .solar_charge_entities import MODES

SERVICE_PLAN_NOW = "plan_now"
SERVICE_GET_PLAN = "get_plan"
SERVICE_EXPLAIN = "explain"
SERVICE_SET_EV_TRIP = "set_ev_trip"
SERVICE_OVERRIDE = "override"
SERVICE_PAUSE = "pause"
SERVICE_RESUME = "resume"
ATTR_DEPARTURE = "departure"
ATTR_ENERGY = "energy_kwh"
ATTR_DEVICE = "device"
ATTR_MODE = "mode"
ATTR_UNTIL = "until"

_DEVICE = vol.In([device.value for device in Device])
EV_TRIP_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEPARTURE): cv.datetime,
        vol.Required(ATTR_ENERGY): vol.All(vol.Coerce(float), vol.Range(min=0.0, max=200.0)),
    }
)
OVERRIDE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE): _DEVICE, vol.Required(ATTR_MODE): vol.In(MODES), vol.Optional(ATTR_UNTIL): cv.datetime}
)
PAUSE_SCHEMA = vol.Schema({vol.Optional(ATTR_DEVICE): _DEVICE, vol.Optional(ATTR_UNTIL): cv.datetime})
RESUME_SCHEMA = vol.Schema({vol.Optional(ATTR_DEVICE): _DEVICE})


def _solar_charge(hass: HomeAssistant) -> SolarChargeCoordinator:
    for entry in hass.config_entries.async_entries(DOMAIN):
        runtime = getattr(entry, "runtime_data", None)
        if entry.data.get(CONF_KIND) == EntryKind.HOME_ENERGY and isinstance(runtime, HomeEnergyRuntimeData):
            return runtime.solar_charge
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_solar_charge")


def _aware(value: datetime) -> datetime:
    """A datetime from the action's data (naive means Home Assistant's time zone)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt_util.get_default_time_zone())


def _future(value: datetime, solar: SolarChargeCoordinator) -> datetime:
    when = _aware(value)
    try:
        # Home Assistant schedules in UTC: near the ends of the calendar (9999-12-31 23:59 west of Greenwich) a local
        # time has no UTC equivalent, and the timer would raise OverflowError long after the input was accepted.
        when.astimezone(UTC)
    except OverflowError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="time_out_of_range",
            translation_placeholders={"time": str(value)},
        ) from err
    if when <= solar.clock():
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="time_in_past", translation_placeholders={"time": str(value)}
        )
    return when


def _plan_response(solar: SolarChargeCoordinator) -> ServiceResponse:
    data = solar.data
    return {
        "status": data.status.key.value,
        "problem": data.error,
        "plan": cast("JsonObjectType", plan_as_dict(data.plan)) if data.plan is not None else None,
    }


async def _plan_now(call: ServiceCall) -> ServiceResponse:
    solar = _solar_charge(call.hass)
    await solar.async_refresh()
    return _plan_response(solar)


async def _get_plan(call: ServiceCall) -> ServiceResponse:
    return _plan_response(_solar_charge(call.hass))


async def _explain(call: ServiceCall) -> ServiceResponse:
    solar = _solar_charge(call.hass)
    data = solar.data
    if data.plan is None:
        return {"status": data.status.key.value, "problem": data.error, "devices": {}}
    return {
        "status": data.status.key.value,
        "control_on": solar.control_on,
        "modes": {device.value: solar.modes.get(device, "follow_plan") for device in Device},
        "devices": cast("JsonObjectType", explain(data.plan, solar.clock())),
    }


async def _set_ev_trip(call: ServiceCall) -> None:
    solar = _solar_charge(call.hass)
    if Device.EV not in solar.data.devices:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_ev")
    solar.one_off_trip = (_future(call.data[ATTR_DEPARTURE], solar), float(call.data[ATTR_ENERGY]))
    await solar.async_refresh()


async def _override(call: ServiceCall) -> None:
    solar = _solar_charge(call.hass)
    device = Device(call.data[ATTR_DEVICE])
    until = _future(call.data[ATTR_UNTIL], solar) if ATTR_UNTIL in call.data else None
    solar.modes[device] = call.data[ATTR_MODE]
    if until is not None:

        @callback
        def back_to_plan(_now: datetime) -> None:
            solar.modes[device] = "follow_plan"
            solar.async_update_listeners()

        solar.config_entry.async_on_unload(async_track_point_in_utc_time(call.hass, back_to_plan, until))
    solar.async_update_listeners()


async def _pause(call: ServiceCall) -> None:
    solar = _solar_charge(call.hass)
    until = _future(call.data[ATTR_UNTIL], solar) if ATTR_UNTIL in call.data else None
    devices = [Device(call.data[ATTR_DEVICE])] if ATTR_DEVICE in call.data else list(Device)
    for device in devices:
        solar.paused[device] = until
    solar.async_restate()


async def _resume(call: ServiceCall) -> None:
    solar = _solar_charge(call.hass)
    devices = [Device(call.data[ATTR_DEVICE])] if ATTR_DEVICE in call.data else list(Device)
    for device in devices:
        solar.paused.pop(device, None)
        solar.executor.state = resume(solar.executor.state, DeviceRole(device.value))
    solar.async_restate()
    await solar.async_request_refresh()


@callback
def async_register_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in `async_setup`)."""
    only = SupportsResponse.ONLY
    hass.services.async_register(DOMAIN, SERVICE_PLAN_NOW, _plan_now, schema=vol.Schema({}), supports_response=only)
    hass.services.async_register(DOMAIN, SERVICE_GET_PLAN, _get_plan, schema=vol.Schema({}), supports_response=only)
    hass.services.async_register(DOMAIN, SERVICE_EXPLAIN, _explain, schema=vol.Schema({}), supports_response=only)
    hass.services.async_register(DOMAIN, SERVICE_SET_EV_TRIP, _set_ev_trip, schema=EV_TRIP_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_OVERRIDE, _override, schema=OVERRIDE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_PAUSE, _pause, schema=PAUSE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_RESUME, _resume, schema=RESUME_SCHEMA)
