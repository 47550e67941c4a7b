"""The whole home: every device stepped in a fixed order with an exact power balance.

``Home.step(seconds, now)`` simulates ``[now, now + seconds)``:

0. The household's routine, if any, switches the air conditioner and the fuel cell (``routine.py``).
1. Uncontrolled consumption and PV: base load, air conditioner, light, EcoCute; PV of each array (its mean over the
   step).
2. The fuel cell follows what PV leaves uncovered (``max(load − PV, 0)``), so it never exports.
3. EV chargers (in list order), then the battery, see the remaining surplus ``PV + fuel cell − loads − earlier EVs``.
   Both may charge from the grid when commanded; neither discharges more than the deficit it sees. Note that a
   battery in ``AUTO`` also covers an EV charging from the grid, as a real self-consumption battery behind the same
   meter would.
4. ``grid_w = base + aircon + light + ecocute + battery + ev − pv − fuel_cell`` (+ import / − export).

Two PV contracts (``Contract``), i.e. two wirings of the PV power conditioner(s):

* ``SURPLUS`` (余剰買取, the default): PV feeds the house behind the one grid meter; what the house does not use is
  exported through that meter (its reverse counter is the sold energy).
* ``FULL`` (全量買取): PV is wired to the grid through its own sell meter, ahead of the house's meter, so every PV
  kWh is sold (``totals.sell_meter_wh``) and none reaches the house. The house's meter sees only the house side:
  steps 2-4 run with ``pv = 0`` (the fuel cell follows the whole load, EVs and the battery see no PV surplus), and
  its import is the consumption not covered by the battery, the fuel cell or a V2H car. PV never appears on it.

The cumulative ``EnergyTotals`` (``totals``) integrate each step's mean powers exactly, for ground-truth checks.

Distribution-board circuits (``circuits_w``; they always add up to ``house_consumption_w`` = ``grid_w + pv_w +
fuel_cell_w`` under SURPLUS and ``grid_w + fuel_cell_w`` under FULL, i.e. everything the house consumes including
storage flows):

=============  =====================================================================================
``living``     base-load share of the living room and everything not below (35-65 % of the base load)
``kitchen``    base-load share: IH cooking, fridge, dishwasher (45 % at meal times, 20 % otherwise)
``bedrooms``   base-load share (45 % at night 22-06 h, 15 % otherwise)
``aircon``     the modelled air conditioner
``lighting``   the modelled light
``ecocute``    the heat-pump water heater
``ev``         EV chargers (negative while a V2H unit supplies the house)
``battery``    the storage battery (negative while discharging)
=============  =====================================================================================

``circuit_wh`` accumulates each circuit's consumption (positive part); ``circuit_reverse_wh`` the negative part.

``default_home`` builds a typical Tokyo all-electric home: 5 kW south PV at 30°, a 9.8 kWh battery in
self-consumption mode, a 370 L EcoCute in AUTO with daytime reheat permitted (as shipped; without it the 65 °C tank
runs dry on a few big winter days), a 6 kW V2H charger (bidirectional, 0x027E) with a 40 kWh commuter car that
charges on arrival, an air conditioner and a light (both off). It also has a 700 W fuel cell, *disabled*: a real
home has an EcoCute or an ENE-FARM, rarely both; it is there so the fuel-cell object can be demonstrated by enabling
it. With a ``HouseholdRoutine`` (the virtual home's ``--routine``, used by the demo) the air conditioner runs in the
morning and evening and the fuel cell in its hot-water hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from virtual_home.physics.appliances import AirConditioner, Light
from virtual_home.physics.battery import Battery
from virtual_home.physics.climate import outdoor_temp_at, outdoor_temp_c
from virtual_home.physics.ev import ChargerMode, EVCar, EVCharger
from virtual_home.physics.fuel_cell import FuelCell
from virtual_home.physics.load import BaseLoad
from virtual_home.physics.pv import PVArray
from virtual_home.physics.routine import HouseholdRoutine
from virtual_home.physics.timebase import HOUR_S, JST_OFFSET_S, to_timestamp
from virtual_home.physics.water_heater import EcoCute
from virtual_home.physics.weather import Weather

__all__ = ["CIRCUITS", "Contract", "EnergyTotals", "Home", "HomeSnapshot", "default_home", "outdoor_temp_c"]

CIRCUITS: tuple[str, ...] = ("living", "kitchen", "bedrooms", "aircon", "lighting", "ecocute", "ev", "battery")

_CONSUMING_CIRCUITS = CIRCUITS[:6]
_STORAGE_CIRCUITS = CIRCUITS[6:]
_MEAL_HOURS = frozenset({6, 7, 11, 12, 17, 18, 19})
_NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
# (kitchen, bedrooms) shares of the base load per JST hour; living gets the rest.
_BASE_SHARES: tuple[tuple[float, float], ...] = tuple(
    (0.45 if hour in _MEAL_HOURS else 0.20, 0.45 if hour in _NIGHT_HOURS else 0.15) for hour in range(24)
)


class Contract(StrEnum):
    """How the PV is wired and sold (see the module docstring)."""

    SURPLUS = "surplus"  # 余剰買取: PV behind the house meter, the surplus is exported through it
    FULL = "full"  # 全量買取: PV on its own sell meter, all of it sold


@dataclass(slots=True)
class EnergyTotals:
    """Cumulative energies (Wh) since the home was built, integrated from each step's mean powers.

    ``house_wh`` is what the household consumed: base load, air conditioner, light, EcoCute and EV charging (a V2H
    unit charging the car included). Battery charging is storage, not consumption, and a V2H car supplying the
    house is a source (``v2h_discharged_wh``), like the battery's discharge. So, in both contracts,
    ``house = bought + pv + fuel_cell + battery_discharged + v2h_discharged − battery_charged − sold``.
    """

    house_wh: float = 0.0
    bought_wh: float = 0.0  # the house meter's import
    sold_wh: float = 0.0  # the house meter's export plus, under FULL, the sell meter
    pv_wh: float = 0.0
    fuel_cell_wh: float = 0.0
    battery_charged_wh: float = 0.0
    battery_discharged_wh: float = 0.0
    ev_charged_wh: float = 0.0
    v2h_discharged_wh: float = 0.0
    sell_meter_wh: float = 0.0  # FULL: the PV's own sell meter (not an ECHONET object); part of sold_wh

    def add(self, snap: HomeSnapshot, hours: float) -> None:
        """Integrate one step's mean powers over `hours`."""
        loads_w = snap.base_load_w + snap.aircon_w + snap.light_w + snap.ecocute_w
        ev_in_w = sum(max(w, 0.0) for w in snap.ev_w_per_charger)
        self.house_wh += (loads_w + ev_in_w) * hours
        self.bought_wh += max(snap.grid_w, 0.0) * hours
        self.sold_wh += (max(-snap.grid_w, 0.0) + snap.sell_meter_w) * hours
        self.pv_wh += snap.pv_w * hours
        self.fuel_cell_wh += snap.fuel_cell_w * hours
        self.battery_charged_wh += max(snap.battery_w, 0.0) * hours
        self.battery_discharged_wh += max(-snap.battery_w, 0.0) * hours
        self.ev_charged_wh += ev_in_w * hours
        self.v2h_discharged_wh += sum(max(-w, 0.0) for w in snap.ev_w_per_charger) * hours
        self.sell_meter_wh += snap.sell_meter_w * hours


