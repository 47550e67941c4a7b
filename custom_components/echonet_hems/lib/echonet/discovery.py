"""Finding ECHONET Lite nodes: multicast search, unicast probes of given addresses, and passive discovery from INF.

A node's identity is its identification number (node profile 0x83), never its IP address: a node that comes back at
another address is the same node and keeps its devices (PROTOCOL.md §5.7). Multicast does not reach every network
(§5.6), so user-given addresses are probed by unicast, and any INF from an unknown address triggers a probe.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
import logging
import time
from typing import Final

from ..errors import HemsError, ProtocolError
from .client import Address, EchonetClient, Notification
from .frame import EOJ, ESV, NODE_PROFILE, NODE_PROFILE_ALL, Frame, Property
from .ids import (
    EPC_GET_MAP,
    EPC_IDENTIFICATION,
    EPC_INSTANCE_LIST_NOTIFICATION,
    EPC_MANUFACTURER,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_SELF_NODE_INSTANCES,
    EPC_SET_MAP,
    EPC_STANDARD_VERSION,
    EPC_STATUS_MAP,
)
from .property_map import decode_property_map
from .quirks import batch_quirk

_LOGGER = logging.getLogger(__name__)


NODE_IDENTITY_EPCS: Final = (
    EPC_IDENTIFICATION,
    EPC_MANUFACTURER,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_STANDARD_VERSION,
    EPC_SELF_NODE_INSTANCES,
)
OBJECT_EPCS: Final = (EPC_GET_MAP, EPC_SET_MAP, EPC_STATUS_MAP, EPC_STANDARD_VERSION, EPC_MANUFACTURER)
USER_DEFINED_GROUP: Final = 0x0F
DEFAULT_WINDOW: Final = 3.0

type NodeCallback = Callable[["Node"], None]
# (node id, the address it is established at, the newcomer's address claiming the same identity)
type ConflictCallback = Callable[[str, Address, Address], None]


# (address, reason: "too_many_objects" or "too_many_new_nodes")
type RefusedCallback = Callable[[Address, str], None]


@dataclass(frozen=True, slots=True)
class GrowthLimits:
    """What discovery adds on its own (addresses the user gave are exempt): a node with more objects than
    `max_objects` is never added automatically, and after `start_passive` at most `new_nodes` unknown nodes per
    `window` seconds are (a real home gains a device now and then; a hostile sender invents hundreds)."""

    max_objects: int = 32
    new_nodes: int = 8
    window: float = 600.0


DEFAULT_LIMITS: Final = GrowthLimits()


class NodeRefusedError(HemsError):
    """Discovery did not add a node on its own (see `GrowthLimits`); the user can add its address."""


class IdentityConflictError(HemsError):
    """A second live address claims a known node's identity; the established address is kept."""


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """Who a node is. `node_id` is stable across address changes unless `stable` is False (a last resort)."""

    node_id: str
    manufacturer_code: int | None
    product_code: str | None
    production_number: str | None
    version: str | None
    stable: bool = True


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One device object of a node with its property maps (hints: devices can SNA what they list)."""

    eoj: EOJ
    get_map: frozenset[int]
    set_map: frozenset[int]
    status_map: frozenset[int]
    release: str | None
    manufacturer_code: int | None


@dataclass(frozen=True, slots=True)
class Node:
    """A discovered node at its current address."""

    address: Address
    identity: NodeIdentity
    objects: tuple[ObjectInfo, ...]

    @property
    def node_id(self) -> str:
        """The node's stable identity."""
        return self.identity.node_id


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a search found, and which addresses did not answer or could not be read."""

    nodes: tuple[Node, ...]
    unreachable: tuple[Address, ...]
    multicast_responders: tuple[Address, ...] = ()  # who answered the multicast (empty: multicast does not arrive)


def decode_instance_list(edt: bytes) -> tuple[EOJ, ...]:
    """Decode D5/D6: a count byte and that many 3-byte EOJs."""
    if not edt or len(edt) != 1 + 3 * edt[0]:
        raise ProtocolError(f"instance list of {len(edt)} bytes does not match its count")
    return tuple(EOJ(edt[i], edt[i + 1], edt[i + 2]) for i in range(1, len(edt), 3))


def decode_ascii(edt: bytes) -> str | None:
    """Product code / production number: ASCII padded with NUL or spaces; None when empty or not text."""
    text = edt.rstrip(b"\x00 ").decode("ascii", errors="replace")
    return text if text and text.isprintable() else None


def decode_node_version(edt: bytes) -> str | None:
    """Node profile 0x82: major, minor, formats bitmap, 0 → "1.12"."""
    return f"{edt[0]}.{edt[1]}" if len(edt) == 4 else None


def decode_release(edt: bytes) -> str | None:
    """Device object 0x82: 0, 0, Appendix release letter (ASCII), revision → "F"."""
    if len(edt) == 4 and 0x41 <= edt[2] <= 0x5A:
        return chr(edt[2])
    return None


def decode_manufacturer(edt: bytes | None) -> int | None:
    """0x8A: a 3-byte manufacturer code."""
    return int.from_bytes(edt, "big") if edt is not None and len(edt) == 3 else None


def node_identity(address: Address, values: dict[int, bytes]) -> NodeIdentity:
    """Derive a node's identity from its node-profile values: 0x83, else maker + production number, else address."""
    manufacturer = decode_manufacturer(values.get(EPC_MANUFACTURER))
    production_number = decode_ascii(values.get(EPC_PRODUCTION_NUMBER, b""))
    identification = values.get(EPC_IDENTIFICATION, b"")
    stable = True
    if len(identification) == 17 and identification[0] == 0xFE and any(identification[4:]):
        node_id = identification.hex().upper()
    elif manufacturer is not None and production_number is not None:
        node_id = f"{manufacturer:06X}-{production_number}"
    else:
        # Nothing unique to go by: the address is all there is. Flagged so the caller can warn.
        node_id = f"address-{address}"
        stable = False
    return NodeIdentity(
        node_id=node_id,
        manufacturer_code=manufacturer,
        product_code=decode_ascii(values.get(EPC_PRODUCT_CODE, b"")),
        production_number=production_number,
        version=decode_node_version(values.get(EPC_STANDARD_VERSION, b"")),
        stable=stable,
    )


