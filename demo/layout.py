"""What the demo configures from the entities the integration created: Energy-dashboard sources and a home dashboard.

Pure functions over registry and state data, so they are unit-tested without Home Assistant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any, Final

from .history import Quantity, pv_quantity

# ECHONET Lite class codes (class group + class, hex) of the devices the dashboards are built around.
PV: Final = "0279"
BATTERY: Final = "027D"
BOARD: Final = "0287"
WATER_HEATER: Final = "026B"
EV_CHARGER: Final = "02A1"

FUEL_CELL: Final = "027C"

# The "Now" card: (label, candidates), in display order. A candidate is (ECHONET class or None for any entity,
# unique-id key); the first candidate with entities is shown. Grid comes from the distribution board when there is
# one: in the demo its readings are announced with the PV's and the battery's at the same simulated moment, so the
# row adds up; the smart meter is read over the B-route on its own schedule and is the fallback.
NOW_ROWS: Final = (
    ("solar", ((PV, "generation_power"),)),
    ("fuel_cell", ((FUEL_CELL, "generation_power"),)),
    ("grid", ((BOARD, "main_power"), (None, "grid_power"))),  # import-positive
    ("battery", ((BATTERY, "state_of_charge"),)),
    ("charging", ((BATTERY, "charge_discharge_power"),)),  # charge-positive
    ("hot_water", ((WATER_HEATER, "remaining_hot_water"),)),
)
LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "now": "Now",
        "solar": "Solar",
        "fuel_cell": "Fuel cell",
        "grid": "Grid",
        "battery": "Battery",
        "charging": "Charging",
        "hot_water": "Hot water",
        "home": "Home",
        "home_energy": "Home energy",
        "dashboard": "ECHONET Lite home",
        "solar_charge": "Solar charge",
        "guards": "Guards",
        "water_heater": "Water heater",
        "ev": "EV",
    },
    "ja": {
        "now": "現在",
        "solar": "太陽光",
        "fuel_cell": "燃料電池",
        "grid": "系統",
        "battery": "蓄電池",
        "charging": "充電",
        "hot_water": "残湯量",
        "home": "ホーム",
        "home_energy": "家庭のエネルギー",  # the integration's own Japanese name of the entry kind
        "dashboard": "ECHONET Lite ホーム",
        "solar_charge": "ソーラーチャージ",  # the integration's own Japanese name of the feature
        "guards": "ガード条件",
        "water_heater": "給湯機",
        "ev": "電気自動車",
    },
}


def labels(language: str) -> Mapping[str, str]:
    """The dashboard's own words in `language` (English for languages without a table)."""
    return LABELS.get(language, LABELS["en"])


# LAN entity unique ids are f"{node id}-{EOJ}_{key}" (coordinator.object_id + the description key).
_OBJECT_UNIQUE_ID = re.compile(r"-(?P<cls>[0-9A-F]{4})(?P<instance>[0-9A-F]{2})_(?P<key>[a-z0-9_]+)$")
_EXPORT_WORDS: Final = ("export", "reverse", "sold")


@dataclass(frozen=True, slots=True)
class Entity:
    """The registry entry and current state of one entity of the integration."""

    entity_id: str
    unique_id: str
    config_entry_id: str | None
    device_id: str | None
    hidden: bool = False
    diagnostic: bool = False
    attributes: Mapping[str, Any] = field(default_factory=dict)
    state: str | None = None

    @property
    def echonet_class(self) -> str | None:
        """The ECHONET class code ("0279") of a LAN entity's object; None for other entities."""
        match = _OBJECT_UNIQUE_ID.search(self.unique_id)
        return match["cls"] if match else None

    @property
    def instance(self) -> int:
        """The object's instance code (1 for the first object of a class)."""
        match = _OBJECT_UNIQUE_ID.search(self.unique_id)
        return int(match["instance"], 16) if match else 1

    @property
    def key(self) -> str:
        """The entity description key ("generation_energy"), or the unique id's last part for other entities."""
        match = _OBJECT_UNIQUE_ID.search(self.unique_id)
        return match["key"] if match else self.unique_id.rsplit("_", 1)[-1]

    @property
    def is_energy_counter(self) -> bool:
        """A cumulative energy sensor the Energy dashboard accepts."""
        return (
            self.attributes.get("device_class") == "energy"
            and self.attributes.get("state_class") in {"total", "total_increasing"}
            and self.attributes.get("unit_of_measurement") in {"Wh", "kWh", "MWh"}
        )

    @property
    def numeric_state(self) -> float | None:
        """The state as a number, None when unknown/unavailable."""
        try:
            return float(self.state) if self.state is not None else None
        except ValueError:
            return None


