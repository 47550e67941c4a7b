"""Our controller's node profile (0x0EF001) and controller object (0x05FF01): the values, and the client answering
real UDP requests on loopback.

A peer on 127.0.0.31:3610 plays a device (or another controller) that reads our node profile. "No answer" is proven
without waiting: the peer sends the frame that must stay unanswered, then a Get, and the first datagram it receives
must be the Get's answer (loopback keeps the order of datagrams).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import socket

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.controller_profile import (
    EXPERIMENTAL_MANUFACTURER,
    ControllerProfile,
)
from custom_components.echonet_hems.lib.echonet.discovery import decode_instance_list
from custom_components.echonet_hems.lib.echonet.frame import (
    CONTROLLER,
    EOJ,
    ESV,
    NODE_PROFILE,
    NODE_PROFILE_ALL,
    Frame,
    Property,
    decode_format1,
)
from custom_components.echonet_hems.lib.echonet.property_map import decode_property_map

PEER_IP = "127.0.0.31"
CLIENT_IP = "127.0.0.1"
PORT = 3610
GROUP = "224.0.23.0"
PEER_EOJ = EOJ(0x02, 0x7D, 0x01)  # a storage battery asking who its controller is
PROFILE = ControllerProfile(bytes(range(1, 14)))
REQUIRED_NODE_PROFILE_EPCS = (0x80, 0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F, 0xD3, 0xD4, 0xD6, 0xD7)


# --- values --------------------------------------------------------------------------------------------------------
def test_identification_number_is_fe_maker_and_the_unique_part() -> None:
    assert PROFILE.identification == b"\xfe\xff\xff\xff" + bytes(range(1, 14))
    assert PROFILE.value(NODE_PROFILE, 0x83) == PROFILE.identification
    assert PROFILE.value(NODE_PROFILE, 0x8A) == EXPERIMENTAL_MANUFACTURER.to_bytes(3, "big")


def test_instance_and_class_lists_name_the_controller_object() -> None:
    assert decode_instance_list(PROFILE.value(NODE_PROFILE, 0xD6) or b"") == (CONTROLLER,)
    assert PROFILE.value(NODE_PROFILE, 0xD5) == PROFILE.value(NODE_PROFILE, 0xD6)
    assert PROFILE.value(NODE_PROFILE, 0xD7) == bytes.fromhex("0105FF")  # without the node profile
    assert PROFILE.value(NODE_PROFILE, 0xD3) == b"\x00\x00\x01"  # 3 bytes, without the node profile
    assert PROFILE.value(NODE_PROFILE, 0xD4) == b"\x00\x02"  # with the node profile


@pytest.mark.parametrize("eoj", [NODE_PROFILE, CONTROLLER])
def test_property_maps_tell_the_truth(eoj: EOJ) -> None:
    readable = {epc for epc in range(256) if PROFILE.value(eoj, epc) is not None}
    assert decode_property_map(PROFILE.value(eoj, 0x9F) or b"") == readable
    assert decode_property_map(PROFILE.value(eoj, 0x9E) or b"") == frozenset()  # nothing of ours is writable
    assert decode_property_map(PROFILE.value(eoj, 0x9D) or b"") <= readable


def test_every_required_node_profile_epc_is_readable() -> None:
    assert all(PROFILE.value(NODE_PROFILE, epc) is not None for epc in REQUIRED_NODE_PROFILE_EPCS)
    assert PROFILE.value(NODE_PROFILE, 0x82) == bytes.fromhex("010E0100")
    assert PROFILE.value(CONTROLLER, 0x82) == bytes.fromhex("00005200")  # Appendix release R


def test_a_seed_gives_the_same_identification_every_time_and_hides_the_seed() -> None:
    first, again = ControllerProfile.from_seed("instance-1"), ControllerProfile.from_seed("instance-1")
    assert first.identification == again.identification
    assert first.identification != ControllerProfile.from_seed("instance-2").identification
    assert b"instance" not in first.identification
    assert ControllerProfile.random().unique_id != ControllerProfile.random().unique_id


def test_a_unique_part_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="13 bytes"):
        ControllerProfile(b"\x01" * 12)
    with pytest.raises(ValueError, match="manufacturer"):
        ControllerProfile(b"\x01" * 13, manufacturer=0x1000000)


def test_responses_and_notifications_get_no_answer() -> None:
    for esv in (ESV.GET_RES, ESV.GET_SNA, ESV.SET_RES, ESV.INF, ESV.INFC, ESV.INFC_RES):
        assert PROFILE.answer(Frame(1, PEER_EOJ, NODE_PROFILE, esv, (Property(0x80, b"\x30"),))) == []


# --- over UDP ------------------------------------------------------------------------------------------------------
class Peer(asyncio.DatagramProtocol):
    """A device on PEER_IP:3610 that sends raw frames and queues what it receives."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[Frame, str]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.received.put_nowait((decode_format1(data), str(addr[0])))

    def send(self, frame: Frame, to: str = CLIENT_IP) -> None:
        assert self.transport is not None
        self.transport.sendto(frame.encode(), (to, PORT))

    async def next(self) -> Frame:
        async with asyncio.timeout(5):
            frame, source = await self.received.get()
        assert source == CLIENT_IP
        return frame


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface=CLIENT_IP, timeout=1.0, retries=0, profile=PROFILE)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
async def peer(client: EchonetClient) -> AsyncIterator[Peer]:
    del client  # started first: the peer talks to it
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((PEER_IP, PORT))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(PEER_IP))
    sock.setblocking(False)
    transport, peer = await asyncio.get_running_loop().create_datagram_endpoint(Peer, sock=sock)
    peer.transport = transport
    yield peer
    transport.close()
    await asyncio.sleep(0)


