"""Constants of the ECHONET Lite HEMS integration: domain, config keys, entry kinds and timings."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "echonet_hems"


class EntryKind(StrEnum):
    """What a config entry stands for; `async_setup_entry` dispatches on it."""

    LAN = "lan"
    BROUTE = "broute"


CONF_KIND: Final = "kind"
CONF_INTERFACE: Final = "interface"
CONF_ADDRESSES: Final = "addresses"
CONF_PORT: Final = "port"
CONF_ROUTE_B_ID: Final = "route_b_id"
CONF_ROUTE_B_PASSWORD: Final = "route_b_password"
# The meter's PAN (channel, PAN id, MAC) as the last join found it: a restart re-joins without a 20-70 s scan.
CONF_PAN: Final = "pan"
CONF_SCAN_INTERVAL: Final = "scan_interval"

# Multicast answers are collected this long during a search (the flow and the hub's rediscovery).
SEARCH_WINDOW: Final = 3.0
# One unicast request: per attempt timeout and retries (the library splits silent batches on its own).
REQUEST_TIMEOUT: Final = 2.0
REQUEST_RETRIES: Final = 1
# Polling is the fallback: devices announce state changes (INF) and those arrive without waiting for a poll.
POLL_INTERVAL: Final = timedelta(seconds=60)
# Writes of one property of one object are at least this far apart (devices keep many settings in EEPROM).
MIN_WRITE_INTERVAL: Final = 2.0
# A failed poll asks for a new search (the node may have a new address), at most this often.
REDISCOVERY_COOLDOWN: Final = 30.0

# Smart meter (B-route): instantaneous power and currents are polled; cumulative values also arrive every 30 minutes.
METER_POLL_SECONDS: Final = 10
METER_POLL_MIN_SECONDS: Final = 5
METER_POLL_MAX_SECONDS: Final = 300
# The meter keeps 100 days of 30-minute history; the first set-up imports this many days into the statistics.
METER_BACKFILL_DAYS: Final = 31
