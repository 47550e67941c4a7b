"""The compact profiles shipped in ``virtual_home/data`` (see its README), loaded once with importlib.resources.

Nothing here reads the benchmark folder: ``scripts/derive_home_profiles.py`` made these files from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
import io
import json

SLOTS_PER_DAY = 48


def _read_text(name: str) -> str:
    return resources.files("virtual_home").joinpath("data", name).read_text(encoding="utf-8")


@cache
def base_load_table() -> dict[tuple[int, bool], tuple[float, ...]]:
    """Base load in W per 30-minute slot, keyed by (month, day_off)."""
    table: dict[tuple[int, bool], tuple[float, ...]] = {}
    for row in csv.DictReader(io.StringIO(_read_text("base_load_w.csv"))):
        values = tuple(float(row[f"s{slot:02d}"]) for slot in range(SLOTS_PER_DAY))
        table[int(row["month"]), row["day_type"] == "day_off"] = values
    if len(table) != 24:
        raise ValueError("base_load_w.csv must have 12 months × 2 day types")
    return table


@dataclass(frozen=True, slots=True)
class Climate:
    """Mean outdoor temperature per month and hour and a monthly Linke turbidity (pyhees region 6)."""

    temperature_c: tuple[tuple[float, ...], ...]  # [month - 1][hour]
    linke_turbidity: tuple[float, ...]  # [month - 1]


@cache
def climate() -> Climate:
    """The Tokyo-class climate table."""
    temps: list[tuple[float, ...]] = []
    turbidity: list[float] = []
    for row in csv.DictReader(io.StringIO(_read_text("tokyo_climate.csv"))):
        temps.append(tuple(float(row[f"t{hour:02d}"]) for hour in range(24)))
        turbidity.append(float(row["linke_turbidity"]))
    if len(temps) != 12:
        raise ValueError("tokyo_climate.csv must have 12 months")
    return Climate(tuple(temps), tuple(turbidity))


@dataclass(frozen=True, slots=True)
class HotWaterProfile:
    """The official 4-person hot-water draw: L/h of 40 °C water per hour for each day class."""

    patterns: dict[str, tuple[float, ...]]  # class code → 24 hourly values
    standard_year: str  # one class code per day of the standard year; upper case = weekday, lower case = day off


@cache
def hot_water_profile() -> HotWaterProfile:
    """The pyhees-derived hot-water draw profile."""
    raw = json.loads(_read_text("dhw_4p_40c.json"))
    patterns = {str(code): tuple(float(v) for v in values) for code, values in raw["patterns"].items()}
    standard_year = str(raw["standard_year"])
    if any(len(p) != 24 for p in patterns.values()) or set(standard_year) - set(patterns):
        raise ValueError("dhw_4p_40c.json is inconsistent")
    return HotWaterProfile(patterns, standard_year)
