"""CPU cost of one poll of N ECHONET Lite objects through `EchonetClient` over real loopback UDP.

Run: `python -m benchmarks.echonet_poll [--objects 20] [--epcs 10] [--polls 200] [--json PATH]`.

The devices answer from a separate process, so the CPU time measured here (time.process_time of this process) is
the client's own cost: encoding the Gets, the socket calls, decoding and matching the answers. Not a test: it prints
numbers.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import json
import multiprocessing
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
import socket
import statistics
import time

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, Frame, Property, decode_format1

BATTERY = EOJ(0x02, 0x7D, 0x01)
FIRST_EPC = 0xC0


def device_address(index: int) -> str:
    """Loopback address of device `index` (127.0.1.1 upward, clear of the test suite's addresses)."""
    return f"127.0.1.{index + 1}"


def _answer(data: bytes) -> bytes | None:
    request = decode_format1(data)
    if request.esv is not ESV.GET:
        return None
    props = tuple(Property(p.epc, bytes((p.epc, 0, 0, 1))) for p in request.properties)
    return Frame(request.tid, request.deoj, request.seoj, ESV.GET_RES, props).encode()


def _serve(objects: int, ready: EventType, stop: EventType) -> None:
    """Child process: one UDP socket per device, answering Get like a conforming device."""
    sockets = []
    for index in range(objects):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((device_address(index), 3610))
        sock.settimeout(0.05)
        sockets.append(sock)

    async def serve_one(sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        sock.setblocking(False)
        while not stop.is_set():
            try:
                data, source = await asyncio.wait_for(loop.sock_recvfrom(sock, 2048), 0.2)
            except TimeoutError:
                continue
            answer = _answer(data)
            if answer is not None:
                await loop.sock_sendto(sock, answer, source)

    async def serve_all() -> None:
        ready.set()
        await asyncio.gather(*(serve_one(sock) for sock in sockets))

    asyncio.run(serve_all())


async def _measure(objects: int, epcs: int, polls: int) -> dict[str, float]:
    client = EchonetClient(interface="127.0.0.1", timeout=2.0)
    await client.start()
    wanted = list(range(FIRST_EPC, FIRST_EPC + epcs))
    cpu: list[float] = []
    wall: list[float] = []
    try:
        for _ in range(polls):
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            results = await asyncio.gather(*(client.get(device_address(i), BATTERY, wanted) for i in range(objects)))
            cpu.append(time.process_time() - cpu_start)
            wall.append(time.perf_counter() - wall_start)
            if any(len(result.values) != epcs for result in results):
                raise RuntimeError("incomplete poll")
    finally:
        await client.close()
    return {
        "objects": objects,
        "epcs_per_object": epcs,
        "polls": polls,
        "cpu_ms_per_poll_mean": 1000 * statistics.fmean(cpu),
        "cpu_ms_per_poll_median": 1000 * statistics.median(cpu),
        "wall_ms_per_poll_median": 1000 * statistics.median(wall),
        "cpu_us_per_object": 1e6 * statistics.fmean(cpu) / objects,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--objects", type=int, default=20)
    parser.add_argument("--epcs", type=int, default=10)
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    server = context.Process(target=_serve, args=(args.objects, ready, stop), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("device process did not start")
        numbers = asyncio.run(_measure(args.objects, args.epcs, args.polls))
    finally:
        stop.set()
        server.join(5)
    print(
        f"poll of {args.objects} objects x {args.epcs} EPCs: "
        f"{numbers['cpu_ms_per_poll_median']:.2f} ms CPU (median), "
        f"{numbers['cpu_ms_per_poll_mean']:.2f} ms CPU (mean), "
        f"{numbers['cpu_us_per_object']:.0f} µs CPU per object, "
        f"{numbers['wall_ms_per_poll_median']:.2f} ms wall (median)"
    )
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
