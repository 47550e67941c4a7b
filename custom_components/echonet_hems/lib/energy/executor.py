"""The solar-charge executor: the plan's current slot → ECHONET property writes, safely.

Pure: no I/O, the clock is the ``now`` argument. ``step`` compares what ``commands.desired`` asks of each device with
what the device reports and what we wrote before, and returns the writes to make, the events to log and the new
state. The Home Assistant layer performs the writes, reports each outcome back with ``confirmed`` / ``failed``, calls
``data_received`` when meter/PV data arrives, and stores ``ExecutorState.as_dict()`` across restarts. The rules and
why they are so: docs/solar_charge.md, "The executor".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from ..echonet.specs.datatypes import Value
from .commands import (
    EPC_HEATING_SETTING,
    EPC_OPERATION_MODE,
    HEAT_AUTO,
    HEAT_MANUAL,
    WATCHED,
    Capabilities,
    Comfort,
    DeviceMode,
    DeviceRole,
    ExecutorReason,
    Intent,
    Setting,
    desired,
    setting_of,
    watched_value,
)
from .planner import Plan, SlotPlan
from .tariff import JST

type Json = str | int | float | bool | None | list[Json] | dict[str, Json]

_STATE_VERSION: Final = 1


class HandBackReason(StrEnum):
    """Why a device was handed back to its own automatic operation."""

    MASTER_OFF = "master_off"
    STOPPED = "stopped"  # the integration unloads or Home Assistant stops (the master switch may well be on)
    PLAN_STALE = "plan_stale"
    DATA_STALE = "data_stale"
    PLANNER_OFF = "planner_off"
    NO_SLOT = "no_slot"
    MODE_OFF = "mode_off"
    WRITE_CAP = "write_cap"


class EventKind(StrEnum):
    """What the logbook, notifications and repairs hear about."""

    WROTE = "wrote"
    HAND_CHANGE_PAUSED = "hand_change_paused"
    ANOTHER_CONTROLLER = "another_controller"
    WRITE_CAP_REACHED = "write_cap_reached"
    HANDED_BACK = "handed_back"
    RESUMED = "resumed"


class PauseReason(StrEnum):
    """Why we keep our hands off a device until ``Pause.until`` (or until resumed)."""

    HAND_CHANGE = "hand_change"
    WRITE_CAP = "write_cap"


class WriteStatus(StrEnum):
    """The outcome of one write as the HA layer reported it."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"


# ------------------------------------------------------------------------------------------------------------ state
@dataclass(frozen=True, slots=True)
class WriteRecord:
    """One value we wrote: what we asked, what the device held after it (read back), when, and the outcome."""

    value: Setting
    at: datetime
    status: WriteStatus = WriteStatus.PENDING
    held: Setting | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    """Hands off a device until `until` (None: until resumed)."""

    reason: PauseReason
    until: datetime | None


@dataclass(frozen=True, slots=True)
class DeviceState:
    """What the executor remembers of one device."""

    controlling: bool = False  # we changed it and have not handed it back
    baseline: Mapping[int, Setting] = field(default_factory=dict)  # values before we first touched each EPC
    written: Mapping[int, WriteRecord] = field(default_factory=dict)
    writes_today: int = 0
    writes_day: date | None = None  # the JST day `writes_today` counts
    paused: Pause | None = None
    seen: Mapping[int, Setting] = field(default_factory=dict)  # last reported values of the watched EPCs
    foreign: tuple[datetime, ...] = ()  # recent changes nobody of ours made


