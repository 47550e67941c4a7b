"""When a rolling plan must be made again: only when its inputs moved (issue 14, "Every scenario, in a budget").

A plan covers 48 h, and half an hour later most of it still holds: the forecast of the slots it shares with a new
plan is the same unless a nowcast or a new forecast issue moved it, and the stored energy is where the plan said it
would be unless the home did something else than planned. Solving again then gives the same first slot at the cost
of a MILP. ``replan_reason`` compares what a new plan would be made from with what the current one was made from and
says why a new plan is needed, or None when the current plan's next slot can be executed as it is.

Pure: the caller keeps the plan and the inputs it was made from; the comfort safety rules of the caller still run
every step, whatever this says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .planner import Plan, PlanInputs, PlannerSettings, PlanState, shared_slots


class ReplanReason(StrEnum):
    """Why a new plan is made."""

    NO_PLAN = "no_plan"  # none yet, or the last one was inactive
    AGE = "age"  # the plan is ``replan_max_age_slots`` old (its horizon shrank, its on/off slots run out)
    STATE = "state"  # battery, tank or EV energy off the plan's trajectory
    FORECAST = "forecast"  # the PV, load or hot-water forecast of the coming slots moved, or its error model did
    HORIZON = "horizon"  # the inputs do not line up with the plan (another slot length, a jump back in time)
    RECOURSE = "recourse"  # the plan's slot for now is one PV scenario's recourse, not a decision for all of them


@dataclass(frozen=True, slots=True)
class ReplanCheck:
    """The measured deviations behind a decision (for logs and the benchmark's statistics)."""

    reason: ReplanReason | None
    offset: int  # slots since the plan's first slot
    state_kwh: float  # largest stored-energy deviation from the plan's trajectory
    forecast_kwh: float  # change of the net exogenous energy (PV − load) over the near window, absolute per slot
    draws_kwh_th: float  # change of the hot-water draws over the near window


def _offset(planned: PlanInputs, inputs: PlanInputs) -> int | None:
    """Whole slots from the plan's start to the new inputs' start, None if they do not line up."""
    if planned.slot_minutes != inputs.slot_minutes:
        return None
    seconds = (inputs.start - planned.start).total_seconds()
    slot_s = inputs.slot_minutes * 60
    if seconds < 0 or seconds % slot_s:
        return None
    return int(seconds // slot_s)


def _state_deviation(plan: Plan, offset: int, state: PlanState) -> float:
    """Largest |measured − planned| stored energy at the start of slot `offset` (the end of the slot before)."""
    if offset == 0:
        return 0.0
    slot = plan.slots[offset - 1]
    return max(
        abs(state.battery_kwh - slot.battery_kwh),
        abs(state.tank_kwh_th - slot.tank_kwh_th),
        abs(state.ev_kwh - slot.ev_kwh),
    )


def _hedged_slots(planned: PlanInputs) -> int:
    """Slots of a plan decided for every PV scenario alike (``planner.shared_slots``: the firm slots, and at night
    every slot until the sun is up). Beyond them a two-stage plan's slots are its median scenario's recourse: right
    only if the day turns out median, so they are not executed without a new plan. A plan without a learned PV
    error has one scenario, and every slot is its decision."""
    if planned.pv_error.sd <= 0.0:
        return len(planned.pv_kw)
    return shared_slots(planned)


def _window_change(old: tuple[float, ...], new: tuple[float, ...], offset: int, window: int, dt_h: float) -> float:
    """Σ |new − old| over the first `window` slots the two series share (energy, series in power per slot)."""
    shared = min(window, len(new), len(old) - offset)
    if shared <= 0:
        return 0.0
    return float(np.abs(np.asarray(new[:shared]) - np.asarray(old[offset : offset + shared])).sum() * dt_h)


def replan_check(
    plan: Plan | None,
    planned: PlanInputs | None,
    inputs: PlanInputs,
    state: PlanState,
    settings: PlannerSettings,
) -> ReplanCheck:
    """Whether (and why) to plan again from `inputs` and `state` rather than execute `plan`'s slot for now.

    `planned` are the inputs `plan` was made from. The forecast is compared over the next ``on_off_slots`` slots
    (the ones a plan decides on/off, where a change moves a decision about to be executed); the far horizon is
    refreshed by the age limit and by every re-plan the near window triggers."""
    if plan is None or planned is None or not plan.active:
        return ReplanCheck(ReplanReason.NO_PLAN, 0, 0.0, 0.0, 0.0)
    offset = _offset(planned, inputs)
    if offset is None or offset >= len(plan.slots):
        return ReplanCheck(ReplanReason.HORIZON, offset or 0, 0.0, 0.0, 0.0)
    dt_h = inputs.slot_minutes / 60.0
    window = max(settings.on_off_slots, 1)
    old_net = tuple(p - q for p, q in zip(planned.pv_kw, planned.load_kw, strict=True))
    new_net = tuple(p - q for p, q in zip(inputs.pv_kw, inputs.load_kw, strict=True))
    deviation = _state_deviation(plan, offset, state)
    forecast = _window_change(old_net, new_net, offset, window, dt_h)
    draws = _window_change(planned.hot_water_kwh_th, inputs.hot_water_kwh_th, offset, window, 1.0)
    reason: ReplanReason | None = None
    if offset >= max(settings.replan_max_age_slots, 1):
        reason = ReplanReason.AGE
    elif offset >= _hedged_slots(planned):
        reason = ReplanReason.RECOURSE
    elif deviation > settings.replan_state_tolerance_kwh:
        reason = ReplanReason.STATE
    elif (
        forecast > settings.replan_forecast_tolerance_kwh
        or draws > settings.replan_forecast_tolerance_kwh
        or inputs.pv_error != planned.pv_error
    ):
        reason = ReplanReason.FORECAST
    return ReplanCheck(reason, offset, deviation, forecast, draws)
