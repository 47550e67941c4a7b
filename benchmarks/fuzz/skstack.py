"""A seeded generator of SKSTACK-IP dongle output, one line (or one EPANDESC block) per case.

Shapes of both dialects (PROTOCOL.md §3.2-§3.6) with random fields: EVENT with and without SIDE/PARAM, ERXUDP in hex
and binary form with 9-11 fields whose payload is a smart-meter frame from the frame generator (DATALEN right or
wrong), EPANDESC blocks, command answers and echoes; then the same with one mutation, odd line ends and raw bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import random
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import CONTROLLER, EOJ

from .frames import FrameGenerator, Profile
from .harness import Case

METER: Final = EOJ(0x02, 0x88, 0x01)
EVENT_NUMBERS: Final = (0x01, 0x02, 0x05, 0x1F, 0x20, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x32, 0x33)
ENDINGS: Final = (*[b"\r\n"] * 12, b"\r", b"\r", b"\n", b"\n", b"", b"\n\r")  # a missing end spoils the next line
KIND_WEIGHTS: Final = {
    "event": 22,
    "erxudp_hex": 22,
    "erxudp_binary": 12,
    "epandesc": 5,
    "answer": 10,
    "echo": 4,
    "mutated": 15,
    "raw": 9,
    "overlong": 1,
}
HEX: Final = "0123456789ABCDEF"


def meter_profile() -> Profile:
    """What a smart meter sends a controller: answers and notifications of 0x028801 (sometimes the node profile)."""
    return Profile(
        seojs=(METER, METER, METER, EOJ(0x0E, 0xF0, 0x01)),
        deojs=(CONTROLLER,),
        esvs=(0x72, 0x52, 0x73, 0x74, 0x71, 0x51, 0x62),
        esv_weights=(10, 4, 6, 3, 2, 2, 1),
        small_tids=50,
    )


class LineGenerator:
    """SKSTACK-IP output, reproducible from `rng`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._frames = FrameGenerator(rng, meter_profile())
        self._kinds = tuple(KIND_WEIGHTS)
        self._weights = tuple(KIND_WEIGHTS.values())
        self._makers: dict[str, Callable[[], bytes]] = {
            "event": self._event,
            "erxudp_hex": lambda: self._erxudp(binary=False),
            "erxudp_binary": lambda: self._erxudp(binary=True),
            "epandesc": self._epandesc,
            "answer": self._answer,
            "echo": self._echo,
            "raw": lambda: self._rng.randbytes(self._rng.randrange(200)) + self._rng.choice((b"\r\n", b"")),
            "overlong": lambda: b"ERXUDP " + b"A" * self._rng.randrange(4000, 9000),
        }
        self._structured = tuple(kind for kind in self._kinds if kind not in ("mutated", "raw", "overlong"))

    def cases(self, count: int) -> Iterator[Case]:
        """`count` cases."""
        rng = self._rng
        for _ in range(count):
            kind = rng.choices(self._kinds, self._weights)[0]
            if kind == "mutated":
                yield Case(kind, self._mutate(self._makers[rng.choice(self._structured)]()))
            else:
                yield Case(kind, self._makers[kind]())

    # ------------------------------------------------------------------------------------------------ fields
    def _hex(self, digits: int) -> str:
        return "".join(self._rng.choices(HEX, k=digits))

    def _ipv6(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.92:
            return "FE80:0000:0000:0000:" + ":".join(self._hex(4) for _ in range(4))
        if roll < 0.96:
            return "fe80::" + self._hex(rng.randrange(1, 5)).lower()
        return rng.choice(("FF02:0000:0000:0000:0000:0000:0000:0001", "::", "1:2", "GGGG::1", self._hex(39), ""))

    def _field(self, digits: int) -> str:
        """A hex field of `digits`, sometimes of another width or not hex."""
        rng = self._rng
        roll = rng.random()
        if roll < 0.97:  # most fields right: the "mutated" kind is there for broken lines
            return self._hex(digits)
        if roll < 0.985:
            return self._hex(rng.randrange(0, digits + 3))
        return rng.choice(("Z", "-1", "0x1", " ", "\t", "ä"))

    def _end(self) -> bytes:
        return self._rng.choice(ENDINGS)

    # ------------------------------------------------------------------------------------------------- lines
    def _event(self) -> bytes:
        rng = self._rng
        number = f"{rng.choice(EVENT_NUMBERS):02X}" if rng.random() < 0.9 else self._field(2)
        parts = ["EVENT", number, self._ipv6()]
        shape = rng.choice((0, 0, 1, 1, 2, 2, 3, 3, 3, 4))  # 4: too many fields
        if shape in (1, 3):
            parts.append(self._field(1))  # SIDE (BP35C0 dialect)
        if shape in (2, 3):
            parts.append(self._field(2))  # PARAM
        if shape == 4:
            parts += [self._field(1) for _ in range(rng.randrange(3, 6))]
        return " ".join(parts).encode("utf-8") + self._end()

    def _erxudp(self, *, binary: bool) -> bytes:
        rng = self._rng
        payload = self._frames.make(rng.choice(("valid", "valid", "valid", "truncated", "wrong_pdc", "raw")))
        size = len(payload) if rng.random() < 0.9 else rng.randrange(0, 0x600)
        ports = rng.choice(("0E1A 0E1A", "02CC 02CC", "0E1A 02CC", f"{self._field(4)} {self._field(4)}"))
        middle = rng.choice((["1"], ["0"], [self._field(2), "1"], ["1", self._field(1)], [self._field(2), "1", "0"]))
        header = ["ERXUDP", self._ipv6(), self._ipv6(), ports, self._field(16), *middle, f"{size:04X}"[-4:]]
        text = " ".join(header) + " "
        if binary:
            return text.encode("utf-8") + payload + self._end()
        data = payload.hex().upper() if rng.random() < 0.95 else payload.hex()[:-1]
        return (text + data).encode("utf-8") + self._end()

    def _epandesc(self) -> bytes:
        rng = self._rng
        fields = [
            f"  Channel:{self._field(2)}",
            f"  Channel Page:{self._field(2)}",
            f"  Pan ID:{self._field(4)}",
            f"  Addr:{self._field(16)}",
            f"  LQI:{self._field(2)}",
            f"  Side:{self._field(1)}",
            f"  PairID:{self._field(8)}",
        ]
        kept = [line for line in fields if rng.random() < 0.9]
        if rng.random() < 0.1:
            kept.insert(rng.randrange(len(kept) + 1), "  Garbage")
        end = "\r\n"
        return ("EPANDESC" + end + end.join(kept) + end).encode("utf-8")

    def _answer(self) -> bytes:
        rng = self._rng
        line = rng.choice(
            (
                "OK",
                f"OK {self._field(2)}",
                f"FAIL ER{rng.randrange(100):02d}",
                f"FAIL {self._field(4)}",
                f"EVER {rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(20)}",
                f"EAPPVER {self._field(8)}",
                f"EINFO {self._ipv6()} {self._field(16)} {self._field(2)} {self._field(4)} {self._field(4)}",
                f"ESREG {self._field(2)}",
                self._ipv6(),
            )
        )
        return line.encode("utf-8") + self._end()

    def _echo(self) -> bytes:
        rng = self._rng
        line = rng.choice(
            (
                f"SKSETPWD C {self._hex(12)}",
                f"SKSETRBID {self._hex(32)}",
                f"SKSENDTO 1 {self._ipv6()} 0E1A 1 0 {self._field(4)} ",
                "SKVER",
                f"WOPT {self._field(2)}",
                "ROPT",
            )
        )
        return line.encode("utf-8") + self._end()

    def _mutate(self, line: bytes) -> bytes:
        rng = self._rng
        data = bytearray(line)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(data) + 1)
            action = rng.randrange(4)
            if action == 0 and at < len(data):
                data[at] = rng.randrange(256)
            elif action == 1:
                data[at:at] = rng.choice((b"\r", b"\n", b"\r\n", b" ", b"\x00", rng.randbytes(2)))
            elif action == 2:
                del data[at : at + rng.randrange(1, 6)]
            else:
                del data[at:]
        return bytes(data)
