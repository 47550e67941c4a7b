"""How long until every object of a silent address is marked failed, with and without the client's fast-fail.

Run: `python -m benchmarks.silent_objects [--objects 3000] [--baseline-objects 60] [--timeout 0.02] [--json PATH]`.

The hostile-LAN finding of issue 15: a node announced ~3,000 objects and went quiet; their requests queued one at a time
behind the per-node lock, each waiting its own timeouts. Here N objects at one silent loopback address (a socket that
reads and never answers) are each polled with one Get of 4 EPCs, all at once, as the object coordinators do. Attempt
timeouts are shortened to `--timeout` seconds so that the run is short; since a silent address costs only waiting, the
figures are also given in attempt timeouts and projected onto the client's default 5-s attempt timeout (retries are
the default 2 in both runs). The
baseline (fast-fail off) is strictly sequential, so it is measured on fewer objects and scaled linearly. Not a test:
it prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
import json
from pathlib import Path
import socket
import time

from custom_components.echonet_hems.lib.echonet.client import DEFAULT_TIMEOUT, EchonetClient
from custom_components.echonet_hems.lib.echonet.frame import EOJ
from custom_components.echonet_hems.lib.errors import NodeSilentError, RequestTimeoutError

SILENT_ADDRESS = "127.0.9.99"  # clear of the test suite's and the soak's loopback addresses
PORT = 3610
EPCS = (0x80, 0x81, 0x82, 0x88)


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run: N objects of a silent address polled at once."""

    fast_fail: bool
    objects: int
    seconds: float
    attempt_timeouts: float  # seconds / attempt timeout: independent of the timeout chosen
    datagrams: int
    failed_fast: int  # gets that ended with NodeSilentError (a request failed at once, unsent)
    # Every datagram to a silent address costs one attempt timeout, one after the other: datagrams x the default 5 s,
    # plus the time not spent waiting, scaled linearly to `scaled_to` objects.
    projected_s_at_default: float
    scaled_to: int


class _Sink(asyncio.DatagramProtocol):
    """The silent node: counts what it receives, answers nothing."""

    def __init__(self) -> None:
        self.received = 0

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.received += 1


async def measure(objects: int, attempt_s: float, *, fast_fail: bool, scaled_to: int) -> Measurement:
    """Poll `objects` objects of the silent address at once; time until the last one failed."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((SILENT_ADDRESS, PORT))
    transport, sink = await loop.create_datagram_endpoint(_Sink, sock=sock)
    client = EchonetClient(interface="127.0.0.1", port=0, timeout=attempt_s, silence_after=3 if fast_fail else None)
    await client.start()
    try:
        started = time.perf_counter()
        gets = (client.get(SILENT_ADDRESS, EOJ(0x00, 0x11 + i // 0x7F, 1 + i % 0x7F), EPCS) for i in range(objects))
        results = await asyncio.gather(*gets, return_exceptions=True)
        seconds = time.perf_counter() - started
    finally:
        await client.close()
        transport.close()
    if not all(isinstance(result, RequestTimeoutError) for result in results):
        raise RuntimeError("a request to the silent address did not time out")
    units = seconds / attempt_s
    projected = sink.received * DEFAULT_TIMEOUT + max(0.0, seconds - sink.received * attempt_s)
    return Measurement(
        fast_fail=fast_fail,
        objects=objects,
        seconds=round(seconds, 3),
        attempt_timeouts=round(units, 1),
        datagrams=sink.received,
        failed_fast=sum(isinstance(result, NodeSilentError) for result in results),
        projected_s_at_default=round(projected * scaled_to / objects, 1),
        scaled_to=scaled_to,
    )


async def run(objects: int, baseline_objects: int, attempt_s: float) -> list[Measurement]:
    """The baseline on `baseline_objects` (scaled to `objects`), then fast-fail on `objects`."""
    return [
        await measure(baseline_objects, attempt_s, fast_fail=False, scaled_to=objects),
        await measure(objects, attempt_s, fast_fail=True, scaled_to=objects),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.silent_objects", description=__doc__)
    parser.add_argument("--objects", type=int, default=3000)
    parser.add_argument("--baseline-objects", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=0.02, help="attempt timeout in seconds for the run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    measurements = asyncio.run(run(args.objects, args.baseline_objects, args.timeout))
    report = {"epcs_per_get": len(EPCS), "runs": [asdict(m) for m in measurements]}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
