"""The low-voltage smart electric energy meter (0x0288) over a B-route session (PROTOCOL.md §2.1, AIF).

`SmartMeterClient(session)` talks ECHONET Lite to the meter object 0x028801 as controller 0x05FF01:

- `identity()`: the EUI-64 from the scan plus 0x82 (release), 0x8A (maker), 0x8D (serial) and 0x83 (identification,
  often Get_SNA) in one Get; `energy_scale()`: D3 (coefficient; SNA → 1), E1 (unit) and D7 (digits) in one Get.
  Both are read once and cached.
- `read()`: E7 (power), E8 (currents), E0 and E3 (cumulative import/export) in ONE Get; EPCs the meter answers with
  SNA are kept out of later polls (per-EPC handling of Get_SNA, PROTOCOL.md §5 item 1); cumulative values are also
  turned into continuous kWh totals across the 10^D7 wrap.
- The 30-minute values EA/EB arrive by themselves as INF or INFC (INFC is answered with INFC_Res) and go to the
  listeners of `add_fixed_time_listener`; `read_fixed_time()` asks for them.
- `read_history(day)`: SetC E5 = days ago, then Get E2 (and E4, and the meter's date 0x98) — 48 half-hourly values,
  None where the meter has no data, timestamps in JST; "days ago" counts from the meter's date; retried when the day
  in the answer is not the one asked (another controller moved E5, or midnight passed in between).

One request is outstanding at a time; responses are matched by TID, ESV and SEOJ = 0x028801, everything else (other
objects, late duplicates of a Wi-SUN resend, unknown TIDs) is dropped. Timeouts follow the AIF timers: 20 s for small
requests, 60 s for history (protocol seconds, configurable), with a bounded resend using the same TID.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
import logging
from typing import Any, Final, Protocol

from ..echonet.frame import CONTROLLER, EOJ, ESV, RESPONSES, Frame, Property, decode_format1
from ..echonet.ids import (
    EPC_IDENTIFICATION,
    EPC_MANUFACTURER as EPC_MAKER,
    EPC_PRODUCTION_NUMBER as EPC_SERIAL,
    EPC_STANDARD_VERSION as EPC_RELEASE,
    SMART_METER as METER_CLASS,
)
from ..echonet.specs.datatypes import JST, Value
from ..echonet.specs.meter import energy_multiplier, energy_wrap_modulus
from ..echonet.specs.model import appendix_release
from ..echonet.specs.registry import property_spec
from ..errors import AuthError, HemsError, ProtocolError, RequestTimeoutError, UnsupportedError, ValueRangeError
from .readings import (
    DayHistory,
    Direction,
    EnergyCounter,
    EnergyScale,
    FixedTimeReading,
    HistorySlot,
    MeterIdentity,
    MeterReading,
    TimedEnergy,
)
from .session import FrameHandler, PanInfo, TransmitLimitedError
from .timing import Timing

_LOGGER = logging.getLogger(__name__)

METER: Final = EOJ(0x02, 0x88, 0x01)
HISTORY_DAYS: Final = 100  # E5 selects 0 (today) … 99 days ago
SLOTS_PER_DAY: Final = 48
EPC_DATE: Final = 0x98
EPC_COEFFICIENT: Final = 0xD3
EPC_DIGITS: Final = 0xD7
EPC_IMPORT: Final = 0xE0
EPC_UNIT: Final = 0xE1
EPC_HISTORY_IMPORT: Final = 0xE2
EPC_EXPORT: Final = 0xE3
EPC_HISTORY_EXPORT: Final = 0xE4
EPC_HISTORY_DAY: Final = 0xE5
EPC_POWER: Final = 0xE7
EPC_CURRENTS: Final = 0xE8
EPC_FIXED_IMPORT: Final = 0xEA
EPC_FIXED_EXPORT: Final = 0xEB
_OPTIONAL_IN_POLL: Final = frozenset({EPC_CURRENTS, EPC_EXPORT})

type FixedTimeListener = Callable[[FixedTimeReading], None]


class MeterChannel(Protocol):
    """What the client needs from a session: a `BRouteSession` is one."""

    @property
    def timing(self) -> Timing:
        """Protocol time."""
        ...  # pragma: no cover - protocol

    @property
    def pan(self) -> PanInfo | None:
        """The meter's PAN (its MAC is the EUI-64)."""
        ...  # pragma: no cover - protocol

    async def send(self, payload: bytes, *, within: float | None = None) -> None:
        """Send one ECHONET Lite frame to the meter."""
        ...  # pragma: no cover - protocol

    def set_frame_handler(self, handler: FrameHandler | None) -> None:
        """Route the meter's frames to `handler`."""
        ...  # pragma: no cover - protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterTimeouts:
    """Response timers (protocol seconds; AIF: ≥ 20 s small, ≥ 60 s large) and resends per request."""

    small: float = 20.0
    large: float = 60.0
    retries: int = 1


