"""What our controller says about itself: the node profile 0x0EF001 and the controller object 0x05FF01.

Every ECHONET Lite node answers Gets to its node profile (PROTOCOL.md §1.5): some devices read a controller's instance
list, identification number or property maps before they accept it, and other controllers discover nodes by a
multicast Get of 0xD6. This module holds those values and the request semantics of PROTOCOL.md §1.4 for our two
objects; the client (`client.py`) feeds it the requests it receives and sends what it returns.

- Get → Get_Res when every EPC is readable, otherwise Get_SNA with PDC 0 for the unknown ones.
- SetC/SetI → SetC_SNA/SetI_SNA echoing every property: nothing of ours is writable (the Set maps are empty).
- SetGet → SetGet_SNA (the Set block rejected, the Get block answered).
- INF_REQ → INF of the readable EPCs (INF_SNA otherwise), sent back to the requester only: a multicast INF would come
  back to our own socket and make us a node of our own discovery.
- Responses and notifications are never answered (INFC is acknowledged by the client as before).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import hashlib
import secrets
from typing import Final

from .frame import CONTROLLER, EOJ, ESV, NODE_PROFILE, Frame, Property
from .ids import (
    EPC_CLASS_COUNT,
    EPC_CLASS_LIST,
    EPC_FAULT_STATUS,
    EPC_GET_MAP,
    EPC_IDENTIFICATION,
    EPC_INSTALLATION_LOCATION,
    EPC_INSTANCE_COUNT,
    EPC_INSTANCE_LIST_NOTIFICATION,
    EPC_MANUFACTURER,
    EPC_OPERATION_STATUS,
    EPC_SELF_NODE_INSTANCES,
    EPC_SET_MAP,
    EPC_STANDARD_VERSION,
    EPC_STATUS_MAP,
)
from .property_map import encode_property_map

# The project holds no manufacturer code issued by the ECHONET Consortium; 0xFFFFFF is the code left for
# experimental and unregistered nodes (the value issue 15 prescribes) [unverified against the Consortium's list].
EXPERIMENTAL_MANUFACTURER: Final = 0xFFFFFF
UNIQUE_ID_SIZE: Final = 13  # 0x83 = 0xFE + 3-byte manufacturer code + 13 bytes unique to the node
# Node profile 0x82: ECHONET Lite 1.14 (major 1, minor 14), message formats bitmap bit 0 = Format 1, reserved 0
# (PROTOCOL.md §1.5; the frame codec speaks Format 1 and passes Format 2 through).
NODE_VERSION: Final = bytes((0x01, 0x0E, 0x01, 0x00))
# Device object 0x82: 0, 0, Appendix release letter in ASCII, revision 0 (PROTOCOL.md §1.8): the class tables of the
# library come from the MRA's latest release, R.
APPENDIX_RELEASE: Final = bytes((0x00, 0x00, ord("R"), 0x00))
OPERATING: Final = b"\x30"
NO_FAULT: Final = b"\x42"
LOCATION_NOT_SET: Final = b"\x00"
_ANSWERS: Final[Mapping[ESV, tuple[ESV, ESV]]] = {
    ESV.GET: (ESV.GET_RES, ESV.GET_SNA),
    ESV.INF_REQ: (ESV.INF, ESV.INF_SNA),
}


@dataclass(frozen=True, slots=True)
class ControllerProfile:
    """Our node's identity. `unique_id` (13 bytes) must stay the same across restarts for devices that pin it."""

    unique_id: bytes
    manufacturer: int = EXPERIMENTAL_MANUFACTURER
    controller: EOJ = CONTROLLER
    _objects: Mapping[EOJ, Mapping[int, bytes]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.unique_id) != UNIQUE_ID_SIZE:
            raise ValueError(f"the unique part of 0x83 has {UNIQUE_ID_SIZE} bytes, got {len(self.unique_id)}")
        if not 0 <= self.manufacturer <= 0xFFFFFF:
            raise ValueError(f"manufacturer code out of range: {self.manufacturer!r}")
        objects = {NODE_PROFILE: self._node_profile_values(), self.controller: self._controller_values()}
        object.__setattr__(self, "_objects", objects)

    @classmethod
    def from_seed(cls, seed: str, *, controller: EOJ = CONTROLLER) -> ControllerProfile:
        """A profile whose identification number derives from `seed` (e.g. the Home Assistant instance id): stable
        across restarts without storing anything, and not the seed itself (SHA-256, first 13 bytes)."""
        digest = hashlib.sha256(seed.encode("utf-8")).digest()
        return cls(digest[:UNIQUE_ID_SIZE], controller=controller)

    @classmethod
    def random(cls, *, controller: EOJ = CONTROLLER) -> ControllerProfile:
        """A profile with a random identification number (a new one per process; tests, scripts)."""
        return cls(secrets.token_bytes(UNIQUE_ID_SIZE), controller=controller)

    @property
    def identification(self) -> bytes:
        """EPC 0x83: 0xFE, the manufacturer code, the unique part."""
        return b"\xfe" + self.manufacturer.to_bytes(3, "big") + self.unique_id

    @property
    def objects(self) -> tuple[EOJ, ...]:
        """The EOJs this node answers for: the node profile and the controller object."""
        return tuple(self._objects)

    def value(self, eoj: EOJ, epc: int) -> bytes | None:
        """The EDT a Get of `epc` on our object `eoj` returns, or None (not ours, or not readable)."""
        values = self._objects.get(eoj)
        return None if values is None else values.get(epc)

    def addressed(self, deoj: EOJ) -> tuple[EOJ, ...]:
        """Which of our objects a DEOJ names (instance code 0 = every instance of the class)."""
        if deoj.instance == 0:
            return tuple(eoj for eoj in self._objects if eoj.class_id == deoj.class_id)
        return (deoj,) if deoj in self._objects else ()

    def answer(self, request: Frame) -> list[Frame]:
        """The answers of our objects to one received frame; empty for anything that is not a request to us."""
        if not request.esv.is_request:
            return []
        return [self._answer_one(eoj, request) for eoj in self.addressed(request.deoj)]

    def _answer_one(self, eoj: EOJ, request: Frame) -> Frame:
        def reply(esv: ESV, props: Iterable[Property], get_props: Iterable[Property] = ()) -> Frame:
            return Frame(request.tid, eoj, request.seoj, esv, tuple(props), tuple(get_props))

        esv = request.esv
        if esv in _ANSWERS:
            props, complete = self._read(eoj, request.properties)
            positive, negative = _ANSWERS[esv]
            return reply(positive if complete else negative, props)
        if esv is ESV.SETGET:
            got, _ = self._read(eoj, request.get_properties)
            return reply(ESV.SETGET_SNA, request.properties, got)
        # SetI and SetC: nothing is writable, every property is echoed with its EDT (PROTOCOL.md §1.4).
        return reply(ESV.SETI_SNA if esv is ESV.SETI else ESV.SETC_SNA, request.properties)

    def _read(self, eoj: EOJ, asked: Iterable[Property]) -> tuple[list[Property], bool]:
        values = self._objects[eoj]
        props = [Property(prop.epc, values.get(prop.epc, b"")) for prop in asked]
        return props, all(prop.epc in values for prop in asked)

    def _node_profile_values(self) -> dict[int, bytes]:
        instances = bytes((1,)) + self.controller.to_bytes()
        values = {
            EPC_OPERATION_STATUS: OPERATING,
            EPC_STANDARD_VERSION: NODE_VERSION,
            EPC_IDENTIFICATION: self.identification,
            EPC_MANUFACTURER: self.manufacturer.to_bytes(3, "big"),
            EPC_INSTANCE_COUNT: (1).to_bytes(3, "big"),  # objects of the node, without the node profile
            EPC_CLASS_COUNT: (2).to_bytes(2, "big"),  # classes of the node, with the node profile
            EPC_INSTANCE_LIST_NOTIFICATION: instances,
            EPC_SELF_NODE_INSTANCES: instances,
            EPC_CLASS_LIST: bytes((1,)) + self.controller.class_id.to_bytes(2, "big"),  # without the node profile
        }
        return _with_maps(values, announced=(EPC_OPERATION_STATUS,))

    def _controller_values(self) -> dict[int, bytes]:
        values = {
            EPC_OPERATION_STATUS: OPERATING,
            EPC_INSTALLATION_LOCATION: LOCATION_NOT_SET,
            EPC_STANDARD_VERSION: APPENDIX_RELEASE,
            EPC_FAULT_STATUS: NO_FAULT,
            EPC_MANUFACTURER: self.manufacturer.to_bytes(3, "big"),
        }
        return _with_maps(values, announced=(EPC_OPERATION_STATUS,))


def _with_maps(values: dict[int, bytes], *, announced: tuple[int, ...]) -> dict[int, bytes]:
    """Add the three property maps: status change (what we would announce), Set (nothing), Get (every EPC)."""
    readable = [*values, EPC_STATUS_MAP, EPC_SET_MAP, EPC_GET_MAP]
    return {
        **values,
        EPC_STATUS_MAP: encode_property_map(announced),
        EPC_SET_MAP: encode_property_map(()),
        EPC_GET_MAP: encode_property_map(readable),
    }
