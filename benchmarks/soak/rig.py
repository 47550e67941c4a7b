"""The soak's home and Home Assistant side: the virtual home stepped in process, its dongle on TCP, the LAN and meter
entries (the Home energy entry is set up as the closed loop does, `benchmarks.closed_loop.rig`), which entities
belong to which device, and the injection of each fault kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import random
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]

from benchmarks.closed_loop.rig import HourRow, live_history
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
from virtual_home.clock import SimClock
from virtual_home.dongle import Dialect, DongleOptions, DonglePort
from virtual_home.echonet.node import EchonetNode
from virtual_home.faults import (
    cap_batches,
    lan_targets,
    limit_transmission,
    release_meter,
    send_garbage_datagrams,
    serial_garbage,
    take_meter,
)
from virtual_home.runtime import HomeOptions, VirtualHome

from .schedule import FaultKind, PlannedFault

BASE_ADDRESS: Final = "127.0.7.11"  # the soak's block of loopback addresses (127.0.7.x)
SPARE_ADDRESSES: Final = tuple(f"127.0.7.{host}" for host in range(100, 200))  # where moved nodes go
STRANGER: Final = "127.0.7.250"  # the source of garbage datagrams
CONTROLLER: Final = "127.0.0.1"  # Home Assistant's interface address
TCP_PORT_BASE: Final = 42000
ROUTE_B_ID: Final = "0123456789ABCDEF0123456789ABCDEF"
PASSWORD: Final = "VHPASSWORD12"
METER_MAC: Final = "001C6400601421A3"
STEP_S: Final = 10.0  # simulated seconds between physics steps (and INF announcements)


@dataclass
class SoakHome:
    """The running virtual home (nodes up, physics stepped by the soak) and its dongle."""

    home: VirtualHome
    port: DonglePort
    rng: random.Random
    history: list[HourRow]  # the home's past hours before the soak (the PV outlook's statistics)
    moved_to: list[str] = field(default_factory=list)

    def step(self) -> None:
        """Physics up to the clock's now; INF for what changed."""
        self.home.advance()
        self.home.announce()

    @property
    def nodes(self) -> list[EchonetNode]:
        """The ECHONET Lite nodes."""
        return self.home.nodes


async def start_home(start: datetime, seed: int) -> SoakHome:
    """The virtual home with two days of history (the meter's, and the PV and house energy per hour for the PV
    outlook), nodes up; the dongle on TCP (no pty: loopback TCP bytes are in the peer's buffer when sent, which the
    frozen clock's idle check relies on)."""
    options = HomeOptions(start=start, base_address=BASE_ADDRESS, history_days=2, seed=seed, routine=True)
    home = VirtualHome(options, clock=SimClock(start, 1.0))  # speed 1 on the frozen clock: Home Assistant's time
    history = live_history(home, start)
    for node in home.nodes:
        await node.start()
    port = DonglePort(
        Dialect.BP35A1,
        home.meter,
        home.clock,
        route_b_id=ROUTE_B_ID,
        password=PASSWORD,
        options=DongleOptions(meter_mac=METER_MAC),
        pty=False,
        tcp=True,
        tcp_port=TCP_PORT_BASE + seed % 1000,
    )
    await port.start()
    return SoakHome(home, port, random.Random(seed), history)


async def stop_home(soak: SoakHome) -> None:
    """Unplug the dongle and take every node off the network."""
    await soak.port.close()
    for node in soak.nodes:
        await node.stop()


def lan_entry() -> MockConfigEntry:
    """The LAN entry on loopback (nodes found by multicast)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="ECHONET Lite (lo)",
        unique_id="lo",
        data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: "lo", CONF_ADDRESSES: []},
        version=1,
        minor_version=2,
    )


def meter_entry(soak: SoakHome) -> MockConfigEntry:
    """The smart meter entry on the dongle's socket:// URL."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Smart meter",
        unique_id=METER_MAC,
        data={
            CONF_KIND: EntryKind.BROUTE.value,
            CONF_PORT: soak.port.tcp_url,
            CONF_ROUTE_B_ID: ROUTE_B_ID,
            CONF_ROUTE_B_PASSWORD: PASSWORD,
        },
        version=1,
        minor_version=1,
    )


