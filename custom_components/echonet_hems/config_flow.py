"""Config flow: a menu of entry kinds (ECHONET Lite network for now), reconfigure, and options for extra addresses."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any

from homeassistant.components.network import async_get_adapters
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import voluptuous as vol

from .const import (
    CONF_ADDRESSES,
    CONF_INTERFACE,
    CONF_KIND,
    DOMAIN,
    REQUEST_RETRIES,
    REQUEST_TIMEOUT,
    SEARCH_WINDOW,
    EntryKind,
)
from .coordinator import EchonetLanConfigEntry
from .entity import manufacturer_label
from .lib.echonet.client import EchonetClient
from .lib.echonet.discovery import Discovery, Node
from .lib.errors import TransportError


class InvalidAddressError(ValueError):
    """A manually given address is not an IPv4 unicast address."""


def parse_addresses(text: str) -> list[str]:
    """Comma-separated IPv4 unicast addresses → a list without duplicates; `InvalidAddressError` otherwise."""
    addresses: list[str] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            address = ipaddress.IPv4Address(item)
        except ValueError as err:
            raise InvalidAddressError(item) from err
        if address.is_multicast or address.is_unspecified or address == ipaddress.IPv4Address("255.255.255.255"):
            raise InvalidAddressError(item)
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses


async def _async_interfaces(hass: HomeAssistant) -> list[SelectOptionDict]:
    """The IPv4 addresses of HA's enabled network adapters, as selector options."""
    options: list[SelectOptionDict] = []
    for adapter in await async_get_adapters(hass):
        if not adapter["enabled"]:
            continue
        options.extend(
            SelectOptionDict(value=ipv4["address"], label=f"{ipv4['address']} ({adapter['name']})")
            for ipv4 in adapter["ipv4"]
        )
    return options


async def async_search(interface: str, addresses: list[str]) -> tuple[Node, ...]:
    """Open a client on `interface`, search (multicast + `addresses`), close. `TransportError` when UDP 3610 fails."""
    client = EchonetClient(interface=interface, timeout=REQUEST_TIMEOUT, retries=REQUEST_RETRIES)
    await client.start()
    try:
        result = await Discovery(client, window=SEARCH_WINDOW).search(addresses)
    finally:
        await client.close()
    return result.nodes


def describe_nodes(nodes: tuple[Node, ...]) -> str:
    """One Markdown line per node: maker, product code, address and its objects."""
    lines = []
    for node in sorted(nodes, key=lambda node: node.address):
        objects = ", ".join(str(info.eoj) for info in node.objects)
        product = node.identity.product_code or "?"
        lines.append(f"- {manufacturer_label(node.identity.manufacturer_code)} {product} ({node.address}): {objects}")
    return "\n".join(lines)


class EchonetHemsConfigFlow(ConfigFlow, domain=DOMAIN):
    """One domain, a menu of entry kinds."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Remember what the search found between the LAN step and the confirmation."""
        self._interface = ""
        self._addresses: list[str] = []
        self._found: tuple[Node, ...] = ()

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: EchonetLanConfigEntry) -> EchonetHemsOptionsFlow:
        """Options: extra addresses to probe by unicast."""
        return EchonetHemsOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The menu; the smart meter (B-route) joins it as a second item."""
        return self.async_show_menu(step_id="user", menu_options=[EntryKind.LAN.value])

    async def _async_lan_form(
        self, step_id: str, user_input: dict[str, Any] | None, defaults: Mapping[str, Any]
    ) -> ConfigFlowResult | None:
        """Validate the interface/addresses form and search; the form to show again, or None when nodes were found."""
        interfaces = await _async_interfaces(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            self._interface = user_input[CONF_INTERFACE]
            try:
                self._addresses = parse_addresses(user_input.get(CONF_ADDRESSES, ""))
            except InvalidAddressError:
                errors[CONF_ADDRESSES] = "invalid_address"
            else:
                try:
                    self._found = await async_search(self._interface, self._addresses)
                except TransportError:
                    errors["base"] = "cannot_connect"
                else:
                    if self._found:
                        return None
                    errors["base"] = "no_devices"
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


class EchonetHemsOptionsFlow(OptionsFlow):
    """Extra addresses for networks where multicast does not arrive."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Comma-separated IPv4 addresses."""
        errors: dict[str, str] = {}
        current = ", ".join(self.config_entry.options.get(CONF_ADDRESSES, []))
        if user_input is not None:
            try:
                addresses = parse_addresses(user_input.get(CONF_ADDRESSES, ""))
            except InvalidAddressError:
                errors[CONF_ADDRESSES] = "invalid_address"
            else:
                return self.async_create_entry(data={CONF_ADDRESSES: addresses})
            current = user_input.get(CONF_ADDRESSES, "")
        schema = vol.Schema({vol.Optional(CONF_ADDRESSES, default=current): TextSelector()})
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)
