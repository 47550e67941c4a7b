"""The closed loop itself (run through `python -m benchmarks.closed_loop`): Home Assistant with solar charge control
on against the virtual home for whole days, a hand change at noon of day 1, the baseline, the figures."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import date, datetime, time, timedelta
import json
import logging
import os
from pathlib import Path
from typing import Any, cast

import freezegun.api
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]

from benchmarks.closed_loop.oracle_scenario import LoopRun, LoopTrips, loop_scenario, offline_kappa
from benchmarks.closed_loop.rig import (
    ENERGY_OPTIONS,
    EV_TARGET_KWH,
    GRID_S,
    START,
    Baseline,
    HourRow,
    Tape,
    Watch,
    baseline,
    controlled_car,
    grid_floor,
    home_options,
    lan_entry,
    live_history,
    set_up_home_energy,
    stored,
    switch_control_on,
)
from benchmarks.closed_loop.scoring import DayComfort, comfort_failures, energy_cost, problems, writes_per_day
from benchmarks.closed_loop.trace import tracer
from benchmarks.soak.clock import Freezer, SimDriver
from custom_components.echonet_hems.const import (
    CONF_EV_ARRIVAL,
    CONF_EV_DEPARTURE,
    CONF_EV_TARGET,
    CONF_EV_TRIP,
)
from custom_components.echonet_hems.home_energy import tariff_from_options
from custom_components.echonet_hems.lib.energy.commands import DeviceRole
from custom_components.echonet_hems.lib.energy.executor import EventKind, ExecutorSettings, WriteStatus
from custom_components.echonet_hems.lib.energy.tariff import Tariff
from custom_components.echonet_hems.solar_charge_coordinator import SolarChargeCoordinator
from virtual_home.clock import JST, SimClock
from virtual_home.physics.battery import BatteryMode
from virtual_home.physics.ev import ChargerMode
from virtual_home.physics.water_heater import HeaterMode
from virtual_home.runtime import VirtualHome

DAY = timedelta(days=1)
SETUP_LIMIT_S = 600.0  # simulated seconds a set-up or unload may take
SETUP_TICK_S = 0.1  # simulated seconds per move while a set-up step runs
SETUP_REAL_WAIT_S = 0.005  # real seconds per move for the import executor's threads
DISCOVERY_S = 300.0  # simulated seconds for the LAN entry to find every object
WRITE_CAP = ExecutorSettings().max_writes_per_day
KAPPA_NOTE = (
    "κ = the loop's savings (OFF − ON, settled for the change of stored energy) ÷ the same-device oracle's savings"
    " over the benchmark's 'devices in automatic' (a), both in the benchmark's model of this home's days"
    " (oracle_scenario.py)."
    " The models differ: the benchmark steps 30-min slot means, its (a) heats the tank to 7-day use + 20 % and charges"
    " the car to its target (the virtual home: a full tank each night, the car until full), it starts from its own"
    " warm-up state, and the fuel cell's output above the uncontrolled load is dropped; model_gap_yen is how far its"
    " (a) lands from the loop's OFF run on the same days, to read κ against"
)
KAPPA_OFFLINE_NOTE = (
    "κ of strategy (d) (the lib/energy planner, re-planned every slot, persistence PV forecast F1: exact on these"
    " clear days, load and draws from history) run offline on the same scenario, against the same oracle"
)


class LogCounter(logging.Handler):
    """Warnings and errors of the integration (what a misbehaving loop would say), with a few samples."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.samples) < 10:
            self.samples.append(f"{record.levelname} {record.name}: {record.getMessage()}"[:300])


def _threads_busy(hass: HomeAssistant) -> Callable[[], bool]:
    """Whether an executor job Home Assistant tracks (the planner's HiGHS run among them) is still running."""

    def busy() -> bool:
        for name in ("_tasks", "_background_tasks"):
            for job in getattr(hass, name, ()):
                if not isinstance(job, asyncio.Task) and not job.done():
                    return True
        return False

    return busy


def _controlled(solar: SolarChargeCoordinator, role: DeviceRole) -> bool:
    device = solar.executor.state.device(role)
    return device.controlling and any(r.status is WriteStatus.CONFIRMED for r in device.written.values())


