"""Fixtures of the integration tests: the HA harness, real sockets, a virtual home on 127.0.0.2xx.

Timings are shortened (search window, request timeout) so that a vanished node fails a poll within a fraction of a
second; everything else runs as in production, over real UDP on loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.echonet_hems.const import CONF_ADDRESSES, CONF_INTERFACE, CONF_KIND, DOMAIN, EntryKind
from virtual_home.clock import JST, ManualClock
from virtual_home.runtime import HomeOptions, VirtualHome

START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)  # a clear noon in May: PV surplus, cars away
BASE = "127.0.0.200"
# Not seed 0: the identification numbers (derived from the seed) differ from other suites' virtual homes.
SEED = 23
# The loopback adapter's name (what a LAN entry stores) and its address.
INTERFACE = "lo"
INTERFACE_ADDRESS = "127.0.0.1"
ADAPTERS: list[dict[str, Any]] = [
    {
        "name": "lo",
        "index": 1,
        "enabled": True,
        "auto": True,
        "default": True,
        "ipv4": [{"address": INTERFACE_ADDRESS, "network_prefix": 8}],
        "ipv6": [],
    },
    {
        "name": "eth0",
        "index": 2,
        "enabled": True,
        "auto": False,
        "default": False,
        "ipv4": [{"address": "192.0.2.10", "network_prefix": 24}],
        "ipv6": [],
    },
    {
        "name": "wlan0",
        "index": 3,
        "enabled": False,
        "auto": False,
        "default": False,
        "ipv4": [{"address": "198.51.100.7", "network_prefix": 24}],
        "ipv6": [],
    },
]


@pytest.fixture(autouse=True)
def auto_enable(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Our custom integration is loadable and UDP over loopback works in every test here."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format in `snapshots/`, the same with both harness versions."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def short_timings() -> Iterator[None]:
    """A short multicast window and request timeout, in every module that reads them."""
    with (
        patch("custom_components.echonet_hems.config_flow.SEARCH_WINDOW", 0.3),
        patch("custom_components.echonet_hems.lan_hub.SEARCH_WINDOW", 0.3),
        patch("custom_components.echonet_hems.endpoint.REQUEST_TIMEOUT", 0.2),
        patch("custom_components.echonet_hems.endpoint.REQUEST_RETRIES", 0),
        # Spacing of writes to one property has its own test; elsewhere it would only slow the suite down.
        patch("custom_components.echonet_hems.object_coordinator.MIN_WRITE_INTERVAL", 0.0),
    ):
        yield


@pytest.fixture(autouse=True)
def mock_adapters() -> Iterator[AsyncMock]:
    """HA's network adapters: loopback (the virtual home's network), a second interface and a disabled one."""
    with patch(
        "custom_components.echonet_hems.interfaces.async_get_adapters", AsyncMock(return_value=ADAPTERS)
    ) as mock:
        yield mock


@pytest.fixture
async def home() -> AsyncIterator[VirtualHome]:
    """The nine-node virtual home at 127.0.0.200-208, time frozen at START."""
    clock = ManualClock(START)
    options = HomeOptions(start=START, base_address=BASE, history_days=0, seed=SEED)
    async with VirtualHome(options, clock=clock) as virtual_home:
        yield virtual_home


def make_lan_entry(interface: str = INTERFACE) -> MockConfigEntry:
    """A LAN hub entry on the adapter named `interface` (current entry version)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"ECHONET Lite ({interface})",
        unique_id=interface,
        data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: interface, CONF_ADDRESSES: []},
        version=1,
        minor_version=2,
    )


@pytest.fixture
def lan_entry() -> MockConfigEntry:
    """A LAN hub entry on loopback."""
    return make_lan_entry()
