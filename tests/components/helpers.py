"""Helpers of the integration tests: entity lookup by unique id, waiting for a datagram's effect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er

from custom_components.echonet_hems.const import DOMAIN
from virtual_home.echonet.node import EchonetNode


def node_id(node: EchonetNode) -> str:
    """The identity the integration gives a virtual node (its identification number 0x83)."""
    return node.identity.identification.hex().upper()


def entity_id(hass: HomeAssistant, platform: str, node: EchonetNode, eoj: str, key: str) -> str:
    """The entity id of an object's entity, found by its semantic unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{node_id(node)}-{eoj}_{key}")
    assert found is not None, f"no {platform} {key} for {eoj}"
    return found


def state(hass: HomeAssistant, entity: str) -> State:
    """The state of an entity (which must exist)."""
    current = hass.states.get(entity)
    assert current is not None, entity
    return current


async def wait_for(hass: HomeAssistant, condition: Callable[[], bool], within: float = 10.0) -> None:
    """Let the loop run until `condition` holds: datagrams arrive in real time, not on a schedule we control.

    `within` only bounds a hang: on a loaded 2-core host the devices' answers took over 3 s (a voice test failed so).
    """
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()
