"""Device parameters shared by the planner and (through the benchmark's mapping) the virtual home's physics.

One source of truth: the physics models in ``virtual_home/physics`` take these numbers, and the planner's linear
models below use the same equations (tank standing loss proportional to the stored heat, COP piecewise linear in the
outdoor temperature, one-way efficiencies on the way in and on the way out of a battery).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math

WATER_KWH_PER_L_K = 1.163e-3
SHOWER_TEMP_C = 40.0
# BENCHMARK.md §2.3 suggested COP curve: (ambient °C, COP).
DEFAULT_COP_CURVE: tuple[tuple[float, float], ...] = ((0.0, 2.6), (7.0, 3.2), (16.0, 4.2), (25.0, 5.0))
COP_MIN = 1.5
COP_MAX = 5.5


def cop_at(curve: tuple[tuple[float, float], ...], ambient_c: float, scale: float = 1.0) -> float:
    """COP at `ambient_c`: piecewise linear through `curve`, extrapolated, clamped to [1.5, 5.5], times `scale`.

    The one definition shared by the planner and the virtual home's EcoCute physics.
    """
    if ambient_c <= curve[0][0]:
        (t0, c0), (t1, c1) = curve[0], curve[1]
    elif ambient_c >= curve[-1][0]:
        (t0, c0), (t1, c1) = curve[-2], curve[-1]
    else:
        index = 1
        while curve[index][0] < ambient_c:
            index += 1
        (t0, c0), (t1, c1) = curve[index - 1], curve[index]
    value = c0 + (c1 - c0) * (ambient_c - t0) / (t1 - t0)
    return min(max(value, COP_MIN), COP_MAX) * scale


def seasonal_inlet_temp(mean_c: float, amplitude_c: float, day_of_year: int) -> float:
    """Cold-water temperature on a day of the year: coldest around 9 February, warmest around 10 August."""
    return mean_c - amplitude_c * math.cos(2.0 * math.pi * (day_of_year - 40) / 365.25)


@dataclass(frozen=True, slots=True)
class BatteryParams:
    """A stationary battery (AC side): ``soc += η·E_in``, ``soc -= E_out/η``; never exports (逆潮流なし).

    ``power_setting``: the charge/discharge power can be set (0x027D's 0xEB/0xEC in the Set map), so a planned
    partial power is executed as planned; without it the battery charges at its own (full) rate when told to charge.
    """

    capacity_kwh: float = 6.5
    max_charge_kw: float = 2.0
    max_discharge_kw: float = 2.0
    efficiency: float = 0.95
    reserve_fraction: float = 0.1
    power_setting: bool = True

    def __post_init__(self) -> None:
        if self.capacity_kwh <= 0 or self.max_charge_kw < 0 or self.max_discharge_kw < 0:
            raise ValueError("battery capacity must be positive and powers non-negative")
        if not 0.0 < self.efficiency <= 1.0 or not 0.0 <= self.reserve_fraction < 1.0:
            raise ValueError("efficiency must be in (0, 1] and the reserve in [0, 1)")

    @property
    def reserve_kwh(self) -> float:
        """Lowest state of charge that discharging may reach."""
        return self.capacity_kwh * self.reserve_fraction


@dataclass(frozen=True, slots=True)
class WaterHeaterParams:
    """An EcoCute: one heat store above the reference inlet temperature, an on/off heat pump with COP(T_amb)."""

    tank_l: float = 370.0
    storage_temp_c: float = 65.0
    inlet_temp_c: float = 15.0
    inlet_amplitude_c: float = 6.0
    heating_input_kw: float = 1.2
    standing_loss_kwh_per_day: float = 1.5
    cop_curve: tuple[tuple[float, float], ...] = DEFAULT_COP_CURVE
    cop_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.storage_temp_c <= self.inlet_temp_c or self.tank_l <= 0 or self.heating_input_kw <= 0:
            raise ValueError("tank, heating power and storage temperature must be positive and above the inlet")
        if len(self.cop_curve) < 2 or any(
            b[0] <= a[0] for a, b in zip(self.cop_curve, self.cop_curve[1:], strict=False)
        ):
            raise ValueError("the COP curve needs at least two points with increasing temperatures")

    @property
    def capacity_kwh(self) -> float:
        """Thermal energy of a full tank above the reference inlet temperature (kWh_th)."""
        return self.tank_l * (self.storage_temp_c - self.inlet_temp_c) * WATER_KWH_PER_L_K

    @property
    def loss_per_hour(self) -> float:
        """Fraction of the stored heat lost per hour (the loss is proportional to the stored heat)."""
        return self.standing_loss_kwh_per_day / 24.0 / self.capacity_kwh

    def cop(self, ambient_c: float) -> float:
        """COP at `ambient_c` (see `cop_at`)."""
        return cop_at(self.cop_curve, ambient_c, self.cop_scale)

    def inlet_temp_on(self, day_of_year: int) -> float:
        """Cold-water temperature on a day of the year (see `seasonal_inlet_temp`)."""
        return seasonal_inlet_temp(self.inlet_temp_c, self.inlet_amplitude_c, day_of_year)

    def draw_kwh_th(self, litres_40c: float, day_of_year: int) -> float:
        """Heat taken from the tank by `litres_40c` litres of 40 °C water on a day of the year."""
        return litres_40c * (SHOWER_TEMP_C - self.inlet_temp_on(day_of_year)) * WATER_KWH_PER_L_K


@dataclass(frozen=True, slots=True)
class EVParams:
    """A charge-only home EV charger (0x02A1) or V2H used for charging (0x027E), and its car.

    ``modulating``: the charging power can be set (0xEB in the device's Set map), so the charger runs at any power
    in [``min_power_kw``, ``max_power_kw``]; otherwise it is on/off at ``max_power_kw``.
    """

    battery_kwh: float = 40.0
    max_power_kw: float = 3.0
    min_power_kw: float = 3.0
    modulating: bool = False
    efficiency: float = 0.92

    def __post_init__(self) -> None:
        if self.battery_kwh <= 0 or self.max_power_kw <= 0 or not 0 < self.efficiency <= 1:
            raise ValueError("EV battery, power and efficiency must be positive (efficiency ≤ 1)")
        if not 0 <= self.min_power_kw <= self.max_power_kw:
            raise ValueError("min_power_kw must be in [0, max_power_kw]")


@dataclass(frozen=True, slots=True)
class HomeDevices:
    """The controllable devices of a home; ``None`` = not installed."""

    battery: BatteryParams | None = field(default_factory=BatteryParams)
    water_heater: WaterHeaterParams | None = field(default_factory=WaterHeaterParams)
    ev: EVParams | None = field(default_factory=EVParams)
