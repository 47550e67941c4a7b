"""The demo's home at high speed: readings pushed by the devices add up in Home Assistant at every moment.

The demo runs the virtual home at 60x with `--announce-measurements`; the integration's 60-s poll would span a
simulated hour. Here no poll runs at all after set-up (the test is much shorter than the poll interval): every state
change comes from the devices' INF, applied by the coordinators, and the powers Home Assistant shows must describe one
moment — PV + fuel cell + grid − storage charging = what the home consumes, never negative.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from virtual_home.clock import ManualClock
from virtual_home.runtime import HomeOptions, VirtualHome

from .conftest import BASE, SEED, START
from .helpers import entity_id, state, wait_for

PV, BATTERY, ECOCUTE, V2H, EVSE, FUEL_CELL, BOARD, AIRCON, LIGHT = range(9)
SAMPLE = timedelta(minutes=47)  # the moments fall anywhere in the hour
SAMPLES = 12
# (node, EOJ, sensor key, sign in the balance PV + fuel cell + grid − storage)
POWERS = (
    (PV, "027901", "generation_power", 1),
    (FUEL_CELL, "027C01", "generation_power", 1),
    (BOARD, "028701", "main_power", 1),  # import-positive
    (BATTERY, "027D01", "charge_discharge_power", -1),  # charge-positive
    (V2H, "027E01", "charge_discharge_power", -1),
    (EVSE, "02A101", "charging_power", -1),
)


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def pushing_home(clock: ManualClock) -> AsyncIterator[VirtualHome]:
    """The conftest's home, announcing its readings as the demo's does."""
    options = HomeOptions(start=START, base_address=BASE, history_days=0, seed=SEED, announce_measurements=True)
    async with VirtualHome(options, clock=clock) as virtual_home:
        yield virtual_home


def _watts(hass: HomeAssistant, entity: str) -> float:
    current = state(hass, entity)
    assert current.attributes.get("unit_of_measurement") == UnitOfPower.WATT, entity
    return float(current.state)


async def test_pushed_powers_add_up_at_every_moment(
    hass: HomeAssistant, pushing_home: VirtualHome, clock: ManualClock, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    nodes = pushing_home.nodes
    sensors = [(entity_id(hass, "sensor", nodes[n], eoj, key), sign) for n, eoj, key, sign in POWERS]
    pv_entity = sensors[0][0]
    moving = 0
    for _ in range(SAMPLES):
        clock.advance(SAMPLE.total_seconds())
        pushing_home.advance()  # the virtual home's tick: step to now, then announce what changed
        pushing_home.announce()
        truth = pushing_home.snapshot
        # The devices' values of this moment (as they encode them) reach Home Assistant by push only.
        expected_pv = float(round(truth.pv_w))
        expected_grid = float(round(truth.grid_w))
        await wait_for(
            hass,
            lambda: (
                _watts(hass, pv_entity) == expected_pv  # noqa: B023 - evaluated inside this iteration
                and _watts(hass, sensors[2][0]) == expected_grid  # noqa: B023
            ),
        )
        seen = sum(sign * _watts(hass, entity) for entity, sign in sensors)
        consumption = truth.base_load_w + truth.aircon_w + truth.light_w + truth.ecocute_w
        assert seen == pytest.approx(consumption, abs=3.0), f"{truth}"
        assert seen >= 0.0
        moving += truth.pv_w > 0.0 and truth.battery_w != 0.0
    assert moving >= 3  # PV and battery changed between the moments: the sum was not trivially constant
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
