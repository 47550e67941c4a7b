"""The closed loop's home and Home Assistant side: the virtual home with its own past, that past as the recorder's
statistics, the two entries, the tape that reads the home's ground truth at every slot boundary, and what the
executor did. The soak (`benchmarks/soak`) sets up its Home energy entry and watches the executor with the same code
(`set_up_home_energy`, `switch_control_on`, `Watch`)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final, cast

from homeassistant.components.recorder.db_schema import StatisticsShortTerm
from homeassistant.components.recorder.models import StatisticData, StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]

from benchmarks.planner.simulate import StoredEnergy
from custom_components.echonet_hems.const import (
    CONF_ADDRESSES,
    CONF_CONTRACT,
    CONF_EMISSION_FACTOR,
    CONF_EV_ARRIVAL,
    CONF_EV_BATTERY,
    CONF_EV_DEPARTURE,
    CONF_EV_DEVICE,
    CONF_EV_TARGET,
    CONF_EV_TRIP,
    CONF_FUEL_ADJUSTMENT,
    CONF_INTERFACE,
    CONF_JMA_OFFICE,
    CONF_KIND,
    CONF_RENEWABLE_LEVY,
    CONF_SELL_PRICE,
    CONF_TARIFF,
    CONF_WARNING_SOURCE,
    DOMAIN,
    HOME_ENERGY_UNIQUE_ID,
    EntryKind,
)
from custom_components.echonet_hems.home_energy_runtime import HomeEnergyRuntimeData
from custom_components.echonet_hems.lib.echonet.ids import V2H
from custom_components.echonet_hems.lib.energy.commands import DeviceRole
from custom_components.echonet_hems.lib.energy.executor import Event, EventKind
from custom_components.echonet_hems.lib.energy.solar_charge import Device
from custom_components.echonet_hems.solar_charge_coordinator import SolarChargeCoordinator
from custom_components.echonet_hems.solar_charge_devices import candidates
from virtual_home.clock import JST, ManualClock
from virtual_home.physics.ev import EVCharger
from virtual_home.runtime import HomeOptions, VirtualHome

from .oracle_scenario import LOOKAHEAD_DAYS, ExogenousTape, stored_energy
from .scoring import DayComfort, Reading

BASE_ADDRESS: Final = "127.0.8.11"  # the closed loop's block of loopback addresses (127.0.8.x)
START: Final = datetime(2026, 5, 17, 23, 0, tzinfo=JST)  # set-up an hour before the first whole day (a Monday)
HISTORY_DAYS: Final = 14  # what the outlook learns from (`pv_outlook._HISTORY_DAYS`)
GRID_S: Final = 60.0  # the physics step: both runs step on the same grid, so they differ only by our writes
SLOT: Final = timedelta(minutes=30)
FIVE_MINUTES: Final = timedelta(minutes=5)  # the recorder's short-term statistics period
TARIFF_KEY: Final = "tepco-smart-life-s"
# The Home energy entry as the flow creates it with the preset's defaults (the levy and sell price are those of the
# project's tests; the preset's own prices and their sources are in lib/energy/tariff_presets.py).
ENERGY_OPTIONS: Final[dict[str, object]] = {
    CONF_CONTRACT: "surplus",
    CONF_TARIFF: TARIFF_KEY,
    CONF_SELL_PRICE: 8.5,
    CONF_RENEWABLE_LEVY: 3.98,
    CONF_FUEL_ADJUSTMENT: 0.0,
    CONF_EMISSION_FACTOR: 0.45,
    CONF_WARNING_SOURCE: "none",
    CONF_JMA_OFFICE: "130000",
    # The virtual home's V2H car (physics/ev.py EVCar): 40 kWh, leaves at 08:00, back at 18:00, 6 kWh a day.
    CONF_EV_DEPARTURE: "08:00:00",
    CONF_EV_ARRIVAL: "18:00:00",
    CONF_EV_TARGET: 30.0,
    CONF_EV_TRIP: 6.0,
    CONF_EV_BATTERY: 40.0,
}
EV_TARGET_KWH: Final = 30.0


def home_options(seed: int) -> HomeOptions:
    """The home of both runs: the default house (5 kW PV, 9.8 kWh battery, 370 L EcoCute, V2H + EVSE), clear May."""
    return HomeOptions(
        start=START,
        base_address=BASE_ADDRESS,
        history_days=HISTORY_DAYS,
        seed=seed,
        routine=True,
        step_seconds=GRID_S,
    )


@dataclass(frozen=True, slots=True)
class HourRow:
    """One past hour of the home (its start, cumulative PV and house energy at its end, kWh from the history start)."""

    start: datetime
    pv_kwh: float
    house_kwh: float


def live_history(home: VirtualHome, until: datetime = START) -> list[HourRow]:
    """Step the home through its history days hour by hour (devices in automatic) up to `until`; the hours'
    energies."""
    first = home.truth
    rows: list[HourRow] = []
    hour = home.now()
    while hour < until:
        home.advance(hour + timedelta(hours=1))
        truth = home.truth.since(first)
        rows.append(HourRow(hour, truth.pv_kwh, truth.house_kwh))
        hour += timedelta(hours=1)
    return rows


async def import_history(hass: HomeAssistant, statistic_id: str, rows: list[tuple[datetime, float]]) -> None:
    """Hourly cumulative energies as an energy sensor's long-term statistics (what the recorder would have made)."""
    metadata: dict[str, Any] = {
        "has_mean": False,
        "mean_type": StatisticMeanType.NONE,
        "has_sum": True,
        "name": None,
        "source": "recorder",
        "statistic_id": statistic_id,
        "unit_of_measurement": "kWh",
    }
    if "unit_class" in StatisticMetaData.__annotations__:  # HA 2026.x
        metadata["unit_class"] = "energy"
    data = [StatisticData(start=start, state=total, sum=total) for start, total in rows]
    async_import_statistics(hass, cast(StatisticMetaData, metadata), data)
    if rows:
        continue_sum(hass, cast(StatisticMetaData, metadata), *rows[-1])


