"""The demo's process handling and reporting helpers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
import socket

import pytest

from demo.__main__ import main, screenshot_dir
from demo.config import SiteConfig, exposed_with_published_password
from demo.errors import DemoError
from demo.processes import spawn, virtual_home_argv
from demo.provision import meter_poll_seconds
from demo.run import REPO, Demo, DemoOptions, banner, energy_day_note, ensure_port_free, log_errors
from demo.state import DemoState, write_state
from virtual_home.clock import JST


def test_log_errors(tmp_path: Path) -> None:
    """ERROR and CRITICAL lines count; warnings and tracebacks' other lines do not; no log yet is no error."""
    log = tmp_path / "home-assistant.log"
    assert log_errors(log) == []
    log.write_text(
        "2026-01-01 00:00:00.000 WARNING (MainThread) [x] custom integration\n"
        "2026-01-01 00:00:01.000 ERROR (MainThread) [y] broken\n"
        "Traceback (most recent call last):\n"
        "2026-01-01 00:00:02.000 CRITICAL (MainThread) [z] worse\n",
        encoding="utf-8",
    )
    assert [line.split(" [")[1] for line in log_errors(log)] == ["y] broken", "z] worse"]


def test_banner_has_what_a_user_needs() -> None:
    """URL, login, token and dashboards; a warning line when the log has errors."""
    state = DemoState(
        "http://127.0.0.1:8123", "demo", "echonet-demo", "TOKEN", "/c", "/c/log", dashboards={"home": "/h"}
    )
    text = banner(state, [])
    for expected in ("http://127.0.0.1:8123", "demo / echonet-demo", "TOKEN", "http://127.0.0.1:8123/h", "Ctrl-C"):
        assert expected in text
    assert "WARNING" not in text
    assert "WARNING: the Home Assistant log has 1 error line(s)" in banner(state, ["boom"])


def test_banner_of_the_check_does_not_ask_for_ctrl_c() -> None:
    """`--check` stops by itself: its banner says so instead of "Press Ctrl-C to stop"."""
    state = DemoState("http://x", "demo", "pw", "TOKEN", "/c", "/c/log", dashboards={"home": "/h"})
    text = banner(state, [], check=True)
    assert "Ctrl-C" not in text
    assert "stops by itself" in text
    assert "Energy: note" in banner(state, [], energy_note="Energy: note")


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (0, "'today' is still empty; the imported simulated past is under 'yesterday'"),
        (3, "'today' shows the last 3 imported hour(s)"),
        (23, "'today' shows the last 23 imported hour(s)"),
    ],
)
def test_energy_day_note_says_where_the_imported_day_is(hour: int, expected: str) -> None:
    """The Energy dashboard pages by the home's calendar day: the note names the day that holds the data."""
    assert expected in energy_day_note(datetime(2026, 12, 4, hour, 30, tzinfo=JST), history_days=1)


def test_energy_day_note_uses_japan_time() -> None:
    """Midnight in Japan is 15:00 UTC: the note follows the home's day, not UTC's."""
    assert "still empty" in energy_day_note(datetime(2026, 12, 4, 15, 10, tzinfo=UTC), history_days=1)
    assert "last 23 imported" in energy_day_note(datetime(2026, 12, 4, 14, 10, tzinfo=UTC), history_days=1)


async def test_stop_removes_the_state_file(tmp_path: Path) -> None:
    """After the demo stops, no state.json points scripts at dead processes."""
    demo = Demo(DemoOptions(site=SiteConfig(), root=tmp_path))
    state = DemoState("http://x", "demo", "pw", "TOKEN", "/c", "/c/log", pids={"home_assistant": 1})
    write_state(demo.paths.state, state)
    await demo.stop()
    assert not demo.paths.state.exists()
    assert list(tmp_path.iterdir()) == []


def test_screenshots_stay_out_of_the_tree_unless_asked() -> None:
    """The documented check writes to .demo/screenshots; only --update-screenshots touches docs/screenshots."""
    assert screenshot_dir(None, update=False) == REPO / ".demo" / "screenshots"
    assert screenshot_dir(None, update=True) == REPO / "docs" / "screenshots"
    assert screenshot_dir(Path("/tmp/shots"), update=False) == Path("/tmp/shots")
    assert DemoOptions(site=SiteConfig()).screenshots == REPO / ".demo" / "screenshots"


def test_update_screenshots_needs_the_check() -> None:
    """A flag that would do nothing is refused."""
    assert main(["--update-screenshots"]) == 2
    assert main(["--check", "--update-screenshots", "--screenshots", "/tmp/x"]) == 2


def test_beyond_loopback_the_published_password_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0"]) == 2
    assert "published password" in capsys.readouterr().err
    assert exposed_with_published_password(SiteConfig(host="192.0.2.5"))
    assert not exposed_with_published_password(SiteConfig(host="0.0.0.0", password="a-secret-of-mine"))
    assert not exposed_with_published_password(SiteConfig())


@pytest.mark.usefixtures("socket_enabled")
def test_port_in_use_is_reported() -> None:
    """A taken port fails early with a hint; a free one passes."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(DemoError, match=f"127.0.0.1:{port} is in use; choose another with --port"):
            ensure_port_free("127.0.0.1", port)
    ensure_port_free("127.0.0.1", port)


async def test_stop_leaves_no_orphans(tmp_path: Path) -> None:
    """Stopping a child also ends what it started in its session, even when it ignores SIGTERM."""
    pid_file = tmp_path / "grandchild"
    script = f"trap '' TERM; sleep 60 & echo $! > {pid_file}; wait"
    child = await spawn("a shell", ["sh", "-c", script], tmp_path / "sh.log", cwd=tmp_path)
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.05)
    grandchild = int(pid_file.read_text())
    await child.stop(grace=0.5)
    assert not child.alive
    await asyncio.sleep(0.1)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan stays a zombie until init reaps it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


async def test_missing_program_is_a_demo_error(tmp_path: Path) -> None:
    """A program that cannot start names the step."""
    with pytest.raises(DemoError, match="starting nothing failed"):
        await spawn("nothing", [str(tmp_path / "missing")], tmp_path / "x.log", cwd=tmp_path)


def test_virtual_home_argv() -> None:
    """The flags the demo's history simulation reuses, plus the dongle's pty link."""
    argv = virtual_home_argv(60.0, 1, "2026-06-01T12:00:00+09:00", Path("/tmp/d"))
    assert argv == [
        "--speed",
        "60",
        "--history-days",
        "1",
        "--start",
        "2026-06-01T12:00:00+09:00",
        "--routine",
        "--announce-measurements",
        "--dongle-pty",
        "/tmp/d",
    ]
    # In real time the devices behave as real ones do: status changes announced, readings polled.
    assert "--announce-measurements" not in virtual_home_argv(1.0, 1, "2026-06-01T12:00:00+09:00", Path("/tmp/d"))


@pytest.mark.parametrize(
    ("speed", "expected"),
    [(60.0, 5), (2.0, 5), (1.0, None)],
)
def test_meter_poll_scaled_to_the_speed(speed: float, expected: int | None) -> None:
    """The meter's default interval in simulated time, no lower than the options form's minimum."""
    form = {
        "type": "form",
        "data_schema": [
            {"name": "scan_interval", "default": 10, "required": True, "selector": {"number": {"min": 5, "max": 300}}}
        ],
    }
    assert meter_poll_seconds(form, speed) == expected
    assert meter_poll_seconds({"type": "form", "data_schema": []}, speed) is None
