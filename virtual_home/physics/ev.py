"""Electric vehicle and its home charger: a charge-only EVSE (ECHONET 0x02A1) or a V2H unit (0x027E).

The car follows a daily routine: it leaves at ``depart_hour`` and comes back at ``arrive_hour`` (every day, or only on
working days with ``workdays_only``), having used ``trip_wh`` from its battery — the state of charge drops when it
comes back. While away it is unplugged.

The charger (sign: + charging, − discharging, AC side; one-way ``efficiency`` between AC and the car battery):

- ``CHARGE`` — charge at ``power_setting_w`` (clamped to ``min_power_w``…``max_power_w``; on/off chargers always use
  ``max_power_w``) while the car is plugged in, until full.
- ``AUTO`` — follow the PV surplus: charge at the surplus up to the maximum; below ``min_power_w`` (on/off: below
  ``max_power_w``) it waits. It never discharges.
- ``DISCHARGE`` — V2H only (``bidirectional``): supply the house at ``power_setting_w`` (or the maximum) but never
  more than the house deficit (no export, as for batteries), down to ``discharge_floor_fraction`` of the car battery.
- ``STANDBY`` / ``IDLE`` — no power.

A step ``[now, now + seconds)`` is split at departures, arrivals and midnight; the car filling up mid-step stops the
flow at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from virtual_home.physics.timebase import DAY_S, HOUR_S, day_info, jst_day_and_seconds, to_timestamp

_EPS = 1e-9


@dataclass
class EVCar:
    """The car: its battery and its routine."""

    battery_wh: float = 40000.0
    soc_wh: float = 20000.0
    arrive_hour: float = 18.0
    depart_hour: float = 8.0
    trip_wh: float = 6000.0  # used per day away, taken when the car comes back
    workdays_only: bool = False  # True: stays home on weekends and holidays
    away: bool = False  # state at the end of the last step
    departures: int = 0
    last_departure_soc_wh: float | None = None
    trip_shortfall_wh: float = 0.0  # trip energy the battery did not have (charged elsewhere)

    def __post_init__(self) -> None:
        if not 0.0 <= self.depart_hour < self.arrive_hour <= 24.0:
            raise ValueError("the car must leave and come back on the same day (0 <= depart < arrive <= 24)")

    @property
    def soc_percent(self) -> float:
        """State of charge in % of the battery."""
        return 100.0 * self.soc_wh / self.battery_wh

    def connected(self, now: datetime) -> bool:
        """Whether the car is at home (plugged in) at `now`."""
        day, second = jst_day_and_seconds(to_timestamp(now))
        return not self.away_at(day, second)

    def away_at(self, day: int, second_of_day: float) -> bool:
        """Whether the car is out on JST day number `day` at `second_of_day`."""
        if self.workdays_only and day_info(day).day_off:
            return False
        return self.depart_hour * HOUR_S <= second_of_day < self.arrive_hour * HOUR_S

    def update_presence(self, away: bool) -> None:
        """Apply a departure or an arrival."""
        if away and not self.away:
            self.departures += 1
            self.last_departure_soc_wh = self.soc_wh
        elif not away and self.away:
            used = min(self.trip_wh, self.soc_wh)
            self.trip_shortfall_wh += self.trip_wh - used
            self.soc_wh -= used
        self.away = away

    def next_change_s(self, second_of_day: float) -> float:
        """Seconds from `second_of_day` to the next possible departure/arrival or midnight."""
        candidates = [DAY_S - second_of_day]
        for hour in (self.depart_hour, self.arrive_hour):
            delta = hour * HOUR_S - second_of_day
            if delta > _EPS:
                candidates.append(delta)
        return min(candidates)


class ChargerMode(StrEnum):
    """Operation mode (ECHONET 0x027E/0x02A1 EPC 0xDA, simplified)."""

    CHARGE = "charge"
    DISCHARGE = "discharge"
    STANDBY = "standby"
    IDLE = "idle"
    AUTO = "auto"


@dataclass
class EVCharger:
    """A home EV charger (``bidirectional`` = V2H)."""

    car: EVCar
    max_power_w: float = 6000.0
    min_power_w: float = 1400.0
    power_setting_w: float | None = None
    bidirectional: bool = False
    mode: ChargerMode = ChargerMode.STANDBY
    power_w: float = 0.0  # last step's mean AC power, + charge / − discharge
    charged_wh: float = 0.0  # cumulative AC energy into the car
    discharged_wh: float = 0.0  # cumulative AC energy from the car
    modulating: bool = True  # False: an on/off EVSE that only knows max_power_w
    # The charging power is set by the current (ECHONET 0xED, A) at this voltage instead of by the power (0xEB): an
    # AC charger signals the car a current. None: by the power.
    current_setting_volts: float | None = None
    efficiency: float = 0.92
    discharge_floor_fraction: float = 0.3
    car_connected: bool = True  # plug state at the end of the last step

    def connected(self, now: datetime) -> bool:
        """Whether the car is plugged in at `now`."""
        return self.car.connected(now)

    def requested_power_w(self, surplus_w: float) -> float:
        """AC power the mode asks for while the car is plugged in (+ charge), before the battery limits."""
        mode = self.mode
        if mode is ChargerMode.CHARGE:
            if not self.modulating or self.power_setting_w is None:
                return self.max_power_w
            return min(max(self.power_setting_w, self.min_power_w), self.max_power_w)
        if mode is ChargerMode.AUTO:
            if not self.modulating:
                return self.max_power_w if surplus_w >= self.max_power_w else 0.0
            power = min(surplus_w, self.max_power_w)
            return power if power >= self.min_power_w else 0.0
        if mode is ChargerMode.DISCHARGE and self.bidirectional:
            setting = self.power_setting_w
            limit = self.max_power_w if setting is None else min(max(setting, 0.0), self.max_power_w)
            return -min(limit, max(-surplus_w, 0.0))
        return 0.0

    def step(self, seconds: float, now: datetime, surplus_w: float) -> float:
        """Advance over [now, now + seconds) with the house surplus `surplus_w`; return the mean AC power."""
        return self.step_at(seconds, to_timestamp(now), surplus_w)

    def step_at(self, seconds: float, ts: float, surplus_w: float) -> float:
        """``step`` on a POSIX timestamp (the fast path used by ``Home``)."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        car = self.car
        requested = self.requested_power_w(surplus_w)
        end = ts + seconds
        t = ts
        energy_wh = 0.0  # signed AC energy
        while end - t > _EPS:
            day, second = jst_day_and_seconds(t)
            car.update_presence(car.away_at(day, second))
            segment_end = min(end, t + car.next_change_s(second))
            hours = (segment_end - t) / HOUR_S
            if not car.away and requested > 0.0:
                room_wh = max(car.battery_wh - car.soc_wh, 0.0)
                energy = min(requested * hours, room_wh / self.efficiency)
                car.soc_wh = min(car.soc_wh + energy * self.efficiency, car.battery_wh)
                self.charged_wh += energy
                energy_wh += energy
            elif not car.away and requested < 0.0:
                available_wh = max(car.soc_wh - car.battery_wh * self.discharge_floor_fraction, 0.0)
                energy = min(-requested * hours, available_wh * self.efficiency)
                car.soc_wh = max(car.soc_wh - energy / self.efficiency, 0.0)
                self.discharged_wh += energy
                energy_wh -= energy
            t = segment_end
        end_day, end_second = jst_day_and_seconds(end)
        car.update_presence(car.away_at(end_day, end_second))
        self.car_connected = not car.away
        self.power_w = energy_wh / (seconds / HOUR_S)
        return self.power_w