def continue_sum(hass: HomeAssistant, metadata: StatisticMetaData, last_start: datetime, total: float) -> None:
    """Make the recorder's own rows of an entity go on from its imported history's sum (`total` at the end of the hour
    starting `last_start`), as they would after weeks of recording.

    The recorder continues a sum from its last 5-minute row, not from the hourly rows: without one, its first
    compiled hour starts again at 0 and that hour's change (its sum minus the last imported one) is the whole history
    negated. So the last 5-minute row of the history (sum only: the sensor's value before set-up is not the
    history's total, so its first state is the zero point), for the rows still to come; and the rows the recorder
    already compiled since (the PV's sensor exists before its history is imported) are moved up by `total`, as the
    Developer tools' "adjust sum" does. Both go through the recorder's queue in this order, after the import.
    """
    recorder = get_instance(hass)
    end = dt_util.as_utc(last_start + timedelta(hours=1))
    recorder.async_import_statistics(
        metadata, [StatisticData(start=end - FIVE_MINUTES, sum=total)], StatisticsShortTerm
    )
    recorder.async_adjust_statistics(metadata["statistic_id"], end, total, "kWh")


def v2h_object_id(hass: HomeAssistant) -> str:
    """The V2H unit's object id, chosen as solar charge's EV device: the options' settings (40 kWh, 6 kWh a day) are
    its car's, and the κ scenario models it as the controlled charger. Without a choice solar charge takes the first
    EV object by object id, which in this home is the EVSE's (a 20 kWh car the settings do not describe)."""
    return next(c.object_id for c in candidates(hass)[Device.EV] if c.class_id == V2H)


def pv_energy_entity(hass: HomeAssistant) -> str:
    """The PV power conditioner's cumulative generation sensor."""
    for entry in er.async_get(hass).entities.values():
        if entry.platform == DOMAIN and entry.unique_id.endswith("-027901_generation_energy"):
            return entry.entity_id
    raise RuntimeError("the PV energy sensor was not created")


