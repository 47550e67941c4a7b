"""Constants of the ECHONET Lite HEMS integration: domain, config keys, entry kinds and timings."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "echonet_hems"


class EntryKind(StrEnum):
    """What a config entry stands for; `async_setup_entry` dispatches on it."""

    LAN = "lan"


CONF_KIND: Final = "kind"
CONF_INTERFACE: Final = "interface"
CONF_ADDRESSES: Final = "addresses"

# Multicast answers are collected this long during a search (the flow and the hub's rediscovery).
SEARCH_WINDOW: Final = 3.0
# One unicast request: per attempt timeout and retries (the library splits silent batches on its own).
REQUEST_TIMEOUT: Final = 2.0
REQUEST_RETRIES: Final = 1
# Polling is the fallback: devices announce state changes (INF) and those arrive without waiting for a poll.
POLL_INTERVAL: Final = timedelta(seconds=60)
# A failed poll asks for a new search (the node may have a new address), at most this often.
REDISCOVERY_COOLDOWN: Final = 30.0
