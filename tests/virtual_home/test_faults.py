"""The soak's extra faults (virtual_home.faults): hostile datagrams, serial noise, a taken meter, air-time limit."""

from __future__ import annotations

import random
import socket

import pytest

from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, NODE_PROFILE, Frame, Property
from tests.virtual_home.test_dongle_support import PASSWORD, ROUTE_B_ID, START, StubMeter
from virtual_home.clock import ManualClock
from virtual_home.dongle import Dialect, DongleOptions, DonglePort
from virtual_home.echonet.node import EchonetNode, NodeIdentity
from virtual_home.faults import (
    cap_batches,
    garbage_datagram,
    lan_targets,
    limit_transmission,
    release_meter,
    send_garbage_datagrams,
    serial_garbage,
    take_meter,
)

CONTROLLER = EOJ(0x05, 0xFF, 0x01)


def _node() -> EchonetNode:
    return EchonetNode("127.0.7.240", NodeIdentity(0x0B, "VH-TEST", "VHT0001"), [])


def test_garbage_datagrams_arrive_and_are_seeded() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.7.250", 0))
        receiver.settimeout(5.0)
        target = receiver.getsockname()
        sent = send_garbage_datagrams("127.0.7.251", [target], 12, random.Random(3))
        received = [receiver.recvfrom(2048) for _ in range(sent)]
    assert sent == 12
    assert all(source[0] == "127.0.7.251" for _, source in received)
    expected_rng = random.Random(3)
    assert [data for data, _ in received] == [garbage_datagram(expected_rng) for _ in range(12)]


def test_a_node_shrugs_off_garbage_and_still_answers() -> None:
    node = _node()
    rng = random.Random(7)
    for _ in range(500):
        node.receive(garbage_datagram(rng), ("127.0.0.1", 3610))  # never raises
    request = Frame(1, CONTROLLER, NODE_PROFILE, ESV.GET, (Property(0x83, b""),))
    (answer, to_group), *_ = node.answer(request)
    assert answer.esv is ESV.GET_RES
    assert not to_group


def test_lan_targets_are_the_group_and_the_controller() -> None:
    assert lan_targets("127.0.0.1") == [("224.0.23.0", 3610), ("127.0.0.1", 3610)]


def test_cap_batches_limits_the_answer() -> None:
    node = _node()
    request = Frame(2, CONTROLLER, NODE_PROFILE, ESV.GET, tuple(Property(epc, b"") for epc in (0x80, 0x82, 0x83)))
    cap_batches(node, 1)
    (answer, _), *_ = node.answer(request)
    assert [prop.epc for prop in answer.properties] == [0x80]
    cap_batches(node, None)
    (answer, _), *_ = node.answer(request)
    assert len(answer.properties) == 3
    with pytest.raises(ValueError, match="at least 1"):
        cap_batches(node, 0)


def test_serial_garbage_is_seeded_and_ends_a_line() -> None:
    first, second = serial_garbage(random.Random(1)), serial_garbage(random.Random(1))
    assert first == second
    assert first.endswith(b"\r\n")
    assert len(first) >= 24


async def test_taking_the_meter_and_the_air_time_limit() -> None:
    clock = ManualClock(START)
    port = DonglePort(
        Dialect.BP35A1,
        StubMeter(),
        clock,
        route_b_id=ROUTE_B_ID,
        password=PASSWORD,
        options=DongleOptions(tx_window=600.0),
        pty=False,
        tcp=True,
    )
    async with port:
        assert take_meter(port) is False  # no session to end yet
        assert port.emulator._radio.meter_busy
        release_meter(port)
        assert not port.emulator._radio.meter_busy
        limit_transmission(port)
        assert port.emulator.tx_limited
        port.advance(599.0)
        assert port.emulator.tx_limited
        port.advance(2.0)
        assert not port.emulator.tx_limited
