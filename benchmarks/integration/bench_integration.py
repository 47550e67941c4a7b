"""Set-up time, CPU per poll cycle and frames per poll cycle (run through `python -m benchmarks.integration`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import os
from pathlib import Path
import statistics
import subprocess
import sys
import time
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]

from custom_components.echonet_hems.const import (
    CONF_ADDRESSES,
    CONF_INTERFACE,
    CONF_KIND,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    DOMAIN,
    EntryKind,
)
from custom_components.echonet_hems.lan_hub import LanRuntimeData
from custom_components.echonet_hems.meter_coordinator import MeterRuntimeData

BASE_ADDRESS = "127.0.5.11"  # clear of the test suite's and the demo's addresses


@pytest.fixture
async def home(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """`python -m virtual_home` in its own process; its start-up JSON."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "virtual_home",
        "--base-address",
        BASE_ADDRESS,
        "--dongle-pty",
        str(tmp_path / "wisun"),
        "--no-tcp",
        "--history-days",
        "1",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 120)
    try:
        yield dict(json.loads(line))
    finally:
        process.terminate()
        await process.wait()


def _lan_entry(home: dict[str, Any]) -> MockConfigEntry:
    addresses = [node["address"] for node in home["nodes"]] if "nodes" in home else []
    return MockConfigEntry(
        domain=DOMAIN,
        title="ECHONET Lite (127.0.0.1)",
        unique_id="127.0.0.1",
        data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: "127.0.0.1", CONF_ADDRESSES: addresses},
    )


def _meter_entry(home: dict[str, Any]) -> MockConfigEntry:
    dongle, credentials = home["dongle"], home["b_route"]
    return MockConfigEntry(
        domain=DOMAIN,
        title="Smart meter",
        unique_id="001C6400601421A3",
        data={
            CONF_KIND: EntryKind.BROUTE.value,
            CONF_PORT: dongle["device"] or dongle["pty"],
            CONF_ROUTE_B_ID: credentials["id"],
            CONF_ROUTE_B_PASSWORD: credentials["password"],
        },
    )


async def _timed_setup(hass: HomeAssistant, entry: MockConfigEntry) -> float:
    entry.add_to_hass(hass)
    started = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return time.perf_counter() - started


async def test_measure(hass: HomeAssistant, home: dict[str, Any]) -> None:
    """Print (and optionally write) the numbers."""
    cycles = int(os.environ.get("BENCH_CYCLES", "50"))
    lan = _lan_entry(home)
    lan_seconds = await _timed_setup(hass, lan)
    meter = _meter_entry(home)
    meter_seconds = await _timed_setup(hass, meter)
    runtime: LanRuntimeData = lan.runtime_data
    coordinators = list(runtime.coordinators.values())
    sent: list[int] = []
    original = runtime.client.request

    per_object: dict[str, int] = {}

    async def counting(*args: Any, **kwargs: Any) -> Any:
        sent.append(1)
        key = f"{args[0]} {args[1]} {args[2].name}"
        per_object[key] = per_object.get(key, 0) + 1
        return await original(*args, **kwargs)

    cpu: list[float] = []
    wall: list[float] = []
    frames: list[int] = []
    with patch.object(runtime.client, "request", counting):
        for _ in range(cycles):
            sent.clear()
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            await asyncio.gather(*(coordinator.async_refresh() for coordinator in coordinators))
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
            frames.append(len(sent))
    started = time.perf_counter()
    assert await hass.config_entries.async_reload(meter.entry_id)  # a restart: the cached PAN skips the scan
    await hass.async_block_till_done()
    meter_rejoin_seconds = time.perf_counter() - started
    meter_runtime: MeterRuntimeData = meter.runtime_data
    meter_wall: list[float] = []
    for _ in range(min(cycles, 10)):
        started_wall = time.perf_counter()
        await meter_runtime.coordinator.async_refresh()
        meter_wall.append(time.perf_counter() - started_wall)
    results = {
        "nodes": len(runtime.discovery.nodes),
        "objects": len(coordinators),
        "entities": len(hass.states.async_entity_ids()),
        "lan_setup_s": round(lan_seconds, 3),
        "meter_setup_s": round(meter_seconds, 3),
        "meter_reload_with_cached_pan_s": round(meter_rejoin_seconds, 3),
        "poll_cycle_cpu_ms_median": round(statistics.median(cpu) * 1000, 2),
        "poll_cycle_wall_ms_median": round(statistics.median(wall) * 1000, 2),
        "frames_per_cycle_median": statistics.median(frames),
        "frames_per_object": round(statistics.median(frames) / len(coordinators), 3),
        "requests_per_object_per_cycle": {key: count // cycles for key, count in sorted(per_object.items())},
        "meter_poll_wall_ms_median": round(statistics.median(meter_wall) * 1000, 1),
        "cycles": cycles,
    }
    print(json.dumps(results, indent=2))
    if target := os.environ.get("BENCH_JSON"):
        Path(target).write_text(json.dumps(results, indent=2) + "\n")
    for entry in (lan, meter):
        assert await hass.config_entries.async_unload(entry.entry_id)
