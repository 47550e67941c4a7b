"""The virtual home's multiple-input PCS (0x02A5, `--pcs multi`), read by the library's client over real UDP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.discovery import Discovery
from custom_components.echonet_hems.lib.echonet.frame import EOJ
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.model import Access
from custom_components.echonet_hems.lib.echonet.specs.registry import class_spec, property_spec
from virtual_home.clock import JST, ManualClock
from virtual_home.runtime import HomeOptions, PcsWiring, VirtualHome

START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)  # a clear noon in May
PCS = EOJ(0x02, 0xA5, 0x01)
BASE = "127.0.0.121"


@pytest.fixture
async def home() -> AsyncIterator[VirtualHome]:
    clock = ManualClock(START)
    options = HomeOptions(start=START, base_address=BASE, history_days=0, pv_arrays=2, pcs=PcsWiring.MULTI)
    async with VirtualHome(options, clock=clock) as home:
        yield home


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, retries=1)
    await client.start()
    yield client
    await client.close()


def pcs_address(home: VirtualHome) -> str:
    return next(node.address for node in home.nodes if any(obj.eoj == PCS for obj in node.devices))


async def read(client: EchonetClient, address: str, *epcs: int) -> dict[int, Value]:
    answer = await client.get(address, PCS, list(epcs))
    assert not answer.unsupported
    return {epc: property_spec(PCS.class_id, epc).decode(edt) for epc, edt in answer.values.items()}


async def test_one_pcs_replaces_the_pv_objects(home: VirtualHome, client: EchonetClient) -> None:
    result = await Discovery(client, window=0.3).search()
    addresses = {node.address for node in home.nodes}
    objects = [obj for node in result.nodes if node.address in addresses for obj in node.objects]
    classes = [obj.eoj.class_id for obj in objects]
    assert classes.count(0x02A5) == 1
    assert 0x0279 not in classes
    pcs = next(obj for obj in objects if obj.eoj == PCS)
    required = {p.epc for p in class_spec(0x02A5).properties if p.get is Access.REQUIRED}
    assert required <= pcs.get_map, f"missing mandatory EPCs {sorted(required - pcs.get_map)}"
    assert 0x80 in pcs.status_map  # operation status is announced (INF required)
    values = await read(client, pcs_address(home), *sorted(pcs.get_map))  # every listed EPC decodes
    assert values[0xD0] == "system_interconnected_type_reverse_power_flow_acceptable"
    assert values[0xE8] == {
        "number_of_connected_device_objects": 2,
        "connected_device_object_list": (bytes.fromhex("027901"), bytes.fromhex("027902")),
    }


async def test_pcs_answers_with_the_arrays_sum(home: VirtualHome, client: EchonetClient) -> None:
    address = pcs_address(home)
    per_array = home.snapshot.pv_w_per_array
    assert len(per_array) == 2
    assert min(per_array) > 1000.0  # both arrays generate at a clear noon
    values = await read(client, address, 0xE0, 0xE3, 0xE7)
    # E7 is positive AC→DC: the PCS's output (DC→AC) reads negative.
    assert values[0xE7] == -round(sum(per_array))
    assert values[0xE3] == pytest.approx(int(sum(home.pv_wh)) / 1000)
    assert values[0xE0] == 0

    before = home.truth
    assert isinstance(home.clock, ManualClock)
    home.clock.advance(3600)
    home.advance()
    later = await read(client, address, 0xE3)
    generated = home.truth.since(before).pv_kwh
    assert generated > 2.0  # an hour of two arrays at noon
    assert later[0xE3] - values[0xE3] == pytest.approx(generated, abs=0.002)  # the counters are whole Wh


async def test_default_home_keeps_its_pv_objects() -> None:
    home = VirtualHome(HomeOptions(start=START, history_days=0, pv_arrays=2), clock=ManualClock(START))
    eojs = [obj.eoj for node in home.nodes for obj in node.devices]
    assert [eoj for eoj in eojs if eoj.class_id == 0x0279] == [EOJ(0x02, 0x79, 1), EOJ(0x02, 0x79, 2)]
    assert all(eoj.class_id != 0x02A5 for eoj in eojs)
