"""The browser check: headless Chromium (Debian's package) logs in to the running demo, renders a device page, the
Energy dashboard and the home dashboard's Home energy card, asserts values read from the DOM and saves screenshots for
the README.

Driven over the Chrome DevTools Protocol with aiohttp (no WebDriver needed). Home Assistant's frontend is built from
web components, so every query walks open shadow roots (`DEEP_JS`).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
import contextlib
from dataclasses import dataclass
from datetime import datetime
import itertools
import json
import os
from pathlib import Path
import re
import shutil
import signal
import tempfile
import time
from typing import Any

import aiohttp

from virtual_home.clock import JST

from .config import DEMO_PASSWORD, DEMO_USERNAME, SiteConfig
from .errors import DemoError
from .ha_api import WebSocketApi
from .layout import (
    BATTERY,
    EV_CHARGER,
    PV,
    SOLAR_CHARGE_STATUS,
    Device,
    Entity,
    home_energy_rows,
    labels,
    row_label,
    solar_charge_entity,
)
from .progress import progress
from .provision import DOMAIN, integration_devices, integration_entities
from .state import DemoState

VIEWPORT = (1400, 1000)
PAGE_TIMEOUT = 90.0  # a page's data may take a while on a busy 2-core machine
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
BROWSER_LANGUAGES = {"en": "en-US", "ja": "ja"}
LOG_IN_LABELS = ("Log in", "ログイン")  # the login page's button, en and ja

# Helpers evaluated before every expression: queries and text through open shadow roots.
DEEP_JS = r"""
const deepAll = (selector, root = document) => {
  const found = [];
  const walk = (node) => {
    found.push(...node.querySelectorAll(selector));
    for (const element of node.querySelectorAll('*')) if (element.shadowRoot) walk(element.shadowRoot);
  };
  walk(root);
  return found;
};
const deepText = (node) => {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeName === 'STYLE' || node.nodeName === 'SCRIPT') return '';
  let text = '';
  if (node.shadowRoot) text += ' ' + deepText(node.shadowRoot);
  for (const child of node.childNodes) text += ' ' + deepText(child);
  return text;
};
const clean = (text) => text.replace(/\s+/g, ' ').trim();
"""

# A number followed by an energy unit, as HA formats it (en: "1,234.5 kWh").
ENERGY_VALUE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(Wh|kWh|MWh)\b")


def energy_values(text: str) -> list[float]:
    """Every energy value in `text`, in kWh."""
    scale = {"Wh": 0.001, "kWh": 1.0, "MWh": 1000.0}
    return [float(number.replace(",", "")) * scale[unit] for number, unit in ENERGY_VALUE.findall(text)]


# A number as HA shows a state, possibly after a currency sign ("¥12", "￥1,234", "23.4 kWh", "-0.5").
_NUMBER_AFTER = r"\s*[^\d\s\-−]{0,3}\s*([-−]?\d[\d,]*(?:\.\d+)?)"


def value_after(text: str, label: str) -> float | None:
    """The number shown right after `label` in a card's text (a row: its name, then its state); None when the row
    is absent or its state is not a number ("Unknown")."""
    match = re.search(re.escape(label) + _NUMBER_AFTER, text)
    if match is None:
        return None
    return float(match.group(1).replace(",", "").replace("−", "-"))


def find_chromium() -> str:
    """The Chromium binary: $CHROMIUM, or Debian's `chromium` (installed by `scripts/setup --browser`)."""
    candidates = [os.environ.get("CHROMIUM", ""), *CHROMIUM_NAMES]
    for name in candidates:
        if name and (path := shutil.which(name)):
            return path
    raise DemoError("starting Chromium", "no chromium found; run `scripts/setup --browser` (apt-get install chromium)")


class ScriptError(DemoError):
    """JavaScript evaluated in the page threw."""


