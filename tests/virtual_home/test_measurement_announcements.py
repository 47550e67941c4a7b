"""A home that announces its readings: what a controller holds adds up at every moment (the demo's 60x dashboard).

The controller's view is built the way the integration builds it: one Get of every object's readings at start, then
every INF applied on top (its coordinators poll only every 60 s, which is a simulated hour at the demo's speed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient, Notification
from custom_components.echonet_hems.lib.echonet.frame import EOJ, ESV, NODE_PROFILE
from virtual_home.clock import JST, ManualClock
from virtual_home.echonet.devices import (
    BATTERY_CLASS,
    BOARD_CLASS,
    EV_CHARGER_CLASS,
    EV_CHARGER_DISCHARGER_CLASS,
    FUEL_CELL_CLASS,
    PV_CLASS,
)
from virtual_home.runtime import HomeOptions, VirtualHome

START = datetime(2026, 5, 1, 5, 0, tzinfo=JST)  # before sunrise: PV, battery and EV change all day
BASE = "127.0.0.141"
# (class, EPC, signed): the powers that make up the balance at the main breaker (W; storage charge-positive).
PV_POWER = (PV_CLASS, 0xE0, False)
FUEL_CELL_POWER = (FUEL_CELL_CLASS, 0xC4, False)
GRID_POWER = (BOARD_CLASS, 0xC6, True)  # the distribution board at the main breaker, import-positive
BATTERY_POWER = (BATTERY_CLASS, 0xD3, True)
V2H_POWER = (EV_CHARGER_DISCHARGER_CLASS, 0xD3, True)
EV_POWER = (EV_CHARGER_CLASS, 0xD3, False)
POWERS = (PV_POWER, FUEL_CELL_POWER, GRID_POWER, BATTERY_POWER, V2H_POWER, EV_POWER)
SAMPLE_MINUTES = 47  # not a divisor of an hour: the moments fall anywhere
SAMPLES = 20


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, retries=1)
    await client.start()
    yield client
    await client.close()


class ControllerView:
    """The latest EDT per (object, EPC), as a controller that polls once and then follows INF holds it."""

    def __init__(self, addresses: set[str]) -> None:
        self.addresses = addresses
        self.values: dict[tuple[int, int], bytes] = {}
        self.frames: asyncio.Queue[None] = asyncio.Queue()

    def on_notification(self, notification: Notification) -> None:
        frame = notification.frame
        if notification.address not in self.addresses or frame.esv is not ESV.INF or frame.seoj == NODE_PROFILE:
            return  # another test's home, something else on the host, or a node's start-up instance list
        for prop in frame.properties:
            if prop.pdc:
                self.values[frame.seoj.class_id, prop.epc] = prop.edt
        self.frames.put_nowait(None)

    def watts(self, class_id: int, epc: int, signed: bool) -> float:
        edt = self.values.get((class_id, epc))
        return 0.0 if edt is None else float(int.from_bytes(edt, "big", signed=signed))


async def _first_poll(home: VirtualHome, client: EchonetClient, view: ControllerView) -> None:
    """What the integration's first refresh reads: the balance's powers of every object, one Get each."""
    for node in home.nodes:
        for obj in node.devices:
            epcs = [epc for class_id, epc, _ in POWERS if class_id == obj.eoj.class_id]
            if epcs:
                result = await client.get(node.address, EOJ.of(obj.eoj.class_id, obj.eoj.instance), epcs)
                for epc, edt in result.values.items():
                    view.values[obj.eoj.class_id, epc] = edt


async def test_announced_readings_add_up_at_every_moment(client: EchonetClient) -> None:
    """PV + fuel cell + grid − storage charging = the home's own consumption, at sampled moments over a day."""
    clock = ManualClock(START)
    options = HomeOptions(start=START, base_address=BASE, history_days=0, announce_measurements=True)
    async with VirtualHome(options, clock=clock) as home:
        view = ControllerView({node.address for node in home.nodes})
        client.subscribe(view.on_notification)
        await _first_poll(home, client, view)
        checked = 0
        sunlit = 0
        for _ in range(SAMPLES):
            clock.advance(SAMPLE_MINUTES * 60)
            home.advance()  # the runtime's tick: step the physics to now, then announce what changed
            sent = home.announce()
            for _ in range(sent):
                await asyncio.wait_for(view.frames.get(), 5)
            truth = home.snapshot
            consumption = truth.base_load_w + truth.aircon_w + truth.light_w + truth.ecocute_w
            pv, fuel_cell, grid, battery, v2h, ev = (view.watts(*power) for power in POWERS)
            seen = pv + fuel_cell + grid - battery - v2h - ev
            assert seen == pytest.approx(consumption, abs=3.0), f"{pv=} {grid=} {battery=} {truth}"
            assert seen >= 0.0
            checked += 1
            sunlit += truth.pv_w > 0.0 and truth.battery_w != 0.0
        assert sunlit >= 5  # the day was sampled (PV and battery moving), not only the night
        assert checked == SAMPLES


async def test_without_the_option_only_status_changes_are_announced(client: EchonetClient) -> None:
    """The default home behaves like real devices: readings are polled, not announced."""
    clock = ManualClock(START)
    options = HomeOptions(start=START, base_address=BASE, history_days=0)
    async with VirtualHome(options, clock=clock) as home:
        clock.advance(6 * 3600)
        home.advance()
        node = next(node for node in home.nodes if any(obj.eoj.class_id == PV_CLASS for obj in node.devices))
        assert not node.announce_measurements
        assert node.announce_changes() == 0  # PV output changed since 05:00, its status did not
