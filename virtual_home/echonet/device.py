"""Simulated ECHONET Lite objects and the request semantics every conforming device follows.

A `DeviceObject` is a set of properties, each readable, writable and/or announced; its property maps (0x9D/0x9E/0x9F)
are derived from that set, so they are always true. `process_request` applies the service rules of ECHONET Lite
Part 2 §4.2.3 as quoted in PROTOCOL.md §1.4: Get_Res only when every EPC could be read, otherwise Get_SNA carrying the
readable values and PDC 0 for the rest; Set_Res echoing PDC 0, or SetC_SNA echoing the rejected EDTs; SetI answers only
on failure; SetGet runs its Set block, then its Get block; INF_REQ answers with INF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, Frame, Property
from custom_components.echonet_hems.lib.echonet.ids import (
    EPC_FAULT_STATUS,
    EPC_GET_MAP,
    EPC_INSTALLATION_LOCATION,
    EPC_MANUFACTURER,
    EPC_OPERATION_STATUS,
    EPC_SET_MAP,
    EPC_STANDARD_VERSION,
    EPC_STATUS_MAP,
)
from custom_components.echonet_hems.lib.echonet.property_map import encode_property_map
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from custom_components.echonet_hems.lib.errors import HemsError

type Getter = Callable[[], bytes | None]  # None: not available right now (the device answers SNA)
type Setter = Callable[[bytes], bool]

MAP_EPCS: Final = (EPC_STATUS_MAP, EPC_SET_MAP, EPC_GET_MAP)
EPC_CURRENT_TIME: Final = 0x97
EPC_CURRENT_DATE: Final = 0x98
# Not "measurements": the device's clock changes every minute and says nothing about the home.
CLOCK_EPCS: Final = frozenset({EPC_CURRENT_TIME, EPC_CURRENT_DATE})
LOCATION_LIVING: Final = 0x08  # location code 1 (living room), number 0
RELEASE_R: Final = b"\x00\x00R\x00"


def encode(class_id: int, epc: int, value: Value) -> bytes:
    """Encode a property value with the class specification, which validates its range."""
    return property_spec(class_id, epc).encode(value)


def u8(value: int) -> bytes:
    """One unsigned byte."""
    return value.to_bytes(1, "big")


def u16(value: int) -> bytes:
    """Two bytes, unsigned, big-endian."""
    return value.to_bytes(2, "big")


def u32(value: int) -> bytes:
    """Four bytes, unsigned, big-endian."""
    return value.to_bytes(4, "big")


def s32(value: int) -> bytes:
    """Four bytes, two's complement, big-endian."""
    return value.to_bytes(4, "big", signed=True)


@dataclass(slots=True)
class Prop:
    """One property of a simulated object: how to read it, how to write it, whether it is announced on change."""

    get: Getter | None = None
    set: Setter | None = None
    announce: bool = False


def constant(value: bytes) -> Getter:
    """A getter that always returns `value`."""
    return lambda: value


def validated_setter(class_id: int, epc: int, apply: Callable[[bytes], bool]) -> Setter:
    """A setter that refuses EDTs the class specification does not accept, then calls `apply`."""

    def setter(edt: bytes) -> bool:
        try:
            property_spec(class_id, epc).decode(edt)
        except HemsError:
            return False
        return apply(edt)

    return setter


@dataclass(slots=True)
class DeviceObject:
    """A simulated ECHONET object. The super-class properties every device needs are added by `with_defaults`."""

    eoj: EOJ
    props: dict[int, Prop] = field(default_factory=dict)

    def readable(self, epc: int) -> bool:
        """Whether Get of `epc` is supported."""
        return epc in MAP_EPCS or (epc in self.props and self.props[epc].get is not None)

    def read(self, epc: int) -> bytes | None:
        """The EDT of `epc`, or None when the object does not support Get of it."""
        if epc == EPC_GET_MAP:
            return encode_property_map([*(e for e, p in self.props.items() if p.get is not None), *MAP_EPCS])
        if epc == EPC_SET_MAP:
            return encode_property_map(e for e, p in self.props.items() if p.set is not None)
        if epc == EPC_STATUS_MAP:
            return encode_property_map(e for e, p in self.props.items() if p.announce)
        prop = self.props.get(epc)
        if prop is None or prop.get is None:
            return None
        return prop.get()

    def write(self, epc: int, edt: bytes) -> bool:
        """Apply a Set; False when the property is not settable or the value is refused."""
        prop = self.props.get(epc)
        if prop is None or prop.set is None or not edt:
            return False
        return prop.set(edt)

    def announced_values(self, *, measurements: bool = False) -> dict[int, bytes]:
        """Current values of the properties in the status-change map (0x9D); with `measurements`, of every readable
        property except the clock (powers, energies, temperatures, ...), for a home that pushes its readings."""
        values: dict[int, bytes] = {}
        for epc, prop in self.props.items():
            wanted = prop.announce or (measurements and epc not in CLOCK_EPCS)
            if wanted and prop.get is not None:
                edt = prop.get()
                if edt is not None:
                    values[epc] = edt
        return values