class Page:
    """One browser tab over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Commands go out one at a time; events are ignored."""
        self._ws = ws
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result."""
        async with self._lock:
            message_id = next(self._ids)
            await self._ws.send_json({"id": message_id, "method": method, "params": params})
            while True:
                answer = await self._ws.receive_json(timeout=120)
                if answer.get("id") == message_id:
                    break
        if "error" in answer:
            raise DemoError("driving Chromium", f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (with the shadow-DOM helpers) and return its JSON value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=f"(() => {{ {DEEP_JS}\nreturn ({expression}); }})()",
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise ScriptError("driving Chromium", f"script error: {description}")
        return result.get("result", {}).get("value")

    async def wait_for(self, step: str, expression: str, within: float = PAGE_TIMEOUT) -> Any:
        """Poll `expression` until it is truthy; its value, or `DemoError` naming `step`."""
        deadline = time.monotonic() + within
        last_error = ""
        while True:
            try:
                value = await self.evaluate(expression)
            except ScriptError as err:  # e.g. the page is still loading and has no body yet
                value, last_error = None, f"; last script error: {err}"
            if value:
                return value
            if time.monotonic() > deadline:
                raise DemoError(step, f"nothing after {within:.0f} s (waited for: {expression[:120]}){last_error}")
            await asyncio.sleep(0.5)

    async def navigate(self, url: str) -> None:
        """Open `url` in this tab."""
        await self.send("Page.navigate", url=url)

    async def screenshot(self, path: Path) -> None:
        """Save the viewport as PNG."""
        result = await self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))

    async def type_into(self, selector_js: str, text: str) -> None:
        """Focus the element `selector_js` evaluates to and type `text` as keyboard input."""
        await self.evaluate(f"{selector_js}.focus()")
        await self.send("Input.insertText", text=text)


@dataclass(slots=True)
class Chromium:
    """A headless Chromium with one tab; `async with Chromium(...) as page`."""

    session: aiohttp.ClientSession
    language: str = "en"
    process: asyncio.subprocess.Process | None = None
    profile: tempfile.TemporaryDirectory[str] | None = None
    ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Page:
        self.profile = tempfile.TemporaryDirectory(prefix="demo-chromium-")
        argv = [
            find_chromium(),
            "--headless=new",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            f"--lang={BROWSER_LANGUAGES.get(self.language, 'en-US')}",  # the login page follows the browser
            f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
            f"--user-data-dir={self.profile.name}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        self.process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, start_new_session=True
        )
        port = await self._devtools_port()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as response:
            targets = await response.json()
        page = next((target for target in targets if target.get("type") == "page"), None)
        if page is None:
            raise DemoError("starting Chromium", "no page target")
        self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        tab = Page(self.ws)
        width, height = VIEWPORT
        await tab.send(
            "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
        )
        # The home is in Japan: show its days (the Energy dashboard's "today") in Japanese time, as its owner would.
        await tab.send("Emulation.setTimezoneOverride", timezoneId=SiteConfig().time_zone)
        await tab.send("Page.enable")
        return tab

    async def _devtools_port(self) -> int:
        """Chromium writes the port it chose to DevToolsActivePort in its profile."""
        assert self.profile is not None
        marker = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process is not None and self.process.returncode is not None:
                raise DemoError("starting Chromium", f"it exited with {self.process.returncode}")
            with contextlib.suppress(OSError, ValueError, IndexError):
                return int(marker.read_text(encoding="utf-8").splitlines()[0])
            await asyncio.sleep(0.2)
        raise DemoError("starting Chromium", "no DevTools port after 60 s")

    async def __aexit__(self, *exc_info: object) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        if self.profile is not None:
            self.profile.cleanup()


async def log_in(page: Page, url: str, password_text: str = DEMO_PASSWORD) -> None:
    """Through HA's login page, as a person would: type the demo login, click "Log in"."""
    step = "browser: logging in"
    await page.navigate(f"{url}/")
    await page.wait_for(step, "deepAll('input').filter(i => i.type === 'password').length > 0")
    username = "deepAll('input').find(i => i.type !== 'password' && i.type !== 'checkbox')"
    password = "deepAll('input').find(i => i.type === 'password')"
    await page.type_into(username, DEMO_USERNAME)
    await page.type_into(password, password_text)
    labels = json.dumps(LOG_IN_LABELS)
    button = f"deepAll('mwc-button, ha-button').find(b => {labels}.includes(clean(deepText(b))))"
    await page.wait_for(step, f"(() => {{ const b = {button}; b?.click(); return !!b; }})()")
    # Logged in when the app has its connection and user (tokens stay in memory unless "Keep me logged in").
    await page.wait_for(
        step,
        "!location.pathname.startsWith('/auth') && !!document.querySelector('home-assistant')?.hass?.user",
        within=60,
    )


