"""Demo data: the virtual home's own simulated past as hourly energy statistics for Home Assistant.

Home Assistant compiles long-term statistics once an hour, so a fresh demo's Energy dashboard would stay empty for up
to an hour. The virtual home simulates `--history-days` before its start time (that is where the meter's history
comes from); its physics is deterministic, so rebuilding the home from the same flags and stepping it the same way
reproduces that past exactly. The demo imports the complete hours of it (`recorder/import_statistics`) for the energy
sensors that have no statistics yet. It is simulated data, labelled as such in the README.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from virtual_home.__main__ import options_from, parse_args
from virtual_home.clock import JST
from virtual_home.physics.home import Home
from virtual_home.runtime import build_home

STEP_SECONDS = 60.0  # the virtual home's physics step (HomeOptions.step_seconds)


class Quantity(StrEnum):
    """A cumulative energy of the simulated home (Wh), the physics side of an energy sensor."""

    GRID_IMPORT = "grid_import"
    GRID_EXPORT = "grid_export"
    BATTERY_CHARGED = "battery_charged"
    BATTERY_DISCHARGED = "battery_discharged"
    PV = "pv"  # array 0; further arrays are "pv2", "pv3", ... (see `pv_quantity`)


def pv_quantity(array: int) -> str:
    """The quantity name of PV array `array` (0-based)."""
    return Quantity.PV.value if array == 0 else f"{Quantity.PV.value}{array + 1}"


@dataclass(frozen=True, slots=True)
class HourlyEnergy:
    """Energy per complete hour (UTC hour start → Wh) for each quantity."""

    hours: tuple[datetime, ...]
    wh: Mapping[str, tuple[float, ...]]


def simulate_history(flags: Sequence[str]) -> HourlyEnergy:
    """Step the home built from the virtual home's `flags` through its history days, exactly as it does at start.

    Only hours that lie completely inside the history are returned (the current hour is Home Assistant's to compile).
    """
    home_options, _ = options_from(parse_args(list(flags)))
    home = build_home(home_options)
    end = home_options.start
    now = end - timedelta(days=home_options.history_days)
    # VirtualHome.__init__ takes a 1-second first step, then advances in steps that end at `now` (runtime.py).
    home.step(1.0, now)
    buckets: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    while now < end:
        seconds = min(STEP_SECONDS, (end - now).total_seconds())
        step_start = now
        now += timedelta(seconds=seconds)
        before = _counters(home)
        snapshot = home.step(seconds, now)
        after = _counters(home)
        hour = _hour_of(step_start)
        for name in before:
            buckets[name][hour] += after[name] - before[name]
        for index, watts in enumerate(snapshot.pv_w_per_array):
            buckets[pv_quantity(index)][hour] += watts * seconds / 3600
    history_start = end - timedelta(days=home_options.history_days)
    first = _hour_of(history_start)
    if first < history_start:  # a partial first hour is left out: Home Assistant's rows cover whole hours
        first += timedelta(hours=1)
    hours = tuple(_hours_between(first, _hour_of(end)))
    wh = {name: tuple(values.get(hour, 0.0) for hour in hours) for name, values in buckets.items()}
    return HourlyEnergy(hours=hours, wh=wh)


def _counters(home: Home) -> dict[str, float]:
    battery = home.battery
    return {
        Quantity.GRID_IMPORT.value: home.grid_import_wh,
        Quantity.GRID_EXPORT.value: home.grid_export_wh,
        Quantity.BATTERY_CHARGED.value: battery.charged_wh if battery is not None else 0.0,
        Quantity.BATTERY_DISCHARGED.value: battery.discharged_wh if battery is not None else 0.0,
    }


def _hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hours_between(first: datetime, end: datetime) -> Iterable[datetime]:
    hour = first
    while hour < end:
        yield hour
        hour += timedelta(hours=1)


def statistics_rows(hours: Sequence[datetime], wh: Sequence[float], current_kwh: float) -> list[dict[str, Any]]:
    """Rows for `recorder/import_statistics` (kWh): `sum` grows from 0; `state` ends at the sensor's current value.

    Home Assistant's next hourly compile adds (new state − last row's state) to the last row's sum, so ending the
    imported `state` at the sensor's present reading joins the demo data seamlessly to what the sensor reports.
    """
    total_kwh = sum(wh) / 1000
    rows: list[dict[str, Any]] = []
    running = 0.0
    for hour, energy in zip(hours, wh, strict=True):
        running += energy / 1000
        state = max(current_kwh - (total_kwh - running), 0.0)
        rows.append({"start": hour.isoformat(), "state": round(state, 4), "sum": round(running, 4)})
    return rows


def complete_days(hours: Iterable[datetime]) -> tuple[date, ...]:
    """The calendar days (the home's, Japan time) of which every hour is among `hours`, oldest first.

    The Home energy entry's PV outlook learns from complete past days only (24 hourly PV values of one JST date), so
    the demo needs one of these in the imported past for a PV forecast. JST has no daylight saving: a day is 24 hours.
    """
    per_day: dict[date, set[int]] = defaultdict(set)
    for hour in hours:
        local = hour.astimezone(JST)
        per_day[local.date()].add(local.hour)
    return tuple(sorted(day for day, seen in per_day.items() if len(seen) == 24))
