"""The plan card: served by the integration under a versioned URL, loaded by the frontend as an extra module, told
where the actual values are; and the card's JavaScript parses and draws a plan (run in Node.js where it exists)."""

from __future__ import annotations

from datetime import datetime, timedelta
import hashlib
import itertools
import json
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.echonet_hems.const import CONF_KIND, DOMAIN, EntryKind
from custom_components.echonet_hems.plan_card import CARD_FILE, CARD_URL, async_register_plan_card
from virtual_home.clock import JST

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture
async def frontend(hass: HomeAssistant, tmp_path: Path) -> None:
    """The frontend set up from an empty development tree: the harness has no built frontend on every version."""
    assert await async_setup_component(hass, "frontend", {"frontend": {"development_repo": str(tmp_path)}})
    await hass.async_block_till_done()


def _card_urls(hass: HomeAssistant) -> list[str]:
    return [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if url.startswith(CARD_URL)]


@pytest.mark.usefixtures("frontend")
async def test_card_is_served_and_loaded_by_the_frontend(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Setting up the integration serves the file and adds its versioned URL to the frontend's extra modules."""
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    urls = _card_urls(hass)
    assert len(urls) == 1
    assert urls[0].startswith(f"{CARD_URL}?v=")
    client = await hass_client()
    response = await client.get(urls[0])
    assert response.status == 200
    assert response.content_type in ("text/javascript", "application/javascript")
    assert await response.text() == CARD_FILE.read_text(encoding="utf-8")


@pytest.mark.usefixtures("frontend")
async def test_url_changes_with_the_card(hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The version in the URL is a digest of the file: another card, another URL (browsers fetch the new card)."""
    shipped = hashlib.sha256(CARD_FILE.read_bytes()).hexdigest()[:12]
    changed = tmp_path / "card.js"
    changed.write_bytes(CARD_FILE.read_bytes() + b"\n// changed\n")
    monkeypatch.setattr("custom_components.echonet_hems.plan_card.CARD_FILE", changed)
    assert await async_setup_component(hass, DOMAIN, {})
    assert _card_urls(hass) == [f"{CARD_URL}?v={hashlib.sha256(changed.read_bytes()).hexdigest()[:12]}"]
    assert shipped not in _card_urls(hass)[0]


async def test_without_frontend_nothing_is_registered(hass: HomeAssistant) -> None:
    """A Home Assistant without the frontend (recovery mode, a bare harness) sets up without the card."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert await async_register_plan_card(hass) is None
    assert DATA_EXTRA_MODULE_URL not in hass.data


@pytest.mark.usefixtures("frontend")
async def test_sources_name_the_sensors_of_actual_values(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """The card asks which sensors hold PV, house and battery values; V2H power is not the battery's."""
    lan = MockConfigEntry(domain=DOMAIN, data={CONF_KIND: EntryKind.LAN.value}, unique_id="lan")
    lan.add_to_hass(hass)
    registry = er.async_get(hass)
    for unique_id, object_id in (
        ("node1-027901_generation_power", "pv_power"),
        ("node1-027D01_charge_discharge_power", "battery_power"),
        ("node1-027D01_stored_energy", "battery_stored"),
        ("node1-027E01_charge_discharge_power", "v2h_power"),
        ("home_energy_house_power", "house_power"),
    ):
        registry.async_get_or_create("sensor", DOMAIN, unique_id, config_entry=lan, suggested_object_id=object_id)
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/plan_card_sources"})
    answer = await client.receive_json()
    assert answer["success"]
    assert answer["result"] == {
        "pv_power": ["sensor.pv_power"],
        "house_power": ["sensor.house_power"],
        "battery_power": ["sensor.battery_power"],
        "battery_energy": ["sensor.battery_stored"],
    }


@needs_node
def test_card_javascript_parses() -> None:
    """`node --check` as an ES module: the card is valid JavaScript. (The source goes in on stdin with the module type
    stated: Node 20 checking a `.js` file path guesses its type and, on that path, let a planted syntax error pass.)"""
    assert NODE is not None
    subprocess.run(
        [NODE, "--input-type=module", "--check"],
        input=CARD_FILE.read_bytes(),
        check=True,
        capture_output=True,
        timeout=60,
    )


# A minimal stand-in for the browser (custom elements, a shadow root that keeps its HTML), then the card is given a
# Home Assistant object with a plan and the recorder's answer, and the drawn HTML is printed.
_HARNESS = """
const [file, input] = process.argv.slice(1);
const data = JSON.parse(input);
Date.now = () => data.now;
globalThis.window = globalThis;
globalThis.HTMLElement = class {
  attachShadow() { this.shadowRoot = { innerHTML: "", querySelectorAll: () => [] }; return this.shadowRoot; }
};
const registry = new Map();
globalThis.customElements = { get: (name) => registry.get(name), define: (name, cls) => registry.set(name, cls) };
const module = await import(file);
const Card = customElements.get("echonet-hems-plan-card");
const card = new Card();
card._width = data.width;  // what the ResizeObserver would report in a browser
card.setConfig(data.config);
const asked = [];
card.hass = {
  language: data.language,
  locale: { time_zone: "server" },
  config: { time_zone: "Asia/Tokyo" },
  states: data.states,
  callWS: async (message) => { asked.push(message); return data.ws[message.type]; },
};
await card._historyLoad;
const means = module.slotMeans(
  [{ t: 0, v: 1 }, { t: 15 * 60000, v: 3 }, { t: 45 * 60000, v: null }], 0, 2 * 30 * 60000, 2 * 30 * 60000);
console.log(JSON.stringify({
  html: card.shadowRoot.innerHTML, asked, cards: window.customCards, size: card.getCardSize(),
  stub: Card.getStubConfig({ states: data.states }), means,
  midnight: module.clockParts(Date.parse("2026-05-20T15:00:00Z"), "Asia/Tokyo"),
}));
"""

PLAN_START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)


def _slot(index: int) -> dict[str, object]:
    hour = (12 + index / 2) % 24
    sunny = 6 <= hour < 18
    return {
        "start": (PLAN_START + timedelta(minutes=30 * index)).isoformat(),
        "pv_kw": 3.0 if sunny else 0.0,
        "load_kw": 0.6,
        "buy_price": 35.0 if 17 <= hour < 22 else 25.0,
        "heat_kw": 1.2 if index == 2 else 0.0,
        "battery_kw": 1.5 if index == 3 else (-1.0 if index == 20 else 0.0),
        "ev_kw": 0.0,
        "grid_kw": 0.0,
        "tank_kwh_th": 8.0,
        "battery_kwh": 5.0,
        "ev_kwh": 0.0,
    }


def _run_card(language: str, past_hours: int, width: int = 480) -> dict[str, Any]:
    assert NODE is not None
    status = "sensor.home_energy_solar_charge_status"
    plan = {"created": PLAN_START.isoformat(), "active": True, "expected_cost_yen": 412.3, "solve_ms": 80.0}
    plan["slots"] = [_slot(index) for index in range(96)]
    history_start = (PLAN_START - timedelta(hours=24)).timestamp()
    data = {
        "now": (PLAN_START + timedelta(minutes=5)).timestamp() * 1000,
        "language": language,
        "width": width,
        "config": {"entity": status, "past_hours": past_hours},
        "states": {
            status: {"state": "heating", "attributes": {"plan": plan}},
            "sensor.pv": {"state": "2500", "attributes": {"unit_of_measurement": "W"}},
        },
        "ws": {
            "echonet_hems/plan_card_sources": {
                "pv_power": ["sensor.pv"],
                "house_power": [],
                "battery_power": [],
                "battery_energy": [],
            },
            "history/history_during_period": {
                "sensor.pv": [{"s": "2000", "lu": history_start}, {"s": "unavailable", "lu": history_start + 7200}]
            },
        },
    }
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", _HARNESS, CARD_FILE.as_uri(), json.dumps(data)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


@needs_node
def test_card_draws_the_plan_and_the_past_day() -> None:
    """Price bands for every slot, device bars (a discharge too), the PV area, lines, the past PV and a legend."""
    drawn = _run_card("en", 24)
    html = drawn["html"]
    assert html.count('class="price"') == 96
    assert html.count('class="bar ') == 3  # heater, battery charge, battery discharge
    assert html.count('class="bar discharge"') == 1
    assert '<polygon class="area"' in html
    assert html.count('<rect class="hit"') == 96
    assert "PV (actual)" in html  # 2 h of past PV, from the recorder
    assert "Water heater" in html
    assert "EV</span>" not in html  # no EV energy planned: no legend entry
    assert "¥412" in html
    assert "5/20, 12:00 PM" in html  # the plan's time in the server's zone (the user's profile says "server")
    assert ">5/21</text>" in html  # the midnight tick
    history = next(message for message in drawn["asked"] if message["type"] == "history/history_during_period")
    assert history["entity_ids"] == ["sensor.pv"]
    assert history["end_time"] == "2026-05-20T03:00:00.000Z"
    assert drawn["cards"] == [
        {
            "type": "echonet-hems-plan-card",
            "name": "ECHONET HEMS solar charge plan",
            "description": drawn["cards"][0]["description"],
            "preview": True,
            "documentationURL": drawn["cards"][0]["documentationURL"],
        }
    ]
    assert drawn["size"] == 6
    assert drawn["stub"] == {"entity": "sensor.home_energy_solar_charge_status"}
    # Time-weighted 30-minute means: 1 kW for 15 min then 3 kW for 15 min → 2; then 3 kW for 15 min, unknown after.
    assert drawn["means"] == [2, 3]
    assert drawn["midnight"] == {"month": 5, "day": 21, "hour": 0, "minute": 0}


@needs_node
def test_card_speaks_japanese_and_can_leave_out_the_past() -> None:
    """Labels follow the user's language; `past_hours: 0` asks the recorder nothing."""
    drawn = _run_card("ja", 0)
    assert "太陽光（予測）" in drawn["html"]
    assert "給湯機" in drawn["html"]
    assert "太陽光（実績）" not in drawn["html"]
    assert drawn["asked"] == []


_TIME_TICK = re.compile(r'<text class="tick" x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">([^<]+)</text>')


@needs_node
@pytest.mark.parametrize("width", [330, 480, 1000])
def test_time_labels_do_not_crowd_on_a_narrow_card(width: int) -> None:
    """A phone-width card over the past day and the 48-h plan keeps its hour labels apart; a wide card shows more."""
    drawn = _run_card("en", 24, width)
    ticks = [(float(x), label) for x, label in _TIME_TICK.findall(drawn["html"])]
    assert len(ticks) >= 5
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(ticks)]
    assert min(gaps) >= 32, ticks
    if width >= 1000:
        assert any(label == "03:00" for _, label in ticks)  # 3-hourly where there is room