async def check_device_page(page: Page, url: str, device: Device, shot: Path) -> list[float]:
    """The device page renders the device with non-zero energy values; a screenshot. The values (kWh)."""
    step = f"browser: device page of {device.name}"
    await page.navigate(f"{url}/config/devices/device/{device.device_id}")
    text: str = await page.wait_for(
        step,
        f"(() => {{ const t = clean(deepText(document.body)); "
        f"return t.includes({json.dumps(device.name)}) && /[1-9][\\d,.]*\\s*kWh/.test(t) ? t : ''; }})()",
    )
    values = energy_values(text)
    if not any(value > 0 for value in values):
        raise DemoError(step, f"no non-zero energy value on the page: {text[:300]}")
    await asyncio.sleep(1.0)  # let ripples and charts settle before the picture
    await page.screenshot(shot)
    return values


async def check_current_setting(page: Page, url: str, device: Device, setting: Entity, shot: Path) -> str:
    """The EV charger set by its current shows its charging current setting (a number in A) on its device page; a
    screenshot. The setting's name as shown."""
    step = f"browser: device page of {device.name}"
    name = str(setting.attributes.get("friendly_name", ""))
    label = name.removeprefix(device.name).strip() or name
    await page.navigate(f"{url}/config/devices/device/{device.device_id}")
    await page.wait_for(
        step,
        f"(() => {{ const t = clean(deepText(document.body)); "
        f"return t.includes({json.dumps(device.name)}) && t.includes({json.dumps(label)}) ? t : ''; }})()",
    )
    await asyncio.sleep(1.0)
    await page.screenshot(shot)
    return label


DISTRIBUTION_JS = """
deepAll('hui-energy-distribution-card').flatMap(card =>
  deepAll('.circle-container', card.shadowRoot || card).map(c => ({kind: c.className, text: clean(deepText(c))})))
"""


def energy_day_to_show(now: datetime) -> int:
    """Days back from today the check shows: the imported past day lies mostly in yesterday before noon (Japan)."""
    return 1 if now.astimezone(JST).hour < 12 else 0


async def check_energy_dashboard(page: Page, url: str, shot: Path, days_back: int = 0) -> dict[str, float]:
    """The Energy dashboard's distribution card shows non-zero grid and solar-or-battery energy; a screenshot.

    It opens on today; `days_back` pages back first (the day that holds most of the imported past). When the day
    shown has no energy yet (shortly after midnight), the previous day is taken.
    """
    step = "browser: Energy dashboard"
    await page.navigate(f"{url}/energy")
    for _ in range(days_back):
        await _previous_day(page, step)
    totals: dict[str, float] = {}
    for attempt in range(2):
        deadline = time.monotonic() + PAGE_TIMEOUT
        while time.monotonic() < deadline:
            circles = await page.evaluate(DISTRIBUTION_JS) or []
            totals = _circle_totals(circles)
            if totals.get("grid", 0) > 0 and (totals.get("solar", 0) > 0 or totals.get("battery", 0) > 0):
                await asyncio.sleep(1.5)  # the card animates its flow lines
                await page.screenshot(shot)
                return totals
            await asyncio.sleep(1.0)
        if attempt == 0:
            await _previous_day(page, step)
    raise DemoError(step, f"no non-zero grid and solar/battery energy in the distribution card: {totals}")


PERIOD_SELECTOR_JS = "deepAll('hui-energy-period-selector')[0]"
PERIOD_TEXT_JS = f"(() => {{ const p = {PERIOD_SELECTOR_JS}; return p ? clean(deepText(p)) : ''; }})()"
PREVIOUS_JS = f"""(() => {{
  const p = {PERIOD_SELECTOR_JS};
  const b = p && deepAll('ha-icon-button-prev', p.shadowRoot || p)[0];
  b?.click();
  return !!b;
}})()"""


DAY_DATA_SETTLE = 15.0  # seconds to wait for the new day's figures; identical figures on both days end it too


