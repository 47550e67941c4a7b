"""A scriptable ECHONET Lite peer on a real loopback UDP socket, for client and discovery tests.

It binds (address, 3610) like a device, optionally joins 224.0.23.0 on the loopback interface, records every frame it
receives and answers through a handler the test supplies. The full device simulation is the virtual home; this peer
exists to produce the misbehaviours (dropped replies, capped batches, duplicates, wrong SEOJ) the client must survive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import socket
import struct

from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, Frame, Property, decode_format1

type Handler = Callable[[Frame], list[Frame] | None]

PORT = 3610
GROUP = "224.0.23.0"


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, node: FakeNode) -> None:
        self.node = node

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.node.on_datagram(data, (str(addr[0]), addr[1]))


class FakeNode:
    """A loopback ECHONET peer. `handler(frame)` returns the frames to send back (None or [] = stay silent)."""

    def __init__(self, address: str, handler: Handler, *, multicast: bool = False) -> None:
        self.address = address
        self.handler = handler
        self.multicast = multicast
        self.received: list[Frame] = []
        self.reply_to: tuple[str, int] = ("127.0.0.1", PORT)
        self._transports: list[asyncio.DatagramTransport] = []

    async def __aenter__(self) -> FakeNode:
        loop = asyncio.get_running_loop()
        unicast = _socket()
        unicast.bind((self.address, PORT))
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=unicast)
        self._transports.append(transport)
        if self.multicast:
            group = _socket()
            group.bind((GROUP, PORT))
            membership = struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton("127.0.0.1"))
            group.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=group)
            self._transports.append(transport)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for transport in self._transports:
            transport.close()
        await asyncio.sleep(0)

    def on_datagram(self, data: bytes, source: tuple[str, int]) -> None:
        frame = decode_format1(data)
        self.received.append(frame)
        self.reply_to = source
        for reply in self.handler(frame) or []:
            self.send(reply)

    def send(self, frame: Frame) -> None:
        """Send a frame from this node's unicast socket to the client."""
        self._transports[0].sendto(frame.encode(), self.reply_to)

    def send_multicast(self, frame: Frame) -> None:
        """Send a frame from this node's unicast socket to the multicast group (as a device's INF)."""
        sock = self._transports[0].get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(self.address))
        self._transports[0].sendto(frame.encode(), (GROUP, PORT))


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setblocking(False)
    return sock


def reply(request: Frame, esv: ESV, properties: list[Property], *, seoj: EOJ | None = None) -> Frame:
    """The answer frame to `request`: same TID, SEOJ/DEOJ swapped."""
    return Frame(request.tid, seoj or request.deoj, request.seoj, esv, tuple(properties))


class PropertyStore:
    """Answers Get/SetC from a dict of EPC → EDT per object, the way a conforming device does (Get_SNA with partial
    data, SetC_SNA echoing rejected EDTs)."""

    def __init__(self, objects: dict[EOJ, dict[int, bytes]], *, settable: frozenset[int] = frozenset()) -> None:
        self.objects = objects
        self.settable = settable

    def __call__(self, request: Frame) -> list[Frame] | None:
        values = self.objects.get(request.deoj)
        if values is None:
            return None
        if request.esv is ESV.GET:
            props = [Property(p.epc, values.get(p.epc, b"")) for p in request.properties]
            esv = ESV.GET_RES if all(p.edt for p in props) else ESV.GET_SNA
            return [reply(request, esv, props)]
        if request.esv is ESV.SETC:
            answer = []
            for prop in request.properties:
                if prop.epc in self.settable:
                    values[prop.epc] = prop.edt
                    answer.append(Property(prop.epc))
                else:
                    answer.append(prop)
            esv = ESV.SET_RES if all(not p.edt for p in answer) else ESV.SETC_SNA
            return [reply(request, esv, answer)]
        return None