def get(deoj: EOJ, *epcs: int, tid: int = 0x0101, esv: ESV = ESV.GET) -> Frame:
    return Frame(tid, PEER_EOJ, deoj, esv, tuple(Property(epc) for epc in epcs))


async def test_a_get_of_the_node_profile_is_answered_with_every_required_value(peer: Peer) -> None:
    peer.send(get(NODE_PROFILE, *REQUIRED_NODE_PROFILE_EPCS, tid=0x4242))
    answer = await peer.next()
    assert (answer.esv, answer.tid, answer.seoj, answer.deoj) == (ESV.GET_RES, 0x4242, NODE_PROFILE, PEER_EOJ)
    assert [prop.epc for prop in answer.properties] == list(REQUIRED_NODE_PROFILE_EPCS)
    values = {prop.epc: prop.edt for prop in answer.properties}
    assert values[0x83] == PROFILE.identification
    assert decode_instance_list(values[0xD6]) == (CONTROLLER,)
    assert values[0x80] == b"\x30"


async def test_an_unknown_epc_makes_it_get_sna_with_the_known_values_kept(peer: Peer) -> None:
    peer.send(get(NODE_PROFILE, 0xD6, 0xF0, 0x8A))
    answer = await peer.next()
    assert answer.esv is ESV.GET_SNA
    assert [(prop.epc, prop.pdc) for prop in answer.properties] == [(0xD6, 4), (0xF0, 0), (0x8A, 3)]


async def test_the_controller_object_answers_too(peer: Peer) -> None:
    peer.send(get(CONTROLLER, 0x80, 0x8A, 0x9F))
    answer = await peer.next()
    assert (answer.esv, answer.seoj) == (ESV.GET_RES, CONTROLLER)
    assert 0x88 in decode_property_map(answer.properties[2].edt)


async def test_instance_zero_addresses_the_node_profile(peer: Peer) -> None:
    peer.send(get(NODE_PROFILE_ALL, 0xD6))
    answer = await peer.next()
    assert (answer.esv, answer.seoj) == (ESV.GET_RES, NODE_PROFILE)


async def test_a_multicast_get_d6_is_answered_by_unicast(peer: Peer) -> None:
    peer.send(get(NODE_PROFILE, 0xD6, tid=7), to=GROUP)
    answer = await peer.next()
    assert (answer.esv, answer.tid, answer.properties[0].epc) == (ESV.GET_RES, 7, 0xD6)


async def test_set_is_refused_and_inf_req_answered_to_the_requester(peer: Peer) -> None:
    setc = Frame(1, PEER_EOJ, NODE_PROFILE, ESV.SETC, (Property(0xBF, b"\x00\x01"),))
    peer.send(setc)
    answer = await peer.next()
    assert (answer.esv, answer.properties) == (ESV.SETC_SNA, setc.properties)  # the rejected EDT echoed

    peer.send(get(NODE_PROFILE, 0xD5, esv=ESV.INF_REQ))
    answer = await peer.next()
    assert (answer.esv, answer.properties[0].epc) == (ESV.INF, 0xD5)


async def test_responses_and_other_objects_are_not_answered(peer: Peer) -> None:
    peer.send(Frame(9, PEER_EOJ, NODE_PROFILE, ESV.GET_RES, (Property(0xD6, b"\x00"),)))
    peer.send(get(EOJ(0x01, 0x30, 0x01), 0x80, tid=10))  # an air conditioner: not one of our objects
    peer.send(get(NODE_PROFILE, 0x80, tid=11))
    answer = await peer.next()
    assert answer.tid == 11  # nothing came before the answer to the last Get
    assert peer.received.empty()


async def test_our_own_multicast_search_does_not_find_ourselves(client: EchonetClient, peer: Peer) -> None:
    # Multicast loopback hands our Get D6 back to our own socket; answering it would list us among the nodes. The
    # window is the search's own collection time, not a timing assertion.
    answers = await client.multicast(NODE_PROFILE, ESV.GET, [Property(0xD6)], 0.3)
    assert answers == []
    # Another controller's request with the same SEOJ and TID after the search is answered again.
    peer.send(Frame(1, CONTROLLER, NODE_PROFILE, ESV.GET, (Property(0x80),)))
    assert (await peer.next()).esv is ESV.GET_RES
