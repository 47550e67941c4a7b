"""The soak's recorder (issue 15): the hours recorded during a run reach the long-term statistics, and their sum goes
on from the imported history's, so the PV outlook counts the recorded days once the imported ones leave its window."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
import pytest

from benchmarks.closed_loop.rig import import_history
from benchmarks.soak import bench_soak
from benchmarks.soak.clock import SimDriver

ENTITY = "sensor.pv_generated_energy"
ATTRIBUTES = {"state_class": "total_increasing", "device_class": "energy", "unit_of_measurement": "kWh"}
KWH_PER_STEP = 0.01  # every 10 simulated seconds: 3.6 kWh an hour


@pytest.fixture
def enable_statistics() -> bool:
    """The recorder compiles statistics, as in the soak (`benchmarks/soak/conftest.py`)."""
    return True


@pytest.fixture(autouse=True)
def auto_enable(recorder_mock: object) -> None:
    """The recorder before Home Assistant starts."""


def test_the_soak_freezes_its_clock_before_the_recorder_starts() -> None:
    # Moved back to START only inside the test, the clock left the recorder's five-minute timer (armed at the real
    # date) months ahead: nothing the soak recorded was ever compiled.
    marks = [mark for mark in getattr(bench_soak.test_soak, "pytestmark", []) if mark.name == "freeze_time"]
    assert [mark.args for mark in marks] == [(bench_soak.START,)]


@pytest.mark.parametrize("compiled_first", [False, True])
@pytest.mark.freeze_time(bench_soak.START)
async def test_recorded_hours_continue_the_imported_sum(
    hass: HomeAssistant, freezer: Any, compiled_first: bool
) -> None:
    await hass.config.async_set_time_zone("Asia/Tokyo")
    assert await async_setup_component(hass, "sensor", {})
    # A day of history, 1 kWh an hour (each row: the hour's start, the total at its end); the device's own counter
    # (1,000 kWh) is not the history's total, as for the soak's PV and house energy sensors.
    counter = [1000.0]

    def step() -> None:
        counter[0] += KWH_PER_STEP
        hass.states.async_set(ENTITY, f"{counter[0]:.2f}", ATTRIBUTES)

    step()
    driver = SimDriver(asyncio.get_running_loop(), freezer, 10.0, step)
    if compiled_first:  # as the soak's PV: the sensor exists, and is compiled, before its history is imported
        await driver.run_for(400)
    await import_history(hass, ENTITY, [(bench_soak.START - timedelta(hours=h), 50.0 - h) for h in range(24, 0, -1)])
    await driver.run_for(2 * 3600 + 600 - (400 if compiled_first else 0))  # two hours and the compile of the second
    recorder = get_instance(hass)
    await recorder.async_block_till_done()
    rows = await recorder.async_add_executor_job(
        statistics_during_period,
        hass,
        bench_soak.START - timedelta(hours=1),
        bench_soak.START + timedelta(hours=2),
        {ENTITY},
        "hour",
        None,
        {"change"},
    )
    changes = [round(float(row.get("change") or 0.0), 1) for row in rows.get(ENTITY, [])]
    # The imported last hour, then the two recorded ones: 3.6 kWh each (the first less the zero point's 10 s), not
    # the history's total negated.
    assert changes == [1.0, 3.6, 3.6]
