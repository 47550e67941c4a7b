"""Known device quirks, keyed by (manufacturer code, product code, class).

The client learns batch limits at run time; a known quirk spares the device (and the user) the timeouts of learning
them. Each entry names where the behaviour was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class BatchQuirk:
    """How many EPCs one Get may carry for this kind of object, and which EPCs must never share a Get."""

    manufacturer_code: int
    class_id: int
    source: str
    product_code: str | None = None  # None: every product of the manufacturer
    max_epcs: int | None = None
    apart: frozenset[int] = frozenset()  # at most one of these per Get

    def matches(self, manufacturer_code: int | None, product_code: str | None, class_id: int) -> bool:
        """Whether the quirk applies to an object of this maker, product and class."""
        if manufacturer_code != self.manufacturer_code or class_id != self.class_id:
            return False
        return self.product_code is None or self.product_code == product_code


BATCH_QUIRKS: Final[tuple[BatchQuirk, ...]] = (
    BatchQuirk(
        manufacturer_code=0x0000E8,
        class_id=0x0290,
        max_epcs=14,
        source="pyhems 0.8.16 get_batch_policy.py (PROTOCOL.md §2.10, §5.3)",
    ),
    BatchQuirk(
        manufacturer_code=0x0000E8,
        class_id=0x02A3,
        max_epcs=9,
        source="pyhems 0.8.16 get_batch_policy.py (PROTOCOL.md §5.3)",
    ),
    BatchQuirk(
        manufacturer_code=0x00000B,
        class_id=0x0287,
        apart=frozenset({0xB3, 0xB7}),
        source="Panasonic MKN7350S1 drops the reply to B3+B7 in one Get: echonetlite_homeassistant quirks, "
        "pyhems GET_BATCH_POLICIES (PROTOCOL.md §2.7)",
    ),
)


def batch_quirk(manufacturer_code: int | None, product_code: str | None, class_id: int) -> BatchQuirk | None:
    """The batch quirk of an object, if one is known."""
    return next((q for q in BATCH_QUIRKS if q.matches(manufacturer_code, product_code, class_id)), None)
