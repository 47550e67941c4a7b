"""Simulated ECHONET nodes over real loopback UDP, exercised by the library's own client and discovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient, Notification
from custom_components.echonet_hems.lib.echonet.discovery import Discovery
from custom_components.echonet_hems.lib.echonet.frame import CONTROLLER, EOJ, ESV, NODE_PROFILE, Frame, Property
from custom_components.echonet_hems.lib.echonet.property_map import decode_property_map
from custom_components.echonet_hems.lib.errors import RequestTimeoutError
from virtual_home.echonet.device import (
    DeviceObject,
    Prop,
    constant,
    process_request,
    u8,
    validated_setter,
    with_defaults,
)
from virtual_home.echonet.node import EchonetNode, NodeFaults, NodeIdentity

LIGHT = EOJ(0x02, 0x90, 0x01)
LIGHT_2 = EOJ(0x02, 0x90, 0x02)
MAKER = 0x000005


class Lamp:
    """A minimal settable device: on/off (announced) and a light level."""

    def __init__(self, eoj: EOJ) -> None:
        self.on = False
        self.level = 50
        self.object = with_defaults(
            DeviceObject(
                eoj,
                {
                    0x80: Prop(get=self._status, set=validated_setter(0x0290, 0x80, self._set_status), announce=True),
                    0xB0: Prop(get=lambda: u8(self.level), set=validated_setter(0x0290, 0xB0, self._set_level)),
                    0xB6: Prop(get=constant(b"\x42")),
                },
            ),
            manufacturer=MAKER,
        )

    def _status(self) -> bytes:
        return b"\x30" if self.on else b"\x31"

    def _set_status(self, edt: bytes) -> bool:
        self.on = edt == b"\x30"
        return True

    def _set_level(self, edt: bytes) -> bool:
        self.level = edt[0]
        return True


def request(esv: ESV, deoj: EOJ, props: list[Property], get_props: list[Property] | None = None) -> Frame:
    return Frame(7, CONTROLLER, deoj, esv, tuple(props), tuple(get_props or ()))


def test_get_set_semantics_follow_the_spec() -> None:
    lamp = Lamp(LIGHT)
    obj = lamp.object
    answer = process_request(obj, request(ESV.GET, LIGHT, [Property(0x80), Property(0xB0)]))
    assert answer is not None
    assert answer.esv is ESV.GET_RES
    assert answer.properties == (Property(0x80, b"\x31"), Property(0xB0, b"\x32"))
    assert (answer.seoj, answer.deoj, answer.tid) == (LIGHT, CONTROLLER, 7)

    sna = process_request(obj, request(ESV.GET, LIGHT, [Property(0x80), Property(0xE0)]))
    assert sna is not None
    assert sna.esv is ESV.GET_SNA
    assert sna.properties == (Property(0x80, b"\x31"), Property(0xE0))  # good value kept, PDC 0 for the missing

    ok = process_request(obj, request(ESV.SETC, LIGHT, [Property(0x80, b"\x30")]))
    assert ok is not None
    assert ok.esv is ESV.SET_RES
    assert ok.properties == (Property(0x80),)
    assert lamp.on

    rejected = process_request(obj, request(ESV.SETC, LIGHT, [Property(0xB0, b"\x65"), Property(0xB6, b"\x41")]))
    assert rejected is not None
    assert rejected.esv is ESV.SETC_SNA  # 101 % is out of range, B6 is read-only here
    assert rejected.properties == (Property(0xB0, b"\x65"), Property(0xB6, b"\x41"))
    assert lamp.level == 50

    assert process_request(obj, request(ESV.SETI, LIGHT, [Property(0xB0, b"\x10")])) is None
    assert lamp.level == 16
    seti_sna = process_request(obj, request(ESV.SETI, LIGHT, [Property(0xB6, b"\x41")]))
    assert seti_sna is not None
    assert seti_sna.esv is ESV.SETI_SNA

    setget = process_request(obj, request(ESV.SETGET, LIGHT, [Property(0xB0, b"\x20")], [Property(0xB0)]))
    assert setget is not None
    assert setget.esv is ESV.SETGET_RES
    assert setget.get_properties == (Property(0xB0, b"\x20"),)

    inf = process_request(obj, request(ESV.INF_REQ, LIGHT, [Property(0x80)]))
    assert inf is not None
    assert inf.esv is ESV.INF
    inf_sna = process_request(obj, request(ESV.INF_REQ, LIGHT, [Property(0xE0)]))
    assert inf_sna is not None
    assert inf_sna.esv is ESV.INF_SNA
    assert process_request(obj, request(ESV.GET_RES, LIGHT, [Property(0x80, b"\x30")])) is None


def test_property_maps_are_true() -> None:
    obj = Lamp(LIGHT).object
    get_map = decode_property_map(obj.read(0x9F) or b"")
    set_map = decode_property_map(obj.read(0x9E) or b"")
    status_map = decode_property_map(obj.read(0x9D) or b"")
    assert get_map == {0x80, 0x81, 0x82, 0x88, 0x8A, 0x9D, 0x9E, 0x9F, 0xB0, 0xB6}
    assert set_map == {0x80, 0x81, 0xB0}
    assert status_map == {0x80, 0x81, 0x88}
    for epc in get_map:
        assert obj.read(epc) is not None, f"0x{epc:02X} listed in 9F but not readable"


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=0.5, retries=1)
    await client.start()
    yield client
    await client.close()


async def test_node_is_discovered_read_and_controlled(client: EchonetClient) -> None:
    lamps = [Lamp(LIGHT), Lamp(LIGHT_2)]
    identity = NodeIdentity(MAKER, "VH-LIGHT", "VH0000000001")
    node = EchonetNode("127.0.0.71", identity, [lamp.object for lamp in lamps])
    notifications: list[Notification] = []
    client.subscribe(notifications.append)
    await node.start()
    try:
        result = await Discovery(client, window=0.3).search()
        # Only this node, whatever else (a parallel test run's virtual home) answers on the host.
        ours = [n for n in result.nodes if n.address.startswith("127.0.0.7")]
        assert [n.address for n in ours] == ["127.0.0.71"]
        found = ours[0]
        assert found.node_id == identity.identification.hex().upper()
        assert found.identity.product_code == "VH-LIGHT"
        assert found.identity.production_number == "VH0000000001"
        assert [obj.eoj for obj in found.objects] == [LIGHT, LIGHT_2]
        assert found.objects[0].set_map == {0x80, 0x81, 0xB0}

        outcome = await client.set("127.0.0.71", LIGHT_2, [Property(0x80, b"\x30")])
        assert outcome.accepted == {0x80}
        assert lamps[1].on
        assert node.announce_changes() == 1  # the switch-on is announced to the group
        for _ in range(100):
            if any(n.frame.seoj == LIGHT_2 for n in notifications):
                break
            await asyncio.sleep(0.01)
        inf = next(n.frame for n in notifications if n.frame.seoj == LIGHT_2)
        assert inf.esv is ESV.INF
        assert inf.properties == (Property(0x80, b"\x30"),)
        assert node.announce_changes() == 0  # nothing changed since

        # Instance code 0 addresses both lamps: each answers for itself.
        answers = await client.multicast(EOJ(0x02, 0x90, 0x00), ESV.GET, [Property(0x80)], window=0.3)
        assert sorted((a.frame.seoj.instance, a.frame.properties[0].edt) for a in answers) == [
            (1, b"\x31"),
            (2, b"\x30"),
        ]
    finally:
        await node.stop()


async def test_start_announces_instance_list(client: EchonetClient) -> None:
    notifications: asyncio.Queue[Notification] = asyncio.Queue()
    client.subscribe(notifications.put_nowait)
    node = EchonetNode("127.0.0.72", NodeIdentity(MAKER, "VH", "VH2"), [Lamp(LIGHT).object])
    await node.start()
    try:
        announcement = await asyncio.wait_for(notifications.get(), 2)
    finally:
        await node.stop()
    assert announcement.address == "127.0.0.72"
    assert announcement.frame.seoj == NODE_PROFILE
    assert announcement.frame.properties == (Property(0xD5, b"\x01" + LIGHT.to_bytes()),)


async def test_faults_silence_loss_cap_delay_move(client: EchonetClient) -> None:
    lamp = Lamp(LIGHT)
    node = EchonetNode("127.0.0.73", NodeIdentity(MAKER, "VH", "VH3"), [lamp.object], faults=NodeFaults(silent=True))
    await node.start()
    try:
        with pytest.raises(RequestTimeoutError):
            await client.get("127.0.0.73", LIGHT, [0x80])
        node.faults = NodeFaults(max_epcs=2)
        result = await client.get("127.0.0.73", LIGHT, [0x80, 0x81, 0x82, 0x88, 0xB0])
        assert set(result.values) == {0x80, 0x81, 0x82, 0x88, 0xB0}
        assert client.batch_cap("127.0.0.73", LIGHT) == 2
        node.faults = NodeFaults(loss=1.0)
        with pytest.raises(RequestTimeoutError):
            await client.get("127.0.0.73", LIGHT, [0xB0])
        node.faults = NodeFaults(delay=0.1)
        assert (await client.get("127.0.0.73", LIGHT, [0xB0])).values == {0xB0: b"\x32"}
        node.faults = NodeFaults()
        await node.move("127.0.0.74")
        with pytest.raises(RequestTimeoutError):
            await client.get("127.0.0.73", LIGHT, [0x80])
        assert (await client.get("127.0.0.74", LIGHT, [0x80])).values == {0x80: b"\x31"}
        await node.reboot()
        assert node.running
        assert (await client.get("127.0.0.74", LIGHT, [0x80])).values == {0x80: b"\x31"}
    finally:
        await node.stop()
    assert not node.running
