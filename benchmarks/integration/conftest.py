"""The harness for the integration benchmark: our integration importable, sockets allowed."""

from __future__ import annotations

import pytest

import custom_components.echonet_hems  # noqa: F401 - before the harness puts its own custom_components first


@pytest.fixture(autouse=True)
def auto_enable(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom integrations; real sockets."""
