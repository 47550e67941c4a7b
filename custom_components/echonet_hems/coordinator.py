"""Runtime of an ECHONET Lite network (LAN) entry: the client, discovery, and one coordinator per device object.

Push first: INF/INFC from a device update its coordinator at once (`async_set_updated_data`); polling is the fallback
and reads every wanted EPC of an object in one Get (the library splits only when the device forces it). Identity is the
node's identification number (0x83), never its address: a node that comes back at a new address keeps its devices and
entities, and its coordinators simply follow it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
import logging
import time
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import CONF_ADDRESSES, DOMAIN, POLL_INTERVAL, REDISCOVERY_COOLDOWN, SEARCH_WINDOW
from .lib.broute.session import TransmitLimitedError
from .lib.echonet.client import EchonetClient, Notification
from .lib.echonet.discovery import Discovery, Node, ObjectInfo, SearchResult
from .lib.echonet.frame import EOJ, Property
from .lib.echonet.specs.datatypes import Value
from .lib.echonet.specs.registry import describe, property_spec
from .lib.errors import AuthError, HemsError, ProtocolError, RequestTimeoutError, TransportError, ValueRangeError

_LOGGER = logging.getLogger(__name__)

# Device objects live in class groups 0x00..0x06; profiles (0x0E) and user-defined classes (0x0F) get no entities.
DEVICE_CLASS_GROUPS = range(0x07)

type EchonetLanConfigEntry = ConfigEntry[LanRuntimeData]


def map_lib_errors[**P, R](
    error: type[HomeAssistantError],
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Turn the library's errors into `error` (UpdateFailed for polls, HomeAssistantError for actions), translated.

    The one place where a library error becomes user-facing: each class maps to one translation key.
    """

    def decorator(func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await func(*args, **kwargs)
            except AuthError as err:  # the meter rejected the B-route password: HA starts a reauth flow
                raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
            except RequestTimeoutError as err:
                raise error(translation_domain=DOMAIN, translation_key="timeout") from err
            except TransmitLimitedError as err:
                raise error(translation_domain=DOMAIN, translation_key="transmit_limited") from err
            except TransportError as err:
                raise error(translation_domain=DOMAIN, translation_key="communication_error") from err
            except ValueRangeError as err:
                raise error(translation_domain=DOMAIN, translation_key="invalid_value") from err
            except ProtocolError as err:
                raise error(translation_domain=DOMAIN, translation_key="invalid_response") from err
            except HemsError as err:  # UnsupportedError: the device rejected a Set
                raise error(translation_domain=DOMAIN, translation_key="rejected") from err

        return wrapper

    return decorator


def object_id(node_id: str, eoj: EOJ) -> str:
    """The stable id of a device object: its node's identity and its EOJ ("FE00…-027D01")."""
    return f"{node_id}-{eoj}"


def signal_new_object(entry_id: str) -> str:
    """Dispatcher signal sent with a new `EchonetObjectCoordinator` when an object appears at run time."""
    return f"{DOMAIN}_{entry_id}_new_object"


@dataclass(frozen=True, slots=True)
class ObjectData:
    """The latest raw EDT per EPC of one object (from polls and announcements)."""

    values: Mapping[int, bytes]


@dataclass(slots=True)
class LanRuntimeData:
    """What a LAN entry keeps while it is loaded."""

    client: EchonetClient
    hub: LanHub

    @property
    def discovery(self) -> Discovery:
        """The entry's discovery (known nodes by identity)."""
        return self.hub.discovery

    @property
    def coordinators(self) -> dict[str, EchonetObjectCoordinator]:
        """One coordinator per device object, by object id."""
        return self.hub.coordinators


class EchonetObjectCoordinator(DataUpdateCoordinator[ObjectData]):
    """Polls and receives the properties of one device object of one node."""

    config_entry: EchonetLanConfigEntry

    def __init__(self, hass: HomeAssistant, entry: EchonetLanConfigEntry, hub: LanHub, node: Node, info: ObjectInfo):
        """Follow `info` of `node`; entities declare what they need with `want` before the first refresh."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {object_id(node.node_id, info.eoj)}",
            update_interval=POLL_INTERVAL,
        )
        self.hub = hub
        self.node = node
        self.info = info
        self.object_id = object_id(node.node_id, info.eoj)
        self._wanted: set[int] = set()

    @property
    def class_id(self) -> int:
        """The object's class (group << 8 | class code)."""
        return self.info.eoj.class_id

    @property
    def wanted(self) -> frozenset[int]:
        """The EPCs read by every poll."""
        return frozenset(self._wanted)

    def want(self, epcs: Iterable[int]) -> None:
        """Add EPCs to the poll (and the coefficient EPCs they need), as far as the object's Get map lists them."""
        for epc in epcs:
            spec = describe(self.class_id, epc, self.info.release)
            needed = (epc, *(spec.coefficient_epcs if spec is not None else ()))
            self._wanted.update(needed_epc for needed_epc in needed if needed_epc in self.info.get_map)

    def decoded(self, epc: int) -> Value:
        """The decoded value of `epc`, or None when unknown, not decodable or not modelled (never a made-up 0)."""
        if self.data is None or (edt := self.data.values.get(epc)) is None:
            return None
        spec = describe(self.class_id, epc, self.info.release)
        if spec is None:
            return None
        try:
            return spec.decode(edt, self.data.values)
        except ProtocolError as err:
            _LOGGER.debug("%s: cannot decode 0x%02X=%s: %s", self.object_id, epc, edt.hex(), err)
            return None

    @map_lib_errors(UpdateFailed)
    async def _async_update_data(self) -> ObjectData:
        previous = dict(self.data.values) if self.data is not None else {}
        if not self._wanted:
            return ObjectData(MappingProxyType(previous))
        try:
            result = await self.hub.client.get(self.node.address, self.info.eoj, sorted(self._wanted))
        except TransportError:
            self.hub.request_rediscovery()  # the node may be back at another address
            raise
        previous.update(result.values)
        for epc in result.unsupported:
            previous.pop(epc, None)  # the device cannot tell right now: unknown, not the last value
        return ObjectData(MappingProxyType(previous))

    @callback
    def async_push(self, properties: Iterable[Property]) -> None:
        """Apply announced values (INF/INFC) without polling."""
        values = dict(self.data.values) if self.data is not None else {}
        changed = False
        for prop in properties:
            if prop.pdc and values.get(prop.epc) != prop.edt:
                values[prop.epc] = prop.edt
                changed = True
        if changed:
            self.async_set_updated_data(ObjectData(MappingProxyType(values)))

    @map_lib_errors(HomeAssistantError)
    async def async_set(self, values: Mapping[int, Value]) -> None:
        """Write properties in one SetC, encoded by the specs; raise a translated `HomeAssistantError` when refused.

        The written values are applied at once (the device announces them too, and the next poll confirms them).
        """
        coefficients = self.data.values if self.data is not None else None
        properties = [
            # property_spec raises UnsupportedError (→ "rejected") for an EPC the class does not define.
            Property(epc, property_spec(self.class_id, epc, self.info.release).encode(value, coefficients))
            for epc, value in values.items()
        ]
        result = await self.hub.client.set(self.node.address, self.info.eoj, properties)
        result.raise_for_rejection()
        self.async_push(properties)


class LanHub:
    """Connects discovery, announcements and coordinators of one LAN entry."""

    def __init__(self, hass: HomeAssistant, entry: EchonetLanConfigEntry, client: EchonetClient) -> None:
        """Nothing runs until `async_start`."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.discovery = Discovery(client, window=SEARCH_WINDOW, on_node=self._on_node)
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
        """Stop following the network (the client is closed by the entry's unload callbacks)."""
        self._started = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.discovery.stop()

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
        coordinator = self.coordinators.get(object_id(node.node_id, notification.frame.seoj))
        if coordinator is not None:
            coordinator.async_push(notification.frame.properties)

    @callback
    def _on_node(self, node: Node) -> None:
        """A node is new, moved or changed its objects: register its device and its objects' coordinators."""
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
        from .board_coordinator import DistributionBoardCoordinator, measures_channels  # it imports this module

        if measures_channels(info):
            return DistributionBoardCoordinator(self.hass, self.entry, self, node, info)
        return EchonetObjectCoordinator(self.hass, self.entry, self, node, info)

    def _register_node_device(self, node: Node) -> None:
        from .entity import node_device_info  # entity.py imports this module

        dr.async_get(self.hass).async_get_or_create(config_entry_id=self.entry.entry_id, **node_device_info(node))
