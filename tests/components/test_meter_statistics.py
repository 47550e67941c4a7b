"""The smart meter's 30-minute history becomes the Energy dashboard's grid statistics (with a real recorder)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from homeassistant.components.recorder.statistics import get_last_statistics, statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done

from custom_components.echonet_hems.lib.broute.readings import Direction
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

        # Filling again (a restart) adds nothing that is already there.
        assert await statistics.async_fill() == 0
        assert await hass.config_entries.async_unload(runtime.coordinator.config_entry.entry_id)