@dataclass(slots=True)
class _Pending:
    tid: int
    accept: tuple[ESV, ...]
    future: asyncio.Future[Frame]


@dataclass(frozen=True, slots=True)
class _Answer:
    """The EDTs of a Get answer, and the EPCs the meter could not give (PDC 0 in a Get_SNA)."""

    values: dict[int, bytes]
    missing: frozenset[int] = field(default_factory=frozenset)


class SmartMeterClient:
    """The meter behind a `BRouteSession` (see the module docstring). The session's frame handler is taken over."""

    def __init__(self, session: MeterChannel, *, timeouts: MeterTimeouts | None = None) -> None:
        self.session = session
        self.timeouts = timeouts or MeterTimeouts()
        self._timing = session.timing
        self._tid = 0
        self._lock = asyncio.Lock()
        self._history_lock = asyncio.Lock()
        self._scale_lock = asyncio.Lock()
        self._pending: _Pending | None = None
        self._identity: MeterIdentity | None = None
        self._scale: EnergyScale | None = None
        self._counters: dict[Direction, EnergyCounter] = {}
        self._unsupported: set[int] = set()
        self._day_offset: int | None = None  # the meter's date minus ours, in days
        self._listeners: list[FixedTimeListener] = []
        self._recent: deque[tuple[int, bytes]] = deque(maxlen=16)
        self._tasks: set[asyncio.Task[None]] = set()
        self.latest_fixed_time: FixedTimeReading | None = None
        session.set_frame_handler(self._on_frame)

    async def close(self) -> None:
        """Detach from the session and cancel pending notification work (the session stays open)."""
        self.session.set_frame_handler(None)
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def add_fixed_time_listener(self, listener: FixedTimeListener) -> Callable[[], None]:
        """Call `listener` for every 30-minute value the meter pushes; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # ------------------------------------------------------------------------------------------- read once
    async def identity(self) -> MeterIdentity:
        """The meter's identity (cached after the first success)."""
        if self._identity is None:
            pan = self.session.pan
            if pan is None:
                raise HemsError("the meter's identity needs a joined session")
            answer = await self._get((EPC_RELEASE, EPC_MAKER, EPC_SERIAL, EPC_IDENTIFICATION))
            maker = answer.values.get(EPC_MAKER)
            serial = answer.values.get(EPC_SERIAL)
            identification = answer.values.get(EPC_IDENTIFICATION)
            release = answer.values.get(EPC_RELEASE)
            self._identity = MeterIdentity(
                eui64=pan.mac,
                manufacturer_code=int.from_bytes(maker) if maker is not None and len(maker) == 3 else None,
                serial_number=(serial.rstrip(b"\x00 ").decode("ascii", "replace") or None) if serial else None,
                identification_number=identification.hex().upper() if identification else None,
                appendix_release=appendix_release(release) if release is not None else None,
            )
        return self._identity

    async def energy_scale(self) -> EnergyScale:
        """D3 × E1 and D7 (cached after the first success)."""
        async with self._scale_lock:
            if self._scale is None:
                answer = await self._get((EPC_COEFFICIENT, EPC_UNIT, EPC_DIGITS))
                unit, digits = answer.values.get(EPC_UNIT), answer.values.get(EPC_DIGITS)
                if unit is None or digits is None or len(digits) != 1:
                    raise UnsupportedError("the meter gave no unit (E1) or effective digits (D7)")
                coefficient_edt = answer.values.get(EPC_COEFFICIENT)
                multiplier = energy_multiplier(coefficient_edt, unit)
                coefficient = int.from_bytes(coefficient_edt) if coefficient_edt else 1
                try:
                    energy_wrap_modulus(digits[0])
                except ValueRangeError as err:
                    raise ProtocolError(f"effective digits D7 = {digits[0]}") from err
                scale = EnergyScale(coefficient, multiplier / coefficient, digits[0], multiplier)
                self._counters = {direction: EnergyCounter(scale) for direction in Direction}
                self._scale = scale
            return self._scale

    # ----------------------------------------------------------------------------------------------- reads
    async def read(self) -> MeterReading:
        """Instantaneous power and currents and the cumulative registers, in one Get."""
        await self.energy_scale()  # the counters need it
        epcs = [epc for epc in (EPC_POWER, EPC_CURRENTS, EPC_IMPORT, EPC_EXPORT) if epc not in self._unsupported]
        answer = await self._get(epcs)
        self._unsupported |= answer.missing & _OPTIONAL_IN_POLL
        values = answer.values
        currents = _mapping(_decode(EPC_CURRENTS, values.get(EPC_CURRENTS), scaled=True))
        import_raw = _int(_decode(EPC_IMPORT, values.get(EPC_IMPORT)))
        export_raw = _int(_decode(EPC_EXPORT, values.get(EPC_EXPORT)))
        return MeterReading(
            timestamp=self._timing.now(),
            power_w=_int(_decode(EPC_POWER, values.get(EPC_POWER), scaled=True)),
            current_r_a=_float(currents.get("r_phase")),
            current_t_a=_float(currents.get("t_phase")),
            import_kwh=self._counters[Direction.IMPORT].update(import_raw),
            export_kwh=self._counters[Direction.EXPORT].update(export_raw),
            import_raw=import_raw,
            export_raw=export_raw,
        )

    async def read_fixed_time(self) -> FixedTimeReading:
        """The latest 30-minute values EA/EB, on request."""
        scale = await self.energy_scale()
        epcs = [epc for epc in (EPC_FIXED_IMPORT, EPC_FIXED_EXPORT) if epc not in self._unsupported]
        answer = await self._get(epcs)
        self._unsupported |= answer.missing & {EPC_FIXED_EXPORT}
        return self._fixed_time(answer.values, scale, notified=False)

    async def read_history(self, day: date) -> DayHistory:
        """The 48 half-hourly cumulative values of `day` (today or one of the 99 days before, by the meter's date).

        E5 counts days back from the meter's own date, so the meter's date (0x98, read with the history) decides;
        our clock only gives the first guess. `ValueRangeError` for a day the meter cannot hold.
        """
        scale = await self.energy_scale()
        async with self._history_lock:
            if self._day_offset is None:
                self._day_offset = await self._learn_day_offset()
            for _attempt in range(3):
                offset = self._day_offset
                days_ago = (self._timing.now().date() + timedelta(days=offset) - day).days
                if not 0 <= days_ago < HISTORY_DAYS:
                    raise ValueRangeError(f"the meter keeps history for today and the {HISTORY_DAYS - 1} days before")
                answer = await self._request(
                    ESV.SETC, (Property(EPC_HISTORY_DAY, bytes((days_ago,))),), self.timeouts.small
                )
                if answer.esv is not ESV.SET_RES:
                    raise UnsupportedError(f"the meter refused E5 = {days_ago}")
                epcs = [
                    epc for epc in (EPC_HISTORY_IMPORT, EPC_HISTORY_EXPORT, EPC_DATE) if epc not in self._unsupported
                ]
                values = await self._get(epcs, within=self.timeouts.large)
                self._unsupported |= values.missing & {EPC_HISTORY_EXPORT, EPC_DATE}
                normal = _mapping(_decode(EPC_HISTORY_IMPORT, values.values.get(EPC_HISTORY_IMPORT)))
                if not normal:
                    raise UnsupportedError("the meter gave no historical data (E2)")
                meter_today = _decode(EPC_DATE, values.values.get(EPC_DATE))
                if isinstance(meter_today, date):
                    self._day_offset = (meter_today - self._timing.now().date()).days
                if normal.get("day") == days_ago and self._day_offset == offset:
                    reverse = _mapping(_decode(EPC_HISTORY_EXPORT, values.values.get(EPC_HISTORY_EXPORT)))
                    return _day_history(day, days_ago, scale, normal, reverse)
                _LOGGER.debug(
                    "history answer for day %s of %s, asked %s: retrying", normal.get("day"), meter_today, days_ago
                )
        raise ProtocolError(f"the meter's history did not stay on {day.isoformat()}")

    async def _learn_day_offset(self) -> int:
        """Days between the meter's date (0x98) and ours; 0 when the meter does not tell."""
        answer = await self._get((EPC_DATE,))
        meter_today = _decode(EPC_DATE, answer.values.get(EPC_DATE))
        if not isinstance(meter_today, date):
            self._unsupported.add(EPC_DATE)
            return 0
        offset = (meter_today - self._timing.now().date()).days
        if offset:
            _LOGGER.info("the meter's date is %+d days from ours; history days follow the meter", offset)
        return offset

    # -------------------------------------------------------------------------------------------- requests
    async def _get(self, epcs: Iterable[int], *, within: float | None = None) -> _Answer:
        frame = await self._request(ESV.GET, tuple(Property(epc) for epc in epcs), within or self.timeouts.small)
        values = {prop.epc: prop.edt for prop in frame.properties if prop.edt}
        missing = frozenset(prop.epc for prop in frame.properties if not prop.edt)
        if frame.esv is ESV.GET_SNA and missing:
            _LOGGER.debug("meter answered SNA for %s", ", ".join(f"0x{epc:02X}" for epc in sorted(missing)))
        return _Answer(values, missing)

    async def _request(self, esv: ESV, properties: tuple[Property, ...], within: float) -> Frame:
        async with self._lock:
            self._tid = self._tid % 0xFFFF + 1
            payload = Frame(self._tid, CONTROLLER, METER, esv, properties).encode()
            future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
            self._pending = _Pending(self._tid, RESPONSES[esv], future)
            attempts = self.timeouts.retries + 1
            try:
                for attempt in range(attempts):
                    try:
                        await self.session.send(payload, within=within)
                    except (TransmitLimitedError, AuthError):
                        raise
                    except HemsError as err:  # the link dropped: the next attempt waits for it to come back
                        if attempt + 1 == attempts:
                            raise
                        _LOGGER.debug("sending %s failed (%s); retrying", esv.name, err)
                        continue
                    try:
                        async with asyncio.timeout(self._timing.timeout(within)):
                            return await asyncio.shield(future)
                    except TimeoutError:
                        _LOGGER.debug("no answer to %s (TID %04X), attempt %d", esv.name, self._tid, attempt + 1)
            finally:
                self._pending = None
        epcs = " ".join(f"{prop.epc:02X}" for prop in properties)
        raise RequestTimeoutError(f"the meter did not answer {esv.name} {epcs} ({attempts} attempts of {within} s)")

    # -------------------------------------------------------------------------------------------- receiving
    def _on_frame(self, payload: bytes) -> None:
        try:
            frame = decode_format1(payload)
        except ProtocolError as err:
            _LOGGER.debug("undecodable frame from the meter dropped: %s", err)
            return
        if frame.seoj != METER:
            _LOGGER.debug("frame from %s (not the meter object) dropped", frame.seoj)
            return
        if frame.esv in (ESV.INF, ESV.INFC):
            self._on_notification(frame, payload)
            return
        pending = self._pending
        if pending is None or frame.tid != pending.tid or frame.esv not in pending.accept or pending.future.done():
            _LOGGER.debug("unmatched or duplicate answer (TID %04X, %s) dropped", frame.tid, frame.esv.name)
            return
        pending.future.set_result(frame)

    def _on_notification(self, frame: Frame, payload: bytes) -> None:
        if frame.esv is ESV.INFC:
            answer = Frame(
                frame.tid, CONTROLLER, frame.seoj, ESV.INFC_RES, tuple(Property(p.epc) for p in frame.properties)
            )
            self._spawn(self._send_quietly(answer.encode(), "INFC_Res"))
        key = (frame.tid, payload)
        if key in self._recent:
            _LOGGER.debug("duplicate notification (TID %04X) dropped", frame.tid)
            return
        self._recent.append(key)
        values = {prop.epc: prop.edt for prop in frame.properties if prop.edt}
        if EPC_FIXED_IMPORT in values or EPC_FIXED_EXPORT in values:
            self._spawn(self._deliver_fixed_time(values))

    async def _deliver_fixed_time(self, values: dict[int, bytes]) -> None:
        try:
            scale: EnergyScale | None = await self.energy_scale()
        except HemsError as err:
            _LOGGER.warning("30-minute values without a unit: %s", err)
            scale = None
        reading = self._fixed_time(values, scale, notified=True)
        self.latest_fixed_time = reading
        for listener in list(self._listeners):
            try:
                listener(reading)
            except Exception:
                _LOGGER.exception("fixed-time listener failed")

    async def _send_quietly(self, payload: bytes, what: str) -> None:
        try:
            await self.session.send(payload, within=self.timeouts.small)
        except HemsError as err:
            _LOGGER.warning("%s not sent: %s", what, err)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _fixed_time(
        self, values: Mapping[int, bytes], scale: EnergyScale | None, *, notified: bool
    ) -> FixedTimeReading:
        return FixedTimeReading(
            received_at=self._timing.now(),
            import_energy=_timed_energy(values.get(EPC_FIXED_IMPORT), EPC_FIXED_IMPORT, scale),
            export_energy=_timed_energy(values.get(EPC_FIXED_EXPORT), EPC_FIXED_EXPORT, scale),
            notified=notified,
        )


