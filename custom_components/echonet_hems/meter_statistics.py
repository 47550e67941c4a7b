"""The smart meter's own 30-minute values as long-term energy statistics (grid import and export).

The meter records its cumulative registers at every :00 and :30 — the values the utility bills. They are added as
external statistics `echonet_hems:grid_import_<meter>` and `echonet_hems:grid_export_<meter>` (hourly rows, kWh), which
the Energy dashboard can use for grid consumption and return. On the first set-up the meter's history fills the last
`METER_BACKFILL_DAYS` days, so the dashboard shows the past at once; after a restart the gap since the last row is
filled the same way; while running, each push at a full hour adds that hour. The hour arithmetic is the library's
(`lib.broute.hourly`); this module only talks to the recorder.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
import logging
from typing import Any, cast
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.models import StatisticData, StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import async_add_external_statistics, get_last_statistics
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .const import DOMAIN, METER_BACKFILL_DAYS
from .lib.broute.hourly import HourlyTotal, RegisterValue, hour_boundaries, hourly_totals
from .lib.broute.meter import SmartMeterClient
from .lib.broute.readings import Direction, EnergyScale, FixedTimeReading, MeterIdentity
from .lib.errors import HemsError

JST = ZoneInfo("Asia/Tokyo")  # the meter's day (history E5 counts JST days)

_LOGGER = logging.getLogger(__name__)

NAMES = {Direction.IMPORT: "Grid import (smart meter)", Direction.EXPORT: "Grid export (smart meter)"}


def statistic_id(identity: MeterIdentity, direction: Direction) -> str:
    """The external statistic of one direction of one meter (by its hardware identity)."""
    return f"{DOMAIN}:grid_{direction.value}_{identity.stable_id.lower()}"


def _metadata(identity: MeterIdentity, direction: Direction) -> StatisticMetaData:
    metadata: dict[str, Any] = {
        "has_mean": False,
        "mean_type": StatisticMeanType.NONE,
        "has_sum": True,
        "name": NAMES[direction],
        "source": DOMAIN,
        "statistic_id": statistic_id(identity, direction),
        "unit_of_measurement": UnitOfEnergy.KILO_WATT_HOUR,
    }
    if "unit_class" in StatisticMetaData.__annotations__:  # Home Assistant 2025.10+ (unit conversion class)
        metadata["unit_class"] = "energy"
    return cast(StatisticMetaData, metadata)


class MeterStatistics:
    """Keeps the two statistics of one meter up to date (one job at a time)."""

    def __init__(self, hass: HomeAssistant, meter: SmartMeterClient, identity: MeterIdentity) -> None:
        """Nothing is read until `async_fill` or a push."""
        self.hass = hass
        self.meter = meter
        self.identity = identity
        self._lock = asyncio.Lock()
        self._last: dict[Direction, HourlyTotal | None] = {}

    async def async_fill(self) -> int:
        """Add every hour the meter's history has and the statistics lack (up to `METER_BACKFILL_DAYS`); rows added.

        Errors are logged, not raised: a meter that cannot give its history still works for everything else.
        """
        async with self._lock:
            try:
                return await self._fill()
            except HemsError as err:
                _LOGGER.warning("The smart meter's history could not be read: %s", err)
                return 0

    @callback
    def async_on_fixed_time(self, reading: FixedTimeReading) -> None:
        """A pushed 30-minute reading: at a full hour it closes an hour (or reveals a gap to fill)."""
        self.hass.async_create_background_task(self._push(reading), f"{DOMAIN} meter statistics push")

    async def _push(self, reading: FixedTimeReading) -> None:
        async with self._lock:
            scale = await self.meter.energy_scale()
            needs_fill = False
            for direction, energy in (
                (Direction.IMPORT, reading.import_energy),
                (Direction.EXPORT, reading.export_energy),
            ):
                if energy is None or energy.raw is None or energy.measured_at.minute != 0:
                    continue
                last = await self._last_row(direction, scale)
                if last is None or energy.measured_at - last.end > timedelta(hours=1):
                    needs_fill = True  # the first row, or hours were missed: the history has them
                    continue
                value = RegisterValue(energy.measured_at, energy.raw)
                self._add(direction, hourly_totals([value], scale, after=last, until=dt_util.now()))
        if needs_fill:
            await self.async_fill()

    async def _fill(self) -> int:
        scale = await self.meter.energy_scale()
        today = dt_util.now(JST).date()
        first = today - timedelta(days=METER_BACKFILL_DAYS - 1)
        lasts = {direction: await self._last_row(direction, scale) for direction in Direction}
        known = [last.end.astimezone(JST).date() for last in lasts.values() if last is not None]
        if len(known) == len(lasts):
            first = max(first, min(known))
        boundaries: dict[Direction, list[RegisterValue]] = {direction: [] for direction in Direction}
        for day in _days(first, today):
            history = await self.meter.read_history(day)
            for direction in Direction:
                boundaries[direction].extend(hour_boundaries(history, direction))
        added = 0
        for direction in Direction:
            rows = hourly_totals(boundaries[direction], scale, after=lasts[direction], until=dt_util.now())
            self._add(direction, rows)
            added += len(rows)
        _LOGGER.debug("smart meter statistics: %d hourly rows added from %s to %s", added, first, today)
        return added

    async def _last_row(self, direction: Direction, scale: EnergyScale) -> HourlyTotal | None:
        """The newest row (from memory, else from the recorder), with the register it ended at."""
        if direction in self._last:
            return self._last[direction]
        sid = statistic_id(self.identity, direction)
        found = await get_instance(self.hass).async_add_executor_job(
            get_last_statistics, self.hass, 1, sid, False, {"state", "sum"}
        )
        rows = found.get(sid) or []
        last: HourlyTotal | None = None
        if rows:
            # Every key of a statistics row is optional (a not-required TypedDict key): read each with `.get`.
            state_raw, sum_raw, start_ts = rows[0].get("state"), rows[0].get("sum"), rows[0].get("start")
            if state_raw is not None and sum_raw is not None and start_ts is not None:
                state, total = float(state_raw), float(sum_raw)
                end_raw = round(Decimal(str(state)) / scale.multiplier) % scale.modulus
                last = HourlyTotal(dt_util.utc_from_timestamp(start_ts), end_raw, state, total)
        self._last[direction] = last
        return last

    def _add(self, direction: Direction, rows: list[HourlyTotal]) -> None:
        if not rows:
            return
        statistics = [StatisticData(start=row.start, state=row.state_kwh, sum=row.sum_kwh) for row in rows]
        async_add_external_statistics(self.hass, _metadata(self.identity, direction), statistics)
        self._last[direction] = rows[-1]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