async def _previous_day(page: Page, step: str) -> None:
    """Page the Energy dashboard back one day, once it has loaded (a click before that is lost), and wait until the
    period shown has changed and then its figures: the title changes before the new day's statistics arrive, and
    figures read in between are the day before's."""
    await page.wait_for(step, f"({DISTRIBUTION_JS}).length > 0")
    before = await page.wait_for(step, PERIOD_TEXT_JS)
    figures = await page.evaluate(DISTRIBUTION_JS)
    await page.wait_for(step, PREVIOUS_JS)
    await page.wait_for(step, f"{PERIOD_TEXT_JS} !== {json.dumps(before)}")
    deadline = time.monotonic() + DAY_DATA_SETTLE
    while time.monotonic() < deadline:
        if await page.evaluate(DISTRIBUTION_JS) != figures:
            return
        await asyncio.sleep(0.5)


def _circle_totals(circles: list[Mapping[str, str]]) -> dict[str, float]:
    """kWh per circle of the energy-distribution card (grid: import + export; battery: in + out)."""
    totals: dict[str, float] = {}
    for circle in circles:
        kind = next((name for name in ("grid", "solar", "battery", "home") if name in circle.get("kind", "")), None)
        if kind is not None:
            totals[kind] = totals.get(kind, 0.0) + sum(energy_values(circle.get("text", "")))
    return totals


async def check_home_dashboard(page: Page, url: str, path: str, shot: Path) -> None:
    """The demo's home dashboard renders its cards; a screenshot."""
    step = "browser: home dashboard"
    await page.navigate(f"{url}{path}")
    await page.wait_for(step, "deepAll('hui-entities-card').length > 0 && /\\d/.test(clean(deepText(document.body)))")
    await asyncio.sleep(2.0)
    await page.screenshot(shot)


HOME_ENERGY_CHECKED = ("cost_today", "pv_forecast_tomorrow")


def _card_text_js(title: str) -> str:
    """The text of the entities card titled `title` ('' until it has rendered)."""
    return f"""(() => {{
  const card = deepAll('hui-entities-card').find(c => clean(deepText(c)).startsWith({json.dumps(title)}));
  return card ? clean(deepText(card)) : '';
}})()"""


def _scroll_to_card_js(title: str) -> str:
    return f"""(() => {{
  const card = deepAll('hui-entities-card').find(c => clean(deepText(c)).startsWith({json.dumps(title)}));
  card?.scrollIntoView({{block: 'center'}});
  return !!card;
}})()"""


async def check_home_energy_card(
    page: Page, url: str, path: str, title: str, row_labels: Mapping[str, str], shot: Path
) -> dict[str, float]:
    """The home dashboard's Home energy card shows a number in each row of `row_labels` (key → the row's words);
    a screenshot with the card in view. The numbers by key."""
    step = "browser: Home energy card"
    await page.navigate(f"{url}{path}")
    values: dict[str, float | None] = {}
    text = ""
    deadline = time.monotonic() + PAGE_TIMEOUT
    while time.monotonic() < deadline:
        text = await page.evaluate(_card_text_js(title)) or ""
        values = {key: value_after(text, label) for key, label in row_labels.items()}
        if text and all(value is not None for value in values.values()):
            await page.evaluate(_scroll_to_card_js(title))
            await asyncio.sleep(1.0)
            await page.screenshot(shot)
            return {key: value for key, value in values.items() if value is not None}
        await asyncio.sleep(1.0)
    raise DemoError(step, f"no number for {[k for k, v in values.items() if v is None]} in the card: {text[:400]!r}")


async def _home_energy_labels(ws: WebSocketApi, state: DemoState) -> dict[str, str]:
    """The words of the Home energy card's checked rows, as the dashboard was built (layout.home_energy_rows)."""
    step = "browser: finding the Home energy card's rows"
    entities = await integration_entities(ws, step)
    devices = await integration_devices(ws, step, list(state.entries.values()))
    rows = dict(home_energy_rows(devices, entities))
    missing = [key for key in HOME_ENERGY_CHECKED if key not in rows]
    if missing:
        raise DemoError(step, f"the Home energy entry has no {missing}")
    return {key: row_label(rows[key], entities) for key in HOME_ENERGY_CHECKED}


# Solar charge plans once the Home energy entry has its PV outlook (from the imported past day); on a busy machine the
# first plan (HiGHS in the executor) can take a while after the entry is set up.
PLAN_TIMEOUT = 300.0
NO_PLAN_STATES = frozenset({"no_plan", "unknown", "unavailable"})
STATUS_SENTENCE_KEY = f"component.{DOMAIN}.entity.sensor.status.state."