def house_energy_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The Home energy entry's house energy sensor, registered before set-up (as after an earlier run of Home
    Assistant), so the outlook finds its history at the first set-up."""
    registry = er.async_get(hass)
    return registry.async_get_or_create(
        "sensor", DOMAIN, f"{HOME_ENERGY_UNIQUE_ID}_house_energy", config_entry=entry
    ).entity_id


def lan_entry() -> MockConfigEntry:
    """The LAN entry on loopback (nodes found by multicast)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="ECHONET Lite (lo)",
        unique_id="lo",
        data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: "lo", CONF_ADDRESSES: []},
        version=1,
        minor_version=2,
    )


def energy_entry(ev_device: str | None = None) -> MockConfigEntry:
    """The Home energy entry (TEPCO Smart Life S, surplus contract, the car's routine; the EV device chosen as in the
    options flow when `ev_device` is given)."""
    options = dict(ENERGY_OPTIONS)
    if ev_device is not None:
        options[CONF_EV_DEVICE] = ev_device
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home energy",
        unique_id=HOME_ENERGY_UNIQUE_ID,
        data={CONF_KIND: EntryKind.HOME_ENERGY.value},
        options=options,
        version=1,
        minor_version=2,
    )


type RunTask = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]


async def set_up_home_energy(
    hass: HomeAssistant, history: list[HourRow], run_task: RunTask
) -> tuple[MockConfigEntry, SolarChargeCoordinator]:
    """The home's past as the PV and house energy sensors' statistics (the LAN entry has found the PV), then the Home
    energy entry; its solar-charge coordinator, keeping every executor event of the run (the integration keeps the
    last 200)."""
    await import_history(hass, pv_energy_entity(hass), [(row.start, row.pv_kwh) for row in history])
    energy = energy_entry(v2h_object_id(hass))
    energy.add_to_hass(hass)
    await import_history(hass, house_energy_entity(hass, energy), [(row.start, row.house_kwh) for row in history])
    await run_task(get_instance(hass).async_block_till_done())
    assert await run_task(hass.config_entries.async_setup(energy.entry_id))
    return energy, keep_history(energy)


def keep_history(energy: MockConfigEntry) -> SolarChargeCoordinator:
    """The loaded entry's solar-charge coordinator, its executor keeping every event from now on."""
    runtime: HomeEnergyRuntimeData = energy.runtime_data
    solar = runtime.solar_charge
    solar.executor.history = deque()
    return solar


async def switch_control_on(hass: HomeAssistant, run_task: RunTask) -> None:
    """Solar charge's master switch on, as a user would turn it on."""
    switch = er.async_get(hass).async_get_entity_id("switch", DOMAIN, "home_energy_solar_charge_solar_charge")
    await run_task(hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True))


@dataclass
class Watch:
    """What the executor did, seen after every solar-charge update (`solar` is replaced after a restart)."""

    solar: SolarChargeCoordinator
    writes: dict[str, dict[date, int]] = field(default_factory=dict)  # the executor's own daily count
    hand_backs: dict[str, dict[date, int]] = field(default_factory=dict)  # of which writes that handed a device back
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # why an update made no new plan (`SolarChargeData.error`)
    _last: dict[DeviceRole, tuple[date | None, int]] = field(default_factory=dict)

    def on_update(self) -> None:
        state = self.solar.executor.state
        handed = {e.role for e in self.solar.executor.last_events if e.kind is EventKind.HANDED_BACK}
        for role in DeviceRole:
            device = state.device(role)
            if device.writes_day is None:
                continue
            per_day = self.writes.setdefault(role.value, {})
            per_day[device.writes_day] = max(per_day.get(device.writes_day, 0), device.writes_today)
            day, count = self._last.get(role, (None, 0))
            new = device.writes_today - (count if day == device.writes_day else 0)
            if role in handed and new > 0:
                backs = self.hand_backs.setdefault(role.value, {})
                backs[device.writes_day] = backs.get(device.writes_day, 0) + new
            self._last[role] = (device.writes_day, device.writes_today)
        if self.solar.data is not None:
            self.statuses[self.solar.data.status.key.value] += 1
            if self.solar.data.error is not None:
                self.errors[self.solar.data.error] += 1

    def events(self, since: datetime, until: datetime) -> list[tuple[datetime, Event]]:
        return [(at, event) for at, event in self.solar.executor.history if since <= at < until]


