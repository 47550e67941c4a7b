"""The smart meter's side of the virtual home: the Wi-SUN dongle a controller plugs in, with the home's meter behind it.

The dongle is served on a pty (optionally behind a stable symlink) and/or a TCP port for `socket://` URLs; the meter
it reaches over the simulated B-route is the `SmartMeter` that follows the home's energy balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from .dongle.config import Dialect, DongleOptions
from .dongle.transport import DonglePort
from .runtime import VirtualHome


@dataclass(frozen=True, slots=True)
class StationOptions:
    """How the dongle is served and which B-route credentials the meter accepts."""

    dialect: str = "bp35a1"
    route_b_id: str = "0123456789ABCDEF0123456789ABCDEF"
    password: str = "VHPASSWORD12"
    pty: bool = True
    pty_link: Path | None = None
    tcp: bool = True
    tcp_port: int = 0
    session_lifetime: float = 86_400.0
    meter_busy: bool = False
    scan_time_scale: float = 1.0


class Station:
    """`async with Station(home, options) as station:` plugs the dongle in; `station.port` controls it."""

    def __init__(self, home: VirtualHome, options: StationOptions | None = None) -> None:
        self.options = options or StationOptions()
        dongle_options = DongleOptions(
            session_lifetime=self.options.session_lifetime,
            meter_busy=self.options.meter_busy,
            scan_time_scale=self.options.scan_time_scale,
        )
        self.port = DonglePort(
            Dialect(self.options.dialect),
            home.meter,
            home.clock,
            route_b_id=self.options.route_b_id,
            password=self.options.password,
            options=dongle_options,
            pty=self.options.pty,
            symlink=self.options.pty_link,
            tcp=self.options.tcp,
            tcp_port=self.options.tcp_port,
        )

    async def __aenter__(self) -> Self:
        await self.port.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.port.close()

    def describe(self) -> dict[str, object]:
        """The dongle's endpoints and the B-route credentials, for the start-up JSON line."""
        endpoints = self.port.endpoints
        return {
            "dongle": {
                "dialect": self.options.dialect,
                "pty": endpoints.pty_path,
                "device": endpoints.device_path,
                "tcp": endpoints.tcp_url,
                "tcp_port": self.port.tcp_port,
            },
            "b_route": {"id": self.options.route_b_id, "password": self.options.password},
        }
