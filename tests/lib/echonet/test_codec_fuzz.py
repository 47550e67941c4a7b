"""Property-based fuzzing of the ECHONET Lite frame codec and the property-map codec.

Each property runs at least 10,000 examples. The strategies are structured so that a large share of the inputs is a
well-formed frame or a near miss of one (a valid frame with one mutation), not only random junk that fails at EHD1.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings, strategies as st

from custom_components.echonet_hems.lib.echonet.frame import (
    EOJ,
    ESV,
    Frame,
    OpaqueFrame,
    Property,
    decode_frame,
)
from custom_components.echonet_hems.lib.echonet.property_map import (
    decode_property_map,
    encode_property_map,
)
from custom_components.echonet_hems.lib.errors import ProtocolError

TWO_BLOCK_CODES = frozenset({0x6E, 0x7E, 0x5E})
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

# --- strategies ----------------------------------------------------------------------------------

# Speed matters at 10,000 examples per property, and Hypothesis pays per choice: a property is drawn as one byte string
# (EPC followed by a short EDT), and each block may end with one long property whose EDT (240..255 bytes, up to the
# PDC limit) repeats a short random pattern.
byte = st.integers(0, 0xFF)
short_wire_properties = st.binary(min_size=1, max_size=13)
long_wire_properties = st.tuples(st.integers(240, 255), st.binary(min_size=2, max_size=16)).map(
    lambda size_pattern: (size_pattern[1] * 128)[: 1 + size_pattern[0]]
)
wire_blocks = st.tuples(st.lists(short_wire_properties, max_size=6), st.none() | long_wire_properties).map(
    lambda short_long: short_long[0] if short_long[1] is None else [*short_long[0], short_long[1]]
)
blocks = wire_blocks.map(lambda raws: tuple(Property(raw[0], raw[1:]) for raw in raws))


@st.composite
def frames(draw: st.DrawFn) -> Frame:
    """Any valid Format-1 frame: every ESV, random TID and EOJs, a second block for the SetGet family."""
    esv = draw(st.sampled_from(ESV))
    header = draw(st.binary(min_size=8, max_size=8))  # TID, SEOJ, DEOJ in one choice
    return Frame(
        tid=int.from_bytes(header[:2]),
        seoj=EOJ.from_bytes(header[2:5]),
        deoj=EOJ.from_bytes(header[5:]),
        esv=esv,
        properties=draw(blocks),
        get_properties=draw(blocks) if esv.has_two_blocks else (),
    )


@st.composite
def wire_frames(draw: st.DrawFn) -> bytes:
    """Well-formed Format-1 bytes assembled byte by byte, without going through `Frame`."""
    esv = draw(st.sampled_from(sorted(int(esv) for esv in ESV)))
    out = bytearray(b"\x10\x81")
    out += draw(st.binary(min_size=8, max_size=8))  # TID, SEOJ, DEOJ
    out.append(esv)
    for _ in range(2 if esv in TWO_BLOCK_CODES else 1):
        props = draw(wire_blocks)
        out.append(len(props))
        for raw in props:
            out += bytes((raw[0], len(raw) - 1)) + raw[1:]
    return bytes(out)


format2 = st.binary(min_size=2, max_size=64).map(lambda tid_edata: b"\x10\x82" + tid_edata)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A valid frame with one mutation: truncation, a changed byte, inserted, appended or deleted bytes."""
    data = bytearray(draw(base))
    kind = draw(st.sampled_from(["truncate", "set", "insert", "append", "delete"]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        del data[at:]
    elif kind == "set" and at < len(data):
        data[at] = draw(byte)
    elif kind == "insert":
        data[at:at] = draw(st.binary(min_size=1, max_size=4))
    elif kind == "append":
        data += draw(st.binary(min_size=1, max_size=8))
    else:
        del data[at : at + draw(st.integers(1, 4))]
    return bytes(data)


valid_bytes = st.one_of(frames().map(Frame.encode), wire_frames(), format2)
# (bytes, whether they are well formed by construction)
inputs = st.one_of(
    st.binary(max_size=64).map(lambda data: (data, False)),  # junk
    st.binary(max_size=48).map(lambda tail: (b"\x10\x81" + tail, False)),  # junk behind a valid EHD
    valid_bytes.map(lambda data: (data, True)),
    mutated(valid_bytes).map(lambda data: (data, False)),
)


# --- frames --------------------------------------------------------------------------------------


@settings(max_examples=10_000, deadline=None, suppress_health_check=SLOW_OK)
@given(inputs)
def test_any_bytes_decode_to_a_frame_or_protocol_error(case: tuple[bytes, bool]) -> None:
    """Properties (1) and (3): any bytes give a frame or ProtocolError; whatever decodes re-encodes identically."""
    data, well_formed = case
    try:
        frame = decode_frame(data)
    except ProtocolError:
        event("ProtocolError")
        assert not well_formed, "a well-formed frame was rejected"
        return
    event(type(frame).__name__ + (" (well formed)" if well_formed else " (mutated or junk)"))

    assert isinstance(frame, Frame | OpaqueFrame)
    assert frame.encode() == data
    assert frame.tid == int.from_bytes(data[2:4])
    if isinstance(frame, Frame):
        assert frame.esv == data[10]
        assert frame.seoj.to_bytes() + frame.deoj.to_bytes() == data[4:10]
        assert data[11] == len(frame.properties)


@settings(max_examples=10_000, deadline=None, suppress_health_check=SLOW_OK)
@given(frames())
def test_valid_frame_round_trips(frame: Frame) -> None:
    """Property (2): decode(encode(frame)) == frame, and re-encoding gives the same bytes."""
    event(f"ESV {frame.esv.name}")
    raw = frame.encode()
    decoded = decode_frame(raw)

    assert decoded == frame
    assert decoded.encode() == raw
    all_properties = frame.properties + frame.get_properties
    assert len(raw) == 12 + frame.esv.has_two_blocks + sum(2 + p.pdc for p in all_properties)


# --- property maps -------------------------------------------------------------------------------

map_bytes = st.one_of(
    st.binary(max_size=24),
    st.tuples(st.integers(0, 15), st.binary(max_size=16)).map(lambda t: bytes((t[0], *t[1]))),
    st.tuples(st.integers(16, 255), st.binary(min_size=15, max_size=18)).map(lambda t: bytes((t[0], *t[1]))),
)
epc_sets = st.one_of(
    st.binary(max_size=15).map(frozenset),  # list form: any EPC, 0 to 15 of them
    # 0x80..0xFF only, 0 to 32 of them: both forms and the 15/16 boundary.
    st.binary(max_size=32).map(lambda raw: frozenset(0x80 | epc for epc in raw)),
    # Any subset of 0x80..0xFF from a 128-bit mask, up to all 128 EPCs.
    st.binary(min_size=16, max_size=16).map(
        lambda mask: frozenset(0x80 + bit for bit in range(128) if int.from_bytes(mask) >> bit & 1)
    ),
)


@settings(max_examples=10_000, deadline=None, suppress_health_check=SLOW_OK)
@given(map_bytes)
def test_any_bytes_decode_to_a_property_map_or_protocol_error(data: bytes) -> None:
    """Property (4a): any bytes decode to a set of EPCs or raise ProtocolError."""
    try:
        epcs = decode_property_map(data)
    except ProtocolError:
        event("ProtocolError")
        return
    event("list form" if data[0] < 16 else "bitmap form")

    assert isinstance(epcs, frozenset)
    assert all(isinstance(epc, int) and 0 <= epc <= 0xFF for epc in epcs)
    assert len(data) == (1 + data[0] if data[0] < 16 else 17)
    if data[0] >= 16:
        assert all(epc >= 0x80 for epc in epcs)


@settings(max_examples=10_000, deadline=None, suppress_health_check=SLOW_OK)
@given(epc_sets)
def test_property_map_round_trips(epcs: frozenset[int]) -> None:
    """Property (4b): any EPC set (0x80..0xFF from 16 entries on) survives encode → decode."""
    encoded = encode_property_map(epcs)
    event("list form" if len(epcs) < 16 else "bitmap form")

    assert encoded[0] == len(epcs)
    assert len(encoded) == (1 + len(epcs) if len(epcs) < 16 else 17)
    assert decode_property_map(encoded) == epcs
