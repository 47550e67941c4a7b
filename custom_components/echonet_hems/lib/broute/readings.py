"""What the smart meter client returns: typed, frozen values in SI-ish units (W, A, kWh), timestamps aware in JST.

"Not measured" and the other sentinels of PROTOCOL.md §1.9 are `None`, never 0. Cumulative energies come in two
forms: the meter's register (`*_raw`, counts that wrap at 10^D7, and its kWh) and, for polled readings, a continuous
kWh total that keeps increasing across the wrap (`EnergyCounter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from ..echonet.specs.meter import energy_wrap_modulus, raw_energy_increase, raw_to_kwh


@dataclass(frozen=True, slots=True)
class MeterIdentity:
    """Who the meter is: its EUI-64 (radio MAC, from the scan) and its ECHONET identification.

    `identification_number` (0x83) is None when the meter does not answer it (the captured real meter and the
    simulated one answer SNA). `stable_id` is the hardware identity to key a device by.
    """

    eui64: str
    manufacturer_code: int | None
    serial_number: str | None
    identification_number: str | None
    appendix_release: str | None

    @property
    def stable_id(self) -> str:
        """The meter's EUI-64 (never the B-route ID, which is a credential)."""
        return self.eui64


@dataclass(frozen=True, slots=True)
class EnergyScale:
    """How raw cumulative counts become kWh: D3 (coefficient, 1 when unsupported) × E1 (unit); wrap at 10^D7."""

    coefficient: int
    unit_kwh: Decimal
    digits: int
    multiplier: Decimal  # kWh per count = coefficient × unit

    @property
    def modulus(self) -> int:
        """Counts after which cumulative values wrap to 0."""
        return energy_wrap_modulus(self.digits)

    @property
    def wrap_kwh(self) -> float:
        """The register's range in kWh."""
        return raw_to_kwh(self.modulus, self.multiplier)

    def to_kwh(self, raw: int | None) -> float | None:
        """A raw count in kWh (None stays None)."""
        return None if raw is None else raw_to_kwh(raw, self.multiplier)


class EnergyCounter:
    """A continuous kWh total from a register that wraps: starts at the first reading, adds each increase.

    An apparent decrease of less than half the register's range is a stale or reordered reading and is ignored; a
    larger one is a wrap (the meter cannot run backwards by more than that between two polls).
    """

    def __init__(self, scale: EnergyScale) -> None:
        self._scale = scale
        self._last_raw: int | None = None
        self._total_raw = 0

    def update(self, raw: int | None) -> float | None:
        """Feed a register value; return the continuous total in kWh (None while nothing valid was read)."""
        if raw is not None and 0 <= raw < self._scale.modulus:
            if self._last_raw is None:
                self._total_raw = raw
                self._last_raw = raw
            else:
                increase = raw_energy_increase(self._last_raw, raw, self._scale.digits)
                if increase < self._scale.modulus // 2:
                    self._total_raw += increase
                    self._last_raw = raw
        return None if self._last_raw is None else raw_to_kwh(self._total_raw, self._scale.multiplier)


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One poll: instantaneous power (W, import positive, export negative), currents (A) and cumulative energy.

    `import_kwh`/`export_kwh` are continuous totals (wrap handled, see `EnergyCounter`); `*_raw` are the registers.
    """

    timestamp: datetime
    power_w: int | None
    current_r_a: float | None
    current_t_a: float | None
    import_kwh: float | None
    export_kwh: float | None
    import_raw: int | None
    export_raw: int | None


@dataclass(frozen=True, slots=True)
class TimedEnergy:
    """A cumulative register value at a 30-minute boundary (EA/EB): when (JST) and how much."""

    measured_at: datetime
    raw: int | None
    kwh: float | None


@dataclass(frozen=True, slots=True)
class FixedTimeReading:
    """The 30-minute fixed-time values EA (import) and EB (export), pushed by the meter or read on request."""

    received_at: datetime
    import_energy: TimedEnergy | None
    export_energy: TimedEnergy | None
    notified: bool  # True: the meter's INF/INFC; False: a Get


class Direction(StrEnum):
    """Which cumulative register."""

    IMPORT = "import"  # normal direction (bought)
    EXPORT = "export"  # reverse direction (sold)


@dataclass(frozen=True, slots=True)
class HistorySlot:
    """The cumulative registers at one half-hour boundary of a day (from E2/E4)."""

    measured_at: datetime
    import_raw: int | None
    export_raw: int | None
    import_kwh: float | None
    export_kwh: float | None


@dataclass(frozen=True, slots=True)
class DayHistory:
    """48 half-hourly cumulative values of one day, 00:00 … 23:30 JST; slots without data are None."""

    day: date
    days_ago: int
    scale: EnergyScale
    slots: tuple[HistorySlot, ...]

    def increments(self, direction: Direction) -> tuple[float | None, ...]:
        """Energy (kWh) of each of the day's first 47 half-hours: slot i+1 − slot i, wrap handled; None where a side
        is missing."""
        raws = [slot.import_raw if direction is Direction.IMPORT else slot.export_raw for slot in self.slots]
        out: list[float | None] = []
        for earlier, later in pairwise(raws):
            if earlier is None or later is None:
                out.append(None)
            else:
                out.append(raw_to_kwh(raw_energy_increase(earlier, later, self.scale.digits), self.scale.multiplier))
        return tuple(out)
