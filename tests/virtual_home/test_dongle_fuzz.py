"""Property tests: any bytes fed to the emulator never raise nor hang, and chunking never changes what comes out."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings, strategies as st

from tests.virtual_home.test_dongle_support import GET_E7, PASSWORD, ROUTE_B_ID, Harness
from virtual_home.dongle import Dialect, DongleOptions

METER = "FE80:0000:0000:0000:021C:6400:6014:21A3"
COMMANDS = [
    b"SKVER",
    b"SKINFO",
    b"SKAPPVER",
    b"SKRESET",
    b"SKSREG SFE 0",
    b"SKSREG S2 3B",
    b"SKSREG S3 8888",
    b"SKSREG SA2 1",
    b"SKSREG S17 0",
    f"SKSETPWD C {PASSWORD}".encode(),
    f"SKSETRBID {ROUTE_B_ID}".encode(),
    b"SKSCAN 2 FFFFFFFF 6",
    b"SKSCAN 2 FFFFFFFF 6 0",
    b"SKSCAN 0 FFFFFFFF 2",
    b"SKLL64 001C6400601421A3",
    f"SKJOIN {METER}".encode(),
    b"SKREJOIN",
    b"SKTERM",
    b"ROPT",
    b"WOPT 01",
    b"WOPT 00",
    f"SKSENDTO 1 {METER} 0E1A 1 000E ".encode() + GET_E7,
    f"SKSENDTO 1 {METER} 0E1A 1 0 000E ".encode() + GET_E7,
    f"SKSENDTO 1 {METER} 0E1A 2 0 04D0 ".encode(),
]
_chunks = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(COMMANDS).map(lambda command: command + b"\r\n"),
    st.sampled_from(COMMANDS),
    st.sampled_from([b"\r", b"\n", b" ", b"\r\n"]),
)


@settings(max_examples=200, deadline=2000)
@given(
    dialect=st.sampled_from(list(Dialect)),
    chunks=st.lists(_chunks, max_size=25),
    waits=st.lists(st.floats(min_value=0, max_value=90_000, allow_nan=False), max_size=4),
)
def test_arbitrary_bytes_never_raise_nor_hang_and_the_dongle_stays_responsive(
    dialect: Dialect, chunks: list[bytes], waits: list[float]
) -> None:
    h = Harness(dialect, options=DongleOptions(tx_budget=0.02, session_lifetime=3600.0))
    for index, chunk in enumerate(chunks):
        h.emulator.feed(chunk)
        if index < len(waits):
            h.emulator.advance(waits[index])
    h.emulator.advance(100_000.0)
    assert all(isinstance(byte, int) for byte in h.take())
    h.emulator.feed(b"\r\n" * 0x300)  # ends any SKSENDTO data still awaited and any partial line
    h.emulator.feed(b"SKVER\r\n")
    # EVER must start a line; the line before may end in CR only (a product command's `OK 00<CR>` reply).
    assert re.search(rb"(?:^|[\r\n])EVER ", h.take())


_SCRIPT = b"".join(
    [
        b"SKSREG SFE 0\r\n",
        f"SKSETPWD C {PASSWORD}\r\nSKSETRBID {ROUTE_B_ID}\r\n".encode(),
        b"SKSREG S2 3B\rSKSREG S3 8888\n",  # CR-only and LF-only line ends
        b"WOPT 00\r",
        f"SKJOIN {METER}\r\n".encode(),
    ]
)
_SENDTO = f"SKSENDTO 1 {METER} 0E1A 1 0012 ".encode() + bytes.fromhex("1081000105FF010288016201E70D0A0D0A0D")


@settings(max_examples=100, deadline=2000)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(_SCRIPT) + len(_SENDTO)), max_size=12))
def test_chunking_does_not_change_the_output(cuts: list[int]) -> None:
    whole = Harness(Dialect.BP35A1)
    whole.emulator.feed(_SCRIPT)
    whole.emulator.advance(3.0)
    whole.emulator.feed(_SENDTO + b"SKVER\r\n")
    chunked = Harness(Dialect.BP35A1)
    data = _SCRIPT + _SENDTO + b"SKVER\r\n"
    points = sorted({0, len(_SCRIPT), len(data), *cuts})
    for start, end in itertools.pairwise(points):
        chunked.emulator.feed(data[start:end])
        if end == len(_SCRIPT):
            chunked.emulator.advance(3.0)
    output = whole.take()
    assert output == chunked.take()
    assert b"EVENT 25 " in output
    assert output.endswith(b"EVER 1.2.10\r\nOK\r\n")
    assert whole.meter.requests == [bytes.fromhex("1081000105FF010288016201E70D0A0D0A0D")]
