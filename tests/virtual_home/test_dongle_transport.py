"""The dongle over a real pty and over loopback TCP: a full controller life cycle in both dialects, and the faults.

The controller is a tiny line client written here: it writes commands, splits the byte stream into lines (CRLF, or
the lone CR after a product command) and reads binary ERXUDP data by its length. Time is a ManualClock moved by the
test; the reads only have a safety timeout against hangs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import os
from pathlib import Path

import pytest

from tests.virtual_home.test_dongle_support import (
    E7_WITH_CRLF,
    EA_INF,
    GET_E7,
    INSTANCE_LIST,
    PASSWORD,
    ROUTE_B_ID,
    START,
    Item,
    StubMeter,
    parse_one,
)
from virtual_home.clock import ManualClock
from virtual_home.dongle import Dialect, DongleOptions, DonglePort

READ_TIMEOUT = 5.0  # a safety net against a hang, never a wait for simulated time
ALL_NODES = "FF02:0000:0000:0000:0000:0000:0000:0001"


class LineClient:
    """A controller's view of the serial line."""

    def __init__(self, dialect: Dialect, read: Callable[[], Awaitable[bytes]], write: Callable[[bytes], None]) -> None:
        self.dialect = dialect
        self.binary = True
        self.rssi = False
        self._read = read
        self._write = write
        self._buffer = b""

    def send(self, data: bytes) -> None:
        self._write(data)

    def command(self, text: str) -> None:
        self._write(text.encode() + b"\r\n")

    async def item(self, *, cr_terminated: bool = False) -> Item:
        while True:
            parsed = parse_one(self._buffer, self.dialect, binary=self.binary, rssi=self.rssi, final=cr_terminated)
            if parsed is not None:
                item, size = parsed
                self._buffer = self._buffer[size:]
                return item
            async with asyncio.timeout(READ_TIMEOUT):
                chunk = await self._read()
            if not chunk:
                raise EOFError("the dongle went away")
            self._buffer += chunk

    async def until(self, *prefixes: str, cr_terminated: bool = False) -> list[Item]:
        """Items up to and including the first whose text starts with one of `prefixes` (empty lines skipped)."""
        items = []
        while True:
            item = await self.item(cr_terminated=cr_terminated)
            if not item.text:
                continue
            items.append(item)
            if item.text.startswith(prefixes):
                return items

    async def ask(self, text: str, *prefixes: str) -> list[Item]:
        self.command(text)
        return await self.until(*(prefixes or ("OK", "FAIL")))

    async def product(self, text: str) -> list[str]:
        """ROPT/WOPT: a CR-terminated command; the CR-terminated lines up to its reply."""
        self._write(text.encode() + b"\r")
        return [item.text for item in await self.until("OK", "FAIL", cr_terminated=True)]

    async def expect_eof(self) -> None:
        """Read until the line is gone (EOF or EIO); a timeout means it never went."""
        try:
            while True:
                await self.item()
        except (EOFError, OSError):
            return


@contextlib.asynccontextmanager
async def pty_client(path: str, dialect: Dialect) -> AsyncIterator[LineClient]:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    loop = asyncio.get_running_loop()

    async def read() -> bytes:
        future: asyncio.Future[bytes] = loop.create_future()

        def readable() -> None:
            if future.done():
                return
            try:
                future.set_result(os.read(fd, 65536))
            except BlockingIOError:
                return
            except OSError:
                future.set_result(b"")  # EIO: the other end hung up

        loop.add_reader(fd, readable)
        try:
            return await future
        finally:
            loop.remove_reader(fd)

    def write(data: bytes) -> None:
        os.write(fd, data)

    try:
        yield LineClient(dialect, read, write)
    finally:
        os.close(fd)


