"""`python -m virtual_home` as a user runs it: flags, scenario file, the start-up JSON line, fault commands on stdin and
a clean stop on SIGTERM; and the fault console in-process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
import json
from pathlib import Path
import signal
import sys

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.frame import EOJ
from custom_components.echonet_hems.lib.errors import RequestTimeoutError
from virtual_home.__main__ import main, options_from, parse_args
from virtual_home.clock import JST, ManualClock
from virtual_home.console import FaultConsole
from virtual_home.runtime import HomeOptions, VirtualHome
from virtual_home.station import Station, StationOptions

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)


def test_help_documents_flags_and_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--speed", "--start", "--dongle-dialect", "--b-route-id", "--scenario", "--weather", "--pv-arrays"):
        assert flag in out
    assert "unplug | replug" in out


def test_scenario_file_presets_flags_and_the_command_line_wins(tmp_path: Path) -> None:
    scenario = tmp_path / "home.json"
    scenario.write_text(json.dumps({"speed": 120, "pv_kw": 7.5, "dongle_dialect": "bp35c0"}), encoding="utf-8")
    args = parse_args(["--scenario", str(scenario), "--speed", "30", "--start", "2026-05-20T12:00"])
    home, dongle = options_from(args)
    assert home.speed == 30
    assert home.pv_capacity_w == 7500
    assert home.start == START
    assert dongle.dialect == "bp35c0"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "cannot read scenario"), ("[1]", "JSON object"), ('{"colour": "red"}', "unknown scenario keys")],
)
def test_bad_scenarios_are_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    scenario = tmp_path / "bad.json"
    scenario.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--scenario", str(scenario)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_values_exit_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--speed", "-1"]) == 2
    assert "--speed must be positive" in capsys.readouterr().err
    assert main(["--start", "yesterday"]) == 2


async def test_the_command_runs_answers_commands_and_stops_cleanly(tmp_path: Path) -> None:
    link = tmp_path / "dongle"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "virtual_home",
        "--speed",
        "60",
        "--history-days",
        "0",
        "--base-address",
        "127.0.0.171",
        "--dongle-pty",
        str(link),
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        summary = json.loads(await asyncio.wait_for(process.stdout.readline(), 60))
        assert [node["address"] for node in summary["nodes"]][:2] == ["127.0.0.171", "127.0.0.172"]
        assert summary["nodes"][0]["objects"] == ["027901"]
        assert summary["dongle"]["pty"] == str(link)
        assert summary["dongle"]["tcp"].startswith("socket://127.0.0.1:")
        assert summary["b_route"]["id"] == "0123456789ABCDEF0123456789ABCDEF"
        assert link.is_symlink()

        client = EchonetClient(interface="127.0.0.1", timeout=0.5, retries=0)
        await client.start()
        try:
            pv = EOJ(0x02, 0x79, 0x01)
            assert (await client.get("127.0.0.171", pv, [0x80])).values == {0x80: b"\x30"}
            process.stdin.write(b"silence 127.0.0.171\n")
            assert json.loads(await process.stdout.readline()) == {"ok": True, "command": "silence"}
            with pytest.raises(RequestTimeoutError):
                await client.get("127.0.0.171", pv, [0x80])
            process.stdin.write(b"frobnicate\n")
            assert json.loads(await process.stdout.readline())["ok"] is False
        finally:
            await client.close()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        assert not link.exists()  # unplugged on the way out
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def running() -> AsyncIterator[tuple[VirtualHome, Station]]:
    options = HomeOptions(start=START, base_address="127.0.0.181", history_days=0)
    async with (
        VirtualHome(options, clock=ManualClock(START)) as home,
        Station(home, StationOptions(pty=False, tcp=True)) as station,
    ):
        yield home, station


async def test_console_commands(running: tuple[VirtualHome, Station]) -> None:
    home, station = running
    console = FaultConsole(home, station)
    node = home.nodes[0]
    assert (await console.execute("status"))["ok"]
    assert (await console.execute("loss 127.0.0.181 0.5"))["ok"]
    assert node.faults.loss == 0.5
    assert (await console.execute("delay 127.0.0.181 2"))["ok"]
    assert node.faults.delay == 2
    assert (await console.execute("silence 127.0.0.181"))["ok"]
    assert (await console.execute("resume 127.0.0.181"))["ok"]
    assert (node.faults.silent, node.faults.loss, node.faults.delay) == (False, 0.0, 0.0)
    assert (await console.execute("reboot 127.0.0.181"))["ok"]
    moved = await console.execute("move 127.0.0.181 127.0.0.199")
    assert moved == {"ok": True, "command": "move", "address": "127.0.0.199"}
    assert node.address == "127.0.0.199"
    assert (await console.execute("unplug"))["ok"]
    assert not station.port.plugged
    replugged = await console.execute("replug")
    assert replugged["ok"]
    assert str(replugged["tcp"]).startswith("socket://")
    assert (await console.execute("garbage 00FF"))["ok"]
    assert (await console.execute("terminate"))["ok"]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("", "empty command"),
        ("explode", "unknown command"),
        ("silence 10.9.9.9", "no node at 10.9.9.9"),
        ("silence", "expected 1 argument"),
        ("loss 127.0.0.181", "usage: loss"),
        ("loss 127.0.0.181 2", "outside"),
        ("loss 127.0.0.181 lots", "not a number"),
        ("delay 127.0.0.181", "usage: delay"),
        ("move 127.0.0.181", "usage: move"),
        ("move 127.0.0.181 nowhere", "not an IPv4 address"),
        ("move 127.0.0.181 127.0.0.182", "taken"),
        ("garbage zz", "hex bytes"),
    ],
)
async def test_console_explains_bad_commands(running: tuple[VirtualHome, Station], line: str, error: str) -> None:
    home, station = running
    answer = await FaultConsole(home, station).execute(line)
    assert answer["ok"] is False
    assert error in str(answer["error"])


async def test_console_without_a_dongle() -> None:
    async with VirtualHome(
        HomeOptions(start=START, base_address="127.0.0.191", history_days=0), clock=ManualClock(START)
    ) as home:
        answer = await FaultConsole(home, None).execute("unplug")
    assert answer == {"ok": False, "error": "no dongle in this home"}