@dataclass(frozen=True, slots=True)
class ExecutorState:
    """Everything the executor needs across steps and restarts."""

    devices: Mapping[DeviceRole, DeviceState] = field(default_factory=dict)
    last_plan: datetime | None = None  # creation time of the last plan seen
    last_data: datetime | None = None  # the last fresh meter/PV data

    def device(self, role: DeviceRole) -> DeviceState:
        """The state of one device (fresh when never seen)."""
        return self.devices.get(role) or DeviceState()

    def with_device(self, role: DeviceRole, device: DeviceState) -> ExecutorState:
        """A copy with one device's state replaced."""
        return replace(self, devices={**self.devices, role: device})

    def as_dict(self) -> dict[str, Json]:
        """A JSON-able form for storage."""
        return {
            "version": _STATE_VERSION,
            "last_plan": _iso(self.last_plan),
            "last_data": _iso(self.last_data),
            "devices": {role.value: _device_dict(device) for role, device in self.devices.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ExecutorState:
        """The state `as_dict` stored; `ValueError` when the data is not such a state."""
        if data.get("version") != _STATE_VERSION:
            raise ValueError("unknown executor state version")
        try:
            devices = _mapping(data.get("devices"))
            return cls(
                devices={DeviceRole(role): _device_from(_mapping(value)) for role, value in devices.items()},
                last_plan=_time_or_none(data.get("last_plan")),
                last_data=_time_or_none(data.get("last_data")),
            )
        except TypeError as err:
            raise ValueError(f"malformed executor state: {err}") from err


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    """The master switch and the safety limits."""

    enabled: bool = False  # the master switch: control ships off (a dry run until the user turns it on)
    stopping: bool = False  # unload or shutdown: every device is handed back, whatever the switch says
    max_writes_per_day: int = 24  # per device; settings often live in EEPROM
    plan_max_age: timedelta = timedelta(hours=1)
    data_max_age: timedelta = timedelta(minutes=10)
    foreign_changes: int = 3  # this many foreign changes within `foreign_window` = another controller
    foreign_window: timedelta = timedelta(minutes=30)
    retry_after: timedelta = timedelta(minutes=5)  # a failed write is tried again after this
    # A value we wrote stays at least this long before the plan may change it again (comfort, forced modes and
    # hand-backs excepted): re-planning every 5 minutes otherwise flips a battery between charge, hold and discharge
    # around dawn and spends the day's write budget by mid-morning (measured in the closed loop: 24 writes by 10:00).
    min_dwell: timedelta = timedelta(hours=1)
    power_step_w: int = 500
    prefer_device_timers: bool = True
    # Leave the battery in its own automatic (self-consumption) mode while the plan charges from PV surplus or covers
    # the house; write only grid charging and holding (see `commands._battery`).
    battery_automatic: bool = True
    comfort: Comfort = field(default_factory=Comfort)


@dataclass(frozen=True, slots=True)
class Write:
    """A property value to write to one device."""

    role: DeviceRole
    epc: int
    value: Setting
    reason: str


@dataclass(frozen=True, slots=True)
class Event:
    """Something to log or notify; `detail` is a reason key, an EPC (``0xDA``) or a count."""

    kind: EventKind
    role: DeviceRole
    detail: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one step."""

    writes: tuple[Write, ...]
    events: tuple[Event, ...]
    new_state: ExecutorState


# ------------------------------------------------------------------------------------------------------------- step
def current_slot(plan: Plan | None, now: datetime) -> tuple[SlotPlan | None, tuple[SlotPlan, ...]]:
    """(the slot `now` lies in, the slots after it) of `plan`."""
    if plan is None:
        return None, ()
    for index, slot in enumerate(plan.slots):
        end = plan.slots[index + 1].start if index + 1 < len(plan.slots) else slot.start + timedelta(minutes=30)
        if slot.start <= now < end:
            return slot, plan.slots[index + 1 :]
    return None, ()


def _next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(JST).date() + timedelta(days=1), time(0), tzinfo=JST)


def _global_hand_back(
    state: ExecutorState, now: datetime, plan: Plan | None, settings: ExecutorSettings
) -> HandBackReason | None:
    if settings.stopping:
        return HandBackReason.STOPPED
    if not settings.enabled:
        return HandBackReason.MASTER_OFF
    if state.last_data is None or now - state.last_data > settings.data_max_age:
        return HandBackReason.DATA_STALE
    if plan is None or now - plan.created > settings.plan_max_age:
        return HandBackReason.PLAN_STALE
    if not plan.active:
        return HandBackReason.PLANNER_OFF
    return None


def step(
    state: ExecutorState,
    now: datetime,
    plan: Plan | None,
    observed: Mapping[DeviceRole, Mapping[int, Value]],
    modes: Mapping[DeviceRole, DeviceMode],
    caps: Mapping[DeviceRole, Capabilities],
    settings: ExecutorSettings,
) -> Decision:
    """One pass over every device in `caps`: watch, then write, hand back or keep still."""
    if plan is not None:
        state = replace(state, last_plan=plan.created)
    hand_back = _global_hand_back(state, now, plan, settings)
    slot, ahead = current_slot(plan, now)
    writes: list[Write] = []
    events: list[Event] = []
    for role in DeviceRole:
        if role not in caps:
            continue
        seen = observed.get(role, {})
        device, found = _new_day(role, state.device(role), now)
        events.extend(found)
        device, found = _watch(role, device, seen, now, settings)
        events.extend(found)
        mode = modes.get(role, DeviceMode.OFF)
        reason = hand_back or (HandBackReason.MODE_OFF if mode is DeviceMode.OFF else None)
        if reason is None and slot is None and mode is DeviceMode.FOLLOW_PLAN:
            reason = HandBackReason.NO_SLOT
        if device.paused is not None:
            done: tuple[DeviceState, list[Write], list[Event]] = (device, [], [])
        elif reason is not None:
            done = _hand_back(role, device, seen, reason, now, settings)
        else:
            intent = desired(
                role,
                slot,
                mode,
                caps[role],
                seen,
                settings.comfort,
                now,
                ahead=ahead,
                power_step_w=settings.power_step_w,
                prefer_device_timers=settings.prefer_device_timers,
                battery_automatic=settings.battery_automatic,
            )
            done = _carry_out(role, device, intent, seen, now, settings)
        state = state.with_device(role, done[0])
        writes.extend(done[1])
        events.extend(done[2])
    return Decision(tuple(writes), tuple(events), state)


def _new_day(role: DeviceRole, device: DeviceState, now: datetime) -> tuple[DeviceState, list[Event]]:
    today = now.astimezone(JST).date()
    if device.writes_day != today:
        device = replace(device, writes_today=0, writes_day=today)
    pause = device.paused
    if pause is not None and pause.until is not None and now >= pause.until:
        return replace(device, paused=None), [Event(EventKind.RESUMED, role, pause.reason)]
    return device, []


# A device ends some of our commands on its own: a manual heating run stops when the tank is full, a charge stops
# when the car or the battery is full. Those changes are neither a hand change nor another controller.
_SELF_ENDS: Final[Mapping[tuple[DeviceRole, int], frozenset[tuple[Setting, Setting]]]] = {
    (DeviceRole.WATER_HEATER, EPC_HEATING_SETTING): frozenset({(HEAT_MANUAL, HEAT_AUTO)}),
    (DeviceRole.BATTERY, EPC_OPERATION_MODE): frozenset({("charging", "standby"), ("discharging", "standby")}),
    (DeviceRole.EV, EPC_OPERATION_MODE): frozenset({("charge", "standby"), ("charge", "idle")}),
}


def _self_end(role: DeviceRole, epc: int, wrote: Setting, now_value: Setting) -> bool:
    return (wrote, now_value) in _SELF_ENDS.get((role, epc), frozenset())


def _watch(
    role: DeviceRole, device: DeviceState, observed: Mapping[int, Value], now: datetime, settings: ExecutorSettings
) -> tuple[DeviceState, list[Event]]:
    """Note foreign changes and hand changes of the watched properties."""
    seen = dict(device.seen)
    foreign = [when for when in device.foreign if now - when < settings.foreign_window]
    changed_by_hand: list[int] = []
    for epc in WATCHED[role]:
        value = watched_value(observed.get(epc))
        if value is None:
            continue
        before, record = seen.get(epc), device.written.get(epc)
        seen[epc] = value
        ours = record is not None and value in (record.value, record.held)
        ended = record is not None and _self_end(role, epc, record.value, value)
        if before is not None and before != value and not ours and not ended:
            foreign.append(now)
        confirmed_value = record.held if record is not None and record.status is WriteStatus.CONFIRMED else None
        if device.controlling and confirmed_value is not None and value != confirmed_value and not ended:
            changed_by_hand.append(epc)
    events: list[Event] = []
    if len(foreign) >= settings.foreign_changes:
        events.append(Event(EventKind.ANOTHER_CONTROLLER, role, str(len(foreign))))
        foreign = []
    device = replace(device, seen=seen, foreign=tuple(foreign))
    if changed_by_hand and device.paused is None:
        # The user's value stays: nothing is handed back, and the user's setting is the device's own from now on.
        pause = Pause(PauseReason.HAND_CHANGE, _next_midnight(now))
        device = replace(device, controlling=False, baseline={}, written={}, paused=pause)
        detail = ",".join(f"0x{epc:02X}" for epc in changed_by_hand)
        events.append(Event(EventKind.HAND_CHANGE_PAUSED, role, detail))
    return device, events


_URGENT: frozenset[str] = frozenset(
    {
        ExecutorReason.FORCE_ON,
        ExecutorReason.FORCE_OFF,
        ExecutorReason.COMFORT_HOT_WATER,
        ExecutorReason.COMFORT_EV_DEPARTURE,
        ExecutorReason.BATTERY_RESERVE,
        ExecutorReason.EV_NOT_CONNECTED,
    }
)


def _due(record: WriteRecord | None, value: Setting, now: datetime, settings: ExecutorSettings, reason: str) -> bool:
    """Whether `value` must be written given what we wrote before: a new value once the last one has held for
    `min_dwell` (at once for comfort, forced modes and a car that left), a failed one again after `retry_after`."""
    if record is None:
        return True
    if record.value != value:
        settled = record.status is not WriteStatus.CONFIRMED or now - record.at >= settings.min_dwell
        return settled or reason in _URGENT
    return record.status is WriteStatus.FAILED and now - record.at >= settings.retry_after


def _carry_out(
    role: DeviceRole,
    device: DeviceState,
    intent: Intent,
    observed: Mapping[int, Value],
    now: datetime,
    settings: ExecutorSettings,
) -> tuple[DeviceState, list[Write], list[Event]]:
    if not device.controlling:
        device = replace(device, baseline={}, written={})  # a fresh take-over: hand-back records are history
    baseline, written = dict(device.baseline), dict(device.written)
    pending: list[tuple[int, Setting]] = []
    for epc, value in intent.values.items():
        reported = setting_of(observed.get(epc))
        if reported is not None and epc not in baseline:
            baseline[epc] = reported
        if not _due(written.get(epc), value, now, settings, intent.reason):
            continue
        if reported == value:
            written[epc] = WriteRecord(value, now, WriteStatus.CONFIRMED, value)  # already so: nothing to write
            continue
        pending.append((epc, value))
    device = replace(device, baseline=baseline, written=written, controlling=device.controlling or bool(written))
    if not pending:
        return device, [], []
    if device.writes_today + len(pending) > settings.max_writes_per_day:
        device, writes, events = _hand_back(role, device, observed, HandBackReason.WRITE_CAP, now, settings)
        device = replace(device, paused=Pause(PauseReason.WRITE_CAP, _next_midnight(now)))
        return device, writes, [Event(EventKind.WRITE_CAP_REACHED, role, str(device.writes_today)), *events]
    writes = [Write(role, epc, value, intent.reason) for epc, value in pending]
    return _record(device, writes, now, controlling=True), writes, [Event(EventKind.WROTE, role, intent.reason)]


def _record(device: DeviceState, writes: Sequence[Write], now: datetime, *, controlling: bool) -> DeviceState:
    written = {**device.written, **{write.epc: WriteRecord(write.value, now) for write in writes}}
    return replace(device, written=written, writes_today=device.writes_today + len(writes), controlling=controlling)


def _hand_back(
    role: DeviceRole,
    device: DeviceState,
    observed: Mapping[int, Value],
    reason: HandBackReason,
    now: datetime,
    settings: ExecutorSettings,
) -> tuple[DeviceState, list[Write], list[Event]]:
    """Write the baseline back (always allowed, even past the cap: safety over EEPROM wear); retry failed ones."""
    if not device.controlling:
        retry = [
            Write(role, epc, record.value, reason)
            for epc, record in device.written.items()
            if record.status is WriteStatus.FAILED
            and now - record.at >= settings.retry_after
            and setting_of(observed.get(epc)) != record.value
        ]
        return _record(device, retry, now, controlling=False), retry, []
    writes = [
        Write(role, epc, value, reason)
        for epc, value in device.baseline.items()
        if setting_of(observed.get(epc)) != value
    ]
    device = replace(_record(device, writes, now, controlling=False), baseline={})
    return device, writes, [Event(EventKind.HANDED_BACK, role, reason)]


def confirmed(state: ExecutorState, role: DeviceRole, epc: int, value: Setting, now: datetime) -> ExecutorState:
    """The device accepted our write of `epc` and now holds `value` (its read-back)."""
    device = state.device(role)
    record = device.written.get(epc)
    if record is None:
        return state
    written = {**device.written, epc: replace(record, status=WriteStatus.CONFIRMED, held=value)}
    return state.with_device(role, replace(device, written=written, seen={**device.seen, epc: value}))


def failed(state: ExecutorState, role: DeviceRole, epc: int, now: datetime) -> ExecutorState:
    """Our write of `epc` was refused or not answered: it is tried again after ``retry_after``."""
    device = state.device(role)
    record = device.written.get(epc)
    if record is None:
        return state
    written = {**device.written, epc: replace(record, status=WriteStatus.FAILED, at=now)}
    return state.with_device(role, replace(device, written=written))


def resume(state: ExecutorState, role: DeviceRole) -> ExecutorState:
    """End a pause now (the user's "resume")."""
    return state.with_device(role, replace(state.device(role), paused=None))


def data_received(state: ExecutorState, when: datetime) -> ExecutorState:
    """Fresh meter/PV data arrived at `when`."""
    return replace(state, last_data=when)


# ------------------------------------------------------------------------------------------------------ persistence
def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"not a timestamp: {value!r}")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"naive timestamp: {value!r}")
    return when


def _time_or_none(value: object) -> datetime | None:
    return None if value is None else _time(value)


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise TypeError(f"not a mapping: {value!r}")
    return value


def _stored_setting(value: object) -> Setting:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"not a setting: {value!r}")
    return value


