"""Derive the compact data files of ``benchmarks/data`` from the real benchmark data folder (../shared/bench).

Run once (``python scripts/derive_benchmark_data.py [--bench PATH]``); the benchmark then runs from a fresh clone
without the data folder. Every series is laid on a non-leap template year of 30-minute slots in *local wall-clock
time* (slot 0 = 1 January 00:00-00:30), which the benchmark reads as JST wall-clock time (BENCHMARK.md §5.9):
foreign data is aligned by local clock time, DST duplicates are dropped and the spring DST gap is filled with the
previous value; 29 February is dropped.

Outputs (see benchmarks/data/README.md):
- ``weather_<name>.csv``: ``ghi_w_m2,temp_c`` per slot (hourly sources are held over both half hours);
- ``load_<name>.csv``: household load in W per slot, rescaled to 4,500 kWh/yr;
- ``emhass_pv_daily.csv``: the emhass home's measured PV and its real day-ahead PV forecast, kWh per template day.
"""

from __future__ import annotations

import argparse
import csv
from datetime import UTC, date, datetime, timedelta
import math
from pathlib import Path
from zoneinfo import ZoneInfo

SLOTS = 17520
TEMPLATE_YEAR = 2025  # any non-leap year
ANNUAL_LOAD_KWH = 4500.0
REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "data"


def slot_of(month: int, day: int, hour: int, minute: int) -> int | None:
    """Template slot of a local wall-clock time; None for 29 February."""
    if month == 2 and day == 29:
        return None
    day_index = (date(TEMPLATE_YEAR, month, day) - date(TEMPLATE_YEAR, 1, 1)).days
    return day_index * 48 + hour * 2 + minute // 30


def fill_gaps(values: list[float | None]) -> list[float]:
    """Replace missing slots with the previous value (the first with the next known one)."""
    first = next(v for v in values if v is not None)
    result: list[float] = []
    last = first
    for value in values:
        last = value if value is not None else last
        result.append(last)
    return result


def write_weather(name: str, ghi: list[float | None], temp: list[float | None], note: str) -> None:
    path = OUT / f"weather_{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# {note}\n")
        writer = csv.writer(handle)
        writer.writerow(["ghi_w_m2", "temp_c"])
        for g, t in zip(fill_gaps(ghi), fill_gaps(temp), strict=True):
            writer.writerow([round(max(g, 0.0)), round(t, 1)])


def hourly_hold(values: dict[int, tuple[float, float]]) -> tuple[list[float | None], list[float | None]]:
    """Hour-of-template-year (interval start) → both 30-minute slots."""
    ghi: list[float | None] = [None] * SLOTS
    temp: list[float | None] = [None] * SLOTS
    for hour_index, (g, t) in values.items():
        for half in (0, 1):
            slot = hour_index * 2 + half
            if 0 <= slot < SLOTS:
                ghi[slot], temp[slot] = g, t
    return ghi, temp


