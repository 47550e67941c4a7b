"""The running virtual home: physics stepped with the simulated clock, ECHONET nodes on the network, the meter.

`VirtualHome` is an async context manager, so tests embed it; `python -m virtual_home` wraps it in a command line.
Time advances in steps of at most `step_seconds` simulated seconds, so the meter sees every 30-minute boundary and
announcements follow state changes closely even at high speed.

Wirings the options choose between (defaults first):

* PV power conditioners (`pcs`): ``separate`` — one PV object 0x0279 per array, each its own node; ``multi`` — one
  multiple-input PCS 0x02A5 whose DC inputs are all the arrays (see `multi_input_pcs_object`), no 0x0279 objects.
* PV contract (`contract`, `physics.home.Contract`): ``surplus`` (余剰買取) — PV behind the B-route meter, the surplus
  exported through it; ``full`` (全量買取) — PV on a separate sell meter (not an ECHONET object), so the B-route meter
  sees only the house side and PV never appears on it; all PV is sold.

`VirtualHome.truth` gives the home's exact cumulative energies (`ground_truth.GroundTruth`) for balance tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from types import TracebackType
from typing import Final, Self

from .clock import JST, Clock, SimClock
from .echonet.device import DeviceObject
from .echonet.devices import (
    aircon_object,
    battery_object,
    board_object,
    ev_object,
    fuel_cell_object,
    light_object,
    multi_input_pcs_object,
    pv_object,
    water_heater_object,
)
from .echonet.node import EchonetNode, NodeFaults, NodeIdentity
from .ground_truth import GroundTruth, ground_truth
from .meter import MeterConfig, SmartMeter
from .physics.appliances import AirConditioner, Light
from .physics.battery import Battery
from .physics.ev import ChargerMode, EVCar, EVCharger
from .physics.fuel_cell import FuelCell
from .physics.home import Contract, Home, HomeSnapshot
from .physics.load import BaseLoad
from .physics.pv import PVArray
from .physics.routine import HouseholdRoutine
from .physics.water_heater import EcoCute
from .physics.weather import Sky, Weather

_LOGGER = logging.getLogger(__name__)

# Manufacturer codes used for the simulated devices (ECHONET maker codes of real Japanese makers, for realism).
PANASONIC: Final = 0x00000B
SHARP: Final = 0x000005
DAIKIN: Final = 0x000008
NICHICON: Final = 0x00006C
TICK_SECONDS: Final = 0.2  # real seconds between simulation updates
AC_CHARGER_VOLTS: Final = 200.0  # a Japanese home's AC EV charger (普通充電): single-phase 200 V


class PcsWiring(StrEnum):
    """How the PV arrays reach ECHONET (see the module docstring)."""

    SEPARATE = "separate"  # one PV object 0x0279 (power conditioner) per array
    MULTI = "multi"  # one multiple-input PCS 0x02A5 for all arrays


@dataclass(slots=True)
class HomeOptions:
    """Everything that shapes the simulated home (command-line flags and the scenario file map onto this)."""

    start: datetime = field(default_factory=lambda: datetime.now(JST).replace(microsecond=0))
    speed: float = 1.0
    latitude: float = 35.68
    longitude: float = 139.77
    sky: Sky = Sky.CLEAR
    irradiance: Callable[[datetime], float] | None = None  # a GHI trace (W/m²) overriding the sky
    pv_capacity_w: float = 5000.0
    pv_arrays: int = 1
    pcs: PcsWiring = PcsWiring.SEPARATE
    contract: Contract = Contract.SURPLUS
    battery_wh: float | None = 9800.0
    ecocute_l: float | None = 370.0
    ev_charger_discharger: bool = True
    ev_charger: bool = True
    # The EV charger (0x02A1) takes its charging current (0xED, with 0xCA and 0xD2) instead of its power (0xEB).
    ev_charger_current_setting: bool = False
    fuel_cell: bool = True
    aircon: bool = True
    light: bool = True
    base_address: str = "127.0.0.11"
    interface: str = "127.0.0.1"
    seed: int = 0
    step_seconds: float = 60.0
    history_days: int = 1
    # Devices also announce every changed reading once per step. A real device announces its status changes and is
    # polled for readings (the integration: every 60 s); at 60x speed that poll is a simulated hour and values read
    # at different moments contradict each other, so the demo has its devices push what they measure.
    announce_measurements: bool = False
    # A household's daily routine switches the air conditioner and the fuel cell (physics/routine.py); without it they
    # stay as a controller leaves them (off), which tests that drive them need.
    routine: bool = False
    meter: MeterConfig = field(default_factory=MeterConfig)


def build_home(options: HomeOptions) -> Home:
    """The physics of the home described by `options`."""
    weather = Weather(sky=options.sky, irradiance_trace=options.irradiance)
    share = options.pv_capacity_w / options.pv_arrays
    arrays = [
        PVArray(capacity_w=share, latitude=options.latitude, longitude=options.longitude, weather=weather)
        for _ in range(options.pv_arrays)
    ]
    chargers = []
    # Plugged-in cars charge on arrival, as most Japanese EVSEs do until a controller says otherwise.
    if options.ev_charger_discharger:
        chargers.append(EVCharger(car=EVCar(), bidirectional=True, mode=ChargerMode.CHARGE))
    if options.ev_charger:
        small_car = EVCar(battery_wh=20000.0, soc_wh=10000.0, trip_wh=3000.0)
        volts = AC_CHARGER_VOLTS if options.ev_charger_current_setting else None
        charger = EVCharger(car=small_car, max_power_w=3000.0, mode=ChargerMode.CHARGE, current_setting_volts=volts)
        chargers.append(charger)
    return Home(
        pv=arrays,
        battery=Battery(capacity_wh=options.battery_wh, soc_wh=options.battery_wh / 2) if options.battery_wh else None,
        ecocute=EcoCute(tank_l=options.ecocute_l, daytime_reheat_permitted=True) if options.ecocute_l else None,
        ev_chargers=chargers,
        # Present but off: homes rarely run an ENE-FARM beside an EcoCute; a controller can switch it on (0x027C CA).
        fuel_cell=FuelCell(enabled=False) if options.fuel_cell else None,
        base_load=BaseLoad(seed=options.seed),
        aircon=AirConditioner() if options.aircon else None,
        light=Light() if options.light else None,
        routine=HouseholdRoutine() if options.routine else None,
        contract=options.contract,
    )


def next_address(base: str, offset: int) -> str:
    """`base` + `offset` in the last octet (127.0.0.11 + 2 → 127.0.0.13)."""
    parts = base.split(".")
    return ".".join([*parts[:3], str(int(parts[3]) + offset)])


class VirtualHome:
    """The simulation with its nodes. `async with VirtualHome(options) as home:` starts everything."""

    def __init__(self, options: HomeOptions | None = None, clock: Clock | None = None) -> None:
        self.options = options or HomeOptions()
        self.clock: Clock = clock or SimClock(self.options.start, self.options.speed)
        self._home = build_home(self.options)
        self._pv_wh = [0.0] * len(self._home.pv)
        self._time = self.clock.now() - timedelta(days=self.options.history_days)
        self._snapshot = self._home.step(1.0, self._time)
        self.meter = SmartMeter(self.clock, self.options.meter)
        self.nodes = self._build_nodes()
        self._runner: asyncio.Task[None] | None = None

    # HomeView, read by the device objects
    @property
    def home(self) -> Home:
        """The physics models."""
        return self._home

    @property
    def snapshot(self) -> HomeSnapshot:
        """The latest simulation step."""
        return self._snapshot

    @property
    def pv_wh(self) -> list[float]:
        """Cumulative generation per PV array, Wh."""
        return self._pv_wh

    @property
    def truth(self) -> GroundTruth:
        """The home's exact cumulative energies so far (kWh), what a controller's measurements are checked against."""
        return ground_truth(self._home)

    def now(self) -> datetime:
        """The simulated time the physics has reached."""
        return self._time

    def _identity(self, name: str, maker: int, index: int) -> NodeIdentity:
        return NodeIdentity(maker, f"VH-{name}", f"VH{self.options.seed:04d}{index:06d}")

    def _pv_group(self) -> tuple[str, int, list[DeviceObject]]:
        """The first node: the PV arrays' power conditioner(s)."""
        if self.options.pcs is PcsWiring.MULTI:
            # The object's own 0x83 differs from its node's (the node's serial plus one character).
            object_id = self._identity("PCS", NICHICON, 0)
            object_id = NodeIdentity(NICHICON, object_id.product_code, object_id.serial + "P")
            pcs = multi_input_pcs_object(self, NICHICON, object_id.identification, object_id.product_code)
            return "PCS", NICHICON, [pcs]
        return "PV", PANASONIC, [pv_object(self, i, i + 1, PANASONIC) for i in range(len(self._home.pv))]

    def _build_nodes(self) -> list[EchonetNode]:
        home = self._home
        groups: list[tuple[str, int, list[DeviceObject]]] = [self._pv_group()]
        if home.battery is not None:
            groups.append(("BATTERY", NICHICON, [battery_object(home.battery, self, NICHICON)]))
        if home.ecocute is not None:
            groups.append(("ECOCUTE", PANASONIC, [water_heater_object(home.ecocute, self, PANASONIC)]))
        for charger in home.ev_chargers:
            maker = NICHICON if charger.bidirectional else PANASONIC
            groups.append(("V2H" if charger.bidirectional else "EVSE", maker, [ev_object(charger, self, maker)]))
        if home.fuel_cell is not None:
            groups.append(("ENEFARM", PANASONIC, [fuel_cell_object(home.fuel_cell, PANASONIC)]))
        circuits = sorted(self._snapshot.circuits_w)
        groups.append(("BOARD", PANASONIC, [board_object(self, circuits, PANASONIC)]))
        if home.aircon is not None:
            groups.append(("AIRCON", DAIKIN, [aircon_object(home.aircon, self, DAIKIN)]))
        if home.light is not None:
            groups.append(("LIGHT", SHARP, [light_object(home.light, SHARP)]))
        nodes = []
        for index, (name, maker, objects) in enumerate(groups):
            identity = self._identity(name, maker, index)
            address = next_address(self.options.base_address, index)
            nodes.append(
                EchonetNode(
                    address,
                    identity,
                    objects,
                    interface=self.options.interface,
                    seed=index,
                    announce_measurements=self.options.announce_measurements,
                )
            )
        return nodes

    # ---------------------------------------------------------------------------------------------------- stepping
    def advance(self, until: datetime | None = None) -> int:
        """Step the physics up to `until` (default: the clock's now) and feed the meter; returns the steps taken."""
        target = until or self.clock.now()
        steps = 0
        while self._time < target:
            seconds = min(self.options.step_seconds, (target - self._time).total_seconds())
            self._time += timedelta(seconds=seconds)
            self._snapshot = self._home.step(seconds, self._time)
            for index, watts in enumerate(self._snapshot.pv_w_per_array):
                self._pv_wh[index] += watts * seconds / 3600
            self.meter.update(
                self._time, self._home.grid_import_wh / 1000, self._home.grid_export_wh / 1000, self._snapshot.grid_w
            )
            steps += 1
        return steps

    def announce(self) -> int:
        """Send INF for every announced property that changed; returns the number of frames sent."""
        return sum(node.announce_changes() for node in self.nodes if node.running)

    # ------------------------------------------------------------------------------------------------- life cycle
    async def start(self) -> None:
        """Simulate the history days (so the meter has past data), then bring every node up."""
        self.advance()
        for node in self.nodes:
            await node.start()
        self._runner = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the simulation and take every node off the network."""
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
        for node in self.nodes:
            await node.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self.advance()
            self.announce()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def node_faults(self, address: str) -> NodeFaults:
        """The fault settings of the node at `address` (to change them)."""
        return next(node for node in self.nodes if node.address == address).faults

    def describe(self) -> dict[str, object]:
        """What is running, as the JSON-able summary printed at start."""
        return {
            "time": self._time.isoformat(),
            "speed": self.options.speed,
            "nodes": [
                {
                    "address": node.address,
                    "identification": node.identity.identification.hex().upper(),
                    "objects": [str(obj.eoj) for obj in node.devices],
                }
                for node in self.nodes
            ],
        }