@contextlib.asynccontextmanager
async def tcp_client(port: int, dialect: Dialect) -> AsyncIterator[LineClient]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def read() -> bytes:
        try:
            return await reader.read(65536)
        except ConnectionError:
            return b""

    try:
        yield LineClient(dialect, read, writer.write)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def connect(port: DonglePort, kind: str, dialect: Dialect) -> contextlib.AbstractAsyncContextManager[LineClient]:
    if kind == "pty":
        assert port.pty_path is not None
        return pty_client(port.pty_path, dialect)
    assert port.tcp_port is not None
    return tcp_client(port.tcp_port, dialect)


def texts(items: list[Item]) -> list[str]:
    return [item.text for item in items]


async def join(client: LineClient, port: DonglePort, seconds: float = 2.0) -> list[Item]:
    """SKJOIN to the meter, then `seconds` of simulated time, until EVENT 25 or 24."""
    client.command(f"SKJOIN {port.emulator.meter_address}")
    assert texts(await client.until("OK")) == ["OK"]
    port.advance(seconds)
    return await client.until("EVENT 25", "EVENT 24")


async def sendto(client: LineClient, port: DonglePort, side: str, payload: bytes) -> list[Item]:
    """SKSENDTO; the items up to OK."""
    header = f"SKSENDTO 1 {port.emulator.meter_address} 0E1A 1{side} {len(payload):04X} "
    client.send(header.encode() + payload)
    return await client.until("OK")


