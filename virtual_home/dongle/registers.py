"""The virtual registers of SKSREG (PROTOCOL.md §3.4): names, widths, defaults, ranges; ESREG formatting.

`S2` and `S02` name the same register. S0A (pairing ID) holds 8 characters. S07 (frame counter), SFB (transmit limit
active) and SFD (cumulative transmit time, writable only to 0) are computed by the dongle and reach this file through
`computed` getters and `on_write` hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from .arguments import ER_ARGUMENT, HEX_DIGITS, SkCommandError, parse_hex
from .config import CHANNEL_MAX, CHANNEL_MIN

PAIRING_REGISTER: Final = "S0A"
PAIRING_DEFAULT: Final = "00000000"


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    """One numeric register: ESREG shows `width` hex digits; SKSREG accepts values in [minimum, maximum]."""

    width: int
    default: int
    maximum: int
    minimum: int = 0
    writable: bool = True


REGISTERS: Final = {
    "S02": RegisterSpec(2, CHANNEL_MIN, CHANNEL_MAX, CHANNEL_MIN),  # channel
    "S03": RegisterSpec(4, 0xFFFF, 0xFFFF),  # PAN ID
    "S07": RegisterSpec(8, 0, 0xFFFFFFFF, writable=False),  # MAC frame counter
    "S15": RegisterSpec(1, 0, 1),  # beacon response (coordinator)
    "S16": RegisterSpec(8, 0x384, 0xFFFFFFFF, 0x3C),  # PANA session lifetime requested (the PAA's value governs)
    "S17": RegisterSpec(1, 1, 1),  # automatic re-authentication
    "SA0": RegisterSpec(1, 1, 1),  # encrypt MAC broadcasts
    "SA1": RegisterSpec(1, 1, 1),  # accept plaintext ICMP echo
    "SA2": RegisterSpec(1, 0, 1),  # BP35C0 family: RSSI field in ERXUDP (MOMONGA sets 1 on every open)
    "SFB": RegisterSpec(1, 0, 1, writable=False),  # transmit-time limit active
    "SFD": RegisterSpec(8, 0, 0),  # cumulative transmit time in ms; only 0 may be written (clears it)
    "SFE": RegisterSpec(1, 1, 1),  # echo back
    "SFF": RegisterSpec(1, 0, 1),  # load the SKSAVEd registers at power-on
}


def register_name(token: str) -> str:
    """The canonical name (`S2` → `S02`, `sfe` → `SFE`), or ER06 for anything that is not a register."""
    name = token.upper()
    rest = name[1:]
    if not name.startswith("S") or not 1 <= len(rest) <= 2 or not set(rest) <= HEX_DIGITS:
        raise SkCommandError(ER_ARGUMENT)
    canonical = f"S{int(rest, 16):02X}"
    if canonical not in REGISTERS and canonical != PAIRING_REGISTER:
        raise SkCommandError(ER_ARGUMENT)
    return canonical


class RegisterFile:
    """The registers of one dongle (reset to defaults by SKRESET and at power-on)."""

    def __init__(
        self,
        computed: Mapping[str, Callable[[], int]] | None = None,
        on_write: Mapping[str, Callable[[int], None]] | None = None,
    ) -> None:
        self._computed = dict(computed or {})
        self._on_write = dict(on_write or {})
        self._values: dict[str, int] = {}
        self.pairing_id = PAIRING_DEFAULT
        self.reset()

    def reset(self) -> None:
        """Every register back to its default."""
        self._values = {name: spec.default for name, spec in REGISTERS.items()}
        self.pairing_id = PAIRING_DEFAULT

    def __getitem__(self, name: str) -> int:
        """A numeric register by canonical name."""
        getter = self._computed.get(name)
        return getter() if getter is not None else self._values[name]

    def read(self, token: str) -> str:
        """The value as ESREG prints it."""
        name = register_name(token)
        if name == PAIRING_REGISTER:
            return self.pairing_id
        return f"{self[name]:0{REGISTERS[name].width}X}"

    def write(self, token: str, value_token: str) -> None:
        """SKSREG <name> <value>."""
        name = register_name(token)
        if name == PAIRING_REGISTER:
            if len(value_token) != 8:
                raise SkCommandError(ER_ARGUMENT)
            self.pairing_id = value_token
            return
        spec = REGISTERS[name]
        if not spec.writable:
            raise SkCommandError(ER_ARGUMENT)
        value = parse_hex(value_token, spec.width, spec.minimum, spec.maximum)
        hook = self._on_write.get(name)
        if hook is not None:
            hook(value)
        else:
            self._values[name] = value

    def snapshot(self) -> dict[str, int]:
        """The stored (not computed) values, for SKSAVE."""
        return {name: value for name, value in self._values.items() if name not in self._computed}

    def load(self, values: Mapping[str, int]) -> None:
        """Values saved by SKSAVE (SKLOAD, or SFF=1 at power-on)."""
        for name, value in values.items():
            if name in self._values and name not in self._computed:
                self._values[name] = value