def entities_from(
    registry: Iterable[Mapping[str, Any]], states: Iterable[Mapping[str, Any]], domain: str
) -> list[Entity]:
    """Join `config/entity_registry/list` and `get_states` for the entities of `domain` that are enabled."""
    by_id = {state["entity_id"]: state for state in states}
    entities = []
    for entry in registry:
        if entry.get("platform") != domain or entry.get("disabled_by"):
            continue
        state = by_id.get(entry["entity_id"], {})
        entities.append(
            Entity(
                entity_id=entry["entity_id"],
                unique_id=entry.get("unique_id") or "",
                config_entry_id=entry.get("config_entry_id"),
                device_id=entry.get("device_id"),
                hidden=bool(entry.get("hidden_by")),
                diagnostic=entry.get("entity_category") is not None,
                attributes=state.get("attributes", {}),
                state=state.get("state"),
            )
        )
    return sorted(entities, key=lambda entity: entity.entity_id)


@dataclass(frozen=True, slots=True)
class EnergySelection:
    """The statistics (entity ids) of the Energy dashboard and the simulated quantity behind each."""

    grid_import: tuple[str, ...] = ()
    grid_export: tuple[str, ...] = ()
    solar: tuple[str, ...] = ()
    batteries: tuple[tuple[str, str], ...] = ()  # (discharged = energy out of the battery, charged = into it)
    quantities: Mapping[str, str] = field(default_factory=dict)  # entity id -> history.Quantity / pv_quantity

    @property
    def statistic_ids(self) -> tuple[str, ...]:
        """Every statistic the dashboard reads."""
        battery_ids = tuple(entity for pair in self.batteries for entity in pair)
        return (*self.grid_import, *self.grid_export, *self.solar, *battery_ids)


def external_grid(statistics: Iterable[Mapping[str, Any]], domain: str) -> tuple[list[str], list[str]]:
    """The integration's own grid statistics (`recorder/list_statistic_ids`): the meter's 30-minute values.

    These are external statistics ("echonet_hems:grid_import_<meter>") that the integration fills from the meter's
    history, so the dashboard shows the past at once; they are preferred over the meter's sensors.
    """
    ids = sorted(str(item["statistic_id"]) for item in statistics if item.get("source") == domain)
    return [i for i in ids if "grid_import" in i], [i for i in ids if "grid_export" in i]


