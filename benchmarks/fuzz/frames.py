"""A seeded generator of ECHONET Lite datagrams: well-formed frames with random fields, near misses and junk.

Structured inputs reach the deep code (the class-spec decoders, the virtual home's Set handlers) far more often than
random bytes, which mostly stop at EHD1. The mix per 100 inputs (`KIND_WEIGHTS`): valid frames, frames whose PDC lies,
truncated frames, frames whose OPC announces more properties than they carry, valid frames with one random mutation,
Format-2 frames and raw random bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
import random
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import CONTROLLER, EOJ, ESV, NODE_PROFILE, NODE_PROFILE_ALL
from custom_components.echonet_hems.lib.echonet.specs.model import PropertySpec
from custom_components.echonet_hems.lib.echonet.specs.registry import class_specs

from .harness import Case

KIND_WEIGHTS: Final = {
    "valid": 40,
    "wrong_pdc": 10,
    "truncated": 10,
    "oversized_opc": 8,
    "mutated": 17,
    "format2": 3,
    "raw": 12,
}
TWO_BLOCKS: Final = frozenset({0x6E, 0x7E, 0x5E})
FILLS: Final = (0x00, 0x01, 0x7F, 0x80, 0xFD, 0xFE, 0xFF)
RESERVED_ESVS: Final = (0x54, 0x5F, 0x64, 0x6F, 0x75, 0x7B, 0x7F, 0x00, 0xFF)
MAX_RAW: Final = 300
MAX_FRAME: Final = 1400


@dataclass(frozen=True, slots=True)
class Profile:
    """Where frames come from and go to, and which services they use (weights in the same order)."""

    seojs: tuple[EOJ, ...]
    deojs: tuple[EOJ, ...]
    esvs: tuple[int, ...]
    esv_weights: tuple[int, ...]
    small_tids: int  # share in percent of TIDs drawn from 1..64 (the TIDs a fresh client gives its first requests)


_ALL_ESVS: Final = tuple(int(esv) for esv in ESV)
_REQUESTS: Final = (0x62, 0x61, 0x60, 0x6E, 0x63)


def client_profile() -> Profile:
    """Frames a controller receives: answers and notifications from every modelled class, requests to our node."""
    devices = tuple(EOJ.of(spec.class_id, 1) for spec in class_specs() if spec.class_id != 0)
    answers = (0x72, 0x52, 0x71, 0x51, 0x73, 0x74, 0x53, 0x7E, 0x5E, 0x7A, 0x50)
    return Profile(
        seojs=(*devices, NODE_PROFILE, EOJ(0x02, 0x88, 0x01)),
        deojs=(CONTROLLER, NODE_PROFILE, NODE_PROFILE_ALL, EOJ(0x05, 0xFF, 0x00)),
        esvs=(*answers, *_REQUESTS, *_ALL_ESVS),
        esv_weights=(*[6] * len(answers), *[4] * len(_REQUESTS), *[1] * len(_ALL_ESVS)),
        small_tids=40,
    )


def node_profile_for(deojs: Sequence[EOJ]) -> Profile:
    """Frames a device node receives: mostly requests to its own objects."""
    return Profile(
        seojs=(CONTROLLER, EOJ(0x05, 0xFF, 0x02), NODE_PROFILE),
        deojs=tuple(deojs),
        esvs=(*_REQUESTS, *_ALL_ESVS),
        esv_weights=(12, 10, 6, 6, 4, *[1] * len(_ALL_ESVS)),
        small_tids=0,
    )


class FrameGenerator:
    """Datagrams from `profile`, reproducible from `rng`."""

    def __init__(self, rng: random.Random, profile: Profile) -> None:
        self._rng = rng
        self._profile = profile
        self._kinds = tuple(KIND_WEIGHTS)
        self._kind_weights = tuple(KIND_WEIGHTS.values())
        self._specs: dict[int, tuple[PropertySpec, ...]] = {spec.class_id: spec.properties for spec in class_specs()}
        self._super = self._specs.get(0, ())

    def cases(self, count: int) -> Iterator[Case]:
        """`count` cases."""
        rng = self._rng
        for _ in range(count):
            kind = rng.choices(self._kinds, self._kind_weights)[0]
            yield Case(kind, self.make(kind))

    def make(self, kind: str) -> bytes:
        """One datagram of `kind`."""
        rng = self._rng
        if kind == "raw":
            return rng.randbytes(rng.randrange(MAX_RAW))
        if kind == "format2":
            return b"\x10\x82" + rng.randbytes(rng.randrange(2, 64))
        frame, pdc_offsets, opc_offset = self.valid()
        if kind == "valid":
            return bytes(frame)
        if kind == "wrong_pdc" and pdc_offsets:
            at = rng.choice(pdc_offsets)
            frame[at] = (frame[at] + rng.choice((1, 2, 255, rng.randrange(1, 256)))) & 0xFF
        elif kind == "truncated":
            del frame[rng.randrange(len(frame)) :]
        elif kind == "oversized_opc":
            frame[opc_offset] = min(255, frame[opc_offset] + rng.choice((1, 2, 16, 255)))
        else:
            self._mutate(frame)
        return bytes(frame)

    def valid(self) -> tuple[bytearray, list[int], int]:
        """A well-formed Format-1 frame; also the offsets of its PDC bytes and of its (first) OPC byte."""
        rng, profile = self._rng, self._profile
        reserved = rng.random() < 0.02
        esv = rng.choice(RESERVED_ESVS) if reserved else rng.choices(profile.esvs, profile.esv_weights)[0]
        seoj = rng.choice(profile.seojs) if rng.random() < 0.9 else EOJ(*rng.randbytes(3))
        deoj = rng.choice(profile.deojs) if rng.random() < 0.9 else EOJ(*rng.randbytes(3))
        tid = rng.randrange(1, 65) if rng.randrange(100) < profile.small_tids else rng.randrange(0x10000)
        out = bytearray((0x10, 0x81, tid >> 8, tid & 0xFF))
        out += seoj.to_bytes() + deoj.to_bytes()
        out.append(esv)
        pdcs: list[int] = []
        opc_offset = len(out)  # the first block's OPC
        for block in range(2 if esv in TWO_BLOCKS else 1):
            reading = esv in (0x62, 0x63) or (block == 1 and esv == 0x6E)
            self._block(out, pdcs, seoj.class_id if esv >= 0x70 or esv < 0x60 else deoj.class_id, empty=reading)
        return out, pdcs, opc_offset

    def _block(self, out: bytearray, pdcs: list[int], class_id: int, *, empty: bool) -> None:
        rng = self._rng
        count = rng.choice((0, 1, 1, 2, 3, 4, 6, 10, 16)) if rng.random() < 0.97 else rng.randrange(17, 256)
        specs = self._specs.get(class_id, ()) or self._super
        opc_at = len(out)
        out.append(0)
        written = 0
        for _ in range(count):
            spec = rng.choice(specs) if specs and rng.random() < 0.85 else None
            edt = b"" if empty and rng.random() < 0.9 else self._edt(spec)
            if len(out) + 2 + len(edt) > MAX_FRAME:
                break  # keep frames datagram-sized even with 255 properties
            out.append(spec.epc if spec is not None else rng.randrange(256))
            pdcs.append(len(out))
            out.append(len(edt))
            out += edt
            written += 1
        out[opc_at] = written

    def _edt(self, spec: PropertySpec | None) -> bytes:
        rng = self._rng
        if spec is None or rng.random() < 0.1:
            return rng.randbytes(rng.choice((0, 1, 2, 4, rng.randrange(256))))
        datatype = spec.datatype
        maximum = datatype.max_size if datatype.max_size is not None else 64
        size = rng.randint(datatype.min_size, min(maximum, 255))
        if rng.random() < 0.2:
            return bytes((rng.choice(FILLS),)) * size
        return rng.randbytes(size)

    def _mutate(self, frame: bytearray) -> None:
        rng = self._rng
        at = rng.randrange(len(frame) + 1)
        action = rng.randrange(4)
        if action == 0 and at < len(frame):
            frame[at] = rng.randrange(256)
        elif action == 1:
            frame[at:at] = rng.randbytes(rng.randrange(1, 5))
        elif action == 2:
            del frame[at : at + rng.randrange(1, 5)]
        else:
            frame += rng.randbytes(rng.randrange(1, 9))
