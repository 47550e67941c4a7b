"""Irradiance traces from CSV: parsing, interpolation, errors, and their effect on the simulated PV."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from virtual_home.__main__ import main, options_from, parse_args
from virtual_home.clock import JST
from virtual_home.irradiance import load_irradiance_trace
from virtual_home.runtime import HomeOptions, build_home

NOON = datetime(2026, 5, 20, 12, 0, tzinfo=JST)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_trace_interpolates_and_is_dark_outside(tmp_path: Path) -> None:
    trace = load_irradiance_trace(
        write(tmp_path, "time,ghi_w_m2\n2026-05-20T12:00,800\n2026-05-20T11:00,400\n# note\n2026-05-20T13:00+09:00,0\n")
    )
    assert trace(NOON) == 800
    assert trace(NOON - timedelta(minutes=30)) == pytest.approx(600)
    assert trace(NOON + timedelta(minutes=15)) == pytest.approx(600)
    assert trace(NOON + timedelta(hours=1)) == 0
    assert trace(NOON - timedelta(hours=2)) == 0
    assert trace(NOON + timedelta(hours=2)) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-05-20T12:00\n2026-05-20T13:00,1\n", "expected 'time,ghi_w_m2'"),
        ("noon,800\n2026-05-20T13:00,1\n", ":1:"),
        ("2026-05-20T12:00,bright\n", ":1:"),
        ("2026-05-20T12:00,-5\n2026-05-20T13:00,1\n", "negative"),
        ("2026-05-20T12:00,5\n", "at least two rows"),
    ],
)
def test_malformed_traces_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_irradiance_trace(write(tmp_path, text))


def test_a_trace_drives_the_pv_model(tmp_path: Path) -> None:
    dark = load_irradiance_trace(write(tmp_path, "2026-05-20T00:00,0\n2026-05-21T00:00,0\n"))
    home = build_home(HomeOptions(start=NOON, irradiance=dark))
    assert home.step(60, NOON).pv_w == 0
    bright = build_home(HomeOptions(start=NOON))
    assert bright.step(60, NOON).pv_w > 2000


def test_cli_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "2026-05-20T00:00,100\n2026-05-21T00:00,100\n")
    home, _ = options_from(parse_args(["--irradiance", str(path)]))
    assert home.irradiance is not None
    assert home.irradiance(NOON) == 100
    assert main(["--irradiance", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv" in capsys.readouterr().err