def select_energy(
    entities: Sequence[Entity], meter_entry_id: str | None, external: tuple[list[str], list[str]] = ([], [])
) -> EnergySelection:
    """Grid from the meter's statistics or sensors when there is a meter, else the distribution board; PV; batteries."""
    counters = [entity for entity in entities if entity.is_energy_counter and not entity.hidden]
    quantities: dict[str, str] = {}
    meter = [entity for entity in counters if meter_entry_id is not None and entity.config_entry_id == meter_entry_id]
    grid_import: list[str] = []
    grid_export: list[str] = []
    if meter_entry_id is not None and external[0]:
        grid_import, grid_export = list(external[0]), list(external[1])
    elif meter:
        for entity in meter:
            exported = any(word in entity.unique_id.lower() for word in _EXPORT_WORDS)
            (grid_export if exported else grid_import).append(entity.entity_id)
    else:
        for entity in counters:
            if entity.echonet_class == BOARD and entity.key == "main_energy_import":
                grid_import.append(entity.entity_id)
            elif entity.echonet_class == BOARD and entity.key == "main_energy_export":
                grid_export.append(entity.entity_id)
    sensor_ids = {entity.entity_id for entity in counters}
    grid_import_sensors = [stat for stat in grid_import if stat in sensor_ids]
    grid_export_sensors = [stat for stat in grid_export if stat in sensor_ids]
    # Only sensors get simulated history; the integration's external statistics are its own.
    quantities.update(dict.fromkeys(grid_import_sensors, Quantity.GRID_IMPORT.value))
    quantities.update(dict.fromkeys(grid_export_sensors, Quantity.GRID_EXPORT.value))
    solar = [entity for entity in counters if entity.echonet_class == PV and entity.key == "generation_energy"]
    for entity in solar:
        quantities[entity.entity_id] = pv_quantity(entity.instance - 1)
    batteries: list[tuple[str, str]] = []
    for entity in counters:
        if entity.echonet_class != BATTERY or entity.key != "discharged_energy":
            continue
        charged = next(
            (
                other
                for other in counters
                if other.device_id == entity.device_id
                and other.echonet_class == BATTERY
                and other.key == "charged_energy"
            ),
            None,
        )
        if charged is not None:
            batteries.append((entity.entity_id, charged.entity_id))
            quantities[entity.entity_id] = Quantity.BATTERY_DISCHARGED.value
            quantities[charged.entity_id] = Quantity.BATTERY_CHARGED.value
    return EnergySelection(
        grid_import=tuple(grid_import[:1]),  # HA shows one grid; a meter has one import and one export counter
        grid_export=tuple(grid_export[:1]),
        solar=tuple(entity.entity_id for entity in solar),
        batteries=tuple(batteries),
        quantities=quantities,
    )


# The Home energy entry's entities: unique id = "home_energy_" + key (one entry per Home Assistant). Under the full-
# purchase contract the mode-dependent ones end in "_full"; the demo creates a surplus-purchase entry.
HOME_ENERGY_PREFIX: Final = "home_energy_"
# Its card on the home dashboard, in display order: (key, keys it may have).
HOME_ENERGY_ROWS: Final = (
    ("price_band", ("price_band",)),
    ("price_now", ("price_now",)),
    ("generation_status", ("generation_status",)),
    ("house_power", ("house_power", "house_power_full")),
    ("cost_today", ("cost_today",)),
    ("co2_today", ("co2_today",)),
    ("pv_forecast_tomorrow", ("pv_forecast_tomorrow",)),
)


def home_energy_entities(entities: Iterable[Entity]) -> dict[str, Entity]:
    """The Home energy entry's entities by key ("price_now" → its entity), from their unique ids."""
    return {
        entity.unique_id.removeprefix(HOME_ENERGY_PREFIX): entity
        for entity in entities
        if entity.unique_id.startswith(HOME_ENERGY_PREFIX)
    }


@dataclass(frozen=True, slots=True)
class HomeEnergyLinks:
    """What the Energy dashboard takes from the Home energy entry: its prices and its PV forecast."""

    entry_id: str
    price_now: str | None = None  # entity ids (JPY/kWh)
    sell_price_now: str | None = None


def home_energy_links(entry_id: str, entities: Iterable[Entity]) -> HomeEnergyLinks:
    """The price sensors of the Home energy entry `entry_id` (None where it has not created one)."""
    by_key = home_energy_entities(entity for entity in entities if entity.config_entry_id == entry_id)
    price, sell = by_key.get("price_now"), by_key.get("sell_price_now")
    return HomeEnergyLinks(
        entry_id=entry_id,
        price_now=price.entity_id if price else None,
        sell_price_now=sell.entity_id if sell else None,
    )


