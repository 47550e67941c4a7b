"""One device object of one ECHONET Lite node: its coordinator (poll, INF push, Set) and its stable id.

Push first: INF/INFC from a device update its coordinator at once (`async_set_updated_data`); polling is the fallback
and reads every wanted EPC of an object in one Get (the library splits only when the device forces it).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
import logging
import math
import time
from types import MappingProxyType
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import DOMAIN, MIN_WRITE_INTERVAL, POLL_INTERVAL
from .errors import map_lib_errors
from .lib.echonet.client import EchonetClient
from .lib.echonet.discovery import Node, ObjectInfo
from .lib.echonet.frame import EOJ, Property
from .lib.echonet.specs.datatypes import Value
from .lib.echonet.specs.registry import describe, property_spec
from .lib.errors import ProtocolError, TransportError, ValueRangeError

if TYPE_CHECKING:
    from .lan_hub import EchonetLanConfigEntry

_LOGGER = logging.getLogger(__name__)


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


class EchonetObjectCoordinator(DataUpdateCoordinator[ObjectData]):
    """Polls and receives the properties of one device object of one node."""

    config_entry: EchonetLanConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EchonetLanConfigEntry,
        client: EchonetClient,
        node: Node,
        info: ObjectInfo,
        on_unreachable: Callable[[], None] = lambda: None,
    ) -> None:
        """Follow `info` of `node` through the shared `client`; entities declare what they need with `want` before
        the first refresh. `on_unreachable` is called when the node does not answer (it may have a new address)."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {object_id(node.node_id, info.eoj)}",
            update_interval=POLL_INTERVAL,
        )
        self.client = client
        self._on_unreachable = on_unreachable
        self.node = node
        self.info = info
        self.object_id = object_id(node.node_id, info.eoj)
        self._wanted: Counter[int] = Counter()
        self._last_write: dict[int, float] = {}

    @property
    def class_id(self) -> int:
        """The object's class (group << 8 | class code)."""
        return self.info.eoj.class_id

    @property
    def wanted(self) -> frozenset[int]:
        """The EPCs read by every poll: those of every holder of a `want` that was not released."""
        return frozenset(self._wanted)

    def want(self, epcs: Iterable[int]) -> Callable[[], None]:
        """Add EPCs to the poll (and the coefficient EPCs they need), as far as the object's Get map lists them.

        Entities want what they show while they are added (a disabled entity reads nothing); anything else that needs
        a property (the planner) wants it the same way. Returns the release; an EPC leaves the poll when no holder
        wants it any more. EPCs new to a coordinator that already polls are read at once.
        """
        added: list[int] = []
        for epc in epcs:
            spec = describe(self.class_id, epc, self.info.release)
            needed = (epc, *(spec.coefficient_epcs if spec is not None else ()))
            added.extend(needed_epc for needed_epc in needed if needed_epc in self.info.get_map)
        fresh = set(added) - self._wanted.keys()
        self._wanted.update(added)
        if fresh and self.data is not None:
            self.hass.async_create_task(self.async_request_refresh(), eager_start=False)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._wanted.subtract(added)
                self._wanted = +self._wanted  # drop EPCs nobody holds

        return release

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
            result = await self.client.get(self.node.address, self.info.eoj, sorted(self._wanted))
        except TransportError:
            self._on_unreachable()  # the node may be back at another address
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
        if not changed:
            return
        if self.last_update_success:
            self.async_set_updated_data(ObjectData(MappingProxyType(values)))
            return
        # During an outage only a poll says the object answers again: an announcement shows its values but keeps the
        # outage (and its logged-once state), so the next failed poll does not log the outage a second time.
        self.data = ObjectData(MappingProxyType(values))
        self.async_update_listeners()

    @map_lib_errors(HomeAssistantError)
    async def async_set(self, values: Mapping[int, Value]) -> Mapping[int, bytes]:
        """Write properties in one SetC and return what the device holds afterwards (read back by EPC).

        A user's mistake is refused before any I/O with a translated `ServiceValidationError` (a property the object's
        Set map does not list, a value outside its range); the device's refusal (SetC_SNA) or silence is a translated
        `HomeAssistantError`. Writes of one property are spaced by `MIN_WRITE_INTERVAL`: many devices keep settings in
        EEPROM, and an automation loop must not wear it out.
        """
        properties = self._encode_settable(values)
        await self._wait_for_write_slot(values)
        result = await self.client.set(self.node.address, self.info.eoj, properties)
        result.raise_for_rejection()
        written = [prop.epc for prop in properties]
        readable = [epc for epc in written if epc in self.info.get_map]
        held = (await self.client.get(self.node.address, self.info.eoj, readable)).values if readable else {}
        # Write-only properties: the accepted value is all there is to show.
        shown = [Property(epc, edt) for epc, edt in held.items()]
        self.async_push([*shown, *(prop for prop in properties if prop.epc not in held)])
        return MappingProxyType({prop.epc: held.get(prop.epc, prop.edt) for prop in properties})

    def _encode_settable(self, values: Mapping[int, Value]) -> list[Property]:
        not_settable = sorted(epc for epc in values if epc not in self.info.set_map)
        if not_settable:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_settable",
                translation_placeholders={"properties": ", ".join(f"0x{epc:02X}" for epc in not_settable)},
            )
        coefficients = self.data.values if self.data is not None else None
        try:
            return [
                Property(epc, property_spec(self.class_id, epc, self.info.release).encode(value, coefficients))
                for epc, value in values.items()
            ]
        except ValueRangeError as err:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_value") from err

    async def _wait_for_write_slot(self, values: Mapping[int, Value]) -> None:
        now = time.monotonic()
        ready = max((self._last_write.get(epc, -math.inf) + MIN_WRITE_INTERVAL for epc in values), default=now)
        if ready > now:
            await _wait(ready - now)
        for epc in values:
            self._last_write[epc] = max(now, ready)


async def _wait(seconds: float) -> None:
    # A seam of its own: patching `asyncio.sleep` would stop every other task's sleep in the loop too.
    await asyncio.sleep(seconds)
