"""A benchmark scenario: the derived real data laid on JST slots, the device parameters and the tariff.

Everything exogenous is computed once per scenario (the same for every strategy): PV through the virtual home's PV
model from the weather file's irradiance, the clear-sky PV of the same array, outdoor temperature, base load,
hot-water draws from the official pattern, prices. Strategies only differ in how they command the devices.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
import io

import numpy as np
from numpy.typing import NDArray

from custom_components.echonet_hems.lib.energy import (
    PRESETS,
    BatteryParams,
    DayType,
    EVParams,
    HomeDevices,
    Tariff,
    WaterHeaterParams,
    day_type,
)
from virtual_home.clock import JST
from virtual_home.physics import PVArray, Sky, Weather
from virtual_home.physics.timebase import jst_day_and_seconds
from virtual_home.physics.water_heater import draw_pattern

FloatArray = NDArray[np.float64]
SLOT_S = 1800.0
SLOTS_PER_DAY = 48
DT_H = 0.5
WARMUP_DAYS = 28
HORIZON_SLOTS = 96

WEATHERS = ("jp5", "jp6", "jp7", "nsrdb2017", "nsrdb2023", "tmy-greensboro")
HOUSEHOLDS = ("emhass", "emhass2", *(f"citylearn-{i}" for i in range(1, 18)))
TARIFFS = {"tepco-sl": "tepco-sl", "kepco-3band": "kepco-3band", "newfit24": "newfit24", "flat": "flat"}
# (latitude, longitude equivalent in JST wall-clock time): foreign sites keep their solar time of day.
SITES: dict[str, tuple[float, float]] = {
    "jp5": (36.5, 139.8),
    "jp6": (35.68, 139.77),
    "jp7": (33.0, 131.5),
    "nsrdb2017": (40.53, 135.0 + (-108.54 + 105.0)),
    "nsrdb2023": (40.53, 135.0 + (-108.54 + 105.0)),
    "tmy-greensboro": (36.1, 135.0 + (-79.95 + 75.0)),
}


def _read(name: str) -> list[list[str]]:
    text = resources.files("benchmarks").joinpath("data", name).read_text(encoding="utf-8")
    rows = [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]
    return rows[1:]


@cache
def weather_table(name: str) -> tuple[FloatArray, FloatArray]:
    """(GHI W/m², temperature °C) per template slot."""
    rows = _read(f"weather_{name}.csv")
    return np.array([float(r[0]) for r in rows]), np.array([float(r[1]) for r in rows])


@cache
def load_table(name: str) -> FloatArray:
    """Household base load (W) per template slot."""
    return np.array([float(r[0]) for r in _read(f"load_{name}.csv")])


@cache
def emhass_daily() -> tuple[FloatArray, FloatArray]:
    """The emhass home's measured PV and real day-ahead forecast (kWh per template day)."""
    rows = _read("emhass_pv_daily.csv")
    return np.array([float(r[0]) for r in rows]), np.array([float(r[1]) for r in rows])


def template_slot(moment: datetime) -> int:
    """Template-year slot of a JST wall-clock time (29 February reads 28 February)."""
    local = moment.astimezone(JST)
    day = min(local.day, 28) if local.month == 2 else local.day
    index = (date(2025, local.month, day) - date(2025, 1, 1)).days
    return index * SLOTS_PER_DAY + local.hour * 2 + local.minute // 30


@dataclass(frozen=True)
class ScenarioSpec:
    """What the command line chose."""

    weather: str = "jp6"
    household: str = "emhass"
    tariff: str = "tepco-sl"
    forecast: str = "F3"
    start: date = date(2025, 1, 1)
    days: int = 365
    seed: int = 0
    devices: HomeDevices = field(default_factory=HomeDevices)
    pv_kw: float = 5.0
    ev_target_kwh: float = 24.0
    ev_trip_kwh: float = 5.0
    ev_depart_hour: int = 8
    ev_return_hour: int = 18


