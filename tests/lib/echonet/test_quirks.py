"""Known batch quirks: matching, and the client and discovery honouring them without learning through timeouts."""

from __future__ import annotations

from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.discovery import Discovery
from custom_components.echonet_hems.lib.echonet.frame import EOJ, NODE_PROFILE, Frame
from custom_components.echonet_hems.lib.echonet.property_map import encode_property_map
from custom_components.echonet_hems.lib.echonet.quirks import BatchQuirk, batch_quirk

from .fake_node import FakeNode, Handler, PropertyStore

BOARD = EOJ(0x02, 0x87, 0x01)
LIGHT = EOJ(0x02, 0x90, 0x01)
PANASONIC = 0x00000B


def test_quirk_lookup() -> None:
    lighting = batch_quirk(0x0000E8, "ANY", 0x0290)
    assert lighting is not None
    assert lighting.max_epcs == 14
    board = batch_quirk(PANASONIC, None, 0x0287)
    assert board is not None
    assert board.apart == {0xB3, 0xB7}
    assert batch_quirk(PANASONIC, None, 0x0290) is None
    assert batch_quirk(None, None, 0x0287) is None
    specific = BatchQuirk(PANASONIC, 0x0287, "test", product_code="MKN7350S1", max_epcs=2)
    assert specific.matches(PANASONIC, "MKN7350S1", 0x0287)
    assert not specific.matches(PANASONIC, "OTHER", 0x0287)


def refuses_b3_with_b7(store: PropertyStore) -> Handler:
    def handler(request: Frame) -> list[Frame] | None:
        asked = {p.epc for p in request.properties}
        return None if {0xB3, 0xB7} <= asked else store(request)

    return handler


async def test_client_keeps_apart_epcs_in_separate_gets() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=0.3)
    await client.start()
    quirk = batch_quirk(PANASONIC, None, 0x0287)
    assert quirk is not None
    client.apply_batch_quirk("127.0.0.61", BOARD, quirk)
    values = {0xB3: bytes(10), 0xB7: bytes(10), 0x80: b"\x30", 0xC6: bytes(4)}
    try:
        async with FakeNode("127.0.0.61", refuses_b3_with_b7(PropertyStore({BOARD: values}))) as node:
            result = await client.get("127.0.0.61", BOARD, [0xB3, 0xB7, 0x80, 0xC6])
    finally:
        await client.close()
    assert result.values == values
    assert [[p.epc for p in f.properties] for f in node.received] == [[0xB3, 0x80, 0xC6], [0xB7]]


async def test_client_starts_from_a_quirk_cap() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=0.3)
    await client.start()
    quirk = batch_quirk(0x0000E8, None, 0x0290)
    assert quirk is not None
    client.apply_batch_quirk("127.0.0.62", LIGHT, quirk)
    values = dict.fromkeys(range(176, 196), b"\x01")
    try:
        async with FakeNode("127.0.0.62", PropertyStore({LIGHT: values})) as node:
            result = await client.get("127.0.0.62", LIGHT, list(values))
    finally:
        await client.close()
    assert result.values == values
    assert [len(f.properties) for f in node.received] == [14, 6]
    assert client.batch_cap("127.0.0.62", LIGHT) == 14


async def test_discovery_applies_the_quirk_of_a_probed_object() -> None:
    client = EchonetClient(interface="127.0.0.1", timeout=0.3)
    await client.start()
    maker = PANASONIC.to_bytes(3, "big")
    objects = {
        NODE_PROFILE: {0x83: b"\xfe" + maker + bytes(12) + b"\x01", 0x8A: maker, 0xD6: b"\x01" + BOARD.to_bytes()},
        BOARD: {0x9F: encode_property_map([0x80, 0xB3, 0xB7]), 0x9E: b"\x00", 0x9D: b"\x00", 0x8A: maker},
    }
    objects[BOARD].update({0xB3: bytes(8), 0xB7: bytes(8), 0x80: b"\x30"})
    try:
        async with FakeNode("127.0.0.63", refuses_b3_with_b7(PropertyStore(objects))) as node:
            await Discovery(client).probe("127.0.0.63")
            probe_requests = len(node.received)
            result = await client.get("127.0.0.63", BOARD, [0xB3, 0xB7, 0x80])
    finally:
        await client.close()
    assert result.values == {0xB3: bytes(8), 0xB7: bytes(8), 0x80: b"\x30"}
    assert len(node.received) - probe_requests == 2  # no silent batch, so no timeout and no split
