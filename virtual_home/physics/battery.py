"""Home storage battery (ECHONET Lite class 0x027D) as an energy bucket with charge/discharge limits.

Sign convention: AC power is positive when charging and negative when discharging (as ECHONET reports it).
``surplus_w`` given to ``step`` is what the rest of the house leaves over: PV + other generation − loads; positive
means the house would export, negative means it would import.

Modes:

- ``AUTO`` — self-consumption (the "green" mode of Japanese batteries): charge from surplus, discharge to cover the
  deficit down to the reserve.
- ``CHARGE`` — charge at ``charge_power_setting_w`` (or the maximum) whatever the surplus; the difference is bought
  from the grid.
- ``DISCHARGE`` — discharge at ``discharge_power_setting_w`` (or the maximum) but never more than the house deficit:
  Japanese residential batteries are installed without reverse power flow (逆潮流なし) so a battery may not export.
- ``STANDBY`` — no power.

The state of charge never goes above the capacity or below the reserve: a limit reached inside a step stops the flow at
that moment, so the step's mean power is lower than the commanded one. The efficiency applies once on the way in and
once on the way out: ``soc += η·E_charged`` and ``soc -= E_discharged/η`` (AC energies).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BatteryMode(StrEnum):
    """Operation mode (ECHONET 0x027D EPC 0xDA, simplified)."""

    CHARGE = "charge"
    DISCHARGE = "discharge"
    STANDBY = "standby"
    AUTO = "auto"


@dataclass
class Battery:
    """A stationary battery with one-way efficiency ``efficiency`` in each direction."""

    capacity_wh: float = 9800.0
    max_charge_w: float = 3000.0
    max_discharge_w: float = 3000.0
    efficiency: float = 0.95
    reserve_fraction: float = 0.1
    soc_wh: float = 4900.0
    mode: BatteryMode = BatteryMode.AUTO
    charge_power_setting_w: float | None = None
    discharge_power_setting_w: float | None = None
    power_w: float = 0.0  # last step's mean AC power, + charge / − discharge
    charged_wh: float = 0.0  # cumulative AC energy in
    discharged_wh: float = 0.0  # cumulative AC energy out

    def __post_init__(self) -> None:
        if not 0.0 < self.efficiency <= 1.0:
            raise ValueError("efficiency must be in (0, 1]")
        if not 0.0 <= self.reserve_fraction < 1.0:
            raise ValueError("reserve_fraction must be in [0, 1)")
        self.soc_wh = min(max(self.soc_wh, 0.0), self.capacity_wh)

    @property
    def soc_percent(self) -> float:
        """State of charge in % of the capacity."""
        return 100.0 * self.soc_wh / self.capacity_wh

    @property
    def reserve_wh(self) -> float:
        """The lowest state of charge discharging may reach."""
        return self.capacity_wh * self.reserve_fraction

    def requested_power_w(self, surplus_w: float) -> float:
        """AC power the mode asks for given `surplus_w`, before the state-of-charge limits (+ charge)."""
        mode = self.mode
        if mode is BatteryMode.AUTO:
            if surplus_w > 0.0:
                return min(surplus_w, self.max_charge_w)
            return -min(-surplus_w, self.max_discharge_w)
        if mode is BatteryMode.CHARGE:
            setting = self.charge_power_setting_w
            return self.max_charge_w if setting is None else min(max(setting, 0.0), self.max_charge_w)
        if mode is BatteryMode.DISCHARGE:
            setting = self.discharge_power_setting_w
            limit = self.max_discharge_w if setting is None else min(max(setting, 0.0), self.max_discharge_w)
            return -min(limit, max(-surplus_w, 0.0))
        return 0.0

    def step(self, seconds: float, surplus_w: float) -> float:
        """Advance `seconds`; return the mean AC power over the step (+ charge / − discharge)."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        requested = self.requested_power_w(surplus_w)
        hours = seconds / 3600.0
        if requested > 0.0:
            room_wh = max(self.capacity_wh - self.soc_wh, 0.0)
            energy_ac = min(requested * hours, room_wh / self.efficiency)
            self.soc_wh = min(self.soc_wh + energy_ac * self.efficiency, self.capacity_wh)
            self.charged_wh += energy_ac
            self.power_w = energy_ac / hours
        elif requested < 0.0:
            available_wh = max(self.soc_wh - self.reserve_wh, 0.0)
            energy_ac = min(-requested * hours, available_wh * self.efficiency)
            self.soc_wh = max(self.soc_wh - energy_ac / self.efficiency, 0.0)
            self.discharged_wh += energy_ac
            self.power_w = -energy_ac / hours
        else:
            self.power_w = 0.0
        return self.power_w
