"""The Home Assistant side of the `flow_*` and `actions` targets: entries to work on, and one feed per target that
submits a generated input through the real flow or action and says how it was answered.

Fine answers: the input accepted (entry created or options saved), a form shown again with a translated error, an
abort with a translated reason, a schema refusal (`vol.Invalid`, Home Assistant's `InvalidData`), a
`ServiceValidationError`/`HomeAssistantError` with a translation key of ours (or of Home Assistant's own). Anything else
raised is a crash (the harness records it); so is an untranslated error key, an entry created without a device that
answered, or an entry not loaded afterwards. A created entry is removed again, so the next input starts afresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
import datetime as dt
import json
from pathlib import Path
import socket
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlowContext
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, UnknownFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]
import voluptuous as vol

from custom_components.echonet_hems.const import (
    CONF_KIND,
    CONF_PAN,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    DOMAIN,
    EntryKind,
)

from .flow_inputs import (
    CLOSED_PORT,
    DONGLE_PORT,
    FLOW_HOME_ENERGY,
    FLOW_LAN,
    FLOW_METER,
    HOME_ADDRESS,
    ROUTE_B_ID,
    ROUTE_B_PASSWORD,
    ActionCall,
    FlowInput,
    FromNow,
)
from .harness import Case

TRANSLATIONS: Final = Path(__file__).parents[2] / "custom_components" / "echonet_hems" / "translations" / "en.json"
METER_PORT_IN_USE: Final = "/dev/ttyFUZZ0"  # the port of the meter entry the flows see (never opened)


def _translations() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True, slots=True)
class Keys:
    """The translation keys a flow or an action may answer with."""

    config_errors: frozenset[str]
    config_aborts: frozenset[str]
    options_errors: frozenset[str]
    options_aborts: frozenset[str]
    exceptions: frozenset[str]

    @classmethod
    def load(cls) -> Keys:
        """From translations/en.json."""
        doc = _translations()
        return cls(
            config_errors=frozenset(doc["config"].get("error", {})),
            config_aborts=frozenset(doc["config"].get("abort", {})),
            options_errors=frozenset(doc["options"].get("error", {})),
            options_aborts=frozenset(doc["options"].get("abort", {})),
            exceptions=frozenset(doc["exceptions"]),
        )


def refusing_port() -> socket.socket:
    """A TCP socket bound on loopback and never listening: a connection to its port is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def meter_entry() -> MockConfigEntry:
    """A meter entry the flows must respect (its port is refused to a new flow); never set up. Its credentials are
    the rig's meter's, so a reconfigure to the rig's dongle joins and is then refused as another meter."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Smart meter (fuzz)",
        unique_id="00:11:22:33:44:55:66:77",
        data={
            CONF_KIND: EntryKind.BROUTE.value,
            CONF_PORT: METER_PORT_IN_USE,
            CONF_ROUTE_B_ID: ROUTE_B_ID,
            CONF_ROUTE_B_PASSWORD: ROUTE_B_PASSWORD,
            CONF_PAN: {"channel": 33, "pan_id": 0x1234, "mac": "0011223344556677"},
        },
        version=1,
        minor_version=2,
    )


@dataclass
class Reachable:
    """The rig's working devices: the virtual dongle's URL and the virtual ECHONET Lite node (switched on and off
    per input); None where the target has none."""

    dongle_url: str | None = None
    node_address: str | None = None
    set_node_up: Callable[[bool], Awaitable[None]] | None = None


class FlowRig:
    """One feed per target over a running Home Assistant."""

    def __init__(self, hass: HomeAssistant, closed_port: int) -> None:
        self.hass = hass
        self.closed_port = closed_port
        self.keys = Keys.load()
        self.meter: MockConfigEntry | None = None
        self.energy: ConfigEntry[Any] | None = None
        self.reachable = Reachable()

    def feed(self, target: str) -> Callable[[Case], Awaitable[str | None]]:
        """The async feed of `target`."""
        feeds: dict[str, Callable[[FlowInput], Awaitable[str]]] = {
            FLOW_LAN: self.lan,
            FLOW_METER: self.meter_flow,
            FLOW_HOME_ENERGY: self.home_energy,
        }

        async def feed(case: Case) -> str:
            value = case.value
            if isinstance(value, ActionCall):
                return await self.action(value)
            assert isinstance(value, FlowInput)
            return await feeds[target](value)

        return feed

    # ----------------------------------------------------------------------------------------------- flows
    async def _config_flow(self, step: str, context: ConfigFlowContext, value: FlowInput) -> str:
        manager = self.hass.config_entries.flow
        result: FlowResult[Any, Any] = await manager.async_init(DOMAIN, context=context)
        if result["type"] is FlowResultType.MENU:
            result = await manager.async_configure(result["flow_id"], {"next_step_id": step})
        return await self._submit(manager, result, value, self.keys.config_errors, self.keys.config_aborts)

    async def _submit(
        self,
        manager: Any,
        result: FlowResult[Any, Any],
        value: FlowInput,
        errors: frozenset[str],
        aborts: frozenset[str],
    ) -> str:
        """Submit the input's form and follow-ups while the flow shows a form without errors; the outcome. The flow
        is aborted afterwards, whatever happened."""
        try:
            for submitted in (value.form, *value.follow_up):
                if result["type"] is not FlowResultType.FORM or result.get("errors"):
                    break
                try:
                    result = await manager.async_configure(result["flow_id"], self._resolve(submitted))
                except vol.Invalid as err:
                    return _invalid(err)
            return self._outcome(result, errors, aborts)
        finally:
            with suppress(UnknownFlow):
                manager.async_abort(result["flow_id"])

    async def lan(self, value: FlowInput) -> str:
        """The LAN flow's interface and manual addresses, searched for real; the rig's node answers when it is up."""
        if self.reachable.set_node_up is not None:
            await self.reachable.set_node_up(value.node_up)
        before = _entry_ids(self.hass)
        outcome = await self._config_flow("lan", ConfigFlowContext(source="user"), value)
        if outcome == "accepted":
            # No other rig's node is on loopback while this target runs (`ON_LOOPBACK_LAN` in the CLI): ours answers.
            _check(value.node_up, "a LAN entry was created though the rig's node was off the network")
            await self._check_and_remove_new_entry(before)
        _check(_entry_ids(self.hass) == before, "an entry appeared")
        return outcome

    async def meter_flow(self, value: FlowInput) -> str:
        """The meter flow's port, ID and password (or the reconfigure step's port): the rig's dongle joins with the
        right ones, nothing else can."""
        assert self.meter is not None
        if value.step == "reconfigure_meter":
            context = ConfigFlowContext(source="reconfigure", entry_id=self.meter.entry_id)
        else:
            context = ConfigFlowContext(source="user")
        before = _entry_ids(self.hass)
        outcome = await self._config_flow(value.step, context, value)
        if outcome == "accepted":
            _check(DONGLE_PORT in str(value.form.get(CONF_PORT)), "a meter entry was created though no meter answered")
            await self._check_and_remove_new_entry(before)
        _check(_entry_ids(self.hass) == before, "an entry appeared")
        _check(dict(self.meter.data)[CONF_PORT] == METER_PORT_IN_USE, "the meter entry was changed")
        return outcome

    async def _check_and_remove_new_entry(self, before: set[str]) -> None:
        """The entry the flow created must be loaded with at least one device; it is removed again afterwards."""
        await self.hass.async_block_till_done()
        created = [entry for entry in self.hass.config_entries.async_entries(DOMAIN) if entry.entry_id not in before]
        _check(len(created) == 1, f"{len(created)} entries created by one flow")
        entry = created[0]
        try:
            _check(entry.state is ConfigEntryState.LOADED, f"the new entry is {entry.state}")
            devices = dr.async_entries_for_config_entry(dr.async_get(self.hass), entry.entry_id)
            _check(bool(devices), "the new entry has no device")
        finally:
            await self.hass.config_entries.async_remove(entry.entry_id)
            await self.hass.async_block_till_done()

    async def home_energy(self, value: FlowInput) -> str:
        """The Home energy options: the menu, the settings form, the custom tariff and its preview, saving."""
        entry = self.energy
        assert entry is not None
        manager = self.hass.config_entries.options
        result: FlowResult[Any, Any] = await manager.async_init(entry.entry_id)
        result = await manager.async_configure(result["flow_id"], {"next_step_id": value.step})
        outcome = await self._submit(manager, result, value, self.keys.options_errors, self.keys.options_aborts)
        await self.hass.async_block_till_done()
        _check(entry.state is ConfigEntryState.LOADED, f"Home energy entry {entry.state} after {outcome}")
        return outcome

    @staticmethod
    def _outcome(result: FlowResult[Any, Any], errors: frozenset[str], aborts: frozenset[str]) -> str:
        kind = result["type"]
        if kind is FlowResultType.CREATE_ENTRY:
            return "accepted"
        if kind is FlowResultType.ABORT:
            reason = str(result["reason"])
            _check(reason in aborts, f"untranslated abort reason {reason}")
            return f"abort:{reason}"
        shown = result.get("errors") or {}
        if not shown:
            return f"form:{result.get('step_id')}"
        untranslated = set(shown.values()) - errors
        _check(not untranslated, f"untranslated form errors {untranslated}")
        return "error:" + ",".join(sorted(set(shown.values())))

    # --------------------------------------------------------------------------------------------- actions
    async def action(self, call: ActionCall) -> str:
        """One action with `return_response` as generated; the Home energy entry must stay loaded."""
        try:
            await self.hass.services.async_call(
                DOMAIN, call.action, self._resolve(call.data), blocking=True, return_response=call.return_response
            )
        except vol.Invalid as err:
            outcome = _invalid(err)
        except HomeAssistantError as err:
            key = err.translation_key
            _check(key is not None, f"{type(err).__name__} without a translation key: {err}")
            _check(err.translation_domain != DOMAIN or key in self.keys.exceptions, f"untranslated {key}")
            outcome = f"{type(err).__name__}:{key}"
        else:
            outcome = "accepted"
        await self.hass.async_block_till_done()
        assert self.energy is not None
        _check(self.energy.state is ConfigEntryState.LOADED, f"Home energy entry {self.energy.state}")
        return outcome

    # ----------------------------------------------------------------------------------------------- values
    def _resolve(self, data: dict[str, object]) -> dict[str, object]:
        """The generated form or action data with run-time values filled in (times from now, the refusing port)."""
        return {key: self._value(value) for key, value in data.items()}

    def _value(self, value: object) -> object:
        if isinstance(value, FromNow):
            when = dt_util.now() + dt.timedelta(seconds=value.seconds)
            if not value.aware:
                when = when.replace(tzinfo=None)
            return when.isoformat(sep=" ") if value.as_text else when
        if isinstance(value, str):
            value = value.replace(CLOSED_PORT, str(self.closed_port))
            if self.reachable.dongle_url is not None:
                value = value.replace(DONGLE_PORT, self.reachable.dongle_url)
            if self.reachable.node_address is not None:
                value = value.replace(HOME_ADDRESS, self.reachable.node_address)
        return value


def _entry_ids(hass: HomeAssistant) -> set[str]:
    return {entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)}


class FindingError(AssertionError):
    """An input was answered in a way it must not be (the harness counts it as a crash)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise FindingError(message)


def _invalid(err: vol.Invalid) -> str:
    """A schema refusal, by the first field it names."""
    return f"invalid:{err.path[0] if err.path else '-'}"
