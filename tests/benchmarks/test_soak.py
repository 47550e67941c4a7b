"""The soak (`python -m benchmarks.soak`): its scoring can fail, its plan covers every fault, and a one-day run recovers
from every fault without a restart, logs no traceback, keeps the meter's statistics exact, and solar charge hands the
devices back on stale meter/PV data and takes control again when the data returns."""

from __future__ import annotations

import itertools
import json
import logging
import os
from pathlib import Path
import shutil
import subprocess
import sys

import pytest

from benchmarks.soak import bench_soak
from benchmarks.soak.schedule import DAY_S, FaultKind, plan_faults
from benchmarks.soak.scoring import (
    ExceptionCounter,
    HandOver,
    HourRow,
    Recovery,
    check_statistics,
    resumptions,
    summarize_faults,
    unavailable_extra,
    uncovered_seconds,
)

ROOT = Path(__file__).resolve().parents[2]
H = 3600.0


# ------------------------------------------------------------------------------------------------------- scoring
def test_uncovered_seconds_subtracts_only_the_fault_windows() -> None:
    assert uncovered_seconds([(0.0, 100.0)], [(10.0, 40.0), (30.0, 50.0)]) == 60.0
    assert uncovered_seconds([(0.0, 100.0)], []) == 100.0
    assert uncovered_seconds([(20.0, 30.0)], [(0.0, 100.0)]) == 0.0


def test_unavailable_extra_reports_totals_and_the_entities_that_have_some() -> None:
    extra = unavailable_extra(
        {"sensor.a": [(0.0, 120.0)], "sensor.b": [(0.0, 60.0)]}, {"sensor.a": [(0.0, 60.0)], "sensor.b": [(0, 60)]}
    )
    assert extra == {"total": 1.0, "per_entity": {"sensor.a": 1.0}}


def _registers(hours: int) -> dict[float, float]:
    return {hour * H: 100.0 + 0.5 * hour for hour in range(hours + 1)}


def _rows(hours: int) -> list[HourRow]:
    return [HourRow(hour * H, 0.5 * (hour + 1)) for hour in range(hours)]


def test_statistics_check_passes_exact_rows() -> None:
    check = check_statistics(_rows(5), _registers(5), until=5 * H)
    assert (check.expected, check.rows, check.missing, check.duplicated, check.mismatched) == (5, 5, 0, 0, 0)


def test_statistics_check_finds_a_planted_missing_row() -> None:
    rows = _rows(5)
    del rows[2]
    assert check_statistics(rows, _registers(5), until=5 * H).missing == 1


def test_statistics_check_finds_a_duplicated_row_and_double_counted_energy() -> None:
    rows = _rows(5)
    assert check_statistics([*rows, rows[3]], _registers(5), until=5 * H).duplicated >= 1
    doubled = [*rows[:3], *(HourRow(row.start, row.sum_kwh + 0.5) for row in rows[3:])]
    check = check_statistics(doubled, _registers(5), until=5 * H)
    assert check.duplicated == 1
    assert check.mismatched == 0
    short = [*rows[:3], *(HourRow(row.start, row.sum_kwh - 0.25) for row in rows[3:])]
    assert check_statistics(short, _registers(5), until=5 * H).mismatched == 1


def test_statistics_check_expects_nothing_past_the_end() -> None:
    assert check_statistics(_rows(3), _registers(5), until=3 * H).missing == 0


def test_a_fault_that_did_not_recover_needs_a_restart() -> None:
    summary = summarize_faults(
        [Recovery("silence", 12.0), Recovery("silence", None), Recovery("delay", 3.0)], ["silence", "delay", "reboot"]
    )
    assert summary["silence"] == {"count": 2, "recover_s_median": 12.0, "recover_s_max": 12.0, "restart_needed": True}
    assert summary["delay"]["restart_needed"] is False
    assert summary["reboot"] == {"count": 0, "recover_s_median": None, "recover_s_max": None, "restart_needed": False}


def test_the_exception_counter_counts_tracebacks_only() -> None:
    counter = ExceptionCounter()
    logger = logging.getLogger("tests.soak.planted")
    logger.addHandler(counter)
    try:
        logger.error("an error without a traceback")
        try:
            raise RuntimeError("planted")  # noqa: TRY301 - the traceback is the point
        except RuntimeError:
            logger.exception("Unexpected error")
    finally:
        logger.removeHandler(counter)
    assert (counter.count, counter.errors) == (1, 2)
    assert counter.samples == ["tests.soak.planted: Unexpected error (RuntimeError)"]


