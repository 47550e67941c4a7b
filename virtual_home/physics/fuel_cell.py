"""Household fuel cell (ENE-FARM, ECHONET Lite class 0x027C), load following without export.

``house_load_w`` is the demand it may cover — ``Home`` passes the house load minus PV, because Japanese fuel cells
must not feed the grid (逆潮流なし). Behaviour:

- ``enabled`` False → ``"stopped"``, no output, and it cools down (the next start warms up again).
- After enabling it warms up for ``startup_seconds`` (``"starting"``, no output).
- Then it follows the demand between ``min_output_w`` and ``rated_w``, ramping up at ``ramp_w_per_s`` and down at
  once; below ``min_output_w`` it waits hot with no output (``"idling"``).
- Gas: electricity ÷ ``electrical_efficiency`` (LHV) ÷ the city-gas LHV (13A, 40.6 MJ/m³). The recovered heat (it
  is a cogeneration unit) is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

_MJ_PER_WH = 0.0036


@dataclass
class FuelCell:
    """A PEFC/SOFC micro-CHP unit."""

    rated_w: float = 700.0
    enabled: bool = True
    power_w: float = 0.0  # last step's mean electrical output
    generated_wh: float = 0.0
    gas_m3: float = 0.0
    min_output_w: float = 200.0
    startup_seconds: float = 1800.0
    ramp_w_per_s: float = 10.0
    electrical_efficiency: float = 0.40
    gas_lhv_mj_per_m3: float = 40.6
    output_w: float = 0.0  # instantaneous output at the end of the last step
    warm_seconds: float = 0.0  # time spent warming up / running since enabled

    @property
    def status(self) -> str:
        """ "generating" | "stopped" | "starting" | "idling"."""
        if not self.enabled:
            return "stopped"
        if self.warm_seconds < self.startup_seconds:
            return "starting"
        return "generating" if self.output_w > 0.0 else "idling"

    @property
    def gas_m3_per_h(self) -> float:
        """Gas consumption rate of the last step."""
        return self.power_w / self.electrical_efficiency * _MJ_PER_WH / self.gas_lhv_mj_per_m3

    def step(self, seconds: float, house_load_w: float) -> float:
        """Advance `seconds` following `house_load_w`; return the mean electrical output (W)."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        if not self.enabled:
            self.warm_seconds = 0.0
            self.output_w = 0.0
            self.power_w = 0.0
            return 0.0
        warming = min(max(self.startup_seconds - self.warm_seconds, 0.0), seconds)
        self.warm_seconds += seconds
        running = seconds - warming
        target = min(max(house_load_w, 0.0), self.rated_w)
        if target < self.min_output_w:
            target = 0.0
        energy_ws = 0.0
        if running > 0.0:
            start = min(self.output_w, target)  # ramping down is immediate
            ramp_time = (target - start) / self.ramp_w_per_s
            if ramp_time >= running:
                end_w = start + self.ramp_w_per_s * running
                energy_ws = (start + end_w) / 2.0 * running
            else:
                end_w = target
                energy_ws = (start + target) / 2.0 * ramp_time + target * (running - ramp_time)
            self.output_w = end_w
        else:
            self.output_w = 0.0
        energy_wh = energy_ws / 3600.0
        self.generated_wh += energy_wh
        self.gas_m3 += energy_wh / self.electrical_efficiency * _MJ_PER_WH / self.gas_lhv_mj_per_m3
        self.power_w = energy_ws / seconds
        return self.power_w
