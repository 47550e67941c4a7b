"""Derive the virtual home's compact profiles from the benchmark data (a one-off; the outputs are committed).

Reads ../shared/bench (or the folder given with --bench) and writes into virtual_home/data/:

- ``base_load_w.csv``: household base load (no hot water, no EV), mean W per 30-minute JST wall-clock slot for each
  month and day type. The daily *shape* comes from the emhass household (30-min, real, France; its controllable
  "var loads" such as the water heater already removed), aligned by local wall-clock time (Europe/Paris → read as JST,
  DST duplicates dropped). The *seasonal level* (monthly mean) comes from the mean of the 17 CityLearn 2022 homes,
  which have a summer air-conditioning peak and a winter peak like a Tokyo home. The whole table is scaled to
  4,500 kWh/yr (BENCHMARK.md §2.6 "typical") over the JST calendar of 2025.
- ``dhw_4p_40c.json``: the official 4-person hot-water draw (L/h of 40 °C water) for each of the six pyhees day classes,
  plus the standard year's sequence of day classes.
- ``tokyo_climate.csv``: pyhees region 6 (Tokyo class): mean outdoor temperature per month and hour, and a monthly
  Linke turbidity fitted to the clearest hours' direct normal irradiance (for the Ineichen-Perez clear sky).

Usage: ``python scripts/derive_home_profiles.py [--bench PATH]``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
import csv
from datetime import date, datetime, timedelta
import json
import math
from pathlib import Path
import sys
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from virtual_home.physics.jp_calendar import is_day_off  # noqa: E402

DATA = ROOT / "virtual_home" / "data"
ANNUAL_BASE_LOAD_KWH = 4500.0
REFERENCE_YEAR = 2025
SLOTS = 48

# pyhees 給湯 day classes → one-letter codes: upper case = weekday, lower case = day off.
DHW_CLASSES = {
    "平日（大）": "L",
    "平日（中）": "M",
    "平日（小）": "S",
    "休日在宅（大）": "h",
    "休日在宅（小）": "m",
    "休日外出": "o",
}
DHW_NAMES = {
    "L": "weekday, large",
    "M": "weekday, medium",
    "S": "weekday, small",
    "h": "day off at home, large",
    "m": "day off at home, small",
    "o": "day off, out",
}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def derive_base_load(bench: Path) -> list[list[str]]:
    """Month × day type × slot table of the base load in W."""
    paris = ZoneInfo("Europe/Paris")
    samples: dict[tuple[int, bool, int], list[float]] = defaultdict(list)
    seen: set[tuple[int, int, int, int]] = set()
    path = bench / "emhass" / "emhass_long_train_data_2024-02-28_2025-02-27_30min.csv"
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            value = row["load_no_var_loads_W"]
            if not value:
                continue
            local = datetime.fromisoformat(row["time_utc"]).astimezone(paris)
            key = (local.month, local.day, local.hour, local.minute)
            if key in seen:  # the autumn DST change repeats one local hour
                continue
            seen.add(key)
            watts = float(value)
            if watts <= 0.0:  # logger gaps recorded as zero
                continue
            slot = local.hour * 2 + local.minute // 30
            samples[local.month, local.weekday() >= 5, slot].append(watts)

    shape: dict[tuple[int, bool], list[float]] = {}
    for month in range(1, 13):
        for day_off in (False, True):
            row_w = [_mean(samples[month, day_off, slot]) for slot in range(SLOTS)]
            mean_w = _mean(row_w)
            shape[month, day_off] = [w / mean_w for w in row_w]

    # Seasonal level: CityLearn 17-home mean per month, normalised to a mean of 1.
    monthly: dict[int, list[float]] = defaultdict(list)
    with (bench / "citylearn2022" / "citylearn2022_17homes_hourly_load_pv.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            month = round(float(row["Month"]))
            monthly[month].append(sum(float(row[f"b{i}_load_kWh"]) for i in range(1, 18)))
    level = {month: _mean(values) for month, values in monthly.items()}
    mean_level = _mean(list(level.values()))

    # Scale so the JST reference year sums to the target.
    day = date(REFERENCE_YEAR, 1, 1)
    energy_wh = 0.0
    while day.year == REFERENCE_YEAR:
        profile = shape[day.month, is_day_off(day)]
        energy_wh += sum(profile) * 0.5 * level[day.month] / mean_level
        day += timedelta(days=1)
    scale = ANNUAL_BASE_LOAD_KWH * 1000.0 / energy_wh

    rows = [["month", "day_type", *(f"s{slot:02d}" for slot in range(SLOTS))]]
    for month in range(1, 13):
        for day_off in (False, True):
            factor = scale * level[month] / mean_level
            values = [str(round(w * factor)) for w in shape[month, day_off]]
            rows.append([str(month), "day_off" if day_off else "weekday", *values])
    return rows


def derive_dhw(bench: Path) -> dict[str, object]:
    """Hourly 4-person draw per pyhees day class and the standard year's class sequence."""
    with (bench / "pyhees" / "jp_standard_dhw_L_per_h_40C_derived.csv").open(newline="") as handle:
        hourly = [sum(float(row[c]) for c in row if c.startswith("p4_")) for row in csv.DictReader(handle)]
    with (bench / "pyhees" / "schedule.csv").open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        column = header.index("給湯")
        classes = [DHW_CLASSES[row[column]] for row in reader]
    patterns: dict[str, list[float]] = {}
    for day_index, key in enumerate(classes):
        day = hourly[day_index * 24 : day_index * 24 + 24]
        known = patterns.setdefault(key, day)
        if known != day:
            raise ValueError(f"day {day_index}: the {key} pattern differs from an earlier day")
    return {
        "unit": "litres per hour of 40 °C water, 4 persons (kitchen + shower + washbasin + bath auto-fill)",
        "source": "pyhees (BRI-EES-House, MIT) standard schedule, via jp_standard_dhw_L_per_h_40C_derived.csv",
        "classes": DHW_NAMES,
        "patterns": {code: patterns[code] for code in DHW_NAMES},
        "standard_year": "".join(classes),
    }


