"""Discovery over real loopback UDP: multicast search, unicast probes, passive discovery, identity by 0x83 not IP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.discovery import (
    Discovery,
    GrowthLimits,
    IdentityConflictError,
    Node,
    NodeRefusedError,
    decode_ascii,
    decode_instance_list,
    decode_node_version,
    decode_release,
    node_identity,
)
from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, NODE_PROFILE, Frame, Property
from custom_components.echonet_hems.lib.echonet.property_map import encode_property_map
from custom_components.echonet_hems.lib.errors import ProtocolError

from .fake_node import FakeNode, PropertyStore

BATTERY = EOJ(0x02, 0x7D, 0x02)
PV = EOJ(0x02, 0x79, 0x1F)
USER_DEFINED = EOJ(0x0F, 0x87, 0x01)
MAKER = 0x000016


def identification(serial: int) -> bytes:
    return b"\xfe" + MAKER.to_bytes(3, "big") + serial.to_bytes(13, "big")


def node_objects(serial: int, instances: list[EOJ], *, with_identification: bool = True) -> dict[EOJ, dict[int, bytes]]:
    profile = {
        0x8A: MAKER.to_bytes(3, "big"),
        0x8C: b"HEMS-TEST\x00\x00\x00",
        0x8D: f"SN{serial:010d}".encode(),
        0x82: b"\x01\x0c\x01\x00",
        0xD6: bytes([len(instances)]) + b"".join(eoj.to_bytes() for eoj in instances),
    }
    if with_identification:
        profile[0x83] = identification(serial)
    objects: dict[EOJ, dict[int, bytes]] = {NODE_PROFILE: profile}
    for eoj in instances:
        objects[eoj] = {
            0x9F: encode_property_map(
                [0x80, 0x81, 0x82, 0x88, 0x8A, 0x9D, 0x9E, 0x9F, 0xCF, 0xDA, 0xE4, *range(0xA0, 0xA6)]
            ),
            0x9E: encode_property_map([0xDA]),
            0x9D: encode_property_map([0x80, 0xCF]),
            0x82: b"\x00\x00R\x00",
            0x8A: MAKER.to_bytes(3, "big"),
        }
    return objects


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=0.3, retries=1)
    await client.start()
    yield client
    await client.close()


async def test_search_finds_multicast_and_unicast_nodes(client: EchonetClient) -> None:
    seen: list[Node] = []
    discovery = Discovery(client, window=0.3, on_node=seen.append)
    async with (
        FakeNode("127.0.0.31", PropertyStore(node_objects(1, [BATTERY, USER_DEFINED])), multicast=True),
        FakeNode("127.0.0.32", PropertyStore(node_objects(2, [PV])), multicast=True),
        # This one does not hear multicast (a router filtering it): only the user-given address finds it.
        FakeNode("127.0.0.33", PropertyStore(node_objects(3, [BATTERY]))),
    ):
        result = await discovery.search(["127.0.0.33", "127.0.0.34"])
    # Keep this test's peers: a virtual home of a parallel test run on the same host may answer the search too.
    by_address = {node.address: node for node in result.nodes if node.address.startswith("127.0.0.3")}
    assert set(by_address) == {"127.0.0.31", "127.0.0.32", "127.0.0.33"}
    assert result.unreachable == ("127.0.0.34",)
    first = by_address["127.0.0.31"]
    assert first.node_id == identification(1).hex().upper()
    assert first.identity.manufacturer_code == MAKER
    assert first.identity.product_code == "HEMS-TEST"
    assert first.identity.production_number == "SN0000000001"
    assert first.identity.version == "1.12"
    assert first.identity.stable
    assert [obj.eoj for obj in first.objects] == [BATTERY]  # user-defined 0x0F objects are skipped
    battery = first.objects[0]
    assert battery.set_map == {0xDA}
    assert battery.status_map == {0x80, 0xCF}
    assert 0xE4 in battery.get_map
    assert len(battery.get_map) == 17
    assert battery.release == "R"
    assert battery.manufacturer_code == MAKER
    assert {node.address for node in seen if node.address in by_address} == set(by_address)
    assert {node.node_id for node in by_address.values()} <= set(discovery.nodes)


async def test_node_that_changes_address_stays_the_same_node(client: EchonetClient) -> None:
    seen: list[Node] = []
    discovery = Discovery(client, on_node=seen.append)
    async with FakeNode("127.0.0.41", PropertyStore(node_objects(7, [BATTERY]))):
        before = await discovery.probe("127.0.0.41")
        await discovery.probe("127.0.0.41")  # nothing changed: no second announcement
    async with FakeNode("127.0.0.42", PropertyStore(node_objects(7, [BATTERY]))):
        after = await discovery.probe("127.0.0.42")
    assert before.node_id == after.node_id
    assert list(discovery.nodes) == [before.node_id]
    assert discovery.nodes[before.node_id].address == "127.0.0.42"
    assert [node.address for node in seen] == ["127.0.0.41", "127.0.0.42"]
    assert discovery.node_at("127.0.0.41") is None


async def test_a_newcomer_claiming_a_live_nodes_identity_does_not_take_it_over(client: EchonetClient) -> None:
    conflicts: list[tuple[str, str, str]] = []
    discovery = Discovery(client, on_conflict=lambda *conflict: conflicts.append(conflict))
    async with FakeNode("127.0.0.44", PropertyStore(node_objects(11, [BATTERY]))):
        real = await discovery.probe("127.0.0.44")
        async with FakeNode("127.0.0.45", PropertyStore(node_objects(11, [PV]))):  # an impostor
            with pytest.raises(IdentityConflictError):
                await discovery.probe("127.0.0.45")
    assert discovery.nodes[real.node_id].address == "127.0.0.44"
    assert [obj.eoj for obj in discovery.nodes[real.node_id].objects] == [BATTERY]
    assert conflicts == [(real.node_id, "127.0.0.44", "127.0.0.45")]
    # Once the established address is silent, the same claim is a real move.
    async with FakeNode("127.0.0.45", PropertyStore(node_objects(11, [BATTERY]))):
        moved = await discovery.probe("127.0.0.45")
    assert moved.address == "127.0.0.45"
    assert discovery.nodes[real.node_id].address == "127.0.0.45"


async def test_new_node_at_an_old_address_replaces_the_old_one(client: EchonetClient) -> None:
    discovery = Discovery(client)
    async with FakeNode("127.0.0.43", PropertyStore(node_objects(8, [BATTERY]))):
        old = await discovery.probe("127.0.0.43")
    async with FakeNode("127.0.0.43", PropertyStore(node_objects(9, [PV]))):
        new = await discovery.probe("127.0.0.43")
    assert list(discovery.nodes) == [new.node_id]
    assert old.node_id != new.node_id


async def test_passive_discovery_probes_unknown_senders_and_instance_changes(client: EchonetClient) -> None:
    found: asyncio.Queue[Node] = asyncio.Queue()
    discovery = Discovery(client, on_node=found.put_nowait)
    discovery.start_passive()
    discovery.start_passive()  # idempotent
    objects = node_objects(5, [BATTERY])
    inf = Frame(1, BATTERY, EOJ(0x05, 0xFF, 0x01), ESV.INF, (Property(0x80, b"\x30"),))
    async with FakeNode("127.0.0.51", PropertyStore(objects)) as node:
        node.send_multicast(inf)
        first = await asyncio.wait_for(found.get(), 3)
        assert [obj.eoj for obj in first.objects] == [BATTERY]
        node.send_multicast(inf)  # known node, ordinary INF: no new probe
        # The node gains a PV object and announces its new instance list.
        objects[PV] = node_objects(5, [PV])[PV]
        objects[NODE_PROFILE][0xD6] = b"\x02" + BATTERY.to_bytes() + PV.to_bytes()
        announcement = Property(0xD5, objects[NODE_PROFILE][0xD6])
        node.send_multicast(Frame(2, NODE_PROFILE, EOJ(0x0E, 0xF0, 0x01), ESV.INF, (announcement,)))
        second = await asyncio.wait_for(found.get(), 3)
    assert [obj.eoj for obj in second.objects] == [BATTERY, PV]
    profile_reads = [f for f in node.received if f.deoj == NODE_PROFILE and f.esv is ESV.GET]
    assert len(profile_reads) == 2  # the second plain INF did not cause a probe
    await discovery.stop()
    await discovery.stop()


async def test_senders_that_never_become_nodes_leave_no_state_behind(client: EchonetClient) -> None:
    discovery = Discovery(client)
    known = client.addresses_known
    result = await discovery.search(["127.0.0.61", "127.0.0.62", "127.0.0.63"])  # nobody there
    assert set(result.unreachable) >= {"127.0.0.61", "127.0.0.62", "127.0.0.63"}
    assert client.addresses_known <= known
    async with FakeNode("127.0.0.64", PropertyStore(node_objects(12, [BATTERY]))):
        await discovery.probe("127.0.0.64")
    assert client.addresses_known > known  # a real node keeps what was learnt about it


async def test_a_node_with_too_many_objects_is_added_only_when_the_user_gives_its_address(
    client: EchonetClient,
) -> None:
    refused: list[tuple[str, str]] = []
    discovery = Discovery(client, window=0.3, on_refused=lambda *item: refused.append(item))
    many = [EOJ(0x02, 0x7D, instance) for instance in range(1, 41)]  # 40 "batteries": no home has those
    async with FakeNode("127.0.0.65", PropertyStore(node_objects(13, many))):
        with pytest.raises(NodeRefusedError):
            await discovery.probe("127.0.0.65")
        assert refused == [("127.0.0.65", "too_many_objects")]
        assert not discovery.nodes
        result = await discovery.search(["127.0.0.65"])  # given by the user: trusted
    assert [node.address for node in result.nodes if node.address == "127.0.0.65"] == ["127.0.0.65"]


async def test_after_start_only_a_few_new_nodes_per_window_are_added_on_their_own(client: EchonetClient) -> None:
    clock = [1000.0]
    refused: list[tuple[str, str]] = []
    discovery = Discovery(
        client,
        limits=GrowthLimits(new_nodes=2, window=600.0),
        on_refused=lambda *item: refused.append(item),
        monotonic=lambda: clock[0],
    )
    async with (
        FakeNode("127.0.0.66", PropertyStore(node_objects(14, [BATTERY]))),
        FakeNode("127.0.0.67", PropertyStore(node_objects(15, [BATTERY]))),
        FakeNode("127.0.0.68", PropertyStore(node_objects(16, [BATTERY]))),
        FakeNode("127.0.0.69", PropertyStore(node_objects(17, [BATTERY]))),
    ):
        await discovery.probe("127.0.0.66")  # before start_passive: the set-up search, no budget
        discovery.start_passive()
        await discovery.probe("127.0.0.67")
        await discovery.probe("127.0.0.68")
        with pytest.raises(NodeRefusedError):
            await discovery.probe("127.0.0.69")  # the third new node within ten minutes
        await discovery.probe("127.0.0.66")  # a known node is never refused
        clock[0] += 601
        await discovery.probe("127.0.0.69")  # the window has passed
        await discovery.stop()
    assert refused == [("127.0.0.69", "too_many_new_nodes")]
    assert len(discovery.nodes) == 4


async def test_passive_probe_failure_is_quiet_and_retried_on_next_inf(client: EchonetClient) -> None:
    discovery = Discovery(client)
    discovery.start_passive()
    inf = Frame(1, BATTERY, EOJ(0x05, 0xFF, 0x01), ESV.INF, (Property(0x80, b"\x30"),))
    async with FakeNode("127.0.0.52", lambda _frame: None) as node:
        node.send_multicast(inf)
        for _ in range(200):
            if len(node.received) >= 2 and not discovery._tasks:
                break
            await asyncio.sleep(0.01)
        assert discovery.nodes == {}
        node.send_multicast(inf)
        for _ in range(100):
            if len(node.received) > 2:
                break
            await asyncio.sleep(0.01)
    assert len(node.received) > 2
    await discovery.stop()


async def test_identity_falls_back_to_maker_and_serial(client: EchonetClient) -> None:
    discovery = Discovery(client)
    async with FakeNode("127.0.0.53", PropertyStore(node_objects(6, [BATTERY], with_identification=False))):
        node = await discovery.probe("127.0.0.53")
    assert node.node_id == "000016-SN0000000006"
    assert node.identity.stable


def test_identity_without_anything_unique_is_flagged_unstable() -> None:
    identity = node_identity("192.0.2.7", {0x83: bytes(17)})
    assert identity.node_id == "address-192.0.2.7"
    assert not identity.stable
    assert identity.manufacturer_code is None


async def test_malformed_property_maps_are_treated_as_empty(client: EchonetClient) -> None:
    objects = node_objects(4, [BATTERY])
    objects[BATTERY][0x9F] = b"\x10\x01"  # bitmap count but only one byte
    discovery = Discovery(client)
    async with FakeNode("127.0.0.54", PropertyStore(objects)):
        node = await discovery.probe("127.0.0.54")
    assert node.objects[0].get_map == frozenset()
    assert node.objects[0].set_map == {0xDA}


@pytest.mark.parametrize(
    ("edt", "expected"),
    [
        ("01013001", [EOJ(0x01, 0x30, 0x01)]),  # VECTORS A8 (Daikin AC)
        ("020F2001029101", [EOJ(0x0F, 0x20, 0x01), EOJ(0x02, 0x91, 0x01)]),  # VECTORS A4
        ("01028801", [EOJ(0x02, 0x88, 0x01)]),  # VECTORS B.1 (meter D5)
    ],
    ids=["A8", "A4", "B1"],
)
def test_decode_instance_list(edt: str, expected: list[EOJ]) -> None:
    assert list(decode_instance_list(bytes.fromhex(edt))) == expected


def test_decode_instance_list_rejects_inconsistent_lengths() -> None:
    for bad in (b"", b"\x01\x02\x88", b"\x00\x02\x88\x01"):
        with pytest.raises(ProtocolError):
            decode_instance_list(bad)
    assert decode_instance_list(b"\x00") == ()


def test_small_decoders() -> None:
    assert decode_ascii(b"F24G366505\x00\x00") == "F24G366505"  # VECTORS B.3 0x8D
    assert decode_ascii(b"\x00" * 12) is None
    assert decode_ascii(b"\x01\x02") is None
    assert decode_node_version(bytes.fromhex("010C0100")) == "1.12"  # VECTORS A9
    assert decode_node_version(b"\x01") is None
    assert decode_release(bytes.fromhex("00004600")) == "F"  # VECTORS B.3 0x82
    assert decode_release(bytes.fromhex("00000000")) is None
