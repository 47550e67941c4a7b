"""The demo from start to Ctrl-C: processes, provisioning in order, the banner, the optional browser check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass
from datetime import date, datetime
import errno
from pathlib import Path
import shutil
import signal
import socket
import sys
import textwrap
import time
from typing import Any

import aiohttp

from virtual_home.clock import JST

from . import provision
from .config import DEMO_USERNAME, DemoPaths, SiteConfig, base_url, write_configuration
from .errors import DemoError
from .ha_api import RestApi, WebSocketApi
from .history import HourlyEnergy, complete_days, simulate_history
from .layout import (
    SOLAR_CHARGE_VIEW,
    EnergySelection,
    Entity,
    HomeEnergyLinks,
    energy_prefs,
    home_dashboard,
    home_energy_entities,
    home_energy_links,
    select_energy,
    solar_charge_note,
    speed_note,
)
from .processes import Child, start_home_assistant, start_virtual_home, virtual_home_argv, virtual_home_flags
from .progress import progress
from .state import DemoState, remove_state, write_state

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "echonet_hems"
HA_START_TIMEOUT = 600.0  # first start on a busy 2-core machine: database, frontend, translations
READINGS_TIMEOUT = 180.0
IMPORT_TIMEOUT = 120.0  # the recorder writes queued imports within seconds; a busy machine gets slack
HOME_ENERGY_TIMEOUT = 120.0
REVOKE_TIMEOUT = 60.0  # the stop waits this long for Home Assistant to revoke the demo's token
DEFAULT_HISTORY_DAYS = 2  # the simulated past always holds yesterday whole (Japan time): the PV outlook learns from it


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """The command line."""

    site: SiteConfig
    speed: float = 60.0
    history_days: int = DEFAULT_HISTORY_DAYS
    screenshots: Path = REPO / ".demo" / "screenshots"  # docs/screenshots only with --update-screenshots
    root: Path = REPO / ".demo"


def log_errors(log: Path) -> list[str]:
    """ERROR/CRITICAL lines of Home Assistant's log (the demo's configuration should produce none)."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if " ERROR (" in line or " CRITICAL (" in line]


def ensure_port_free(host: str, port: int) -> None:
    """Fail early and clearly when another program (often another Home Assistant) holds the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise DemoError(
                    "checking the HTTP port", f"{host}:{port} is in use; choose another with --port"
                ) from err
            raise


type WebSocketConnector = Callable[[str, str, str], contextlib.AbstractAsyncContextManager[WebSocketApi]]


@contextlib.asynccontextmanager
async def connect_websocket(url: str, token: str, log: str) -> AsyncIterator[WebSocketApi]:
    """An authenticated websocket connection to the demo's Home Assistant (`DemoError` when refused)."""
    async with aiohttp.ClientSession() as session, WebSocketApi(session, url, token, log) as ws:
        yield ws


class Demo:
    """Owns the child processes; `stop()` always runs (Ctrl-C, errors and the end of `--check` alike)."""

    def __init__(self, options: DemoOptions, *, connect: WebSocketConnector = connect_websocket) -> None:
        """Nothing starts before `start()`; `connect` opens the websocket the stop revokes the token through."""
        self.connect = connect
        self.options = options
        self.paths = DemoPaths(options.root)
        self.children: list[Child] = []
        self.state: DemoState | None = None
        self.pv_forecast: PVForecastNote | None = None  # what the Home energy entry forecast for tomorrow

    async def start(self) -> DemoState:
        """Everything up to the banner; returns what was written to state.json."""
        options, paths = self.options, self.paths
        started = time.monotonic()
        ensure_port_free(options.site.host, options.site.port)
        if paths.config.exists():
            shutil.rmtree(paths.config)  # every demo starts from a fresh Home Assistant
        paths.root.mkdir(parents=True, exist_ok=True)
        write_configuration(paths, options.site, INTEGRATION)

        start = datetime.now(JST).replace(microsecond=0).isoformat()
        flags = virtual_home_flags(options.speed, options.history_days, start)
        progress(f"starting the virtual home ({options.speed:g}x time, {options.history_days} day(s) of history)")
        home, startup = await start_virtual_home(
            virtual_home_argv(options.speed, options.history_days, start, paths.root / "dongle"),
            paths.virtual_home_log,
            REPO,
            within=300.0,
        )
        self.children.append(home)
        progress(f"virtual home up: {len(startup['nodes'])} ECHONET Lite nodes, dongle at {startup['dongle']['tcp']}")
        progress("starting Home Assistant (the first start takes a minute or two)")
        hass = await start_home_assistant(paths.config, paths.ha_console_log, REPO)
        self.children.append(hass)
        history_task = asyncio.create_task(asyncio.to_thread(simulate_history, flags))

        url = base_url(options.site)
        log = str(paths.ha_log)
        async with aiohttp.ClientSession() as session:
            api = RestApi(session, url, log)
            await api.wait_until_up(HA_START_TIMEOUT, alive=lambda: hass.alive)
            progress("completing onboarding")
            language = options.site.language
            token = await provision.onboard(api, language, options.site.password)
            async with WebSocketApi(session, url, token, log) as ws:
                await provision.wait_until_running(ws, HA_START_TIMEOUT)
                await provision.set_profile(ws, language)
                await provision.enable_loopback(ws)
                entries = await self._add_entries(api, startup)
                meter_poll = await self._scale_meter_poll(api, entries.get("broute"))
                progress("waiting for the first readings")
                entities, selection = await self._wait_for_energy(ws, entries.get("broute"))
                await ws.command("configuring the Energy dashboard", "energy/save_prefs", **energy_prefs(selection))
                history = await history_task
                imported = await self._import_history(ws, selection, entities, history)
                if imported:
                    progress(f"imported the simulated past as statistics (demo data) for {', '.join(imported)}")
                entries["home_energy"], entities = await self._set_up_home_energy(api, ws, selection, imported, history)
                switch = await provision.turn_on_solar_charge(ws, entities)
                progress(f"solar charge is on ({switch}): control follows the plan")
                devices = await provision.integration_devices(ws, "creating the home dashboard", list(entries.values()))
                layout = home_dashboard(
                    devices,
                    entities,
                    language=language,
                    note=speed_note(options.speed, meter_poll, language),
                    solar_note=solar_charge_note(options.speed, language),
                )
                dashboard = await provision.create_dashboard(ws, layout)
                long_lived = await provision.long_lived_token(ws)

        self.state = DemoState(
            url=url,
            username=DEMO_USERNAME,
            password=options.site.password,
            token=long_lived,
            ha_config=str(paths.config),
            ha_log=log,
            entries=entries,
            dashboards={
                "home": dashboard,
                "solar_charge": provision.dashboard_view(SOLAR_CHARGE_VIEW),
                "energy": "/energy",
            },
            virtual_home=startup,
            pids={"virtual_home": home.process.pid, "home_assistant": hass.process.pid},
            language=language,
        )
        write_state(paths.state, self.state)
        progress(f"ready in {time.monotonic() - started:.0f} s")
        return self.state

    async def _add_entries(self, api: RestApi, startup: dict[str, Any]) -> dict[str, str]:
        entries: dict[str, str] = {}
        progress("adding the smart meter (B-route) through the config flow (joining takes a few seconds)")
        meter = await provision.add_meter_entry(
            api, startup["dongle"]["tcp"], startup["b_route"]["id"], startup["b_route"]["password"]
        )
        if meter is None:
            progress("this version of the integration has no B-route step; the grid comes from the distribution board")
        else:
            entries["broute"] = meter
        progress("adding the ECHONET Lite network (loopback) through the config flow")
        entries["lan"] = await provision.add_lan_entry(api)
        return entries

    async def _scale_meter_poll(self, api: RestApi, meter_entry: str | None) -> int | None:
        """The meter's poll interval scaled to the demo's speed (None: left at its default)."""
        if meter_entry is None:
            return None
        seconds = await provision.scale_meter_poll(api, meter_entry, self.options.speed)
        if seconds is not None:
            progress(f"the smart meter is read every {seconds} s (its options flow; {self.options.speed:g}x time)")
        return seconds

    async def _wait_for_energy(self, ws: WebSocketApi, meter_entry: str | None) -> tuple[list[Entity], EnergySelection]:
        """Until grid, solar and battery counters all exist and have readings."""
        step = "waiting for the integration's energy sensors"
        started = time.monotonic()
        deadline = started + READINGS_TIMEOUT
        while True:
            entities = await provision.integration_entities(ws, step)
            # The grid is the meter's sensors, whose simulated past is imported like the PV's and the battery's:
            # Home Assistant prices a grid source with the Home energy entry's price entity only when the source is
            # a sensor, not the meter's own external statistics (which a real home may pick instead, without cost).
            selection = select_energy(entities, meter_entry)
            by_id = {entity.entity_id: entity for entity in entities}
            complete = selection.grid_import and selection.solar and selection.batteries
            read = all(by_id[stat].numeric_state is not None for stat in selection.statistic_ids if stat in by_id)
            if complete and read:
                return entities, selection
            if time.monotonic() > deadline:
                raise DemoError(
                    step,
                    f"after {READINGS_TIMEOUT:.0f} s: grid {selection.grid_import}, solar {selection.solar}, "
                    f"batteries {selection.batteries} ({len(entities)} entities)",
                    str(self.paths.ha_log),
                )
            await asyncio.sleep(2.0)

    async def _import_history(
        self, ws: WebSocketApi, selection: EnergySelection, entities: list[Entity], history: HourlyEnergy
    ) -> list[str]:
        if not history.hours:
            return []
        return await provision.import_demo_history(ws, selection, entities, history)

    async def _set_up_home_energy(
        self, api: RestApi, ws: WebSocketApi, selection: EnergySelection, imported: list[str], history: HourlyEnergy
    ) -> tuple[str, list[Entity]]:
        """After the import (the entry learns its PV outlook from complete past days when it is set up): the entry,
        then the Energy dashboard again with its prices and forecast. The entry id and every entity."""
        learned_from = await self._wait_for_imported_day(ws, selection, imported, history)
        entry_id = await self._add_home_energy(api)
        entities, links = await self._wait_for_home_energy(ws, entry_id, learned_from)
        await ws.command(
            "pricing the Energy dashboard (Home energy prices and PV forecast)",
            "energy/save_prefs",
            **energy_prefs(selection, links),
        )
        return entry_id, entities

    async def _wait_for_imported_day(
        self, ws: WebSocketApi, selection: EnergySelection, imported: list[str], history: HourlyEnergy
    ) -> date | None:
        """The last complete past day of the imported PV statistics, once the recorder holds it (None: no such day,
        e.g. with --history-days 1, so no PV forecast)."""
        days = complete_days(history.hours)
        pv = [statistic for statistic in selection.solar if statistic in imported]
        if not days or not pv:
            progress("no complete past day of PV history (Japan time): the PV forecast stays unknown")
            return None
        await provision.wait_for_day_of_statistics(ws, pv, days[-1], IMPORT_TIMEOUT)
        return days[-1]

    async def _add_home_energy(self, api: RestApi) -> str:
        choices = provision.HOME_ENERGY_CHOICES
        progress(f"adding Home energy through the config flow ({choices['contract']}, {choices['tariff']})")
        return await provision.add_home_energy_entry(api, choices)

    async def _wait_for_home_energy(
        self, ws: WebSocketApi, entry_id: str, learned_from: date | None
    ) -> tuple[list[Entity], HomeEnergyLinks]:
        """Until the entry's prices and cost have values and, when a complete past day exists, its PV forecast."""
        step = "waiting for the Home energy sensors"
        deadline = time.monotonic() + HOME_ENERGY_TIMEOUT
        while True:
            entities = await provision.integration_entities(ws, step)
            by_key = home_energy_entities(entity for entity in entities if entity.config_entry_id == entry_id)
            missing = home_energy_missing(by_key, forecast_expected=learned_from is not None)
            if not missing:
                break
            if time.monotonic() > deadline:
                detail = ", ".join(f"{key}: {state}" for key, state in missing.items())
                raise DemoError(step, f"after {HOME_ENERGY_TIMEOUT:.0f} s: {detail}", str(self.paths.ha_log))
            await asyncio.sleep(2.0)
        forecast = by_key.get("pv_forecast_tomorrow")
        self.pv_forecast = PVForecastNote(forecast.numeric_state if forecast else None, learned_from)
        progress(self.pv_forecast.text())
        return entities, home_energy_links(entry_id, entities)

    async def stop(self) -> None:
        """The demo's token is revoked; Home Assistant stops first (it disconnects from the devices), then the virtual
        home; then state.json goes (it would point scripts at dead processes)."""
        if self.state is not None:
            await self._revoke_token(self.state)
        for child in reversed(self.children):
            if child.alive:
                progress(f"stopping {child.name}")
            await child.stop()
        self.children.clear()
        remove_state(self.paths.state)
        self.state = None

    async def _revoke_token(self, state: DemoState) -> None:
        """Delete the long-lived token printed in the banner, while Home Assistant still runs; confirmed by logging
        in with it again, which must be refused. A failure is reported and does not stop the stop."""
        try:
            async with asyncio.timeout(REVOKE_TIMEOUT):
                with contextlib.suppress(DemoError):  # HA may close the connection before the result (see provision)
                    async with self.connect(state.url, state.token, state.ha_log) as ws:
                        await provision.revoke_token(ws, state.token)
                async with self.connect(state.url, state.token, state.ha_log):
                    progress("WARNING: the demo's access token could not be revoked")
                    return
        except DemoError as err:
            if "authentication refused" in str(err):
                progress("revoked the demo's access token")
                return
            progress(f"WARNING: the demo's access token could not be revoked: {err}")
        except TimeoutError:
            progress("WARNING: the demo's access token could not be revoked: Home Assistant did not answer")


HOME_ENERGY_READY_KEYS = ("price_now", "sell_price_now", "cost_today")


def home_energy_missing(by_key: Mapping[str, Entity], *, forecast_expected: bool) -> dict[str, str]:
    """The Home energy sensors the demo needs that have no number yet (key → their state or "absent")."""
    keys = [*HOME_ENERGY_READY_KEYS, *(["pv_forecast_tomorrow"] if forecast_expected else [])]
    missing = {}
    for key in keys:
        entity = by_key.get(key)
        if entity is None or entity.numeric_state is None:
            state = "absent" if entity is None else f"{entity.state} {dict(entity.attributes).get('status', '')}"
            missing[key] = state.strip()
    return missing


@dataclass(frozen=True, slots=True)
class PVForecastNote:
    """Tomorrow's PV forecast of the Home energy entry and the past day it learned from."""

    tomorrow_kwh: float | None
    learned_from: date | None

    def text(self) -> str:
        """One line for the progress output and the banner."""
        if self.tomorrow_kwh is None or self.learned_from is None:
            return (
                "PV forecast: unknown (it learns from a complete past day in Japan time; "
                f"--history-days {DEFAULT_HISTORY_DAYS} or more gives one)"
            )
        return (
            f"PV forecast tomorrow: {self.tomorrow_kwh:.1f} kWh (Home energy, learned from the simulated "
            f"{self.learned_from.isoformat()})"
        )


def energy_day_note(now: datetime, history_days: int) -> str:
    """Where the Energy dashboard shows the imported past: it pages by calendar day (the home's, Japan time)."""
    local = now.astimezone(JST)
    hours_today = local.hour  # complete hours since midnight; the current one is Home Assistant's to compile
    if hours_today >= 24 * history_days:
        return "Energy: today shows the imported simulated past."
    if hours_today == 0:
        return (
            "Energy: it is just after midnight in Japan, so 'today' is still empty; "
            "the imported simulated past is under 'yesterday' (press < beside the date)."
        )
    return (
        f"Energy: 'today' shows the last {hours_today} imported hour(s) (since midnight, Japan time); "
        "the rest of the simulated past is under 'yesterday' (press < beside the date)."
    )


def banner(
    state: DemoState,
    errors: list[str],
    *,
    check: bool = False,
    energy_note: str = "",
    forecast_note: str = "",
    solar_note: str = "",
) -> str:
    """What the user needs, printed once everything is ready."""
    solar_view = state.dashboards.get("solar_charge")
    lines = [
        "",
        "=" * 78,
        f"  Home Assistant demo ready: {state.url}",
        f"  Login: {state.username} / {state.password}",
        f"  Home dashboard: {state.url}{state.dashboards['home']}   Energy: {state.url}/energy",
        *([f"  {energy_note}"] if energy_note else []),
        *([f"  {forecast_note}"] if forecast_note else []),
        *([f"  Solar charge (control on): {state.url}{solar_view}"] if solar_view else []),
        *textwrap.wrap(solar_note, width=76, initial_indent="  ", subsequent_indent="  "),
        f"  Long-lived access token (also in .demo/state.json):\n  {state.token}",
        f"  Home Assistant log: {state.ha_log}",
        "  The browser check runs now; the demo stops by itself when it is done."
        if check
        else "  Press Ctrl-C to stop.",
        "=" * 78,
    ]
    if errors:
        lines.insert(-1, f"  WARNING: the Home Assistant log has {len(errors)} error line(s), e.g.: {errors[0][:200]}")
    return "\n".join(lines) + "\n"


async def run(options: DemoOptions, check: Callable[[DemoState, Path], Awaitable[None]] | None) -> int:
    """Start, then wait for Ctrl-C / SIGTERM (or run `check`); always stop. The exit status."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    demo = Demo(options)
    status = 0
    try:
        work = asyncio.create_task(_work(demo, options, check))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if work in done:
            status = work.result()
        else:
            progress("stopping (signal received)")
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, DemoError):
                await work
            # Stopping the demo is its normal end; an interrupted check has not passed.
            status = 130 if check is not None else 0
        stopper.cancel()
    except DemoError as err:
        sys.stderr.write(f"demo: {err}\n")
        status = 1
    finally:
        await demo.stop()
    return status


async def _work(demo: Demo, options: DemoOptions, check: Callable[[DemoState, Path], Awaitable[None]] | None) -> int:
    state = await demo.start()
    errors = log_errors(demo.paths.ha_log)
    note = energy_day_note(datetime.now(JST), options.history_days)
    forecast = demo.pv_forecast.text() if demo.pv_forecast is not None else ""
    solar_note = solar_charge_note(options.speed, options.site.language) or ""
    sys.stdout.write(
        banner(state, errors, check=check is not None, energy_note=note, forecast_note=forecast, solar_note=solar_note)
    )
    sys.stdout.flush()
    if check is None:
        await _until_a_child_exits(demo)  # or, normally, until the signal handler stops the demo
        return 1
    _fail_on_log_errors(demo)
    await check(state, options.screenshots)
    _fail_on_log_errors(demo)
    progress("check passed")
    return 0


async def _until_a_child_exits(demo: Demo) -> None:
    """Report a child that dies while the demo runs (the demo cannot work without either)."""
    waits = {asyncio.create_task(child.process.wait()): child for child in demo.children}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    child = waits[next(iter(done))]
    raise DemoError(f"running {child.name}", f"it exited with code {child.process.returncode}", str(child.log))


def _fail_on_log_errors(demo: Demo) -> None:
    errors = log_errors(demo.paths.ha_log)
    if errors:
        detail = f"{len(errors)} error line(s), the first: {errors[0][:300]}"
        raise DemoError("checking the Home Assistant log", detail, str(demo.paths.ha_log))
