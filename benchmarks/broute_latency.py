"""Latency of the B-route stack against the virtual home's Wi-SUN dongle, in both SKSTACK-IP dialects.

Run: `python -m benchmarks.broute_latency [--speed 60] [--reads 30] [--transport pty|tcp] [--json PATH]`.

For each dialect a virtual home runs at `speed`× real time with its dongle on a pty (or loopback TCP); the client runs
on the home's clock, so the radio's durations (active scans, PANA) pass `speed`× faster, exactly like the client's own
protocol timers. Measured, per dialect:

- open → first reading: `BRouteSession.start()` (open the port, set the dongle up, scan with growing durations, join)
  plus the first `SmartMeterClient.read()` after the identity and unit reads. Reported in wall seconds and as the
  simulated seconds it spans — the latter is what a real dongle would take, since the emulator models scan and join
  durations (an active scan at duration 6 over 28 channels, ≈ 18 s, then PANA, ≈ 2 s); the real-time parts (the
  50-ms drain at open, the process's own work) count `speed`× there, so at high speeds it is an upper bound;
- re-join with the cached PAN after the dongle was unplugged and plugged back (no scan), the same way;
- one reading (E7 + E8 + E0 + E3 in one Get) round trip: median and 95th percentile over `--reads` reads, wall
  milliseconds. The emulated meter answers at once, so this is the stack's own latency over the serial line.

Not a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
import json
from pathlib import Path
import statistics
import tempfile
import time

from custom_components.echonet_hems.lib.broute.meter import SmartMeterClient
from custom_components.echonet_hems.lib.broute.session import BRouteSession
from virtual_home.clock import JST
from virtual_home.dongle import Dialect, DonglePort
from virtual_home.runtime import HomeOptions, VirtualHome

ROUTE_B_ID = "0123456789ABCDEF0123456789ABCDEF"
PASSWORD = "VHPASSWORD12"
START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)


@dataclass(frozen=True, slots=True)
class Result:
    """The numbers of one dialect."""

    dialect: str
    transport: str
    speed: float
    first_reading_wall_s: float
    first_reading_sim_s: float
    rejoin_wall_s: float
    rejoin_sim_s: float
    reading_median_ms: float
    reading_p95_ms: float
    reads: int


async def measure(dialect: str, transport: str, speed: float, reads: int, workdir: Path) -> Result:
    """Open → first reading, cached re-join and reading latency for one dialect."""
    options = HomeOptions(start=START, speed=speed, base_address="127.0.4.11", history_days=0)
    async with VirtualHome(options) as home:
        pty = transport == "pty"
        port = DonglePort(
            Dialect(dialect),
            home.meter,
            home.clock,
            route_b_id=ROUTE_B_ID,
            password=PASSWORD,
            pty=pty,
            symlink=workdir / f"dongle-{dialect}" if pty else None,
            tcp=not pty,
        )
        endpoints = await port.start()
        url = endpoints.pty_path if pty else endpoints.tcp_url
        assert url is not None
        session = BRouteSession(url, ROUTE_B_ID, PASSWORD, clock=home.clock)
        meter = SmartMeterClient(session)
        try:
            started = time.perf_counter()
            await session.start()
            await meter.identity()
            await meter.read()
            first = time.perf_counter() - started

            latencies = []
            for _ in range(reads):
                begin = time.perf_counter()
                await meter.read()
                latencies.append(time.perf_counter() - begin)

            await port.unplug()
            await port.replug()
            begin = time.perf_counter()
            await session.wait_connected(within=3600)
            await meter.read()
            rejoin = time.perf_counter() - begin
        finally:
            await meter.close()
            await session.close()
            await port.close()
    latencies.sort()
    return Result(
        dialect=dialect,
        transport=transport,
        speed=speed,
        first_reading_wall_s=round(first, 3),
        first_reading_sim_s=round(first * speed, 1),
        rejoin_wall_s=round(rejoin, 3),
        rejoin_sim_s=round(rejoin * speed, 1),
        reading_median_ms=round(statistics.median(latencies) * 1000, 2),
        reading_p95_ms=round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 2),
        reads=reads,
    )


async def run(args: argparse.Namespace) -> list[Result]:
    """Both dialects, one after the other."""
    with tempfile.TemporaryDirectory(prefix="broute-bench-") as workdir:
        return [await measure(dialect, args.transport, args.speed, args.reads, Path(workdir)) for dialect in Dialect]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broute_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--speed", type=float, default=60.0, help="virtual-home clock speed (default 60×)")
    parser.add_argument("--reads", type=int, default=30, help="readings timed for the round-trip latency")
    parser.add_argument("--transport", choices=("pty", "tcp"), default="pty")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    print(f"B-route latency against the virtual home ({args.transport}, clock ×{args.speed:g}, {args.reads} reads)")
    print(f"{'dialect':8} {'open→first reading':>26} {'cached re-join':>24} {'one reading (median/p95)':>26}")
    for result in results:
        first = f"{result.first_reading_wall_s:.3f} s wall = {result.first_reading_sim_s:.1f} s sim"
        rejoin = f"{result.rejoin_wall_s:.3f} s wall = {result.rejoin_sim_s:.1f} s sim"
        reading = f"{result.reading_median_ms:.2f} / {result.reading_p95_ms:.2f} ms"
        print(f"{result.dialect:8} {first:>26} {rejoin:>24} {reading:>26}")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
