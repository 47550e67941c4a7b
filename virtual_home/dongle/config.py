"""What the emulated dongle is: its dialect, its identity and radio neighbourhood, its timings, its FLASH.

The two dialects are the two SKSTACK-IP firmware families of PROTOCOL.md §3.1 (single-hop BP35A1 and the dual-stack
BP35C0 family); `DongleModel` names the products built on them with the differences that matter (hex or binary ERXUDP
data, whether ROPT/WOPT/SKAPPVER exist). Times are simulated seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
import re
from typing import ClassVar, Final

CHANNEL_MIN: Final = 0x21  # logical channel 33 = 922.5 MHz (PROTOCOL.md §3.9)
CHANNEL_MAX: Final = 0x3C  # logical channel 60 = 927.9 MHz
SCAN_DURATION_MAX: Final = 14
_MAC_RE: Final = re.compile(r"[0-9A-F]{16}")


class Dialect(StrEnum):
    """The SKSTACK-IP text dialect: argument counts, the SIDE field and the EPANDESC/ERXUDP layouts."""

    BP35A1 = "bp35a1"  # single-hop: ROHM BP35A1, Tessera RL7023 Stick-D/IPS
    BP35C0 = "bp35c0"  # dual stack: ROHM BP35C2 (BP35C0 module), RATOC RS-WSUHA-P, Tessera RL7023 Stick-D/DSS


@dataclass(frozen=True, slots=True, kw_only=True)
class DongleOptions:
    """Identity, neighbourhood, firmware quirks and timings of one emulated dongle (and the meter it can hear).

    `pan_id` and `channel` are the meter's PAN; `lqi` is the link quality of every frame the dongle hears from it
    (RSSI dBm = 0.275 × LQI − 104.27). The pairing ID the meter beacons is the last 8 characters of its B-route ID.
    """

    meter_mac: str = "001C6400601421A3"
    dongle_mac: str = "001D129012345678"
    channel: int = 0x3B
    pan_id: int = 0x8888
    lqi: int = 0xA0
    # Firmware.
    hex_default: bool = False  # FLASH default of the ERXUDP data mode: False = binary (WOPT 00), True = hex ASCII
    ropt_supported: bool = True  # False: ROPT/WOPT/WUART/RUART and SKAPPVER answer FAIL ER04 (RL7023 Stick-D/DSS)
    stack_version: str | None = None  # SKVER; None = a typical version of the dialect
    app_version: str | None = None  # SKAPPVER; None = a typical version of the dialect
    # The meter's side of the link.
    meter_busy: bool = False  # another controller holds the meter's only PANA session: SKJOIN ends in EVENT 24
    meter_reachable: bool = True  # False: the meter is out of range (no beacon, no answers)
    session_lifetime: float = 86_400.0  # the PANA session lifetime the meter grants (VECTORS.md C.3: 86400 s)
    send_instance_list: bool = False  # True: the emulator multicasts INF D5 after a join (for a meter that does not)
    # Timings (simulated seconds).
    join_duration: float = 2.0  # SKJOIN → EVENT 25/24 when the meter answers
    join_timeout: float = 38.0  # SKJOIN → EVENT 24 when nobody answers (BP35A1 PANA retransmissions, ~38-40 s)
    reauth_duration: float = 1.0  # EVENT 29 (or SKREJOIN) → EVENT 25
    terminate_duration: float = 0.5  # SKTERM → EVENT 27
    scan_time_scale: float = 1.0  # multiplies 0.01 s × (2^duration + 1) per channel; 0 = instantaneous scans
    scan_min_duration: int = 6  # a shorter SKSCAN duration misses the meter's beacon (only EVENT 22)
    response_delay: float = 0.0  # SKSENDTO → the meter's ERXUDP answer
    # ARIB STD-T108 transmission-time budget (PROTOCOL.md §3.8).
    tx_budget: float = 360.0  # seconds of air time per window
    tx_window: float = 3600.0
    tx_bitrate: int = 100_000  # bit/s on air
    tx_overhead_bytes: int = 48  # PHY/MAC/6LoWPAN/UDP framing and security added to every SKSENDTO payload

    def __post_init__(self) -> None:
        for name in ("meter_mac", "dongle_mac"):
            if not _MAC_RE.fullmatch(getattr(self, name)):
                raise ValueError(f"{name} must be 16 uppercase hex digits")
        if not CHANNEL_MIN <= self.channel <= CHANNEL_MAX:
            raise ValueError("channel must be 0x21..0x3C")
        if not 0 <= self.pan_id <= 0xFFFF:
            raise ValueError("pan_id must be 0..0xFFFF")
        if not 0 <= self.lqi <= 0xFF:
            raise ValueError("lqi must be 0..0xFF")
        if not 0 <= self.scan_min_duration <= SCAN_DURATION_MAX + 1:
            raise ValueError("scan_min_duration must be 0..15 (15: never found)")
        for name in (
            "session_lifetime",
            "join_duration",
            "join_timeout",
            "reauth_duration",
            "terminate_duration",
            "scan_time_scale",
            "response_delay",
            "tx_budget",
            "tx_window",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.session_lifetime == 0 or self.tx_window == 0 or self.tx_bitrate <= 0:
            raise ValueError("session_lifetime, tx_window and tx_bitrate must be positive")


@dataclass(slots=True)
class DongleFlash:
    """What survives a power cycle (unplug/replug) and SKRESET: the WOPT data mode and how often FLASH was written."""

    WRITE_LIMIT: ClassVar[int] = 10_000  # FLASH endurance quoted by RATOC (nbtk/momonga#1)

    erxudp_hex: bool = False
    writes: int = 0
    saved_registers: dict[str, int] | None = None  # SKSAVE

    @classmethod
    def for_options(cls, options: DongleOptions) -> DongleFlash:
        """A factory-fresh FLASH for that firmware."""
        return cls(erxudp_hex=options.hex_default)


class DongleModel(StrEnum):
    """Products, each a dialect plus its quirks (PROTOCOL.md §3.1)."""

    BP35A1 = "bp35a1"
    RL7023_IPS = "rl7023-ips"
    BP35C2 = "bp35c2"
    RS_WSUHA_P = "rs-wsuha-p"
    RL7023_DSS = "rl7023-dss"


def model_profile(model: DongleModel, options: DongleOptions | None = None) -> tuple[Dialect, DongleOptions]:
    """The dialect and the quirk options of a product, applied on top of `options` (identity, timings)."""
    base = options or DongleOptions()
    match model:
        case DongleModel.BP35A1:
            return Dialect.BP35A1, replace(base, hex_default=False, ropt_supported=True)
        case DongleModel.RL7023_IPS:
            return Dialect.BP35A1, replace(base, hex_default=True, ropt_supported=True)
        case DongleModel.BP35C2 | DongleModel.RS_WSUHA_P:
            return Dialect.BP35C0, replace(base, hex_default=False, ropt_supported=True)
        case DongleModel.RL7023_DSS:
            return Dialect.BP35C0, replace(base, hex_default=True, ropt_supported=False)
