"""The household routine: the air conditioner and the fuel cell run as a lived-in home runs them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from virtual_home.clock import JST
from virtual_home.echonet.devices import aircon_object
from virtual_home.physics import AirConditioner
from virtual_home.physics.home import default_home
from virtual_home.physics.routine import HouseholdRoutine, in_windows
from virtual_home.physics.timebase import to_timestamp
from virtual_home.runtime import HomeOptions, VirtualHome

WINTER = datetime(2026, 12, 4, 0, 0, tzinfo=JST)
SUMMER = datetime(2026, 8, 4, 0, 0, tzinfo=JST)
STEP = 60.0


def _day(start: datetime, hours: float, routine: HouseholdRoutine | None) -> list[tuple[datetime, float, float, bool]]:
    """Step a default home with `routine`; (time, room °C, outdoor °C, aircon on) at the end of every hour."""
    home = default_home()
    home.routine = routine
    assert home.aircon is not None
    now, samples = start, []
    for index in range(int(hours * 3600 / STEP)):
        snapshot = home.step(STEP, now)
        now += timedelta(seconds=STEP)
        if (index + 1) % 60 == 0:
            samples.append((now, home.aircon.room_temp_c, snapshot.outdoor_c, home.aircon.on))
    return samples


def test_windows_are_japan_time() -> None:
    windows = ((17.0, 23.0),)
    assert in_windows(windows, to_timestamp(datetime(2026, 12, 4, 17, 0, tzinfo=JST)))
    assert not in_windows(windows, to_timestamp(datetime(2026, 12, 4, 23, 0, tzinfo=JST)))
    assert not in_windows(windows, to_timestamp(datetime(2026, 12, 4, 17, 0, tzinfo=JST) - timedelta(seconds=1)))


def test_winter_evening_is_heated_to_the_setpoint() -> None:
    """A December day: heated in the evening, free-running (above outdoors, falling) at night."""
    samples = _day(WINTER, 48, HouseholdRoutine())
    by_hour = {when.hour: (room, outdoor, on) for when, room, outdoor, on in samples[24:]}  # the second day
    room, outdoor, on = by_hour[21]
    assert on
    assert outdoor < 16.0
    assert room == pytest.approx(20.0, abs=0.5)
    room_night, outdoor_night, on_night = by_hour[4]
    assert not on_night
    assert outdoor_night < room_night < 20.0  # drifting towards outdoors, with the household's own heat
    assert by_hour[3][0] > room_night  # still falling


def test_without_the_routine_the_room_follows_outdoors() -> None:
    """The default (a controller decides): the unit stays off and the room ends near the outdoor temperature."""
    samples = _day(WINTER, 48, None)
    assert not any(on for *_, on in samples)
    _, room, outdoor, _ = samples[-1]
    assert room == pytest.approx(outdoor, abs=3.0)


def test_summer_evening_is_cooled() -> None:
    samples = _day(SUMMER, 24, HouseholdRoutine())
    by_hour = {when.hour: (room, outdoor, on) for when, room, outdoor, on in samples}
    room, outdoor, on = by_hour[20]
    assert on
    assert outdoor > 26.0
    assert room == pytest.approx(27.0, abs=0.5)


def test_commands_hold_until_the_next_window_edge() -> None:
    """Switched off by a controller mid-evening, the unit stays off; the next window switches it on again."""
    routine = HouseholdRoutine()
    aircon = AirConditioner()
    evening = to_timestamp(WINTER.replace(hour=18))
    routine.apply(evening, 8.0, aircon, None)
    assert aircon.on
    assert (aircon.mode, aircon.target_c) == ("heat", 20.0)
    aircon.on = False  # the user's remote
    routine.apply(evening + 600, 8.0, aircon, None)
    assert not aircon.on
    routine.apply(to_timestamp(WINTER.replace(hour=23)), 8.0, aircon, None)
    routine.apply(to_timestamp(WINTER.replace(hour=6)) + 86400, 8.0, aircon, None)
    assert aircon.on


def test_mild_weather_leaves_the_unit_off() -> None:
    aircon = AirConditioner()
    HouseholdRoutine().apply(to_timestamp(WINTER.replace(hour=18)), 20.0, aircon, None)
    assert not aircon.on


def test_fuel_cell_runs_in_its_hot_water_hours() -> None:
    """Enabled in the morning and evening windows (after warming up it generates), disabled at night."""
    home = default_home()
    home.routine = HouseholdRoutine()
    cell = home.fuel_cell
    assert cell is not None
    now = WINTER
    generated: dict[int, float] = {}
    status: dict[int, str] = {}
    for _ in range(int(24 * 3600 / STEP)):
        before = cell.generated_wh
        home.step(STEP, now)
        generated[now.hour] = generated.get(now.hour, 0.0) + cell.generated_wh - before
        status[now.hour] = cell.status
        now += timedelta(seconds=STEP)
    assert status[3] == "stopped"
    assert generated[3] == 0.0
    assert generated[19] > 200.0  # evening load, no PV: it follows up to its rating
    assert status[7] in {"generating", "idling"}


def test_aircon_object_reports_its_energy() -> None:
    """0x85 (measured cumulative consumption, 0.001 kWh) follows the model: the user guide lists AC energy."""

    class View:
        home = default_home()

    aircon = AirConditioner(on=True, mode="heat", target_c=20.0, room_temp_c=10.0)
    aircon.step(3600.0, 5.0)
    obj = aircon_object(aircon, View(), 0x000008)  # type: ignore[arg-type]
    edt = obj.read(0x85)
    assert edt is not None
    assert int.from_bytes(edt, "big") == int(aircon.consumed_wh)
    assert aircon.consumed_wh > 300.0


async def test_routine_flag_reaches_the_home() -> None:
    """`--routine` (HomeOptions.routine) gives the running home its routine; the default has none."""
    with_routine = VirtualHome(HomeOptions(start=WINTER, history_days=0, routine=True))
    assert with_routine.home.routine is not None
    assert VirtualHome(HomeOptions(start=WINTER, history_days=0)).home.routine is None


def test_household_heat_keeps_an_unconditioned_room_above_outdoors() -> None:
    """Off, the room settles at outdoor + internal gain / UA (250 W / 120 W/K ≈ 2.1 K), not at the outdoor value."""
    aircon = AirConditioner(room_temp_c=20.0, internal_gain_w=250.0)
    aircon.step(3600.0 * 48, 6.0)
    assert aircon.room_temp_c == pytest.approx(6.0 + 250.0 / 120.0, abs=0.01)
