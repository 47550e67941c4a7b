"""Config flow: a menu of entry kinds (ECHONET Lite network, smart meter over B-route), reauth, reconfigure, options.

The smart meter step really joins the meter (scan, PANA) and reads its identity before it creates the entry: the
entry's unique id is the meter's hardware identity (EUI-64), never the B-route ID, which is a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
import logging
from typing import Any, Final

from homeassistant.components import usb
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from serial.tools import list_ports
import voluptuous as vol

from .const import (
    CONF_ADDRESSES,
    CONF_CONTRACT,
    CONF_INTERFACE,
    CONF_KIND,
    CONF_PAN,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    CONF_SCAN_INTERVAL,
    CONF_TARIFF,
    DOMAIN,
    HOME_ENERGY_UNIQUE_ID,
    METER_POLL_MAX_SECONDS,
    METER_POLL_MIN_SECONDS,
    METER_POLL_SECONDS,
    SEARCH_WINDOW,
    EntryKind,
)
from .device_info import manufacturer_label
from .endpoint import async_acquire_endpoint
from .ha_compat import ReloadingOptionsFlow
from .home_energy_flow import (
    HomeEnergyOptionsFlow,
    default_options,
    entry_schema,
    solar_charge_errors,
    solar_charge_schema,
)
from .interfaces import NetworkInterface, async_network_interfaces, async_resolve_interface
from .lib.broute.credentials import InvalidCredentialsError
from .lib.broute.meter import SmartMeterClient
from .lib.broute.readings import MeterIdentity
from .lib.broute.session import BRouteSession, MeterBusyError, MeterNotFoundError, PanInfo
from .lib.echonet.discovery import Discovery, Node
from .lib.errors import AuthError, HemsError, TransportError
from .meter_coordinator import pan_to_data

_LOGGER = logging.getLogger(__name__)


class InvalidAddressError(ValueError):
    """A manually given address is not the IPv4 unicast address of a device."""


# 0.0.0.0/8 ("this network") and 240.0.0.0/4 (reserved, with the limited broadcast 255.255.255.255) are never a device.
_NEVER_A_DEVICE = (ipaddress.IPv4Network("0.0.0.0/8"), ipaddress.IPv4Network("240.0.0.0/4"))


def parse_addresses(text: str, network: ipaddress.IPv4Network | None = None) -> list[str]:
    """Comma-separated IPv4 unicast addresses → a list without duplicates; `InvalidAddressError` otherwise.

    Refused: multicast, "this network" (0.x.x.x), reserved (240.0.0.0/4, broadcast included) and, when the adapter's
    `network` is known, its network and broadcast addresses (a request sent there reaches every device or none).
    """
    addresses: list[str] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            address = ipaddress.IPv4Address(item)
        except ValueError as err:
            raise InvalidAddressError(item) from err
        if address.is_multicast or any(address in block for block in _NEVER_A_DEVICE):
            raise InvalidAddressError(item)
        if (
            network is not None
            and network.prefixlen < 31
            and address in (network.network_address, network.broadcast_address)
        ):
            raise InvalidAddressError(item)
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses


async def _async_network_of(hass: HomeAssistant, interface: str) -> ipaddress.IPv4Network | None:
    resolved = await async_resolve_interface(hass, interface)
    return resolved.network if resolved is not None else None


async def _async_interfaces(hass: HomeAssistant) -> list[SelectOptionDict]:
    """HA's enabled network adapters with an IPv4 address, as selector options (value: the adapter's name)."""
    return [
        SelectOptionDict(value=interface.name, label=interface.label)
        for interface in await async_network_interfaces(hass)
    ]


async def async_search(hass: HomeAssistant, interface: NetworkInterface, addresses: list[str]) -> tuple[Node, ...]:
    """Search on `interface` (multicast + `addresses`) through the integration's shared endpoint.

    Never a socket of its own: a second socket on UDP 3610 would take the answers of the running entries. Raises
    `TransportError` when UDP 3610 cannot be opened.
    """
    lease = await async_acquire_endpoint(hass, interface.address)
    try:
        discovery = Discovery(lease.client, window=SEARCH_WINDOW, interface=interface.address)
        result = await discovery.search(addresses)
    finally:
        await lease.async_release()
    return result.nodes


def describe_nodes(nodes: tuple[Node, ...]) -> str:
    """One Markdown line per node: maker, product code, address and its objects."""
    lines = []
    for node in sorted(nodes, key=lambda node: node.address):
        objects = ", ".join(str(info.eoj) for info in node.objects)
        product = node.identity.product_code or "?"
        lines.append(f"- {manufacturer_label(node.identity.manufacturer_code)} {product} ({node.address}): {objects}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class JoinedMeter:
    """What a successful trial join learnt: who the meter is and where its PAN is."""

    identity: MeterIdentity
    pan: PanInfo


class MeterFlowError(Exception):
    """A trial join failed; `field` and `key` are the form's error (field "base" for the whole form)."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(key)
        self.field = field
        self.key = key


