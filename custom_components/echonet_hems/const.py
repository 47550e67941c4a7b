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
    HOME_ENERGY = "home_energy"


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

# Home energy entry (one per Home Assistant): contract, tariff, emission factor, forecast and warning sources.
HOME_ENERGY_UNIQUE_ID: Final = "home_energy"
CONF_CONTRACT: Final = "contract"
CONF_TARIFF: Final = "tariff"
CONF_CUSTOM_BANDS: Final = "custom_bands"
CONF_SELL_PRICE: Final = "sell_price"
CONF_RENEWABLE_LEVY: Final = "renewable_levy"
CONF_FUEL_ADJUSTMENT: Final = "fuel_adjustment"
CONF_EMISSION_FACTOR: Final = "emission_factor"
CONF_WEATHER_ENTITY: Final = "weather_entity"
CONF_WARNING_SOURCE: Final = "warning_source"
CONF_WARNING_ENTITY: Final = "warning_entity"
CONF_JMA_OFFICE: Final = "jma_office"
TARIFF_CUSTOM: Final = "custom"
DEFAULT_TARIFF: Final = "tepco-smart-life-s"


class WarningSource(StrEnum):
    """Where the weather warning comes from."""

    NONE = "none"
    JMA = "jma"  # the Japan Meteorological Agency's public warning data for an area
    ENTITY = "entity"  # any binary sensor the user picks


# The house balance is recomputed at least this often (and whenever a source sensor changes).
HOME_ENERGY_INTERVAL: Final = timedelta(seconds=30)
# The agency's warning data is polled politely.
JMA_POLL_INTERVAL: Final = timedelta(minutes=10)
# Forecasts (weather entity or solar-forecast integration) are refreshed this often.
FORECAST_INTERVAL: Final = timedelta(minutes=30)

# Solar charge (options of the Home energy entry).
CONF_BATTERY_RESERVE: Final = "battery_reserve"
CONF_HOT_WATER_RESERVE: Final = "hot_water_reserve_l"  # litres of hot water (0xE1) never given up
CONF_EV_DEPARTURE: Final = "ev_departure"
CONF_EV_ARRIVAL: Final = "ev_arrival"
CONF_EV_TARGET: Final = "ev_target_kwh"
CONF_EV_TRIP: Final = "ev_trip_kwh"
CONF_EV_BATTERY: Final = "ev_battery_kwh"
# The device solar charge drives per kind: an object id ("<node id>-<EOJ>"), or "none" (not controlled). Absent: the
# first found of its kind (entries made before the choice existed keep working as they did).
CONF_BATTERY_DEVICE: Final = "battery_device"
CONF_WATER_HEATER_DEVICE: Final = "water_heater_device"
CONF_EV_DEVICE: Final = "ev_device"
NOT_CONTROLLED: Final = "none"