def _settings_dict(values: Mapping[int, Setting]) -> dict[str, Json]:
    return {str(epc): value for epc, value in values.items()}


def _settings_from(value: object) -> dict[int, Setting]:
    return {int(epc): _stored_setting(item) for epc, item in _mapping(value).items()}


def _device_dict(device: DeviceState) -> dict[str, Json]:
    pause = device.paused
    return {
        "controlling": device.controlling,
        "baseline": _settings_dict(device.baseline),
        "written": {
            str(epc): {"value": rec.value, "at": rec.at.isoformat(), "status": rec.status.value, "held": rec.held}
            for epc, rec in device.written.items()
        },
        "writes_today": device.writes_today,
        "writes_day": None if device.writes_day is None else device.writes_day.isoformat(),
        "paused": None if pause is None else {"reason": pause.reason.value, "until": _iso(pause.until)},
        "seen": _settings_dict(device.seen),
        "foreign": [when.isoformat() for when in device.foreign],
    }


def _record_from(value: object) -> WriteRecord:
    data = _mapping(value)
    held = data.get("held")
    return WriteRecord(
        value=_stored_setting(data.get("value")),
        at=_time(data.get("at")),
        status=WriteStatus(str(data.get("status"))),
        held=None if held is None else _stored_setting(held),
    )


def _device_from(data: Mapping[str, object]) -> DeviceState:
    pause, day, count, foreign = (
        data.get("paused"),
        data.get("writes_day"),
        data.get("writes_today"),
        data.get("foreign"),
    )
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(foreign, list):
        raise TypeError("malformed device state")
    paused = None
    if pause is not None:
        stored = _mapping(pause)
        paused = Pause(PauseReason(str(stored.get("reason"))), _time_or_none(stored.get("until")))
    return DeviceState(
        controlling=data.get("controlling") is True,
        baseline=_settings_from(data.get("baseline")),
        written={int(epc): _record_from(item) for epc, item in _mapping(data.get("written")).items()},
        writes_today=count,
        writes_day=None if day is None else date.fromisoformat(str(day)),
        paused=paused,
        seen=_settings_from(data.get("seen")),
        foreign=tuple(_time(item) for item in foreign),
    )
