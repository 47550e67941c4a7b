"""The demo's process handling and reporting helpers."""

from __future__ import annotations

import asyncio
from pathlib import Path
import socket

import pytest

from demo.errors import DemoError
from demo.processes import spawn, virtual_home_argv
from demo.run import banner, ensure_port_free, log_errors
from demo.state import DemoState


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
        "--dongle-pty",
        "/tmp/d",
    ]
