"""Property-based fuzzing of every property decoder: any bytes in → a value or `ProtocolError`, nothing else."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.echonet_hems.lib.echonet.specs.model import PropertySpec
from custom_components.echonet_hems.lib.echonet.specs.registry import class_specs
from custom_components.echonet_hems.lib.errors import ProtocolError

ALL_SPECS = [prop for spec in class_specs() for prop in spec.properties]
COEFFICIENT_SETS: list[dict[int, bytes] | None] = [
    None,
    {0xD3: b"\x00\x00\x00\x01", 0xE1: b"\x01", 0xC2: b"\x02"},
    {0xE1: b"\x0d", 0xC2: b"\x00"},
]


def decode_or_protocol_error(spec: PropertySpec, edt: bytes, coefficients: dict[int, bytes] | None) -> None:
    with contextlib.suppress(ProtocolError):
        spec.decode(edt, coefficients)
    with contextlib.suppress(ProtocolError):
        spec.decode(edt, scaled=False)


@settings(max_examples=1500, deadline=None)
@given(
    spec=st.sampled_from(ALL_SPECS),
    edt=st.binary(max_size=300),
    coefficients=st.sampled_from(COEFFICIENT_SETS),
)
def test_any_bytes_decode_to_a_value_or_protocol_error(
    spec: PropertySpec, edt: bytes, coefficients: dict[int, bytes] | None
) -> None:
    decode_or_protocol_error(spec, edt, coefficients)


@settings(max_examples=300, deadline=None)
@given(spec=st.sampled_from(ALL_SPECS), data=st.data())
def test_bytes_of_a_plausible_length(spec: PropertySpec, data: st.DataObject) -> None:
    # Random bytes rarely hit a valid length; draw lengths the type accepts so the inner decoders get exercised.
    maximum = spec.datatype.max_size
    size = data.draw(st.integers(spec.datatype.min_size, min(maximum if maximum is not None else 300, 300)))
    edt = data.draw(st.binary(min_size=size, max_size=size))
    decode_or_protocol_error(spec, edt, COEFFICIENT_SETS[1])


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: f"{spec.epc:02X}-{spec.key}-{spec.release_from}")
def test_every_spec_with_edge_bytes(spec: PropertySpec) -> None:
    maximum = spec.datatype.max_size
    sizes = {0, spec.datatype.min_size, min(maximum if maximum is not None else 300, 300)}
    for size in sizes:
        for fill in (0x00, 0x01, 0x7F, 0x80, 0xFD, 0xFE, 0xFF):
            decode_or_protocol_error(spec, bytes([fill]) * size, COEFFICIENT_SETS[1])
