"""The fuzz targets: each runs one shard (a seeded slice of its executions) in the calling process.

A shard builds its target from scratch (a new client, virtual home, parser) so that its figures depend only on
(seed, target, shard index), never on which worker ran it or what ran there before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import suppress
import dataclasses
from dataclasses import dataclass
import datetime as dt
import functools
from itertools import islice
import json
import os
from pathlib import Path
import random
import socket
import subprocess
import sys
import tempfile
from typing import Final

from custom_components.echonet_hems.lib.broute.lines import LineParser, UdpPacket
from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.controller_profile import ControllerProfile
from custom_components.echonet_hems.lib.echonet.discovery import decode_instance_list, node_identity
from custom_components.echonet_hems.lib.echonet.frame import (
    ESV,
    Frame,
    OpaqueFrame,
    Property,
    decode_format1,
    decode_frame,
)
from custom_components.echonet_hems.lib.echonet.ids import (
    EPC_INSTANCE_LIST_NOTIFICATION,
    EPC_SELF_NODE_INSTANCES,
    NODE_PROFILE,
)
from custom_components.echonet_hems.lib.echonet.property_map import decode_property_map
from custom_components.echonet_hems.lib.echonet.specs.registry import describe
from custom_components.echonet_hems.lib.errors import HemsError, ProtocolError

from .flow_inputs import FLOW_TARGETS
from .frames import FrameGenerator, client_profile, node_profile_for
from .harness import Case, ErrorLogCounter, Feed, Stats, feed_cases, install_error_counter, stats_from_json
from .inputs import InputGenerator, make_feed
from .skstack import METER, LineGenerator

FRAME_CLIENT: Final = "echonet_frame_client"
FRAME_VIRTUAL_HOME: Final = "echonet_frame_virtual_home"
SKSTACK_LINES: Final = "skstack_lines"
INPUTS: Final = "inputs"
BYTE_TARGETS: Final = (FRAME_CLIENT, FRAME_VIRTUAL_HOME, SKSTACK_LINES, INPUTS)
TARGETS: Final = (*BYTE_TARGETS, *FLOW_TARGETS)
PLANTED_CRASH: Final = "planted_crash"  # the harness's own check: a target that crashes on purpose

PEER: Final = "127.0.0.1"  # the address every fuzzed datagram comes from (the client's own request goes there too)
BATCH: Final = 256  # cases between two turns of the client's event loop
MAP_EPCS: Final = frozenset({0x9B, 0x9C, 0x9D, 0x9E, 0x9F})
RELEASES: Final = (None, None, "F", "J", "R", "a", "?")  # property rows of other releases, and bad letters
HOME_START: Final = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@dataclass(frozen=True, slots=True)
class Shard:
    """One unit of work: `count` executions of `target`, seeded by (seed, target, index)."""

    target: str
    seed: int
    index: int
    count: int
    budget_s: float
    plant: bool = False  # the flow targets' `--plant-crash`: the resume action's handler raises


def run_shard(shard: Shard) -> Stats:
    """Run one shard in this process and return its figures."""
    if shard.target in FLOW_TARGETS:
        return _run_flows(shard)
    rng = random.Random(f"{shard.seed}:{shard.target}:{shard.index}")
    runner = _RUNNERS[shard.target]
    return runner(rng, shard, _error_counter())


@functools.cache
def _error_counter() -> ErrorLogCounter:
    return install_error_counter()


# ------------------------------------------------------------------------------------------------ decoding chain
def decode_received(data: bytes, address: str = PEER) -> str:
    """What a receiver does with a datagram after the client: frame decoder, then every property through the class
    specs (scaled with the frame's own coefficients, and raw), property maps, instance lists and node identity."""
    try:
        frame = decode_frame(data)
    except ProtocolError:
        return "dropped"
    if isinstance(frame, OpaqueFrame):
        return "format2"
    decode_properties(frame, address)
    return "request" if frame.esv.is_request else "frame"


def decode_properties(frame: Frame, address: str = PEER) -> None:
    """Every property of both blocks through the decoders a controller applies; `ProtocolError` is documented."""
    values = {prop.epc: prop.edt for prop in frame.properties}
    class_id = frame.seoj.class_id
    release = RELEASES[frame.tid % len(RELEASES)]
    for prop in (*frame.properties, *frame.get_properties):
        _decode_property(class_id, prop, values, release)
    if class_id == NODE_PROFILE:
        node_identity(address, values)


def _decode_property(class_id: int, prop: Property, values: dict[int, bytes], release: str | None) -> None:
    if prop.epc in MAP_EPCS:
        with suppress(ProtocolError):
            decode_property_map(prop.edt)
    if class_id == NODE_PROFILE and prop.epc in (EPC_INSTANCE_LIST_NOTIFICATION, EPC_SELF_NODE_INSTANCES):
        with suppress(ProtocolError):
            decode_instance_list(prop.edt)
    spec = describe(class_id, prop.epc, release)
    if spec is None:
        return
    with suppress(ProtocolError):
        spec.decode(prop.edt, values)
    with suppress(ProtocolError):
        spec.decode(prop.edt, scaled=False)


# ------------------------------------------------------------------------------------------------ ECHONET client
def _run_client(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    return asyncio.run(_client_shard(rng, shard, errors))


async def _client_shard(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    stats = Stats()
    # Whatever the client sends (node-profile answers, INFC_Res, its own request) goes to a socket nobody reads: the
    # kernel drops it once the small buffer is full, and nothing leaves the host.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sink.bind((PEER, 0))
    client = EchonetClient(
        interface=PEER,
        port=0,
        device_port=sink.getsockname()[1],
        timeout=3600.0,
        retries=0,
        profile=ControllerProfile(bytes(13)),
    )
    await client.start()
    cases = FrameGenerator(rng, client_profile()).cases(shard.count)
    request: asyncio.Task[None] | None = None

    def feed(case: Case) -> str:
        client.handle_datagram(case.data, PEER)
        return decode_received(case.data)

    try:
        while batch := list(islice(cases, BATCH)):
            if request is None or request.done():
                # A request of our own is outstanding, so answers with its TID take the matching path too.
                request = asyncio.get_running_loop().create_task(_outstanding_request(client))
                await asyncio.sleep(0)
            feed_cases(stats, feed, batch, budget_s=shard.budget_s, errors=errors)
            await asyncio.sleep(0)
    finally:
        if request is not None:
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
        await client.close()
        sink.close()
    return stats


async def _outstanding_request(client: EchonetClient) -> None:
    with suppress(HemsError):
        await client.request(PEER, METER, ESV.GET, [Property(0xE7)])


# --------------------------------------------------------------------------------------------------- virtual home
def _run_virtual_home(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    from virtual_home.clock import ManualClock  # the simulation loads only for its target
    from virtual_home.runtime import HomeOptions, VirtualHome

    home = VirtualHome(HomeOptions(start=HOME_START, seed=0, history_days=0), clock=ManualClock(HOME_START))
    nodes = home.nodes
    generators = [FrameGenerator(rng, node_profile_for(list(node.objects))) for node in nodes]
    source = (PEER, 3610)

    def cases() -> Iterator[Case]:
        for _ in range(shard.count):
            index = rng.randrange(len(nodes))
            case = next(generators[index].cases(1))
            yield Case(case.kind, case.data, index)

    def feed(case: Case) -> str:
        node = nodes[case.value] if isinstance(case.value, int) else nodes[0]
        node.receive(case.data, source)  # not started: answers are computed, and dropped instead of sent
        try:
            frame = decode_frame(case.data)
        except ProtocolError:
            return "dropped"
        return "request" if isinstance(frame, Frame) and frame.esv.is_request else "ignored"

    stats = Stats()
    feed_cases(stats, feed, cases(), budget_s=shard.budget_s, errors=errors)
    return stats


# ------------------------------------------------------------------------------------------------------ SKSTACK
def _run_skstack(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    parser = LineParser()  # one per shard: state carries over from line to line, as on a serial line

    def feed(case: Case) -> str:
        lines = parser.feed(case.data)
        for line in lines:
            if isinstance(line, UdpPacket):
                _decode_meter_payload(line.data)
        return type(lines[0]).__name__ if lines else "nothing yet"

    stats = Stats()
    feed_cases(stats, feed, LineGenerator(rng).cases(shard.count), budget_s=shard.budget_s, errors=errors)
    return stats


def _decode_meter_payload(payload: bytes) -> None:
    """What the smart-meter client does with an ERXUDP payload: Format-1 frame, then the property decoders."""
    try:
        frame = decode_format1(payload)
    except ProtocolError:
        return
    decode_properties(frame)


# ------------------------------------------------------------------------------------------------------- inputs
def _run_inputs(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    stats = Stats()
    feed_cases(stats, make_feed(), InputGenerator(rng).cases(shard.count), budget_s=shard.budget_s, errors=errors)
    return stats


# ------------------------------------------------------------------------------------------ flows and actions
def _run_flows(shard: Shard) -> Stats:
    """The shard in Home Assistant's test harness, in a subprocess of its own (the harness patches sockets, the loop
    policy and time for the whole process, which the byte targets of this worker must not inherit)."""
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="fuzz-flows-") as folder:
        out = Path(folder) / "stats.json"
        description = {**dataclasses.asdict(shard), "out": str(out)}
        options = ["-q", "-p", "no:cacheprovider", "--no-cov", "-o", "timeout=0", "-W", "ignore::RuntimeWarning"]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(Path(__file__).with_name("bench_flows.py")), *options],
            cwd=root,
            env={**os.environ, "FUZZ_FLOWS_SHARD": json.dumps(description)},
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists():
            raise RuntimeError(
                f"the {shard.target} shard wrote no figures:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
            )
        stats = stats_from_json(json.loads(out.read_text(encoding="utf-8")))
    if done.returncode != 0:  # inputs never fail the test: the rig itself did (set-up, tear-down)
        raise RuntimeError(f"the {shard.target} shard failed:\n{done.stdout[-4000:]}")
    return stats


# ------------------------------------------------------------------------------------------------ planted crash
def _run_planted_crash(rng: random.Random, shard: Shard, errors: ErrorLogCounter) -> Stats:
    """Random bytes into a target that raises on every input starting with a byte below 8 (about 3 % of them)."""

    def feed(case: Case) -> str:
        if case.data and case.data[0] < 8:
            raise KeyError(case.data[0])
        return "fine"

    cases = (Case("raw", rng.randbytes(rng.randrange(1, 32))) for _ in range(shard.count))
    stats = Stats()
    feed_cases(stats, feed, cases, budget_s=shard.budget_s, errors=errors)
    return stats


_RUNNERS: Final[dict[str, Callable[[random.Random, Shard, ErrorLogCounter], Stats]]] = {
    FRAME_CLIENT: _run_client,
    FRAME_VIRTUAL_HOME: _run_virtual_home,
    SKSTACK_LINES: _run_skstack,
    INPUTS: _run_inputs,
    PLANTED_CRASH: _run_planted_crash,
}

__all__ = ["BYTE_TARGETS", "FLOW_TARGETS", "PLANTED_CRASH", "TARGETS", "Feed", "Shard", "run_shard"]
