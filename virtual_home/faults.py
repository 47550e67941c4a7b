"""Faults of the soak that the node and dongle models do not offer as one call: hostile datagrams on the LAN, garbage
on the serial line, the meter taken by another controller, the air-time budget used up.

Each is a small function on the running parts (`EchonetNode`, `DonglePort`), so a console command, a test or the soak
(`python -m benchmarks.soak`) injects them the same way. Randomness comes from the caller's `random.Random`.
"""

from __future__ import annotations

import random
import socket
from typing import Final

from .dongle.transport import DonglePort
from .echonet.node import GROUP, PORT, EchonetNode

ECHONET_HEADER: Final = b"\x10\x81"


def garbage_datagram(rng: random.Random) -> bytes:
    """One datagram a broken or hostile device might send: random bytes, a truncated ECHONET Lite header, or a frame
    whose counts and property lengths lie."""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 64))
    if kind == 1:
        return ECHONET_HEADER + rng.randbytes(rng.randrange(0, 10))
    # A format-1 frame (TID, SEOJ, DEOJ, ESV) announcing more properties than it carries.
    tid = rng.randbytes(2)
    eojs = bytes((0x02, 0x79, 0x01, 0x05, 0xFF, 0x01))
    esv = rng.choice((0x62, 0x72, 0x73, 0x52, 0xFF))
    return ECHONET_HEADER + tid + eojs + bytes((esv, rng.randrange(2, 255), 0x80, rng.randrange(5, 255), 0x30))


def send_garbage_datagrams(
    source: str, targets: list[tuple[str, int]], count: int, rng: random.Random, *, source_port: int = 0
) -> int:
    """Send `count` garbage datagrams from `source` (an address of this host) to each of `targets`; returns how many
    were sent. Default targets of a LAN: the multicast group and a controller's unicast port."""
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((source, source_port))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(source))
        for _ in range(count):
            data = garbage_datagram(rng)
            for target in targets:
                sock.sendto(data, target)
                sent += 1
    return sent


def lan_targets(controller: str) -> list[tuple[str, int]]:
    """The multicast group and `controller`'s ECHONET Lite port."""
    return [(GROUP, PORT), (controller, PORT)]


def cap_batches(node: EchonetNode, max_epcs: int | None) -> None:
    """The node answers at most `max_epcs` properties per request (None: no cap)."""
    if max_epcs is not None and max_epcs < 1:
        raise ValueError("max_epcs must be at least 1")
    node.faults.max_epcs = max_epcs


def serial_garbage(rng: random.Random, length: int = 48) -> bytes:
    """Bytes a glitching dongle might put on the line: noise, stray line ends and half an event line."""
    noise = rng.randbytes(max(1, length // 2))
    fragments = (b"\r\n", b"EVENT 2", b"ERXUDP FE80", b"\x00\xff", b"OK\r", b"FAIL ER")
    tail = b"".join(rng.choice(fragments) for _ in range(max(1, length // 8)))
    return noise + tail + b"\r\n"


def take_meter(port: DonglePort) -> bool:
    """Another controller takes the meter: our session ends (EVENT 26) and every join fails (EVENT 24) until
    `release_meter`. Returns whether a session was ended."""
    port.emulator.set_meter_busy(True)
    return port.emulator.terminate_session()


def release_meter(port: DonglePort) -> None:
    """The other controller lets the meter go: joins succeed again."""
    port.emulator.set_meter_busy(False)


def limit_transmission(port: DonglePort) -> None:
    """The dongle's ARIB air-time budget is used up now (EVENT 32); it is released an air-time window later."""
    port.emulator.exhaust_tx_budget()
