"""The demo's process handling and reporting helpers."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, date, datetime
import json
from pathlib import Path
import socket

import pytest

from demo import provision
from demo.__main__ import main, screenshot_dir
from demo.config import SiteConfig, exposed_with_published_password
from demo.errors import DemoError
from demo.layout import Entity
from demo.processes import spawn, virtual_home_argv
from demo.provision import day_bounds, hours_with_change, meter_poll_seconds
from demo.run import (
    REPO,
    Demo,
    DemoOptions,
    PVForecastNote,
    banner,
    energy_day_note,
    ensure_port_free,
    home_energy_missing,
    log_errors,
)
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


def test_banner_links_the_solar_charge_view_and_says_what_the_speed_means() -> None:
    """The Solar charge view's URL, and the speed note wrapped into the banner's width."""
    state = DemoState(
        "http://x", "demo", "pw", "TOKEN", "/c", "/c/log", dashboards={"home": "/h", "solar_charge": "/h/solar"}
    )
    note = "The virtual home runs at 60x speed " * 5
    text = banner(state, [], solar_note=note)
    assert "Solar charge (control on): http://x/h/solar" in text
    assert " ".join(note.split()) in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 78


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
        "--ev-charger-current",
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


def test_check_needs_two_history_days(capsys: pytest.CaptureFixture[str]) -> None:
    """The check asserts tomorrow's PV forecast, which needs a complete past day: one day of history is refused."""
    assert main(["--check", "--history-days", "1"]) == 2
    assert "--check needs --history-days 2 or more" in capsys.readouterr().err
    assert DemoOptions(site=SiteConfig()).history_days == 2


def _sensor(key: str, state: str | None, **attributes: str) -> Entity:
    return Entity(f"sensor.home_energy_{key}", f"home_energy_{key}", "he", "he", attributes=attributes, state=state)


def test_home_energy_missing() -> None:
    """Prices and cost must be numbers; the PV forecast only when a complete past day was imported."""
    ready = {key: _sensor(key, "1.5") for key in ("price_now", "sell_price_now", "cost_today")}
    assert home_energy_missing(ready, forecast_expected=False) == {}
    assert home_energy_missing(ready, forecast_expected=True) == {"pv_forecast_tomorrow": "absent"}
    learning = {**ready, "pv_forecast_tomorrow": _sensor("pv_forecast_tomorrow", "unknown", status="learning")}
    assert home_energy_missing(learning, forecast_expected=True) == {"pv_forecast_tomorrow": "unknown learning"}
    assert home_energy_missing(
        {**ready, "cost_today": _sensor("cost_today", "unavailable")}, forecast_expected=False
    ) == {"cost_today": "unavailable"}


def test_pv_forecast_note_in_the_banner() -> None:
    """The banner says tomorrow's forecast and the day it learned from, or why it is unknown."""
    note = PVForecastNote(19.94, date(2026, 12, 4)).text()
    assert note == "PV forecast tomorrow: 19.9 kWh (Home energy, learned from the simulated 2026-12-04)"
    assert "--history-days 2 or more" in PVForecastNote(None, None).text()
    state = DemoState("http://x", "demo", "pw", "TOKEN", "/c", "/c/log", dashboards={"home": "/h"})
    assert note in banner(state, [], forecast_note=note)


def test_day_bounds_and_hours_with_change() -> None:
    """A Japanese day starts at 15:00 UTC; the fewest complete hours over the statistics decide."""
    start, end = day_bounds(date(2026, 12, 4))
    assert start.astimezone(UTC) == datetime(2026, 12, 3, 15, tzinfo=UTC)
    assert (end - start).total_seconds() == 86400
    result = {"a": [{"change": 1.0}] * 24, "b": [{"change": 0.0}] * 23 + [{"change": None}]}
    assert hours_with_change(result, ["a"]) == 24
    assert hours_with_change(result, ["a", "b"]) == 23
    assert hours_with_change(result, ["a", "missing"]) == 0


def _access_token(refresh_token_id: str) -> str:
    """A token shaped like Home Assistant's (a JWT naming its refresh token in `iss`); the signature is not checked."""

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'iss': refresh_token_id, 'iat': 1, 'exp': 2})}.c2ln"


class FakeHomeAssistant:
    """The websocket side of the stop: refresh tokens by id, commands recorded, revoked tokens refused at login."""

    def __init__(self, *, closes_before_result: bool) -> None:
        self.tokens = {"0123abcd": _access_token("0123abcd")}
        self.commands: list[tuple[str, dict[str, object]]] = []
        self.closes_before_result = closes_before_result

    @contextlib.asynccontextmanager
    async def connect(self, url: str, token: str, log: str) -> AsyncIterator[FakeHomeAssistant]:
        if token not in self.tokens.values():
            raise DemoError("connecting to the websocket API", "authentication refused: {'type': 'auth_invalid'}", log)
        yield self

    async def command(self, step: str, kind: str, **data: object) -> object:
        self.commands.append((kind, data))
        if kind == "auth/delete_refresh_token" and self.tokens.pop(str(data["refresh_token_id"]), None) is not None:
            if self.closes_before_result:  # HA cancels the connection the deleted token authenticated
                raise DemoError(step, "connection closed")
            return {}
        raise DemoError(step, "invalid_token_id")


@pytest.mark.parametrize("closes_before_result", [False, True])
async def test_stop_revokes_the_demo_token(
    tmp_path: Path, closes_before_result: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    hass = FakeHomeAssistant(closes_before_result=closes_before_result)
    demo = Demo(DemoOptions(site=SiteConfig(), root=tmp_path), connect=hass.connect)  # type: ignore[arg-type]
    token = hass.tokens["0123abcd"]
    demo.state = DemoState("http://x", "demo", "pw", token, "/c", "/c/log")
    write_state(demo.paths.state, demo.state)
    await demo.stop()
    assert hass.commands == [("auth/delete_refresh_token", {"refresh_token_id": "0123abcd"})]
    assert hass.tokens == {}
    assert "revoked the demo's access token" in capsys.readouterr().out
    assert not demo.paths.state.exists()


async def test_a_token_that_stays_valid_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hass = FakeHomeAssistant(closes_before_result=False)
    demo = Demo(DemoOptions(site=SiteConfig(), root=tmp_path), connect=hass.connect)  # type: ignore[arg-type]
    token = _access_token("0123abcd")
    hass.tokens = {"another": token}  # HA knows the token under another id: the delete is refused
    demo.state = DemoState("http://x", "demo", "pw", token, "/c", "/c/log")
    await demo.stop()
    assert "could not be revoked" in capsys.readouterr().out
    assert demo.state is None


def test_the_demo_token_is_short_lived_and_named_for_the_demo() -> None:
    assert provision.DEMO_TOKEN_DAYS <= 30
    assert "demo" in provision.DEMO_TOKEN_CLIENT
    assert provision.refresh_token_id(_access_token("feed")) == "feed"
    with pytest.raises(DemoError, match="not a Home Assistant access token"):
        provision.refresh_token_id("not-a-jwt")