def controlled_car(home: VirtualHome) -> EVCharger:
    """The charger solar charge controls: the V2H unit (`v2h_object_id`; the EVSE stays automatic)."""
    return next(charger for charger in home.home.ev_chargers if charger.bidirectional)


@dataclass
class Tape:
    """The home's ground truth at every slot boundary from `t0` on, and its comfort per day."""

    t0: datetime
    readings: list[Reading] = field(default_factory=list)
    stored: list[StoredEnergy] = field(default_factory=list)  # battery, tank, car at each reading (κ's settlement)
    comfort: dict[date, DayComfort] = field(default_factory=dict)
    _next: datetime | None = None
    _departures: int = 0
    _short_l: float = 0.0

    def advance(self, home: VirtualHome, until: datetime) -> None:
        """Step the physics to `until`, stopping at each slot boundary on the way to read the truth."""
        if self._next is None:
            self._next = self.t0
            car = controlled_car(home).car
            self._departures = car.departures
            self._short_l = home.home.ecocute.shortfall_l if home.home.ecocute is not None else 0.0
        while self._next <= until:
            home.advance(self._next)
            self._read(home, self._next)
            self._next += SLOT
        home.advance(until)

    def _read(self, home: VirtualHome, at: datetime) -> None:
        truth = home.truth
        self.readings.append(Reading(at, truth.bought_kwh, truth.sold_kwh))
        self.stored.append(stored_energy(home))
        if at == self.t0:
            return
        day = (at - SLOT).astimezone(JST).date()  # the slot that just ended
        before = self.comfort.get(day, DayComfort(0.0, ()))
        car = controlled_car(home).car
        departed: tuple[float, ...] = ()
        if car.departures != self._departures and car.last_departure_soc_wh is not None:
            departed = (car.last_departure_soc_wh / 1000.0,)
        self._departures = car.departures
        short = home.home.ecocute.shortfall_l if home.home.ecocute is not None else 0.0
        self.comfort[day] = DayComfort(
            before.hot_water_short_l + short - self._short_l, before.departures_kwh + departed
        )
        self._short_l = short


def grid_floor(moment: datetime) -> datetime:
    """`moment` down to the physics grid (whole minutes)."""
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The control-OFF run: its tape, what it stored at the end, what no controller touches, the home (its sizes)."""

    tape: Tape
    stored_end: dict[str, float]
    exogenous: ExogenousTape
    home: VirtualHome


def baseline(seed: int, t0: datetime, end: datetime) -> Baseline:
    """The same home alone, devices in automatic, over the same days (no nodes: only the physics), and what no
    controller touches read at every slot boundary from the first midnight of its history to the look-ahead's end
    (the offline benchmark's scenario, `oracle_scenario.py`)."""
    home = VirtualHome(home_options(seed), clock=ManualClock(START))
    first = (START - timedelta(days=HISTORY_DAYS)).replace(hour=0, minute=0) + timedelta(days=1)
    home.advance(first)
    exogenous = ExogenousTape(first)
    tape = Tape(t0)
    at_end: dict[str, float] = {}
    moment = first
    while moment <= end + timedelta(days=LOOKAHEAD_DAYS):
        # The same 60-s steps as one long advance: every slot boundary lies on the grid.
        if t0 <= moment <= end:
            tape.advance(home, moment)
            at_end = stored(home)
        else:
            home.advance(moment)
        exogenous.read(home)
        moment += SLOT
    return Baseline(tape, at_end, exogenous, home)


def stored(home: VirtualHome) -> dict[str, float]:
    """What the home holds at the end of a run: battery and controlled car energy (kWh), the tank's fill (0..1)."""
    battery, tank = home.home.battery, home.home.ecocute
    return {
        "battery_kwh": round(battery.soc_wh / 1000.0, 2) if battery is not None else 0.0,
        "ev_kwh": round(controlled_car(home).car.soc_wh / 1000.0, 2),
        "tank_fill": round(tank.fill_fraction, 3) if tank is not None else 0.0,
    }