def test_resumption_is_the_first_fresh_step_and_write_after_a_stale_hand_over() -> None:
    handovers = [
        HandOver(100.0, "battery", "data_stale"),
        HandOver(150.0, "battery", "master_off"),
        HandOver(900.0, "water_heater", "data_stale"),
    ]
    found = resumptions(handovers, fresh=[50.0, 400.0, 700.0], writes={"battery": [90.0, 460.0]}, reason="data_stale")
    assert found == [
        {"device": "battery", "at": 100.0, "fresh_again_after_s": 300.0, "wrote_again_after_s": 360.0},
        # Never fresh again by the end of the run, never written again: what the soak's test refuses.
        {"device": "water_heater", "at": 900.0, "fresh_again_after_s": None, "wrote_again_after_s": None},
    ]


# ---------------------------------------------------------------------------------------------------------- plan
def test_the_plan_has_every_kind_every_day_and_one_restart() -> None:
    days = 3
    plan = plan_faults(days, seed=4, nodes=9)
    assert plan == plan_faults(days, seed=4, nodes=9)
    assert plan != plan_faults(days, seed=5, nodes=9)
    for day in range(days):
        kinds = [
            f.kind for f in plan if day * DAY_S <= f.at_s < (day + 1) * DAY_S and f.kind is not FaultKind.HA_RESTART
        ]
        assert sorted(kinds) == sorted(k for k in FaultKind if k is not FaultKind.HA_RESTART)
    assert [f.kind for f in plan].count(FaultKind.HA_RESTART) == 1
    # One at a time: each fault (the air-time limit lasts its hour) has ended before the next begins, and its
    # recovery deadline is the start of the next slot.
    for fault, following in itertools.pairwise(plan):
        lasts = H if fault.kind is FaultKind.TRANSMIT_LIMIT else fault.duration_s
        assert fault.at_s + lasts < following.at_s
    slots = [f for f in plan if f.kind is not FaultKind.HA_RESTART]
    for fault, following in itertools.pairwise(slots):
        assert fault.deadline_s <= following.at_s


# ----------------------------------------------------------------------------------------------------------- run
def _command(json_path: Path) -> list[str]:
    soak = [sys.executable, "-m", "benchmarks.soak", "--days", "1", "--seed", "1", "--json", str(json_path)]
    if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        # A private network namespace: UDP 3610 and 127.0.7.x cannot collide with anything else on the host.
        script = "ip link set lo up && ip route add 224.0.0.0/4 dev lo && exec " + " ".join(soak)
        return ["unshare", "-n", "sh", "-c", script]
    return soak


@pytest.mark.soak
def test_one_day_soak(tmp_path: Path) -> None:
    json_path = tmp_path / "soak.json"
    done = subprocess.run(_command(json_path), cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads(json_path.read_text(encoding="utf-8"))
    for key in ("days", "seed", "speedup", "memory_growth_mb", "statistics_expected"):
        assert key in report
    assert set(report["faults"]) == {kind.value for kind in FaultKind}
    for kind, figures in report["faults"].items():
        assert set(figures) == {"count", "recover_s_median", "recover_s_max", "restart_needed"}, kind
        assert figures["count"] >= 1, kind
        assert figures["restart_needed"] is False, kind
    assert set(report["unavailable_extra_min"]) == {"total", "per_entity"}
    assert report["log_exceptions"] == 0, report["log_exception_samples"]
    assert report["statistics_expected"] > 24
    assert report["statistics_missing"] == 0
    assert report["statistics_duplicated"] == 0
    assert report["statistics_mismatched"] == 0
    # The virtual board's own channel ranges (1..8) cover our channels: not one range written in the day, faults and
    # restart included (another controller's ranges are left alone).
    assert report["board_range_writes"] == 0
    # The day the soak recorded reaches the PV outlook complete, its sum going on from the imported history's (issue
    # 15: nothing was compiled, then the first compiled hour negated the history): May 18 is clear, ~30 kWh of PV.
    recorded = report["outlook_recorded_days"]
    assert (recorded.get(bench_soak.START.date().isoformat()) or 0.0) > 10.0, recorded
    # Solar charge (control on all along): meter/PV data stale for 10 minutes (seed 1: the meter taken by another
    # controller for 22 minutes, the ARIB limit for an hour) hands the devices back, and control resumes once the
    # data returns — every hand-over sees fresh data again, and the executor writes again.
    for key in ("handovers", "executor_writes", "plan_failures", "data_stale_resumptions"):
        assert key in report
    assert sum(report["executor_writes"].values()) > 0, report["executor_writes"]
    stale = report["data_stale_resumptions"]
    assert report["handovers"].get("data_stale", 0) == len(stale) >= 1, report["handovers"]
    assert all(episode["fresh_again_after_s"] is not None for episode in stale), stale
    assert any(episode["wrote_again_after_s"] is not None for episode in stale), stale