def derive_pyhees(bench: Path, region: int) -> None:
    text = (bench / "pyhees" / f"climateData_{region}.csv").read_bytes().decode("shift_jis")
    rows = list(csv.reader(text.splitlines()))[1:]
    values: dict[int, tuple[float, float]] = {}
    for row in rows:
        month, day, hour = int(row[0]), int(row[1]), int(row[2])  # hour 1-24 = the hour ending then
        slot = slot_of(month, day, 0, 0)
        if slot is None:
            continue
        altitude = math.radians(float(row[8]))
        ghi = float(row[5]) * max(math.sin(altitude), 0.0) + float(row[6])
        values[slot // 2 + hour - 1] = (ghi, float(row[3]))
    ghi, temp = hourly_hold(values)
    write_weather(
        f"jp{region}", ghi, temp, f"pyhees climateData_{region}.csv (MIT, BRI-EES-House): GHI = DNI*sin(alt) + DHI"
    )


def derive_nsrdb(bench: Path, file: str, name: str) -> None:
    with (bench / "pvlib" / file).open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header = next(csv.reader([lines[2]]))
    col = {key: header.index(key) for key in ("Month", "Day", "Hour", "Minute", "GHI", "Temperature")}
    ghi: list[float | None] = [None] * SLOTS
    temp: list[float | None] = [None] * SLOTS
    for row in csv.reader(lines[3:]):
        if not row or not row[0]:
            continue
        slot = slot_of(int(row[col["Month"]]), int(row[col["Day"]]), int(row[col["Hour"]]), int(row[col["Minute"]]))
        if slot is not None:
            ghi[slot], temp[slot] = float(row[col["GHI"]]), float(row[col["Temperature"]])
    write_weather(name, ghi, temp, f"NSRDB via pvlib test data {file} (BSD-3), local standard time UTC-7")


def derive_tmy(bench: Path) -> None:
    with (bench / "pvlib" / "723170TYA.CSV").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[2:]
    values: dict[int, tuple[float, float]] = {}
    for row in rows:
        month, day, _ = (int(x) for x in row[0].split("/"))
        hour = int(row[1].split(":")[0])  # hour ending, 1-24
        slot = slot_of(month, day, 0, 0)
        if slot is not None:
            values[slot // 2 + hour - 1] = (float(row[4]), float(row[31]))
    ghi, temp = hourly_hold(values)
    write_weather("tmy-greensboro", ghi, temp, "Greensboro NC TMY3 723170 via pvlib test data (BSD-3), UTC-5")


def write_load(name: str, watts: list[float | None], note: str) -> None:
    filled = fill_gaps(watts)
    scale = ANNUAL_LOAD_KWH / (sum(filled) * 0.5 / 1000.0)
    with (OUT / f"load_{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# {note}; rescaled to {ANNUAL_LOAD_KWH:.0f} kWh/yr (factor {scale:.3f})\nload_w\n")
        handle.writelines(f"{round(w * scale)}\n" for w in filled)


def paris_slot(stamp: str) -> tuple[int | None, datetime]:
    utc = datetime.fromisoformat(stamp).astimezone(UTC)
    local = utc.astimezone(ZoneInfo("Europe/Paris"))
    return slot_of(local.month, local.day, local.hour, local.minute), local


def derive_emhass(bench: Path) -> None:
    long_file = bench / "emhass" / "emhass_long_train_data_2024-02-28_2025-02-27_30min.csv"
    load: list[float | None] = [None] * SLOTS
    pv_day = [0.0] * 365
    fc_day = [0.0] * 365
    with long_file.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            slot, _ = paris_slot(row["time_utc"])
            if slot is None or load[slot] is not None:  # DST duplicate: keep the first
                continue
            load[slot] = max(float(row["load_no_var_loads_W"]), 0.0) if row["load_no_var_loads_W"] else None
            pv_day[slot // 48] += max(float(row["pv_W"] or 0.0), 0.0) / 2000.0
            fc_day[slot // 48] += max(float(row["pv_forecast_W"] or 0.0), 0.0) / 2000.0
    write_load("emhass", load, "emhass long_train_data load_no_var_loads_W (MIT), Europe/Paris wall clock")
    with (OUT / "emhass_pv_daily.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("# emhass home (4.4 kW, France, MIT): measured PV and its real day-ahead forecast per day\n")
        handle.write("pv_kwh,forecast_kwh\n")
        handle.writelines(f"{p:.2f},{f:.2f}\n" for p, f in zip(pv_day, fc_day, strict=True))
    load2: list[float | None] = [None] * SLOTS
    with (bench / "emhass" / "emhass_load_2023-12-24_2024-12-23_30min.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            slot, _ = paris_slot(row["time_utc"])
            if slot is not None and load2[slot] is None:
                load2[slot] = max(float(row["load_positive_W"]), 0.0) if row["load_positive_W"] else None
    write_load("emhass2", load2, "emhass load_positive_W 2023-12-24..2024-12-23 (MIT), Europe/Paris wall clock")


def derive_citylearn(bench: Path) -> None:
    with (bench / "citylearn2022" / "citylearn2022_17homes_hourly_load_pv.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Rows are consecutive hours, the first being the hour ending 24:00 of 31 July (hour ending = interval start + 1).
    start = datetime(2021, 7, 31, 23, 0, tzinfo=UTC)  # a wall-clock counter (UTC has no DST)
    for home in range(1, 18):
        watts: list[float | None] = [None] * SLOTS
        for index, row in enumerate(rows):
            moment = start + timedelta(hours=index)
            slot = slot_of(moment.month, moment.day, moment.hour, 0)
            if slot is None:
                continue
            value = float(row[f"b{home}_load_kWh"]) * 1000.0
            watts[slot] = watts[slot + 1] = value
        write_load(f"citylearn-{home}", watts, f"CityLearn 2022 building {home} (MIT), hourly held to 30 min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for region in (5, 6, 7):
        derive_pyhees(args.bench, region)
    derive_nsrdb(args.bench, "test_read_psm3.csv", "nsrdb2017")
    derive_nsrdb(args.bench, "test_read_psm4.csv", "nsrdb2023")
    derive_tmy(args.bench)
    derive_emhass(args.bench)
    derive_citylearn(args.bench)
    print(f"wrote {len(list(OUT.glob('*.csv')))} files to {OUT}")


if __name__ == "__main__":
    main()
