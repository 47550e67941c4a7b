"""The virtual home's smart meter behind its emulated Wi-SUN dongle on a real pty (and TCP), for the B-route tests.

The home runs in real time (speed 1) from now, so the meter's date is Home Assistant's and its history lines up with
the recorder's hours; scans and joins are shortened (simulated seconds) so a join takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import (
    CONF_KIND,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    DOMAIN,
    EntryKind,
)
from virtual_home.clock import JST
from virtual_home.dongle import Dialect, DongleOptions, DonglePort
from virtual_home.runtime import HomeOptions, VirtualHome

ROUTE_B_ID = "0123456789ABCDEF0123456789ABCDEF"
PASSWORD = "VHPASSWORD12"
METER_MAC = "001C6400601421A3"
OTHER_METER_MAC = "001C6400601499FF"
# LAN nodes of these homes stay clear of the other integration tests' addresses (127.0.0.200-250).
BASE_ADDRESS = "127.0.4.11"


@dataclass
class MeterRig:
    """A running virtual home with its dongle plugged in at `url` (a pty symlink) and `tcp_url`."""

    home: VirtualHome
    port: DonglePort
    url: str
    tcp_url: str

    def user_input(self, password: str = PASSWORD, route_b_id: str = ROUTE_B_ID) -> dict[str, Any]:
        """The smart meter form, filled in."""
        return {CONF_PORT: self.url, CONF_ROUTE_B_ID: route_b_id, CONF_ROUTE_B_PASSWORD: password}

    def entry(self, password: str = PASSWORD, unique_id: str = METER_MAC) -> MockConfigEntry:
        """A smart meter entry for this dongle (as the flow would create it, without the cached PAN)."""
        return MockConfigEntry(
            domain=DOMAIN,
            title="Smart meter",
            unique_id=unique_id,
            data={CONF_KIND: EntryKind.BROUTE.value, **self.user_input(password)},
            version=1,
            minor_version=1,
        )


@contextlib.asynccontextmanager
async def meter_rig(
    tmp_path: Path, *, meter_mac: str = METER_MAC, meter_busy: bool = False, start: datetime | None = None
) -> AsyncIterator[MeterRig]:
    """The home (two days of history) and its BP35A1-dialect dongle on a pty and a TCP port."""
    options = HomeOptions(
        start=start or datetime.now(JST).replace(microsecond=0),
        speed=1.0,
        base_address=BASE_ADDRESS,
        history_days=2,
        step_seconds=300.0,
        seed=23,
        ev_charger_discharger=False,
        ev_charger=False,
        fuel_cell=False,
        aircon=False,
        light=False,
    )
    dongle = DongleOptions(
        meter_mac=meter_mac, meter_busy=meter_busy, scan_time_scale=0.0, join_duration=0.05, join_timeout=0.2
    )
    async with VirtualHome(options) as home:
        port = DonglePort(
            Dialect.BP35A1,
            home.meter,
            home.clock,
            route_b_id=ROUTE_B_ID,
            password=PASSWORD,
            options=dongle,
            pty=True,
            symlink=tmp_path / f"wisun-{meter_mac}",
            tcp=True,
        )
        endpoints = await port.start()
        assert endpoints.tcp_url is not None
        try:
            yield MeterRig(home, port, str(tmp_path / f"wisun-{meter_mac}"), endpoints.tcp_url)
        finally:
            await port.close()
