"""Cumulative-energy arithmetic of the low-voltage smart meter 0x0288 (and other counters that wrap at 10^digits).

Raw cumulative counts (E0/E3/EA/EB/E2/E4/D0/EC/EE) wrap modulo 10^D7, where D7 is the number of effective digits
(1..8). kWh = raw × D3 (coefficient, 1 when the meter does not report it) × E1 (unit). Wrap handling works on raw
counts, so decode those properties with `scaled=False` and multiply the increase by `energy_multiplier(...)`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from ...errors import ValueRangeError
from ..ids import SMART_METER as METER_CLASS
from .registry import property_spec

COEFFICIENT_EPC: Final = 0xD3
DIGITS_EPC: Final = 0xD7
UNIT_EPC: Final = 0xE1
MIN_DIGITS: Final = 1
MAX_DIGITS: Final = 8


def energy_wrap_modulus(digits: int) -> int:
    """Number of raw counts after which a cumulative value with `digits` effective digits wraps to 0 (10^digits)."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ValueRangeError(f"effective digits must be {MIN_DIGITS}..{MAX_DIGITS}, got {digits!r}")
    modulus: int = 10**digits
    return modulus


def raw_energy_increase(previous: int, current: int, digits: int) -> int:
    """Raw counts added between two readings, across at most one wrap at 10^digits.

    A reading below the previous one is taken as a wrap (the meter cannot run backwards); both readings must be
    valid counts below the modulus.
    """
    modulus = energy_wrap_modulus(digits)
    for name, value in (("previous", previous), ("current", current)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < modulus:
            raise ValueRangeError(f"{name} reading {value!r} is not a count below {modulus}")
    return (current - previous) % modulus


def energy_multiplier(coefficient: bytes | None, unit: bytes) -> Decimal:
    """kWh per raw count from the EDTs of D3 (`None` when the meter does not report it) and E1.

    Raises `ProtocolError` when an EDT is malformed.
    """
    coefficients = {UNIT_EPC: unit} if coefficient is None else {COEFFICIENT_EPC: coefficient, UNIT_EPC: unit}
    multiplier = property_spec(METER_CLASS, 0xE0).multiplier(coefficients)
    if multiplier is None:  # pragma: no cover - E0 always has coefficients
        raise AssertionError("0x0288 E0 lost its coefficients")
    return multiplier


def raw_to_kwh(raw: int, multiplier: Decimal) -> float:
    """A raw count (or increase) in kWh."""
    return float(Decimal(raw) * multiplier)
