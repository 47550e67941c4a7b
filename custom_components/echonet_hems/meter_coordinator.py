"""Runtime of a smart meter (B-route) entry: the PANA session, the meter client and its coordinator.

Power and currents are polled (every 10 s by default, one Get). The 30-minute cumulative values arrive by push and
update the coordinator at once; `meter_statistics` turns them into the entry's energy statistics. The session re-joins
on its own after any loss; while it does, polls fail at once (entities go unavailable) instead of queueing. A rejected
password starts Home Assistant's reauth flow; a meter held by another controller raises a repair issue, which goes away
with the next successful join.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import CONF_SCAN_INTERVAL, DOMAIN, METER_POLL_SECONDS
from .errors import map_lib_errors
from .issues import ISSUE_METER_BUSY, entry_issue
from .lib.broute.meter import SmartMeterClient
from .lib.broute.readings import FixedTimeReading, MeterIdentity, MeterReading
from .lib.broute.session import BRouteSession, LinkState, MeterBusyError, PanInfo, SessionStatus
from .lib.errors import AuthError

if TYPE_CHECKING:
    from .meter_statistics import MeterStatistics

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeterData:
    """The latest poll and the latest 30-minute values (either may still be unknown)."""

    reading: MeterReading | None = None
    fixed_time: FixedTimeReading | None = None


@dataclass(slots=True)
class MeterRuntimeData:
    """What a smart meter entry keeps while it is loaded."""

    session: BRouteSession
    meter: SmartMeterClient
    identity: MeterIdentity
    coordinator: SmartMeterCoordinator
    statistics: MeterStatistics | None = None


type SmartMeterConfigEntry = ConfigEntry[MeterRuntimeData]


def pan_to_data(pan: PanInfo) -> dict[str, Any]:
    """The PAN as JSON for the entry's data (what a re-join needs)."""
    return {"channel": pan.channel, "pan_id": pan.pan_id, "mac": pan.mac}


def pan_from_data(data: Mapping[str, Any] | None) -> PanInfo | None:
    """The cached PAN, or None when there is none or it is malformed (the session then scans)."""
    if not data:
        return None
    try:
        return PanInfo(channel=int(data["channel"]), pan_id=int(data["pan_id"]), mac=str(data["mac"]))
    except (KeyError, TypeError, ValueError):
        return None


class SmartMeterCoordinator(DataUpdateCoordinator[MeterData]):
    """Polls power and currents; receives the 30-minute values; follows the session's state."""

    config_entry: SmartMeterConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: SmartMeterConfigEntry, session: BRouteSession, meter: SmartMeterClient
    ) -> None:
        """Poll at the entry's interval (options), 10 s by default."""
        seconds = int(entry.options.get(CONF_SCAN_INTERVAL, METER_POLL_SECONDS))
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} smart meter",
            update_interval=timedelta(seconds=seconds),
        )
        self.session = session
        self.meter = meter
        self.status: SessionStatus = session.status
        self._fixed_time_listeners: list[Callable[[FixedTimeReading], None]] = []

    @callback
    def async_start(self) -> Callable[[], None]:
        """Follow the session and the meter's pushes; returns the function that stops following."""
        removers = (
            self.session.add_listener(self._on_status),
            self.meter.add_fixed_time_listener(self._on_fixed_time),
        )

        def stop() -> None:
            for remove in removers:
                remove()

        return stop

    @callback
    def add_fixed_time_listener(self, listener: Callable[[FixedTimeReading], None]) -> None:
        """Also hand every pushed 30-minute reading to `listener` (the statistics)."""
        self._fixed_time_listeners.append(listener)

    @property
    def connected(self) -> bool:
        """Whether the session can carry requests now."""
        return self.status.connected

    @map_lib_errors(UpdateFailed)
    async def _async_update_data(self) -> MeterData:
        if not self.status.connected:
            key = "transmit_limited" if self.status.tx_limited else "meter_reconnecting"
            raise UpdateFailed(translation_domain=DOMAIN, translation_key=key)
        reading = await self.meter.read()
        return replace(self.data or MeterData(), reading=reading)

    @callback
    def _on_fixed_time(self, reading: FixedTimeReading) -> None:
        self.async_set_updated_data(replace(self.data or MeterData(), fixed_time=reading))
        for listener in list(self._fixed_time_listeners):
            listener(reading)

    @callback
    def _on_status(self, status: SessionStatus) -> None:
        self.status = status
        error = status.last_error
        if status.state is LinkState.CONNECTED:
            entry_issue(self.hass, self.config_entry, ISSUE_METER_BUSY, active=False)
        elif status.state is LinkState.RECONNECTING and isinstance(error, MeterBusyError):
            entry_issue(self.hass, self.config_entry, ISSUE_METER_BUSY, active=True)
        elif status.state is LinkState.RECONNECTING and isinstance(error, AuthError):
            self.config_entry.async_start_reauth(self.hass)
        self.async_update_listeners()
