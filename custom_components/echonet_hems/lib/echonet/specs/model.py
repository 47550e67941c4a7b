"""Property and class specifications: what an EPC means, how it is coded, who may Get/Set/announce it, and when.

Appendix releases are single letters ('A'..'R' in MRA V1.3.1; there is no release 'O'). A `release_to` of `None` means
"up to the latest release".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from ...errors import ProtocolError, ValueRangeError
from .datatypes import DataType, EnumType, UIntType, Value

SUPER_CLASS: Final = 0x0000


class Access(StrEnum):
    """MRA access rule of one operation (Get, Set or INF) on a property."""

    REQUIRED = "required"
    REQUIRED_C = "required_c"  # conditionally required
    REQUIRED_O = "required_o"
    OPTIONAL = "optional"
    NOT_APPLICABLE = "notApplicable"

    @property
    def supported(self) -> bool:
        """Whether the operation exists at all for the property."""
        return self is not Access.NOT_APPLICABLE


def normalize_release(release: str) -> str:
    """Validate an Appendix release letter ('a' → 'A'); raises `ValueError` otherwise."""
    letter = release.strip().upper()
    if len(letter) != 1 or not "A" <= letter <= "Z":
        raise ValueError(f"not an Appendix release letter: {release!r}")
    return letter


def appendix_release(standard_version: bytes) -> str | None:
    """The Appendix release letter of an EPC 0x82 (standard version information) EDT, e.g. `00 00 46 00` → 'F'.

    Returns `None` when the EDT does not carry a release letter.
    """
    if len(standard_version) != 4 or not 0x41 <= standard_version[2] <= 0x5A:
        return None
    return chr(standard_version[2])


@dataclass(frozen=True, slots=True)
class Coefficient:
    """A property whose value multiplies another property's value (meter D3/E1, distribution board C2).

    `default` applies when the device does not report the property (`None`: the property is required).
    """

    epc: int
    datatype: UIntType | EnumType
    default: Decimal | None = None

    def resolve(self, edt: bytes | None) -> Decimal:
        """The multiplier this coefficient contributes; `ProtocolError` when missing (without default) or invalid."""
        if edt is None:
            if self.default is None:
                raise ProtocolError(f"coefficient property 0x{self.epc:02X} is needed but missing")
            return self.default
        if isinstance(self.datatype, EnumType):
            return self.datatype.member(edt).value
        raw = self.datatype.decode(edt, scaled=False)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw == 0:
            # A zero coefficient would publish every reading as 0 kWh: treat it as a broken device answer.
            raise ProtocolError(f"unusable coefficient 0x{self.epc:02X} = {edt.hex()}")
        return Decimal(raw)


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """One row of a class table: an EPC as valid in a range of Appendix releases."""

    epc: int
    key: str
    name_en: str
    name_ja: str
    datatype: DataType
    get: Access
    set: Access
    inf: Access
    release_from: str
    release_to: str | None = None
    coefficients: tuple[Coefficient, ...] = ()
    note: str = ""

    @property
    def coefficient_epcs(self) -> tuple[int, ...]:
        """EPCs whose values multiply this property's numbers."""
        return tuple(coefficient.epc for coefficient in self.coefficients)

    def valid_in(self, release: str) -> bool:
        """Whether this row applies to a device of the given Appendix release."""
        letter = normalize_release(release)
        return self.release_from <= letter and (self.release_to is None or letter <= self.release_to)

    def multiplier(self, coefficients: Mapping[int, bytes] | None) -> Decimal | None:
        """The product of the coefficient properties (`None` when this property has none).

        `coefficients` maps EPC → raw EDT. A missing 0xD3 counts as 1; a missing unit (0xE1 / 0xC2) raises
        `ProtocolError` because no reading can be scaled without it.
        """
        if not self.coefficients:
            return None
        supplied = coefficients or {}
        product = Decimal(1)
        for coefficient in self.coefficients:
            product *= coefficient.resolve(supplied.get(coefficient.epc))
        return product

    def decode(self, edt: bytes, coefficients: Mapping[int, bytes] | None = None, *, scaled: bool = True) -> Value:
        """Decode an EDT. Raises `ProtocolError` (only) when the bytes do not fit the spec.

        With `scaled=False` numbers stay raw integers and no coefficients are needed (e.g. for wrap arithmetic).
        """
        multiplier = self.multiplier(coefficients) if scaled else None
        return self.datatype.decode(edt, multiplier, scaled=scaled)

    def encode(self, value: Value, coefficients: Mapping[int, bytes] | None = None) -> bytes:
        """Encode a value in decoded form; raises `ValueRangeError` when it lies outside the spec."""
        try:
            multiplier = self.multiplier(coefficients)
        except ProtocolError as err:
            raise ValueRangeError(str(err)) from err
        return self.datatype.encode(value, multiplier)


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """A class table: every row, including the repeated rows of EPCs that changed between releases."""

    class_id: int
    key: str
    name_en: str
    name_ja: str
    properties: tuple[PropertySpec, ...]

    @property
    def epcs(self) -> frozenset[int]:
        """The EPCs defined by this class table (without the super class)."""
        return frozenset(prop.epc for prop in self.properties)

    def rows(self, epc: int) -> tuple[PropertySpec, ...]:
        """All rows of one EPC, oldest release first."""
        return tuple(prop for prop in self.properties if prop.epc == epc)

    def find(self, epc: int, release: str | None = None) -> PropertySpec | None:
        """The row of `epc` valid in `release` (default: the latest release), or `None`."""
        rows = self.rows(epc)
        if release is None:
            return rows[-1] if rows else None
        return next((row for row in rows if row.valid_in(release)), None)
