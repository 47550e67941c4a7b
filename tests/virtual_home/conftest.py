"""Virtual-home tests: no Home Assistant, real loopback sockets and ptys allowed."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _allow_loopback_sockets(socket_enabled: None) -> None:
    """The virtual home talks over real UDP/TCP on 127.0.0.x, which the HA harness would otherwise block."""
