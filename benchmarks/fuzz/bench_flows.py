"""One shard of a `flow_*` or `actions` target inside Home Assistant's test harness (started by `targets.py` as
`python -m pytest benchmarks/fuzz/bench_flows.py` with the shard in the environment; it writes the shard's figures)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from datetime import datetime
import json
import os
from pathlib import Path
import random
from typing import Any, Final
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from benchmarks.closed_loop.rig import energy_entry, lan_entry
from custom_components.echonet_hems.const import DOMAIN
from virtual_home.clock import JST, ManualClock
from virtual_home.runtime import HomeOptions, VirtualHome

from .flow_inputs import ACTIONS, FLOW_HOME_ENERGY, FLOW_METER, FlowInputGenerator
from .flow_rig import FlowRig, meter_entry, refusing_port
from .harness import Stats, afeed_cases, install_error_counter, stats_to_json

SHARD_ENV: Final = "FUZZ_FLOWS_SHARD"
HOME_BASE: Final = "127.0.11.10"  # the actions target's virtual home (a loopback block no other rig uses)
HOME_START: Final = datetime(2026, 5, 20, 12, 0, tzinfo=JST)
CAP_S: Final = 60.0  # an input still unanswered after this is cancelled and counted as a hang


def _planted_resume(*_args: object) -> object:
    """The `--plant-crash` check: the resume action's handler fails as a bug would."""
    raise KeyError("planted")


@asynccontextmanager
async def _prepared(hass: HomeAssistant, target: str, rig: FlowRig) -> AsyncIterator[None]:
    """The entries the target works on (and the virtual home for the actions)."""
    async with AsyncExitStack() as stack:
        assert await async_setup_component(hass, DOMAIN, {})
        if target == FLOW_METER:
            rig.meter = meter_entry()
            rig.meter.add_to_hass(hass)  # never set up: only its port matters to the flows
        if target == ACTIONS:
            options = HomeOptions(start=HOME_START, base_address=HOME_BASE, history_days=0, seed=0)
            await stack.enter_async_context(VirtualHome(options, clock=ManualClock(HOME_START)))
            lan = lan_entry()
            lan.add_to_hass(hass)
            assert await hass.config_entries.async_setup(lan.entry_id)
        if target in (FLOW_HOME_ENERGY, ACTIONS):
            energy = energy_entry()
            energy.add_to_hass(hass)
            assert await hass.config_entries.async_setup(energy.entry_id)
            rig.energy = energy
        await hass.async_block_till_done()
        if rig.energy is not None:
            assert rig.energy.state is ConfigEntryState.LOADED
        yield
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


async def test_flows_shard(hass: HomeAssistant) -> None:
    """Run the shard described in the environment and write its figures."""
    shard: dict[str, Any] = json.loads(os.environ[SHARD_ENV])
    target = str(shard["target"])
    errors = install_error_counter()
    closed = refusing_port()
    stats = Stats()
    try:
        rig = FlowRig(hass, closed.getsockname()[1])
        rng = random.Random(f"{shard['seed']}:{target}:{shard['index']}")
        cases = FlowInputGenerator(rng, target).cases(int(shard["count"]))
        with ExitStack() as planted:
            if shard["plant"]:
                planted.enter_context(patch("custom_components.echonet_hems.services.resume", _planted_resume))
            async with _prepared(hass, target, rig):
                await afeed_cases(
                    stats, rig.feed(target), cases, budget_s=float(shard["budget_s"]), cap_s=CAP_S, errors=errors
                )
    finally:
        closed.close()
        Path(shard["out"]).write_text(json.dumps(stats_to_json(stats)), encoding="utf-8")
