"""Async ECHONET Lite client over UDP 3610.

One socket listens on UDP 3610 for unicast answers and for the multicast group 224.0.23.0, joined on every interface a
user of the client asked for (`join`/`leave`, counted), and sends multicast out of the interface a search names and
unicast to device:3610. On Linux, of two sockets bound to UDP 3610 only the one bound last receives unicast answers, so
a process keeps exactly one client and shares it (the Home Assistant side owns one per Home Assistant).

Answers are matched by (source address, TID) and checked against the SEOJ and the ESVs the request may receive — never
by source port, because devices answer from ephemeral ports (PROTOCOL.md §1.1). One request per node is outstanding at
a time; timeouts are retried a bounded number of times with the same TID, so a slow device's late answer still counts.

`get` bundles every wanted EPC of an object into one Get and adapts to the device (PROTOCOL.md §5.1, §5.3):
- Get_SNA: the properties that came back are kept, the ones answered with PDC 0 are left out of later polls for a while;
- an answer with fewer properties than asked: the device caps its batch size, which is learnt and kept;
- no answer to a batch: the batch is split and retried, and the smaller size is learnt.

An address that stopped answering fails fast: after `silence_after` consecutive requests to at least two of its objects
went unanswered, requests to it fail at once (`NodeSilentError`, unsent) except one single-attempt probe per
`silence_probe_interval`, until any frame comes from that address again. Without this, the requests queued behind the
per-node lock each waited their own timeouts and retries: a hostile node announcing 3,000 objects kept failure detection
busy for hours (issue 15).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
import errno
import logging
import socket
import struct
import time
from typing import Final

from ..errors import NodeSilentError, ProtocolError, RequestTimeoutError, TransportError, UnsupportedError
from .controller_profile import ControllerProfile
from .frame import CONTROLLER, EOJ, ESV, RESPONSES, Frame, Property, decode_frame
from .quirks import BatchQuirk

_LOGGER = logging.getLogger(__name__)

ECHONET_PORT: Final = 3610
MULTICAST_GROUP: Final = "224.0.23.0"
DEFAULT_TIMEOUT: Final = 5.0
DEFAULT_RETRIES: Final = 2
# How long an EPC that a device answered with SNA stays out of its batches before it is asked again. Devices SNA
# temporarily too (an EV charger cannot report the car's SOC while no car is connected).
DEFAULT_SNA_RETRY_INTERVAL: Final = 600.0


def _monotonic() -> float:
    return time.monotonic()


# Consecutive unanswered requests (to at least two objects) after which an address counts as silent. Two objects, so
# that one object a node no longer serves (nodes ignore requests to an unknown DEOJ) cannot silence its siblings.
DEFAULT_SILENCE_AFTER: Final = 3
# While silent, one request per interval is sent as a probe (one attempt). Shorter than the 60-s object poll, so the
# first poll after a node comes back finds it; any frame from the address (an INF, a search answer) ends silence.
DEFAULT_SILENCE_PROBE_INTERVAL: Final = 10.0

type Address = str
type NotificationCallback = Callable[[Notification], None]


@dataclass(frozen=True, slots=True)
class Notification:
    """An INF or INFC a device sent on its own (or in answer to INF_REQ), with the address it came from."""

    address: Address
    frame: Frame


@dataclass(frozen=True, slots=True)
class GetResult:
    """The outcome of `EchonetClient.get`: values by EPC, and the EPCs the device could not give."""

    values: dict[int, bytes]
    unsupported: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class SetResult:
    """The outcome of `EchonetClient.set`: which EPCs the device accepted and which it rejected."""

    accepted: frozenset[int]
    rejected: frozenset[int]

    def raise_for_rejection(self) -> None:
        """Raise `UnsupportedError` naming the rejected EPCs, if any."""
        if self.rejected:
            names = ", ".join(f"0x{epc:02X}" for epc in sorted(self.rejected))
            raise UnsupportedError(f"device rejected Set of {names}")


@dataclass(slots=True)
class _Pending:
    """A request waiting for its answer."""

    deoj: EOJ
    esvs: tuple[ESV, ...]
    future: asyncio.Future[Frame]

    def accepts(self, frame: Frame) -> bool:
        """Whether `frame` answers this request: allowed ESV, and SEOJ equal to our DEOJ (instance 0 = any instance)."""
        if frame.esv not in self.esvs:
            return False
        if self.deoj.instance == 0:
            return frame.seoj.class_id == self.deoj.class_id
        return frame.seoj == self.deoj


@dataclass(slots=True)
class _Silence:
    """Consecutive unanswered requests to one address, which objects they asked, and when it was last probed."""

    strikes: int = 0
    objects: set[EOJ] = field(default_factory=set)
    last_probe: float | None = None  # set once the address counts as silent

    def strike(self, deoj: EOJ, threshold: int, now: float) -> bool:
        """Count one unanswered request; True when this one made the address silent."""
        self.strikes += 1
        self.objects.add(deoj)
        if self.last_probe is None and self.strikes >= threshold and len(self.objects) >= 2:
            self.last_probe = now
            return True
        return False


@dataclass(slots=True)
class _ObjectKnowledge:
    """What the client learnt about one object of one device."""

    batch_cap: int | None = None
    apart: frozenset[int] = frozenset()  # EPCs that must not share a Get (a known quirk)
    sna_since: dict[int, float] = field(default_factory=dict)

    def next_batch(self, remaining: list[int]) -> tuple[list[int], list[int]]:
        """Split off the next Get: at most `batch_cap` EPCs and at most one of the `apart` EPCs."""
        cap = self.batch_cap or len(remaining)
        batch: list[int] = []
        rest: list[int] = []
        holds_apart = False
        for epc in remaining:
            clash = holds_apart and epc in self.apart
            if len(batch) < cap and not clash:
                batch.append(epc)
                holds_apart = holds_apart or epc in self.apart
            else:
                rest.append(epc)
        return batch, rest


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, client: EchonetClient) -> None:
        self._client = client

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self._client.handle_datagram(data, str(addr[0]))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: the request times out on its own; keep the log quiet but useful.
        _LOGGER.debug("UDP error: %s", exc)


class EchonetClient:
    """ECHONET Lite controller endpoint. Create, `await start()`, use, `await close()` (idempotent)."""

    def __init__(
        self,
        *,
        interface: str = "0.0.0.0",
        port: int = ECHONET_PORT,
        device_port: int = ECHONET_PORT,
        multicast_group: str = MULTICAST_GROUP,
        controller: EOJ = CONTROLLER,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        sna_retry_interval: float = DEFAULT_SNA_RETRY_INTERVAL,
        silence_after: int | None = DEFAULT_SILENCE_AFTER,
        silence_probe_interval: float = DEFAULT_SILENCE_PROBE_INTERVAL,
        monotonic: Callable[[], float] | None = None,
        profile: ControllerProfile | None = None,
    ) -> None:
        """Configure; nothing is opened until `start`.

        `interface` is the IPv4 address of the network interface that joins the multicast group and sends multicast
        (0.0.0.0 lets the kernel choose). The socket always binds the wildcard address so that multicast arrives.
        `silence_after=None` turns the fast-fail of silent addresses off (every request waits its own timeouts).
        """
        self._interface = interface
        self._port = port
        self._device_port = device_port
        self._group = multicast_group
        self.controller = controller
        # Our own node profile and controller object, which answer the Gets of devices and other controllers. Without
        # a profile the identification number is random per client (pass `ControllerProfile.from_seed` to keep it).
        self.profile = profile or ControllerProfile.random(controller=controller)
        self.timeout = timeout
        self.retries = retries
        self._sna_retry_interval = sna_retry_interval
        self.silence_after = silence_after
        self.silence_probe_interval = silence_probe_interval
        self._silence: dict[Address, _Silence] = {}
        # Without a clock, `time.monotonic` is looked up at each call, not bound once: a process whose clock is
        # replaced later (a simulated-time run patches it) then retries SNA'd EPCs on that clock. Bound at import, the
        # closed loop asked a V2H for its car's energy again only after 10 real minutes (days of simulated time), and
        # the plan never saw the car come home (issue 13).
        self._monotonic: Callable[[], float] = monotonic if monotonic is not None else _monotonic
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: dict[tuple[Address, int], _Pending] = {}
        self._collectors: dict[int, Callable[[Address, Frame], None]] = {}
        self._locks: dict[Address, asyncio.Lock] = {}
        self._knowledge: dict[tuple[Address, EOJ], _ObjectKnowledge] = {}
        self._subscribers: list[NotificationCallback] = []
        self._next_tid = 1
        # Interface address → how many users asked for it; and the addresses whose membership this socket holds (a
        # second address of an already joined device holds none: the kernel counts memberships per device).
        self._interfaces: dict[str, int] = {}
        self._memberships: set[str] = set()

    # ----------------------------------------------------------------------------------------------------- life cycle
    async def start(self) -> None:
        """Open the socket. Raises `TransportError` when the port cannot be bound (e.g. already in use)."""
        if self._transport is not None:
            return
        sock = self._open_socket()
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        self._transport = transport
        _LOGGER.debug("listening on UDP %s, multicast %s via %s", self._port, self._group, self._interface)

    def _open_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        try:
            # Shared with a virtual home on the same host and with other ECHONET software (PROTOCOL.md §5.9).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("0.0.0.0", self._port))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, struct.pack("b", 1))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            sock.setblocking(False)
            self._add_membership(sock, self._interface)
            self._set_multicast_interface(sock, self._interface)
        except OSError as err:
            sock.close()
            reason = "port in use" if err.errno == errno.EADDRINUSE else "socket error"
            raise TransportError(f"cannot open UDP {self._port} on {self._interface}: {reason}: {err}") from err
        self._interfaces = {self._interface: 1}
        return sock

    def _add_membership(self, sock: socket.socket, interface: str) -> None:
        """Join the group on `interface`; a device already joined through another of its addresses is fine."""
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, self._membership(interface))
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            return
        self._memberships.add(interface)

    def _membership(self, interface: str) -> bytes:
        return socket.inet_aton(self._group) + socket.inet_aton(interface)

    @staticmethod
    def _set_multicast_interface(sock: socket.socket, interface: str) -> None:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))

    def _socket(self) -> socket.socket:
        if self._transport is None:
            raise TransportError("client is not started or already closed")
        sock: socket.socket = self._transport.get_extra_info("socket")
        return sock

    # --------------------------------------------------------------------------------------------------- interfaces
    @property
    def interfaces(self) -> frozenset[str]:
        """The interface addresses the multicast group is joined on."""
        return frozenset(self._interfaces)

    def join(self, interface: str) -> None:
        """Also receive multicast on `interface` (an IPv4 address of this host); counted, undone by `leave`.

        Raises `TransportError` when the address is not one of this host's.
        """
        if interface in self._interfaces:
            self._interfaces[interface] += 1
            return
        sock = self._socket()
        try:
            self._add_membership(sock, interface)
        except (OSError, ValueError) as err:
            raise TransportError(f"cannot join {self._group} on {interface}: {err}") from err
        self._interfaces[interface] = 1
        _LOGGER.debug("multicast %s joined via %s", self._group, interface)

    def leave(self, interface: str) -> None:
        """Undo one `join`; the membership is dropped when nobody needs that interface any more."""
        count = self._interfaces.get(interface, 0)
        if count > 1:
            self._interfaces[interface] = count - 1
            return
        self._interfaces.pop(interface, None)
        if interface not in self._memberships or self._transport is None:
            return
        sock = self._socket()
        self._memberships.discard(interface)
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, self._membership(interface))
        except OSError as err:
            _LOGGER.debug("leaving %s via %s: %s", self._group, interface, err)
        # Another address of the same device may have relied on this membership: take it over.
        for remaining in self._interfaces.keys() - self._memberships:
            try:
                self._add_membership(sock, remaining)
            except OSError as err:
                _LOGGER.debug("re-joining %s via %s: %s", self._group, remaining, err)

    async def close(self) -> None:
        """Close the socket and fail every waiting request. Safe to call more than once."""
        transport, self._transport = self._transport, None
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(TransportError("client closed"))
        self._pending.clear()
        self._collectors.clear()
        self._interfaces.clear()
        self._memberships.clear()
        if transport is not None:
            transport.close()
            # Let the loop run the transport's close callbacks so the port is free when we return.
            await asyncio.sleep(0)

    @property
    def is_open(self) -> bool:
        """True between `start` and `close`."""
        return self._transport is not None

    # -------------------------------------------------------------------------------------------------- subscribers
    def subscribe(self, callback: NotificationCallback) -> Callable[[], None]:
        """Call `callback` for every INF/INFC received; returns the function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    # ----------------------------------------------------------------------------------------------------- requests
    async def request(
        self,
        address: Address,
        deoj: EOJ,
        esv: ESV,
        properties: Sequence[Property] = (),
        get_properties: Sequence[Property] = (),
        *,
        attempt_timeout: float | None = None,
        retries: int | None = None,
    ) -> Frame:
        """Send one request to `address` and return its answer (which may be an SNA).

        Raises `RequestTimeoutError` when no answer came after all retries (`NodeSilentError`, at once and unsent, while
        the address is silent and not due for a probe), `TransportError` when the client is closed.
        """
        async with self._lock(address):
            # Checked after the lock: requests queued behind the one that found the address silent fail at once.
            retries = self._admit(address, deoj, retries)
            tid = self._allocate_tid(address)
            frame = Frame(tid, self.controller, deoj, esv, tuple(properties), tuple(get_properties))
            pending = _Pending(deoj, RESPONSES[esv], asyncio.get_running_loop().create_future())
            self._pending[(address, tid)] = pending
            try:
                return await self._send_until_answered(address, frame, pending, attempt_timeout, retries)
            except RequestTimeoutError:
                self._strike(address, deoj)
                raise
            finally:
                self._pending.pop((address, tid), None)

    def _admit(self, address: Address, deoj: EOJ, retries: int | None) -> int | None:
        """The retries for a request to `address`: as asked, 0 for a probe of a silent address, or `NodeSilentError`."""
        silence = self._silence.get(address)
        if silence is None or silence.last_probe is None:
            return retries
        now = self._monotonic()
        if now - silence.last_probe < self.silence_probe_interval:
            raise NodeSilentError(f"{address} {deoj}: address silent after {silence.strikes} unanswered requests")
        silence.last_probe = now
        return 0

    def _strike(self, address: Address, deoj: EOJ) -> None:
        if self.silence_after is None:
            return
        silence = self._silence.setdefault(address, _Silence())
        if silence.strike(deoj, self.silence_after, self._monotonic()):
            _LOGGER.debug(
                "%s: silent after %d unanswered requests, failing fast until it answers", address, silence.strikes
            )

    async def _send_until_answered(
        self,
        address: Address,
        frame: Frame,
        pending: _Pending,
        attempt_timeout: float | None,
        retries: int | None,
    ) -> Frame:
        attempts = 1 + (self.retries if retries is None else retries)
        wait = self.timeout if attempt_timeout is None else attempt_timeout
        data = frame.encode()
        for attempt in range(1, attempts + 1):
            self._sendto(data, address)
            try:
                async with asyncio.timeout(wait):
                    # shield: a timeout must not cancel the future, a late answer to this TID still resolves it.
                    return await asyncio.shield(pending.future)
            except TimeoutError:
                _LOGGER.debug(
                    "%s %s TID %04X: no answer (attempt %d/%d)", address, frame.esv.name, frame.tid, attempt, attempts
                )
        raise RequestTimeoutError(f"{address} {frame.deoj}: no answer to {frame.esv.name} after {attempts} attempts")

    def send(self, address: Address, deoj: EOJ, esv: ESV, properties: Sequence[Property] = ()) -> None:
        """Send a frame that expects no answer (SetI, INF): fire and forget."""
        tid = self._allocate_tid(address)
        self._sendto(Frame(tid, self.controller, deoj, esv, tuple(properties)).encode(), address)

    async def multicast(
        self,
        deoj: EOJ,
        esv: ESV,
        properties: Sequence[Property],
        window: float,
        *,
        interface: str | None = None,
    ) -> list[Notification]:
        """Send a request to the multicast group and collect every answer for `window` seconds (one per node and
        object; several nodes answer one request). Answers are returned in arrival order, as (address, frame).

        `interface` (an address given to `join`, or the client's own) chooses the interface the request leaves by.
        """
        tid = self._allocate_tid(self._group)
        answers: list[Notification] = []
        allowed = RESPONSES[esv]

        def collect(address: Address, frame: Frame) -> None:
            if frame.esv in allowed:
                answers.append(Notification(address, frame))

        self._collectors[tid] = collect
        try:
            # asyncio hands a datagram to the kernel at once (it queues only behind earlier datagrams the kernel
            # refused), so the interface chosen right before the send is the one it leaves by.
            try:
                self._set_multicast_interface(self._socket(), interface or self._interface)
            except OSError as err:
                raise TransportError(f"cannot send multicast via {interface}: {err}") from err
            self._sendto(Frame(tid, self.controller, deoj, esv, tuple(properties)).encode(), self._group)
            await asyncio.sleep(window)
        finally:
            self._collectors.pop(tid, None)
        return answers

    # -------------------------------------------------------------------------------------------------- Get and Set
    async def get(self, address: Address, eoj: EOJ, epcs: Iterable[int]) -> GetResult:
        """Read `epcs` of object `eoj` at `address` in as few Gets as the device allows.

        EPCs the device recently answered with SNA are not asked again until the retry interval has passed; they are
        reported in `unsupported`. Raises `RequestTimeoutError` when the device does not answer at all.
        """
        knowledge = self._knowledge.setdefault((address, eoj), _ObjectKnowledge())
        wanted = list(dict.fromkeys(epcs))
        now = self._monotonic()
        ask = [epc for epc in wanted if now - knowledge.sna_since.get(epc, -1e18) >= self._sna_retry_interval]
        skipped = frozenset(wanted) - frozenset(ask)
        values: dict[int, bytes] = {}
        unsupported: set[int] = set(skipped)
        remaining = ask
        while remaining:
            batch, remaining = knowledge.next_batch(remaining)
            got, sna, unanswered = await self._get_batch(address, eoj, batch, knowledge)
            values.update(got)
            unsupported.update(sna)
            remaining = unanswered + remaining
        for epc in values:
            knowledge.sna_since.pop(epc, None)
        for epc in unsupported - skipped:
            knowledge.sna_since[epc] = now
        return GetResult(values, frozenset(unsupported))

    async def _get_batch(
        self, address: Address, eoj: EOJ, batch: list[int], knowledge: _ObjectKnowledge
    ) -> tuple[dict[int, bytes], set[int], list[int]]:
        """One Get; returns (values, SNA'd EPCs, EPCs the device left out of its answer)."""
        properties = [Property(epc) for epc in batch]
        try:
            # A batch of several EPCs gets one try: silence often means "too many at once" (PROTOCOL.md §5.3).
            answer = await self.request(address, eoj, ESV.GET, properties, retries=0 if len(batch) > 1 else None)
        except NodeSilentError:
            raise  # the whole address is silent: splitting would teach a wrong cap
        except RequestTimeoutError:
            if len(batch) == 1:
                raise
            return await self._split_after_silence(address, eoj, batch, knowledge)
        values: dict[int, bytes] = {}
        sna: set[int] = set()
        for prop in answer.properties:
            if prop.epc not in batch or prop.epc in values or prop.epc in sna:
                continue  # not asked, or a repeated EPC (first one wins)
            if prop.pdc:
                values[prop.epc] = prop.edt
            else:
                sna.add(prop.epc)
        unanswered = [epc for epc in batch if epc not in values and epc not in sna]
        if unanswered:
            answered = len(batch) - len(unanswered)
            if answered == 0:
                raise ProtocolError(f"{address} {eoj}: Get answer carries none of the requested EPCs")
            self._learn_cap(address, eoj, knowledge, answered)
        return values, sna, unanswered

    async def _split_after_silence(
        self, address: Address, eoj: EOJ, batch: list[int], knowledge: _ObjectKnowledge
    ) -> tuple[dict[int, bytes], set[int], list[int]]:
        half = (len(batch) + 1) // 2
        # If the first half stays silent too the device is gone: that timeout propagates (no endless splitting).
        values, sna, unanswered = await self._get_batch(address, eoj, batch[:half], knowledge)
        self._learn_cap(address, eoj, knowledge, half)
        return values, sna, unanswered + batch[half:]

    def _learn_cap(self, address: Address, eoj: EOJ, knowledge: _ObjectKnowledge, cap: int) -> None:
        if knowledge.batch_cap is None or cap < knowledge.batch_cap:
            _LOGGER.debug("%s %s: batch size capped at %d EPCs", address, eoj, cap)
            knowledge.batch_cap = cap

    def apply_batch_quirk(self, address: Address, eoj: EOJ, quirk: BatchQuirk) -> None:
        """Start from a known quirk's limits instead of learning them through timeouts."""
        knowledge = self._knowledge.setdefault((address, eoj), _ObjectKnowledge())
        if quirk.max_epcs is not None:
            self._learn_cap(address, eoj, knowledge, quirk.max_epcs)
        knowledge.apart = quirk.apart

    def forget(self, address: Address) -> None:
        """Drop what was learnt about `address` (batch caps, SNA times, its lock when idle): a sender that never became
        a node must not leave state behind (a hostile LAN can announce from thousands of addresses)."""
        for key in [key for key in self._knowledge if key[0] == address]:
            del self._knowledge[key]
        self._silence.pop(address, None)
        lock = self._locks.get(address)
        if lock is not None and not lock.locked():
            del self._locks[address]

    @property
    def addresses_known(self) -> int:
        """How many addresses the client keeps state for (a figure for tests and diagnostics)."""
        return len({key[0] for key in self._knowledge} | self._locks.keys() | self._silence.keys())

    def is_silent(self, address: Address) -> bool:
        """Whether requests to `address` currently fail fast (it stopped answering and has sent nothing since)."""
        silence = self._silence.get(address)
        return silence is not None and silence.last_probe is not None

    def batch_cap(self, address: Address, eoj: EOJ) -> int | None:
        """The learnt maximum number of EPCs per Get for this object, or None while unlimited."""
        knowledge = self._knowledge.get((address, eoj))
        return None if knowledge is None else knowledge.batch_cap

    async def set(self, address: Address, eoj: EOJ, properties: Sequence[Property]) -> SetResult:
        """Write with SetC and report which EPCs the device accepted (Set_Res) or rejected (SetC_SNA)."""
        answer = await self.request(address, eoj, ESV.SETC, properties)
        asked = {prop.epc for prop in properties}
        # In SetC_SNA accepted EPCs come back with PDC 0 and rejected ones with the request's EDT (PROTOCOL.md §1.4).
        listed = {prop.epc for prop in answer.properties}
        rejected = {prop.epc for prop in answer.properties if prop.pdc and prop.epc in asked}
        if answer.esv is ESV.SETC_SNA and not rejected:
            rejected = asked  # an SNA that does not say what failed: nothing can be assumed accepted
        elif answer.esv is ESV.SET_RES and not asked <= listed:
            # Set_Res echoes every written EPC (PDC 0); one that answers something else did not confirm our write.
            missing = ", ".join(f"0x{epc:02X}" for epc in sorted(asked - listed))
            raise ProtocolError(f"{address} {eoj}: Set answer does not confirm {missing}")
        return SetResult(frozenset(asked - rejected), frozenset(rejected))

    # ------------------------------------------------------------------------------------------------------ plumbing
    def _lock(self, address: Address) -> asyncio.Lock:
        lock = self._locks.get(address)
        if lock is None:
            lock = self._locks[address] = asyncio.Lock()
        return lock

    def _allocate_tid(self, address: Address) -> int:
        """Next TID, wrapping 0xFFFF → 0x0001 and skipping any still in use for this address."""
        for _ in range(0xFFFF):
            tid = self._next_tid
            self._next_tid = tid + 1 if tid < 0xFFFF else 1
            if (address, tid) not in self._pending and tid not in self._collectors:
                return tid
        raise TransportError("no free TID")  # pragma: no cover - 65535 requests in flight

    def _sendto(self, data: bytes, address: Address) -> None:
        if self._transport is None:
            raise TransportError("client is not started or already closed")
        _LOGGER.debug("-> %s %s", address, data.hex())
        self._transport.sendto(data, (address, self._device_port))

    def handle_datagram(self, data: bytes, address: Address) -> None:
        """Process one received datagram: resolve its request, feed a multicast collector, deliver INF/INFC."""
        try:
            frame = decode_frame(data)
        except ProtocolError as err:
            _LOGGER.debug("<- %s dropped, %s: %s", address, err, data.hex())
            return
        if not isinstance(frame, Frame):
            _LOGGER.debug("<- %s format-2 frame ignored", address)
            return
        _LOGGER.debug("<- %s %s", address, data.hex())
        # Anything well-formed from the address shows it is back: its queued and next requests are sent again.
        self._silence.pop(address, None)
        if frame.esv.is_request:
            self._answer_request(address, frame)
            return
        pending = self._pending.get((address, frame.tid))
        if pending is not None and not pending.future.done() and pending.accepts(frame):
            pending.future.set_result(frame)
            return
        collector = self._collectors.get(frame.tid)
        if collector is not None:
            collector(address, frame)
        if frame.esv.is_notification:
            self._on_notification(address, frame)
        elif collector is None:
            _LOGGER.debug("<- %s %s TID %04X unmatched (late duplicate?)", address, frame.esv.name, frame.tid)

    def _answer_request(self, address: Address, frame: Frame) -> None:
        """Answer a request to our node profile or controller object (any other DEOJ is not ours: ignored)."""
        if self._transport is None:
            return
        if frame.seoj == self.controller and (frame.tid in self._collectors or (address, frame.tid) in self._pending):
            # Our own request, back through multicast loopback (or sent to our own address): answering it would make
            # us a node of our own search.
            return
        for answer in self.profile.answer(frame):
            _LOGGER.debug("-> %s %s answers %s TID %04X", address, answer.esv.name, frame.esv.name, frame.tid)
            self._sendto(answer.encode(), address)

    def _on_notification(self, address: Address, frame: Frame) -> None:
        if frame.esv is ESV.INFC:
            ack = Frame(
                frame.tid, frame.deoj, frame.seoj, ESV.INFC_RES, tuple(Property(p.epc) for p in frame.properties)
            )
            self._sendto(ack.encode(), address)
        notification = Notification(address, frame)
        for callback in list(self._subscribers):
            try:
                callback(notification)
            except Exception:
                _LOGGER.exception("notification subscriber failed")
