"""Weather warnings for the Home energy entry: the Japan Meteorological Agency's public warning data for one forecast
office's area (polled every 10 minutes), or any binary sensor the user picks.

The agency's feed is parsed by `lib.energy.jma_warnings`; when it cannot be reached or parsed the warning sensor is
unavailable (never "no warning"), and the solar-charge guard treats an unknown warning as none in force but says so.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import CONF_JMA_OFFICE, CONF_WARNING_ENTITY, CONF_WARNING_SOURCE, DOMAIN, JMA_POLL_INTERVAL, WarningSource
from .lib.energy.jma_warnings import JmaFormatError, WarningReport, is_storm_relevant, parse_warnings, warning_url

_LOGGER = logging.getLogger(__name__)
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class JmaWarningCoordinator(DataUpdateCoordinator[WarningReport]):
    """The agency's current warnings for the chosen office's area."""

    config_entry: ConfigEntry[Any]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], office: str) -> None:
        """`office`: the forecast office code (e.g. "130000" Tokyo)."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} JMA warnings", update_interval=JMA_POLL_INTERVAL
        )
        self.office = office

    async def _async_update_data(self) -> WarningReport:
        session = async_get_clientsession(self.hass)
        try:
            async with session.get(warning_url(self.office), timeout=_TIMEOUT) as response:
                response.raise_for_status()
                payload = await response.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="jma_unreachable") from err
        try:
            return parse_warnings(payload, self.office)
        except JmaFormatError as err:
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="jma_format") from err


def warning_source(options: Mapping[str, Any]) -> WarningSource:
    """The configured source (none when the options name an unknown one)."""
    try:
        return WarningSource(options.get(CONF_WARNING_SOURCE, WarningSource.NONE))
    except ValueError:
        return WarningSource.NONE


def jma_coordinator_for(hass: HomeAssistant, entry: ConfigEntry[Any]) -> JmaWarningCoordinator | None:
    """The agency poller when the entry uses it."""
    if warning_source(entry.options) is not WarningSource.JMA:
        return None
    return JmaWarningCoordinator(hass, entry, str(entry.options[CONF_JMA_OFFICE]))


def warning_active(hass: HomeAssistant, options: Mapping[str, Any], jma: JmaWarningCoordinator | None) -> bool | None:
    """Whether a weather warning is in force now (None: the source cannot say, e.g. the feed is unreachable)."""
    source = warning_source(options)
    if source is WarningSource.NONE:
        return False
    if source is WarningSource.ENTITY:
        state = hass.states.get(str(options.get(CONF_WARNING_ENTITY, "")))
        if state is None or state.state not in ("on", "off"):
            return None
        return state.state == STATE_ON
    if jma is None or not jma.last_update_success or jma.data is None:
        return None
    return any(is_storm_relevant(warning) for warning in jma.data.warnings)
