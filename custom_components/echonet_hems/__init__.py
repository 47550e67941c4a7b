"""ECHONET Lite HEMS for Home Assistant.

The Home Assistant side (config flows, coordinators, entities) is being built on top of the protocol library in `lib/`;
see the README for the current status.
"""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "echonet_hems"
