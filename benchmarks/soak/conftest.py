"""The harness for the soak: our integration importable, real sockets, a recorder, loopback as the only adapter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

import pytest

import custom_components.echonet_hems  # noqa: F401 - before the harness puts its own custom_components first

ADAPTERS: list[dict[str, Any]] = [
    {
        "name": "lo",
        "index": 1,
        "enabled": True,
        "auto": True,
        "default": True,
        "ipv4": [{"address": "127.0.0.1", "network_prefix": 8}],
        "ipv6": [],
    }
]


# What the PV outlook and the guards read from the recorder (`home_energy_forecast.async_hourly_history`): the PV's
# cumulative generation, the Home energy entry's house energy and the meter's grid import. Without their statistics
# the two imported history days leave the outlook's 14-day window and solar charge stops planning. The soak checks
# at set-up that these patterns cover the outlook's sources (`bench_soak.check_recorded`).
RECORDED: tuple[str, ...] = (
    "sensor.solar_power_generation_generated_energy",
    "sensor.smart_meter_grid_import_energy",
    "sensor.echonet_hems_home_energy_house_energy",  # registered before set-up, so named after its unique id
)


@pytest.fixture
def enable_statistics() -> bool:
    """The recorder compiles statistics (the harness turns it off by default): the PV outlook reads the recorded
    sensors' hourly statistics, not their states. The 7-day run of 2026-12-05 recorded the states without this and
    stopped planning once the imported days left the window. The recorder compiles on its own five-minute timer, so
    the clock is frozen at the soak's start before the recorder starts (`bench_soak.test_soak`'s `freeze_time`)."""
    return True


@pytest.fixture
def recorder_config() -> dict[str, Any]:
    """Record only what the PV outlook reads: the soak otherwise reads only the meter's external statistics, and a
    week of states of ~100 entities would make the recorder, not the integration, the cost of the run."""
    return {"include": {"entities": list(RECORDED)}}


@pytest.fixture(autouse=True)
def auto_enable(recorder_mock: object, enable_custom_integrations: None, socket_enabled: None) -> None:
    """The recorder before Home Assistant starts; custom integrations; real sockets."""


async def _adapters(_hass: object) -> list[dict[str, Any]]:
    return ADAPTERS


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    """HA's network adapters: loopback, where the virtual home lives. A plain function, not an `AsyncMock`: a mock
    keeps every call (about 1,000 a simulated day, a few hundred bytes each), which the soak counted as growth."""
    with patch("custom_components.echonet_hems.interfaces.async_get_adapters", _adapters):
        yield
