"""Runtime of an ECHONET Lite network (LAN) entry: discovery on its interface and one coordinator per device object.

Identity is the node's identification number (0x83), never its address: a node that comes back at a new address keeps
its devices and entities, and its coordinators simply follow it. The socket is the integration's shared endpoint
(`endpoint.py`); this entry keeps the nodes it owns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import logging
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .board_coordinator import DistributionBoardCoordinator, measures_channels
from .const import CONF_ADDRESSES, DOMAIN, REDISCOVERY_COOLDOWN, SEARCH_WINDOW
from .device_info import node_device_info
from .endpoint import EndpointLease
from .interfaces import NetworkInterface
from .issues import ISSUE_IDENTITY_CONFLICT, ISSUE_NODES_NOT_ADDED
from .lib.echonet.client import EchonetClient, Notification
from .lib.echonet.discovery import Discovery, Node, ObjectInfo, SearchResult
from .lib.errors import HemsError
from .object_coordinator import EchonetObjectCoordinator, object_id, signal_new_object

_LOGGER = logging.getLogger(__name__)

# Device objects live in class groups 0x00..0x06; profiles (0x0E) and user-defined classes (0x0F) get no entities.
DEVICE_CLASS_GROUPS = range(0x07)

type EchonetLanConfigEntry = ConfigEntry[LanRuntimeData]


@dataclass(slots=True)
class LanRuntimeData:
    """What a LAN entry keeps while it is loaded."""

    client: EchonetClient
    hub: LanHub
    interface: NetworkInterface

    @property
    def discovery(self) -> Discovery:
        """The entry's discovery (known nodes by identity)."""
        return self.hub.discovery

    @property
    def coordinators(self) -> dict[str, EchonetObjectCoordinator]:
        """One coordinator per device object, by object id."""
        return self.hub.coordinators


