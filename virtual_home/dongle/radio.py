"""What the dongle shares between its command handlers and its PANA session: the air and the UART.

The air: the dongle's and the meter's link-local addresses and whether a frame to an address reaches the meter (its
address or FF02::1, on its channel S02 and PAN S03, in range). The UART: the lines that report what happened (OK,
FAIL, EVENT, ERXUDP) in the dialect's layout and the ERXUDP data mode kept in FLASH.
"""

from __future__ import annotations

from collections.abc import Callable

from .config import Dialect, DongleFlash, DongleOptions
from .lines import ALL_NODES, CRLF, erxudp_line, event_line, link_local
from .registers import RegisterFile
from .scheduler import Scheduler


class Radio:
    """The dongle's addresses, the meter's reachability (a fault knob) and the output lines."""

    def __init__(
        self,
        dialect: Dialect,
        options: DongleOptions,
        flash: DongleFlash,
        scheduler: Scheduler,
        registers: RegisterFile,
        out: Callable[[bytes], None],
    ) -> None:
        self.dialect = dialect
        self.options = options
        self.flash = flash
        self.scheduler = scheduler
        self.registers = registers
        self.out = out
        self.own_address = link_local(options.dongle_mac)
        self.meter_address = link_local(options.meter_mac)
        self.meter_reachable = options.meter_reachable
        self.meter_busy = options.meter_busy

    def meter_hears(self, address: bytes) -> bool:
        """Whether a frame sent to `address` now reaches the meter."""
        return (
            self.meter_reachable
            and address in (self.meter_address, ALL_NODES)
            and self.registers["S02"] == self.options.channel
            and self.registers["S03"] == self.options.pan_id
        )

    def ok(self) -> None:
        """`OK`."""
        self.out(b"OK" + CRLF)

    def fail(self, code: int, *, product: bool = False) -> None:
        """`FAIL ER<nn>` (CR-terminated after a product command)."""
        self.out(f"FAIL ER{code:02d}".encode("ascii") + (b"\r" if product else CRLF))

    def event(self, num: int, sender: bytes, param: int | None = None, side: int = 0) -> None:
        """`EVENT <num> <sender> [<side>] [<param>]`."""
        self.out(event_line(self.dialect, num, sender, param, side))

    def from_meter(self, *, dest: bytes, port: int, secured: bool, data: bytes) -> None:
        """An ERXUDP line for a datagram the meter sent (RSSI field with SA2=1 on the BP35C0 family)."""
        rssi = self.options.lqi if self.dialect is Dialect.BP35C0 and self.registers["SA2"] == 1 else None
        self.out(
            erxudp_line(
                self.dialect,
                sender=self.meter_address,
                dest=dest,
                rport=port,
                lport=port,
                sender_mac=self.options.meter_mac,
                secured=secured,
                data=data,
                hex_data=self.flash.erxudp_hex,
                rssi_lqi=rssi,
            )
        )
