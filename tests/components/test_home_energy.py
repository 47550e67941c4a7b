"""The Home energy entry on the virtual home: prices and bands at a known moment, generation status, guards that flip
with a warning sensor, the agency's warning feed, a change of contract mode, and the ledger across a restart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.echonet_hems.const import (
    CONF_CONTRACT,
    CONF_EMISSION_FACTOR,
    CONF_WARNING_ENTITY,
    CONF_WARNING_SOURCE,
    DEFAULT_TARIFF,
    DOMAIN,
    HOME_ENERGY_UNIQUE_ID,
)
from custom_components.echonet_hems.diagnostics import async_get_config_entry_diagnostics
from custom_components.echonet_hems.home_energy_runtime import HomeEnergyRuntimeData
from custom_components.echonet_hems.lan_hub import LanRuntimeData
from custom_components.echonet_hems.lib.energy.jma_warnings import warning_url
from custom_components.echonet_hems.lib.energy.tariff_presets import TARIFF_PRESETS
from virtual_home.clock import JST
from virtual_home.runtime import VirtualHome

from .conftest import START
from .test_home_energy_flow import home_energy_entry

pytestmark = pytest.mark.usefixtures("mock_adapters")

JMA_FIXTURES = Path(__file__).parent.parent / "lib" / "energy" / "fixtures" / "jma"


def entity_id(hass: HomeAssistant, key: str, domain: str = "sensor") -> str:
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, f"{HOME_ENERGY_UNIQUE_ID}_{key}")
    assert found is not None, key
    return found


def state(hass: HomeAssistant, key: str, domain: str = "sensor") -> str:
    current = hass.states.get(entity_id(hass, key, domain))
    assert current is not None
    return current.state


async def set_up(hass: HomeAssistant, entry: MockConfigEntry, at: datetime = START) -> HomeEnergyRuntimeData:
    """Set up the Home energy entry with its clock at `at`, and compute once more at that time."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    runtime = entry.runtime_data
    assert isinstance(runtime, HomeEnergyRuntimeData)
    runtime.coordinator.clock = lambda: at
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    return runtime


async def set_up_lan(hass: HomeAssistant, lan_entry: MockConfigEntry) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()


async def test_prices_balance_and_status_at_noon(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    runtime = await set_up(hass, home_energy_entry())
    tariff = TARIFF_PRESETS[DEFAULT_TARIFF].tariff
    # TEPCO Smart Life S at 12:00 on a weekday: the day band, levy included; the night band starts at 01:00.
    assert float(state(hass, "price_now")) == pytest.approx(tariff.buy_price(START) - tariff.renewable_levy + 3.98)
    assert state(hass, "price_band") == "day"
    assert datetime.fromisoformat(state(hass, "next_price_change")) == datetime(2026, 5, 21, 1, 0, tzinfo=JST)
    assert float(state(hass, "sell_price_now")) == 8.5
    assert state(hass, "generation_status") == "solar"  # a clear noon in May
    # The house's power from the board, the PV, the battery and the V2H unit equals what the home consumes.
    snap = home.snapshot
    consumed = snap.base_load_w + snap.aircon_w + snap.light_w + snap.ecocute_w + max(snap.ev_w, 0.0)
    assert snap.battery_w > 500  # the battery charges at noon: storage, not consumption
    assert float(state(hass, "house_power")) == pytest.approx(consumed, rel=0.02, abs=30)
    assert float(state(hass, "house_energy")) == 0.0  # the first reading is the ledger's base
    assert float(state(hass, "cost_today")) == 0.0
    # Guards with what this home has: consumption measured (the board), surplus contract, a time-of-use plan.
    assert state(hass, "guard_house_consumption_measured", "binary_sensor") == STATE_ON
    assert state(hass, "guard_surplus_contract", "binary_sensor") == STATE_ON
    assert state(hass, "guard_time_of_use_tariff", "binary_sensor") == STATE_ON
    history = hass.states.get(entity_id(hass, "guard_sunny_history_days", "binary_sensor"))
    assert history is not None
    assert history.state == STATE_OFF  # no recorder here: no sunny day of history
    assert history.attributes["threshold"] == 5
    assert history.attributes["effect"] == "hedge_harder"
    assert runtime.coordinator.data.sources.entity_ids()


async def test_without_any_source_the_balance_is_unknown_not_zero(hass: HomeAssistant) -> None:
    await set_up(hass, home_energy_entry())
    assert state(hass, "house_power") == "unknown"
    assert state(hass, "house_energy") == "unknown"
    assert state(hass, "generation_status") == "unknown" or state(hass, "generation_status") == "none"
    assert state(hass, "guard_house_consumption_measured", "binary_sensor") == STATE_OFF
    assert state(hass, "price_band") == "day"  # prices need no device


async def test_a_warning_sensor_turning_on_flips_the_guard(hass: HomeAssistant) -> None:
    hass.states.async_set("binary_sensor.storm", STATE_OFF)
    runtime = await set_up(
        hass,
        home_energy_entry(**{CONF_WARNING_SOURCE: "entity", CONF_WARNING_ENTITY: "binary_sensor.storm"}),
    )
    assert state(hass, "guard_weather_warning", "binary_sensor") == STATE_ON
    hass.states.async_set("binary_sensor.storm", STATE_ON)
    await hass.async_block_till_done()
    await runtime.coordinator.async_refresh()  # the state change asks for a (debounced) refresh; do it now
    await hass.async_block_till_done()
    guard = hass.states.get(entity_id(hass, "guard_weather_warning", "binary_sensor"))
    assert guard is not None
    assert guard.state == STATE_OFF
    assert guard.attributes["effect"] == "reserve_full"


@pytest.mark.parametrize(
    ("office", "fixture", "storm"),
    [
        ("474000", "r8_474000_ishigaki_20260823.json", True),  # heavy-rain warning, landslide danger warning
        # The Tokyo file's gale advisory is for one ward (a class-20 item): the office's class-10 areas have none.
        ("130000", "r8_130000_adachi_20260603.json", False),
    ],
)
async def test_the_agencys_warning_feed(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, office: str, fixture: str, storm: bool
) -> None:
    aioclient_mock.get(warning_url(office), content=(JMA_FIXTURES / fixture).read_bytes())
    runtime = await set_up(hass, home_energy_entry(**{CONF_WARNING_SOURCE: "jma", "jma_office": office}))
    warning = hass.states.get(entity_id(hass, "weather_warning", "binary_sensor"))
    assert warning is not None
    assert warning.state == (STATE_ON if storm else STATE_OFF)
    assert bool(warning.attributes["warnings"]) is storm
    assert state(hass, "guard_weather_warning", "binary_sensor") == (STATE_OFF if storm else STATE_ON)

    # The feed cannot be reached: the warning is unavailable, never "no warning".
    aioclient_mock.clear_requests()
    aioclient_mock.get(warning_url(office), status=503)
    assert runtime.jma is not None
    await runtime.jma.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, "weather_warning", "binary_sensor") == STATE_UNAVAILABLE