# What the port field accepts: a device path, or serialx's TCP (raw) and RFC 2217 URLs. serialx knows other schemes
# too; they are neither documented nor tested here.
PORT_SCHEMES: Final = ("/", "socket://", "rfc2217://")


async def async_join_meter(port: str, route_b_id: str, password: str) -> JoinedMeter:
    """Join the meter through the dongle at `port`, read its identity, end the session; `MeterFlowError` otherwise."""
    if not port.startswith(PORT_SCHEMES):
        raise MeterFlowError(CONF_PORT, "invalid_port")
    try:
        session = BRouteSession(port, route_b_id, password)
    except InvalidCredentialsError as err:
        field = CONF_ROUTE_B_ID if err.which == "route_b_id" else CONF_ROUTE_B_PASSWORD
        raise MeterFlowError(field, f"invalid_{err.which}") from err
    meter = SmartMeterClient(session)
    try:
        await session.start()
        identity = await meter.identity()
    except AuthError as err:  # PANA answered and refused: the password (the ID only selects the meter)
        raise MeterFlowError(CONF_ROUTE_B_PASSWORD, "invalid_auth") from err
    except MeterNotFoundError as err:
        raise MeterFlowError(CONF_ROUTE_B_ID, "meter_not_found") from err
    except MeterBusyError as err:
        raise MeterFlowError("base", "meter_busy") from err
    except HemsError as err:
        _LOGGER.debug("trial join through %s failed: %s", port, err)
        raise MeterFlowError(CONF_PORT, "cannot_connect") from err
    except Exception as err:
        _LOGGER.exception("Unexpected error joining the smart meter")
        raise MeterFlowError("base", "unknown") from err
    finally:
        await meter.close()
        await session.close()
    pan = session.pan
    if pan is None:  # pragma: no cover - a joined session always knows its PAN
        raise MeterFlowError("base", "unknown")
    return JoinedMeter(identity, pan)


async def _async_serial_ports(hass: HomeAssistant) -> list[SelectOptionDict]:
    """Serial ports from HA's USB scan, by their stable /dev/serial/by-id path where one exists."""
    ports = await hass.async_add_executor_job(list_ports.comports)
    options: list[SelectOptionDict] = []
    for port in ports:
        path = await hass.async_add_executor_job(usb.get_serial_by_id, port.device)
        label = usb.human_readable_device_name(
            port.device, port.serial_number, port.manufacturer, port.description, port.vid, port.pid
        )
        options.append(SelectOptionDict(value=path, label=label))
    return options


def _meter_title(identity: MeterIdentity) -> str:
    return f"Smart meter ({manufacturer_label(identity.manufacturer_code)})"


PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


