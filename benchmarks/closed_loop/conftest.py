"""The closed loop's harness: our integration importable, real sockets, a recorder, loopback as the only adapter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

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


@pytest.fixture
def recorder_config() -> dict[str, Any]:
    """Record no entity: the outlook reads the imported long-term statistics, and days of states of ~100
    entities would make the recorder, not the integration, the cost of the run."""
    return {"exclude": {"entity_globs": ["*"]}}


@pytest.fixture(autouse=True)
def auto_enable(recorder_mock: object, enable_custom_integrations: None, socket_enabled: None) -> None:
    """The recorder before Home Assistant starts; custom integrations; real sockets."""


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    """HA's network adapters: loopback, where the virtual home lives."""
    with patch("custom_components.echonet_hems.interfaces.async_get_adapters", AsyncMock(return_value=ADAPTERS)):
        yield
