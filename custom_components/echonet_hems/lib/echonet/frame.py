"""ECHONET Lite frame codec (Format 1, with Format 2 passed through opaque).

Layout (PROTOCOL.md §1.2): EHD1 0x10, EHD2 0x81, TID(2), SEOJ(3), DEOJ(3), ESV, OPC, (EPC PDC EDT)×OPC.
The SetGet family (0x6E/0x7E/0x5E) carries a second block: OPCGet, (EPC PDC EDT)×OPCGet.
Decoding is strict: any inconsistency raises `ProtocolError` and nothing else, so a hostile or broken datagram can never
take the receiver down. Encoding the decoded frame gives back the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from ..errors import ProtocolError

EHD1_ECHONET_LITE: Final = 0x10
EHD2_FORMAT_1: Final = 0x81
EHD2_FORMAT_2: Final = 0x82
HEADER_SIZE: Final = 12
MAX_TID: Final = 0xFFFF


class ESV(IntEnum):
    """ECHONET Lite service codes (PROTOCOL.md §1.4)."""

    SETI = 0x60
    SETC = 0x61
    GET = 0x62
    INF_REQ = 0x63
    SETGET = 0x6E
    SET_RES = 0x71
    GET_RES = 0x72
    INF = 0x73
    INFC = 0x74
    INFC_RES = 0x7A
    SETGET_RES = 0x7E
    SETI_SNA = 0x50
    SETC_SNA = 0x51
    GET_SNA = 0x52
    INF_SNA = 0x53
    SETGET_SNA = 0x5E

    @property
    def is_sna(self) -> bool:
        """True for the "service not available" answers (0x5x)."""
        return self in _SNA

    @property
    def is_request(self) -> bool:
        """True for services a controller sends and a device answers (0x6x)."""
        return 0x60 <= self <= 0x6F

    @property
    def is_notification(self) -> bool:
        """True for INF and INFC, which a device sends on its own with a TID of its choice."""
        return self in (ESV.INF, ESV.INFC)

    @property
    def has_two_blocks(self) -> bool:
        """The SetGet family carries a Set block and a Get block."""
        return self in (ESV.SETGET, ESV.SETGET_RES, ESV.SETGET_SNA)


_SNA: Final = frozenset({ESV.SETI_SNA, ESV.SETC_SNA, ESV.GET_SNA, ESV.INF_SNA, ESV.SETGET_SNA})

# Which answers a request may receive: (positive, negative).
RESPONSES: Final[dict[ESV, tuple[ESV, ...]]] = {
    ESV.SETI: (ESV.SETI_SNA,),
    ESV.SETC: (ESV.SET_RES, ESV.SETC_SNA),
    ESV.GET: (ESV.GET_RES, ESV.GET_SNA),
    ESV.INF_REQ: (ESV.INF, ESV.INF_SNA),
    ESV.SETGET: (ESV.SETGET_RES, ESV.SETGET_SNA),
    ESV.INFC: (ESV.INFC_RES,),
}

_ESV_BY_VALUE: Final = {int(esv): esv for esv in ESV}


@dataclass(frozen=True, slots=True, order=True)
class EOJ:
    """An ECHONET object: class group code, class code, instance code."""

    class_group: int
    class_code: int
    instance: int

    def __post_init__(self) -> None:
        for value in (self.class_group, self.class_code, self.instance):
            if not 0 <= value <= 0xFF:
                raise ValueError(f"EOJ byte out of range: {value!r}")

    @classmethod
    def of(cls, class_id: int, instance: int) -> EOJ:
        """Build from a 16-bit class id (e.g. 0x027D) and an instance code."""
        if not 0 <= class_id <= 0xFFFF:
            raise ValueError(f"class id out of range: {class_id!r}")
        return cls(class_id >> 8, class_id & 0xFF, instance)

    @classmethod
    def from_bytes(cls, data: bytes) -> EOJ:
        """Decode 3 bytes."""
        if len(data) != 3:
            raise ProtocolError(f"EOJ needs 3 bytes, got {len(data)}")
        return cls(data[0], data[1], data[2])

    @classmethod
    def parse(cls, text: str) -> EOJ:
        """Parse the usual 6-hex-digit notation, e.g. "027D01"."""
        try:
            raw = bytes.fromhex(text)
        except ValueError as err:
            raise ValueError(f"not an EOJ: {text!r}") from err
        if len(raw) != 3:
            raise ValueError(f"not an EOJ: {text!r}")
        return cls(raw[0], raw[1], raw[2])

    @property
    def class_id(self) -> int:
        """The 16-bit class id (group << 8 | class), e.g. 0x0288."""
        return self.class_group << 8 | self.class_code

    def to_bytes(self) -> bytes:
        """Encode as 3 bytes."""
        return bytes((self.class_group, self.class_code, self.instance))

    def __str__(self) -> str:
        return f"{self.class_group:02X}{self.class_code:02X}{self.instance:02X}"


NODE_PROFILE: Final = EOJ(0x0E, 0xF0, 0x01)
NODE_PROFILE_ALL: Final = EOJ(0x0E, 0xF0, 0x00)
CONTROLLER: Final = EOJ(0x05, 0xFF, 0x01)


@dataclass(frozen=True, slots=True)
class Property:
    """One property of a frame: EPC and its data (EDT). A Get request or a Set acknowledgement has empty EDT."""

    epc: int
    edt: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.epc <= 0xFF:
            raise ValueError(f"EPC out of range: {self.epc!r}")
        if len(self.edt) > 0xFF:
            raise ValueError(f"EDT of EPC 0x{self.epc:02X} is {len(self.edt)} bytes; PDC allows 255")

    @property
    def pdc(self) -> int:
        """Property data counter: the length of the EDT."""
        return len(self.edt)


@dataclass(frozen=True, slots=True)
class Frame:
    """A Format-1 ECHONET Lite frame.

    `properties` is the only block, or the Set block of the SetGet family; `get_properties` is the SetGet family's Get
    block and empty for every other service.
    """

    tid: int
    seoj: EOJ
    deoj: EOJ
    esv: ESV
    properties: tuple[Property, ...] = ()
    get_properties: tuple[Property, ...] = field(default=())

    def __post_init__(self) -> None:
        if not 0 <= self.tid <= MAX_TID:
            raise ValueError(f"TID out of range: {self.tid!r}")
        if len(self.properties) > 0xFF or len(self.get_properties) > 0xFF:
            raise ValueError("OPC allows at most 255 properties per block")
        if self.get_properties and not self.esv.has_two_blocks:
            raise ValueError(f"ESV {self.esv.name} has no second property block")

    def encode(self) -> bytes:
        """Encode to wire bytes."""
        out = bytearray((EHD1_ECHONET_LITE, EHD2_FORMAT_1, self.tid >> 8, self.tid & 0xFF))
        out += self.seoj.to_bytes()
        out += self.deoj.to_bytes()
        out.append(self.esv)
        _encode_block(out, self.properties)
        if self.esv.has_two_blocks:
            _encode_block(out, self.get_properties)
        return bytes(out)

    def property(self, epc: int) -> Property | None:
        """The first property with this EPC in the (first) block, if any."""
        for prop in self.properties:
            if prop.epc == epc:
                return prop
        return None


@dataclass(frozen=True, slots=True)
class OpaqueFrame:
    """A Format-2 frame: vendor-defined EDATA after the TID, kept as bytes."""

    tid: int
    edata: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.tid <= MAX_TID:
            raise ValueError(f"TID out of range: {self.tid!r}")

    def encode(self) -> bytes:
        """Encode to wire bytes."""
        return bytes((EHD1_ECHONET_LITE, EHD2_FORMAT_2, self.tid >> 8, self.tid & 0xFF)) + self.edata


def _encode_block(out: bytearray, properties: tuple[Property, ...]) -> None:
    out.append(len(properties))
    for prop in properties:
        out.append(prop.epc)
        out.append(len(prop.edt))
        out += prop.edt


def decode_frame(data: bytes) -> Frame | OpaqueFrame:
    """Decode one datagram. Raises `ProtocolError` for anything that is not a well-formed ECHONET Lite frame."""
    if len(data) < 4:
        raise ProtocolError(f"frame too short: {len(data)} bytes")
    if data[0] != EHD1_ECHONET_LITE:
        raise ProtocolError(f"EHD1 0x{data[0]:02X} is not ECHONET Lite")
    tid = data[2] << 8 | data[3]
    if data[1] == EHD2_FORMAT_2:
        return OpaqueFrame(tid, bytes(data[4:]))
    if data[1] != EHD2_FORMAT_1:
        raise ProtocolError(f"unknown EHD2 0x{data[1]:02X}")
    if len(data) < HEADER_SIZE:
        raise ProtocolError(f"format-1 frame too short: {len(data)} bytes")
    esv = _ESV_BY_VALUE.get(data[10])
    if esv is None:
        raise ProtocolError(f"reserved ESV 0x{data[10]:02X}")
    properties, offset = _decode_block(data, 11)
    get_properties: tuple[Property, ...] = ()
    if esv.has_two_blocks:
        get_properties, offset = _decode_block(data, offset)
    if offset != len(data):
        raise ProtocolError(f"{len(data) - offset} trailing bytes after the last property")
    return Frame(
        tid=tid,
        seoj=EOJ(data[4], data[5], data[6]),
        deoj=EOJ(data[7], data[8], data[9]),
        esv=esv,
        properties=properties,
        get_properties=get_properties,
    )


def decode_format1(data: bytes) -> Frame:
    """Decode a datagram that must be Format 1 (everything this library sends and expects)."""
    frame = decode_frame(data)
    if isinstance(frame, OpaqueFrame):
        raise ProtocolError("format-2 frame where format 1 was expected")
    return frame


def _decode_block(data: bytes, offset: int) -> tuple[tuple[Property, ...], int]:
    if offset >= len(data):
        raise ProtocolError("missing OPC")
    count = data[offset]
    offset += 1
    properties: list[Property] = []
    for index in range(count):
        if offset + 2 > len(data):
            raise ProtocolError(f"property {index + 1} of {count}: header truncated")
        epc, pdc = data[offset], data[offset + 1]
        offset += 2
        end = offset + pdc
        if end > len(data):
            raise ProtocolError(f"EPC 0x{epc:02X}: PDC {pdc} exceeds the {len(data) - offset} remaining bytes")
        properties.append(Property(epc, bytes(data[offset:end])))
        offset = end
    return tuple(properties), offset
