"""EcoCute: a CO₂ heat-pump water heater with a storage tank (ECHONET Lite class 0x026B).

State: ``heat_wh``, the thermal energy stored above the reference inlet temperature ``inlet_temp_c``. Full is
``capacity_wh = tank_l × (storage_temp_c − inlet_temp_c) × 1.163 Wh/(L·K)`` (370 L, 65 °C, 15 °C → 21.5 kWh_th).

Each step (``[now, now + seconds)``; split internally at hour boundaries and at the moment the tank fills or empties):

- Heating: the heat pump draws ``heating_input_w`` (on/off, like the real units) and delivers ``COP(ambient) ×`` that.
- Draws: the official 4-person hot-water schedule (pyhees, L/h of 40 °C water per hour and day class; see
  ``virtual_home/data/README.md``), scaled by ``draw_scale``. A litre of 40 °C water takes
  ``(40 − T_in) × 1.163 Wh`` from the tank, with the cold-water temperature ``T_in`` following the season
  (``inlet_temp_c ± inlet_amplitude_c``, coldest in early February). What the empty tank cannot supply is counted in
  ``shortfall_l`` (litres of 40 °C water): a comfort failure.
- Standing loss: proportional to the stored heat, ``standing_loss_wh_per_day`` when full (1.5 kWh_th/day).

Control (``mode``):

- ``AUTO`` heats in the night window (``night_start_hour``-``night_end_hour``, 23-07) up to
  ``night_target_fraction`` of the capacity. It starts when the tank is more than ``restart_margin_fraction`` below
  that target, so a full tank is not topped up for every watt lost, and not in the window's last half hour.
  - With ``energy_shift_participation`` and ``shift_time_1`` (hour 9-17, ECHONET "daytime heating shift time 1") it
    heats once a day from that hour until full, and the night heating then stops at ``shift_night_target_fraction``
    (50 %): the heating is shifted, not duplicated.
  - With ``daytime_reheat_permitted`` (ECHONET 0xC0) it reheats outside the night window when the tank falls below
    ``reheat_start_fraction`` (15 %), up to ``reheat_stop_fraction`` (50 %). Without it the tank may run dry in the
    day: that is what the planner benchmark must avoid.
- ``MANUAL_HEATING`` heats now until full, then returns to ``AUTO``.
- ``MANUAL_STOP`` never heats until set back to ``AUTO``.

``remaining_hot_water_l`` is expressed in litres *at the storage temperature* (what the tank holds, ≤ ``tank_l``);
``hot_water_40c_l`` gives the same heat as litres of 40 °C shower water.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache
import math

from custom_components.echonet_hems.lib.energy.devices import DEFAULT_COP_CURVE, cop_at, seasonal_inlet_temp
from virtual_home.physics.jp_calendar import is_day_off
from virtual_home.physics.profiles import hot_water_profile
from virtual_home.physics.timebase import HOUR_S, day_info, jst_day_and_seconds, to_timestamp

WATER_WH_PER_L_K = 1.163
SHOWER_TEMP_C = 40.0
# BENCHMARK.md §2.3 suggested COP curve: (ambient °C, COP).
COP_CURVE = DEFAULT_COP_CURVE  # one curve for the physics and the planner (BENCHMARK.md §2.3)
_EPS = 1e-9
_MIN_NIGHT_RUN_H = 0.5  # no new night run in the window's last half hour (no short cycling)
_FULL = 1.0 - 1e-9  # a target counts as reached within this relative tolerance


class HeaterMode(StrEnum):
    """Heating setting (ECHONET 0x026B EPC 0xB0: automatic / manual heating / manual stop)."""

    AUTO = "auto"
    MANUAL_HEATING = "manual_heating"
    MANUAL_STOP = "manual_stop"


class HeatingRun(StrEnum):
    """Why the heat pump is running."""

    NIGHT = "night"
    SHIFT = "shift"
    REHEAT = "reheat"
    MANUAL = "manual"


@cache
def _draw_patterns_for_year(year: int) -> tuple[tuple[float, ...], ...]:
    """Hourly draw pattern (L/h at 40 °C) of every day of `year`.

    Day types come from the Japanese calendar of that year; the size class (large/medium/small, home/out) is taken in
    order from the standard year's sequence of classes of the same day type, so the official frequencies hold.
    """
    profile = hot_water_profile()
    weekday_classes = [code for code in profile.standard_year if code.isupper()]
    day_off_classes = [code for code in profile.standard_year if code.islower()]
    patterns: list[tuple[float, ...]] = []
    weekdays = days_off = 0
    current = date(year, 1, 1)
    while current.year == year:
        if is_day_off(current):
            code = day_off_classes[days_off % len(day_off_classes)]
            days_off += 1
        else:
            code = weekday_classes[weekdays % len(weekday_classes)]
            weekdays += 1
        patterns.append(profile.patterns[code])
        current = date.fromordinal(current.toordinal() + 1)
    return tuple(patterns)


def draw_pattern(day: int) -> tuple[float, ...]:
    """Hourly hot-water draw (L/h of 40 °C water, 4 persons) of JST day number `day`."""
    info = day_info(day)
    return _draw_patterns_for_year(info.date.year)[info.day_of_year - 1]


@dataclass
class EcoCute:
    """Heat-pump water heater with a stratified tank modelled as one heat store."""

    tank_l: float = 370.0
    storage_temp_c: float = 65.0
    inlet_temp_c: float = 15.0  # annual mean cold-water temperature, also the reference of heat_wh
    heating_input_w: float = 1200.0  # electrical input while heating
    mode: HeaterMode = HeaterMode.AUTO
    daytime_reheat_permitted: bool = False
    energy_shift_participation: bool = False
    shift_time_1: int | None = None  # hour 9..17
    heat_wh: float = math.nan  # stored heat above inlet_temp_c; NaN → 80 % of capacity
    heating: bool = False
    power_w: float = 0.0  # last step's mean electrical power
    consumed_wh: float = 0.0  # cumulative electricity
    shortfall_l: float = 0.0  # cumulative 40 °C litres demanded but not available
    # Model parameters beyond the ECHONET surface.
    inlet_amplitude_c: float = 6.0
    standing_loss_wh_per_day: float = 1500.0
    cop_scale: float = 1.0
    draw_scale: float = 1.0
    night_start_hour: int = 23
    night_end_hour: int = 7
    night_target_fraction: float = 1.0
    shift_night_target_fraction: float = 0.5
    reheat_start_fraction: float = 0.15
    reheat_stop_fraction: float = 0.5
    restart_margin_fraction: float = 0.03
    # Cumulative thermal bookkeeping (Wh_th) and litres delivered.
    heat_output_wh: float = 0.0
    delivered_wh: float = 0.0
    loss_wh: float = 0.0
    drawn_l: float = 0.0
    run: HeatingRun | None = None
    _shift_day: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.shift_time_1 is not None and not 9 <= self.shift_time_1 <= 17:
            raise ValueError("shift_time_1 must be an hour from 9 to 17")
        if self.storage_temp_c <= self.inlet_temp_c:
            raise ValueError("the storage temperature must be above the inlet temperature")
        if math.isnan(self.heat_wh):
            self.heat_wh = 0.8 * self.capacity_wh
        self.heat_wh = min(max(self.heat_wh, 0.0), self.capacity_wh)

    @property
    def capacity_wh(self) -> float:
        """Thermal energy of a full tank above the reference inlet temperature."""
        return self.tank_l * (self.storage_temp_c - self.inlet_temp_c) * WATER_WH_PER_L_K

    @property
    def remaining_hot_water_l(self) -> float:
        """Hot water left, in litres at the storage temperature (0 … tank_l)."""
        return self.heat_wh / ((self.storage_temp_c - self.inlet_temp_c) * WATER_WH_PER_L_K)

    @property
    def hot_water_40c_l(self) -> float:
        """Hot water left, as litres of 40 °C water mixed from the reference inlet temperature."""
        return self.heat_wh / ((SHOWER_TEMP_C - self.inlet_temp_c) * WATER_WH_PER_L_K)

    @property
    def fill_fraction(self) -> float:
        """Stored heat as a fraction of the capacity."""
        return self.heat_wh / self.capacity_wh

    def cop(self, ambient_c: float) -> float:
        """Coefficient of performance at outdoor temperature `ambient_c` (the planner's own curve and formula)."""
        return cop_at(COP_CURVE, ambient_c, self.cop_scale)

    def inlet_temp_on(self, day_of_year: int) -> float:
        """Cold-water temperature on a day of the year (coldest around 9 February, warmest around 10 August)."""
        return seasonal_inlet_temp(self.inlet_temp_c, self.inlet_amplitude_c, day_of_year)

    def expected_heating_energy_wh(self, ambient_c: float = 15.0) -> float:
        """Electricity needed to fill the tank from now at `ambient_c` (ECHONET's "expected electric energy")."""
        return max(self.capacity_wh - self.heat_wh, 0.0) / self.cop(ambient_c)

    def step(self, seconds: float, now: datetime, ambient_c: float = 15.0) -> float:
        """Advance over [now, now + seconds); return the mean electrical power (W)."""
        return self.step_at(seconds, to_timestamp(now), ambient_c)

    def step_at(self, seconds: float, ts: float, ambient_c: float = 15.0) -> float:
        """``step`` on a POSIX timestamp (the fast path used by ``Home``)."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        gain_on_w = self.cop(ambient_c) * self.heating_input_w
        end = ts + seconds
        t = ts
        electricity_wh = 0.0
        while end - t > _EPS:
            day, second_of_day = jst_day_and_seconds(t)
            hour = int(second_of_day // HOUR_S)
            segment_end = min(end, t + (hour + 1) * HOUR_S - second_of_day)
            if segment_end <= t:  # float rounding exactly at an hour boundary
                segment_end = min(end, t + HOUR_S)
            self._decide(day, second_of_day / HOUR_S)
            requested_h = (segment_end - t) / HOUR_S
            hours = self._segment(day, hour, requested_h, gain_on_w if self.heating else 0.0)
            if self.heating:
                electricity_wh += self.heating_input_w * hours
            t = segment_end if hours >= requested_h else t + hours * HOUR_S
        end_day, end_second = jst_day_and_seconds(end)
        self._decide(end_day, end_second / HOUR_S)  # ``heating`` shows the state the next step starts with
        self.consumed_wh += electricity_wh
        self.power_w = electricity_wh / (seconds / HOUR_S)
        return self.power_w

    def _segment(self, day: int, hour: int, hours: float, gain_w: float) -> float:
        """Evolve the tank for up to `hours` with constant heating gain and draw rate; return the hours simulated
        (less than asked when the tank reaches the heating target: the next segment decides again)."""
        capacity = self.capacity_wh
        wh_per_litre = (SHOWER_TEMP_C - self.inlet_temp_on(day_info(day).day_of_year)) * WATER_WH_PER_L_K
        draw_w = draw_pattern(day)[hour] * self.draw_scale * wh_per_litre
        heat = self.heat_wh
        loss_w = self.standing_loss_wh_per_day / 24.0 * heat / capacity
        net_w = gain_w - loss_w - draw_w
        target = self._target(capacity)
        unmet_wh = 0.0
        if gain_w > 0.0 and net_w > 0.0 and heat + net_w * hours >= target:
            hours = max((target - heat) / net_w, 0.0)
            heat = target
        elif net_w < 0.0 and heat + net_w * hours < 0.0:
            empty_after_h = heat / -net_w
            net_empty_w = gain_w - draw_w  # an empty tank loses nothing
            loss_w *= empty_after_h / hours
            if net_empty_w < 0.0:
                unmet_wh = -net_empty_w * (hours - empty_after_h)
                heat = 0.0
            else:
                heat = net_empty_w * (hours - empty_after_h)
        else:
            heat += net_w * hours
        self.heat_wh = min(max(heat, 0.0), capacity)
        supplied_wh = draw_w * hours - unmet_wh
        self.heat_output_wh += gain_w * hours
        self.loss_wh += loss_w * hours
        self.delivered_wh += supplied_wh
        self.drawn_l += supplied_wh / wh_per_litre
        self.shortfall_l += unmet_wh / wh_per_litre
        return hours

    def _night_target_fraction(self) -> float:
        if self.energy_shift_participation and self.shift_time_1 is not None:
            return min(self.night_target_fraction, self.shift_night_target_fraction)
        return self.night_target_fraction

    def _target(self, capacity: float) -> float:
        run = self.run
        if run is HeatingRun.NIGHT:
            return capacity * self._night_target_fraction()
        if run is HeatingRun.REHEAT:
            return capacity * self.reheat_stop_fraction
        return capacity

    def _in_night(self, hour: float) -> bool:
        start, end = self.night_start_hour, self.night_end_hour
        if start > end:
            return hour >= start or hour < end
        return start <= hour < end

    def _decide(self, day: int, hour: float) -> None:
        """Set ``run``/``heating`` for the moment (JST day number, hour of day)."""
        if self.mode is HeaterMode.MANUAL_STOP:
            self.run = None
        elif self.mode is HeaterMode.MANUAL_HEATING and self.heat_wh < self.capacity_wh * _FULL:
            self.run = HeatingRun.MANUAL
        else:
            if self.mode is HeaterMode.MANUAL_HEATING:  # full: back to automatic
                self.mode = HeaterMode.AUTO
                self.run = None
            night = self._in_night(hour)
            if self.run is not None and self._run_finished(self.run, night):
                self.run = None
            if self.run is None:
                self.run = self._new_run(day, hour, night)
        self.heating = self.run is not None

    def _run_finished(self, run: HeatingRun, night: bool) -> bool:
        heat = self.heat_wh
        if run is HeatingRun.NIGHT:
            return not night or heat >= self.capacity_wh * self._night_target_fraction() * _FULL
        if run is HeatingRun.SHIFT:
            return night or heat >= self.capacity_wh * _FULL
        if run is HeatingRun.REHEAT:
            return night or heat >= self.capacity_wh * self.reheat_stop_fraction * _FULL
        return True  # a manual run left over after the mode went back to AUTO

    def _new_run(self, day: int, hour: float, night: bool) -> HeatingRun | None:
        capacity = self.capacity_wh
        heat = self.heat_wh
        margin = self.restart_margin_fraction * capacity
        if night:
            hours_left = (self.night_end_hour - hour) % 24.0
            if heat < capacity * self._night_target_fraction() - margin and hours_left >= _MIN_NIGHT_RUN_H:
                return HeatingRun.NIGHT
            return None
        shift_hour = self.shift_time_1
        if (
            self.energy_shift_participation
            and shift_hour is not None
            and shift_hour <= hour < shift_hour + 1
            and self._shift_day != day
        ):
            self._shift_day = day  # one shift per day, started within the shift hour
            if heat < capacity - margin:
                return HeatingRun.SHIFT
        if self.daytime_reheat_permitted and heat < capacity * self.reheat_start_fraction:
            return HeatingRun.REHEAT
        return None
