"""EchonetClient over real loopback UDP against scripted peers (tests/lib/echonet/fake_node.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import socket

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient, Notification
from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, Frame, Property
from custom_components.echonet_hems.lib.errors import (
    ProtocolError,
    RequestTimeoutError,
    TransportError,
    UnsupportedError,
)

from .fake_node import FakeNode, Handler, PropertyStore, reply

BATTERY = EOJ(0x02, 0x7D, 0x01)
METER = EOJ(0x02, 0x88, 0x01)
DEVICE_IP = "127.0.0.21"
OTHER_IP = "127.0.0.22"
FAST = 0.15  # per-attempt timeout for tests where silence is the point


class FakeClock:
    """Monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, retries=1)
    await client.start()
    yield client
    await client.close()


def battery_values() -> dict[int, bytes]:
    return {
        0x80: b"\x30",
        0xE4: b"\x09",
        0xE6: b"\x04",
        0xCF: b"\x44",
        0xDA: b"\x44",
        0xD3: (1500).to_bytes(4, "big", signed=True),
        0xA0: (10000).to_bytes(4, "big"),
        0xA1: (10000).to_bytes(4, "big"),
    }


def epcs_asked(node: FakeNode) -> list[list[int]]:
    return [[p.epc for p in frame.properties] for frame in node.received if frame.esv is ESV.GET]


async def test_get_returns_every_value_in_one_request(client: EchonetClient) -> None:
    values = battery_values()
    async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: values})) as node:
        result = await client.get(DEVICE_IP, BATTERY, list(values))
    assert result.values == values
    assert result.unsupported == frozenset()
    assert epcs_asked(node) == [list(values)]


async def test_get_sna_keeps_good_values_and_stops_asking_for_missing(client: EchonetClient) -> None:
    clock = FakeClock()
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, monotonic=clock, sna_retry_interval=600)
    await client.start()
    values = battery_values()
    try:
        async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: values})) as node:
            first = await client.get(DEVICE_IP, BATTERY, [0x80, 0xE4, 0xE2])
            second = await client.get(DEVICE_IP, BATTERY, [0x80, 0xE4, 0xE2])
            clock.now += 601
            values[0xE2] = (8731).to_bytes(4, "big")  # the device can answer it now
            third = await client.get(DEVICE_IP, BATTERY, [0x80, 0xE4, 0xE2])
    finally:
        await client.close()
    assert node.received[0].esv is ESV.GET
    assert first.values == {0x80: b"\x30", 0xE4: b"\x09"}
    assert first.unsupported == {0xE2}
    assert second.unsupported == {0xE2}
    assert epcs_asked(node)[1] == [0x80, 0xE4]  # E2 left out while it is known to SNA
    assert third.values[0xE2] == (8731).to_bytes(4, "big")
    assert third.unsupported == frozenset()
    assert epcs_asked(node)[2] == [0x80, 0xE4, 0xE2]