# Whom the hand change goes to: the battery, else the EV, else the EcoCute, the first that solar charge holds away
# from the device's own operation. The person sets it back to its own operation at its panel (what the control-OFF
# run keeps all day): the pause is tested, and the rest of the day is not charged to solar charge as a cost the OFF
# run never pays. (Until December 2026 the battery was set to *discharge* at noon: it then sold its charge at 3 kW
# through the evening while paused, a loss of the injection, not of the control.) A device's own end of our command
# (charging -> standby, manual heating -> automatic) is not a hand change, so the EcoCute, whose own operation is such
# an end, is set to a mode it never takes by itself, and only late in the day when neither other device qualified.
HAND_ORDER: tuple[DeviceRole, ...] = (DeviceRole.BATTERY, DeviceRole.EV, DeviceRole.WATER_HEATER)
OWN_MODES: dict[DeviceRole, Any] = {DeviceRole.BATTERY: BatteryMode.AUTO, DeviceRole.EV: ChargerMode.CHARGE}
ECOCUTE_HAND_FROM_HOUR = 20


def _hand_target(home: VirtualHome, role: DeviceRole) -> Any:
    if role is DeviceRole.BATTERY:
        return home.home.battery
    return controlled_car(home) if role is DeviceRole.EV else home.home.ecocute


def _hand_changeable(home: VirtualHome, role: DeviceRole, hour: int) -> bool:
    """Whether a hand change of `role` can be told apart from the device's own doing now."""
    if role in OWN_MODES:
        return bool(_hand_target(home, role).mode != OWN_MODES[role])
    return hour >= ECOCUTE_HAND_FROM_HOUR


def _set_by_hand(home: VirtualHome, role: DeviceRole) -> tuple[str, str]:
    """Change the device's mode as a person at its panel would; (before, after)."""
    target = _hand_target(home, role)
    before = target.mode
    if role in OWN_MODES:
        target.mode = OWN_MODES[role]
    else:
        target.mode = next(choice for choice in (HeaterMode.MANUAL_STOP, HeaterMode.AUTO) if choice != before)
    return str(before.value), str(target.mode.value)