class EchonetHemsConfigFlow(ConfigFlow, domain=DOMAIN):
    """One domain, a menu of entry kinds."""

    VERSION = 1
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Remember what the search found between the LAN step and the confirmation."""
        self._interface = ""
        self._addresses: list[str] = []
        self._found: tuple[Node, ...] = ()
        self._home_energy_options: dict[str, Any] = {}  # contract, tariff and defaults, until solar charge's step

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry[Any]) -> OptionsFlow:
        """Options: extra addresses to probe by unicast (LAN), the poll interval (smart meter)."""
        if config_entry.data.get(CONF_KIND) == EntryKind.BROUTE:
            return SmartMeterOptionsFlow()
        if config_entry.data.get(CONF_KIND) == EntryKind.HOME_ENERGY:
            return HomeEnergyOptionsFlow()
        return EchonetHemsOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The menu of entry kinds."""
        return self.async_show_menu(
            step_id="user",
            menu_options=[EntryKind.LAN.value, EntryKind.BROUTE.value, EntryKind.HOME_ENERGY.value],
        )

    async def async_step_home_energy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The house balance, tariff and forecasts: one entry per Home Assistant, built on the other entries."""
        await self.async_set_unique_id(HOME_ENERGY_UNIQUE_ID)
        self._abort_if_unique_id_configured()
        if user_input is None:
            return self.async_show_form(step_id="home_energy", data_schema=entry_schema(self.hass))
        self._home_energy_options = default_options(self.hass, user_input[CONF_CONTRACT], user_input[CONF_TARIFF])
        return await self.async_step_solar_charge()

    async def async_step_solar_charge(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Solar charge's devices (those the LAN entries found, with what each lets us set), the battery and hot-water
        reserves and the car's usual day; control stays off until the user turns on the Solar charge switch."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = solar_charge_errors(user_input)
            if not errors:
                return self.async_create_entry(
                    title="Home energy",
                    data={CONF_KIND: EntryKind.HOME_ENERGY.value},
                    options={**self._home_energy_options, **user_input},
                )
        schema = await solar_charge_schema(self.hass, self._home_energy_options)
        return self.async_show_form(step_id="solar_charge", data_schema=schema, errors=errors)

    # ------------------------------------------------------------------------------------------ smart meter
    async def _async_meter_form(
        self, step_id: str, user_input: dict[str, Any] | None, fields: tuple[str, ...], defaults: Mapping[str, Any]
    ) -> tuple[ConfigFlowResult | None, JoinedMeter | None]:
        """Show `fields` (a subset of port, ID, password) or join with them; (form, None) or (None, joined)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            values = {**defaults, **user_input}
            port = str(values[CONF_PORT]).strip()
            try:
                joined = await self._async_join_free_port(port, values[CONF_ROUTE_B_ID], values[CONF_ROUTE_B_PASSWORD])
            except MeterFlowError as err:
                errors[err.field] = err.key
            else:
                return None, joined
            defaults = {**values, CONF_ROUTE_B_PASSWORD: ""}
        schema: dict[vol.Marker, Any] = {}
        if CONF_PORT in fields:
            ports = await _async_serial_ports(self.hass)
            schema[vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, vol.UNDEFINED))] = SelectSelector(
                SelectSelectorConfig(options=ports, mode=SelectSelectorMode.DROPDOWN, custom_value=True)
            )
        if CONF_ROUTE_B_ID in fields:
            schema[vol.Required(CONF_ROUTE_B_ID, default=defaults.get(CONF_ROUTE_B_ID, vol.UNDEFINED))] = TextSelector()
        if CONF_ROUTE_B_PASSWORD in fields:
            schema[vol.Required(CONF_ROUTE_B_PASSWORD)] = PASSWORD_SELECTOR
        form = self.async_show_form(step_id=step_id, data_schema=vol.Schema(schema), errors=errors)
        return form, None

    async def _async_join_free_port(self, port: str, route_b_id: str, password: str) -> JoinedMeter:
        """Join the meter, unless another entry's session holds the dongle: opening it would knock that session off
        (and a wrong password tried there would keep it off), so that is refused before any I/O."""
        if self._port_of_another_entry(port):
            raise MeterFlowError(CONF_PORT, "port_used_by_entry")
        return await async_join_meter(port, route_b_id, password)

    def _port_of_another_entry(self, port: str) -> bool:
        """Whether a meter entry other than the one this flow re-authenticates or reconfigures uses `port`."""
        own = None
        if self.source == SOURCE_REAUTH:
            own = self._get_reauth_entry().entry_id
        elif self.source == SOURCE_RECONFIGURE:
            own = self._get_reconfigure_entry().entry_id
        return any(
            str(entry.data.get(CONF_PORT, "")).strip() == port
            for entry in self._async_current_entries(include_ignore=False)
            if entry.entry_id != own and entry.data.get(CONF_KIND) == EntryKind.BROUTE
        )

    @staticmethod
    def _meter_data(values: Mapping[str, Any], joined: JoinedMeter) -> dict[str, Any]:
        data: dict[str, Any] = {
            CONF_KIND: EntryKind.BROUTE.value,
            CONF_PORT: str(values[CONF_PORT]).strip(),
            CONF_ROUTE_B_ID: str(values[CONF_ROUTE_B_ID]).strip(),
            CONF_ROUTE_B_PASSWORD: str(values[CONF_ROUTE_B_PASSWORD]).strip(),
        }
        data[CONF_PAN] = pan_to_data(joined.pan)
        return data

    async def async_step_broute(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The dongle's port and the B-route credentials; the meter is joined before the entry exists."""
        fields = (CONF_PORT, CONF_ROUTE_B_ID, CONF_ROUTE_B_PASSWORD)
        form, joined = await self._async_meter_form("broute", user_input, fields, {})
        if joined is None or user_input is None:
            assert form is not None
            return form
        await self.async_set_unique_id(joined.identity.stable_id)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=_meter_title(joined.identity), data=self._meter_data(user_input, joined))

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The meter rejected the password (or the ID changed): ask for both again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """New B-route ID and password, tried on the entry's port before they are saved."""
        entry = self._get_reauth_entry()
        defaults = {CONF_PORT: entry.data[CONF_PORT], CONF_ROUTE_B_ID: entry.data[CONF_ROUTE_B_ID]}
        fields = (CONF_ROUTE_B_ID, CONF_ROUTE_B_PASSWORD)
        return await self._async_update_meter_entry(entry, "reauth_confirm", user_input, fields, defaults)

    async def async_step_reconfigure_meter(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Another port for the dongle (a new dongle, another USB socket, a network serial server)."""
        entry = self._get_reconfigure_entry()
        return await self._async_update_meter_entry(
            entry, "reconfigure_meter", user_input, (CONF_PORT,), dict(entry.data)
        )

    async def _async_update_meter_entry(
        self,
        entry: ConfigEntry[Any],
        step_id: str,
        user_input: dict[str, Any] | None,
        fields: tuple[str, ...],
        defaults: Mapping[str, Any],
    ) -> ConfigFlowResult:
        """Show `fields`, join with them, and save them to `entry` if the same meter answered."""
        form, joined = await self._async_meter_form(step_id, user_input, fields, defaults)
        if joined is None or user_input is None:
            assert form is not None
            return form
        await self.async_set_unique_id(joined.identity.stable_id)
        self._abort_if_unique_id_mismatch(reason="wrong_meter")
        return self.async_update_reload_and_abort(entry, data=self._meter_data({**defaults, **user_input}, joined))

    # -------------------------------------------------------------------------------------- ECHONET network

    async def _async_lan_form(
        self, step_id: str, user_input: dict[str, Any] | None, defaults: Mapping[str, Any]
    ) -> ConfigFlowResult | None:
        """Validate the interface/addresses form and search; the form to show again, or None when nodes were found."""
        interfaces = await _async_interfaces(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            self._interface = user_input[CONF_INTERFACE]
            errors = await self._async_search_lan(user_input.get(CONF_ADDRESSES, ""))
            if not errors:
                return None
            defaults = user_input
        schema = vol.Schema(
            {
                vol.Required(CONF_INTERFACE, default=defaults.get(CONF_INTERFACE, vol.UNDEFINED)): SelectSelector(
                    SelectSelectorConfig(options=interfaces, mode=SelectSelectorMode.DROPDOWN, custom_value=False)
                ),
                vol.Optional(CONF_ADDRESSES, default=defaults.get(CONF_ADDRESSES, "")): TextSelector(),
            }
        )
        return self.async_show_form(step_id=step_id, data_schema=schema, errors=errors)

    async def _async_search_lan(self, addresses_text: str) -> dict[str, str]:
        """Validate the addresses and search on the chosen adapter; the form's errors (none when nodes were found)."""
        resolved = await async_resolve_interface(self.hass, self._interface)
        if resolved is None:  # the adapter lost its address (or vanished) while the form was open
            return {CONF_INTERFACE: "interface_unavailable"}
        try:
            self._addresses = parse_addresses(addresses_text, resolved.network)
        except InvalidAddressError:
            return {CONF_ADDRESSES: "invalid_address"}
        try:
            self._found = await async_search(self.hass, resolved, self._addresses)
        except TransportError:
            return {"base": "port_in_use"}
        return {} if self._found else {"base": "no_devices"}

    async def async_step_lan(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the interface and optional manual addresses, then search."""
        if user_input is not None:
            await self.async_set_unique_id(user_input[CONF_INTERFACE])
            self._abort_if_unique_id_configured()
        elif not await _async_interfaces(self.hass):
            return self.async_abort(reason="no_interfaces")
        form = await self._async_lan_form("lan", user_input, {})
        if form is not None:
            return form
        return await self.async_step_lan_confirm()

    async def async_step_lan_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show what was found; create the hub entry for the interface."""
        if user_input is None:
            return self.async_show_form(
                step_id="lan_confirm",
                description_placeholders={
                    "interface": self._interface,
                    "count": str(len(self._found)),
                    "devices": describe_nodes(self._found),
                },
            )
        return self.async_create_entry(
            title=f"ECHONET Lite ({self._interface})",
            data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: self._interface, CONF_ADDRESSES: self._addresses},
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Another interface or other manual addresses; searched again before the entry changes."""
        entry = self._get_reconfigure_entry()
        if entry.data.get(CONF_KIND) == EntryKind.BROUTE:
            return await self.async_step_reconfigure_meter()
        if entry.data.get(CONF_KIND) == EntryKind.HOME_ENERGY:
            return self.async_abort(reason="home_energy_use_options")  # it has no connection: its settings are options
        if user_input is not None:
            await self.async_set_unique_id(user_input[CONF_INTERFACE])
            if user_input[CONF_INTERFACE] != entry.unique_id:
                self._abort_if_unique_id_configured()
        defaults = {
            CONF_INTERFACE: entry.data[CONF_INTERFACE],
            CONF_ADDRESSES: ", ".join(entry.data.get(CONF_ADDRESSES, [])),
        }
        form = await self._async_lan_form("reconfigure", user_input, defaults)
        if form is not None:
            return form
        return self.async_update_reload_and_abort(
            entry,
            unique_id=self._interface,
            title=f"ECHONET Lite ({self._interface})",
            data_updates={CONF_INTERFACE: self._interface, CONF_ADDRESSES: self._addresses},
        )


class EchonetHemsOptionsFlow(ReloadingOptionsFlow):
    """Extra addresses for networks where multicast does not arrive."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Comma-separated IPv4 addresses."""
        errors: dict[str, str] = {}
        current = ", ".join(self.config_entry.options.get(CONF_ADDRESSES, []))
        if user_input is not None:
            try:
                network = await _async_network_of(self.hass, self.config_entry.data.get(CONF_INTERFACE, ""))
                addresses = parse_addresses(user_input.get(CONF_ADDRESSES, ""), network)
            except InvalidAddressError:
                errors[CONF_ADDRESSES] = "invalid_address"
            else:
                return self.async_create_entry(data={CONF_ADDRESSES: addresses})
            current = user_input.get(CONF_ADDRESSES, "")
        schema = vol.Schema({vol.Optional(CONF_ADDRESSES, default=current): TextSelector()})
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)


class SmartMeterOptionsFlow(ReloadingOptionsFlow):
    """How often power and currents are read (each read is a radio transmission, limited per hour by ARIB)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The meter's own options step (its own title and texts)."""
        return await self.async_step_meter(user_input)

    async def async_step_meter(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The poll interval in seconds."""
        if user_input is not None:
            return self.async_create_entry(data={CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL])})
        current = self.config_entry.options.get(CONF_SCAN_INTERVAL, METER_POLL_SECONDS)
        selector = NumberSelector(
            NumberSelectorConfig(
                min=METER_POLL_MIN_SECONDS,
                max=METER_POLL_MAX_SECONDS,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement="s",
            )
        )
        schema = vol.Schema({vol.Required(CONF_SCAN_INTERVAL, default=current): selector})
        return self.async_show_form(step_id="meter", data_schema=schema)
