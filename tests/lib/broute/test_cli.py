"""The probe CLI as a subprocess against the virtual home's dongle: JSON lines until stopped; one-line errors."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import timedelta
import json
import os
from pathlib import Path
import signal
import sys

import pytest

from custom_components.echonet_hems.lib.broute import __main__ as cli
from custom_components.echonet_hems.lib.broute.session import BRouteSession
from tests.lib.broute.support import PASSWORD, ROUTE_B_ID, START, rig

ROOT = Path(__file__).resolve().parents[3]
MODULE = "custom_components.echonet_hems.lib.broute"


async def probe(*args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        MODULE,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_to_end(*args: str) -> tuple[int, str, str]:
    process = await probe(*args)
    async with asyncio.timeout(30):
        stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(("dialect", "transport"), [("bp35a1", "pty"), ("bp35c0", "tcp")])
async def test_probe_joins_prints_json_lines_and_stops_cleanly(dialect: str, transport: str, tmp_path: Path) -> None:
    async with rig(dialect, transport, tmp_path, history_days=2) as r:
        yesterday = (START.date() - timedelta(days=1)).isoformat()
        process = await probe("--port", r.url, "--id", ROUTE_B_ID, "--password", PASSWORD, "--history", yesterday)
        assert process.stdout is not None
        records: dict[str, dict[str, object]] = {}
        async with asyncio.timeout(30):
            while "reading" not in records:
                line = await process.stdout.readline()
                assert line, (await process.stderr.read()).decode() if process.stderr else ""
                record = json.loads(line)
                records[record["type"]] = record[record["type"]]
            process.send_signal(signal.SIGINT)
            _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()
        assert list(records) == ["session", "identity", "scale", "history", "reading"]
        assert records["session"]["state"] == "connected"
        assert records["session"]["dialect"] == dialect
        assert records["identity"]["eui64"] == "001C6400601421A3"
        history = records["history"]
        assert history["day"] == yesterday
        slots = history["slots"]
        assert isinstance(slots, list)
        assert len(slots) == 48
        assert slots[0]["measured_at"] == f"{yesterday}T00:00:00+09:00"
        reading = records["reading"]
        assert isinstance(reading["power_w"], int)
        assert PASSWORD not in json.dumps(records)
        # The probe ended the PANA session with SKTERM on its way out.
        assert r.port.emulator.state.value == "idle"


async def test_probe_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    code, out, err = await run_to_end("--port", "/dev/null", "--id", "short", "--password", PASSWORD)
    assert (code, out) == (2, "")
    assert err == "error: invalid credentials: the B-route ID must be 32 characters, got 5\n"

    code, out, err = await run_to_end("--port", str(tmp_path / "nothing"), "--id", ROUTE_B_ID, "--password", PASSWORD)
    assert code == 1
    assert err.startswith("error: cannot open the dongle at ")
    assert err.count("\n") == 1
    assert out == ""

    async with rig("bp35a1", "tcp", tmp_path) as r:
        code, out, err = await run_to_end("--port", r.url, "--id", ROUTE_B_ID, "--password", "WRONGPASSWRD")
    assert code == 3
    assert err.startswith("error: the meter rejected PANA authentication")
    assert err.count("\n") == 1
    assert "WRONGPASSWRD" not in err + out


async def test_probe_in_process_prints_pushes_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same code path as the subprocess, run in this process (so that its coverage is measured): a 30-minute push
    # arrives while polling, and a history day the meter cannot hold is an `error` line, not the end.
    start = START.replace(hour=11, minute=58)
    async with rig("bp35c0", "tcp", tmp_path, start=start) as r:
        args = cli._parse_args(["--port", r.url, "--id", ROUTE_B_ID, "--password", PASSWORD, "--history", "2000-01-01"])
        session = BRouteSession(args.port, args.route_b_id, args.password, clock=r.home.clock)
        stop = asyncio.Event()
        task = asyncio.ensure_future(cli._probe(args, session, stop))
        output = ""
        async with asyncio.timeout(10):
            while '"type": "fixed_time"' not in output:
                await asyncio.sleep(0.02)
                output += capsys.readouterr().out
        stop.set()
        assert await task == 0
    records = [json.loads(line) for line in (output + capsys.readouterr().out).splitlines()]
    kinds = [record["type"] for record in records]
    assert "fixed_time" in kinds  # whenever it came
    polled = [record for record in records if record["type"] != "fixed_time"]
    assert [record["type"] for record in polled][:5] == ["session", "identity", "scale", "error", "reading"]
    assert "99 days" in polled[3]["error"]
    with pytest.raises(TypeError):
        cli._json_default(object())


def run_main_in_thread(argv: list[str]) -> int:
    """`cli.main` runs `asyncio.run`, which leaves its thread without an event loop; the HA harness's fixtures expect
    the main thread to keep one, so the in-process CLI runs in a worker thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(cli.main, argv).result()


def test_main_exit_codes_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main_in_thread(["--port", "/dev/null", "--id", ROUTE_B_ID, "--password", "x"]) == 2
    assert capsys.readouterr().err == "error: invalid credentials: the B-route password must be 12 characters, got 1\n"
    assert run_main_in_thread(["--port", str(tmp_path / "absent"), "--id", ROUTE_B_ID, "--password", PASSWORD]) == 1
    assert capsys.readouterr().err.startswith("error: cannot open the dongle")


def test_the_password_comes_from_the_environment_so_it_is_not_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECHONET_HEMS_BROUTE_PASSWORD", PASSWORD)
    args = cli._parse_args(["--port", "/dev/null", "--id", ROUTE_B_ID])
    assert args.password == PASSWORD
    monkeypatch.delenv("ECHONET_HEMS_BROUTE_PASSWORD")
    with pytest.raises(SystemExit) as ended:
        cli._parse_args(["--port", "/dev/null", "--id", ROUTE_B_ID])
    assert ended.value.code == 2
    assert "ECHONET_HEMS_BROUTE_PASSWORD" in capsys.readouterr().err
