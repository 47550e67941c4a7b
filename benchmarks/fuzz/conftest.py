"""The harness of the `flow_*` and `actions` targets (run through `python -m benchmarks.fuzz`): our integration
importable, real sockets, loopback as the adapter plus a documentation-network one, short search and request times."""

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
    },
    {  # an RFC 5737 address no host has: the search cannot open UDP 3610 there
        "name": "eth0",
        "index": 2,
        "enabled": True,
        "auto": False,
        "default": False,
        "ipv4": [{"address": "192.0.2.10", "network_prefix": 24}],
        "ipv6": [],
    },
]


@pytest.fixture(autouse=True)
def auto_enable(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Custom integrations; real sockets."""


@pytest.fixture(autouse=True)
def harness_patches() -> Iterator[None]:
    """HA's adapters; a short multicast window and request timeout (nobody answers a fuzzed search)."""
    with (
        patch("custom_components.echonet_hems.interfaces.async_get_adapters", AsyncMock(return_value=ADAPTERS)),
        patch("custom_components.echonet_hems.config_flow.SEARCH_WINDOW", 0.05),
        patch("custom_components.echonet_hems.lan_hub.SEARCH_WINDOW", 0.3),
        patch("custom_components.echonet_hems.endpoint.REQUEST_TIMEOUT", 0.2),
        patch("custom_components.echonet_hems.endpoint.REQUEST_RETRIES", 0),
    ):
        yield
