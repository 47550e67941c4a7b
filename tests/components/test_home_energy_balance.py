"""The house balance on the virtual home over a simulated day: house energy from our sensors equals the home's own
ground truth within 1 %, in both contract modes, with one and with two power conditioners (and a multi-input PCS).

Real parts throughout: the LAN entry reads the home's ECHONET objects over UDP on loopback (the distribution board
measures the grid, as in a home without a B-route meter), the Home energy entry reads those sensors from the state
machine. The home's clock is moved by hand, half an hour at a time, and every object is polled after each step.
The day is scripted so that every term of the balance happens: the battery charges from the grid until 05:00, the
household routine runs the fuel cell, and from 21:00 the V2H car supplies the house.
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import DOMAIN, HOME_ENERGY_UNIQUE_ID
from custom_components.echonet_hems.home_energy_runtime import HomeEnergyRuntimeData
from custom_components.echonet_hems.lan_hub import LanRuntimeData
from virtual_home.clock import JST, ManualClock
from virtual_home.physics.battery import BatteryMode
from virtual_home.physics.ev import ChargerMode
from virtual_home.physics.home import Contract
from virtual_home.runtime import HomeOptions, PcsWiring, VirtualHome

from .conftest import make_lan_entry
from .test_home_energy_flow import home_energy_entry

pytestmark = pytest.mark.usefixtures("mock_adapters")

START = datetime(2026, 5, 20, 0, 0, tzinfo=JST)  # a clear May day: PV surplus at noon, EcoCute at night
BASE = "127.0.6.11"
HALF_HOUR = 1800.0


async def _poll_everything(hass: HomeAssistant, lan: MockConfigEntry, home_energy: MockConfigEntry) -> None:
    runtime = lan.runtime_data
    assert isinstance(runtime, LanRuntimeData)
    for coordinator in list(runtime.coordinators.values()):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    energy = home_energy.runtime_data
    assert isinstance(energy, HomeEnergyRuntimeData)
    await energy.coordinator.async_refresh()
    await hass.async_block_till_done()


def _house_energy(hass: HomeAssistant, contract: Contract) -> float:
    suffix = "_full" if contract is Contract.FULL else ""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{HOME_ENERGY_UNIQUE_ID}_house_energy{suffix}"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


@pytest.mark.parametrize(
    ("contract", "arrays", "pcs"),
    [
        (Contract.SURPLUS, 1, PcsWiring.SEPARATE),
        (Contract.SURPLUS, 2, PcsWiring.SEPARATE),
        (Contract.FULL, 1, PcsWiring.SEPARATE),
        (Contract.FULL, 2, PcsWiring.SEPARATE),
        (Contract.SURPLUS, 2, PcsWiring.MULTI),
    ],
)
async def test_house_energy_matches_the_homes_truth_over_a_day(
    hass: HomeAssistant, contract: Contract, arrays: int, pcs: PcsWiring
) -> None:
    clock = ManualClock(START)
    options = HomeOptions(
        start=START,
        base_address=BASE,
        history_days=0,
        seed=31,
        pv_arrays=arrays,
        pcs=pcs,
        contract=contract,
        routine=True,
    )
    async with VirtualHome(options, clock=clock) as home:
        lan = make_lan_entry()
        lan.add_to_hass(hass)
        assert await hass.config_entries.async_setup(lan.entry_id)
        await hass.async_block_till_done()
        energy = home_energy_entry(contract=contract.value)
        energy.add_to_hass(hass)
        assert await hass.config_entries.async_setup(energy.entry_id)
        await hass.async_block_till_done()
        await _poll_everything(hass, lan, energy)
        truth_start, measured_start = home.truth, _house_energy(hass, contract)

        battery, v2h = home.home.battery, home.home.ev_chargers[0]
        assert battery is not None
        assert v2h.bidirectional
        battery.mode = BatteryMode.CHARGE
        for half_hour in range(1, 49):
            clock.advance(HALF_HOUR)
            home.advance()
            if half_hour == 10:  # 05:00
                battery.mode = BatteryMode.AUTO
            if half_hour == 42:  # 21:00
                v2h.mode = ChargerMode.DISCHARGE
            await _poll_everything(hass, lan, energy)

        truth = home.truth.since(truth_start)
        # Every flow of the balance happened, so a term left out of the sum cannot go unnoticed.
        assert min(truth.battery_charged_kwh, truth.battery_discharged_kwh, truth.v2h_discharged_kwh) > 0.5
        assert truth.fuel_cell_kwh > 0.5
        measured = _house_energy(hass, contract) - measured_start
        assert truth.house_kwh > 5.0  # a real day's consumption, not an empty test
        assert measured == pytest.approx(truth.house_kwh, rel=0.01)
        await hass.config_entries.async_unload(energy.entry_id)
        await hass.config_entries.async_unload(lan.entry_id)