def energy_prefs(selection: EnergySelection, home_energy: HomeEnergyLinks | None = None) -> dict[str, Any]:
    """The `energy/save_prefs` payload: one grid (import/export), every PV array, every battery.

    With the Home energy entry the grid's import is priced by its price sensor and its export by its sell price
    (Home Assistant then adds cost sensors for grid sensors), and the solar sources show its PV forecast (the
    integration's `energy.py` platform serves it for the entry's id).
    """
    links = home_energy or HomeEnergyLinks(entry_id="")
    forecast = [links.entry_id] if home_energy is not None else None
    sources: list[dict[str, Any]] = []
    if selection.grid_import or selection.grid_export:
        sources.append(
            {
                "type": "grid",
                "flow_from": [
                    {
                        "stat_energy_from": stat,
                        "stat_cost": None,
                        "entity_energy_price": links.price_now,
                        "number_energy_price": None,
                    }
                    for stat in selection.grid_import
                ],
                "flow_to": [
                    {
                        "stat_energy_to": stat,
                        "stat_compensation": None,
                        "entity_energy_price": links.sell_price_now,
                        "number_energy_price": None,
                    }
                    for stat in selection.grid_export
                ],
                "cost_adjustment_day": 0,
            }
        )
    sources.extend(
        {"type": "solar", "stat_energy_from": stat, "config_entry_solar_forecast": forecast} for stat in selection.solar
    )
    sources.extend(
        {"type": "battery", "stat_energy_from": discharged, "stat_energy_to": charged}
        for discharged, charged in selection.batteries
    )
    return {"energy_sources": sources, "device_consumption": []}


@dataclass(frozen=True, slots=True)
class Device:
    """A device-registry entry of the integration."""

    device_id: str
    name: str


def devices_from(registry: Iterable[Mapping[str, Any]], entry_ids: Iterable[str]) -> list[Device]:
    """The devices of the given config entries (`config/device_registry/list`), by name."""
    wanted = set(entry_ids)
    devices = [
        Device(device_id=entry["id"], name=entry.get("name_by_user") or entry.get("name") or entry["id"])
        for entry in registry
        if wanted.intersection(entry.get("config_entries", []))
    ]
    return sorted(devices, key=lambda device: device.name)


def _entity_row(entity: Entity, device: Device) -> dict[str, str]:
    """An entities-card row named without the device name the card's title already shows."""
    row = {"entity": entity.entity_id}
    friendly = str(entity.attributes.get("friendly_name", ""))
    prefix = f"{device.name} "
    if friendly.startswith(prefix) and len(friendly) > len(prefix):
        name = friendly.removeprefix(prefix)
        row["name"] = name[0].upper() + name[1:]
    return row


def speed_note(speed: float, meter_poll_seconds: int | None, language: str = "en") -> str | None:
    """What a 60x demo does to its numbers, for the top of the home dashboard; None at real time."""
    if speed <= 1.0:
        return None
    minute = 60.0 / speed
    meter = meter_poll_seconds if meter_poll_seconds is not None else 10
    lag = meter * speed / 60.0
    if language == "ja":
        return (
            f"{speed:g}倍速のシミュレーションです（実時間{minute:g}秒＝模擬1分）。各機器は模擬1分ごとに計測値を通知するので、"
            f"同時に表示される値は同じ時点のものです。スマートメーターはBルートで{meter}秒（模擬{lag:g}分）ごとに読むため、"
            "その電力値は遅れます。"
        )
    return (
        f"Simulated at {speed:g}x speed ({minute:g} s here = 1 simulated minute). The devices announce their "
        "readings every simulated minute, so values shown together belong to the same moment; the smart meter is "
        f"read over the Wi-SUN B-route every {meter} s ({lag:g} simulated minutes), so its power lags behind."
    )


def now_rows(entities: Sequence[Entity], language: str = "en") -> list[dict[str, str]]:
    """The "Now" card's rows (see `NOW_ROWS`)."""
    words = labels(language)
    rows: list[dict[str, str]] = []
    for label, candidates in NOW_ROWS:
        for echonet_class, key in candidates:
            found = [
                entity
                for entity in entities
                if entity.unique_id.endswith(f"_{key}") and echonet_class in {None, entity.echonet_class}
            ]
            if found:
                rows.extend({"entity": entity.entity_id, "name": words[label]} for entity in found)
                break
    return rows


