"""Test configuration shared by every test.

The Home Assistant harness (pytest-homeassistant-custom-component) is installed as a pytest plugin and blocks sockets by
default; library tests that talk over loopback ask for `socket_enabled` (see tests/lib/conftest.py).
"""

from __future__ import annotations

# Import our integration package before the harness puts its own `custom_components` on the path (STYLE.md pitfalls).
import custom_components.echonet_hems  # noqa: F401