async def test_sna_retry_follows_the_process_clock_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client made without a clock reads `time.monotonic` at each call, so a clock patched after import (the closed
    loop's simulated time) governs when an SNA'd EPC is asked again."""
    clock = FakeClock()
    monkeypatch.setattr("time.monotonic", clock)
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, sna_retry_interval=600)
    await client.start()
    values = battery_values()
    try:
        async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: values})):
            assert (await client.get(DEVICE_IP, BATTERY, [0x80, 0xE2])).unsupported == {0xE2}
            clock.now += 601
            values[0xE2] = (8731).to_bytes(4, "big")  # e.g. a car plugged in again
            again = await client.get(DEVICE_IP, BATTERY, [0x80, 0xE2])
    finally:
        await client.close()
    assert again.values[0xE2] == (8731).to_bytes(4, "big")


async def test_device_answering_only_first_epcs_teaches_batch_cap(client: EchonetClient) -> None:
    values = battery_values()
    store = PropertyStore({BATTERY: values})

    def capped(request: Frame) -> list[Frame] | None:
        return store(Frame(request.tid, request.seoj, request.deoj, request.esv, request.properties[:3]))

    async with FakeNode(DEVICE_IP, capped) as node:
        result = await client.get(DEVICE_IP, BATTERY, list(values))
        again = await client.get(DEVICE_IP, BATTERY, list(values))
    assert result.values == values
    assert again.values == values
    assert client.batch_cap(DEVICE_IP, BATTERY) == 3
    # First poll: all 8 at once, 3 answered, then the rest within the cap; the second poll starts within the cap.
    assert [len(b) for b in epcs_asked(node)] == [8, 3, 2, 3, 3, 2]


async def test_dropped_reply_to_big_batch_splits_and_learns(client: EchonetClient) -> None:
    values = battery_values()
    store = PropertyStore({BATTERY: values})

    def drops_more_than_two(request: Frame) -> list[Frame] | None:
        return None if len(request.properties) > 2 else store(request)

    client.timeout = FAST
    async with FakeNode(DEVICE_IP, drops_more_than_two) as node:
        result = await client.get(DEVICE_IP, BATTERY, list(values))
        asked_before = len(node.received)
        again = await client.get(DEVICE_IP, BATTERY, list(values))
    assert result.values == values
    assert again.values == values
    assert client.batch_cap(DEVICE_IP, BATTERY) == 2
    assert len(node.received) - asked_before == 4  # 8 EPCs in batches of 2, no more silence


async def test_incompatible_pair_is_split(client: EchonetClient) -> None:
    board = EOJ(0x02, 0x87, 0x01)
    values = {0xB3: bytes(118), 0xB7: bytes(118), 0x80: b"\x30"}
    store = PropertyStore({board: values})

    def drops_b3_with_b7(request: Frame) -> list[Frame] | None:
        asked = {p.epc for p in request.properties}
        return None if {0xB3, 0xB7} <= asked else store(request)

    client.timeout = FAST
    async with FakeNode(DEVICE_IP, drops_b3_with_b7):
        result = await client.get(DEVICE_IP, board, [0xB3, 0xB7, 0x80])
    assert result.values == values


async def test_silent_device_times_out_after_retries(client: EchonetClient) -> None:
    client.timeout = FAST
    async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
        with pytest.raises(RequestTimeoutError):
            await client.get(DEVICE_IP, BATTERY, [0x80])
    assert len(node.received) == 2  # one try and one retry
    assert {frame.tid for frame in node.received} == {node.received[0].tid}  # a retry keeps its TID


async def test_silent_device_with_many_epcs_fails_without_endless_splitting(client: EchonetClient) -> None:
    client.timeout = FAST
    async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
        with pytest.raises(RequestTimeoutError):
            await client.get(DEVICE_IP, BATTERY, list(range(0x80, 0x90)))
    # 16 → 8 → 4 → 2 → 1 (one try each), then the single EPC with its retry.
    assert [len(b) for b in epcs_asked(node)] == [16, 8, 4, 2, 1, 1]


async def test_retry_recovers_a_lost_reply(client: EchonetClient) -> None:
    store = PropertyStore({BATTERY: battery_values()})
    seen: list[int] = []

    def loses_first(request: Frame) -> list[Frame] | None:
        seen.append(request.tid)
        return None if len(seen) == 1 else store(request)

    client.timeout = FAST
    async with FakeNode(DEVICE_IP, loses_first):
        result = await client.get(DEVICE_IP, BATTERY, [0x80])
    assert result.values == {0x80: b"\x30"}
    assert len(seen) == 2


async def test_late_duplicate_and_wrong_seoj_are_ignored(client: EchonetClient) -> None:
    store = PropertyStore({BATTERY: battery_values()})

    def noisy(request: Frame) -> list[Frame] | None:
        good = store(request) or []
        wrong_object = reply(request, ESV.GET_RES, [Property(0x80, b"\x31")], seoj=METER)
        wrong_esv = reply(request, ESV.SET_RES, [Property(0x80)])
        return [wrong_object, wrong_esv, *good, *good]  # the duplicate arrives after the request completed

    async with FakeNode(DEVICE_IP, noisy):
        first = await client.get(DEVICE_IP, BATTERY, [0x80])
        second = await client.get(DEVICE_IP, BATTERY, [0xE4])
    assert first.values == {0x80: b"\x30"}
    assert second.values == {0xE4: b"\x09"}


async def test_repeated_epc_in_answer_keeps_first_and_ignores_unasked() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=1.0)
    await client.start()

    def doubled(request: Frame) -> list[Frame]:
        props = [Property(0xE7, b"\x00\x00\x02\x0e"), Property(0xE7, b"\x00\x00\x02\x0f"), Property(0xFE, b"\xaa")]
        return [reply(request, ESV.GET_RES, props)]

    try:
        async with FakeNode(DEVICE_IP, doubled):
            result = await client.get(DEVICE_IP, METER, [0xE7])
    finally:
        await client.close()
    assert result.values == {0xE7: b"\x00\x00\x02\x0e"}


async def test_answer_without_any_requested_epc_is_a_protocol_error(client: EchonetClient) -> None:
    async with FakeNode(DEVICE_IP, lambda r: [reply(r, ESV.GET_RES, [Property(0xFE, b"\x01")])]):
        with pytest.raises(ProtocolError):
            await client.get(DEVICE_IP, METER, [0xE7, 0xE8])


async def test_tid_wraps_from_ffff_to_0001(client: EchonetClient) -> None:
    client._next_tid = 0xFFFF
    async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: battery_values()})) as node:
        await client.get(DEVICE_IP, BATTERY, [0x80])
        await client.get(DEVICE_IP, BATTERY, [0x80])
    assert [frame.tid for frame in node.received] == [0xFFFF, 0x0001]


async def test_concurrent_callers_are_serialised_per_node(client: EchonetClient) -> None:
    """One outstanding request per node: the peer answers each request only after the next one could have come."""
    store = PropertyStore({BATTERY: battery_values()})
    in_flight = 0
    peak = 0
    nodes: dict[str, FakeNode] = {}

    def slow(request: Frame) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        node = nodes[str(request.deoj)]
        answers = store(request) or []

        def answer() -> None:
            nonlocal in_flight
            in_flight -= 1
            for frame in answers:
                node.send(frame)

        asyncio.get_running_loop().call_later(0.05, answer)

    async with FakeNode(DEVICE_IP, slow) as node:
        nodes[str(BATTERY)] = node
        results = await asyncio.gather(*(client.get(DEVICE_IP, BATTERY, [epc]) for epc in (0x80, 0xE4, 0xE6, 0xCF)))
    assert [r.values for r in results] == [{0x80: b"\x30"}, {0xE4: b"\x09"}, {0xE6: b"\x04"}, {0xCF: b"\x44"}]
    assert peak == 1


async def test_different_nodes_are_asked_in_parallel(client: EchonetClient) -> None:
    store = PropertyStore({BATTERY: battery_values()})
    pending: list[tuple[FakeNode, Frame]] = []
    both_asked = asyncio.Event()
    nodes: dict[str, FakeNode] = {}

    def hold(address: str) -> Handler:
        def handler(request: Frame) -> None:
            pending.append((nodes[address], request))
            if len(pending) == 2:
                both_asked.set()
                for node, held in pending:
                    for frame in store(held) or []:
                        node.send(frame)

        return handler

    async with FakeNode(DEVICE_IP, hold(DEVICE_IP)) as first, FakeNode(OTHER_IP, hold(OTHER_IP)) as second:
        nodes[DEVICE_IP], nodes[OTHER_IP] = first, second
        results = await asyncio.gather(client.get(DEVICE_IP, BATTERY, [0x80]), client.get(OTHER_IP, BATTERY, [0x80]))
    assert both_asked.is_set()  # neither answer came before both requests were out
    assert all(r.values == {0x80: b"\x30"} for r in results)


async def test_set_reports_accepted_and_rejected(client: EchonetClient) -> None:
    values = battery_values()
    async with FakeNode(DEVICE_IP, PropertyStore({BATTERY: values}, settable=frozenset({0xDA}))):
        ok = await client.set(DEVICE_IP, BATTERY, [Property(0xDA, b"\x42")])
        partly = await client.set(DEVICE_IP, BATTERY, [Property(0xDA, b"\x43"), Property(0xE4, b"\x50")])
    assert ok.accepted == {0xDA}
    assert ok.rejected == frozenset()
    ok.raise_for_rejection()
    assert partly.accepted == {0xDA}
    assert partly.rejected == {0xE4}
    assert values[0xDA] == b"\x43"
    with pytest.raises(UnsupportedError, match="0xE4"):
        partly.raise_for_rejection()


async def test_set_sna_without_detail_counts_everything_rejected(client: EchonetClient) -> None:
    async with FakeNode(DEVICE_IP, lambda r: [reply(r, ESV.SETC_SNA, [Property(0xDA)])]):
        result = await client.set(DEVICE_IP, BATTERY, [Property(0xDA, b"\x42")])
    assert result.rejected == {0xDA}
    assert result.accepted == frozenset()


async def test_set_res_that_confirms_none_of_the_written_epcs_is_a_protocol_error(client: EchonetClient) -> None:
    # A reply that does not answer what was asked is not a success (seen from a hostile node on a LAN).
    async with FakeNode(DEVICE_IP, lambda r: [reply(r, ESV.SET_RES, [Property(0x80)])]):
        with pytest.raises(ProtocolError, match="does not confirm 0xDA"):
            await client.set(DEVICE_IP, BATTERY, [Property(0xDA, b"\x42")])


async def test_one_client_joins_several_interfaces_and_searches_out_of_each(client: EchonetClient) -> None:
    client.join("127.0.0.65")  # another address of the loopback device: the membership is shared, still counted
    client.join("127.0.0.65")
    assert client.interfaces == {"127.0.0.1", "127.0.0.65"}
    client.leave("127.0.0.65")
    assert client.interfaces == {"127.0.0.1", "127.0.0.65"}
    client.leave("127.0.0.65")
    assert client.interfaces == {"127.0.0.1"}
    profile = EOJ(0x0E, 0xF0, 0x01)
    answer = [Property(0xD6, b"\x01\x02\x7d\x01")]
    async with FakeNode(DEVICE_IP, lambda r: [reply(r, ESV.GET_RES, answer)], multicast=True):
        answers = await client.multicast(profile, ESV.GET, [Property(0xD6)], 0.3, interface="127.0.0.1")
    assert [answer.address for answer in answers] == [DEVICE_IP]
    with pytest.raises(TransportError, match="cannot join"):
        client.join("192.0.2.99")  # not an address of this host


async def test_inf_reaches_subscribers_and_infc_is_acknowledged(client: EchonetClient) -> None:
    received: list[Notification] = []
    unsubscribe = client.subscribe(received.append)
    arrived = asyncio.Event()
    client.subscribe(lambda _n: arrived.set())
    inf = Frame(0xA001, METER, EOJ(0x05, 0xFF, 0x01), ESV.INF, (Property(0xE7, b"\x00\x00\x02\x78"),))
    infc = Frame(0xA002, METER, EOJ(0x05, 0xFF, 0x01), ESV.INFC, (Property(0xEA, bytes(11)), Property(0xEB, bytes(11))))
    async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
        node.send(inf)
        await asyncio.wait_for(arrived.wait(), 2)
        arrived.clear()
        node.send(infc)
        await asyncio.wait_for(arrived.wait(), 2)
        for _ in range(50):
            if node.received:
                break
            await asyncio.sleep(0.01)
    assert [n.frame for n in received] == [inf, infc]
    assert all(n.address == DEVICE_IP for n in received)
    ack = node.received[0]
    assert ack.esv is ESV.INFC_RES
    assert ack.tid == 0xA002
    assert (ack.seoj, ack.deoj) == (infc.deoj, infc.seoj)
    assert ack.properties == (Property(0xEA), Property(0xEB))
    unsubscribe()
    unsubscribe()  # idempotent


async def test_failing_subscriber_does_not_stop_others(client: EchonetClient) -> None:
    arrived = asyncio.Event()

    def broken(_notification: Notification) -> None:
        raise RuntimeError("subscriber bug")

    client.subscribe(broken)
    client.subscribe(lambda _n: arrived.set())
    async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
        node.send(Frame(1, METER, EOJ(0x05, 0xFF, 0x01), ESV.INF, (Property(0x80, b"\x30"),)))
        await asyncio.wait_for(arrived.wait(), 2)


async def test_garbage_datagrams_are_dropped(client: EchonetClient) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((DEVICE_IP, 0))
    try:
        for junk in (b"", b"\x10", b"\x10\x81\x00\x01\x02", b"\x10\x82\x00\x01opaque", bytes(300)):
            sock.sendto(junk, ("127.0.0.1", 3610))
        async with FakeNode(OTHER_IP, PropertyStore({BATTERY: battery_values()})):
            result = await client.get(OTHER_IP, BATTERY, [0x80])
    finally:
        sock.close()
    assert result.values == {0x80: b"\x30"}


async def test_multicast_collects_every_answer_in_the_window(client: EchonetClient) -> None:
    profile = EOJ(0x0E, 0xF0, 0x01)

    def instance_list(eoj: EOJ) -> PropertyStore:
        return PropertyStore({profile: {0xD6: b"\x01" + eoj.to_bytes()}})

    async with (
        FakeNode(DEVICE_IP, instance_list(BATTERY), multicast=True),
        FakeNode(OTHER_IP, instance_list(METER), multicast=True),
    ):
        answers = await client.multicast(profile, ESV.GET, [Property(0xD6)], window=0.3)
    by_address = {a.address: a.frame.properties[0].edt for a in answers}
    assert by_address == {DEVICE_IP: b"\x01\x02\x7d\x01", OTHER_IP: b"\x01\x02\x88\x01"}


async def test_close_is_idempotent_frees_the_port_and_fails_waiters() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=5.0)
    await client.start()
    await client.start()  # no second socket
    async with FakeNode(DEVICE_IP, lambda _frame: None):
        waiting = asyncio.ensure_future(client.get(DEVICE_IP, BATTERY, [0x80]))
        await asyncio.sleep(0.05)
        await client.close()
        with pytest.raises(TransportError):
            await waiting
    await client.close()
    assert not client.is_open
    with pytest.raises(TransportError):
        await client.get(DEVICE_IP, BATTERY, [0x80])
    with pytest.raises(TransportError):
        client.send(DEVICE_IP, BATTERY, ESV.SETI, [Property(0x80, b"\x30")])
    # Without SO_REUSEADDR this bind only succeeds if nothing holds UDP 3610 any more.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.bind(("0.0.0.0", 3610))
    finally:
        probe.close()


async def test_port_in_use_is_a_transport_error() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("0.0.0.0", 3610))  # no SO_REUSEADDR: the port is taken for good
    try:
        client = EchonetClient(interface="127.0.0.1")
        with pytest.raises(TransportError, match="port in use"):
            await client.start()
        assert not client.is_open
    finally:
        holder.close()


async def test_bad_interface_is_a_transport_error() -> None:
    client = EchonetClient(interface="not-an-ip")
    with pytest.raises(TransportError, match="socket error"):
        await client.start()


async def test_seti_is_sent_without_waiting(client: EchonetClient) -> None:
    async with FakeNode(DEVICE_IP, lambda _frame: None) as node:
        client.send(DEVICE_IP, BATTERY, ESV.SETI, [Property(0xDA, b"\x42")])
        for _ in range(50):
            if node.received:
                break
            await asyncio.sleep(0.01)
    assert node.received[0].esv is ESV.SETI
    assert node.received[0].properties == (Property(0xDA, b"\x42"),)


async def test_instance_zero_request_accepts_any_instance(client: EchonetClient) -> None:
    """A request to instance 0 (all instances of a class) is answered by a concrete instance."""

    def answer(request: Frame) -> list[Frame]:
        return [reply(request, ESV.INF, [Property(0xD5, b"\x01\x02\x88\x01")], seoj=EOJ(0x0E, 0xF0, 0x01))]

    async with FakeNode(DEVICE_IP, answer):
        frame = await client.request(DEVICE_IP, EOJ(0x0E, 0xF0, 0x00), ESV.INF_REQ, [Property(0xD5)])
    assert frame.esv is ESV.INF
    assert frame.seoj == EOJ(0x0E, 0xF0, 0x01)
