"""The household's base load (everything but hot water, EV, the modelled air conditioner and light).

Mean watts per 30-minute JST slot come from ``virtual_home/data/base_load_w.csv`` (12 months × weekday/day off,
4,500 kWh/yr at ``scale`` 1; see the data README). On top of the mean, deterministic noise keyed by
(``seed``, slot) makes every day different:

- each slot's level is multiplied by a log-normal factor (mean 1, σ ≈ 0.3);
- inside the slot a sum of three sines with whole periods (30, 15 and 10 min), random phases and an amplitude of at
  most half the level wiggles the power; it averages to exactly zero over the slot.

So the same seed and time always give the same power, any step size integrates to the same energy
(``mean_power_w`` is the exact integral), and the power is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math

from virtual_home.physics.profiles import base_load_table
from virtual_home.physics.timebase import JST_OFFSET_S, day_info, to_timestamp

SLOT_S = 1800.0
SLOTS_PER_DAY = 48
NOISE_SIGMA = 0.3
_WIGGLE = ((1, 0.25), (2, 0.15), (3, 0.10))  # (harmonic of the 30-min slot, relative amplitude)
_MASK = (1 << 64) - 1


def _splitmix64(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def _slot_random(seed: int, slot: int) -> tuple[float, float, float, float, float]:
    """Five deterministic uniforms in (0, 1) for (seed, slot): two 26-bit and three 21-bit fields of two hashes."""
    first = _splitmix64((seed * 0x2545F4914F6CDD1D + slot) & _MASK)
    second = _splitmix64(first)
    u1 = ((first & 0x3FFFFFF) + 0.5) / 67108864.0
    u2 = ((first >> 26 & 0x3FFFFFF) + 0.5) / 67108864.0
    p1 = ((second & 0x1FFFFF) + 0.5) / 2097152.0
    p2 = ((second >> 21 & 0x1FFFFF) + 0.5) / 2097152.0
    p3 = ((second >> 42 & 0x1FFFFF) + 0.5) / 2097152.0
    return u1, u2, p1, p2, p3


@dataclass
class BaseLoad:
    """Seeded, deterministic base load."""

    seed: int = 0
    scale: float = 1.0
    _cache_key: tuple[int, int, float] | None = field(default=None, init=False, repr=False, compare=False)
    _cache_params: tuple[float, tuple[float, float, float]] = field(
        default=(0.0, (0.0, 0.0, 0.0)), init=False, repr=False, compare=False
    )

    def mean_profile_w(self, now: datetime) -> float:
        """The noise-free profile value (W) of the slot containing `now`."""
        slot = int((to_timestamp(now) + JST_OFFSET_S) // SLOT_S)
        return self._profile_w(slot)

    def power_w(self, now: datetime) -> float:
        """Instantaneous power (W) at `now`."""
        return self.power_at(to_timestamp(now))

    def mean_power_w(self, start: datetime, seconds: float) -> float:
        """Mean power (W) over [start, start + seconds)."""
        return self.mean_power_at(to_timestamp(start), seconds)

    def power_at(self, ts: float) -> float:
        """Instantaneous power (W) at POSIX timestamp `ts`."""
        local = ts + JST_OFFSET_S
        slot = int(local // SLOT_S)
        level, phases = self._params(slot)
        phase = 2.0 * math.pi * (local - slot * SLOT_S) / SLOT_S
        wiggle = sum(amp * math.sin(k * phase + phi) for (k, amp), phi in zip(_WIGGLE, phases, strict=True))
        return level * (1.0 + wiggle)

    def mean_power_at(self, ts: float, seconds: float) -> float:
        """Mean power (W) over [ts, ts + seconds): the exact integral of ``power_at``."""
        if seconds <= 0.0:
            raise ValueError("seconds must be positive")
        start = ts + JST_OFFSET_S
        end = start + seconds
        slot = int(start // SLOT_S)
        energy_ws = 0.0
        position = start
        while position < end:
            slot_start = slot * SLOT_S
            piece_end = min(end, slot_start + SLOT_S)
            level, phases = self._params(slot)
            a = position - slot_start
            b = piece_end - slot_start
            energy_ws += level * (b - a)
            if a > 0.0 or b < SLOT_S:  # whole slots integrate the wiggle to zero
                two_pi = 2.0 * math.pi
                for (k, amp), phi in zip(_WIGGLE, phases, strict=True):
                    omega = two_pi * k / SLOT_S
                    energy_ws += level * amp / omega * (math.cos(omega * a + phi) - math.cos(omega * b + phi))
            position = piece_end
            slot += 1
        return energy_ws / seconds

    def _profile_w(self, slot: int) -> float:
        day = slot // SLOTS_PER_DAY
        info = day_info(day)
        return base_load_table()[info.month, info.day_off][slot - day * SLOTS_PER_DAY] * self.scale

    def _params(self, slot: int) -> tuple[float, tuple[float, float, float]]:
        """(level W, wiggle phases) of a global JST slot number; the last slot is cached."""
        key = (slot, self.seed, self.scale)
        if key == self._cache_key:
            return self._cache_params
        u1, u2, p1, p2, p3 = _slot_random(self.seed, slot)
        gaussian = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        factor = math.exp(NOISE_SIGMA * gaussian - NOISE_SIGMA * NOISE_SIGMA / 2.0)
        two_pi = 2.0 * math.pi
        params = (self._profile_w(slot) * factor, (two_pi * p1, two_pi * p2, two_pi * p3))
        self._cache_key = key
        self._cache_params = params
        return params
