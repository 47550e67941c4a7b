"""The solar-charge executor: capabilities, desired values per device, and every safety rule of ``step``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import json

import pytest

from custom_components.echonet_hems.lib.echonet import ids
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.energy.commands import (
    Capabilities,
    Comfort,
    DeviceMode,
    DeviceRole,
    ExecutorReason,
    PowerRange,
    capabilities_from,
    desired,
)
from custom_components.echonet_hems.lib.energy.executor import (
    Decision,
    EventKind,
    ExecutorSettings,
    ExecutorState,
    HandBackReason,
    PauseReason,
    Write,
    confirmed,
    data_received,
    failed,
    resume,
    step,
)
from custom_components.echonet_hems.lib.energy.planner import Plan, Reason, SlotPlan
from custom_components.echonet_hems.lib.energy.tariff import JST

NOW = datetime(2025, 5, 13, 10, 5, tzinfo=JST)  # a Tuesday morning
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
SLOT_START = NOW.replace(minute=0)
type Observed = Mapping[DeviceRole, Mapping[int, Value]]
RANGE_3KW: Mapping[str, Value] = {"min_value": 0, "max_value": 3000}
EV_RANGE: Mapping[str, Value] = {"minimum_electric_power": 1400, "maximum_electric_power": 6000}

BATTERY = capabilities_from(ids.BATTERY, frozenset({0xDA, 0xEB, 0xEC}), {0xC8: RANGE_3KW, 0xC9: RANGE_3KW})
BATTERY_ON_OFF = capabilities_from(ids.BATTERY, frozenset({0xDA}), {})
HEATER = capabilities_from(ids.WATER_HEATER, frozenset({0xB0, 0xC0}), {})
HEATER_TIMER = capabilities_from(ids.WATER_HEATER, frozenset({0xB0, 0xC0, 0xC7, 0xCA}), {})
V2H = capabilities_from(ids.V2H, frozenset({0xDA, 0xEB}), {0xC8: EV_RANGE})
EV_ON_OFF = capabilities_from(ids.EV_CHARGER, frozenset({0xDA}), {})
COMFORT = Comfort(battery_reserve_percent=10.0, hot_water_reserve_l=100.0)
# The rules are tested on explicit setpoints; the battery-automatic preference has its own tests.
ON = ExecutorSettings(enabled=True, comfort=COMFORT, battery_automatic=False)

AUTO, MANUAL, STOP = (
    "automatic_water_heating_function_used",
    "non_automatic_water_heating_function_used",
    "non_automatic_water_heating_function_stopped",
)


def slot(
    start: datetime = SLOT_START,
    *,
    heat: float = 0.0,
    battery: float = 0.0,
    ev: float = 0.0,
    heat_reason: Reason = Reason.HEAT_OFF_TANK_SUFFICIENT,
    battery_reason: Reason = Reason.BATTERY_HOLD,
    ev_reason: Reason = Reason.EV_IDLE_TARGET_MET,
) -> SlotPlan:
    return SlotPlan(
        start=start,
        heat_kw=heat,
        battery_kw=battery,
        ev_kw=ev,
        grid_kw=0.0,
        pv_kw=0.0,
        load_kw=0.0,
        buy_price=30.0,
        sell_price=8.0,
        tank_kwh_th=0.0,
        battery_kwh=0.0,
        ev_kwh=0.0,
        heat_reason=heat_reason,
        battery_reason=battery_reason,
        ev_reason=ev_reason,
    )


def plan_of(*slots: SlotPlan, created: datetime = NOW, active: bool = True) -> Plan:
    return Plan(created, active, (), slots, 0.0, 0.0, None, 0.0)


def day_plan(**powers: float) -> Plan:
    """48 slots from 00:00 today, every one with the same powers."""
    midnight = NOW.replace(hour=0, minute=0)
    return plan_of(*(slot(midnight + i * timedelta(minutes=30), **powers) for i in range(96)))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------- capabilities
def test_capabilities_of_a_modulating_battery() -> None:
    assert BATTERY.role is DeviceRole.BATTERY
    assert BATTERY.modes == {"charging", "discharging", "standby", "automatic"}
    assert BATTERY.charge_power == PowerRange(0, 3000)
    assert BATTERY.discharge_power == PowerRange(0, 3000)
    assert BATTERY.modulating


@pytest.mark.parametrize(
    ("class_id", "set_map", "ranges", "release", "expected"),
    [
        # Release A batteries know no automatic mode.
        (
            ids.BATTERY,
            {0xDA},
            {},
            "A",
            Capabilities(DeviceRole.BATTERY, ids.BATTERY, frozenset({"charging", "discharging", "standby"})),
        ),
        # A settable power without a reported range: bounded by 0 W only.
        (ids.BATTERY, {0xEB}, {}, None, Capabilities(DeviceRole.BATTERY, ids.BATTERY, frozenset(), PowerRange())),
        (
            ids.V2H,
            {0xDA, 0xEB},
            {0xC8: EV_RANGE},
            None,
            Capabilities(
                DeviceRole.EV, ids.V2H, frozenset({"charge", "standby", "idle", "automatic"}), PowerRange(1400, 6000)
            ),
        ),
        (
            ids.EV_CHARGER,
            {0xDA},
            {},
            None,
            Capabilities(DeviceRole.EV, ids.EV_CHARGER, frozenset({"charge", "standby", "idle"})),
        ),
        (
            ids.WATER_HEATER,
            {0xB0, 0xC0, 0xC7, 0xCA},
            {},
            None,
            Capabilities(
                DeviceRole.WATER_HEATER,
                ids.WATER_HEATER,
                frozenset({AUTO, MANUAL, STOP}),
                daytime_reheat=True,
                shift_timer=True,
            ),
        ),
        # A shift time without the participation property is no timer we can use.
        (
            ids.WATER_HEATER,
            {0xB0, 0xCA},
            {},
            None,
            Capabilities(DeviceRole.WATER_HEATER, ids.WATER_HEATER, frozenset({AUTO, MANUAL, STOP})),
        ),
        # A malformed range (min above max) is ignored.
        (
            ids.EV_CHARGER,
            {0xEB},
            {0xC8: {"a": 5000, "b": 1000}},
            None,
            Capabilities(DeviceRole.EV, ids.EV_CHARGER, frozenset(), PowerRange()),
        ),
    ],
)
def test_capabilities_from_set_map(
    class_id: int, set_map: set[int], ranges: Mapping[int, Value], release: str | None, expected: Capabilities
) -> None:
    caps = capabilities_from(class_id, frozenset(set_map), ranges, release)
    assert caps == replace(expected, modes=frozenset(expected.modes))


def test_capabilities_of_other_classes_are_refused() -> None:
    with pytest.raises(ValueError, match="0x0130"):
        capabilities_from(ids.AIR_CONDITIONER, frozenset({0x80}), {})


# ---------------------------------------------------------------------------------------------- desired values
CHARGE = slot(battery=1.3, battery_reason=Reason.BATTERY_CHARGE_PV_SURPLUS)
DISCHARGE = slot(battery=-1.0, battery_reason=Reason.BATTERY_DISCHARGE)
HEAT = slot(heat=1.2, heat_reason=Reason.HEAT_PV_SURPLUS)
HEAT_LATER = slot(heat_reason=Reason.HEAT_OFF_CHEAPER_LATER)
FULL_TANK: Mapping[int, Value] = {0xE1: 300}
LOW_TANK: Mapping[int, Value] = {0xE1: 60}
DEPART = NOW + 2 * HOUR


@pytest.mark.parametrize(
    ("role", "current", "mode", "caps", "observed", "values", "reason"),
    [
        # Battery: the plan's power on the 500 W step, limited to the device's range; the mode after the power.
        (
            DeviceRole.BATTERY,
            CHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {},
            {0xEB: 1500, 0xDA: "charging"},
            Reason.BATTERY_CHARGE_PV_SURPLUS,
        ),
        (
            DeviceRole.BATTERY,
            slot(battery=5.0),
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {},
            {0xEB: 3000, 0xDA: "charging"},
            Reason.BATTERY_HOLD,
        ),
        (
            DeviceRole.BATTERY,
            CHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY_ON_OFF,
            {},
            {0xDA: "charging"},
            Reason.BATTERY_CHARGE_PV_SURPLUS,
        ),
        # No charging mode: the closest is the device's own automatic operation.
        (
            DeviceRole.BATTERY,
            CHARGE,
            DeviceMode.FOLLOW_PLAN,
            replace(BATTERY_ON_OFF, modes=frozenset({"automatic", "standby"})),
            {},
            {0xDA: "automatic"},
            Reason.BATTERY_CHARGE_PV_SURPLUS,
        ),
        # Less than half a step is no power at all: hold.
        (
            DeviceRole.BATTERY,
            slot(battery=0.2),
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {},
            {0xDA: "standby"},
            Reason.BATTERY_HOLD,
        ),
        (
            DeviceRole.BATTERY,
            DISCHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {0xE4: 55},
            {0xEC: 1000, 0xDA: "discharging"},
            Reason.BATTERY_DISCHARGE,
        ),
        # Never below the reserve (by %, by Wh and capacity, or when the charge is unknown).
        (
            DeviceRole.BATTERY,
            DISCHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {0xE4: 10},
            {0xDA: "standby"},
            ExecutorReason.BATTERY_RESERVE,
        ),
        (
            DeviceRole.BATTERY,
            DISCHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {},
            {0xDA: "standby"},
            ExecutorReason.BATTERY_RESERVE,
        ),
        (
            DeviceRole.BATTERY,
            DISCHARGE,
            DeviceMode.FOLLOW_PLAN,
            BATTERY,
            {0xE2: 900},
            {0xDA: "standby"},
            ExecutorReason.BATTERY_RESERVE,
        ),
        (
            DeviceRole.BATTERY,
            slot(),
            DeviceMode.FORCE_ON,
            BATTERY,
            {},
            {0xEB: 3000, 0xDA: "charging"},
            DeviceMode.FORCE_ON,
        ),
        (
            DeviceRole.BATTERY,
            slot(),
            DeviceMode.FORCE_ON,
            replace(BATTERY, charge_power=PowerRange()),
            {},
            {0xDA: "charging"},
            DeviceMode.FORCE_ON,
        ),
        (DeviceRole.BATTERY, CHARGE, DeviceMode.FORCE_OFF, BATTERY, {}, {0xDA: "standby"}, DeviceMode.FORCE_OFF),
        (DeviceRole.BATTERY, CHARGE, DeviceMode.OFF, BATTERY, {}, {}, DeviceMode.OFF),
        (DeviceRole.BATTERY, None, DeviceMode.FOLLOW_PLAN, BATTERY, {}, {}, ExecutorReason.NO_SLOT),
        # EcoCute: manual heating while the plan heats, a hand stop while it defers, automatic otherwise.
        (
            DeviceRole.WATER_HEATER,
            HEAT,
            DeviceMode.FOLLOW_PLAN,
            HEATER,
            FULL_TANK,
            {0xB0: MANUAL},
            Reason.HEAT_PV_SURPLUS,
        ),
        (
            DeviceRole.WATER_HEATER,
            HEAT_LATER,
            DeviceMode.FOLLOW_PLAN,
            HEATER,
            FULL_TANK,
            {0xB0: STOP},
            Reason.HEAT_OFF_CHEAPER_LATER,
        ),
        (
            DeviceRole.WATER_HEATER,
            slot(),
            DeviceMode.FOLLOW_PLAN,
            HEATER,
            FULL_TANK,
            {0xB0: AUTO},
            Reason.HEAT_OFF_TANK_SUFFICIENT,
        ),
        # Comfort first: below the reserve (or unknown) never held back, and it may reheat in the day.
        (
            DeviceRole.WATER_HEATER,
            HEAT_LATER,
            DeviceMode.FOLLOW_PLAN,
            HEATER,
            LOW_TANK,
            {0xB0: AUTO, 0xC0: "daytime_reheating_permitted"},
            ExecutorReason.COMFORT_HOT_WATER,
        ),
        (
            DeviceRole.WATER_HEATER,
            HEAT_LATER,
            DeviceMode.FOLLOW_PLAN,
            HEATER,
            {},
            {0xB0: AUTO, 0xC0: "daytime_reheating_permitted"},
            ExecutorReason.COMFORT_HOT_WATER,
        ),
        (DeviceRole.WATER_HEATER, slot(), DeviceMode.FORCE_OFF, HEATER, FULL_TANK, {0xB0: STOP}, DeviceMode.FORCE_OFF),
        (
            DeviceRole.WATER_HEATER,
            slot(),
            DeviceMode.FORCE_OFF,
            HEATER,
            LOW_TANK,
            {0xB0: AUTO, 0xC0: "daytime_reheating_permitted"},
            ExecutorReason.COMFORT_HOT_WATER,
        ),
        (DeviceRole.WATER_HEATER, slot(), DeviceMode.FORCE_ON, HEATER, LOW_TANK, {0xB0: MANUAL}, DeviceMode.FORCE_ON),
        # EV: modulating chargers get the power (at least their minimum), on/off chargers only the mode.
        (
            DeviceRole.EV,
            slot(ev=2.1, ev_reason=Reason.EV_CHARGE_PV_SURPLUS),
            DeviceMode.FOLLOW_PLAN,
            V2H,
            {},
            {0xEB: 2000, 0xDA: "charge"},
            Reason.EV_CHARGE_PV_SURPLUS,
        ),
        (
            DeviceRole.EV,
            slot(ev=0.8),
            DeviceMode.FOLLOW_PLAN,
            V2H,
            {},
            {0xEB: 1400, 0xDA: "charge"},
            Reason.EV_IDLE_TARGET_MET,
        ),
        (
            DeviceRole.EV,
            slot(ev=3.0),
            DeviceMode.FOLLOW_PLAN,
            EV_ON_OFF,
            {},
            {0xDA: "charge"},
            Reason.EV_IDLE_TARGET_MET,
        ),
        (DeviceRole.EV, slot(), DeviceMode.FOLLOW_PLAN, V2H, {}, {0xDA: "standby"}, Reason.EV_IDLE_TARGET_MET),
        (
            DeviceRole.EV,
            slot(),
            DeviceMode.FOLLOW_PLAN,
            replace(EV_ON_OFF, modes=frozenset({"charge", "idle"})),
            {},
            {0xDA: "idle"},
            Reason.EV_IDLE_TARGET_MET,
        ),
        (
            DeviceRole.EV,
            slot(ev=3.0),
            DeviceMode.FOLLOW_PLAN,
            V2H,
            {0xC7: "not_connected"},
            {},
            ExecutorReason.EV_NOT_CONNECTED,
        ),
        (DeviceRole.EV, slot(), DeviceMode.FORCE_ON, V2H, {}, {0xEB: 6000, 0xDA: "charge"}, DeviceMode.FORCE_ON),
    ],
)
def test_desired_values(
    role: DeviceRole,
    current: SlotPlan | None,
    mode: DeviceMode,
    caps: Capabilities,
    observed: Mapping[int, Value],
    values: Mapping[int, object],
    reason: str,
) -> None:
    comfort = replace(COMFORT, battery_capacity_wh=10000.0)
    intent = desired(
        role, current, mode, caps, observed, comfort, NOW, prefer_device_timers=False, battery_automatic=False
    )
    assert intent.values == values
    assert list(intent.values) == list(values)  # the order is the write order
    assert intent.reason == reason


@pytest.mark.parametrize(
    ("stored_wh", "departure", "mode", "expected"),
    [
        # 14 kWh missing, 2 h left at 3 kW: charge now even though the plan idles (or the user forced off).
        (10000, DEPART, DeviceMode.FOLLOW_PLAN, "charge"),
        (10000, DEPART, DeviceMode.FORCE_OFF, "charge"),
        # 10 h left: the plan may wait.
        (10000, NOW + 10 * HOUR, DeviceMode.FOLLOW_PLAN, "standby"),
        # Target met, or the car's energy unknown: the plan decides.
        (24000, DEPART, DeviceMode.FOLLOW_PLAN, "standby"),
        (None, DEPART, DeviceMode.FOLLOW_PLAN, "standby"),
        # Departure passed.
        (10000, NOW - MIN, DeviceMode.FOLLOW_PLAN, "standby"),
    ],
)
def test_ev_departure_comes_first(stored_wh: int | None, departure: datetime, mode: DeviceMode, expected: str) -> None:
    comfort = replace(COMFORT, ev_departure=departure, ev_target_wh=24000.0, ev_power_w=3000.0)
    observed: Mapping[int, Value] = {} if stored_wh is None else {0xE2: stored_wh}
    intent = desired(DeviceRole.EV, slot(), mode, EV_ON_OFF, observed, comfort, NOW)
    assert intent.values == {0xDA: expected}
    assert (intent.reason == ExecutorReason.COMFORT_EV_DEPARTURE) is (expected == "charge")


def test_a_car_that_takes_no_more_is_not_charged_for_departure() -> None:
    # A 10 kWh car, full, under a 24 kWh target: the charger says it is not chargeable.
    comfort = replace(COMFORT, ev_departure=DEPART, ev_target_wh=24000.0, ev_power_w=3000.0)
    observed: Mapping[int, Value] = {0xE2: 10000, 0xC7: "not_chargeable"}
    intent = desired(DeviceRole.EV, slot(), DeviceMode.FOLLOW_PLAN, EV_ON_OFF, observed, comfort, NOW)
    assert intent.values == {0xDA: "standby"}


def heater_timer(observed: Mapping[int, Value], now: datetime, *heat_at: int) -> Mapping[int, object]:
    """Desired values of a timer EcoCute for a day plan heating at the given hours (today and tomorrow)."""
    midnight = now.astimezone(JST).replace(hour=0, minute=0, second=0)
    slots = [
        slot(
            midnight + i * timedelta(minutes=30),
            heat=1.2 if (i // 2) % 24 in heat_at else 0.0,
            heat_reason=Reason.HEAT_PV_SURPLUS,
        )
        for i in range(96)
    ]
    index = next(i for i, item in enumerate(slots) if item.start <= now < item.start + timedelta(minutes=30))
    caps = HEATER_TIMER
    return desired(
        DeviceRole.WATER_HEATER,
        slots[index],
        DeviceMode.FOLLOW_PLAN,
        caps,
        observed,
        COMFORT,
        now,
        ahead=slots[index + 1 :],
    ).values


@pytest.mark.parametrize(
    ("observed", "now", "heat_at", "values"),
    [
        # The plan's next daytime run starts at 11: the device heats by its own timer then, automatic otherwise.
        (FULL_TANK, NOW.replace(hour=8), (11, 12), {0xB0: AUTO, 0xCA: "11_00", 0xC7: "participation"}),
        # Night heating only: no shift.
        (FULL_TANK, NOW.replace(hour=8), (2,), {0xB0: AUTO, 0xC7: "non_participation"}),
        # After 18:00 the timer is set for tomorrow's run.
        (FULL_TANK, NOW.replace(hour=19), (10,), {0xB0: AUTO, 0xCA: "10_00", 0xC7: "participation"}),
        # Today's shifted run has begun (10:00): it is not moved to the re-plan's 14:00.
        (
            {**FULL_TANK, 0xC7: "participation", 0xCA: "10_00"},
            NOW.replace(hour=12),
            (14,),
            {0xB0: AUTO, 0xC7: "participation"},
        ),
        # Not yet begun: it is moved.
        (
            {**FULL_TANK, 0xC7: "participation", 0xCA: "13_00"},
            NOW.replace(hour=12),
            (14,),
            {0xB0: AUTO, 0xCA: "14_00", 0xC7: "participation"},
        ),
        # Booked for today last evening, dropped by this morning's re-plan: kept (the night filled the tank only
        # partly for it).
        (
            {**FULL_TANK, 0xC7: "participation", 0xCA: "11_00"},
            NOW.replace(hour=8),
            (23,),
            {0xB0: AUTO, 0xC7: "participation"},
        ),
        # Dropped while it is still tomorrow's: cancelled.
        (
            {**FULL_TANK, 0xC7: "participation", 0xCA: "11_00"},
            NOW.replace(hour=20),
            (23,),
            {0xB0: AUTO, 0xC7: "non_participation"},
        ),
        # Below the reserve the timer waits; comfort first.
        (LOW_TANK, NOW.replace(hour=8), (11,), {0xB0: AUTO, 0xC0: "daytime_reheating_permitted"}),
    ],
)
def test_ecocute_prefers_its_own_timer(
    observed: Mapping[int, Value], now: datetime, heat_at: tuple[int, ...], values: Mapping[int, object]
) -> None:
    assert heater_timer(observed, now, *heat_at) == values


# ------------------------------------------------------------------------------------------------------- step
BATTERY_ONLY = {DeviceRole.BATTERY: BATTERY}
FOLLOW = {DeviceRole.BATTERY: DeviceMode.FOLLOW_PLAN}
IN_AUTO: Mapping[DeviceRole, Mapping[int, Value]] = {
    DeviceRole.BATTERY: {0xDA: "automatic", 0xEB: 3000, 0xEC: 3000, 0xE4: 50}
}
FRESH = data_received(ExecutorState(), NOW - MIN)


def run(
    state: ExecutorState,
    plan: Plan | None,
    observed: Mapping[DeviceRole, Mapping[int, Value]] = IN_AUTO,
    *,
    now: datetime = NOW,
    settings: ExecutorSettings = ON,
    modes: Mapping[DeviceRole, DeviceMode] = FOLLOW,
    caps: Mapping[DeviceRole, Capabilities] = BATTERY_ONLY,
) -> Decision:
    return step(state, now, plan, observed, modes, caps, settings)


def confirm_all(decision: Decision, now: datetime = NOW) -> ExecutorState:
    state = decision.new_state
    for write in decision.writes:
        state = confirmed(state, write.role, write.epc, write.value, now)
    return state


def applied(
    observed: Mapping[DeviceRole, Mapping[int, Value]], writes: tuple[Write, ...]
) -> dict[DeviceRole, Mapping[int, Value]]:
    """What the devices report after `writes`."""
    result: dict[DeviceRole, dict[int, Value]] = {role: dict(values) for role, values in observed.items()}
    for write in writes:
        result.setdefault(write.role, {})[write.epc] = write.value
    return dict(result)


def kinds(decision: Decision) -> list[EventKind]:
    return [event.kind for event in decision.events]


def test_writes_only_on_change() -> None:
    plan = plan_of(CHARGE)
    first = run(FRESH, plan)
    assert [(w.epc, w.value, w.reason) for w in first.writes] == [
        (0xEB, 1500, Reason.BATTERY_CHARGE_PV_SURPLUS),
        (0xDA, "charging", Reason.BATTERY_CHARGE_PV_SURPLUS),
    ]
    assert kinds(first) == [EventKind.WROTE]
    second = run(confirm_all(first), plan, applied(IN_AUTO, first.writes), now=NOW + MIN)
    assert second.writes == ()
    assert second.events == ()
    assert second.new_state.device(DeviceRole.BATTERY).writes_today == 2


def test_a_value_the_device_already_has_is_not_written() -> None:
    decision = run(FRESH, plan_of(slot(battery=3.0)))  # 0xEB already 3000
    assert [(w.epc, w.value) for w in decision.writes] == [(0xDA, "charging")]


def test_a_pending_write_is_not_repeated_and_a_failed_one_is_retried_later() -> None:
    plan = plan_of(CHARGE)
    first = run(FRESH, plan)
    assert run(first.new_state, plan, now=NOW + MIN).writes == ()  # pending: the HA layer is on it
    state = first.new_state
    for write in first.writes:
        state = failed(state, write.role, write.epc, NOW + MIN)
    assert run(state, plan, now=NOW + 4 * MIN).writes == ()
    assert len(run(state, plan, now=NOW + 6 * MIN).writes) == 2


def test_the_device_rounding_our_value_is_no_hand_change() -> None:
    plan = plan_of(CHARGE)
    first = run(FRESH, plan)
    state = confirmed(first.new_state, DeviceRole.BATTERY, 0xEB, 1400, NOW)  # it holds 1400 W, not 1500 W
    state = confirmed(state, DeviceRole.BATTERY, 0xDA, "charging", NOW)
    observed = {DeviceRole.BATTERY: {**IN_AUTO[DeviceRole.BATTERY], 0xEB: 1400, 0xDA: "charging"}}
    second = run(state, plan, observed, now=NOW + MIN)
    assert second.writes == ()
    assert second.events == ()


def test_write_cap_hands_back_and_pauses_until_the_next_day() -> None:
    settings = replace(ON, max_writes_per_day=5, min_dwell=timedelta(0))  # the cap alone, without the dwell
    charge, hold = plan_of(CHARGE), plan_of(slot())
    state, observed = FRESH, IN_AUTO
    total: list[Write] = []
    events: list[EventKind] = []
    for minute in range(8):
        now = NOW + minute * MIN
        decision = run(
            data_received(state, now), charge if minute % 2 == 0 else hold, observed, now=now, settings=settings
        )
        total.extend(decision.writes)
        events.extend(kinds(decision))
        state, observed = confirm_all(decision, now), applied(observed, decision.writes)
    # charge (2 writes), standby (1), charging (1), then standby would be the 5th... and charging the 6th: cap.
    assert events.count(EventKind.WRITE_CAP_REACHED) == 1
    assert events[events.index(EventKind.WRITE_CAP_REACHED) + 1] is EventKind.HANDED_BACK
    assert observed[DeviceRole.BATTERY][0xDA] == "automatic"  # handed back, past the cap
    assert observed[DeviceRole.BATTERY][0xEB] == 3000
    device = state.device(DeviceRole.BATTERY)
    assert device.paused is not None
    assert device.paused.reason is PauseReason.WRITE_CAP
    assert sum(1 for w in total if w.reason != HandBackReason.WRITE_CAP) <= settings.max_writes_per_day
    tomorrow = NOW.replace(hour=0, minute=1) + timedelta(days=1)
    fresh_plan = plan_of(slot(tomorrow.replace(minute=0), battery=1.3), created=tomorrow)
    next_day = run(data_received(state, tomorrow), fresh_plan, observed, now=tomorrow, settings=settings)
    assert kinds(next_day) == [EventKind.RESUMED, EventKind.WROTE]
    assert next_day.new_state.device(DeviceRole.BATTERY).writes_today == 2


def controlling() -> tuple[ExecutorState, dict[DeviceRole, Mapping[int, Value]]]:
    """The battery charging by our writes, confirmed."""
    first = run(FRESH, plan_of(CHARGE))
    return confirm_all(first), applied(IN_AUTO, first.writes)


def test_hand_change_pauses_until_the_next_jst_day() -> None:
    state, observed = controlling()
    by_hand = {DeviceRole.BATTERY: {**observed[DeviceRole.BATTERY], 0xDA: "discharging"}}
    decision = run(state, plan_of(CHARGE), by_hand, now=NOW + MIN)
    assert decision.writes == ()  # the user's value stays
    assert [(e.kind, e.detail) for e in decision.events] == [(EventKind.HAND_CHANGE_PAUSED, "0xDA")]
    device = decision.new_state.device(DeviceRole.BATTERY)
    assert device.paused is not None
    assert device.paused.until == datetime(2025, 5, 14, 0, 0, tzinfo=JST)
    later = run(
        decision.new_state,
        plan_of(slot(NOW.replace(hour=23, minute=30), battery=1.3)),
        by_hand,
        now=NOW.replace(hour=23, minute=50),
    )
    assert later.writes == ()
    tomorrow = datetime(2025, 5, 14, 0, 5, tzinfo=JST)
    tomorrow_plan = plan_of(slot(tomorrow.replace(minute=0), battery=1.3), created=tomorrow)
    resumed = run(data_received(later.new_state, tomorrow), tomorrow_plan, by_hand, now=tomorrow)
    assert kinds(resumed) == [EventKind.RESUMED, EventKind.WROTE]
    assert [(w.epc, w.value) for w in resumed.writes] == [(0xDA, "charging")]  # 0xEB is still 1500 W


def test_resume_ends_a_pause_now() -> None:
    state, observed = controlling()
    by_hand = {DeviceRole.BATTERY: {**observed[DeviceRole.BATTERY], 0xDA: "standby", 0xEB: 500}}
    paused = run(state, plan_of(CHARGE), by_hand, now=NOW + MIN).new_state
    assert run(paused, plan_of(CHARGE), by_hand, now=NOW + 2 * MIN).writes == ()
    again = run(resume(paused, DeviceRole.BATTERY), plan_of(CHARGE), by_hand, now=NOW + 2 * MIN)
    assert [(w.epc, w.value) for w in again.writes] == [(0xEB, 1500), (0xDA, "charging")]
    # The new baseline is the user's setting: that is what a hand-back restores now.
    handed = run(
        confirm_all(again),
        plan_of(CHARGE),
        applied(by_hand, again.writes),
        now=NOW + 3 * MIN,
        settings=replace(ON, enabled=False),
    )
    assert [(w.epc, w.value) for w in handed.writes] == [(0xEB, 500), (0xDA, "standby")]


def test_a_device_ending_its_own_run_is_no_hand_change() -> None:
    caps = {DeviceRole.WATER_HEATER: HEATER}
    modes = {DeviceRole.WATER_HEATER: DeviceMode.FOLLOW_PLAN}
    observed: dict[DeviceRole, Mapping[int, Value]] = {DeviceRole.WATER_HEATER: {0xB0: AUTO, 0xE1: 300}}
    first = run(FRESH, plan_of(HEAT), observed, caps=caps, modes=modes)
    assert [(w.epc, w.value) for w in first.writes] == [(0xB0, MANUAL)]
    state = confirm_all(first)
    later = NOW + 10 * MIN
    state = data_received(state, later)
    full = run(state, plan_of(HEAT), observed, now=later, caps=caps, modes=modes)  # the tank is full
    assert full.writes == ()
    assert full.events == ()
    stopped: Observed = {DeviceRole.WATER_HEATER: {0xB0: STOP, 0xE1: 300}}  # but a stop is the user's
    assert kinds(run(state, plan_of(HEAT), stopped, now=later, caps=caps, modes=modes)) == [
        EventKind.HAND_CHANGE_PAUSED
    ]


@pytest.mark.parametrize(
    ("spacing", "changes", "raised"),
    [(MIN, 3, True), (MIN, 2, False), (20 * MIN, 3, False)],
)
def test_another_controller(spacing: timedelta, changes: int, raised: bool) -> None:
    modes = {DeviceRole.BATTERY: DeviceMode.OFF}
    state = FRESH
    found: list[EventKind] = []
    for index in range(changes + 1):
        mode = ("charging", "discharging")[index % 2]
        observed = {DeviceRole.BATTERY: {**IN_AUTO[DeviceRole.BATTERY], 0xDA: mode}}
        decision = run(state, None, observed, now=NOW + index * spacing, modes=modes)
        assert decision.writes == ()
        found.extend(kinds(decision))
        state = decision.new_state
    assert (EventKind.ANOTHER_CONTROLLER in found) is raised


def test_our_own_writes_are_not_foreign() -> None:
    state, observed = FRESH, IN_AUTO
    for minute, current in enumerate((CHARGE, slot(), CHARGE, slot(), CHARGE, slot())):
        now = NOW + minute * MIN
        decision = run(data_received(state, now), plan_of(current), observed, now=now)
        assert decision.writes
        assert EventKind.ANOTHER_CONTROLLER not in kinds(decision)
        # The device shows our values before the HA layer reports the writes confirmed.
        state, observed = decision.new_state, applied(observed, decision.writes)


def test_hand_back_writes_only_what_changed() -> None:
    first = run(FRESH, plan_of(slot(battery=3.0)))  # 0xEB is already 3000 W: only the mode changes
    assert [(w.epc, w.value) for w in first.writes] == [(0xDA, "charging")]
    off = replace(ON, enabled=False)
    handed = run(confirm_all(first), plan_of(CHARGE), applied(IN_AUTO, first.writes), now=NOW + MIN, settings=off)
    assert [(w.epc, w.value) for w in handed.writes] == [(0xDA, "automatic")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"settings": replace(ON, enabled=False)}, HandBackReason.MASTER_OFF),
        ({"settings": replace(ON, stopping=True)}, HandBackReason.STOPPED),  # unload or shutdown, the switch on
        ({"settings": replace(ON, enabled=False, stopping=True)}, HandBackReason.STOPPED),  # not "master off"
        ({"plan": plan_of(CHARGE, created=NOW - 61 * MIN)}, HandBackReason.PLAN_STALE),
        ({"plan": None}, HandBackReason.PLAN_STALE),
        ({"data_age": 11 * MIN}, HandBackReason.DATA_STALE),
        ({"plan": plan_of(CHARGE, active=False)}, HandBackReason.PLANNER_OFF),
        ({"plan": plan_of(slot(NOW - 2 * HOUR, battery=1.3))}, HandBackReason.NO_SLOT),
        ({"modes": {DeviceRole.BATTERY: DeviceMode.OFF}}, HandBackReason.MODE_OFF),
    ],
)
def test_hand_back(change: dict[str, object], reason: HandBackReason) -> None:
    state, observed = controlling()
    now = NOW + 5 * MIN
    state = data_received(state, now - change.get("data_age", MIN))  # type: ignore[operator]
    decision = step(
        state,
        now,
        change.get("plan", plan_of(CHARGE)),  # type: ignore[arg-type]
        observed,
        change.get("modes", FOLLOW),  # type: ignore[arg-type]
        BATTERY_ONLY,
        change.get("settings", ON),  # type: ignore[arg-type]
    )
    assert [(w.epc, w.value, w.reason) for w in decision.writes] == [(0xEB, 3000, reason), (0xDA, "automatic", reason)]
    assert [(e.kind, e.detail) for e in decision.events] == [(EventKind.HANDED_BACK, reason)]
    released = decision.new_state.device(DeviceRole.BATTERY)
    assert not released.controlling
    # Once handed back, nothing more is written or reported.
    after = step(
        confirm_all(decision, now),
        now + MIN,
        change.get("plan", plan_of(CHARGE)),  # type: ignore[arg-type]
        applied(observed, decision.writes),
        change.get("modes", FOLLOW),  # type: ignore[arg-type]
        BATTERY_ONLY,
        change.get("settings", ON),  # type: ignore[arg-type]
    )
    assert after.writes == ()
    assert after.events == ()


def test_plan_and_data_within_their_limits_keep_control() -> None:
    state, observed = controlling()
    now = NOW + 59 * MIN
    decision = run(
        data_received(state, now - 9 * MIN),
        plan_of(slot(NOW.replace(hour=11, minute=0), battery=1.3), created=NOW),
        observed,
        now=now,
    )
    assert decision.events == ()


def test_master_off_from_the_start_writes_nothing() -> None:
    decision = run(FRESH, plan_of(CHARGE), settings=ExecutorSettings())
    assert decision.writes == ()
    assert decision.events == ()


def test_a_charger_set_by_its_current_gets_its_hand_set_current_back() -> None:
    """0xED is reported with its 0.1-A scale: 15.0 after our write of 15 is ours, and the 12.5 A set by hand before
    we took over is the baseline written back on hand-back."""
    charger = capabilities_from(
        ids.EV_CHARGER, frozenset({0xDA, 0xED}), {0xCA: {"minimum_current": 6.0, "maximum_current": 16.0}, 0xD2: 200}
    )
    caps, modes = {DeviceRole.EV: charger}, {DeviceRole.EV: DeviceMode.FOLLOW_PLAN}
    before: dict[DeviceRole, Mapping[int, Value]] = {DeviceRole.EV: {0xDA: "standby", 0xED: 12.5, 0xC7: "chargeable"}}
    plan = plan_of(slot(ev=3.0, ev_reason=Reason.EV_CHARGE_PV_SURPLUS))  # 3 kW at 200 V
    first = run(FRESH, plan, before, caps=caps, modes=modes)
    assert [(w.epc, w.value) for w in first.writes] == [(0xED, 15), (0xDA, "charge")]
    reported = applied(before, first.writes)
    reported[DeviceRole.EV] = {**reported[DeviceRole.EV], 0xED: 15.0}  # as the device reports it
    kept = run(confirm_all(first), plan, reported, now=NOW + MIN, caps=caps, modes=modes)
    assert kept.writes == ()
    assert EventKind.HAND_CHANGE_PAUSED not in kinds(kept)
    off = replace(ON, enabled=False)
    handed = run(kept.new_state, plan, reported, now=NOW + 2 * MIN, caps=caps, modes=modes, settings=off)
    assert [(w.epc, w.value) for w in handed.writes] == [(0xED, 12.5), (0xDA, "standby")]


def test_a_failed_hand_back_is_retried() -> None:
    state, observed = controlling()
    off = replace(ON, enabled=False)
    handed = run(state, plan_of(CHARGE), observed, now=NOW + MIN, settings=off)
    state = handed.new_state
    for write in handed.writes:
        state = failed(state, write.role, write.epc, NOW + MIN)
    assert run(state, plan_of(CHARGE), observed, now=NOW + 2 * MIN, settings=off).writes == ()
    retry = run(state, plan_of(CHARGE), observed, now=NOW + 7 * MIN, settings=off)
    assert [(w.epc, w.value) for w in retry.writes] == [(0xEB, 3000), (0xDA, "automatic")]


def test_restart_restores_the_state() -> None:
    state, observed = controlling()
    paused = run(
        state,
        plan_of(CHARGE),
        {**observed, DeviceRole.WATER_HEATER: {0xB0: AUTO, 0xE1: 300}},
        caps={**BATTERY_ONLY, DeviceRole.WATER_HEATER: HEATER},
        modes={**FOLLOW, DeviceRole.WATER_HEATER: DeviceMode.FOLLOW_PLAN},
    ).new_state
    stored = json.loads(json.dumps(paused.as_dict()))
    restored = ExecutorState.from_dict(stored)
    assert restored == paused
    # After the restart the master switch is off: the battery goes back to what it was before our first write.
    decision = run(restored, plan_of(CHARGE), observed, now=NOW + MIN, settings=replace(ON, enabled=False))
    assert [(w.epc, w.value) for w in decision.writes] == [(0xEB, 3000), (0xDA, "automatic")]


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"version": 1, "devices": []},
        {"version": 1, "devices": {"toaster": {}}},
        {"version": 1, "devices": {}, "last_plan": "yesterday"},
        {"version": 1, "devices": {}, "last_plan": "2025-05-13T10:00:00"},  # naive
    ],
)
def test_malformed_storage_is_refused(stored: Mapping[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any malformed storage is one error to the caller
        ExecutorState.from_dict(stored)


@pytest.mark.parametrize(
    ("caps", "written"),
    [(V2H, [(0xEB, 2000), (0xDA, "charge")]), (EV_ON_OFF, [(0xDA, "charge")])],
)
def test_modulating_and_on_off_chargers(caps: Capabilities, written: list[tuple[int, object]]) -> None:
    observed: Observed = {DeviceRole.EV: {0xDA: "standby", 0xEB: 6000, 0xC7: "chargeable"}}
    decision = run(
        FRESH,
        plan_of(slot(ev=2.0, ev_reason=Reason.EV_CHARGE_PV_SURPLUS)),
        observed,
        caps={DeviceRole.EV: caps},
        modes={DeviceRole.EV: DeviceMode.FOLLOW_PLAN},
    )
    assert [(w.epc, w.value) for w in decision.writes] == written


def test_a_written_value_dwells_before_the_plan_may_change_it() -> None:
    """A plan flipping between charge and hold every 5 minutes for two hours: each change waits out the dwell (1 h),
    so the battery sees at most one new value per hour per property, not 24 flips."""
    state, observed = FRESH, IN_AUTO
    writes: list[Write] = []
    for step_index in range(24):
        now = NOW + step_index * 5 * MIN
        start = now.replace(minute=0 if now.minute < 30 else 30)
        current = (
            slot(start, battery=1.3, battery_reason=Reason.BATTERY_CHARGE_PV_SURPLUS)
            if step_index % 2 == 0
            else slot(start)
        )
        decision = run(data_received(state, now), plan_of(current, created=now), observed, now=now)
        writes.extend(decision.writes)
        state, observed = confirm_all(decision, now), applied(observed, decision.writes)
    mode_writes = [write for write in writes if write.epc == 0xDA]
    assert 1 <= len(mode_writes) <= 3  # the first, then at most one per hour
    assert len(writes) <= 6


def test_comfort_does_not_wait_for_the_dwell() -> None:
    settings = replace(ON, min_dwell=timedelta(hours=6))
    state, observed = FRESH, IN_AUTO
    first = run(data_received(state, NOW), plan_of(CHARGE), observed, now=NOW, settings=settings)
    state, observed = confirm_all(first, NOW), applied(observed, first.writes)
    later = NOW + 10 * MIN
    forced = run(
        data_received(state, later),
        replace(plan_of(slot()), created=later),
        observed,
        now=later,
        settings=settings,
        modes={DeviceRole.BATTERY: DeviceMode.FORCE_OFF},
    )
    assert forced.writes  # a forced mode is written at once


@pytest.mark.parametrize(
    ("reason", "kw", "percent", "mode"),
    [
        (Reason.BATTERY_CHARGE_PV_SURPLUS, 1.3, 50, "automatic"),  # what automatic does: leave it so
        (Reason.BATTERY_DISCHARGE, -1.0, 50, "automatic"),
        (Reason.BATTERY_DISCHARGE, -1.0, 5, "standby"),  # at the reserve: held, automatic could go lower
        (Reason.BATTERY_CHARGE_CHEAP_BAND, 2.0, 50, "charging"),  # grid charging: only we would do it
        (Reason.BATTERY_HOLD, 0.0, 50, "standby"),
    ],
)
def test_the_battery_stays_automatic_where_automatic_does_the_plan(
    reason: Reason, kw: float, percent: int, mode: str
) -> None:
    current = slot(battery=kw, battery_reason=reason)
    observed = {0xDA: "automatic", 0xE4: percent}
    intent = desired(DeviceRole.BATTERY, current, DeviceMode.FOLLOW_PLAN, BATTERY, observed, COMFORT, NOW)
    assert intent.values[0xDA] == mode


@pytest.mark.parametrize(
    ("pv_kw", "heat_kw", "mode"),
    [
        (3.0, 0.0, "automatic"),  # PV left over: a hold would only sell it, automatic stores it
        (3.0, 2.9, "standby"),  # the plan heats with that PV: nothing left for the battery
        (0.1, 0.0, "standby"),  # no sun: a hold keeps the charge for the dear band
    ],
)
def test_a_planned_hold_in_pv_surplus_is_left_to_automatic(pv_kw: float, heat_kw: float, mode: str) -> None:
    current = replace(slot(heat=heat_kw, battery_reason=Reason.BATTERY_HOLD), pv_kw=pv_kw, load_kw=0.4)
    observed = {0xDA: "standby", 0xE4: 30}
    intent = desired(DeviceRole.BATTERY, current, DeviceMode.FOLLOW_PLAN, BATTERY, observed, COMFORT, NOW)
    assert intent.values[0xDA] == mode
    assert intent.reason == Reason.BATTERY_HOLD


def test_an_undecodable_value_is_a_change_but_never_a_baseline() -> None:
    """The HA layer passes a value its class table cannot decode as "raw:<hex>": it is noticed as a hand change, and
    it is never recorded as what to hand back (writing "raw:00" back failed in the closed loop)."""
    state, observed = FRESH, IN_AUTO
    first = run(data_received(state, NOW), plan_of(CHARGE), observed, now=NOW)
    state, observed = confirm_all(first, NOW), applied(observed, first.writes)
    assert all(not str(value).startswith("raw:") for value in state.device(DeviceRole.BATTERY).baseline.values())
    later = NOW + 5 * MIN
    garbled = {DeviceRole.BATTERY: {**observed[DeviceRole.BATTERY], 0xDA: "raw:49"}}
    decision = run(data_received(state, later), replace(plan_of(CHARGE), created=later), garbled, now=later)
    assert EventKind.HAND_CHANGE_PAUSED in kinds(decision)
    assert all(not str(write.value).startswith("raw:") for write in decision.writes)
    # Never a baseline: a device first seen with an undecodable value gets no baseline for it.
    fresh = run(data_received(FRESH, NOW), plan_of(CHARGE), garbled, now=NOW)
    assert "raw:49" not in fresh.new_state.device(DeviceRole.BATTERY).baseline.values()
