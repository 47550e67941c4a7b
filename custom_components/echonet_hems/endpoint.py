"""The one ECHONET Lite endpoint (UDP 3610) of a Home Assistant, shared by every LAN entry and the config flow.

On Linux, of two sockets bound to UDP 3610 only the one bound last receives unicast answers: a second entry, or the
flow searching next to a running hub, would silently take the first one's answers. So the integration owns exactly one
`EchonetClient`, opened by the first user and closed when the last one lets go. Each user leases it for one interface
(the group 224.0.23.0 is joined there while any lease holds it). Answers reach the request that asked (the client
matches them by address and TID); announcements are offered to every entry, and each entry keeps only the nodes it
owns (`claim`), so two entries never run coordinators for the same node.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant
from homeassistant.helpers import instance_id
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, REQUEST_RETRIES, REQUEST_TIMEOUT
from .lib.echonet.client import EchonetClient
from .lib.echonet.controller_profile import ControllerProfile

DATA_ENDPOINT: HassKey[SharedEndpoint] = HassKey(f"{DOMAIN}_endpoint")


@dataclass(slots=True)
class SharedEndpoint:
    """The shared client, its leases, and which entry owns which node (by identification number)."""

    client: EchonetClient
    leases: int = 0
    owners: dict[str, str] = field(default_factory=dict)

    def claim(self, node_id: str, owner: str) -> bool:
        """Make `owner` (an entry id) the node's owner unless another owner has it; True when `owner` owns it."""
        return self.owners.setdefault(node_id, owner) == owner

    def release_claims(self, owner: str) -> None:
        """Forget every node `owner` owned (its entry unloads): another entry may take them."""
        for node_id in [node_id for node_id, holder in self.owners.items() if holder == owner]:
            del self.owners[node_id]


@dataclass(slots=True)
class EndpointLease:
    """One user's hold on the shared endpoint for one interface; `async_release` exactly once."""

    hass: HomeAssistant
    endpoint: SharedEndpoint
    interface: str
    released: bool = False

    @property
    def client(self) -> EchonetClient:
        """The shared client."""
        return self.endpoint.client

    async def async_release(self) -> None:
        """Leave the interface's multicast group (when nobody else uses it); close the socket after the last lease."""
        if self.released:
            return
        self.released = True
        await _async_release(self.hass, self)


_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_endpoint_lock")


def _lock(hass: HomeAssistant) -> asyncio.Lock:
    return hass.data.setdefault(_LOCK, asyncio.Lock())


async def async_acquire_endpoint(hass: HomeAssistant, interface: str) -> EndpointLease:
    """Lease the shared endpoint for `interface` (an IPv4 address of this host), opening it on first use.

    Raises the client's `TransportError` when UDP 3610 cannot be bound (another program holds it without sharing) or
    the group cannot be joined on that interface.
    """
    async with _lock(hass):
        endpoint = hass.data.get(DATA_ENDPOINT)
        if endpoint is None:
            # Our controller's node profile answers devices that check their controller; its identification
            # number comes from this Home Assistant's instance id, so it stays the same across restarts.
            profile = ControllerProfile.from_seed(await instance_id.async_get(hass))
            client = EchonetClient(
                interface=interface, timeout=REQUEST_TIMEOUT, retries=REQUEST_RETRIES, profile=profile
            )
            await client.start()
            endpoint = hass.data[DATA_ENDPOINT] = SharedEndpoint(client)
        else:
            endpoint.client.join(interface)
        endpoint.leases += 1
        return EndpointLease(hass, endpoint, interface)


async def _async_release(hass: HomeAssistant, lease: EndpointLease) -> None:
    async with _lock(hass):
        endpoint = lease.endpoint
        endpoint.leases -= 1
        if endpoint.leases > 0:
            endpoint.client.leave(lease.interface)
            return
        if hass.data.get(DATA_ENDPOINT) is endpoint:
            del hass.data[DATA_ENDPOINT]
        await endpoint.client.close()
