"""The low-voltage smart electric energy meter (0x0288) that sits behind the Wi-SUN dongle.

Its readings follow the home's energy balance: instantaneous power E7 (import positive, export negative), currents E8,
cumulative normal (bought) E0 and reverse (sold) E3 energy in units of E1 (0.1 kWh by default) with D7 effective
digits, so the counters wrap at 10^D7; the 30-minute fixed-time values EA/EB, pushed as INF (or INFC) at every :00
and :30; and the historical 30-minute values of the last 100 days, selected with E5 and read from E2/E4. Behaviour
follows PROTOCOL.md §2.1 and the captured Release-F meter of VECTORS.md §B.3 (which answers SNA for 0x83).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import math
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, NODE_PROFILE, Frame, Property, decode_format1
from custom_components.echonet_hems.lib.echonet.ids import EPC_PRODUCTION_NUMBER
from custom_components.echonet_hems.lib.errors import ProtocolError

from .clock import JST, Clock
from .echonet.device import (
    DeviceObject,
    Prop,
    addressed_objects,
    constant,
    process_request,
    s32,
    u8,
    u32,
    with_defaults,
)
from .echonet.node import NodeIdentity, node_profile

METER: Final = EOJ(0x02, 0x88, 0x01)
CONTROLLER: Final = EOJ(0x05, 0xFF, 0x01)
NOT_MEASURED: Final = 0xFFFFFFFE
HISTORY_DAYS: Final = 100  # E5 selects 0 (today) .. 99 days ago
SLOTS_PER_DAY: Final = 48
RELEASE_F: Final = b"\x00\x00F\x00"
TOSHIBA: Final = 0x000016
# E1 unit codes → kWh per count (PROTOCOL.md §2.1).
UNIT_KWH: Final = {0x00: 1.0, 0x01: 0.1, 0x02: 0.01, 0x03: 0.001, 0x04: 0.0001, 0x0A: 10.0, 0x0B: 100.0}
VOLTAGE_PER_PHASE: Final = 100.0  # single-phase three-wire 100/200 V: each leg carries half the load at 100 V


@dataclass(slots=True)
class MeterConfig:
    """How the simulated meter reports (a Release-F meter by default)."""

    unit_code: int = 0x01
    digits: int = 6
    coefficient: int | None = 1  # None: the meter answers SNA for D3 (the client must assume 1)
    serial: str = "VH24G3665050"
    use_infc: bool = False  # push EA/EB with INFC (needs INFC_Res) instead of INF
    sna_optional: bool = False  # fault: SNA for the optional EPCs D3 and E8


def slot_start(moment: datetime) -> datetime:
    """The :00 or :30 boundary at or before `moment`."""
    return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)


class SmartMeter:
    """The meter's ECHONET node as seen through the B-route: `handle` answers requests (the dongle's `MeterLink`)."""

    def __init__(self, clock: Clock, config: MeterConfig | None = None) -> None:
        self.config = config or MeterConfig()
        if self.config.unit_code not in UNIT_KWH:
            raise ValueError(f"unsupported E1 unit code 0x{self.config.unit_code:02X}")
        self._clock = clock
        self.power_w = 0.0
        self.import_kwh = 0.0
        self.export_kwh = 0.0
        self._history_day = 0
        self._history: dict[tuple[date, int], tuple[int, int]] = {}
        self._fixed: tuple[datetime, int, int] | None = None
        self._notify: Callable[[bytes], None] | None = None
        self._tid = 0xA000
        self.object = self._build_object()
        identity = NodeIdentity(TOSHIBA, "VH-METER", self.config.serial)
        self.profile = node_profile(identity, [self.object])
        self._objects = {NODE_PROFILE: self.profile, METER: self.object}

    # ------------------------------------------------------------------------------------------------- measurements
    @property
    def modulus(self) -> int:
        """Raw counter values wrap at 10^digits."""
        return int(10**self.config.digits)

    def raw(self, kwh: float) -> int:
        """A cumulative energy as the meter's raw counter (unit E1, coefficient D3, wrapped at 10^D7)."""
        per_count = UNIT_KWH[self.config.unit_code] * (self.config.coefficient or 1)
        return math.floor(kwh / per_count + 1e-9) % self.modulus

    def update(self, now: datetime, import_kwh: float, export_kwh: float, power_w: float) -> None:
        """Take the home's grid counters after a simulation step; records and pushes every 30-minute boundary.

        Steps are expected to be shorter than 30 minutes; the value recorded for a boundary is the one at the end of
        the step that crossed it.
        """
        self.import_kwh, self.export_kwh, self.power_w = import_kwh, export_kwh, power_w
        boundary = slot_start(now.astimezone(JST))
        if self._fixed is None or boundary > self._fixed[0]:
            self._record(boundary)

    def recorded(self) -> dict[datetime, tuple[int, int]]:
        """The 30-minute registers it holds (raw normal and reverse counts) by boundary time (JST): the truth a
        controller's statistics are checked against."""
        return {
            datetime.combine(day, time(slot // 2, 30 * (slot % 2)), JST): pair
            for (day, slot), pair in sorted(self._history.items())
        }

    def kwh_per_count(self) -> float:
        """kWh of one raw count (unit E1 times coefficient D3)."""
        return UNIT_KWH[self.config.unit_code] * (self.config.coefficient or 1)

    def _record(self, boundary: datetime) -> None:
        normal, reverse = self.raw(self.import_kwh), self.raw(self.export_kwh)
        local = boundary.astimezone(JST)
        slot = local.hour * 2 + local.minute // 30
        self._history[(local.date(), slot)] = (normal, reverse)
        first_kept = local.date() - timedelta(days=HISTORY_DAYS)
        for key in [k for k in self._history if k[0] < first_kept]:
            del self._history[key]
        is_first = self._fixed is None
        self._fixed = (local, normal, reverse)
        if not is_first:
            self._push_fixed_time_values()

    def _push_fixed_time_values(self) -> None:
        if self._notify is None:
            return
        esv = ESV.INFC if self.config.use_infc else ESV.INF
        props = (Property(0xEA, self._fixed_value(normal=True)), Property(0xEB, self._fixed_value(normal=False)))
        self._notify(Frame(self._next_tid(), METER, CONTROLLER, esv, props).encode())

    def _next_tid(self) -> int:
        self._tid = self._tid % 0xFFFF + 1
        return self._tid

    # -------------------------------------------------------------------------------------------- property values
    def _fixed_value(self, *, normal: bool) -> bytes:
        if self._fixed is None:
            return b"\xff" * 7 + u32(NOT_MEASURED)
        moment, normal_raw, reverse_raw = self._fixed
        return _date_time(moment) + u32(normal_raw if normal else reverse_raw)

    def _historical(self, *, normal: bool) -> bytes:
        today = self._clock.now().astimezone(JST).date()
        day = today - timedelta(days=self._history_day)
        values = []
        for slot in range(SLOTS_PER_DAY):
            pair = self._history.get((day, slot))
            values.append(NOT_MEASURED if pair is None else pair[0 if normal else 1])
        return self._history_day.to_bytes(2, "big") + b"".join(u32(v) for v in values)

    def _set_history_day(self, edt: bytes) -> bool:
        if len(edt) != 1 or not (edt[0] < HISTORY_DAYS or edt[0] == 0xFF):
            return False
        self._history_day = 0 if edt[0] == 0xFF else edt[0]
        return True

    def _currents(self) -> bytes:
        # Each leg of a 100/200 V single-phase three-wire service carries about half the load.
        deci_amps = round(self.power_w / 2 / VOLTAGE_PER_PHASE * 10)
        deci_amps = max(-32767, min(32765, deci_amps))
        return deci_amps.to_bytes(2, "big", signed=True) * 2

    def _build_object(self) -> DeviceObject:
        config = self.config
        optional_ok = not config.sna_optional
        props = {
            0x82: Prop(get=constant(RELEASE_F)),
            0x97: Prop(get=lambda: _time(self._clock.now())),
            0x98: Prop(get=lambda: _date(self._clock.now())),
            EPC_PRODUCTION_NUMBER: Prop(get=constant(config.serial.encode("ascii")[:12].ljust(12, b"\x00"))),
            0xD7: Prop(get=constant(u8(config.digits))),
            0xE0: Prop(get=lambda: u32(self.raw(self.import_kwh))),
            0xE1: Prop(get=constant(u8(config.unit_code))),
            0xE2: Prop(get=lambda: self._historical(normal=True)),
            0xE3: Prop(get=lambda: u32(self.raw(self.export_kwh))),
            0xE4: Prop(get=lambda: self._historical(normal=False)),
            0xE5: Prop(get=lambda: u8(self._history_day), set=self._set_history_day),
            0xE7: Prop(get=lambda: s32(max(-2147483647, min(2147483645, round(self.power_w))))),
            0xEA: Prop(get=lambda: self._fixed_value(normal=True)),
            0xEB: Prop(get=lambda: self._fixed_value(normal=False)),
        }
        if config.coefficient is not None and optional_ok:
            props[0xD3] = Prop(get=constant(u32(config.coefficient)))
        if optional_ok:
            props[0xE8] = Prop(get=self._currents)
        return with_defaults(DeviceObject(METER, props), manufacturer=TOSHIBA, release=RELEASE_F)

    # ------------------------------------------------------------------------------------------------- MeterLink
    def handle(self, payload: bytes) -> list[bytes]:
        """Answer one ECHONET Lite request that arrived over the B-route (malformed or unaddressed: no answer)."""
        try:
            request = decode_format1(payload)
        except ProtocolError:
            return []
        if not request.esv.is_request:
            return []  # INFC_Res from the controller and the like
        answers = []
        for obj in addressed_objects(self._objects, request.deoj):
            frame = process_request(obj, request)
            if frame is not None:
                answers.append(frame.encode())
        return answers

    def set_notifier(self, send: Callable[[bytes], None] | None) -> None:
        """Attach the dongle's sender when a PANA session is up (announcing the instance list, AIF §3.1.1), or
        detach it (None) when the session ends."""
        self._notify = send
        if send is not None:
            announcement = Frame(0, NODE_PROFILE, NODE_PROFILE, ESV.INF, (Property(0xD5, b"\x01" + METER.to_bytes()),))
            send(announcement.encode())


def _date_time(moment: datetime) -> bytes:
    local = moment.astimezone(JST)
    return local.year.to_bytes(2, "big") + bytes((local.month, local.day, local.hour, local.minute, local.second))


def _time(moment: datetime) -> bytes:
    local = moment.astimezone(JST)
    return bytes((local.hour, local.minute))


def _date(moment: datetime) -> bytes:
    local = moment.astimezone(JST)
    return local.year.to_bytes(2, "big") + bytes((local.month, local.day))
