"""A simulated ECHONET Lite node on its own loopback (or LAN) address: UDP 3610, multicast 224.0.23.0, node profile.

Each node binds (address, 3610) for unicast and a second socket to the multicast group, answers requests addressed to
any of its objects (instance code 0 = every instance of a class), announces its instance list (INF 0xD5) when it
starts, and sends INF to the group for every change of a property in an object's status-change map. Faults can be
injected per node: packet loss, delay, silence, a capped number of EPCs per answer, reboot and an address change.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
import random
import socket
import struct
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, NODE_PROFILE, Frame, Property, decode_frame
from custom_components.echonet_hems.lib.echonet.ids import (
    EPC_CLASS_COUNT,
    EPC_CLASS_LIST,
    EPC_IDENTIFICATION,
    EPC_INSTANCE_COUNT,
    EPC_INSTANCE_LIST_NOTIFICATION,
    EPC_MANUFACTURER,
    EPC_OPERATION_STATUS,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_SELF_NODE_INSTANCES as EPC_INSTANCE_LIST,
    EPC_STANDARD_VERSION,
)
from custom_components.echonet_hems.lib.errors import ProtocolError

from .device import (
    DeviceObject,
    Prop,
    addressed_objects,
    constant,
    process_request,
    u16,
)

_LOGGER = logging.getLogger(__name__)

PORT: Final = 3610
GROUP: Final = "224.0.23.0"
NODE_VERSION: Final = b"\x01\x0d\x01\x00"  # ECHONET Lite 1.13, format 1


@dataclass(slots=True)
class NodeFaults:
    """Misbehaviour to inject. `loss` is the probability that a request is ignored; `delay` is in real seconds."""

    loss: float = 0.0
    delay: float = 0.0
    silent: bool = False
    max_epcs: int | None = None  # answer only the first N EPCs of a request (a device with a batch limit)


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """What makes a node unique: manufacturer, product code and production number (0x83 is derived from them)."""

    manufacturer: int
    product_code: str
    serial: str

    @property
    def identification(self) -> bytes:
        """0x83: 0xFE, the 3-byte manufacturer code and 13 bytes unique to the node."""
        unique = self.serial.encode("ascii")[-13:].rjust(13, b"\x00")
        return b"\xfe" + self.manufacturer.to_bytes(3, "big") + unique


def instance_list(eojs: list[EOJ]) -> bytes:
    """D5/D6 encoding: count + EOJs."""
    return bytes([len(eojs)]) + b"".join(eoj.to_bytes() for eoj in eojs)


def node_profile(identity: NodeIdentity, devices: list[DeviceObject]) -> DeviceObject:
    """The node profile object 0x0EF001 describing `devices`."""
    eojs = [obj.eoj for obj in devices]
    classes = sorted({eoj.class_id for eoj in eojs})
    props = {
        EPC_OPERATION_STATUS: Prop(get=constant(b"\x30"), announce=True),
        EPC_STANDARD_VERSION: Prop(get=constant(NODE_VERSION)),
        EPC_IDENTIFICATION: Prop(get=constant(identity.identification)),
        EPC_MANUFACTURER: Prop(get=constant(identity.manufacturer.to_bytes(3, "big"))),
        EPC_PRODUCT_CODE: Prop(get=constant(identity.product_code.encode("ascii")[:12].ljust(12, b" "))),
        EPC_PRODUCTION_NUMBER: Prop(get=constant(identity.serial.encode("ascii")[:12].ljust(12, b" "))),
        EPC_INSTANCE_COUNT: Prop(get=constant(len(eojs).to_bytes(3, "big"))),
        EPC_CLASS_COUNT: Prop(get=constant(u16(len(classes) + 1))),
        EPC_INSTANCE_LIST_NOTIFICATION: Prop(get=constant(instance_list(eojs)), announce=True),
        EPC_INSTANCE_LIST: Prop(get=constant(instance_list(eojs))),
        EPC_CLASS_LIST: Prop(get=constant(bytes([len(classes)]) + b"".join(u16(c) for c in classes))),
    }
    return DeviceObject(NODE_PROFILE, props)


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, node: EchonetNode) -> None:
        self._node = node

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self._node.receive(data, (str(addr[0]), addr[1]))


class EchonetNode:
    """One simulated node. `await start()`, then `announce_changes()` after every simulation step; `await stop()`."""

    def __init__(
        self,
        address: str,
        identity: NodeIdentity,
        devices: list[DeviceObject],
        *,
        interface: str = "127.0.0.1",
        faults: NodeFaults | None = None,
        seed: int = 0,
        announce_measurements: bool = False,
    ) -> None:
        """`announce_measurements`: INF also for every measured value that changes, not only the status-change map
        (real devices announce status changes; a demo at 60x speed needs its readings pushed, see runtime.py)."""
        self.announce_measurements = announce_measurements
        self.address = address
        self.identity = identity
        self.devices = devices
        self.profile = node_profile(identity, devices)
        self.objects: dict[EOJ, DeviceObject] = {obj.eoj: obj for obj in [self.profile, *devices]}
        self.faults = faults or NodeFaults()
        self._interface = interface
        self._random = random.Random(seed)
        self._transports: list[asyncio.DatagramTransport] = []
        self._announced: dict[EOJ, dict[int, bytes]] = {}
        self._next_tid = 1

    @property
    def running(self) -> bool:
        """True while the node's sockets are open."""
        return bool(self._transports)

    async def start(self) -> None:
        """Bind the sockets and announce the instance list to the multicast group."""
        if self.running:
            return
        loop = asyncio.get_running_loop()
        unicast = _socket()
        group = _socket()
        try:
            unicast.bind((self.address, PORT))
            unicast.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(self.address))
            group.bind((GROUP, PORT))
            membership = struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton(self._interface))
            group.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        except OSError:
            unicast.close()
            group.close()
            raise
        for sock in (unicast, group):
            transport, _ = await loop.create_datagram_endpoint(lambda: _Receiver(self), sock=sock)
            self._transports.append(transport)
        self._announced = {obj.eoj: self._announced_values(obj) for obj in self.devices}
        self.send_inf(self.profile, [EPC_INSTANCE_LIST_NOTIFICATION])
        _LOGGER.info("node %s up with %s", self.address, ", ".join(str(obj.eoj) for obj in self.devices))

    async def stop(self) -> None:
        """Close the sockets (the node disappears from the network)."""
        transports, self._transports = self._transports, []
        for transport in transports:
            transport.close()
        await asyncio.sleep(0)

    async def reboot(self) -> None:
        """Go away and come back, announcing the instance list again (a power cycle)."""
        await self.stop()
        await self.start()

    async def move(self, address: str) -> None:
        """Come back at another address (DHCP gave the device a new lease)."""
        await self.stop()
        self.address = address
        await self.start()

    # ----------------------------------------------------------------------------------------------------- receive
    def receive(self, data: bytes, source: tuple[str, int]) -> None:
        """Handle one datagram from the network (unicast or multicast)."""
        try:
            frame = decode_frame(data)
        except ProtocolError:
            return
        if not isinstance(frame, Frame) or not frame.esv.is_request:
            return
        if self.faults.silent or (self.faults.loss and self._random.random() < self.faults.loss):
            return
        answers = self.answer(frame)
        if not answers:
            return
        if self.faults.delay:
            asyncio.get_running_loop().call_later(self.faults.delay, self._send_all, answers, source)
        else:
            self._send_all(answers, source)

    def answer(self, request: Frame) -> list[tuple[Frame, bool]]:
        """The answers to a request as (frame, to the group?) pairs: INF answers to INF_REQ go to the group."""
        if self.faults.max_epcs is not None:
            request = Frame(
                request.tid,
                request.seoj,
                request.deoj,
                request.esv,
                request.properties[: self.faults.max_epcs],
                request.get_properties,
            )
        answers: list[tuple[Frame, bool]] = []
        for obj in addressed_objects(self.objects, request.deoj):
            frame = process_request(obj, request)
            if frame is not None:
                answers.append((frame, frame.esv is ESV.INF))
        return answers

    def _send_all(self, answers: list[tuple[Frame, bool]], source: tuple[str, int]) -> None:
        if not self._transports:
            return
        for frame, to_group in answers:
            self._transports[0].sendto(frame.encode(), (GROUP, PORT) if to_group else source)

    # ---------------------------------------------------------------------------------------------------- announce
    def send_inf(self, obj: DeviceObject, epcs: list[int]) -> None:
        """Send INF of `epcs` of `obj` to the multicast group."""
        if not self._transports or not epcs:
            return
        props = tuple(Property(epc, obj.read(epc) or b"") for epc in epcs)
        frame = Frame(self._tid(), obj.eoj, NODE_PROFILE, ESV.INF, props)
        self._transports[0].sendto(frame.encode(), (GROUP, PORT))

    def announce_changes(self) -> int:
        """Send INF for every announced property whose value changed since the last call; returns how many frames."""
        sent = 0
        for obj in self.devices:
            current = self._announced_values(obj)
            previous = self._announced.get(obj.eoj, {})
            changed = [epc for epc, edt in current.items() if previous.get(epc) != edt]
            self._announced[obj.eoj] = current
            if changed and self.running and not self.faults.silent:
                self.send_inf(obj, changed)
                sent += 1
        return sent

    def _announced_values(self, obj: DeviceObject) -> dict[int, bytes]:
        return obj.announced_values(measurements=self.announce_measurements)

    def _tid(self) -> int:
        tid = self._next_tid
        self._next_tid = tid % 0xFFFF + 1
        return tid


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setblocking(False)
    return sock
