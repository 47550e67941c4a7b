"""Small controllable appliances: a room air conditioner (ECHONET 0x0130) and a light (0x0290).

The air conditioner heats or cools one room described by a first-order thermal model::

    C · dT/dt = UA · (T_out − T) + Q_ac + Q_internal

with ``ua_w_per_k`` (envelope + ventilation) and ``heat_capacity_wh_per_k`` (air, furniture and inner surfaces);
τ = C/UA = 2.5 h. While on, it supplies the heat flow that holds the target plus a pull-down term
(``C·(T_target − T)/pulldown_h``), limited by its capacity, and draws ``Q / COP`` clamped to 300-1500 W (an inverter
unit cannot run below its minimum, so at light load its efficiency drops). ``internal_gain_w`` is the heat of
occupants and appliances (0 by default): while the unit is off the room drifts towards ``T_out + Q_internal/UA``.
"dry" is cooling capped at 600 W; "fan" only moves air (50 W, no heat); "auto" cools above the target and heats below
it. The model sub-steps at 5 minutes with the exact exponential solution inside each sub-step, so the step size hardly
matters.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

MIN_COMPRESSOR_W = 300.0
MAX_COMPRESSOR_W = 1500.0
DRY_MAX_W = 600.0
FAN_W = 50.0
_SUBSTEP_S = 300.0
MODES = ("auto", "cool", "heat", "dry", "fan")


@dataclass
class AirConditioner:
    """A room air conditioner and the room it conditions."""

    on: bool = False
    mode: str = "cool"  # "auto" | "cool" | "heat" | "dry" | "fan"
    target_c: float = 26.0
    room_temp_c: float = 28.0
    power_w: float = 0.0  # last step's mean electrical power
    ua_w_per_k: float = 120.0
    heat_capacity_wh_per_k: float = 300.0
    cooling_capacity_w: float = 2800.0
    heating_capacity_w: float = 3600.0
    pulldown_h: float = 0.5
    consumed_wh: float = 0.0  # cumulative electricity (ECHONET 0x85)
    internal_gain_w: float = 0.0

    def cop(self, outdoor_c: float, heating: bool) -> float:
        """Seasonal-average style COP: cooling degrades in heat, heating in cold."""
        if heating:
            return min(max(3.6 - 0.06 * (7.0 - outdoor_c), 1.5), 4.5)
        return min(max(4.0 - 0.08 * (outdoor_c - 27.0), 2.0), 5.0)

    def _heat_flow_w(self, outdoor_c: float) -> tuple[float, float]:
        """(heat into the room, electrical power) for the current state."""
        if not self.on:
            return 0.0, 0.0
        mode = self.mode
        if mode == "fan":
            return 0.0, FAN_W
        room = self.room_temp_c
        if mode == "auto":
            heating = room < self.target_c if abs(room - self.target_c) > 0.5 else outdoor_c < self.target_c
        else:
            heating = mode == "heat"
        needed = (
            self.ua_w_per_k * (self.target_c - outdoor_c)
            - self.internal_gain_w
            + self.heat_capacity_wh_per_k * (self.target_c - room) / self.pulldown_h
        )
        if heating:
            flow = min(max(needed, 0.0), self.heating_capacity_w)
        else:
            flow = -min(max(-needed, 0.0), self.cooling_capacity_w)
        cap_w = DRY_MAX_W if mode == "dry" else MAX_COMPRESSOR_W
        power = min(max(abs(flow) / self.cop(outdoor_c, heating), MIN_COMPRESSOR_W), cap_w)
        flow = math.copysign(min(abs(flow), power * self.cop(outdoor_c, heating)), flow) if flow else 0.0
        return flow, power

    def step(self, seconds: float, outdoor_c: float) -> float:
        """Advance `seconds` at outdoor temperature `outdoor_c`; return the mean electrical power (W)."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        tau_s = self.heat_capacity_wh_per_k / self.ua_w_per_k * 3600.0
        free_running = outdoor_c + self.internal_gain_w / self.ua_w_per_k
        if not self.on:
            self.room_temp_c = free_running + (self.room_temp_c - free_running) * math.exp(-seconds / tau_s)
            self.power_w = 0.0
            return 0.0
        remaining = seconds
        energy_ws = 0.0
        while remaining > 0.0:
            dt = min(remaining, _SUBSTEP_S)
            flow, power = self._heat_flow_w(outdoor_c)
            equilibrium = free_running + flow / self.ua_w_per_k
            self.room_temp_c = equilibrium + (self.room_temp_c - equilibrium) * math.exp(-dt / tau_s)
            energy_ws += power * dt
            remaining -= dt
        self.consumed_wh += energy_ws / 3600.0
        self.power_w = energy_ws / seconds
        return self.power_w


@dataclass
class Light:
    """A dimmable light."""

    on: bool = False
    level_percent: int = 100
    rated_w: float = 60.0

    @property
    def power_w(self) -> float:
        """Electrical power (W): proportional to the dimming level while on."""
        if not self.on:
            return 0.0
        return self.rated_w * min(max(self.level_percent, 0), 100) / 100.0