@pytest.mark.parametrize("dialect", list(Dialect))
@pytest.mark.parametrize("kind", ["pty", "tcp"])
async def test_full_life_cycle(kind: str, dialect: Dialect, tmp_path: Path) -> None:
    clock = ManualClock(START)
    meter = StubMeter(answers=[E7_WITH_CRLF])
    options = DongleOptions(session_lifetime=3600.0, tx_budget=0.05)
    side = " 0" if dialect is Dialect.BP35C0 else ""
    port = DonglePort(
        dialect,
        meter,
        clock,
        route_b_id=ROUTE_B_ID,
        password=PASSWORD,
        options=options,
        pty=kind == "pty",
        symlink=tmp_path / "ttyWISUN" if kind == "pty" else None,
        tcp=kind == "tcp",
    )
    async with port, connect(port, kind, dialect) as client:
        emulator = port.emulator
        meter_address, own = emulator.meter_address, emulator.own_address
        client.send(b"\r\n")  # a controller's "clear the line" (MOMONGA): nothing comes back
        assert texts(await client.ask("SKVER")) == [
            "SKVER",
            "EVER " + ("1.2.10" if dialect is Dialect.BP35A1 else "1.5.2"),
            "OK",
        ]
        assert texts(await client.ask("SKSREG SFE 0")) == ["SKSREG SFE 0", "OK"]
        assert await client.product("ROPT") == ["OK 00"]
        assert texts(await client.ask(f"SKSETPWD C {PASSWORD}")) == ["OK"]
        assert texts(await client.ask(f"SKSETRBID {ROUTE_B_ID}")) == ["OK"]
        wrong_count = "SKSCAN 2 FFFFFFFF 6" if dialect is Dialect.BP35C0 else "SKSCAN 2 FFFFFFFF 6 0"
        assert texts(await client.ask(wrong_count)) == ["FAIL ER05"]

        # Scan with growing duration until the meter answers.
        found: list[Item] = []
        for duration in range(4, 9):
            assert texts(await client.ask(f"SKSCAN 2 FFFFFFFF {duration}{side}")) == ["OK"]
            port.advance(0.01 * (2**duration + 1) * 28)
            found = await client.until("EVENT 22")
            if any(item.text == "EPANDESC" for item in found):
                break
        assert duration == 6
        fields = dict(item.text.strip().split(":", 1) for item in found if item.text.startswith("  "))
        assert fields["Addr"] == "001C6400601421A3"
        assert texts(await client.ask(f"SKSREG S2 {fields['Channel']}")) == ["OK"]
        assert texts(await client.ask(f"SKSREG S3 {fields['Pan ID']}")) == ["OK"]
        assert texts(await client.ask(f"SKLL64 {fields['Addr']}", "FE80:")) == [meter_address]

        # Wrong password, meter busy, then a good join.
        assert texts(await client.ask("SKSETPWD C WRONGPASSWRD")) == ["OK"]
        assert (await join(client, port))[-1].text == f"EVENT 24 {meter_address}{side}"
        assert texts(await client.ask(f"SKSETPWD C {PASSWORD}")) == ["OK"]
        emulator.set_meter_busy(True)
        assert (await join(client, port, 40.0))[-1].text.startswith("EVENT 24 ")
        emulator.set_meter_busy(False)
        assert (await join(client, port))[-1].text == f"EVENT 25 {meter_address}{side}"
        announce = await client.item()
        assert announce.tokens[2] == ALL_NODES
        assert announce.data == INSTANCE_LIST

        # Get E7 in binary mode: the answer's data holds 0D 0A.
        items = await sendto(client, port, side, GET_E7)
        assert texts(items) == [f"EVENT 21 {meter_address}{side} 00", "OK"]
        answer = await client.item()
        assert answer.tokens[1:3] == [meter_address, own]
        assert answer.data == E7_WITH_CRLF
        assert meter.requests[-1] == GET_E7

        # Hex mode after WOPT 01.
        assert await client.product("WOPT 01") == ["OK"]
        assert await client.product("ROPT") == ["OK 01"]
        client.binary = False
        await sendto(client, port, side, GET_E7)
        answer = await client.item()
        assert answer.text.endswith(" " + E7_WITH_CRLF.hex().upper())
        assert answer.data == E7_WITH_CRLF

        # A push from the meter (30-minute EA).
        meter.push(EA_INF)
        assert (await client.item()).data == EA_INF

        # Session lifetime: EVENT 29, sends fail until EVENT 25.
        port.advance(3600.0)
        assert texts(await client.until("EVENT 29")) == [f"EVENT 29 {meter_address}{side}"]
        assert texts(await sendto(client, port, side, GET_E7)) == [f"EVENT 21 {meter_address}{side} 01", "OK"]
        port.advance(1.0)
        assert (await client.until("EVENT 25"))[-1].text == f"EVENT 25 {meter_address}{side}"

        # ARIB budget: EVENT 32, refused sends, EVENT 33 an hour later.
        after_ok: list[str] = []
        for _ in range(20):
            await sendto(client, port, side, GET_E7)
            after_ok = texts(await client.until("ERXUDP"))  # the limit is announced before the answer
            if emulator.tx_limited:
                break
        assert after_ok[0] == f"EVENT 32 {own}{side}"
        assert texts(await sendto(client, port, side, GET_E7)) == [f"EVENT 21 {meter_address}{side} 01", "OK"]
        port.advance(3600.0)
        assert "EVENT 33" in texts(await client.until("EVENT 33"))[-1]

        # The meter ends the session; join again; SKTERM.
        emulator.terminate_session()
        assert texts(await client.until("EVENT 26")) == [f"EVENT 26 {meter_address}{side}"]
        assert (await join(client, port))[-1].text.startswith("EVENT 25 ")
        await client.item()  # INF D5 again
        assert texts(await client.ask("SKTERM")) == ["OK"]
        port.advance(1.0)
        assert texts(await client.until("EVENT 27")) == [f"EVENT 27 {meter_address}{side}"]
        assert texts(await client.ask("SKTERM")) == ["FAIL ER10"]