@dataclass(frozen=True)
class Scenario:
    """Exogenous series over warm-up + period + one horizon of look-ahead (slot k starts at times[k])."""

    spec: ScenarioSpec
    tariff: Tariff
    times: tuple[datetime, ...]
    pv_kw: FloatArray
    clear_pv_kw: FloatArray
    load_kw: FloatArray
    temp_c: FloatArray
    draw_kwh_th: FloatArray
    buy: FloatArray
    sell: FloatArray
    day_kind: tuple[DayType, ...]  # per simulated day
    report_start: int  # first slot of the reported period
    report_end: int  # end slot (exclusive)

    @property
    def devices(self) -> HomeDevices:
        """The home's devices."""
        return self.spec.devices


def build_scenario(spec: ScenarioSpec) -> Scenario:
    """Lay the data on JST slots for warm-up + period + a 2-day look-ahead and run the PV model."""
    if spec.weather not in WEATHERS or spec.household not in HOUSEHOLDS or spec.tariff not in TARIFFS:
        raise ValueError(f"unknown weather/household/tariff in {spec}")
    first_day = datetime(spec.start.year, spec.start.month, spec.start.day, tzinfo=JST) - timedelta(days=WARMUP_DAYS)
    total_days = WARMUP_DAYS + spec.days + 2
    n = total_days * SLOTS_PER_DAY
    times = tuple(first_day + timedelta(seconds=SLOT_S * k) for k in range(n))
    ghi_table, temp_table = weather_table(spec.weather)
    template = np.array([template_slot(t) for t in times])
    ghi = ghi_table[template]
    temp = temp_table[template]
    load = load_table(spec.household)[template] / 1000.0
    latitude, longitude = SITES[spec.weather]
    first_ts = times[0].timestamp()

    def trace(moment: datetime) -> float:
        return float(ghi[min(max(int((moment.timestamp() - first_ts) // SLOT_S), 0), n - 1)])

    array = PVArray(
        capacity_w=spec.pv_kw * 1000.0, latitude=latitude, longitude=longitude, weather=Weather(irradiance_trace=trace)
    )
    clear = PVArray(
        capacity_w=spec.pv_kw * 1000.0, latitude=latitude, longitude=longitude, weather=Weather(sky=Sky.CLEAR)
    )
    pv = np.array([array.mean_power_at(t.timestamp(), SLOT_S) for t in times]) / 1000.0
    clear_pv = np.array([clear.mean_power_at(t.timestamp(), SLOT_S) for t in times]) / 1000.0
    heater = spec.devices.water_heater or WaterHeaterParams()
    draws = np.zeros(n)
    for k, moment in enumerate(times):
        day, second = jst_day_and_seconds(moment.timestamp())
        litres = draw_pattern(day)[int(second // 3600)] * DT_H
        draws[k] = heater.draw_kwh_th(litres, moment.timetuple().tm_yday)
    tariff = PRESETS[TARIFFS[spec.tariff]]
    buy = np.array(tariff.buy_prices(times))
    sell = np.full(n, tariff.sell_price)
    kinds = tuple(day_type((first_day + timedelta(days=d)).date()) for d in range(total_days))
    report_start = WARMUP_DAYS * SLOTS_PER_DAY
    return Scenario(
        spec=spec,
        tariff=tariff,
        times=times,
        pv_kw=pv,
        clear_pv_kw=clear_pv,
        load_kw=load,
        temp_c=temp,
        draw_kwh_th=draws,
        buy=buy,
        sell=sell,
        day_kind=kinds,
        report_start=report_start,
        report_end=report_start + spec.days * SLOTS_PER_DAY,
    )


def default_devices() -> HomeDevices:
    """BENCHMARK.md §4 defaults: 370 L EcoCute 1.2 kW, 6.5 kWh / 2.0 kW battery, commuter EV 40 kWh 3 kW on/off."""
    return HomeDevices(
        battery=BatteryParams(capacity_kwh=6.5, max_charge_kw=2.0, max_discharge_kw=2.0, efficiency=0.95),
        water_heater=WaterHeaterParams(),
        ev=EVParams(battery_kwh=40.0, max_power_kw=3.0, min_power_kw=3.0, modulating=False, efficiency=0.92),
    )
