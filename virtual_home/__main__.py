"""`python -m virtual_home`: run the simulated home until SIGINT/SIGTERM.

At start it prints one JSON line: every node's address and objects, the dongle's pty path and TCP port, the B-route
credentials in use and the simulated time. Everything is configured by flags, optionally preset by a JSON scenario
file whose keys are the flags' long names with dashes as underscores (flags given on the command line win).
While it runs, fault commands can be typed on stdin (see `virtual_home.console`).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from datetime import datetime
import json
import logging
import os
from pathlib import Path
import signal
import stat
import sys

from .clock import JST
from .console import COMMANDS_HELP, FaultConsole
from .irradiance import load_irradiance_trace
from .meter import MeterConfig
from .physics.home import Contract
from .physics.weather import Sky
from .runtime import HomeOptions, PcsWiring, VirtualHome
from .station import Station, StationOptions

DEFAULT_ROUTE_B_ID = "0123456789ABCDEF0123456789ABCDEF"
DEFAULT_PASSWORD = "VHPASSWORD12"


def build_parser() -> argparse.ArgumentParser:
    """Every flag, with its default and meaning."""
    parser = argparse.ArgumentParser(
        prog="python -m virtual_home",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="fault commands, one per line on stdin while running:\n" + "\n".join(COMMANDS_HELP),
        description="A simulated Japanese home: ECHONET Lite devices on loopback UDP and a smart meter behind an "
        "emulated Wi-SUN dongle (pty and TCP).",
    )
    parser.add_argument("--scenario", type=Path, help="JSON file presetting any of these flags (keys: flag names)")
    time = parser.add_argument_group("time and place")
    time.add_argument("--start", help="simulated start, ISO 8601 (default: now, JST)")
    time.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)")
    time.add_argument("--latitude", type=float, default=35.68, help="site latitude (default Tokyo)")
    time.add_argument("--longitude", type=float, default=139.77, help="site longitude (default Tokyo)")
    time.add_argument("--weather", choices=[s.value for s in Sky], default="clear", help="sky (default clear)")
    time.add_argument("--irradiance", type=Path, help="CSV of time,ghi_w_m2 rows overriding --weather for PV")
    time.add_argument("--history-days", type=int, default=1, help="days simulated before start (meter history)")
    time.add_argument("--seed", type=int, default=0, help="random seed of the household load")
    devices = parser.add_argument_group("devices")
    devices.add_argument("--pv-kw", type=float, default=5.0, help="PV array size in kW (default 5)")
    devices.add_argument("--pv-arrays", type=int, choices=(1, 2), default=1, help="PV arrays (default 1)")
    devices.add_argument(
        "--pcs",
        choices=[w.value for w in PcsWiring],
        default=PcsWiring.SEPARATE.value,
        help="separate: one power conditioner (0x0279) per array; multi: one multiple-input PCS (0x02A5) for all "
        "arrays (default separate)",
    )
    devices.add_argument(
        "--contract",
        choices=[c.value for c in Contract],
        default=Contract.SURPLUS.value,
        help="surplus (余剰買取): PV behind the smart meter, the surplus is exported through it; full (全量買取): PV "
        "on its own sell meter, the smart meter sees only the house (default surplus)",
    )
    devices.add_argument("--battery-kwh", type=float, default=9.8, help="home battery, 0 = none (default 9.8)")
    devices.add_argument("--ecocute-liters", type=float, default=370.0, help="EcoCute tank, 0 = none (default 370)")
    devices.add_argument("--no-v2h", action="store_true", help="no EV charger/discharger (0x027E)")
    devices.add_argument("--no-ev-charger", action="store_true", help="no EV charger (0x02A1)")
    devices.add_argument(
        "--ev-charger-current",
        action="store_true",
        help="the EV charger (0x02A1) takes its charging current (0xED, 200 V) instead of its power (0xEB)",
    )
    devices.add_argument("--no-fuel-cell", action="store_true", help="no fuel cell (0x027C)")
    devices.add_argument("--no-aircon", action="store_true", help="no air conditioner (0x0130)")
    devices.add_argument("--no-light", action="store_true", help="no light (0x0290)")
    devices.add_argument(
        "--routine",
        action="store_true",
        help="a household's day: the air conditioner heats/cools mornings and evenings, the fuel cell runs in its "
        "hot-water hours (default: both stay off until a controller switches them)",
    )
    network = parser.add_argument_group("network")
    network.add_argument("--base-address", default="127.0.0.11", help="first node's address (default 127.0.0.11)")
    network.add_argument("--interface", default="127.0.0.1", help="interface address for multicast (default lo)")
    network.add_argument("--loss", type=float, default=0.0, help="probability that a node ignores a request")
    network.add_argument("--delay", type=float, default=0.0, help="seconds every node waits before answering")
    network.add_argument(
        "--announce-measurements",
        action="store_true",
        help="devices also announce (INF) every reading that changes, once per simulation step, not only status "
        "changes (for fast demos, where a controller's poll would span simulated hours)",
    )
    meter = parser.add_argument_group("smart meter and Wi-SUN dongle")
    meter.add_argument("--dongle-dialect", choices=("bp35a1", "bp35c0"), default="bp35a1", help="SKSTACK dialect")
    meter.add_argument("--dongle-pty", type=Path, help="stable path (symlink) of the dongle's pty")
    meter.add_argument("--no-pty", action="store_true", help="do not open a pty")
    meter.add_argument("--dongle-tcp-port", type=int, default=0, help="TCP port for socket:// (0 = any free port)")
    meter.add_argument("--no-tcp", action="store_true", help="do not listen on TCP")
    meter.add_argument("--b-route-id", default=DEFAULT_ROUTE_B_ID, help="B-route ID the meter accepts (32 chars)")
    meter.add_argument("--b-route-password", default=DEFAULT_PASSWORD, help="B-route password (12 chars)")
    meter.add_argument("--meter-infc", action="store_true", help="push 30-minute values as INFC (needs INFC_Res)")
    meter.add_argument("--meter-sna-optional", action="store_true", help="meter answers SNA for D3 and E8")
    meter.add_argument("--session-lifetime", type=float, default=86400.0, help="PANA lifetime, simulated seconds")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Flags, with scenario-file values as defaults under the command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.scenario is not None:
        try:
            scenario = json.loads(args.scenario.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            parser.error(f"cannot read scenario {args.scenario}: {err}")
        if not isinstance(scenario, dict):
            parser.error("the scenario file must hold a JSON object")
        known = set(vars(parser.parse_args([])))
        unknown = sorted(set(scenario) - known)
        if unknown:
            parser.error(f"unknown scenario keys: {', '.join(unknown)}")
        parser.set_defaults(**scenario)
        args = parser.parse_args(argv)
    return args


def options_from(args: argparse.Namespace) -> tuple[HomeOptions, StationOptions]:
    """Translate flags into the home's and the dongle's options; raises ValueError for bad values."""
    start = datetime.fromisoformat(args.start) if args.start else datetime.now(JST).replace(microsecond=0)
    if start.tzinfo is None:
        start = start.replace(tzinfo=JST)
    if args.speed <= 0:
        raise ValueError("--speed must be positive")
    home = HomeOptions(
        start=start,
        speed=args.speed,
        latitude=args.latitude,
        longitude=args.longitude,
        sky=Sky(args.weather),
        irradiance=load_irradiance_trace(Path(args.irradiance)) if args.irradiance else None,
        pv_capacity_w=args.pv_kw * 1000,
        pv_arrays=args.pv_arrays,
        pcs=PcsWiring(args.pcs),
        contract=Contract(args.contract),
        battery_wh=args.battery_kwh * 1000 or None,
        ecocute_l=args.ecocute_liters or None,
        ev_charger_discharger=not args.no_v2h,
        ev_charger=not args.no_ev_charger,
        ev_charger_current_setting=args.ev_charger_current,
        fuel_cell=not args.no_fuel_cell,
        aircon=not args.no_aircon,
        light=not args.no_light,
        base_address=args.base_address,
        interface=args.interface,
        seed=args.seed,
        history_days=args.history_days,
        announce_measurements=args.announce_measurements,
        routine=args.routine,
        meter=MeterConfig(use_infc=args.meter_infc, sna_optional=args.meter_sna_optional),
    )
    dongle = StationOptions(
        dialect=args.dongle_dialect,
        route_b_id=args.b_route_id,
        password=args.b_route_password,
        pty=not args.no_pty,
        pty_link=args.dongle_pty,
        tcp=not args.no_tcp,
        tcp_port=args.dongle_tcp_port,
        session_lifetime=args.session_lifetime,
    )
    return home, dongle


def emit(answer: dict[str, object]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _stdin_can_be_watched() -> bool:
    """Whether stdin is a pipe, a socket or a terminal (what the event loop can wait on)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty()


async def read_commands(console: FaultConsole) -> None:
    """Carry out fault commands from stdin until it ends (a closed stdin just ends the console, not the home)."""
    if not _stdin_can_be_watched():
        return  # e.g. /dev/null or a regular file: epoll refuses them, so there is no console
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (OSError, ValueError):
        return  # stdin is not a pipe or terminal (e.g. a file): no console
    while line := await reader.readline():
        emit(await console.execute(line.decode(errors="replace")))


async def serve(home_options: HomeOptions, dongle_options: StationOptions, loss: float, delay: float) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with VirtualHome(home_options) as home, Station(home, dongle_options) as station:
        for node in home.nodes:
            node.faults.loss, node.faults.delay = loss, delay
        emit(home.describe() | station.describe())
        console = loop.create_task(read_commands(FaultConsole(home, station)))
        await stop.wait()
        console.cancel()
        await asyncio.gather(console, return_exceptions=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr)
    try:
        home_options, dongle_options = options_from(args)
    except (ValueError, OSError) as err:
        sys.stderr.write(f"virtual_home: {err}\n")
        return 2
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(home_options, dongle_options, args.loss, args.delay))
    except OSError as err:
        sys.stderr.write(f"virtual_home: {err}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