def derive_climate(bench: Path) -> list[list[str]]:
    """Mean temperature per month and hour, and a fitted monthly Linke turbidity."""
    temps: dict[tuple[int, int], list[float]] = defaultdict(list)
    turbidity: dict[int, list[float]] = defaultdict(list)
    with (bench / "pyhees" / "climateData_6.csv").open(newline="", encoding="shift_jis") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            month, day, hour = int(row[0]), int(row[1]), int(row[2])
            temps[month, hour % 24].append(float(row[3]))
            dni, altitude = float(row[5]), float(row[8])
            if altitude < 15.0 or dni < 100.0:
                continue
            # Ineichen-Perez beam: DNI = 0.827·I0·exp(-0.09·AM·(TL-1)) at sea level → solve for TL.
            doy = date(2025, month, day).timetuple().tm_yday
            i0 = 1367.0 * (1.0 + 0.033 * math.cos(2.0 * math.pi * doy / 365.0))
            zenith = 90.0 - altitude
            airmass = 1.0 / (math.cos(math.radians(zenith)) + 0.50572 * (96.07995 - zenith) ** -1.6364)
            turbidity[month].append(1.0 + math.log(0.827 * i0 / dni) / (0.09 * airmass))
    rows = [["month", "linke_turbidity", *(f"t{hour:02d}" for hour in range(24))]]
    for month in range(1, 13):
        clearest = sorted(turbidity[month])
        tl = clearest[len(clearest) // 20]  # 5th percentile: the clear hours
        rows.append([str(month), f"{tl:.2f}", *(f"{_mean(temps[month, hour]):.1f}" for hour in range(24))])
    return rows


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def main() -> None:
    """Write the three profile files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    args = parser.parse_args()
    bench: Path = args.bench
    DATA.mkdir(parents=True, exist_ok=True)
    _write_csv(DATA / "base_load_w.csv", derive_base_load(bench))
    _write_csv(DATA / "tokyo_climate.csv", derive_climate(bench))
    dhw_path = DATA / "dhw_4p_40c.json"
    dhw_path.write_text(json.dumps(derive_dhw(bench), ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {dhw_path.relative_to(ROOT)} ({dhw_path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