class LanHub:
    """Connects discovery, announcements and coordinators of one LAN entry."""

    def __init__(
        self, hass: HomeAssistant, entry: EchonetLanConfigEntry, lease: EndpointLease, interface: NetworkInterface
    ) -> None:
        """Nothing runs until `async_start`. `lease` holds the shared endpoint for `interface`."""
        self.hass = hass
        self.entry = entry
        self.lease = lease
        self.client = lease.client
        self.interface = interface
        self.discovery = Discovery(
            self.client,
            window=SEARCH_WINDOW,
            on_node=self._on_node,
            interface=lease.interface,
            accepts=self._accepts,
            on_conflict=self._on_identity_conflict,
            on_refused=self._on_node_refused,
        )
        self._conflicts: set[str] = set()  # repair ids raised by this entry
        self._refused: dict[str, str] = {}  # address → why discovery did not add it
        self.coordinators: dict[str, EchonetObjectCoordinator] = {}
        self._started = False
        self._unsubscribe: Callable[[], None] | None = None
        self._rediscovery: asyncio.Task[None] | None = None
        self._last_rediscovery = -REDISCOVERY_COOLDOWN

    @property
    def addresses(self) -> list[str]:
        """Addresses to probe by unicast: from the flow (data) and the options."""
        return [*self.entry.data.get(CONF_ADDRESSES, []), *self.entry.options.get(CONF_ADDRESSES, [])]

    async def async_search(self) -> SearchResult:
        """Search once (multicast + the configured addresses)."""
        return await self.discovery.search(self.addresses)

    async def async_start(self) -> None:
        """After the platforms are set up: read every object once, then follow announcements of unknown nodes."""
        self._started = True
        self._unsubscribe = self.client.subscribe(self._on_notification)
        await asyncio.gather(*(coordinator.async_refresh() for coordinator in list(self.coordinators.values())))
        self.discovery.start_passive()

    async def async_stop(self) -> None:
        """Stop following the network and give up its nodes (the lease is released by the entry's unload callbacks)."""
        self._started = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.discovery.stop()
        self.lease.endpoint.release_claims(self.entry.entry_id)
        for issue_id in self._conflicts:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        self._conflicts.clear()
        ir.async_delete_issue(self.hass, DOMAIN, f"{ISSUE_NODES_NOT_ADDED}_{self.entry.entry_id}")

    @callback
    def _on_node_refused(self, address: str, reason: str) -> None:
        """Discovery kept a node out (too many objects, too many new nodes at once): list it for the user."""
        self._refused[address] = reason
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{ISSUE_NODES_NOT_ADDED}_{self.entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_NODES_NOT_ADDED,
            translation_placeholders={"title": self.entry.title, "addresses": ", ".join(sorted(self._refused))},
        )

    @callback
    def _on_identity_conflict(self, node_id: str, established: str, newcomer: str) -> None:
        """Another address claims a node's identity while the node still answers: say so, keep the node."""
        issue_id = f"{ISSUE_IDENTITY_CONFLICT}_{self.entry.entry_id}_{node_id}"
        self._conflicts.add(issue_id)
        node = self.discovery.nodes.get(node_id)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_IDENTITY_CONFLICT,
            translation_placeholders={
                "title": self.entry.title,
                "device": node_device_info(node).get("name") or node_id if node is not None else node_id,
                "established": established,
                "newcomer": newcomer,
            },
        )

    def _accepts(self, address: str) -> bool:
        """Nodes of this entry: on its interface's network, or given by hand. The shared endpoint hears them all."""
        return address in self.addresses or self.interface.contains(address)

    @callback
    def forget(self, identifiers: set[str]) -> None:
        """A device the user deleted: drop its node and coordinators, so that it comes back whole if it answers."""
        for key, coordinator in list(self.coordinators.items()):
            if identifiers & {key, coordinator.node.node_id}:
                del self.coordinators[key]
        for node_id in identifiers & self.discovery.nodes.keys():
            del self.discovery.nodes[node_id]

    @callback
    def request_rediscovery(self) -> None:
        """Search again in the background (a node stopped answering), at most once per cooldown."""
        now = time.monotonic()
        if (self._rediscovery is not None and not self._rediscovery.done()) or (
            now - self._last_rediscovery < REDISCOVERY_COOLDOWN
        ):
            return
        self._last_rediscovery = now
        self._rediscovery = self.entry.async_create_background_task(
            self.hass, self._rediscover(), f"{DOMAIN} rediscovery {self.entry.entry_id}"
        )

    async def _rediscover(self) -> None:
        try:
            await self.discovery.search(self.addresses)
        except HemsError as err:
            _LOGGER.debug("rediscovery failed: %s", err)

    @callback
    def _on_notification(self, notification: Notification) -> None:
        node = self.discovery.node_at(notification.address)
        if node is None:
            return  # passive discovery probes it; its values arrive with the first refresh
        # A node that speaks is back: its objects that failed their last poll are read now, not at the next poll.
        for waiting in self.coordinators.values():
            if waiting.node.node_id == node.node_id and not waiting.last_update_success:
                self.entry.async_create_background_task(
                    self.hass, waiting.async_request_refresh(), f"{DOMAIN} back {waiting.object_id}"
                )
        coordinator = self.coordinators.get(object_id(node.node_id, notification.frame.seoj))
        if coordinator is not None:
            coordinator.async_push(notification.frame.properties)

    @callback
    def _on_node(self, node: Node) -> None:
        """A node is new, moved or changed its objects: register its device and its objects' coordinators."""
        # A real move (the old address went quiet) ends a conflict the node had.
        conflict = f"{ISSUE_IDENTITY_CONFLICT}_{self.entry.entry_id}_{node.node_id}"
        if conflict in self._conflicts:
            self._conflicts.discard(conflict)
            ir.async_delete_issue(self.hass, DOMAIN, conflict)
        if not self.lease.endpoint.claim(node.node_id, self.entry.entry_id):
            _LOGGER.debug("node %s at %s belongs to another ECHONET Lite entry", node.node_id, node.address)
            return
        self._register_node_device(node)
        for info in node.objects:
            if info.eoj.class_group not in DEVICE_CLASS_GROUPS:
                continue
            key = object_id(node.node_id, info.eoj)
            coordinator = self.coordinators.get(key)
            if coordinator is not None:
                coordinator.node = node  # same identity, maybe a new address: follow it
                coordinator.info = info
                if self._started:
                    self.entry.async_create_background_task(
                        self.hass, coordinator.async_refresh(), f"{DOMAIN} refresh {key}"
                    )
                continue
            coordinator = self._new_coordinator(node, info)
            self.coordinators[key] = coordinator
            if self._started:
                # Platforms create the entities (which declare their EPCs) synchronously, then the first poll runs.
                async_dispatcher_send(self.hass, signal_new_object(self.entry.entry_id), coordinator)
                self.entry.async_create_background_task(
                    self.hass, coordinator.async_refresh(), f"{DOMAIN} first refresh {key}"
                )

    def _new_coordinator(self, node: Node, info: ObjectInfo) -> EchonetObjectCoordinator:
        kind = DistributionBoardCoordinator if measures_channels(info) else EchonetObjectCoordinator
        return kind(self.hass, self.entry, self.client, node, info, self.request_rediscovery)

    def _register_node_device(self, node: Node) -> None:
        dr.async_get(self.hass).async_get_or_create(config_entry_id=self.entry.entry_id, **node_device_info(node))
