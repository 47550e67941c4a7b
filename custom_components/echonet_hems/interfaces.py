"""Home Assistant's network adapters as the places an ECHONET Lite network entry can live.

A LAN entry is keyed by the adapter's name ("eth0"), which survives a DHCP change; the IPv4 address it uses is looked
up at every set-up. Entries made before names were used hold the address itself, which still works while it is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
import ipaddress

from homeassistant.components.network import async_get_adapters
from homeassistant.core import HomeAssistant


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    """An enabled adapter's first IPv4 address and its network (None: unknown, any address may be on it)."""

    name: str
    address: str
    network: ipaddress.IPv4Network | None

    @property
    def label(self) -> str:
        """What the flow shows: "eth0 (192.168.1.20)"."""
        return f"{self.name} ({self.address})"

    def contains(self, address: str) -> bool:
        """Whether `address` is on this interface's network (always, while the network is unknown)."""
        if self.network is None:
            return True
        try:
            return ipaddress.IPv4Address(address) in self.network
        except ValueError:
            return False


async def async_network_interfaces(hass: HomeAssistant) -> list[NetworkInterface]:
    """The enabled adapters that have an IPv4 address, in Home Assistant's order."""
    interfaces: list[NetworkInterface] = []
    for adapter in await async_get_adapters(hass):
        if not adapter["enabled"] or not adapter["ipv4"]:
            continue
        ipv4 = adapter["ipv4"][0]
        network = ipaddress.IPv4Network(f"{ipv4['address']}/{ipv4['network_prefix']}", strict=False)
        interfaces.append(NetworkInterface(adapter["name"], ipv4["address"], network))
    return interfaces


def is_address(value: str) -> bool:
    """Whether an entry's interface value is an IPv4 address (an entry from before adapter names)."""
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


async def async_resolve_interface(hass: HomeAssistant, value: str) -> NetworkInterface | None:
    """The interface an entry names: by adapter name, or by the address an older entry stored; None when gone."""
    interfaces = await async_network_interfaces(hass)
    for interface in interfaces:
        if value in (interface.name, interface.address):
            return interface
    if is_address(value):  # an address HA does not list (adapter disabled in HA's settings): use it as it is
        return NetworkInterface(value, value, None)
    return None
