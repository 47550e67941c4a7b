"""The smart meter's 30-minute history becomes the Energy dashboard's grid statistics (with a real recorder)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

from homeassistant.components.recorder.statistics import get_last_statistics, statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done

from custom_components.echonet_hems.lib.broute.hourly import HourlyTotal
from custom_components.echonet_hems.lib.broute.readings import Direction, FixedTimeReading, TimedEnergy
from custom_components.echonet_hems.meter_statistics import statistic_id
from virtual_home.clock import JST

from .meter_rig import METER_MAC, MeterRig, meter_rig
from .test_meter import set_up


@pytest.fixture(autouse=True)
def auto_enable(recorder_mock: object, enable_custom_integrations: None, socket_enabled: None) -> None:
    """The recorder must exist before Home Assistant starts (it replaces the package-wide fixture here)."""


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[MeterRig]:
    """The virtual meter and its dongle, in real time from now (two days of history)."""
    async with meter_rig(tmp_path) as running:
        yield running


async def test_history_fills_the_energy_statistics(hass: HomeAssistant, rig: MeterRig) -> None:
    with patch("custom_components.echonet_hems.meter_statistics.METER_BACKFILL_DAYS", 3):
        runtime = await set_up(hass, rig.entry())
        statistics = runtime.statistics
        assert statistics is not None
        await hass.async_block_till_done(wait_background_tasks=True)
        await async_wait_recording_done(hass)
        sid = statistic_id(runtime.identity, Direction.IMPORT)
        assert sid == f"echonet_hems:grid_import_{METER_MAC.lower()}"
        last = await get_instance(hass).async_add_executor_job(
            get_last_statistics, hass, 1, sid, False, {"state", "sum"}
        )
        (row,) = last[sid]
        # Two days of history: about 47 hours of rows up to the last full hour, summing the home's imports.
        now = datetime.now(JST)
        end = datetime.fromtimestamp(row["end"], JST)
        assert now - timedelta(hours=1) <= end <= now
        start = now - timedelta(days=3)
        rows = await get_instance(hass).async_add_executor_job(
            statistics_during_period, hass, start, None, {sid}, "hour", None, {"sum", "state"}
        )
        hours = rows[sid]
        assert len(hours) >= 40
        sums = [hour["sum"] for hour in hours]
        assert sums == sorted(sums)  # an energy total never decreases
        assert sums[-1] > 1.0
        # The last row's state is the register at its end: the meter's cumulative import then.
        assert row["state"] == pytest.approx(float(hours[-1]["state"]))

        # Filling again adds nothing that is already there — also after a restart, from the recorder's last row.
        assert await statistics.async_fill() == 0
        entry = runtime.coordinator.config_entry
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        restarted = entry.runtime_data.statistics
        assert restarted is not statistics
        assert await restarted.async_fill() == 0

        # A push at a full hour closes that hour with the same arithmetic as the history (here: the last hour again,
        # as if the row before it were the newest).
        before, newest = hours[-2], hours[-1]
        scale = await runtime.meter.energy_scale()
        end_at = datetime.fromtimestamp(newest["end"], JST)
        end_raw = round(Decimal(str(newest["state"])) / scale.multiplier)
        previous = HourlyTotal(
            datetime.fromtimestamp(before["start"], JST),
            round(Decimal(str(before["state"])) / scale.multiplier),
            float(before["state"]),
            float(before["sum"]),
        )
        restarted._last[Direction.IMPORT] = previous
        energy = TimedEnergy(end_at, end_raw, float(newest["state"]))
        restarted.async_on_fixed_time(FixedTimeReading(end_at, energy, None, notified=True))
        await hass.async_block_till_done(wait_background_tasks=True)
        pushed = restarted._last[Direction.IMPORT]
        assert pushed is not None
        assert pushed.start == datetime.fromtimestamp(newest["start"], JST)
        assert pushed.sum_kwh == pytest.approx(float(newest["sum"]))

        # A push after missed hours asks the history instead (nothing new: the history has no later hour yet).
        later = TimedEnergy(end_at + timedelta(hours=3), end_raw, float(newest["state"]))
        with patch.object(restarted, "async_fill", wraps=restarted.async_fill) as fill:
            restarted.async_on_fixed_time(FixedTimeReading(later.measured_at, later, later, notified=True))
            await hass.async_block_till_done(wait_background_tasks=True)
        assert fill.call_count == 1
        assert await hass.config_entries.async_unload(entry.entry_id)