async def test_a_garbled_feed_is_unavailable(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> None:
    aioclient_mock.get(warning_url("130000"), content=b"<html>maintenance</html>")
    await set_up(hass, home_energy_entry(**{CONF_WARNING_SOURCE: "jma", "jma_office": "130000"}))
    assert state(hass, "weather_warning", "binary_sensor") == STATE_UNAVAILABLE


async def test_a_contract_change_starts_new_series(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry()
    await set_up(hass, entry)
    surplus_id = entity_id(hass, "house_energy")
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_CONTRACT: "full"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    assert registry.async_get(surplus_id) is None  # the surplus series left the registry
    full_id = entity_id(hass, "house_energy_full")
    assert full_id != surplus_id
    assert state(hass, "guard_surplus_contract", "binary_sensor") == STATE_OFF
    assert state(hass, "guard_full_purchase_contract", "binary_sensor") == STATE_OFF


async def test_the_ledger_survives_a_restart(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry()
    runtime = await set_up(hass, entry)
    lan = lan_entry.runtime_data
    assert isinstance(lan, LanRuntimeData)
    clock = home.clock
    clock.advance(3600)  # type: ignore[attr-defined]
    home.advance()
    for coordinator in list(lan.coordinators.values()):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    await runtime.coordinator.async_refresh()
    before = runtime.coordinator.ledger
    assert before.house_total_kwh > 0.1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    restored = entry.runtime_data.coordinator.ledger
    assert restored.house_total_kwh == pytest.approx(before.house_total_kwh)


async def test_co2_is_unknown_without_a_factor(hass: HomeAssistant) -> None:
    await set_up(hass, home_energy_entry(**{CONF_EMISSION_FACTOR: None}))
    assert state(hass, "co2_today") == "unknown"
    assert state(hass, "cost_today") == "0.0"


async def test_diagnostics_show_sources_ledger_and_guards(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await set_up_lan(hass, lan_entry)
    entry = home_energy_entry()
    await set_up(hass, entry)
    dump = await async_get_config_entry_diagnostics(hass, entry)
    assert "pv_power" in dump["sources"]
    assert "board_import" in dump["sources"]
    assert len(dump["guards"]) == 9
    assert dump["outlook"] is None
    assert dump["ledger"]["house_total_kwh"] == 0.0
    assert dump["solar_charge"]["control_on"] is False
    assert dump["solar_charge"]["status"] == "no_plan"  # no PV history without a recorder: no outlook, no plan


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("override", {"device": "battery", "mode": "force_on", "until": "9999-12-31 23:59:59"}),
        ("pause", {"until": "9999-12-31 23:59:59"}),
    ],
)
async def test_a_time_without_a_utc_equivalent_is_refused(
    hass: HomeAssistant, action: str, data: dict[str, object]
) -> None:
    """Found by `python -m benchmarks.fuzz` (target `actions`): the last second of year 9999 west of Greenwich has no
    UTC equivalent, and scheduling the override's return raised OverflowError instead of a translated refusal."""
    await set_up(hass, home_energy_entry())
    await hass.config.async_set_time_zone(
        "America/New_York"
    )  # west of UTC: 9999-12-31 23:59:59 local is in year 10000 UTC
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(DOMAIN, action, data, blocking=True)
    assert refused.value.translation_key == "time_out_of_range"