async def test_pty_unplug_and_replug_keep_the_symlink_and_flash(tmp_path: Path) -> None:
    clock = ManualClock(START)
    link = tmp_path / "ttyWISUN"
    port = DonglePort(Dialect.BP35C0, StubMeter(), clock, route_b_id=ROUTE_B_ID, password=PASSWORD, symlink=link)
    endpoints = await port.start()
    try:
        assert endpoints.pty_path == str(link)
        assert endpoints.device_path is not None
        assert link.resolve() == Path(endpoints.device_path).resolve()
        async with pty_client(str(link), Dialect.BP35C0) as client:
            assert await client.product("WOPT 01") == ["WOPT 01", "OK"]  # echoed (SFE=1), CR-terminated
            assert texts(await client.ask("SKSREG SFE 0")) == ["SKSREG SFE 0", "OK"]
            old_emulator = port.emulator
            await port.unplug()
            assert not os.path.lexists(link)
            assert port.pty_path is None
            await client.expect_eof()
        with pytest.raises(FileNotFoundError):
            os.open(link, os.O_RDWR | os.O_NOCTTY)
        await port.replug()
        assert port.emulator is not old_emulator
        assert link.is_symlink()
        async with pty_client(str(link), Dialect.BP35C0) as client:
            assert texts(await client.ask("SKSREG SFE")) == ["SKSREG SFE", "ESREG 1", "OK"]  # registers reset
            client.binary = False
            assert await client.product("ROPT") == ["ROPT", "OK 01"]  # WOPT survived the power cycle
            assert texts(await client.ask("SKTERM")) == ["SKTERM", "FAIL ER10"]  # no session after power-on
    finally:
        await port.close()
    assert not os.path.lexists(link)


async def test_tcp_unplug_refuses_and_replug_listens_on_the_same_port() -> None:
    port = DonglePort(
        Dialect.BP35A1, StubMeter(), ManualClock(START), route_b_id=ROUTE_B_ID, password=PASSWORD, pty=False, tcp=True
    )
    async with port:
        number = port.tcp_port
        assert number is not None
        assert port.tcp_url == f"socket://127.0.0.1:{number}"
        assert port.pty_path is None
        async with tcp_client(number, Dialect.BP35A1) as client:
            assert texts(await client.ask("SKVER"))[-1] == "OK"
            await port.unplug()
            await client.expect_eof()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", number)
        await port.replug()
        assert port.tcp_port == number
        async with tcp_client(number, Dialect.BP35A1) as client:
            assert texts(await client.ask("SKINFO"))[-1] == "OK"


async def test_a_second_tcp_connection_replaces_the_first() -> None:
    port = DonglePort(
        Dialect.BP35A1, StubMeter(), ManualClock(START), route_b_id=ROUTE_B_ID, password=PASSWORD, pty=False, tcp=True
    )
    async with port:
        assert port.tcp_port is not None
        async with tcp_client(port.tcp_port, Dialect.BP35A1) as first:
            assert texts(await first.ask("SKVER"))[-1] == "OK"
            async with tcp_client(port.tcp_port, Dialect.BP35A1) as second:
                await first.expect_eof()
                assert texts(await second.ask("SKVER"))[-1] == "OK"


@pytest.mark.parametrize("kind", ["pty", "tcp"])
async def test_garbage_reaches_the_controller_and_the_dongle_keeps_working(kind: str) -> None:
    port = DonglePort(
        Dialect.BP35A1,
        StubMeter(),
        ManualClock(START),
        route_b_id=ROUTE_B_ID,
        password=PASSWORD,
        pty=kind == "pty",
        tcp=kind == "tcp",
    )
    async with port, connect(port, kind, Dialect.BP35A1) as client:
        assert texts(await client.ask("SKVER"))[-1] == "OK"
        port.inject_garbage(b"\x00\xff\xfeGARBAGE\r\n")
        assert (await client.item()).text == "\x00\xff\xfeGARBAGE"
        client.send(b"\xff\x00junk\r\n")  # and garbage from the controller
        assert texts(await client.until("FAIL")) == ["\xff\x00junk", "FAIL ER04"]
        assert texts(await client.ask("SKVER")) == ["SKVER", "EVER 1.2.10", "OK"]


def test_a_port_needs_an_endpoint() -> None:
    with pytest.raises(ValueError, match="pty"):
        DonglePort(Dialect.BP35A1, StubMeter(), ManualClock(START), route_b_id=ROUTE_B_ID, password=PASSWORD, pty=False)