@dataclass(frozen=True, slots=True)
class HomeSnapshot:
    """Mean powers (W) over one step ``[time, time + seconds)``. Battery and EV: + charging; grid: + import."""

    time: datetime
    pv_w: float
    pv_w_per_array: tuple[float, ...]
    base_load_w: float
    aircon_w: float
    light_w: float
    ecocute_w: float
    battery_w: float
    ev_w: float
    fuel_cell_w: float
    grid_w: float
    circuits_w: Mapping[str, float]
    seconds: float = 0.0
    outdoor_c: float = 0.0
    ev_w_per_charger: tuple[float, ...] = ()
    sell_meter_w: float = 0.0  # PV sold through its own meter (FULL contract), never seen by the house meter

    @property
    def house_consumption_w(self) -> float:
        """Everything consumed, storage flows included (= the sum of the circuits)."""
        return self.grid_w + self.pv_w - self.sell_meter_w + self.fuel_cell_w


@dataclass
class Home:
    """A home's devices and its meter counters."""

    pv: list[PVArray] = field(default_factory=list)
    battery: Battery | None = None
    ecocute: EcoCute | None = None
    ev_chargers: list[EVCharger] = field(default_factory=list)
    fuel_cell: FuelCell | None = None
    base_load: BaseLoad = field(default_factory=BaseLoad)
    aircon: AirConditioner | None = None
    light: Light | None = None
    routine: HouseholdRoutine | None = None  # None: the air conditioner and fuel cell only do what they are told
    contract: Contract = Contract.SURPLUS
    grid_import_wh: float = 0.0  # the house meter (under FULL it never sees PV)
    grid_export_wh: float = 0.0
    pv_generated_wh: float = 0.0
    pv_sold_wh: float = 0.0
    totals: EnergyTotals = field(default_factory=EnergyTotals)
    circuit_wh: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CIRCUITS, 0.0))
    circuit_reverse_wh: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CIRCUITS, 0.0))
    last: HomeSnapshot | None = None

    def set_weather(self, weather: Weather) -> None:
        """Give every PV array the same weather."""
        for array in self.pv:
            array.weather = weather

    def step(self, seconds: float, now: datetime, outdoor_c: float | None = None) -> HomeSnapshot:
        """Simulate [now, now + seconds) and return the step's mean powers.

        `outdoor_c` overrides the standard-year outdoor temperature (used by the EcoCute COP and the air conditioner).
        """
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        ts = to_timestamp(now)
        outdoor = outdoor_temp_at(ts + seconds / 2.0) if outdoor_c is None else outdoor_c
        if self.routine is not None:
            self.routine.apply(ts, outdoor, self.aircon, self.fuel_cell)

        pv_per_array = tuple(array.mean_power_at(ts, seconds) for array in self.pv)
        pv_w = sum(pv_per_array)
        # Under FULL the PV goes straight to its sell meter: the house's balance runs without it.
        sell_meter_w = pv_w if self.contract is Contract.FULL else 0.0
        house_pv_w = pv_w - sell_meter_w
        base_w = self.base_load.mean_power_at(ts, seconds)
        aircon_w = self.aircon.step(seconds, outdoor) if self.aircon is not None else 0.0
        light_w = self.light.power_w if self.light is not None else 0.0
        ecocute_w = self.ecocute.step_at(seconds, ts, outdoor) if self.ecocute is not None else 0.0
        load_w = base_w + aircon_w + light_w + ecocute_w

        fuel_cell_w = self.fuel_cell.step(seconds, max(load_w - house_pv_w, 0.0)) if self.fuel_cell is not None else 0.0
        surplus_w = house_pv_w + fuel_cell_w - load_w
        ev_per_charger: list[float] = []
        for charger in self.ev_chargers:
            charger_w = charger.step_at(seconds, ts, surplus_w)
            surplus_w -= charger_w
            ev_per_charger.append(charger_w)
        ev_w = sum(ev_per_charger)
        battery_w = self.battery.step(seconds, surplus_w) if self.battery is not None else 0.0

        grid_w = base_w + aircon_w + light_w + ecocute_w + battery_w + ev_w - house_pv_w - fuel_cell_w
        hours = seconds / HOUR_S
        if grid_w >= 0.0:
            self.grid_import_wh += grid_w * hours
        else:
            self.grid_export_wh -= grid_w * hours
            self.pv_sold_wh += min(-grid_w, house_pv_w) * hours
        self.pv_sold_wh += sell_meter_w * hours
        self.pv_generated_wh += pv_w * hours

        hour = int(((ts + seconds / 2.0 + JST_OFFSET_S) % 86400.0) // HOUR_S)
        kitchen_share, bedroom_share = _BASE_SHARES[hour]
        kitchen_w = base_w * kitchen_share
        bedrooms_w = base_w * bedroom_share
        circuits = {
            "living": base_w - kitchen_w - bedrooms_w,
            "kitchen": kitchen_w,
            "bedrooms": bedrooms_w,
            "aircon": aircon_w,
            "lighting": light_w,
            "ecocute": ecocute_w,
            "ev": ev_w,
            "battery": battery_w,
        }
        forward = self.circuit_wh
        for name in _CONSUMING_CIRCUITS:  # never negative
            forward[name] += circuits[name] * hours
        for name in _STORAGE_CIRCUITS:
            watts = circuits[name]
            if watts >= 0.0:
                forward[name] += watts * hours
            else:
                self.circuit_reverse_wh[name] -= watts * hours

        snapshot = HomeSnapshot(
            time=now,
            pv_w=pv_w,
            pv_w_per_array=pv_per_array,
            base_load_w=base_w,
            aircon_w=aircon_w,
            light_w=light_w,
            ecocute_w=ecocute_w,
            battery_w=battery_w,
            ev_w=ev_w,
            fuel_cell_w=fuel_cell_w,
            grid_w=grid_w,
            circuits_w=circuits,
            seconds=seconds,
            outdoor_c=outdoor,
            ev_w_per_charger=tuple(ev_per_charger),
            sell_meter_w=sell_meter_w,
        )
        self.totals.add(snapshot, hours)
        self.last = snapshot
        return snapshot


def default_home(seed: int = 0) -> Home:
    """A typical Tokyo all-electric home (see the module docstring)."""
    return Home(
        pv=[PVArray()],
        battery=Battery(),
        ecocute=EcoCute(daytime_reheat_permitted=True),
        ev_chargers=[EVCharger(car=EVCar(), bidirectional=True, mode=ChargerMode.CHARGE)],
        fuel_cell=FuelCell(enabled=False),
        base_load=BaseLoad(seed=seed),
        aircon=AirConditioner(),
        light=Light(),
    )