def _property_map(values: dict[int, bytes], epc: int) -> frozenset[int]:
    edt = values.get(epc)
    if edt is None:
        return frozenset()
    try:
        return decode_property_map(edt)
    except ProtocolError as err:
        _LOGGER.debug("ignoring malformed property map 0x%02X: %s", epc, err)
        return frozenset()


class Discovery:
    """Keeps the set of known nodes up to date. Create with a started client; `start_passive` to follow INF."""

    def __init__(
        self,
        client: EchonetClient,
        *,
        window: float = DEFAULT_WINDOW,
        on_node: NodeCallback | None = None,
        interface: str | None = None,
        accepts: Callable[[Address], bool] | None = None,
        on_conflict: ConflictCallback | None = None,
        limits: GrowthLimits = DEFAULT_LIMITS,
        on_refused: RefusedCallback | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`on_node` is called for every node that is new, moved to another address or changed its objects.

        `interface` is the address searches leave by (the client's own when None). `accepts` limits which multicast
        responders and INF senders are probed: a client shared by several networks hears the nodes of all of them.
        Addresses given to `search` are always probed. `on_conflict` hears of a newcomer claiming the identity of a
        node whose established address still answers (the node stays where it is: ECHONET Lite has no
        authentication, and a controller must never follow an impostor). `on_refused` hears of a node not added
        because of `limits`.
        """
        self._client = client
        self._window = window
        self._on_node = on_node
        self._interface = interface
        self._accepts = accepts or _accept_any
        self._on_conflict = on_conflict
        self._limits = limits
        self._on_refused = on_refused
        self._monotonic = monotonic
        self._trusted: set[Address] = set()  # given by the user: never refused
        self._limit_new_nodes = False  # from start_passive on: the set-up search adds what the user confirmed
        self._new_node_times: deque[float] = deque()
        self.nodes: dict[str, Node] = {}
        self._probing: set[Address] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None

    def node_at(self, address: Address) -> Node | None:
        """The known node currently at `address`."""
        return next((node for node in self.nodes.values() if node.address == address), None)

    # ------------------------------------------------------------------------------------------------------ search
    async def search(self, addresses: Iterable[Address] = ()) -> SearchResult:
        """Multicast Get D6 and INF_REQ D5, collect answers for the window, probe every responder and every given
        address, and return what was found."""
        get_answers, inf_answers = await asyncio.gather(
            self._client.multicast(
                NODE_PROFILE, ESV.GET, [Property(EPC_SELF_NODE_INSTANCES)], self._window, interface=self._interface
            ),
            self._client.multicast(
                NODE_PROFILE_ALL,
                ESV.INF_REQ,
                [Property(EPC_INSTANCE_LIST_NOTIFICATION)],
                self._window,
                interface=self._interface,
            ),
        )
        given = list(addresses)
        self._trusted.update(given)
        responders = [answer.address for answer in (*get_answers, *inf_answers) if self._accepts(answer.address)]
        candidates = list(dict.fromkeys([*responders, *given]))
        _LOGGER.debug("search: %d multicast answers, probing %d addresses", len(responders), len(candidates))
        results = await asyncio.gather(*(self._probe_quietly(address) for address in candidates))
        found = tuple(node for node in results if node is not None)
        unreachable = tuple(address for address, node in zip(candidates, results, strict=True) if node is None)
        return SearchResult(found, unreachable, tuple(dict.fromkeys(responders)))

    async def _probe_quietly(self, address: Address) -> Node | None:
        try:
            return await self.probe(address)
        except HemsError as err:
            _LOGGER.debug("probe of %s failed: %s", address, err)
            if self.node_at(address) is None:
                self._client.forget(address)  # never became a node: keep no state for it
            return None

    # ------------------------------------------------------------------------------------------------------- probe
    async def probe(self, address: Address) -> Node:
        """Read a node's identity, instance list and every object's property maps; record and announce it."""
        profile = await self._client.get(address, NODE_PROFILE, NODE_IDENTITY_EPCS)
        identity = node_identity(address, profile.values)
        await self._refuse_takeover(address, identity)
        instances = decode_instance_list(profile.values.get(EPC_SELF_NODE_INSTANCES, b""))
        is_new = identity.node_id not in self.nodes
        if is_new and address not in self._trusted:
            self._limit_growth(address, len(instances))
        objects = []
        for eoj in instances:
            if eoj.class_group in (USER_DEFINED_GROUP, NODE_PROFILE.class_group):
                continue  # user-defined objects have no public meaning; the profile was read already
            objects.append(await self._probe_object(address, identity, eoj))
        node = Node(address, identity, tuple(objects))
        self._record(node)
        return node

    def _limit_growth(self, address: Address, object_count: int) -> None:
        """Refuse an unknown, untrusted node with too many objects, or one too many new nodes in the window."""
        reason = None
        if object_count > self._limits.max_objects:
            reason = "too_many_objects"
        elif self._limit_new_nodes:
            now = self._monotonic()
            while self._new_node_times and now - self._new_node_times[0] > self._limits.window:
                self._new_node_times.popleft()
            if len(self._new_node_times) >= self._limits.new_nodes:
                reason = "too_many_new_nodes"
            else:
                self._new_node_times.append(now)
        if reason is None:
            return
        _LOGGER.warning("%s not added automatically (%s): add its address by hand if it is yours", address, reason)
        if self._on_refused is not None:
            self._on_refused(address, reason)
        raise NodeRefusedError(f"{address}: {reason}")

    async def _refuse_takeover(self, address: Address, identity: NodeIdentity) -> None:
        """A known node moves only when its established address no longer answers as that node."""
        established = self.nodes.get(identity.node_id)
        if established is None or established.address == address or not identity.stable:
            return
        try:
            answer = await self._client.get(established.address, NODE_PROFILE, NODE_IDENTITY_EPCS)
        except HemsError:
            return  # gone from there: the node really moved
        if node_identity(established.address, answer.values).node_id != identity.node_id:
            return  # another node sits at the old address now
        _LOGGER.warning(
            "%s claims the identity of the node at %s, which still answers: keeping %s",
            address,
            established.address,
            established.address,
        )
        if self._on_conflict is not None:
            self._on_conflict(identity.node_id, established.address, address)
        raise IdentityConflictError(f"{address} claims the identity of the node at {established.address}")

    async def _probe_object(self, address: Address, identity: NodeIdentity, eoj: EOJ) -> ObjectInfo:
        result = await self._client.get(address, eoj, OBJECT_EPCS)
        info = ObjectInfo(
            eoj=eoj,
            get_map=_property_map(result.values, EPC_GET_MAP),
            set_map=_property_map(result.values, EPC_SET_MAP),
            status_map=_property_map(result.values, EPC_STATUS_MAP),
            release=decode_release(result.values.get(EPC_STANDARD_VERSION, b"")),
            manufacturer_code=decode_manufacturer(result.values.get(EPC_MANUFACTURER)),
        )
        maker = info.manufacturer_code if info.manufacturer_code is not None else identity.manufacturer_code
        quirk = batch_quirk(maker, identity.product_code, eoj.class_id)
        if quirk is not None:
            _LOGGER.debug("%s %s: applying batch quirk (%s)", address, eoj, quirk.source)
            self._client.apply_batch_quirk(address, eoj, quirk)
        return info

    def _record(self, node: Node) -> None:
        previous = self.nodes.get(node.node_id)
        if previous == node:
            return
        if previous is not None and previous.address != node.address:
            _LOGGER.info("node %s moved from %s to %s", node.node_id, previous.address, node.address)
        # Another node that used to sit at this address has left it.
        for other_id, other in list(self.nodes.items()):
            if other.address == node.address and other_id != node.node_id:
                del self.nodes[other_id]
        self.nodes[node.node_id] = node
        if self._on_node is not None:
            self._on_node(node)

    # ----------------------------------------------------------------------------------------------------- passive
    def start_passive(self) -> None:
        """Probe the sender of any INF from an unknown address, and any node announcing its instance list (D5)."""
        self._limit_new_nodes = True
        if self._unsubscribe is None:
            self._unsubscribe = self._client.subscribe(self._on_notification)

    async def stop(self) -> None:
        """Stop following INF and cancel probes in flight. Safe to call more than once."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _on_notification(self, notification: Notification) -> None:
        address, frame = notification.address, notification.frame
        if not self._accepts(address):
            return
        if self.node_at(address) is not None and not _announces_instances(frame):
            return
        if address in self._probing:
            return
        self._probing.add(address)
        task = asyncio.get_running_loop().create_task(self._passive_probe(address))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _passive_probe(self, address: Address) -> None:
        try:
            await self._probe_quietly(address)
        finally:
            self._probing.discard(address)


def _accept_any(_address: Address) -> bool:
    return True


def _announces_instances(frame: Frame) -> bool:
    return frame.seoj.class_id == NODE_PROFILE.class_id and frame.property(EPC_INSTANCE_LIST_NOTIFICATION) is not None
