"""Energy-dashboard sources and the home dashboard, from registry and state data."""

from __future__ import annotations

from typing import Any

from homeassistant.components.energy.data import DEVICE_CONSUMPTION_SCHEMA, ENERGY_SOURCE_SCHEMA
import pytest

from demo.history import Quantity
from demo.layout import (
    Device,
    Entity,
    devices_from,
    energy_prefs,
    entities_from,
    external_grid,
    home_dashboard,
    home_energy_card,
    home_energy_links,
    home_energy_rows,
    now_rows,
    row_label,
    select_energy,
    solar_charge_note,
    solar_charge_view,
    speed_note,
)

NODE = "FE00000B00564830303030303030303030"
ENERGY = {"device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "kWh"}


def _entity(entity_id: str, unique_id: str, *, entry: str = "lan", device: str = "d", **attributes: Any) -> Entity:
    return Entity(
        entity_id=entity_id,
        unique_id=unique_id,
        config_entry_id=entry,
        device_id=device,
        attributes=attributes or ENERGY,
        state="1.5",
    )


LAN = [
    _entity("sensor.pv_energy", f"{NODE}-027901_generation_energy", device="pv"),
    _entity("sensor.pv2_energy", f"{NODE}-027902_generation_energy", device="pv2"),
    _entity("sensor.pv_sold", f"{NODE}-027901_sold_energy", device="pv"),
    _entity("sensor.bat_in", f"{NODE}-027D01_charged_energy", device="bat"),
    _entity("sensor.bat_out", f"{NODE}-027D01_discharged_energy", device="bat"),
    _entity("sensor.board_in", f"{NODE}-028701_main_energy_import", device="board"),
    _entity("sensor.board_out", f"{NODE}-028701_main_energy_export", device="board"),
    _entity("sensor.pv_power", f"{NODE}-027901_generation_power", device="pv", device_class="power"),
]
METER = [
    _entity("sensor.meter_import", "00112233_grid_import_energy", entry="meter", device="meter"),
    _entity("sensor.meter_export", "00112233_grid_export_energy", entry="meter", device="meter"),
]


def test_unique_id_parts() -> None:
    """Class, instance and key come from the LAN unique id; other entities have no ECHONET class."""
    entity = LAN[1]
    assert (entity.echonet_class, entity.instance, entity.key) == ("0279", 2, "generation_energy")
    assert METER[0].echonet_class is None


def test_without_meter_the_board_is_the_grid() -> None:
    """No smart meter: the distribution board's main breaker counts import and export."""
    selection = select_energy(LAN, None)
    assert selection.grid_import == ("sensor.board_in",)
    assert selection.grid_export == ("sensor.board_out",)
    assert selection.solar == ("sensor.pv_energy", "sensor.pv2_energy")
    assert selection.batteries == (("sensor.bat_out", "sensor.bat_in"),)
    assert selection.quantities["sensor.pv2_energy"] == "pv2"
    assert selection.quantities["sensor.board_in"] == Quantity.GRID_IMPORT
    assert "sensor.pv_sold" not in selection.statistic_ids


def test_meter_sensors_then_meter_statistics() -> None:
    """With a meter its sensors are the grid; once its history statistics exist, those (no simulated import)."""
    entities = LAN + METER
    by_sensor = select_energy(entities, "meter")
    assert by_sensor.grid_import == ("sensor.meter_import",)
    assert by_sensor.grid_export == ("sensor.meter_export",)
    assert by_sensor.quantities["sensor.meter_export"] == Quantity.GRID_EXPORT
    external = external_grid(
        [
            {"statistic_id": "echonet_hems:grid_export_abc", "source": "echonet_hems"},
            {"statistic_id": "echonet_hems:grid_import_abc", "source": "echonet_hems"},
            {"statistic_id": "sensor.pv_energy", "source": "recorder"},
        ],
        "echonet_hems",
    )
    by_statistics = select_energy(entities, "meter", external)
    assert by_statistics.grid_import == ("echonet_hems:grid_import_abc",)
    assert by_statistics.grid_export == ("echonet_hems:grid_export_abc",)
    assert "echonet_hems:grid_import_abc" not in by_statistics.quantities


def test_energy_prefs_pass_home_assistants_schema() -> None:
    """The payload is what HA's energy manager accepts."""
    prefs = energy_prefs(select_energy(LAN, None))
    sources = ENERGY_SOURCE_SCHEMA(prefs["energy_sources"])
    assert [source["type"] for source in sources] == ["grid", "solar", "solar", "battery"]
    assert sources[3] == {"type": "battery", "stat_energy_from": "sensor.bat_out", "stat_energy_to": "sensor.bat_in"}
    assert [DEVICE_CONSUMPTION_SCHEMA(item) for item in prefs["device_consumption"]] == []


def test_entities_from_joins_registry_and_states() -> None:
    """Only enabled entities of the domain, with their state and attributes."""
    registry = [
        {
            "entity_id": "sensor.a",
            "platform": "echonet_hems",
            "unique_id": "x-027901_generation_energy",
            "config_entry_id": "lan",
            "device_id": "d",
            "entity_category": None,
        },
        {"entity_id": "sensor.b", "platform": "echonet_hems", "unique_id": "y", "disabled_by": "integration"},
        {"entity_id": "sensor.c", "platform": "other", "unique_id": "z"},
        {"entity_id": "sensor.d", "platform": "echonet_hems", "unique_id": "w", "entity_category": "diagnostic"},
    ]
    states = [{"entity_id": "sensor.a", "state": "unknown", "attributes": ENERGY}]
    entities = entities_from(registry, states, "echonet_hems")
    assert [entity.entity_id for entity in entities] == ["sensor.a", "sensor.d"]
    assert entities[0].numeric_state is None
    assert entities[0].is_energy_counter
    assert entities[1].diagnostic


@pytest.mark.parametrize(("unit", "accepted"), [("kWh", True), ("Wh", True), ("W", False)])
def test_energy_counter_units(unit: str, accepted: bool) -> None:
    """Only energy units count."""
    entity = _entity("sensor.x", "x", **{**ENERGY, "unit_of_measurement": unit})
    assert entity.is_energy_counter is accepted


def test_home_dashboard() -> None:
    """An energy-flow card, then one card per device with its non-diagnostic entities, named without the device."""
    devices = devices_from(
        [
            {"id": "bat", "name": "Storage battery", "config_entries": ["lan"]},
            {"id": "other", "name": "Somebody else's", "config_entries": ["x"]},
            {"id": "pv", "name": "PV", "name_by_user": "Roof", "config_entries": ["lan"]},
        ],
        ["lan"],
    )
    assert devices == [Device("pv", "Roof"), Device("bat", "Storage battery")]
    entities = [
        _entity("sensor.bat_in", "a", device="bat", friendly_name="Storage battery charged energy"),
        _entity("sensor.bat_out", "b", device="bat", friendly_name="Other name"),
        Entity("sensor.bat_id", "c", "lan", "bat", diagnostic=True),
    ]
    config = home_dashboard(devices, entities)
    cards = config["views"][0]["cards"]
    assert cards[0]["type"] == "energy-distribution"
    assert cards[1:] == [
        {
            "type": "entities",
            "title": "Storage battery",
            "state_color": True,
            "entities": [{"entity": "sensor.bat_in", "name": "Charged energy"}, {"entity": "sensor.bat_out"}],
        }
    ]


def test_now_card_in_display_order() -> None:
    """PV power, fuel cell, the meter's grid power (no board), battery SOC, in that order, whatever the entity order."""
    entities = [
        _entity("sensor.soc", f"{NODE}-027D01_state_of_charge", device="bat"),
        _entity("sensor.fc_power", f"{NODE}-027C01_generation_power", device="fc"),
        _entity("sensor.grid", "00112233_grid_power", entry="meter", device="meter"),
        _entity("sensor.pv_power", f"{NODE}-027901_generation_power", device="pv"),
    ]
    cards = home_dashboard([], entities)["views"][0]["cards"]
    assert cards[1] == {
        "type": "glance",
        "title": "Now",
        "entities": [
            {"entity": "sensor.pv_power", "name": "Solar"},
            {"entity": "sensor.fc_power", "name": "Fuel cell"},
            {"entity": "sensor.grid", "name": "Grid"},
            {"entity": "sensor.soc", "name": "Battery"},
        ],
        "columns": 4,
    }


def test_now_card_takes_the_grid_from_the_board() -> None:
    """The board's main power is announced with PV and battery at the same moment; the meter is polled apart."""
    entities = [
        _entity("sensor.grid", "00112233_grid_power", entry="meter", device="meter"),
        _entity("sensor.board_power", f"{NODE}-028701_main_power", device="board"),
        _entity("sensor.pv_power", f"{NODE}-027901_generation_power", device="pv"),
    ]
    rows = now_rows(entities)
    assert rows == [
        {"entity": "sensor.pv_power", "name": "Solar"},
        {"entity": "sensor.board_power", "name": "Grid"},
    ]
    assert [row["name"] for row in now_rows(entities, "ja")] == ["太陽光", "系統"]


def test_speed_note() -> None:
    """At 60x the dashboard says what a minute is and how far the meter lags; at real time nothing is said."""
    assert speed_note(1.0, None) is None
    note = speed_note(60.0, 5)
    assert note is not None
    assert "60x speed (1 s here = 1 simulated minute)" in note
    assert "every 5 s (5 simulated minutes)" in note
    assert "模擬5分" in (speed_note(60.0, 5, "ja") or "")


def test_home_dashboard_with_a_note_in_japanese() -> None:
    """The note comes first; the dashboard's own words follow the language."""
    entities = [_entity("sensor.pv_power", f"{NODE}-027901_generation_power", device="pv")]
    config = home_dashboard([], entities, language="ja", note="メモ")
    cards = config["views"][0]["cards"]
    assert cards[0] == {"type": "markdown", "content": "メモ"}
    assert cards[1]["type"] == "energy-distribution"
    assert cards[2]["title"] == "現在"
    assert config["views"][0]["title"] == "ホーム"


def _home_energy(language: str = "en") -> list[Entity]:
    """The Home energy entry's entities as Home Assistant names them (device "Home energy", names translated)."""
    names = {
        "en": {
            "co2_today": "CO2 today",
            "cost_today": "Electricity cost today",
            "generation_status": "Generation status",
            "house_power": "House consumption power",
            "price_band": "Price band",
            "price_now": "Electricity price now",
            "pv_forecast_tomorrow": "PV forecast tomorrow",
            "sell_price_now": "Sell price now",
            "self_sufficiency": "Self-sufficiency",
        },
        "ja": {"price_band": "料金時間帯", "cost_today": "今日の電気料金", "pv_forecast_tomorrow": "明日の発電予測"},
    }[language]
    return [
        _entity(
            f"sensor.home_energy_{key}",
            f"home_energy_{key}",
            entry="he",
            device="he",
            friendly_name=f"Home energy {name}",
        )
        for key, name in sorted(names.items())
    ]


HOME_ENERGY_DEVICE = Device("he", "Home energy")


def test_home_energy_links() -> None:
    """The prices come from the Home energy entry's own sensors, found by unique id."""
    links = home_energy_links("he", LAN + _home_energy())
    assert (links.entry_id, links.price_now, links.sell_price_now) == (
        "he",
        "sensor.home_energy_price_now",
        "sensor.home_energy_sell_price_now",
    )
    assert home_energy_links("other", _home_energy()).price_now is None


def test_energy_prefs_with_the_home_energy_entry() -> None:
    """Grid import priced by the price now, export by the sell price, solar forecast from the entry; HA accepts it."""
    selection = select_energy(LAN, None)
    prefs = energy_prefs(selection, home_energy_links("he", _home_energy()))
    sources = ENERGY_SOURCE_SCHEMA(prefs["energy_sources"])
    grid = sources[0]
    assert grid["flow_from"][0]["entity_energy_price"] == "sensor.home_energy_price_now"
    assert grid["flow_to"][0]["entity_energy_price"] == "sensor.home_energy_sell_price_now"
    assert [source["config_entry_solar_forecast"] for source in sources if source["type"] == "solar"] == [
        ["he"],
        ["he"],
    ]
    without = energy_prefs(selection)["energy_sources"]
    assert without[0]["flow_from"][0]["entity_energy_price"] is None
    assert without[1]["config_entry_solar_forecast"] is None


def test_home_energy_card_in_display_order() -> None:
    """Price band, price, generation, house power, cost, CO2, PV tomorrow; named by the entities, without the device."""
    entities = [*_home_energy(), *LAN]
    card = home_energy_card([HOME_ENERGY_DEVICE], entities)
    assert card == {
        "type": "entities",
        "title": "Home energy",
        "state_color": True,
        "entities": [
            {"entity": "sensor.home_energy_price_band", "name": "Price band"},
            {"entity": "sensor.home_energy_price_now", "name": "Electricity price now"},
            {"entity": "sensor.home_energy_generation_status", "name": "Generation status"},
            {"entity": "sensor.home_energy_house_power", "name": "House consumption power"},
            {"entity": "sensor.home_energy_cost_today", "name": "Electricity cost today"},
            {"entity": "sensor.home_energy_co2_today", "name": "CO2 today"},
            {"entity": "sensor.home_energy_pv_forecast_tomorrow", "name": "PV forecast tomorrow"},
        ],
    }
    assert home_energy_card([HOME_ENERGY_DEVICE], LAN) is None


def test_home_energy_card_in_japanese_and_under_full_purchase() -> None:
    """The words follow the entity names (Japanese here); the full-purchase house power is the one shown then."""
    entities = [
        *_home_energy("ja"),
        _entity(
            "sensor.house_full",
            "home_energy_house_power_full",
            entry="he",
            device="he",
            friendly_name="Home energy 家庭内消費電力",
        ),
    ]
    rows = home_energy_rows([HOME_ENERGY_DEVICE], entities)
    assert [key for key, _row in rows] == ["price_band", "house_power", "cost_today", "pv_forecast_tomorrow"]
    assert [row["name"] for _key, row in rows] == ["料金時間帯", "家庭内消費電力", "今日の電気料金", "明日の発電予測"]
    card = home_energy_card([HOME_ENERGY_DEVICE], entities, "ja")
    assert card is not None
    assert card["title"] == "家庭のエネルギー"


def test_home_dashboard_shows_home_energy_once() -> None:
    """The Home energy card replaces the device's generic card (its other entities stay on its device page)."""
    entities = [*_home_energy(), _entity("sensor.pv_power", f"{NODE}-027901_generation_power", device="pv")]
    devices = [HOME_ENERGY_DEVICE, Device("pv", "PV")]
    cards = home_dashboard(devices, entities)["views"][0]["cards"]
    assert [card.get("title") for card in cards] == [None, "Now", "Home energy", "PV"]


def test_row_label() -> None:
    """A row's own name, else the entity's friendly name, else its id."""
    entities = _home_energy()
    assert row_label({"entity": "sensor.x", "name": "X"}, entities) == "X"
    assert row_label({"entity": "sensor.home_energy_co2_today"}, entities) == "Home energy CO2 today"
    assert row_label({"entity": "sensor.gone"}, entities) == "sensor.gone"


SOLAR_CHARGE_DEVICES = [Device("sc", "Solar charge"), HOME_ENERGY_DEVICE]


def _solar_charge(*, with_ev: bool = False) -> list[Entity]:
    """The solar-charge entities of the Home energy entry (guards are diagnostic), in registry order."""
    keys = [
        ("switch.solar_charge", "solar_charge_solar_charge"),
        ("sensor.solar_charge_status", "solar_charge_status"),
        ("calendar.solar_charge_plan", "solar_charge_plan"),
        ("switch.follow_battery", "solar_charge_follow_battery"),
        ("sensor.battery_reason", "solar_charge_battery_reason"),
        ("sensor.battery_planned_power", "solar_charge_battery_planned_power"),
        ("sensor.battery_next_start", "solar_charge_battery_next_start"),
        ("select.battery_mode", "solar_charge_mode_battery"),
        ("switch.follow_water_heater", "solar_charge_follow_water_heater"),
        ("sensor.water_heater_reason", "solar_charge_water_heater_reason"),
        ("binary_sensor.guard_soc", "guard_battery_soc"),
        ("binary_sensor.guard_comfort", "guard_comfort"),
    ]
    if with_ev:
        keys.append(("sensor.ev_reason", "solar_charge_ev_reason"))
    return [
        Entity(
            entity_id,
            f"home_energy_{key}",
            "he",
            "he" if key.startswith("guard_") else "sc",
            diagnostic=key.startswith("guard_"),
            attributes={"friendly_name": f"{'Home energy' if key.startswith('guard_') else 'Solar charge'} {key}"},
            state="on",
        )
        for entity_id, key in keys
    ]


def test_solar_charge_view() -> None:
    """Status and master switch, the plan card on the status sensor, the plan calendar, one card per device with its
    follow switch first, and the guards although they are diagnostic."""
    view = solar_charge_view(SOLAR_CHARGE_DEVICES, [*_solar_charge(), *LAN], note="Speed note")
    assert view is not None
    assert (view["title"], view["path"]) == ("Solar charge", "solar-charge")
    cards = view["cards"]
    assert cards[0] == {"type": "markdown", "content": "Speed note"}
    assert cards[1]["entities"] == [
        {"entity": "sensor.solar_charge_status", "name": "Solar_charge_status"},  # without the device's name
        {"entity": "switch.solar_charge", "name": "Solar_charge_solar_charge"},
    ]
    assert cards[2] == {"type": "custom:echonet-hems-plan-card", "entity": "sensor.solar_charge_status"}
    assert cards[3] == {"type": "calendar", "initial_view": "listWeek", "entities": ["calendar.solar_charge_plan"]}
    assert [card.get("title") for card in cards[4:]] == ["Water heater", "Battery", "Guards"]
    assert [row["entity"] for row in cards[5]["entities"]] == [
        "switch.follow_battery",
        "sensor.battery_reason",
        "sensor.battery_planned_power",
        "sensor.battery_next_start",
    ]
    assert cards[6]["entities"] == [
        {"entity": "binary_sensor.guard_comfort", "name": "Guard_comfort"},
        {"entity": "binary_sensor.guard_soc", "name": "Guard_battery_soc"},
    ]


def test_solar_charge_view_in_japanese_without_note_and_without_solar_charge() -> None:
    """Japanese titles; no note card without a note; an EV card only with EV entities; no view without the status."""
    view = solar_charge_view(SOLAR_CHARGE_DEVICES, _solar_charge(with_ev=True), language="ja")
    assert view is not None
    assert view["title"] == "ソーラーチャージ"
    assert [card.get("title") for card in view["cards"]] == [
        "ソーラーチャージ",
        None,
        None,
        "給湯機",
        "蓄電池",
        "電気自動車",
        "ガード条件",
    ]
    assert solar_charge_view(SOLAR_CHARGE_DEVICES, LAN) is None


def test_home_dashboard_has_the_solar_charge_view_when_solar_charge_exists() -> None:
    """A second view after the home view; none without the Home energy entry's solar charge."""
    entities = [*_home_energy(), *_solar_charge()]
    views = home_dashboard(SOLAR_CHARGE_DEVICES, entities, solar_note="note")["views"]
    assert [view["path"] for view in views] == ["home", "solar-charge"]
    assert views[1]["cards"][0] == {"type": "markdown", "content": "note"}
    assert [view["path"] for view in home_dashboard([HOME_ENERGY_DEVICE], _home_energy())["views"]] == ["home"]


def test_solar_charge_note() -> None:
    """At a speed-up it says the plan keeps real time and points to the closed-loop benchmark; none at real time."""
    english = solar_charge_note(60.0)
    assert english is not None
    assert "60x" in english
    assert "python -m benchmarks.closed_loop" in english
    japanese = solar_charge_note(60.0, "ja")
    assert japanese is not None
    assert "60倍速" in japanese
    assert "python -m benchmarks.closed_loop" in japanese
    assert solar_charge_note(1.0) is None