class Loop:
    """One run: the home, the driver, Home Assistant's entries."""

    def __init__(self, hass: HomeAssistant, freezer: Freezer, home: VirtualHome, t0: datetime) -> None:
        self.hass, self.home = hass, home
        self.tape = Tape(t0)
        self.trace: Callable[[VirtualHome], None] | None = None
        self.driver = SimDriver(
            asyncio.get_running_loop(), freezer, GRID_S, self.on_step, threads_busy=_threads_busy(hass)
        )

    def on_step(self) -> None:
        """Physics to the clock's minute (reading the truth at each slot boundary), INF for what changed."""
        self.tape.advance(self.home, grid_floor(dt_util.now()))
        if self.trace is not None:
            self.trace(self.home)
        self.home.announce()

    async def run_to(self, moment: datetime, stop: Callable[[], bool] | None = None) -> None:
        await self.driver.run_for(max(0.0, (moment - dt_util.now()).total_seconds()), stop=stop)

    async def run_task(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run a set-up step on simulated time (slowly: see `SimDriver.run_task_slowly`)."""
        return await self.driver.run_task_slowly(self.hass.async_create_task(coro), SETUP_LIMIT_S)


async def _hand_change(run: Loop, solar: SolarChargeCoordinator, noon: datetime, day_end: datetime) -> dict[str, Any]:
    """From noon of day 1: once solar charge holds a device, set its mode by hand; did it pause that device?"""
    await run.run_to(noon)
    at_noon = {role.value: _controlled(solar, role) for role in HAND_ORDER}

    def held() -> DeviceRole | None:
        hour = dt_util.now().astimezone(JST).hour
        return next(
            (r for r in HAND_ORDER if _controlled(solar, r) and _hand_changeable(run.home, r, hour)),
            None,
        )

    await run.run_to(day_end - timedelta(hours=1), stop=lambda: held() is not None)
    role = held()
    if role is None:
        return {"device": None, "held_at_noon": at_noon, "paused": False}
    before, after = _set_by_hand(run.home, role)
    at = dt_util.now()

    def pauses() -> list[datetime]:
        history = solar.executor.history
        return [w for w, e in history if w >= at and e.kind is EventKind.HAND_CHANGE_PAUSED and e.role is role]

    await run.run_to(day_end - timedelta(minutes=2), stop=lambda: bool(pauses()))
    found = pauses()
    await run.run_to(day_end - timedelta(minutes=2))
    wrote_after = [e for w, e in solar.executor.history if w >= at and e.role is role and e.kind is EventKind.WROTE]
    return {
        "device": role.value,
        "held_at_noon": at_noon,
        "injected": at.astimezone(JST).isoformat(),
        "from_mode": before,
        "to_mode": after,
        "paused": bool(found),
        "paused_after_s": round((found[0] - at).total_seconds(), 1) if found else None,
        "left_alone_until_midnight": not wrote_after,
        "notification": bool(run.hass.states.async_all("persistent_notification"))
        or "persistent_notification" not in run.hass.config.components,
    }


async def _set_up(run: Loop, history: list[HourRow]) -> tuple[MockConfigEntry, MockConfigEntry, SolarChargeCoordinator]:
    """The LAN entry, the home's past as statistics, the Home energy entry; its solar-charge coordinator."""
    hass = run.hass
    lan = lan_entry()
    lan.add_to_hass(hass)
    assert await run.run_task(hass.config_entries.async_setup(lan.entry_id))
    await run.run_to(START + timedelta(seconds=DISCOVERY_S))
    energy, solar = await set_up_home_energy(hass, history, run.run_task)
    return lan, energy, solar


def _report(on: Tape, off: Tape, watch: Watch, days: int, t0: datetime) -> dict[str, Any]:
    """Cost, energy, writes and comfort of the two runs over the measured days."""
    tariff = tariff_from_options(ENERGY_OPTIONS)
    assert isinstance(tariff, Tariff)
    slots = days * 48 + 1
    cost_on, cost_off = energy_cost(tariff, on.readings[:slots]), energy_cost(tariff, off.readings[:slots])
    measured = [(t0 + d * DAY).date() for d in range(days)]
    devices = sorted(device.value for device in watch.solar.data.devices)
    per_device = {device: [watch.writes.get(device, {}).get(day, 0) for day in measured] for device in devices}
    backs = {device: [watch.hand_backs.get(device, {}).get(day, 0) for day in measured] for device in devices}
    planned = {device: [a - b for a, b in zip(per_device[device], backs[device], strict=True)] for device in devices}
    return {
        "days": days,
        "start": t0.isoformat(),
        "tariff": ENERGY_OPTIONS["tariff"],
        "savings_yen": round(cost_off.net_yen - cost_on.net_yen, 1),
        "cost_yen": round(cost_on.net_yen, 1),
        "cost_yen_off": round(cost_off.net_yen, 1),
        "import_kwh": round(cost_on.import_kwh, 2),
        "import_kwh_off": round(cost_off.import_kwh, 2),
        "export_kwh": round(cost_on.export_kwh, 2),
        "export_kwh_off": round(cost_off.export_kwh, 2),
        "writes_per_device_day": writes_per_day(per_device),
        "writes_per_device_per_day": per_device,
        "hand_back_writes_per_device_per_day": backs,
        # What the cap governs: hand-back writes are allowed past it (safety over EEPROM wear, lib/energy/executor.py).
        "max_writes_device_day": max((max(c) for c in planned.values() if c), default=0),
        "max_writes_device_day_total": max((max(c) for c in per_device.values() if c), default=0),
        "write_cap": WRITE_CAP,
        "comfort_failures": comfort_failures([on.comfort.get(d, _none()) for d in measured], EV_TARGET_KWH),
        "comfort_failures_off": comfort_failures([off.comfort.get(d, _none()) for d in measured], EV_TARGET_KWH),
        "comfort": {d.isoformat(): _comfort(on, off, d) for d in measured},
        "status_updates": dict(watch.statuses),
    }


async def test_closed_loop(hass: HomeAssistant, freezer: Any) -> None:
    """Run the closed loop and print (and optionally write) its figures."""
    days, seed = int(os.environ.get("CLOSED_LOOP_DAYS", "2")), int(os.environ.get("CLOSED_LOOP_SEED", "1"))
    freezer.move_to(START)
    await hass.config.async_set_time_zone("Asia/Tokyo")
    hass.config.latitude, hass.config.longitude = home_options(seed).latitude, home_options(seed).longitude
    asyncio.get_running_loop().slow_callback_duration = 1e9  # the frozen clock makes every callback look slow
    for name in ("sqlalchemy", "sqlalchemy.engine.Engine", "homeassistant", "virtual_home", "custom_components"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logs = LogCounter()
    logging.getLogger("custom_components.echonet_hems").addHandler(logs)
    real_start = freezegun.api.real_monotonic()

    home = VirtualHome(home_options(seed), clock=SimClock(START, 1.0))
    history = live_history(home)
    for node in home.nodes:
        await node.start()
    t0, end = START + timedelta(hours=1), START + timedelta(hours=1) + days * DAY
    run = Loop(hass, freezer, home, t0)

    lan, energy, solar = await _set_up(run, history)
    watch = Watch(solar)
    solar.async_add_listener(watch.on_update)
    if trace_path := os.environ.get("CLOSED_LOOP_TRACE"):
        run.trace = tracer(solar, Path(trace_path))
    await switch_control_on(hass, run.run_task)

    hand: dict[str, Any] = {}
    for day in range(days):
        day_start = t0 + day * DAY
        if day == 0:
            hand = await _hand_change(run, solar, day_start + timedelta(hours=12), day_start + DAY)
        await run.run_to(day_start + DAY)
    await run.run_to(end + timedelta(seconds=2 * GRID_S))  # the physics reach the last boundary
    stored_on = stored(home)
    events = Counter(event.kind.value for _, event in watch.events(t0, end))
    sample = [
        f"{at.astimezone(JST).isoformat()} {e.role.value} {e.kind.value} {e.detail}" for at, e in watch.events(t0, end)
    ][:40]
    await run.run_task(hass.config_entries.async_unload(energy.entry_id))
    await run.run_task(hass.config_entries.async_unload(lan.entry_id))
    for node in home.nodes:
        await node.stop()
    logging.getLogger("custom_components.echonet_hems").removeHandler(logs)

    off = baseline(seed, t0, end)
    report = _report(run.tape, off.tape, watch, days, t0)
    report.update(_kappa(run.tape, off, days, t0, seed))
    report.update(
        seed=seed,
        stored_end=stored_on,
        stored_end_off=off.stored_end,
        hand_change_paused=bool(hand.get("paused")),
        hand_change=hand,
        executor_events=dict(events),
        executor_event_sample=sample,
        log_warnings=logs.count,
        log_samples=logs.samples,
        real_s=round(freezegun.api.real_monotonic() - real_start, 1),
    )
    report["problems"] = problems(report, WRITE_CAP)
    print(json.dumps(report, indent=2))
    if target := os.environ.get("CLOSED_LOOP_JSON"):
        Path(target).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def _kappa(on: Tape, off: Baseline, days: int, t0: datetime, seed: int) -> dict[str, Any]:
    """κ in the loop, κ of (d) offline and the model gap, on the benchmark scenario of the loop's days."""
    tariff = tariff_from_options(ENERGY_OPTIONS)
    assert isinstance(tariff, Tariff)
    trips = LoopTrips(
        target_kwh=float(cast(float, ENERGY_OPTIONS[CONF_EV_TARGET])),
        trip_kwh=float(cast(float, ENERGY_OPTIONS[CONF_EV_TRIP])),
        depart_hour=time.fromisoformat(str(ENERGY_OPTIONS[CONF_EV_DEPARTURE])).hour,
        return_hour=time.fromisoformat(str(ENERGY_OPTIONS[CONF_EV_ARRIVAL])).hour,
    )
    scenario = loop_scenario(off.exogenous, off.home, tariff, t0, days, trips, seed)
    slots = days * 48

    def run(tape: Tape) -> LoopRun:
        return LoopRun(energy_cost(tariff, tape.readings[: slots + 1]).net_yen, tape.stored[0], tape.stored[slots])

    figures = offline_kappa(scenario, run(on), run(off.tape))
    return {
        **figures,
        "kappa_note": KAPPA_NOTE,
        "kappa_offline_note": KAPPA_OFFLINE_NOTE,
        "fuel_cell_dropped_kwh": round(off.exogenous.fuel_cell_dropped_kwh, 2),
    }


def _none() -> DayComfort:
    return DayComfort(0.0, ())


def _comfort(on: Tape, off: Tape, day: date) -> dict[str, Any]:
    a, b = on.comfort.get(day, _none()), off.comfort.get(day, _none())
    return {
        "hot_water_short_l": round(a.hot_water_short_l, 1),
        "hot_water_short_l_off": round(b.hot_water_short_l, 1),
        "ev_departure_kwh": [round(k, 2) for k in a.departures_kwh],
        "ev_departure_kwh_off": [round(k, 2) for k in b.departures_kwh],
    }
