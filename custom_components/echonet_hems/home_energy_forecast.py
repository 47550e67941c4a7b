"""The PV outlook in Home Assistant: the home's own history from the recorder, cloud cover from any weather entity.

Every 30 minutes: the hourly PV, house and bought energy of the last 60 days (long-term statistics of the sensors the
Home energy entry uses) and, when the user chose a weather entity, its hourly forecast (`weather.get_forecasts`)
go to `lib.energy.pv_outlook`. Without the recorder or before a complete day of PV history there is no outlook (the
sensors are unknown and say why in an attribute).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import CONF_WEATHER_ENTITY, DOMAIN, FORECAST_INTERVAL
from .home_energy_sources import Role, Sources
from .lib.energy.forecast import PVSite
from .lib.energy.pv_outlook import HourlyDay, PVOutlook, pv_outlook
from .lib.energy.tariff import JST

_LOGGER = logging.getLogger(__name__)
HISTORY_DAYS = 60  # the sunny-day guard counts 60 days; the outlook uses the last 14


async def async_hourly_history(
    hass: HomeAssistant, pv_ids: Iterable[str], house_ids: Iterable[str], bought_ids: Iterable[str], now: datetime
) -> list[HourlyDay]:
    """The last complete days of PV, house and bought energy per hour, from the recorder's long-term statistics."""
    if "recorder" not in hass.config.components:
        return []
    # Imported here: the recorder is optional (without it there is no history and no outlook).
    from homeassistant.components.recorder.statistics import statistics_during_period

    pv_ids, house_ids, bought_ids = list(pv_ids), list(house_ids), list(bought_ids)
    if not pv_ids:
        return []
    midnight = now.astimezone(JST).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=HISTORY_DAYS)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period, hass, start, midnight, {*pv_ids, *house_ids, *bought_ids}, "hour", None, {"change"}
    )
    pv = _hourly_sums(rows, pv_ids)
    house = _hourly_sums(rows, house_ids)
    bought = _hourly_sums(rows, bought_ids)
    days = []
    for offset in range(HISTORY_DAYS):
        day = (start + timedelta(days=offset)).date()
        days.append(
            HourlyDay(
                day,
                tuple(pv.get((day, hour)) for hour in range(24)),
                tuple(house.get((day, hour)) for hour in range(24)) if house_ids else (None,) * 24,
                tuple(bought.get((day, hour)) for hour in range(24)) if bought_ids else (None,) * 24,
            )
        )
    return days


def _hourly_sums(rows: Mapping[str, list[Any]], ids: list[str]) -> dict[tuple[Any, int], float]:
    """(local day, hour) → the hour's change summed over `ids`, for the hours every id has a row for.

    The changes the other ids had in an hour one id has no row for are carried into the next hour they all have: a
    statistic's own missing hour already puts its energy into its next row (the row's change is the step of the
    running sum since the row before), and the carry gives the summed series the same property, so a stretch of
    hours adds up to the energy between its ends (which `pv_outlook.pv_day_known` relies on)."""
    per_id: list[dict[tuple[Any, int], float]] = []
    for statistic_id in ids:
        changes: dict[tuple[Any, int], float] = {}
        for row in rows.get(statistic_id, []):
            change = row.get("change")
            if change is not None:
                start = datetime.fromtimestamp(float(row["start"]), JST)
                changes[(start.date(), start.hour)] = float(change)
        per_id.append(changes)
    sums: dict[tuple[Any, int], float] = {}
    carried = 0.0
    for key in sorted(set().union(*per_id)):
        present = [changes[key] for changes in per_id if key in changes]
        if len(present) == len(per_id):
            sums[key], carried = sum(present) + carried, 0.0
        else:
            carried += sum(present)
    return sums


async def async_cloud_cover(hass: HomeAssistant, weather_entity: str) -> dict[datetime, float] | None:
    """Hourly cloud cover (0…1) from a weather entity's forecast; None when it cannot give one."""
    try:
        response = await hass.services.async_call(
            "weather",
            "get_forecasts",
            {"entity_id": weather_entity, "type": "hourly"},
            blocking=True,
            return_response=True,
        )
    except (HomeAssistantError, vol.Invalid) as err:
        _LOGGER.debug("No hourly forecast from %s: %s", weather_entity, err)
        return None
    forecast = (response or {}).get(weather_entity)
    items = forecast.get("forecast") if isinstance(forecast, dict) else None
    covers: dict[datetime, float] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        when = dt_util.parse_datetime(str(item.get("datetime", "")))
        cover = item.get("cloud_coverage")
        if when is not None and isinstance(cover, int | float):
            covers[when] = float(cover) / 100.0
    return covers or None


class PVForecastCoordinator(DataUpdateCoordinator[PVOutlook | None]):
    """Re-computes the PV outlook every 30 minutes."""

    config_entry: ConfigEntry[Any]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], sources: Callable[[], Sources]) -> None:
        """`sources`: the balance inputs (PV and house sensors) as the Home energy coordinator found them."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} PV forecast", update_interval=FORECAST_INTERVAL
        )
        self._sources = sources
        self.house_entity_id: str | None = None
        self.history: list[HourlyDay] = []

    async def _async_update_data(self) -> PVOutlook | None:
        now = dt_util.utcnow()
        sources = self._sources()
        house_ids = [self.house_entity_id] if self.house_entity_id else []
        self.history = history = await async_hourly_history(
            self.hass,
            sources.by_role.get(Role.PV_ENERGY, ()),
            house_ids,
            sources.by_role.get(Role.GRID_IMPORT, ()) or sources.by_role.get(Role.BOARD_IMPORT, ()),
            now,
        )
        weather = self.config_entry.options.get(CONF_WEATHER_ENTITY)
        covers = await async_cloud_cover(self.hass, weather) if weather else None
        site = PVSite(latitude=self.hass.config.latitude, longitude=self.hass.config.longitude, capacity_kw=1.0)
        return await self.hass.async_add_executor_job(pv_outlook, now, site, history, covers)
