"""A multiple-input PCS (0x02A5) over real UDP: its device and sensors appear with the virtual home's values.

The virtual home runs with two PV arrays behind one multiple-input PCS (`--pcs multi`), an hour after a clear May
noon so that the cumulative generation is well above zero. Its sensors share the keys of a PV power conditioner
(`generation_power`, `generation_energy`), so PV totals find both classes by key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.echonet_hems.const import DOMAIN, POLL_INTERVAL
from virtual_home.clock import ManualClock
from virtual_home.echonet.node import EchonetNode
from virtual_home.runtime import HomeOptions, PcsWiring, VirtualHome

from .conftest import START
from .helpers import entity_id, node_id, state, wait_for
from .test_snapshots import describe_entities

BASE = "127.0.0.220"
SEED = 29
PCS = "02A501"


@pytest.fixture
async def pcs_home() -> AsyncIterator[VirtualHome]:
    """Two arrays on one multiple-input PCS, at 13:00 with the hour since noon simulated."""
    clock = ManualClock(START)
    options = HomeOptions(start=START, base_address=BASE, history_days=0, seed=SEED, pv_arrays=2, pcs=PcsWiring.MULTI)
    async with VirtualHome(options, clock=clock) as home:
        clock.advance(3600)
        home.advance()
        yield home


@pytest.fixture
async def loaded(hass: HomeAssistant, pcs_home: VirtualHome, lan_entry: MockConfigEntry) -> AsyncIterator[None]:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    yield
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


def pcs_node(home: VirtualHome) -> EchonetNode:
    return next(node for node in home.nodes if any(obj.eoj.class_id == 0x02A5 for obj in node.devices))


def generation_kwh(home: VirtualHome) -> float:
    """What the PCS's E3 reads: whole Wh of the arrays' generation."""
    return int(sum(home.pv_wh)) / 1000


@pytest.mark.usefixtures("loaded")
async def test_pcs_device_and_sensors(
    hass: HomeAssistant, pcs_home: VirtualHome, lan_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    node = pcs_node(pcs_home)
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, f"{node_id(node)}-{PCS}")})
    assert device is not None
    assert device.model_id == "ECHONET Lite class 0x02A5"

    power = state(hass, entity_id(hass, "sensor", node, PCS, "generation_power"))
    output_w = sum(pcs_home.snapshot.pv_w_per_array)
    assert output_w > 2000  # both arrays at a clear 13:00 in May
    assert float(power.state) == round(output_w)  # generating reads positive (E7 is AC→DC-positive)
    assert power.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.POWER
    assert power.attributes[ATTR_UNIT_OF_MEASUREMENT] == "W"
    energy = state(hass, entity_id(hass, "sensor", node, PCS, "generation_energy"))
    assert float(energy.state) == pytest.approx(generation_kwh(pcs_home))
    assert float(energy.state) > 3.0
    assert energy.attributes["state_class"] == SensorStateClass.TOTAL_INCREASING
    assert energy.attributes[ATTR_UNIT_OF_MEASUREMENT] == "kWh"
    ac_input = er.async_get(hass).async_get(entity_id(hass, "sensor", node, PCS, "ac_input_energy"))
    assert ac_input is not None
    assert ac_input.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    # No PV object is left to double count the arrays.
    assert all(obj.eoj.class_id != 0x0279 for n in pcs_home.nodes for obj in n.devices)

    entities = describe_entities(hass, lan_entry.entry_id, with_states=True)
    pcs_entities = {uid: item for uid, item in entities.items() if uid.startswith(f"{node_id(node)}-{PCS}_")}
    assert len(pcs_entities) >= 3
    assert pcs_entities == snapshot


@pytest.mark.usefixtures("loaded")
async def test_generation_follows_the_simulated_home(hass: HomeAssistant, pcs_home: VirtualHome) -> None:
    node = pcs_node(pcs_home)
    energy = entity_id(hass, "sensor", node, PCS, "generation_energy")
    before_kwh = float(state(hass, energy).state)
    truth_before = pcs_home.truth
    assert isinstance(pcs_home.clock, ManualClock)
    pcs_home.clock.advance(1800)
    pcs_home.advance()
    generated = pcs_home.truth.since(truth_before).pv_kwh
    assert generated > 1.0

    async_fire_time_changed(hass, dt_util.utcnow() + POLL_INTERVAL)
    await wait_for(hass, lambda: float(state(hass, energy).state) != before_kwh)
    assert float(state(hass, energy).state) - before_kwh == pytest.approx(generated, abs=0.002)