def node_entities(hass: HomeAssistant, entry_id: str, node: EchonetNode) -> list[str]:
    """Enabled entities of a node's objects (unique ids start with its identification number)."""
    prefix = node.identity.identification.hex().upper()
    return [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if entity.unique_id.startswith(prefix) and entity.disabled_by is None
    ]


def entry_entities(hass: HomeAssistant, entry_id: str) -> list[str]:
    """Enabled entities of an entry."""
    return [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if entity.disabled_by is None
    ]


# ------------------------------------------------------------------------------------------------------ injection
async def begin_fault(soak: SoakHome, fault: PlannedFault) -> None:
    """Start a fault (an instant fault is complete when this returns)."""
    if fault.node is not None:
        await _begin_node_fault(soak, soak.nodes[fault.node], fault)
    elif fault.kind is FaultKind.GARBAGE_DATAGRAMS:
        send_garbage_datagrams(STRANGER, lan_targets(CONTROLLER), int(fault.level), soak.rng)
    else:
        await _begin_meter_fault(soak, fault)


async def _begin_node_fault(soak: SoakHome, node: EchonetNode, fault: PlannedFault) -> None:
    match fault.kind:
        case FaultKind.LOSS_BURST:
            node.faults.loss = fault.level
        case FaultKind.DELAY:
            node.faults.delay = fault.level
        case FaultKind.SILENCE:
            node.faults.silent = True
        case FaultKind.REBOOT:
            await node.stop()  # power off; on again at the fault's end
        case FaultKind.ADDRESS_CHANGE:
            taken = {n.address for n in soak.nodes}
            new = next(address for address in SPARE_ADDRESSES if address not in taken)
            soak.moved_to.append(new)
            await node.move(new)
        case FaultKind.BATCH_CAP:
            cap_batches(node, int(fault.level))
        case _:
            raise ValueError(f"{fault.kind} is not a node fault")


async def _begin_meter_fault(soak: SoakHome, fault: PlannedFault) -> None:
    match fault.kind:
        case FaultKind.SESSION_EXPIRY:
            soak.port.emulator.expire_session()
        case FaultKind.DONGLE_UNPLUG:
            await soak.port.unplug()
        case FaultKind.SERIAL_GARBAGE:
            soak.port.inject_garbage(serial_garbage(soak.rng))
        case FaultKind.TRANSMIT_LIMIT:
            limit_transmission(soak.port)
        case FaultKind.METER_TAKEN:
            take_meter(soak.port)
        case _:
            raise ValueError(f"{fault.kind} is not a meter fault")


async def end_fault(soak: SoakHome, fault: PlannedFault) -> None:
    """End a windowed fault (nothing for an instant one)."""
    node = soak.nodes[fault.node] if fault.node is not None else None
    match fault.kind:
        case FaultKind.LOSS_BURST | FaultKind.DELAY | FaultKind.SILENCE if node is not None:
            node.faults.loss, node.faults.delay, node.faults.silent = 0.0, 0.0, False
        case FaultKind.REBOOT if node is not None:
            await node.start()  # announces its instance list (INF 0xD5)
        case FaultKind.BATCH_CAP if node is not None:
            cap_batches(node, None)
        case FaultKind.DONGLE_UNPLUG:
            await soak.port.replug()
        case FaultKind.METER_TAKEN:
            release_meter(soak.port)
        case _:
            pass


def fault_active(soak: SoakHome, fault: PlannedFault) -> bool:
    """Whether a fault that ends by itself is still on (the air-time limit until its window has passed)."""
    return fault.kind is FaultKind.TRANSMIT_LIMIT and soak.port.emulator.tx_limited
