"""What a strategy may see of a scenario: the calendar, prices and device parameters freely; the measured truth
(PV, base load, outdoor temperature, hot-water draws) only through ``TruthSeries``, which records every read of a
slot at or after "now" (the slot being decided). The simulator advances the clock; a leak is a recorded read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from custom_components.echonet_hems.lib.energy import DayType, HomeDevices, Tariff

from .scenario import FloatArray, Scenario, ScenarioSpec

TRUTH_SERIES = ("pv_kw", "load_kw", "temp_c", "draw_kwh_th")


@dataclass
class TruthClock:
    """The first slot whose truth is not yet known, and every read beyond it: (series, now, last slot read)."""

    now: int = 0
    leaks: list[tuple[str, int, int]] = field(default_factory=list)


class TruthSeries:
    """A read-only view of one measured series that records reads of slots ≥ ``clock.now``."""

    def __init__(self, name: str, values: FloatArray, clock: TruthClock) -> None:
        self._name = name
        self._values = values
        self._clock = clock

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, key: int | slice) -> FloatArray | float:
        size = len(self._values)
        if isinstance(key, slice):
            start, stop, _ = key.indices(size)
            last = stop - 1 if stop > start else -1
            values: FloatArray = np.array(self._values[key], dtype=np.float64)
            self._check(last)
            return values
        index = key + size if key < 0 else key
        self._check(index)
        return float(self._values[index])

    def _check(self, last: int) -> None:
        if last >= self._clock.now:
            self._clock.leaks.append((self._name, self._clock.now, last))


class ScenarioView:
    """The scenario as a strategy sees it (same attribute names as ``Scenario``)."""

    def __init__(self, scenario: Scenario, clock: TruthClock) -> None:
        self.spec: ScenarioSpec = scenario.spec
        self.tariff: Tariff = scenario.tariff
        self.times: tuple[datetime, ...] = scenario.times
        self.buy: FloatArray = scenario.buy
        self.sell: FloatArray = scenario.sell
        self.clear_pv_kw: FloatArray = scenario.clear_pv_kw  # astronomy and the array, not the weather
        self.day_kind: tuple[DayType, ...] = scenario.day_kind
        self.report_start = scenario.report_start
        self.report_end = scenario.report_end
        self.pv_kw = TruthSeries("pv_kw", scenario.pv_kw, clock)
        self.load_kw = TruthSeries("load_kw", scenario.load_kw, clock)
        self.temp_c = TruthSeries("temp_c", scenario.temp_c, clock)
        self.draw_kwh_th = TruthSeries("draw_kwh_th", scenario.draw_kwh_th, clock)

    @property
    def devices(self) -> HomeDevices:
        """The home's devices."""
        return self.spec.devices