# ------------------------------------------------------------------------------------------------- decoding
def _decode(epc: int, edt: bytes | None, *, scaled: bool = False) -> Value:
    """An EDT through the 0x0288 class spec (raw counts unless `scaled`); None when absent or malformed."""
    if edt is None:
        return None
    try:
        return property_spec(METER_CLASS, epc).decode(edt, scaled=scaled)
    except ProtocolError as err:
        _LOGGER.warning("malformed EDT for 0x%02X dropped: %s", epc, err)
        return None


def _int(value: Value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _mapping(value: Value) -> Mapping[str, Value]:
    return value if isinstance(value, Mapping) else {}


def _timed_energy(edt: bytes | None, epc: int, scale: EnergyScale | None) -> TimedEnergy | None:
    decoded = _mapping(_decode(epc, edt))
    moment = decoded.get("date_and_time")
    if not isinstance(moment, datetime):
        return None
    raw = _int(decoded.get("electric_energy"))
    return TimedEnergy(moment.replace(tzinfo=JST), raw, scale.to_kwh(raw) if scale is not None else None)


def _day_history(
    day: date, days_ago: int, scale: EnergyScale, normal: Mapping[str, Value], reverse: Mapping[str, Value]
) -> DayHistory:
    imports = _series(normal.get("electric_energy"))
    exports = _series(reverse.get("electric_energy"))
    midnight = datetime.combine(day, time(0), JST)
    slots = tuple(
        HistorySlot(
            measured_at=midnight + timedelta(minutes=30 * index),
            import_raw=imports[index],
            export_raw=exports[index],
            import_kwh=scale.to_kwh(imports[index]),
            export_kwh=scale.to_kwh(exports[index]),
        )
        for index in range(SLOTS_PER_DAY)
    )
    return DayHistory(day, days_ago, scale, slots)


def _series(value: Value) -> list[int | None]:
    items = list(value) if isinstance(value, tuple) else []
    series = [_int(item) for item in items[:SLOTS_PER_DAY]]
    return series + [None] * (SLOTS_PER_DAY - len(series))
