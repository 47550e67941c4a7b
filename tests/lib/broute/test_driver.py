"""The serial driver on a fake line: command/answer pairing, async lines, SKSENDTO's EVENT 21, losses and hangs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from custom_components.echonet_hems.lib.broute.driver import DriverOptions, SkStackDriver, first_of
from custom_components.echonet_hems.lib.broute.lines import (
    Address,
    AsyncLine,
    Event,
    Info,
    Ok,
    PanDescriptor,
    StackVersion,
    UdpPacket,
)
from custom_components.echonet_hems.lib.errors import TransportError
from tests.lib.broute.support import OK, FakeDongle

ME = "FE80:0000:0000:0000:021D:1290:1234:5678"
METER = "FE80:0000:0000:0000:021C:6400:6014:21A3"
OPTIONS = DriverOptions(command_timeout=0.3, sendto_event_timeout=0.2, drain_quiet=0.01, drain_limit=0.1)


def answers(command: str, data: bytes) -> bytes | None:
    word = command.split()[0]
    table = {
        "SKVER": b"EVER 1.2.10\r\nOK\r\n",
        "SKINFO": f"EINFO {ME} 001D129012345678 21 8888 FFFE\r\nOK\r\n".encode(),
        "SKLL64": f"{METER}\r\n".encode(),
        "SKSCAN": OK
        + f"EVENT 20 {ME}\r\nEPANDESC\r\n  Channel:3B\r\n  Pan ID:8888\r\n  Addr:001C6400601421A3\r\n"
        f"  LQI:A0\r\n  PairID:89ABCDEF\r\nEVENT 22 {ME}\r\n".encode(),
        # EVENT 21 before OK (VECTORS.md C.2) and the meter's binary answer with CR LF inside its data.
        "SKSENDTO": f"\r\nEVENT 21 {METER} 02\r\nEVENT 21 {METER} 00\r\nOK\r\nERXUDP {METER} {ME} 0E1A 0E1A "
        f"001C6400601421A3 1 0004 ".encode()
        + b"\x10\r\n\x81\r\n",
        "SKHANG": None,
        "SKBAD": b"FAIL ER06\r\n",
    }
    return table.get(word, OK)


async def open_driver(
    dongle: FakeDongle, received: list[AsyncLine] | None = None, lost: list[TransportError] | None = None
) -> SkStackDriver:
    driver = SkStackDriver(
        "fake://",
        options=OPTIONS,
        opener=dongle.open,
        on_async=(received if received is not None else []).append,
        on_lost=(lost if lost is not None else []).append,
    )
    await driver.open()
    return driver


async def test_answers_and_async_lines_are_separated() -> None:
    received: list[AsyncLine] = []
    dongle = FakeDongle(answers, chunk=3)
    driver = await open_driver(dongle, received)
    lines = await driver.command("SKVER")
    assert lines == [StackVersion("1.2.10"), Ok()]
    assert first_of(lines, Info) is None
    info = first_of(await driver.command("SKINFO"), Info)
    assert info is not None
    assert info.pan_id == 0x8888
    assert first_of(await driver.command("SKLL64 001C6400601421A3", until=Address), Address) == Address(METER)
    await driver.command("SKSCAN 2 FFFFFFFF 6")
    param = await driver.sendto(METER, b"\x10\x81", side=None)
    assert param == 0  # EVENT 21 02 (neighbour solicitation) was not the outcome
    assert dongle.commands[-1] == f"SKSENDTO 1 {METER} 0E1A 1 0002"
    await asyncio.sleep(0.01)
    assert [type(line) for line in received] == [Event, PanDescriptor, Event, Event, Event, UdpPacket]
    packet = received[-1]
    assert isinstance(packet, UdpPacket)
    assert packet.data == b"\x10\r\n\x81"
    await driver.close()
    assert not driver.is_open
    with pytest.raises(TransportError, match="not connected"):
        await driver.command("SKVER")


async def test_event_21_of_another_address_or_none_at_all() -> None:
    def other(command: str, data: bytes) -> bytes | None:
        if command.startswith("SKSENDTO"):
            return f"\r\nEVENT 21 {ME} 00\r\nOK\r\n".encode()  # not the destination's EVENT 21
        return OK

    driver = await open_driver(FakeDongle(other))
    assert await driver.sendto(METER, b"\x10\x81", side=0) is None
    await driver.close()


async def test_a_hung_dongle_closes_the_port_and_reports_the_loss() -> None:
    lost: list[TransportError] = []
    driver = await open_driver(FakeDongle(answers), lost=lost)
    with pytest.raises(TransportError, match="SKHANG: the dongle did not answer"):
        await driver.command("SKHANG")
    assert not driver.is_open
    assert len(lost) == 1
    await driver.close()


async def test_line_errors_while_waiting_fail_the_waiters() -> None:
    def ok_only(command: str, data: bytes) -> bytes | None:
        return OK if command.startswith("SKSENDTO") else None

    lost: list[TransportError] = []
    dongle = FakeDongle(ok_only)
    driver = await open_driver(dongle, lost=lost)
    waiting = asyncio.ensure_future(driver.sendto(METER, b"\x10\x81", side=None))
    await asyncio.sleep(0.01)  # OK came; the driver waits for EVENT 21
    dongle.unplug(OSError(5, "Input/output error"))
    with pytest.raises(TransportError, match="went away"):
        await waiting
    assert len(lost) == 1
    pending = asyncio.ensure_future(driver.command("SKVER"))
    with pytest.raises(TransportError, match="not connected"):
        await pending


async def test_write_failures_and_callback_failures_are_contained(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, "custom_components.echonet_hems.lib.broute.driver")

    def explode(_line: object) -> None:
        raise RuntimeError("callback bug")

    dongle = FakeDongle(answers)
    driver = SkStackDriver("fake://", options=OPTIONS, opener=dongle.open, on_async=explode, on_lost=explode)
    await driver.open()
    dongle.push(f"OK\r\nEVENT 25 {METER}\r\n".encode())  # an unsolicited OK, and an event the callback chokes on
    await asyncio.sleep(0.01)
    assert "unsolicited" in caplog.text
    assert "handling Event failed" in caplog.text
    assert dongle.writer is not None
    dongle.writer.closed = True
    with pytest.raises(TransportError, match="writing to the dongle failed"):
        await driver.command("SKVER")
    assert "on_lost callback failed" in caplog.text
    await driver.close()


async def test_open_failures() -> None:
    class Writer:
        def write(self, data: bytes) -> None:
            pass

        async def drain(self) -> None:
            pass

        def close(self) -> None:
            pass

        async def wait_closed(self) -> None:
            pass

    async def eof_at_open(url: str, baudrate: int) -> tuple[asyncio.StreamReader, Writer]:
        reader = asyncio.StreamReader()
        reader.feed_eof()
        return reader, Writer()

    driver = SkStackDriver("fake://", options=OPTIONS, opener=eof_at_open)
    with pytest.raises(TransportError, match="went away while opening"):
        await driver.open()

    babbling: list[asyncio.Task[None]] = []

    async def chatty(url: str, baudrate: int) -> tuple[asyncio.StreamReader, Writer]:
        reader = asyncio.StreamReader()

        async def babble() -> None:
            while True:
                reader.feed_data(b"noise\r\n")
                await asyncio.sleep(0.002)

        babbling.append(asyncio.get_running_loop().create_task(babble()))
        return reader, Writer()

    driver = SkStackDriver("fake://", options=OPTIONS, opener=chatty)
    await driver.open()  # a line that never goes quiet: the drain stops at its limit
    assert driver.is_open
    await driver.close()
    babbling[0].cancel()
    await asyncio.gather(*babbling, return_exceptions=True)