def home_energy_rows(devices: Sequence[Device], entities: Sequence[Entity]) -> list[tuple[str, dict[str, str]]]:
    """The Home energy card's rows as (key, row), in `HOME_ENERGY_ROWS` order; a row's words are its entity's name
    (so in Home Assistant's language) without the device name, as on the other device cards."""
    by_key = home_energy_entities(entities)
    names = {device.device_id: device for device in devices}
    rows = []
    for key, candidates in HOME_ENERGY_ROWS:
        entity = next((by_key[candidate] for candidate in candidates if candidate in by_key), None)
        if entity is not None:
            device = names.get(entity.device_id or "", Device(device_id="", name=""))
            rows.append((key, _entity_row(entity, device)))
    return rows


def row_label(row: Mapping[str, str], entities: Sequence[Entity]) -> str:
    """The words an entities-card row shows: its own name, else its entity's friendly name."""
    if "name" in row:
        return row["name"]
    entity = next((entity for entity in entities if entity.entity_id == row["entity"]), None)
    return str(entity.attributes.get("friendly_name", row["entity"])) if entity is not None else row["entity"]


def home_energy_card(
    devices: Sequence[Device], entities: Sequence[Entity], language: str = "en"
) -> dict[str, Any] | None:
    """The Home energy entry at a glance: price band and price now, generation, house power, cost and CO2 of today,
    tomorrow's PV forecast; None without the entry."""
    rows = [row for _key, row in home_energy_rows(devices, entities)]
    if not rows:
        return None
    return {"type": "entities", "title": labels(language)["home_energy"], "state_color": True, "entities": rows}


def home_dashboard(
    devices: Sequence[Device],
    entities: Sequence[Entity],
    *,
    language: str = "en",
    note: str | None = None,
    solar_note: str | None = None,
) -> dict[str, Any]:
    """A Lovelace dashboard: an optional note, today's energy flow and the main live values on top, the Home energy
    card, then one card per device with its (non-diagnostic) entities; with solar charge, its own view (see
    `solar_charge_view`, `solar_note` on top)."""
    words = labels(language)
    cards: list[dict[str, Any]] = [{"type": "markdown", "content": note}] if note else []
    cards.append({"type": "energy-distribution", "link_dashboard": True})
    now = now_rows(entities, language)
    if now:
        cards.append({"type": "glance", "title": words["now"], "entities": now, "columns": len(now)})
    home_energy = home_energy_card(devices, entities, language)
    if home_energy is not None:
        cards.append(home_energy)
    # The Home energy device has its own card above (its other entities are on its device page).
    summarised = {entity.device_id for entity in home_energy_entities(entities).values()}
    for device in devices:
        if device.device_id in summarised:
            continue
        shown = [
            _entity_row(entity, device)
            for entity in entities
            if entity.device_id == device.device_id and not entity.diagnostic and not entity.hidden
        ]
        if shown:
            cards.append({"type": "entities", "title": device.name, "state_color": True, "entities": shown})
    views = [{"title": words["home"], "path": "home", "icon": "mdi:home-lightning-bolt", "cards": cards}]
    solar_charge = solar_charge_view(devices, entities, language=language, note=solar_note)
    if solar_charge is not None:
        views.append(solar_charge)
    return {"title": words["dashboard"], "views": views}


# Solar charge belongs to the Home energy entry: unique id = "home_energy_solar_charge_" + key; its guard sensors are
# the entry's own ("home_energy_guard_<key>").
SOLAR_CHARGE_PREFIX: Final = "solar_charge_"
SOLAR_CHARGE_SWITCH: Final = "solar_charge_solar_charge"  # keys after HOME_ENERGY_PREFIX
SOLAR_CHARGE_STATUS: Final = "solar_charge_status"
SOLAR_CHARGE_CALENDAR: Final = "solar_charge_plan"
GUARD_PREFIX: Final = "guard_"
SOLAR_CHARGE_DEVICES: Final = ("water_heater", "battery", "ev")  # their keys, also their cards' LABELS
# Per device, in display order: follow its plan (switch), then why, how much now and when next.
SOLAR_CHARGE_DEVICE_KEYS: Final = ("follow", "reason", "planned_power", "next_start")
SOLAR_CHARGE_VIEW: Final = "solar-charge"
PLAN_CARD: Final = "custom:echonet-hems-plan-card"


