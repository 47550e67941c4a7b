"""One shard of a `flow_*` or `actions` target inside Home Assistant's test harness (started by `targets.py` as
`python -m pytest benchmarks/fuzz/bench_flows.py` with the shard in the environment; it writes the shard's figures)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from datetime import datetime
from functools import partial
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
from virtual_home.dongle import Dialect, DongleOptions, DonglePort
from virtual_home.runtime import HomeOptions, VirtualHome

from .flow_inputs import (
    ACTIONS,
    FLOW_HOME_ENERGY,
    FLOW_LAN,
    FLOW_METER,
    ROUTE_B_ID,
    ROUTE_B_PASSWORD,
    FlowInputGenerator,
)
from .flow_rig import FlowRig, meter_entry, refusing_port
from .harness import Stats, afeed_cases, install_error_counter, stats_to_json

SHARD_ENV: Final = "FUZZ_FLOWS_SHARD"
HOME_BASE: Final = "127.0.11.10"  # the actions target's virtual home (a loopback block no other rig uses)
LAN_HOME_BASE: Final = "127.0.12.10"  # the LAN flow's node
METER_HOME_BASE: Final = "127.0.13.10"  # the meter flow's home (its meter behind the dongle)
METER_MAC: Final = "001C640060FA5501"
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
            rig.reachable.dongle_url = await stack.enter_async_context(_dongle())
        if target == FLOW_LAN:
            home = await stack.enter_async_context(_small_home(LAN_HOME_BASE))
            rig.reachable.node_address = home.nodes[0].address
            rig.reachable.set_node_up = partial(_set_nodes_up, home)
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


@asynccontextmanager
async def _small_home(base_address: str) -> AsyncIterator[VirtualHome]:
    """A virtual home in real time with only the PV and the distribution board on the LAN: the flows need a node,
    not a house."""
    options = HomeOptions(
        base_address=base_address,
        history_days=1,
        step_seconds=300.0,
        seed=5,
        battery_wh=None,
        ecocute_l=None,
        ev_charger_discharger=False,
        ev_charger=False,
        fuel_cell=False,
        aircon=False,
        light=False,
    )
    async with VirtualHome(options) as home:
        yield home


async def _set_nodes_up(home: VirtualHome, up: bool) -> None:
    """Every node of `home` on (answering) or off the network."""
    for node in home.nodes:
        if up and not node.running:
            await node.start()
        elif not up and node.running:
            await node.stop()


@asynccontextmanager
async def _dongle() -> AsyncIterator[str]:
    """A virtual dongle on TCP in front of a small home's meter, joining in a fraction of a second; its URL."""
    async with _small_home(METER_HOME_BASE) as home:
        port = DonglePort(
            Dialect.BP35A1,
            home.meter,
            home.clock,
            route_b_id=ROUTE_B_ID,
            password=ROUTE_B_PASSWORD,
            options=DongleOptions(meter_mac=METER_MAC, scan_time_scale=0.0, join_duration=0.05, join_timeout=0.2),
            pty=False,
            tcp=True,
        )
        endpoints = await port.start()
        assert endpoints.tcp_url is not None
        try:
            yield endpoints.tcp_url
        finally:
            await port.close()


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
