"""A household's daily routine: who switches the air conditioner and the fuel cell on and off, and when.

Without it both stay as a controller leaves them (the air conditioner off, the fuel cell disabled), which is right
for tests that drive them. With it the home looks lived in:

- **Air conditioner**: the family is at home in the morning and the evening (JST 06:00-08:30, 17:00-23:00). When such
  a window opens, the unit is switched on — heating to 20 °C below 16 °C outdoors, cooling to 27 °C above 26 °C, and
  left off in between (windows open) — and switched off when it closes. Commands in between are respected until the
  next window edge, as a person would leave the remote alone. Occupants and appliances add ``internal_gain_w`` of heat.
- **Fuel cell (ENE-FARM)**: a polymer-electrolyte unit starts and stops daily (DSS operation) around the hours its
  controller has learned hot water is used (05:30-09:30, 16:00-23:00): it is enabled at the start of such a window,
  warms up, follows the load PV leaves uncovered (see ``FuelCell``) and is disabled at the end. The heat it recovers
  is not modelled.

Only window edges act, so ``apply`` is called once per step with the step's start time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtual_home.physics.appliances import AirConditioner
from virtual_home.physics.fuel_cell import FuelCell
from virtual_home.physics.timebase import HOUR_S, jst_day_and_seconds

type Windows = tuple[tuple[float, float], ...]  # [start, end) in JST hours of the day


def in_windows(windows: Windows, ts: float) -> bool:
    """Whether the JST time of day of `ts` lies in one of `windows`."""
    _, seconds = jst_day_and_seconds(ts)
    hour = seconds / HOUR_S
    return any(start <= hour < end for start, end in windows)


@dataclass
class _Edge:
    """Remembers whether a window was open at the last call, so only opening and closing act."""

    windows: Windows
    open: bool | None = None

    def change(self, ts: float) -> bool | None:
        """True when a window has opened since the last call, False when it has closed, None otherwise."""
        now = in_windows(self.windows, ts)
        if now == self.open:
            return None
        self.open = now
        return now


@dataclass
class HouseholdRoutine:
    """The daily routine of the module docstring."""

    aircon_windows: Windows = ((6.0, 8.5), (17.0, 23.0))
    heat_below_c: float = 16.0
    heat_target_c: float = 20.0
    cool_above_c: float = 26.0
    cool_target_c: float = 27.0
    internal_gain_w: float = 250.0
    fuel_cell_windows: Windows = ((5.5, 9.5), (16.0, 23.0))
    _aircon: _Edge = field(init=False)
    _fuel_cell: _Edge = field(init=False)

    def __post_init__(self) -> None:
        self._aircon = _Edge(self.aircon_windows)
        self._fuel_cell = _Edge(self.fuel_cell_windows)

    def apply(self, ts: float, outdoor_c: float, aircon: AirConditioner | None, fuel_cell: FuelCell | None) -> None:
        """Act on the devices at `ts` (the start of a step) when a window opens or closes."""
        if aircon is not None:
            aircon.internal_gain_w = self.internal_gain_w
            self._switch_aircon(aircon, self._aircon.change(ts), outdoor_c)
        if fuel_cell is not None and (change := self._fuel_cell.change(ts)) is not None:
            fuel_cell.enabled = change

    def _switch_aircon(self, aircon: AirConditioner, change: bool | None, outdoor_c: float) -> None:
        if change is None:
            return
        if not change:
            aircon.on = False
        elif outdoor_c < self.heat_below_c:
            aircon.on, aircon.mode, aircon.target_c = True, "heat", self.heat_target_c
        elif outdoor_c > self.cool_above_c:
            aircon.on, aircon.mode, aircon.target_c = True, "cool", self.cool_target_c