def solar_charge_entity(entities: Iterable[Entity], key: str) -> Entity | None:
    """The Home energy entry's entity with `key` after "home_energy_" ("solar_charge_status"), None when absent."""
    return home_energy_entities(entities).get(key)


def _solar_charge_device_key(device: str, key: str) -> str:
    """The key of one device's solar-charge entity ("solar_charge_follow_battery", "solar_charge_battery_reason")."""
    return f"{SOLAR_CHARGE_PREFIX}follow_{device}" if key == "follow" else f"{SOLAR_CHARGE_PREFIX}{device}_{key}"


def solar_charge_note(speed: float, language: str = "en") -> str | None:
    """What the demo's speed-up means for the plan, for the top of the Solar charge view; None at real time."""
    if speed <= 1.0:
        return None
    if language == "ja":
        return (
            f"仮想の家は{speed:g}倍速で動きますが、Home Assistantとソーラーチャージの計画は実時間のままです。"
            "そのため機器の状態（残量、残湯量）は計画の想定より速く変わり、ここでは計画と機器の動きが揃いません。"
            "機器が同じ時計で計画に従うことは、閉ループのベンチマーク `python -m benchmarks.closed_loop` が示します。"
        )
    return (
        f"The virtual home runs at {speed:g}x speed while Home Assistant and the solar-charge plan keep real time, so "
        "device states (battery charge, hot water) move faster than the plan expects and the two do not line up here. "
        "That devices follow the plan on one clock is shown by the closed-loop benchmark "
        "`python -m benchmarks.closed_loop`."
    )


def solar_charge_view(
    devices: Sequence[Device], entities: Sequence[Entity], *, language: str = "en", note: str | None = None
) -> dict[str, Any] | None:
    """The Solar charge view: an optional note, the master switch and the status sentence, the plan card, the plan
    calendar, one card per device (follow switch, reason, planned power, next start) and the guard sensors (shown
    although they are diagnostic: they say why solar charge holds back). Rows are named without their device's name
    ("Solar charge", "Home energy"), as on the home view. None without solar charge."""
    words = labels(language)
    by_key = home_energy_entities(entities)
    names = {device.device_id: device for device in devices}

    def row(entity: Entity) -> dict[str, str]:
        return _entity_row(entity, names.get(entity.device_id or "", Device(device_id="", name="")))

    status = by_key.get(SOLAR_CHARGE_STATUS)
    if status is None:
        return None
    cards: list[dict[str, Any]] = [{"type": "markdown", "content": note}] if note else []
    top = [by_key[key] for key in (SOLAR_CHARGE_STATUS, SOLAR_CHARGE_SWITCH) if key in by_key]
    cards.append(
        {
            "type": "entities",
            "title": words["solar_charge"],
            "state_color": True,
            "entities": [row(entity) for entity in top],
        }
    )
    cards.append({"type": PLAN_CARD, "entity": status.entity_id})
    calendar = by_key.get(SOLAR_CHARGE_CALENDAR)
    if calendar is not None:
        cards.append({"type": "calendar", "initial_view": "listWeek", "entities": [calendar.entity_id]})
    for device in SOLAR_CHARGE_DEVICES:
        rows = [
            row(by_key[key])
            for key in (_solar_charge_device_key(device, part) for part in SOLAR_CHARGE_DEVICE_KEYS)
            if key in by_key
        ]
        if rows:
            cards.append({"type": "entities", "title": words[device], "state_color": True, "entities": rows})
    guards = sorted(
        (entity for key, entity in by_key.items() if key.startswith(GUARD_PREFIX)), key=lambda entity: entity.entity_id
    )
    if guards:
        cards.append(
            {
                "type": "entities",
                "title": words["guards"],
                "state_color": True,
                "entities": [row(entity) for entity in guards],
            }
        )
    return {"title": words["solar_charge"], "path": SOLAR_CHARGE_VIEW, "icon": "mdi:solar-power", "cards": cards}
