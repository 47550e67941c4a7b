"""Fast-fail of silent addresses: requests queued for an address that stopped answering fail at once (issue 15).

Real loopback UDP against the scripted peer; what is asserted is behaviour (datagrams sent, which error), never time.
"""

from __future__ import annotations

import asyncio

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, Frame, Property
from custom_components.echonet_hems.lib.errors import NodeSilentError, RequestTimeoutError

from .fake_node import FakeNode, PropertyStore

DEVICE_IP = "127.0.0.23"
FAST = 0.15  # per-attempt timeout: silence is the point here
BATTERY = EOJ(0x02, 0x7D, 0x01)
GONE = EOJ(0x02, 0x7D, 0x02)  # an object the node does not serve: nodes ignore requests to unknown DEOJs


def fake_objects(count: int) -> list[EOJ]:
    """Objects a hostile node announced (instances of a generic class)."""
    return [EOJ(0x00, 0x11, instance) for instance in range(1, count + 1)]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Switchable:
    """A node that answers from its store only while `answering` is set."""

    def __init__(self) -> None:
        self.answering = False
        self.store = PropertyStore({BATTERY: {0x80: b"\x30", 0xE4: b"\x09"}})

    def __call__(self, request: Frame) -> list[Frame] | None:
        return self.store(request) if self.answering else None


async def started(clock: FakeClock | None = None) -> EchonetClient:
    client = EchonetClient(interface="127.0.0.1", timeout=FAST, retries=1, monotonic=clock or FakeClock())
    await client.start()
    return client


async def gather_failures(client: EchonetClient, objects: list[EOJ]) -> list[BaseException | object]:
    gets = (client.get(DEVICE_IP, eoj, [0x80, 0x81]) for eoj in objects)
    return await asyncio.gather(*gets, return_exceptions=True)


async def test_requests_queued_for_a_silent_address_fail_without_being_sent() -> None:
    client = await started()
    try:
        async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
            results = await gather_failures(client, fake_objects(20))
    finally:
        await client.close()
    assert all(isinstance(result, RequestTimeoutError) for result in results)
    assert sum(isinstance(result, NodeSilentError) for result in results) >= 17
    # Three unanswered Gets (to different objects) make the address silent; without fast-fail each of the 20 objects
    # costs its 2-EPC batch, the split single EPC and its retry: 60 datagrams, each waiting its own timeout.
    assert len(node.received) == 3
    assert client.is_silent(DEVICE_IP)


async def test_any_frame_from_the_address_ends_the_fast_fail() -> None:
    client = await started()
    node_handler = Switchable()
    try:
        async with FakeNode(DEVICE_IP, node_handler) as node:
            await gather_failures(client, fake_objects(3))
            with pytest.raises(NodeSilentError):
                await client.get(DEVICE_IP, BATTERY, [0x80])
            sent = len(node.received)
            node_handler.answering = True
            announced = asyncio.Event()
            client.subscribe(lambda _notification: announced.set())
            # The node announces itself (an INF of its instance list, as after a reboot).
            node.send(Frame(0x0001, EOJ(0x0E, 0xF0, 0x01), EOJ(0x0E, 0xF0, 0x01), ESV.INF, (Property(0xD5, b"\x00"),)))
            await announced.wait()
            assert not client.is_silent(DEVICE_IP)
            result = await client.get(DEVICE_IP, BATTERY, [0x80, 0xE4])
    finally:
        await client.close()
    assert result.values == {0x80: b"\x30", 0xE4: b"\x09"}
    assert len(node.received) == sent + 1


async def test_a_silent_address_is_probed_once_per_interval_with_one_attempt() -> None:
    clock = FakeClock()
    client = await started(clock)
    node_handler = Switchable()
    try:
        async with FakeNode(DEVICE_IP, node_handler) as node:
            await gather_failures(client, fake_objects(3))
            sent = len(node.received)
            with pytest.raises(NodeSilentError):
                await client.get(DEVICE_IP, BATTERY, [0x80])
            clock.now += client.silence_probe_interval
            with pytest.raises(RequestTimeoutError) as probe_failed:
                await client.get(DEVICE_IP, BATTERY, [0x80])
            assert not isinstance(probe_failed.value, NodeSilentError)
            assert len(node.received) == sent + 1  # the probe: one attempt, no retry
            with pytest.raises(NodeSilentError):
                await client.get(DEVICE_IP, BATTERY, [0x80])
            clock.now += client.silence_probe_interval
            node_handler.answering = True
            result = await client.get(DEVICE_IP, BATTERY, [0x80])
    finally:
        await client.close()
    assert result.values == {0x80: b"\x30"}
    assert not client.is_silent(DEVICE_IP)


async def test_one_object_a_node_does_not_serve_does_not_silence_its_siblings() -> None:
    client = await started()
    try:
        async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: {0x80: b"\x30"}})):
            for _ in range(3):
                with pytest.raises(RequestTimeoutError) as gone:
                    await client.get(DEVICE_IP, GONE, [0x80, 0x81, 0x82, 0x83])
                assert not isinstance(gone.value, NodeSilentError)
            result = await client.get(DEVICE_IP, BATTERY, [0x80])
    finally:
        await client.close()
    assert result.values == {0x80: b"\x30"}
    assert not client.is_silent(DEVICE_IP)


async def test_fast_fail_can_be_turned_off() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=FAST, retries=0, silence_after=None)
    await client.start()
    try:
        async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
            results = await asyncio.gather(
                *(client.get(DEVICE_IP, eoj, [0x80]) for eoj in fake_objects(5)), return_exceptions=True
            )
    finally:
        await client.close()
    assert not any(isinstance(result, NodeSilentError) for result in results)
    assert len(node.received) == 5


async def test_forget_drops_the_silence_state() -> None:
    client = await started()
    try:
        async with FakeNode(DEVICE_IP, lambda _frame: None):
            await gather_failures(client, fake_objects(3))
        client.forget(DEVICE_IP)
    finally:
        await client.close()
    assert not client.is_silent(DEVICE_IP)
    assert client.addresses_known == 0
