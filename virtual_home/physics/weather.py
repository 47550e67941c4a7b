"""Weather seen by the PV arrays: a sky state scaling the clear sky, or a measured GHI trace.

The sky factors scale the clear-sky GHI; the result is split into beam and diffuse with Erbs, so an overcast sky is
almost all diffuse and a tilted array gains little from it. For a south 30° array in Tokyo this gives daily PV energy
of 25-35 % of a clear day for ``CLOUDY`` from March to October (about 20 % in winter, when a clear sky favours the
tilted plane most) and about 10 % (6 % in winter) for ``RAIN``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import math

from virtual_home.physics.climate import linke_turbidity_at
from virtual_home.physics.sun import (
    NIGHT,
    Irradiance,
    decompose_ghi,
    ineichen_clear_sky,
    position_at,
)
from virtual_home.physics.timebase import from_timestamp, to_timestamp


class Sky(StrEnum):
    """Coarse sky state."""

    CLEAR = "clear"
    CLOUDY = "cloudy"
    RAIN = "rain"


SKY_GHI_FACTOR: dict[Sky, float] = {Sky.CLEAR: 1.0, Sky.CLOUDY: 0.34, Sky.RAIN: 0.11}


@dataclass(frozen=True)
class Weather:
    """Sky state, or a GHI trace (W/m², called with an aware JST datetime) that overrides it.

    ``PVArray.mean_power_w`` (and so ``Home.step``) samples the trace at the *middle* of each step, so a trace of
    interval means should return the value of the interval that contains the time it is given.
    """

    sky: Sky = Sky.CLEAR
    irradiance_trace: Callable[[datetime], float] | None = None

    def ghi_w_m2(self, when: datetime, latitude: float, longitude: float) -> float:
        """Global horizontal irradiance (W/m²) at `when`."""
        ts = to_timestamp(when)
        cos_zenith, _, day_of_year = position_at(ts, math.radians(latitude), longitude)
        return self.irradiance_at(ts, cos_zenith, day_of_year).ghi

    def irradiance_at(self, ts: float, cos_zenith: float, day_of_year: int) -> Irradiance:
        """GHI/DNI/DHI at POSIX timestamp `ts` for a sun at `cos_zenith` (the fast path used by the PV model)."""
        if self.irradiance_trace is not None:
            ghi = max(float(self.irradiance_trace(from_timestamp(ts))), 0.0)
            return decompose_ghi(ghi, cos_zenith, day_of_year)
        if cos_zenith <= 0.0:
            return NIGHT
        clear = ineichen_clear_sky(cos_zenith, day_of_year, linke_turbidity_at(ts))
        if self.sky is Sky.CLEAR:
            return clear
        return decompose_ghi(clear.ghi * SKY_GHI_FACTOR[self.sky], cos_zenith, day_of_year)
