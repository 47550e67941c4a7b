"""Per-circuit metering of a power distribution board (0x0287): power and cumulative energy of every channel.

The board answers per-channel lists (B3: energy, B7: power) for the channel range last written to B2/B6, and other
controllers (a commercial HEMS controller initialises and reads those same ranges) use them too: we do not fight
them. Before the first poll the number of channels (B1) and both ranges are read. A range that already covers
channels 1..n is used as it is: nothing is written, and each poll is one Get with the lists in the object's bundled
request. A range that does not is borrowed for each poll: ours is written (SetC), the poll reads the lists, and the
range that was there is written back. A reply whose list no longer covers 1..n (another controller changed the range,
or the board rebooted) makes the next poll read the ranges again. When the number of channels becomes known, the
platforms are told (a dispatcher signal) and add one power and one energy sensor per circuit, without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Final

from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN
from .lib.echonet.discovery import ObjectInfo
from .lib.echonet.frame import Property
from .lib.echonet.ids import BOARD as BOARD_CLASS
from .lib.echonet.specs.channels import ChannelReadings, decode_channel_list, encode_channel_range, max_channel_count
from .lib.errors import HemsError, ProtocolError
from .object_coordinator import EchonetObjectCoordinator, ObjectData

_LOGGER = logging.getLogger(__name__)

EPC_CHANNELS: Final = 0xB1  # number of measurement channels (simplex)
EPC_UNIT: Final = 0xC2
ENERGY_RANGE, ENERGY_LIST = 0xB2, 0xB3
POWER_RANGE, POWER_LIST = 0xB6, 0xB7


def signal_new_channels(entry_id: str) -> str:
    """Dispatcher signal sent with a `DistributionBoardCoordinator` once its number of channels is known."""
    return f"{DOMAIN}_{entry_id}_new_channels"


def measures_channels(info: ObjectInfo) -> bool:
    """Whether the object is a board that can list its channels (count, both ranges settable, both lists)."""
    return (
        info.eoj.class_id == BOARD_CLASS
        and {EPC_CHANNELS, ENERGY_LIST, POWER_LIST} <= info.get_map
        and {ENERGY_RANGE, POWER_RANGE} <= info.set_map
    )


class DistributionBoardCoordinator(EchonetObjectCoordinator):
    """An object coordinator that also reads the board's channel lists (see the module docstring). Built like any
    object coordinator; these start unknown."""

    channel_count: int | None = None
    # Range EPC → the EDT the board had (read before the first list poll; None: to be read).
    _board_ranges: dict[int, bytes] | None = None
    _lists_release: Callable[[], None] | None = None
    # Writes of the board's ranges (ours before a poll, theirs after it): a figure for the soak and diagnostics.
    range_writes: int = 0

    @property
    def channels(self) -> range:
        """The channel numbers read (1..n; empty while unknown)."""
        if self.channel_count is None:
            return range(0)
        return range(1, min(self.channel_count, max_channel_count(POWER_RANGE)) + 1)

    @property
    def borrowed_ranges(self) -> frozenset[int]:
        """The range EPCs whose board setting does not cover our channels: written for each poll, then restored."""
        if self._board_ranges is None:
            return frozenset()
        return frozenset(epc for epc, edt in self._board_ranges.items() if not self._covers(edt))

    def channel_values(self, list_epc: int) -> dict[int, float]:
        """Channel → value (W for B7, kWh for B3) from the last poll; empty while unknown or undecodable."""
        if self.data is None or (edt := self.data.values.get(list_epc)) is None:
            return {}
        try:
            readings = decode_channel_list(list_epc, edt, self.data.values.get(EPC_UNIT))
        except ProtocolError as err:
            _LOGGER.debug("%s: cannot decode channel list 0x%02X: %s", self.object_id, list_epc, err)
            return {}
        return {
            channel: float(value)
            for channel, value in readings.by_channel().items()
            if channel in self.channels and isinstance(value, int | float) and not isinstance(value, bool)
        }

    async def _async_update_data(self) -> ObjectData:
        if self.channel_count is None:
            await self._read_channel_count()
        if self.channel_count is not None and self._board_ranges is None:
            await self._read_ranges()
        borrowed = await self._borrow_ranges()
        try:
            data = await super()._async_update_data()
        finally:
            await self._restore_ranges(borrowed)
        self._check_ranges(data)
        return data

    async def _read_channel_count(self) -> None:
        try:
            result = await self.client.get(self.node.address, self.info.eoj, [EPC_CHANNELS])
        except HemsError as err:
            _LOGGER.debug("%s: number of channels not read: %s", self.object_id, err)
            return  # the regular poll reports the failure
        edt = result.values.get(EPC_CHANNELS)
        if edt is None or len(edt) != 1 or not 1 <= edt[0] <= 0xFC:
            _LOGGER.debug("%s: no usable number of channels (B1 = %s)", self.object_id, edt)
            return
        self.channel_count = edt[0]
        async_dispatcher_send(self.hass, signal_new_channels(self.config_entry.entry_id), self)

    async def _read_ranges(self) -> None:
        """What the board's ranges are now; the lists join the poll once they are known."""
        try:
            result = await self.client.get(self.node.address, self.info.eoj, [ENERGY_RANGE, POWER_RANGE])
        except HemsError as err:
            _LOGGER.debug("%s: channel ranges not read: %s", self.object_id, err)
            return  # the regular poll reports the failure; the next one reads them again
        # A range the board cannot report (SNA) counts as not covering: ours is written for the poll, and the empty
        # EDT is not written back.
        self._board_ranges = {epc: result.values.get(epc, b"") for epc in (ENERGY_RANGE, POWER_RANGE)}
        if self._lists_release is None:
            self._lists_release = self.want((ENERGY_LIST, POWER_LIST))

    def _covers(self, edt: bytes) -> bool:
        """Whether a range EDT (start, count) includes channels 1..n."""
        return len(edt) == 2 and edt[0] <= 1 and edt[0] + edt[1] - 1 >= len(self.channels)

    async def _borrow_ranges(self) -> dict[int, bytes]:
        """Write our range where the board's does not cover us; returns what to restore (EPC → their EDT)."""
        borrowed = self.borrowed_ranges
        if not borrowed or self._board_ranges is None:
            return {}
        count = len(self.channels)
        properties = [Property(epc, encode_channel_range(1, count, epc)) for epc in sorted(borrowed)]
        try:
            result = await self.client.set(self.node.address, self.info.eoj, properties)
        except HemsError as err:
            _LOGGER.debug("%s: channel range not written: %s", self.object_id, err)
            return {}  # the lists of this poll show whatever range the board has; the next poll tries again
        self.range_writes += 1
        if result.rejected:
            _LOGGER.debug("%s: the board refused the channel range %s", self.object_id, sorted(result.rejected))
            self._drop_lists()
        restore: dict[int, bytes] = {}
        for prop in properties:
            if prop.epc not in result.accepted:
                continue
            if self._board_ranges[prop.epc]:
                restore[prop.epc] = self._board_ranges[prop.epc]
            else:
                self._board_ranges[prop.epc] = prop.edt  # unreadable: ours stays, as nobody else's can be seen
        return restore

    async def _restore_ranges(self, borrowed: dict[int, bytes]) -> None:
        """Write back the ranges another controller (or the board's default) had."""
        if not borrowed:
            return
        properties = [Property(epc, edt) for epc, edt in sorted(borrowed.items())]
        try:
            await self.client.set(self.node.address, self.info.eoj, properties)
        except HemsError as err:
            _LOGGER.debug("%s: channel range not restored: %s", self.object_id, err)
            return
        self.range_writes += 1

    def _drop_lists(self) -> None:
        """A board that refuses a range we need: its lists stay out of the poll (the rest of the object works)."""
        release, self._lists_release = self._lists_release, None
        if release is not None:
            release()

    def _check_ranges(self, data: ObjectData) -> None:
        """A list reply that no longer covers our channels: read the board's ranges again before the next poll."""
        if self._board_ranges is None or self._lists_release is None:
            return
        for list_epc in (ENERGY_LIST, POWER_LIST):
            edt = data.values.get(list_epc)
            if edt is None:
                continue
            try:
                readings: ChannelReadings = decode_channel_list(list_epc, edt, data.values.get(EPC_UNIT))
            except ProtocolError:
                continue
            start = readings.start_channel
            if start is None or start > 1 or start + len(readings.values) - 1 < len(self.channels):
                _LOGGER.debug("%s: the board lists another channel range; reading its ranges again", self.object_id)
                self._board_ranges = None
