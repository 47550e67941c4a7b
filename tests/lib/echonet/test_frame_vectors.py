"""The ECHONET Lite frame codec against the golden frames of VECTORS.md (§A, §A', §B) and hand-built frames.

Every golden frame is given as the documented hex and as the documented fields; the test decodes the hex, compares
field by field, encodes the decoded frame and the frame built from the fields, and expects the original bytes back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from custom_components.echonet_hems.lib.echonet.frame import (
    CONTROLLER,
    EOJ,
    ESV,
    NODE_PROFILE,
    NODE_PROFILE_ALL,
    RESPONSES,
    Frame,
    OpaqueFrame,
    Property,
    decode_format1,
    decode_frame,
)
from custom_components.echonet_hems.lib.echonet.property_map import decode_property_map
from custom_components.echonet_hems.lib.errors import ProtocolError


@dataclass(frozen=True, slots=True)
class Golden:
    """One documented frame: its wire hex and what it must decode to."""

    vector: str
    wire: str
    tid: int
    seoj: str
    deoj: str
    esv: ESV
    properties: tuple[tuple[int, str], ...]

    @property
    def raw(self) -> bytes:
        return bytes.fromhex(self.wire)

    def expected_frame(self) -> Frame:
        return Frame(
            tid=self.tid,
            seoj=EOJ.parse(self.seoj),
            deoj=EOJ.parse(self.deoj),
            esv=self.esv,
            properties=tuple(Property(epc, bytes.fromhex(edt)) for epc, edt in self.properties),
        )


NODE = "0EF001"
CTRL = "05FF01"
METER = "028801"
E2_EDT = (
    "000B0000F7660000F7680000F76A0000F76C0000F76D0000F76F0000F7700000F7720000F7740000F7760000F777"
    "0000F7790000F77A0000F77C0000F77E0000F7800000F7810000F7830000F7840000F7860000F7880000F7890000"
    "F78B0000F78D0000F78E0000F7900000F7920000F7930000F7950000F7960000F7980000F79A0000F79C0000F79D"
    "0000F79F0000F7A00000F7A20000F7A40000F7A60000F7A70000F7A90000F7AB0000F7AD0000F7AF0000F7B00000"
    "F7B20000F7B40000F7B6"
)

# §A: LAN discovery and node profile.
SECTION_A = (
    Golden("A1", "108100000EF0010EF0016201D600", 0x0000, NODE, NODE, ESV.GET, ((0xD6, ""),)),
    Golden("A2", "1081361005FF010EF0016201D600", 0x3610, CTRL, NODE, ESV.GET, ((0xD6, ""),)),
    Golden(
        "A3",
        "108136100EF00105FF017201D60401013501",
        0x3610,
        NODE,
        CTRL,
        ESV.GET_RES,
        ((0xD6, "01013501"),),
    ),
    Golden(
        "A4",
        "108100010EF0010EF0017201D607020F2001029101",
        0x0001,
        NODE,
        NODE,
        ESV.GET_RES,
        ((0xD6, "020F2001029101"),),
    ),
    Golden(
        "A5",
        "108100010EF0010EF0017201D6040105FF01",
        0x0001,
        NODE,
        NODE,
        ESV.GET_RES,
        ((0xD6, "0105FF01"),),
    ),
    Golden(
        "A6-request",
        "108100010E01010EF00162028000D600",
        0x0001,
        "0E0101",
        NODE,
        ESV.GET,
        ((0x80, ""), (0xD6, "")),
    ),
    Golden(
        "A6-reply",
        "108100010EF0010E01017202800130D607020287010F8701",
        0x0001,
        NODE,
        "0E0101",
        ESV.GET_RES,
        ((0x80, "30"), (0xD6, "020287010F8701")),
    ),
    Golden(
        "A7",
        "108100010EF0010E01017202800130D60401013501",
        0x0001,
        NODE,
        "0E0101",
        ESV.GET_RES,
        ((0x80, "30"), (0xD6, "01013501")),
    ),
    Golden(
        "PM1-frame",
        "1081000005FF010EF00172019F111001010101010101010101010101010101",
        0x0000,
        CTRL,
        NODE,
        ESV.GET_RES,
        ((0x9F, "1001010101010101010101010101010101"),),
    ),
)

# §A': other LAN device responses.
SECTION_A_PRIME = (
    Golden(
        "S1",
        "10810046027D0205FF01720A800130A00400002710A10400002710A20400000000A30400000000D30400000000"
        "A40400000000E40109A50400000000E60104",
        0x0046,
        "027D02",
        CTRL,
        ESV.GET_RES,
        (
            (0x80, "30"),
            (0xA0, "00002710"),
            (0xA1, "00002710"),
            (0xA2, "00000000"),
            (0xA3, "00000000"),
            (0xD3, "00000000"),
            (0xA4, "00000000"),
            (0xE4, "09"),
            (0xA5, "00000000"),
            (0xE6, "04"),
        ),
    ),
    Golden(
        "S2",
        "1081000B027D1F05FF01720AA004000023C7A10400002092E2040000221B800130E40164E50163E60104"
        "A804001989D7A904001609B4CF0144",
        0x000B,
        "027D1F",
        CTRL,
        ESV.GET_RES,
        (
            (0xA0, "000023C7"),
            (0xA1, "00002092"),
            (0xE2, "0000221B"),
            (0x80, "30"),
            (0xE4, "64"),
            (0xE5, "63"),
            (0xE6, "04"),
            (0xA8, "001989D7"),
            (0xA9, "001609B4"),
            (0xCF, "44"),
        ),
    ),
    Golden("S3", "10811234027D0105FF017201800130", 0x1234, "027D01", CTRL, ESV.GET_RES, ((0x80, "30"),)),
    Golden(
        "S4-request",
        "1081000105FF01027D0162038000CF00E400",
        0x0001,
        CTRL,
        "027D01",
        ESV.GET,
        ((0x80, ""), (0xCF, ""), (0xE4, "")),
    ),
    Golden(
        "S4-reply",
        "10810001027D0105FF017203800131CF0143E40164",
        0x0001,
        "027D01",
        CTRL,
        ESV.GET_RES,
        ((0x80, "31"), (0xCF, "43"), (0xE4, "64")),
    ),
    Golden(
        "S5",
        "1081099B02720105FF017203D5010CEE0200C8EF0143",
        0x099B,
        "027201",
        CTRL,
        ESV.GET_RES,
        ((0xD5, "0C"), (0xEE, "00C8"), (0xEF, "43")),
    ),
    Golden(
        "S6",
        "1081099C02720105FF01720A800130900142D001429102151ED1012BE10129E20142E30141D40106E40142",
        0x099C,
        "027201",
        CTRL,
        ESV.GET_RES,
        (
            (0x80, "30"),
            (0x90, "42"),
            (0xD0, "42"),
            (0x91, "151E"),
            (0xD1, "2B"),
            (0xE1, "29"),
            (0xE2, "42"),
            (0xE3, "41"),
            (0xD4, "06"),
            (0xE4, "42"),
        ),
    ),
)

# §B.1 and §B.2: meter INF and controller requests.
SECTION_B1_B2 = (
    Golden(
        "B.1",
        "108100000EF0010EF0017301D50401028801",
        0x0000,
        NODE,
        NODE,
        ESV.INF,
        ((0xD5, "01028801"),),
    ),
    Golden("B.2-get-E7", "1081000105FF010288016201E700", 0x0001, CTRL, METER, ESV.GET, ((0xE7, ""),)),
    Golden("B.2-get-9E", "1081001A05FF0102880162019E00", 0x001A, CTRL, METER, ESV.GET, ((0x9E, ""),)),
    Golden("B.2-get-9F", "1081001B05FF0102880162019F00", 0x001B, CTRL, METER, ESV.GET, ((0x9F, ""),)),
    Golden(
        "B.2-get-E0-E1-D3-D7",
        "1081000105FF010288016204E000E100D300D700",
        0x0001,
        CTRL,
        METER,
        ESV.GET,
        ((0xE0, ""), (0xE1, ""), (0xD3, ""), (0xD7, "")),
    ),
    Golden(
        "B.2-setc-E5",
        "1081000105FF010288016101E50101",
        0x0001,
        CTRL,
        METER,
        ESV.SETC,
        ((0xE5, "01"),),
    ),
    Golden(
        "B.2-set-res-E5",
        "1081000102880105FF017101E500",
        0x0001,
        METER,
        CTRL,
        ESV.SET_RES,
        ((0xE5, ""),),
    ),
)


def _b3(epc: int, wire: str, edt: str, esv: ESV = ESV.GET_RES) -> Golden:
    return Golden(f"B.3-{epc:02X}", wire, 0x0001, METER, CTRL, esv, ((epc, edt),))


# §B.3: one real meter's Get_Res / Get_SNA replies (TID 0001, 028801 → 05FF01, OPC 1).
SECTION_B3 = (
    _b3(0x80, "1081000102880105FF017201800130", "30"),
    _b3(0x81, "1081000102880105FF017201810161", "61"),
    _b3(0x82, "1081000102880105FF017201820400004600", "00004600"),
    _b3(0x83, "1081000102880105FF0152018300", "", ESV.GET_SNA),
    _b3(0x88, "1081000102880105FF017201880142", "42"),
    _b3(0x8A, "1081000102880105FF0172018A03000016", "000016"),
    _b3(0x8D, "1081000102880105FF0172018D0C463234473336363530350000", "463234473336363530350000"),
    _b3(0x97, "1081000102880105FF01720197020E1A", "0E1A"),
    _b3(0x98, "1081000102880105FF017201980407EA0514", "07EA0514"),
    _b3(0x9C, "1081000102880105FF0152019C00", "", ESV.GET_SNA),
    _b3(0x9D, "1081000102880105FF0172019D0403808188", "03808188"),
    _b3(0x9E, "1081000102880105FF0172019E040381E5ED", "0381E5ED"),
    _b3(
        0x9F,
        "1081000102880105FF0172019F111941414160404000624300414040430202",
        "1941414160404000624300414040430202",
    ),
    _b3(0xD3, "1081000102880105FF017201D30400000001", "00000001"),
    _b3(0xD7, "1081000102880105FF017201D70106", "06"),
    _b3(0xE0, "1081000102880105FF017201E0040000FE73", "0000FE73"),
    _b3(0xE7, "1081000102880105FF017201E70400000278", "00000278"),
    _b3(0xE8, "1081000102880105FF017201E804001E0032", "001E0032"),
    _b3(0xEA, "1081000102880105FF017201EA0B07EA05140E00000000FE68", "07EA05140E00000000FE68"),
    _b3(0xEB, "1081000102880105FF017201EB0B07EA0518161E0000000016", "07EA0518161E0000000016"),
    _b3(0xE2, "1081000102880105FF017201E2C2" + E2_EDT, E2_EDT),
)

# §B.4: other meter payloads.
SECTION_B4 = (
    Golden(
        "M1",
        "1081100202880105FF017202E7040000029CE80400280028",
        0x1002,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "0000029C"), (0xE8, "00280028")),
    ),
    Golden(
        "M2",
        "1081232802880105FF017201D30400000001",
        0x2328,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xD3, "00000001"),),
    ),
    Golden(
        "M3",
        "1081A00102880105FF017302EA0B07E606150F1E0000016CA7EB0B07E606150F1E0000000005",
        0xA001,
        METER,
        CTRL,
        ESV.INF,
        ((0xEA, "07E606150F1E0000016CA7"), (0xEB, "07E606150F1E0000000005")),
    ),
    Golden(
        "M4",
        "1081000102880105FF017201E704000001F8",
        0x0001,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "000001F8"),),
    ),
    Golden(
        "M5",
        "1081000302880105FF017201E704FFFFF856",
        0x0003,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "FFFFF856"),),
    ),
    Golden(
        "M6",
        "1081525302880105FF017201E704000000E4",
        0x5253,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "000000E4"),),
    ),
    Golden(
        "M7",
        "1081000102880105FF017201E704000003A0",
        0x0001,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "000003A0"),),
    ),
    Golden(
        "M8",
        "1081000102880105FF017202E7040000020EE7040000020F",
        0x0001,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "0000020E"), (0xE7, "0000020F")),
    ),
    Golden(
        "M9",
        "1081000102880105FF017201E80400140064",
        0x0001,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE8, "00140064"),),
    ),
    Golden(
        "M10",
        "1081123402880105FF017202E704FFFFFF9CFE02AABB",
        0x1234,
        METER,
        CTRL,
        ESV.GET_RES,
        ((0xE7, "FFFFFF9C"), (0xFE, "AABB")),
    ),
)

GOLDEN = SECTION_A + SECTION_A_PRIME + SECTION_B1_B2 + SECTION_B3 + SECTION_B4
GOLDEN_PARAMS = [pytest.param(golden, id=golden.vector) for golden in GOLDEN]


def test_golden_vector_ids_are_unique() -> None:
    assert len({golden.vector for golden in GOLDEN}) == len(GOLDEN) == 54


@pytest.mark.parametrize("golden", GOLDEN_PARAMS)
def test_golden_frame_decodes_to_documented_fields(golden: Golden) -> None:
    frame = decode_frame(golden.raw)

    assert isinstance(frame, Frame)
    assert frame.tid == golden.tid
    assert str(frame.seoj) == golden.seoj
    assert str(frame.deoj) == golden.deoj
    assert frame.esv is golden.esv
    assert golden.raw[11] == len(golden.properties)  # OPC on the wire
    assert [(prop.epc, prop.edt.hex().upper()) for prop in frame.properties] == list(golden.properties)
    assert [prop.pdc for prop in frame.properties] == [len(edt) // 2 for _, edt in golden.properties]
    assert frame.get_properties == ()
    assert frame == golden.expected_frame()


@pytest.mark.parametrize("golden", GOLDEN_PARAMS)
def test_golden_frame_round_trips_byte_for_byte(golden: Golden) -> None:
    decoded = decode_frame(golden.raw)

    assert decoded.encode() == golden.raw
    assert golden.expected_frame().encode() == golden.raw
    assert decode_format1(golden.raw) == decoded


def test_b3_83_is_get_sna_with_pdc_zero() -> None:
    frame = decode_format1(bytes.fromhex("1081000102880105FF0152018300"))

    assert frame.esv is ESV.GET_SNA
    assert frame.esv.is_sna
    assert not frame.esv.is_request
    assert frame.properties == (Property(0x83),)
    assert frame.properties[0].pdc == 0


def test_b3_e2_carries_194_bytes_of_history() -> None:
    raw = next(golden.raw for golden in GOLDEN if golden.vector == "B.3-E2")
    frame = decode_format1(raw)

    prop = frame.property(0xE2)
    assert prop is not None
    assert prop.pdc == 194 == 2 + 48 * 4
    assert len(raw) == 12 + 2 + 194
    assert prop.edt[:2] == b"\x00\x0b"
    assert int.from_bytes(prop.edt[2:6]) == 0xF766
    assert int.from_bytes(prop.edt[-4:]) == 0xF7B6


def test_m8_keeps_both_copies_of_a_repeated_epc() -> None:
    frame = decode_format1(bytes.fromhex("1081000102880105FF017202E7040000020EE7040000020F"))

    assert [prop.epc for prop in frame.properties] == [0xE7, 0xE7]
    assert [int.from_bytes(prop.edt) for prop in frame.properties] == [526, 527]
    first = frame.property(0xE7)
    assert first is not None
    assert int.from_bytes(first.edt) == 526


def test_m10_keeps_an_unknown_epc_as_raw_bytes() -> None:
    frame = decode_format1(bytes.fromhex("1081123402880105FF017202E704FFFFFF9CFE02AABB"))

    assert frame.property(0xFE) == Property(0xFE, b"\xaa\xbb")
    e7 = frame.property(0xE7)
    assert e7 is not None
    assert int.from_bytes(e7.edt, signed=True) == -100
    assert frame.property(0x80) is None


def test_a6_reply_echoes_the_odd_requester_seoj_as_deoj() -> None:
    request = decode_format1(bytes.fromhex("108100010E01010EF00162028000D600"))
    reply = decode_format1(bytes.fromhex("108100010EF0010E01017202800130D607020287010F8701"))

    assert request.seoj == EOJ(0x0E, 0x01, 0x01)
    assert reply.deoj == request.seoj
    assert reply.seoj == request.deoj == NODE_PROFILE
    assert reply.tid == request.tid
    assert reply.esv in RESPONSES[request.esv]


def test_m3_is_a_notification_with_the_meter_chosen_tid() -> None:
    frame = decode_format1(
        bytes.fromhex("1081A00102880105FF017302EA0B07E606150F1E0000016CA7EB0B07E606150F1E0000000005")
    )

    assert frame.esv is ESV.INF
    assert frame.esv.is_notification
    assert frame.tid == 0xA001


def test_pm1_frame_carries_the_pm1_property_map() -> None:
    frame = decode_format1(bytes.fromhex("1081000005FF010EF00172019F111001010101010101010101010101010101"))

    prop = frame.property(0x9F)
    assert prop is not None
    assert decode_property_map(prop.edt) == frozenset(range(0x80, 0x90))


# --- ESV table -----------------------------------------------------------------------------------

# PROTOCOL.md §1.4, written out independently of the enum.
ESV_TABLE = {
    0x60: "SETI",
    0x61: "SETC",
    0x62: "GET",
    0x63: "INF_REQ",
    0x6E: "SETGET",
    0x71: "SET_RES",
    0x72: "GET_RES",
    0x73: "INF",
    0x74: "INFC",
    0x7A: "INFC_RES",
    0x7E: "SETGET_RES",
    0x50: "SETI_SNA",
    0x51: "SETC_SNA",
    0x52: "GET_SNA",
    0x53: "INF_SNA",
    0x5E: "SETGET_SNA",
}
TWO_BLOCK_CODES = {0x6E, 0x7E, 0x5E}
RESERVED_ESV_CODES = [
    *range(0x54, 0x5E),
    0x5F,
    *range(0x64, 0x6E),
    0x6F,
    *range(0x75, 0x7A),
    *range(0x7B, 0x7E),
    0x7F,
]


def test_esv_enum_matches_the_protocol_table() -> None:
    assert {int(esv): esv.name for esv in ESV} == ESV_TABLE


@pytest.mark.parametrize("esv", list(ESV), ids=lambda esv: esv.name)
def test_esv_classification(esv: ESV) -> None:
    assert esv.is_sna == (0x50 <= esv <= 0x5F)
    assert esv.is_request == (esv in {0x60, 0x61, 0x62, 0x63, 0x6E})
    assert esv.is_notification == (esv in {0x73, 0x74})
    assert esv.has_two_blocks == (esv in TWO_BLOCK_CODES)


def test_responses_table() -> None:
    assert RESPONSES == {
        ESV.SETI: (ESV.SETI_SNA,),
        ESV.SETC: (ESV.SET_RES, ESV.SETC_SNA),
        ESV.GET: (ESV.GET_RES, ESV.GET_SNA),
        ESV.INF_REQ: (ESV.INF, ESV.INF_SNA),
        ESV.SETGET: (ESV.SETGET_RES, ESV.SETGET_SNA),
        ESV.INFC: (ESV.INFC_RES,),
    }


# --- hand-built frames ---------------------------------------------------------------------------

BATTERY = EOJ(0x02, 0x7D, 0x01)


@pytest.mark.parametrize("esv", list(ESV), ids=lambda esv: esv.name)
def test_every_esv_encodes_and_decodes(esv: ESV) -> None:
    frame = Frame(tid=0x1234, seoj=CONTROLLER, deoj=BATTERY, esv=esv, properties=(Property(0x80, b"\x30"),))
    second_block = "00" if int(esv) in TWO_BLOCK_CODES else ""
    wire = bytes.fromhex(f"1081123405FF01027D01{int(esv):02X}01800130{second_block}")

    assert frame.encode() == wire
    assert decode_frame(wire) == frame
    assert decode_frame(wire).encode() == wire


@pytest.mark.parametrize(
    ("wire", "esv", "set_block", "get_block"),
    [
        pytest.param(
            "1081000105FF01027D016E0180013001E700",
            ESV.SETGET,
            ((0x80, "30"),),
            ((0xE7, ""),),
            id="setget",
        ),
        pytest.param(
            "10810001027D0105FF017E01800002E70400000278E40164",
            ESV.SETGET_RES,
            ((0x80, ""),),
            ((0xE7, "00000278"), (0xE4, "64")),
            id="setget-res",
        ),
        pytest.param(
            "10810001027D0105FF015E0180013001E700",
            ESV.SETGET_SNA,
            ((0x80, "30"),),
            ((0xE7, ""),),
            id="setget-sna",
        ),
        pytest.param(
            "1081000105FF01027D016E0180013000",
            ESV.SETGET,
            ((0x80, "30"),),
            (),
            id="setget-empty-get-block",
        ),
        pytest.param(
            "1081000105FF01027D016E0002E700E400",
            ESV.SETGET,
            (),
            ((0xE7, ""), (0xE4, "")),
            id="setget-empty-set-block",
        ),
        pytest.param("1081000105FF01027D016E0000", ESV.SETGET, (), (), id="setget-both-empty"),
    ],
)
def test_setget_family_carries_two_blocks(
    wire: str,
    esv: ESV,
    set_block: tuple[tuple[int, str], ...],
    get_block: tuple[tuple[int, str], ...],
) -> None:
    raw = bytes.fromhex(wire)
    frame = decode_format1(raw)

    assert frame.esv is esv
    assert [(p.epc, p.edt.hex().upper()) for p in frame.properties] == list(set_block)
    assert [(p.epc, p.edt.hex().upper()) for p in frame.get_properties] == list(get_block)
    assert frame.encode() == raw
    built = Frame(
        tid=frame.tid,
        seoj=frame.seoj,
        deoj=frame.deoj,
        esv=esv,
        properties=tuple(Property(epc, bytes.fromhex(edt)) for epc, edt in set_block),
        get_properties=tuple(Property(epc, bytes.fromhex(edt)) for epc, edt in get_block),
    )
    assert built.encode() == raw


def test_property_lookup_ignores_the_get_block() -> None:
    frame = decode_format1(bytes.fromhex("10810001027D0105FF017E01800001E70400000278"))

    assert frame.property(0x80) == Property(0x80)
    assert frame.property(0xE7) is None
    assert frame.get_properties == (Property(0xE7, b"\x00\x00\x02\x78"),)


@pytest.mark.parametrize(
    ("wire", "esv"),
    [
        pytest.param("1081000102880105FF017301E70400000278", ESV.INF, id="inf"),
        pytest.param("1081000502880105FF017401E70400000278", ESV.INFC, id="infc"),
        pytest.param("1081000505FF010288017A01E700", ESV.INFC_RES, id="infc-res"),
        pytest.param("1081000705FF010EF0006301D500", ESV.INF_REQ, id="inf-req"),
        pytest.param("108100070EF00105FF015301D500", ESV.INF_SNA, id="inf-sna"),
    ],
)
def test_notification_family(wire: str, esv: ESV) -> None:
    raw = bytes.fromhex(wire)
    frame = decode_format1(raw)

    assert frame.esv is esv
    assert frame.encode() == raw


def test_infc_res_acknowledges_with_swapped_objects_and_empty_edt() -> None:
    infc = decode_format1(bytes.fromhex("1081000502880105FF017401E70400000278"))
    ack = Frame(
        tid=infc.tid,
        seoj=infc.deoj,
        deoj=infc.seoj,
        esv=ESV.INFC_RES,
        properties=tuple(Property(prop.epc) for prop in infc.properties),
    )

    assert ack.esv in RESPONSES[infc.esv]
    assert ack.encode() == bytes.fromhex("1081000505FF010288017A01E700")


def test_inf_req_to_all_node_profile_instances() -> None:
    frame = decode_format1(bytes.fromhex("1081000705FF010EF0006301D500"))

    assert frame.deoj == NODE_PROFILE_ALL
    assert frame.seoj == CONTROLLER


def test_boundaries_tid_ffff_edt_255_bytes_and_opc_255() -> None:
    big = Property(0xE2, bytes(range(255)))
    frame = Frame(
        tid=0xFFFF,
        seoj=EOJ(0xFF, 0xFF, 0xFF),
        deoj=EOJ(0x00, 0x00, 0x00),
        esv=ESV.GET_RES,
        properties=(big,),
    )
    raw = frame.encode()
    assert raw[2:4] == b"\xff\xff"
    assert raw[13] == 0xFF  # PDC
    assert len(raw) == 12 + 2 + 255
    assert decode_frame(raw) == frame

    many = Frame(
        tid=1,
        seoj=CONTROLLER,
        deoj=BATTERY,
        esv=ESV.GET,
        properties=tuple(Property(epc) for epc in range(255)),
    )
    raw = many.encode()
    assert raw[11] == 0xFF  # OPC
    assert len(raw) == 12 + 2 * 255
    assert decode_frame(raw) == many


# --- Format 2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "tid", "edata"),
    [
        pytest.param("1082ABCDDEADBEEF", 0xABCD, "DEADBEEF", id="vendor-edata"),
        pytest.param("10820001", 0x0001, "", id="empty-edata"),
        pytest.param("1082000005FF010EF0016201D600", 0x0000, "05FF010EF0016201D600", id="f1-like"),
    ],
)
def test_format2_passes_through_opaque(wire: str, tid: int, edata: str) -> None:
    raw = bytes.fromhex(wire)
    frame = decode_frame(raw)

    assert frame == OpaqueFrame(tid, bytes.fromhex(edata))
    assert frame.encode() == raw


def test_decode_format1_rejects_format2() -> None:
    with pytest.raises(ProtocolError, match="format-2"):
        decode_format1(bytes.fromhex("1082ABCDDEADBEEF"))


# --- malformed input -----------------------------------------------------------------------------

VALID = "1081000102880105FF017201E70400000278"


@pytest.mark.parametrize("length", range(12))
def test_too_short(length: int) -> None:
    with pytest.raises(ProtocolError, match="too short"):
        decode_frame(bytes.fromhex(VALID)[:length])


@pytest.mark.parametrize(
    ("wire", "match"),
    [
        pytest.param("0081" + VALID[4:], "EHD1", id="ehd1-00"),
        pytest.param("1181" + VALID[4:], "EHD1", id="ehd1-11"),
        pytest.param("9081" + VALID[4:], "EHD1", id="ehd1-conventional-echonet"),
        pytest.param("FF81" + VALID[4:], "EHD1", id="ehd1-ff"),
        pytest.param("1080" + VALID[4:], "EHD2", id="ehd2-80"),
        pytest.param("1083" + VALID[4:], "EHD2", id="ehd2-83"),
        pytest.param("1001" + VALID[4:], "EHD2", id="ehd2-01"),
        pytest.param("10FF00", "too short", id="under-4-bytes"),
        pytest.param("10FF0000", "EHD2", id="ehd2-ff-4-bytes"),
        pytest.param("1081000102880105FF017201E704000002", "exceeds", id="pdc-exceeds-by-one"),
        pytest.param("1081000102880105FF017201E7FF", "exceeds", id="pdc-255-nothing-left"),
        pytest.param("1081000102880105FF017202E70400000278E801", "exceeds", id="second-pdc-exceeds"),
        pytest.param("1081000102880105FF017201", "truncated", id="opc-1-no-property"),
        pytest.param("1081000102880105FF017201E7", "truncated", id="epc-without-pdc"),
        pytest.param("1081000102880105FF017202E70400000278", "truncated", id="opc-2-one-property"),
        pytest.param("1081000102880105FF0172FFE70400000278", "truncated", id="opc-255-one-property"),
        pytest.param("1081000105FF01027D016E01800130", "missing OPC", id="setget-no-get-opc"),
        pytest.param("1081000105FF01027D016E00", "missing OPC", id="setget-empty-no-get-opc"),
        pytest.param("1081000105FF01027D016E0001E7", "truncated", id="setget-get-header-cut"),
        pytest.param(VALID + "00", "trailing", id="trailing-zero"),
        pytest.param(VALID + "E70400000278", "trailing", id="trailing-extra-property"),
        pytest.param("1081000102880105FF017200E700", "trailing", id="opc-0-with-data"),
        pytest.param("1081000102880105FF0172018300" + "00", "trailing", id="get-res-trailing"),
        pytest.param("1081000105FF01027D016E0000" + "00", "trailing", id="setget-trailing"),
        pytest.param("1081000105FF01027D016200" + "00", "trailing", id="get-with-second-opc"),
    ],
)
def test_malformed_frames_raise_protocol_error(wire: str, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        decode_frame(bytes.fromhex(wire))


@pytest.mark.parametrize("code", RESERVED_ESV_CODES, ids=lambda code: f"0x{code:02X}")
def test_reserved_esv_raises_protocol_error(code: int) -> None:
    with pytest.raises(ProtocolError, match="reserved ESV"):
        decode_frame(bytes.fromhex(f"1081000105FF01027D01{code:02X}00"))


def test_every_non_esv_byte_is_rejected() -> None:
    accepted = set()
    for code in range(256):
        try:
            decode_frame(bytes.fromhex(f"1081000105FF01027D01{code:02X}00"))
        except ProtocolError:
            continue
        accepted.add(code)
    # A single-block frame with OPC 0 decodes; the SetGet family needs its second OPC.
    assert accepted == set(ESV_TABLE) - TWO_BLOCK_CODES


# --- constructor validation ----------------------------------------------------------------------


@pytest.mark.parametrize("tid", [-1, 0x10000, 0x1_0000_0000])
def test_frame_rejects_tid_out_of_range(tid: int) -> None:
    with pytest.raises(ValueError, match="TID"):
        Frame(tid=tid, seoj=CONTROLLER, deoj=BATTERY, esv=ESV.GET)


def test_property_rejects_edt_longer_than_255() -> None:
    with pytest.raises(ValueError, match="PDC allows 255"):
        Property(0xE2, bytes(256))
    assert Property(0xE2, bytes(255)).pdc == 255


@pytest.mark.parametrize("epc", [-1, 0x100])
def test_property_rejects_epc_out_of_range(epc: int) -> None:
    with pytest.raises(ValueError, match="EPC"):
        Property(epc)


@pytest.mark.parametrize("esv", [esv for esv in ESV if not esv.has_two_blocks], ids=lambda esv: esv.name)
def test_get_properties_only_for_the_setget_family(esv: ESV) -> None:
    with pytest.raises(ValueError, match="no second property block"):
        Frame(
            tid=1,
            seoj=CONTROLLER,
            deoj=BATTERY,
            esv=esv,
            get_properties=(Property(0xE7),),
        )


@pytest.mark.parametrize("block", ["properties", "get_properties"])
def test_frame_rejects_more_than_255_properties(block: str) -> None:
    props = tuple(Property(epc % 256) for epc in range(256))
    with pytest.raises(ValueError, match="OPC"):
        Frame(tid=1, seoj=CONTROLLER, deoj=BATTERY, esv=ESV.SETGET, **{block: props})


# --- EOJ -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "eoj"),
    [
        ("027D01", EOJ(0x02, 0x7D, 0x01)),
        ("027d1f", EOJ(0x02, 0x7D, 0x1F)),
        ("0EF001", NODE_PROFILE),
        ("0EF000", NODE_PROFILE_ALL),
        ("05FF01", CONTROLLER),
        ("000000", EOJ(0, 0, 0)),
        ("FFFFFF", EOJ(0xFF, 0xFF, 0xFF)),
    ],
)
def test_eoj_parse_and_str(text: str, eoj: EOJ) -> None:
    assert EOJ.parse(text) == eoj
    assert str(eoj) == text.upper()
    assert EOJ.parse(str(eoj)) == eoj
    assert EOJ.from_bytes(bytes.fromhex(text)) == eoj
    assert eoj.to_bytes() == bytes.fromhex(text)


@pytest.mark.parametrize("text", ["", "027D", "027D0102", "XYZ123", "027D0", "0x027D"])
def test_eoj_parse_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ValueError, match="not an EOJ"):
        EOJ.parse(text)


@pytest.mark.parametrize("data", [b"", b"\x02\x7d", b"\x02\x7d\x01\x00"])
def test_eoj_from_bytes_rejects_wrong_length(data: bytes) -> None:
    with pytest.raises(ProtocolError, match="3 bytes"):
        EOJ.from_bytes(data)


@pytest.mark.parametrize("values", [(0x100, 0, 0), (0, -1, 0), (0, 0, 0x100)])
def test_eoj_rejects_bytes_out_of_range(values: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match="EOJ byte"):
        EOJ(*values)


@pytest.mark.parametrize(
    ("class_id", "instance", "eoj"),
    [
        (0x027D, 0x02, EOJ(0x02, 0x7D, 0x02)),
        (0x0288, 0x01, EOJ(0x02, 0x88, 0x01)),
        (0x0EF0, 0x01, NODE_PROFILE),
        (0x0000, 0x00, EOJ(0, 0, 0)),
        (0xFFFF, 0xFF, EOJ(0xFF, 0xFF, 0xFF)),
    ],
)
def test_eoj_of_and_class_id(class_id: int, instance: int, eoj: EOJ) -> None:
    assert EOJ.of(class_id, instance) == eoj
    assert eoj.class_id == class_id
    assert eoj.instance == instance


@pytest.mark.parametrize("class_id", [-1, 0x10000, 0x1027D])
def test_eoj_of_rejects_class_id_out_of_range(class_id: int) -> None:
    # A 16-bit class id that does not fit must not be silently truncated into another class.
    with pytest.raises(ValueError, match="class id out of range"):
        EOJ.of(class_id, 1)


def test_eoj_of_rejects_instance_out_of_range() -> None:
    with pytest.raises(ValueError, match="EOJ byte"):
        EOJ.of(0x027D, 0x100)


def test_eoj_orders_by_group_class_instance() -> None:
    eojs = [EOJ.parse(text) for text in ("05FF01", "027D02", "027D01", "0EF001", "028801")]

    assert [str(eoj) for eoj in sorted(eojs)] == ["027D01", "027D02", "028801", "05FF01", "0EF001"]