async def wait_for_plan(ws: WebSocketApi, status_id: str, within: float = PLAN_TIMEOUT, poll: float = 2.0) -> str:
    """Until solar charge's status sensor leaves `no_plan` (the plan exists), asking every `poll` seconds; its state
    key."""
    step = "waiting for the solar charge plan"
    deadline = time.monotonic() + within
    while True:
        states = await ws.command(step, "get_states")
        status: Mapping[str, Any] = next((item for item in states if item["entity_id"] == status_id), {})
        if status.get("state") not in NO_PLAN_STATES | {None}:
            return str(status["state"])
        if time.monotonic() > deadline:
            error = status.get("attributes", {}).get("error")
            raise DemoError(
                step,
                f"{status_id} is still {status.get('state')!r} after {within:.0f} s (its error: {error}); the plan "
                "needs the PV outlook, learned from a complete past day of PV statistics (--history-days 2 or more)",
            )
        await asyncio.sleep(poll)


async def status_sentences(ws: WebSocketApi, language: str) -> dict[str, str]:
    """The status sensor's sentences in `language` (state key → words), from the integration's translations as
    Home Assistant serves them to the frontend."""
    result = await ws.command(
        "browser: reading the status sentences",
        "frontend/get_translations",
        language=language,
        category="entity",
        integration=[DOMAIN],
    )
    resources: Mapping[str, str] = result.get("resources", {})
    return {
        key.removeprefix(STATUS_SENTENCE_KEY): text
        for key, text in resources.items()
        if key.startswith(STATUS_SENTENCE_KEY)
    }


def shown_status(row_text: str, sentences: Mapping[str, str]) -> str | None:
    """The status key whose sentence the status row shows (the longest that fits), None for anything else, such as
    "Unknown", "Unavailable" or an untranslated key."""
    found = sorted((len(sentence), key) for key, sentence in sentences.items() if sentence and sentence in row_text)
    return found[-1][1] if found else None


def _status_row_js(entity_id: str) -> str:
    """The text of the entities-card row of `entity_id` (its name, then its state; '' until it has rendered)."""
    return f"""(() => {{
  const row = deepAll('hui-generic-entity-row').find(r => r.config?.entity === {json.dumps(entity_id)});
  return row ? clean(deepText(row)) : '';
}})()"""


PLAN_CHART_JS = """(() => {
  const card = deepAll('echonet-hems-plan-card')[0];
  const svg = card?.shadowRoot?.querySelector('svg');
  if (!svg) return null;
  return {bars: svg.querySelectorAll('rect.bar').length,
          lines: svg.querySelectorAll('path, polyline, polygon').length,
          prices: svg.querySelectorAll('rect.price').length};
})()"""


@dataclass(frozen=True, slots=True)
class SolarChargeShown:
    """What the Solar charge view showed: the status key and sentence, and the plan chart's shapes (bars of planned
    power, lines and areas of forecasts and stored energy, price bands)."""

    status: str
    sentence: str
    bars: int
    lines: int
    prices: int


async def check_solar_charge_view(
    page: Page, url: str, path: str, status_id: str, sentences: Mapping[str, str], shot: Path
) -> SolarChargeShown:
    """The Solar charge view: the plan card draws its chart (an svg with bars or lines) and the status row reads one
    of the status sentences; a screenshot."""
    step = "browser: Solar charge view"
    await page.navigate(f"{url}{path}")
    chart = await page.wait_for(
        f"{step} (the plan card's chart)",
        f"(() => {{ const c = {PLAN_CHART_JS}; return c && c.bars + c.lines > 0 ? c : null; }})()",
    )
    deadline = time.monotonic() + PAGE_TIMEOUT
    while True:
        text = await page.evaluate(_status_row_js(status_id)) or ""
        key = shown_status(text, sentences)
        if key is not None:
            await asyncio.sleep(1.5)  # let the calendar and the other cards settle before the picture
            await page.screenshot(shot)
            return SolarChargeShown(key, sentences[key], chart["bars"], chart["lines"], chart["prices"])
        if time.monotonic() > deadline:
            raise DemoError(step, f"the status row shows no status sentence: {text[:300]!r}")
        await asyncio.sleep(1.0)


