"""Solar charge around the planner: the plan's inputs from the home's outlook and settings, and what the plan says in
forms a user (or an automation, or a conversation agent) can read — device runs, the reason now, a status.

Pure: the caller gives the time, the outlook and the settings; nothing here reads a device or the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from .devices import WaterHeaterParams
from .guards import GuardCondition, GuardEffect
from .planner import EVTrip, Plan, PlanInputs, Reason, SlotPlan
from .pv_outlook import OutlookSlot
from .tariff import JST

SLOT = timedelta(minutes=30)
HORIZON_SLOTS = 96  # 48 h
_RUNNING_KW = 0.05
# A typical day's hot-water heat draw per 30-minute slot (kWh_th): mornings and a long evening bath peak. Used until the
# EcoCute's own history can be read (the planner only needs the shape and the total: ~11 kWh_th a day for 4 people).
_DRAW_PROFILE: tuple[float, ...] = (
    *([0.0] * 12),  # 00-06
    *([0.45] * 4),  # 06-08 washing
    *([0.1] * 20),  # 08-18
    *([0.9] * 8),  # 18-22 bath and showers
    *([0.2] * 4),  # 22-24
)
_DEFAULT_LOAD_KW = 0.4


class Device(StrEnum):
    """The devices solar charge plans."""

    WATER_HEATER = "water_heater"
    BATTERY = "battery"
    EV = "ev"


@dataclass(frozen=True, slots=True)
class EVSchedule:
    """The car's usual day: it leaves at `departure` needing `target_kwh` in its battery and is back at `arrival`
    having used `trip_kwh`. A one-off trip replaces the next departure."""

    departure: time = time(7, 30)
    arrival: time = time(18, 0)
    target_kwh: float = 30.0
    trip_kwh: float = 8.0


@dataclass(frozen=True, slots=True)
class Run:
    """A planned run of one device: [start, end) at `mean_kw` (battery: + charging), for its reason."""

    device: Device
    start: datetime
    end: datetime
    mean_kw: float
    reason: Reason

    @property
    def energy_kwh(self) -> float:
        """Energy of the run."""
        return self.mean_kw * (self.end - self.start).total_seconds() / 3600.0


def slot_start(now: datetime) -> datetime:
    """The start of the 30-minute slot holding `now` (JST)."""
    local = now.astimezone(JST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + SLOT * ((local - midnight) // SLOT)


def _ev_trips(start: datetime, schedule: EVSchedule, one_off: tuple[datetime, float] | None) -> tuple[EVTrip, ...]:
    """The trips of the next three days as slot indices from `start` (a one-off trip replaces the next one).

    A trip under way at `start` (left before, back after) is kept with a negative departure slot: the car is away
    until it is back and its trip energy is debited then. Dropping it had the plan see the car at home all day and
    plan PV-surplus charging into an empty driveway (measured in the closed loop, issue 13).
    """
    trips: list[EVTrip] = []
    day0 = start.astimezone(JST).replace(hour=0, minute=0, second=0, microsecond=0)
    departed = False  # whether the next departure (the one a one-off trip replaces) is already among `trips`
    for day in range(-1, 3):
        base = day0 + timedelta(days=day)
        depart = base.replace(hour=schedule.departure.hour, minute=schedule.departure.minute)
        arrive = base.replace(hour=schedule.arrival.hour, minute=schedule.arrival.minute)
        if arrive <= depart:
            arrive += timedelta(days=1)
        target = schedule.target_kwh
        if one_off is not None and not departed and one_off[0] >= start and depart >= start:
            depart, target = one_off[0].astimezone(JST), one_off[1]
            arrive = max(arrive, depart + SLOT)
        if arrive <= start:
            continue
        departed = departed or depart >= start
        trips.append(EVTrip(int((depart - start) // SLOT), int((arrive - start) // SLOT), target, schedule.trip_kwh))
    return tuple(trips)


def plan_inputs(
    now: datetime,
    outlook: Sequence[OutlookSlot],
    *,
    ambient_c: float = 15.0,
    ev: EVSchedule | None = None,
    one_off_trip: tuple[datetime, float] | None = None,
    heater: WaterHeaterParams | None = None,
) -> PlanInputs:
    """The planner's inputs for the 48 hours from the slot of `now`: PV and expected load from the outlook (the load
    falls back to a flat typical value where the outlook has none yet), a typical hot-water draw scaled to the tank,
    the car's trips."""
    start = slot_start(now)
    by_start = {slot.start.astimezone(JST): slot for slot in outlook}
    pv, load, draws = [], [], []
    scale = (heater.tank_l / 370.0) if heater is not None else 1.0
    for index in range(HORIZON_SLOTS):
        when = start + SLOT * index
        slot = by_start.get(when)
        pv.append(slot.pv_kw if slot is not None else 0.0)
        load.append(slot.load_kw if slot is not None and slot.load_kw is not None else _DEFAULT_LOAD_KW)
        local = when.astimezone(JST)
        draws.append(_DRAW_PROFILE[local.hour * 2 + local.minute // 30] * scale)
    return PlanInputs(
        start=start,
        pv_kw=tuple(pv),
        load_kw=tuple(load),
        ambient_c=(ambient_c,) * HORIZON_SLOTS,
        hot_water_kwh_th=tuple(draws),
        ev_trips=_ev_trips(start, ev, one_off_trip) if ev is not None else (),
    )


def _power(slot: SlotPlan, device: Device) -> float:
    return {Device.WATER_HEATER: slot.heat_kw, Device.BATTERY: slot.battery_kw, Device.EV: slot.ev_kw}[device]


def reason(slot: SlotPlan, device: Device) -> Reason:
    """Why `device` does what it does in `slot`."""
    return {
        Device.WATER_HEATER: slot.heat_reason,
        Device.BATTERY: slot.battery_reason,
        Device.EV: slot.ev_reason,
    }[device]


def runs(plan: Plan, device: Device) -> list[Run]:
    """The device's planned runs: consecutive slots with power (battery: charging or discharging), same direction."""
    found: list[Run] = []
    current: list[SlotPlan] = []

    def close() -> None:
        if current:
            mean = sum(_power(s, device) for s in current) / len(current)
            found.append(Run(device, current[0].start, current[-1].start + SLOT, mean, reason(current[0], device)))
            current.clear()

    for slot in plan.slots:
        power = _power(slot, device)
        if abs(power) < _RUNNING_KW or (current and (power > 0) != (_power(current[0], device) > 0)):
            close()
        if abs(power) >= _RUNNING_KW:
            current.append(slot)
    close()
    return found


def next_start(plan: Plan, device: Device, now: datetime) -> datetime | None:
    """When the device's next run starts (None: no run planned after now)."""
    return next((run.start for run in runs(plan, device) if run.start > now), None)


def current_slot(plan: Plan, now: datetime) -> SlotPlan | None:
    """The slot of `now` (None when the plan does not cover it)."""
    return next((slot for slot in plan.slots if slot.start <= now < slot.start + SLOT), None)


class StatusKey(StrEnum):
    """The status sentence's translation key (the Home Assistant side words it in en and ja)."""

    OFF = "off"  # the master switch is off: a dry run
    BLOCKED = "blocked"  # a guard turns solar charge off
    STORM_RESERVE = "storm_reserve"
    NO_HISTORY = "no_history"
    PAUSED = "paused"
    RUNNING = "running"
    IDLE = "idle"
    NO_PLAN = "no_plan"


@dataclass(frozen=True, slots=True)
class Status:
    """A status: its key and the values its sentence shows."""

    key: StatusKey
    device: Device | None = None
    start: datetime | None = None
    end: datetime | None = None
    surplus_kwh: float | None = None
    guard: str | None = None


def status(
    plan: Plan | None,
    now: datetime,
    *,
    control_on: bool,
    paused: Device | None = None,
    surplus_kwh: float | None = None,
) -> Status:
    """The one sentence that says what solar charge does now (the most important thing first)."""
    if plan is None:
        return Status(StatusKey.NO_PLAN)
    held = _held(plan, paused)
    if held is not None:
        return held
    upcoming = sorted(
        (run for device in Device for run in runs(plan, device) if run.end > now and run.mean_kw > 0),
        key=lambda run: run.start,
    )
    first = upcoming[0] if upcoming else None
    if not control_on:
        return Status(
            StatusKey.OFF,
            device=first.device if first else None,
            start=first.start if first else None,
            end=first.end if first else None,
        )
    if first is None:
        hedged = _first(plan.guards, GuardEffect.HEDGE_HARDER) is not None
        return Status(StatusKey.NO_HISTORY if hedged else StatusKey.IDLE)
    return Status(StatusKey.RUNNING, device=first.device, start=first.start, end=first.end, surplus_kwh=surplus_kwh)


def _held(plan: Plan, paused: Device | None) -> Status | None:
    """A status that overrides the plan's runs: a blocking guard, a paused device, the storm reserve."""
    blocking = _first(plan.guards, GuardEffect.PLANNER_OFF)
    if blocking is not None:
        return Status(StatusKey.BLOCKED, guard=blocking.key.value)
    if paused is not None:
        return Status(StatusKey.PAUSED, device=paused)
    if _first(plan.guards, GuardEffect.RESERVE_FULL) is not None:
        return Status(StatusKey.STORM_RESERVE)
    return None


def _first(guards: Sequence[GuardCondition], effect: GuardEffect) -> GuardCondition | None:
    return next((guard for guard in guards if guard.effect is effect), None)


def explain(plan: Plan, now: datetime) -> dict[str, dict[str, object]]:
    """Per device: what it does now, why (a reason key), its next run, and what would change it (plain data, the form
    a conversation agent reads)."""
    slot = current_slot(plan, now)
    result: dict[str, dict[str, object]] = {}
    for device in Device:
        planned = runs(plan, device)
        if all(reason(s, device) is Reason.NOT_INSTALLED for s in plan.slots[:1]):
            continue
        upcoming = next((run for run in planned if run.end > now), None)
        result[device.value] = {
            "power_kw_now": round(_power(slot, device), 3) if slot else 0.0,
            "reason_now": reason(slot, device).value if slot else Reason.PLANNER_OFF.value,
            "next_run": None
            if upcoming is None
            else {
                "start": upcoming.start.isoformat(),
                "end": upcoming.end.isoformat(),
                "mean_kw": round(upcoming.mean_kw, 3),
                "reason": upcoming.reason.value,
            },
            "would_change_it": _what_would_change(reason(slot, device) if slot else Reason.PLANNER_OFF),
        }
    result["guards"] = {
        guard.key.value: {"ok": guard.ok, "value": guard.value, "effect": guard.effect.value} for guard in plan.guards
    }
    return result


# What would change a decision, as keys (no user-facing text in the library; the keys are plain enough for a
# conversation agent, and the Home Assistant side can word them).
_CHANGES: dict[Reason, str] = {
    Reason.PLANNER_OFF: "guard_condition_or_master_switch",
    Reason.HEAT_OFF_TANK_SUFFICIENT: "more_hot_water_used_than_expected",
    Reason.HEAT_OFF_SELLING_PAYS_MORE: "sell_price_below_night_price",
    Reason.HEAT_OFF_CHEAPER_LATER: "less_pv_surplus_than_forecast",
    Reason.EV_AWAY: "car_comes_home",
    Reason.EV_IDLE_TARGET_MET: "higher_target_or_earlier_departure",
    Reason.EV_IDLE_CHEAPER_LATER: "less_pv_surplus_or_earlier_departure",
    Reason.BATTERY_HOLD: "pv_surplus_or_higher_price_band",
}


def _what_would_change(current: Reason) -> str:
    return _CHANGES.get(current, "different_pv_forecast_tariff_band_or_demand")


def plan_as_dict(plan: Plan) -> dict[str, object]:
    """The plan as plain data (attributes, action responses): 30-minute slots with powers, states and reasons."""
    return {
        "created": plan.created.isoformat(),
        "active": plan.active,
        "expected_cost_yen": round(plan.expected_cost_yen, 1),
        "solve_ms": round(plan.solve_ms, 1),
        "slots": [
            {
                "start": slot.start.isoformat(),
                "pv_kw": round(slot.pv_kw, 3),
                "load_kw": round(slot.load_kw, 3),
                "buy_price": round(slot.buy_price, 2),
                "heat_kw": round(slot.heat_kw, 3),
                "battery_kw": round(slot.battery_kw, 3),
                "ev_kw": round(slot.ev_kw, 3),
                "grid_kw": round(slot.grid_kw, 3),
                "tank_kwh_th": round(slot.tank_kwh_th, 2),
                "battery_kwh": round(slot.battery_kwh, 2),
                "ev_kwh": round(slot.ev_kwh, 2),
            }
            for slot in plan.slots
        ],
    }