def with_defaults(
    obj: DeviceObject,
    *,
    manufacturer: int,
    operating: Callable[[], bool] | None = None,
    faulty: Callable[[], bool] | None = None,
    release: bytes = RELEASE_R,
) -> DeviceObject:
    """Add the super-class properties a device needs (0x80, 0x81, 0x82, 0x88, 0x8A) unless the class defines them."""
    props = obj.props
    location = bytearray(u8(LOCATION_LIVING))

    def set_location(edt: bytes) -> bool:
        if len(edt) not in (1, 17):
            return False
        location[:] = edt
        return True

    props.setdefault(
        EPC_OPERATION_STATUS,
        Prop(get=lambda: b"\x30" if operating is None or operating() else b"\x31", announce=True),
    )
    props.setdefault(EPC_INSTALLATION_LOCATION, Prop(get=lambda: bytes(location), set=set_location, announce=True))
    props.setdefault(EPC_STANDARD_VERSION, Prop(get=constant(release)))
    props.setdefault(
        EPC_FAULT_STATUS, Prop(get=lambda: b"\x41" if faulty is not None and faulty() else b"\x42", announce=True)
    )
    props.setdefault(EPC_MANUFACTURER, Prop(get=constant(manufacturer.to_bytes(3, "big"))))
    return obj


def _read_block(obj: DeviceObject, properties: Iterable[Property]) -> tuple[list[Property], bool]:
    answers: list[Property] = []
    complete = True
    for prop in properties:
        edt = obj.read(prop.epc)
        if edt is None:
            complete = False
            answers.append(Property(prop.epc))
        else:
            answers.append(Property(prop.epc, edt))
    return answers, complete


def _write_block(obj: DeviceObject, properties: Iterable[Property]) -> tuple[list[Property], bool]:
    answers: list[Property] = []
    complete = True
    for prop in properties:
        if obj.write(prop.epc, prop.edt):
            answers.append(Property(prop.epc))
        else:
            complete = False
            answers.append(prop)  # a rejected EPC is echoed with the request's EDT
    return answers, complete


def process_request(obj: DeviceObject, request: Frame) -> Frame | None:
    """The answer of one object to one request, or None when no answer is due (SetI success, responses, INF)."""

    def answer(esv: ESV, props: list[Property], get_props: list[Property] | None = None) -> Frame:
        return Frame(request.tid, obj.eoj, request.seoj, esv, tuple(props), tuple(get_props or ()))

    if request.esv is ESV.GET:
        props, ok = _read_block(obj, request.properties)
        return answer(ESV.GET_RES if ok else ESV.GET_SNA, props)
    if request.esv in (ESV.SETC, ESV.SETI):
        props, ok = _write_block(obj, request.properties)
        if request.esv is ESV.SETI:
            return None if ok else answer(ESV.SETI_SNA, props)
        return answer(ESV.SET_RES if ok else ESV.SETC_SNA, props)
    if request.esv is ESV.SETGET:
        set_props, set_ok = _write_block(obj, request.properties)
        get_props, get_ok = _read_block(obj, request.get_properties)
        return answer(ESV.SETGET_RES if set_ok and get_ok else ESV.SETGET_SNA, set_props, get_props)
    if request.esv is ESV.INF_REQ:
        props, ok = _read_block(obj, request.properties)
        return answer(ESV.INF if ok else ESV.INF_SNA, props)
    return None


def addressed_objects(objects: Mapping[EOJ, DeviceObject], deoj: EOJ) -> list[DeviceObject]:
    """The objects a DEOJ names: one instance, or every instance of the class for instance code 0."""
    if deoj.instance == 0:
        return [obj for eoj, obj in objects.items() if eoj.class_id == deoj.class_id]
    obj = objects.get(deoj)
    return [] if obj is None else [obj]