async def _solar_charge_status(ws: WebSocketApi) -> str:
    step = "browser: finding solar charge's status"
    status = solar_charge_entity(await integration_entities(ws, step), SOLAR_CHARGE_STATUS)
    if status is None:
        raise DemoError(step, "the Home energy entry has no solar charge status sensor")
    return status.entity_id


async def _device_with(ws: WebSocketApi, state: DemoState, echonet_class: str) -> Device:
    step = "browser: finding the device to show"
    entities: list[Entity] = await integration_entities(ws, step)
    device_ids = {entity.device_id for entity in entities if entity.echonet_class == echonet_class}
    devices = await integration_devices(ws, step, list(state.entries.values()))
    device = next((device for device in devices if device.device_id in device_ids), None)
    if device is None:
        raise DemoError(step, f"no device of ECHONET class {echonet_class}")
    return device


async def _current_setting(ws: WebSocketApi, state: DemoState) -> tuple[Device, Entity]:
    """The EV charger's charging current setting (0xED) and its device."""
    step = "browser: finding the EV charger's charging current setting"
    entities: list[Entity] = await integration_entities(ws, step)
    setting = next((e for e in entities if e.echonet_class == EV_CHARGER and e.key == "charging_current_setting"), None)
    if setting is None:
        raise DemoError(step, "the EV charger has no charging current setting (is it set by its current?)")
    devices = await integration_devices(ws, step, list(state.entries.values()))
    device = next((device for device in devices if device.device_id == setting.device_id), None)
    if device is None:
        raise DemoError(step, "the charging current setting belongs to no device")
    return device, setting


async def run_check(state: DemoState, screenshots: Path) -> None:
    """The whole browser check against the running demo described by `state`; `DemoError` on any failure."""
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        async with WebSocketApi(session, state.url, state.token, state.ha_log) as ws:
            pv = await _device_with(ws, state, PV)
            battery = await _device_with(ws, state, BATTERY)
            charger, current = await _current_setting(ws, state)
            home_energy_labels = await _home_energy_labels(ws, state)
            status_id = await _solar_charge_status(ws)
            sentences = await status_sentences(ws, state.language)
            waited = time.monotonic()
            status = await wait_for_plan(ws, status_id)
            _say(f"solar charge has a plan (status {status}, after {time.monotonic() - waited:.0f} s of waiting)")
        async with Chromium(session, state.language) as page:
            await log_in(page, state.url, state.password)
            _say("logged in")
            values = await check_device_page(page, state.url, pv, screenshots / "device-pv.png")
            _say(f"{pv.name}: device page shows {max(values):.2f} kWh")
            values = await check_device_page(page, state.url, battery, screenshots / "device-battery.png")
            _say(f"{battery.name}: device page shows {max(values):.2f} kWh")
            label = await check_current_setting(page, state.url, charger, current, screenshots / "device-ev.png")
            _say(f"{charger.name}: device page shows {label!r} ({current.state} A)")
            days_back = energy_day_to_show(datetime.now(JST))
            totals = await check_energy_dashboard(page, state.url, screenshots / "energy.png", days_back)
            _say(
                ("Energy dashboard (yesterday): " if days_back else "Energy dashboard: ")
                + ", ".join(f"{kind} {kwh:.2f} kWh" for kind, kwh in sorted(totals.items()))
            )
            await check_home_dashboard(page, state.url, state.dashboards["home"], screenshots / "dashboard.png")
            title = labels(state.language)["home_energy"]
            shown = await check_home_energy_card(
                page, state.url, state.dashboards["home"], title, home_energy_labels, screenshots / "home-energy.png"
            )
            _say(
                f"Home energy card: cost today {shown['cost_today']:g} JPY, "
                f"PV forecast tomorrow {shown['pv_forecast_tomorrow']:g} kWh"
            )
            solar = await check_solar_charge_view(
                page,
                state.url,
                state.dashboards["solar_charge"],
                status_id,
                sentences,
                screenshots / "solar-charge.png",
            )
            _say(
                f"Solar charge view: status {solar.status!r} reads {solar.sentence!r}; plan card draws "
                f"{solar.bars} bar(s), {solar.lines} line(s)/area(s), {solar.prices} price band(s)"
            )
            _say(f"home dashboard rendered; screenshots in {screenshots} ({time.monotonic() - started:.0f} s)")


def _say(message: str) -> None:
    progress(f"check: {message}")
