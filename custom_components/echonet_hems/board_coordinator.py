"""Per-circuit metering of a power distribution board (0x0287): power and cumulative energy of every channel.

The board answers per-channel lists (B3: energy, B7: power) for the channel range last written to B2/B6. Before the
first poll the number of channels (B1) is read and the range (channels 1..n) written once; it stays on the device,
so each poll is still one Get: the lists ride in the object's bundled request. Every reply repeats its start and
count; a board that forgot the range (a reboot) is noticed there and the range is written again before the next
poll. When the number of channels becomes known, the platforms are told (a dispatcher signal) and add one power and
one energy sensor per circuit, without a restart.
"""

from __future__ import annotations

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
    """An object coordinator that also reads the board's channel lists (they join the poll once their range is
    written). Built like any object coordinator; these start unknown / unwritten."""

    channel_count: int | None = None
    _range_written: bool = False

    @property
    def channels(self) -> range:
        """The channel numbers read (1..n; empty while unknown)."""
        if self.channel_count is None:
            return range(0)
        return range(1, min(self.channel_count, max_channel_count(POWER_RANGE)) + 1)

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
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    async def _async_update_data(self) -> ObjectData:
        if self.channel_count is None:
            await self._read_channel_count()
        if self.channel_count is not None and not self._range_written:
            await self._write_ranges()
        data = await super()._async_update_data()
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

    async def _write_ranges(self) -> None:
        count = len(self.channels)
        properties = [
            Property(ENERGY_RANGE, encode_channel_range(1, count, ENERGY_RANGE)),
            Property(POWER_RANGE, encode_channel_range(1, count, POWER_RANGE)),
        ]
        try:
            result = await self.client.set(self.node.address, self.info.eoj, properties)
        except HemsError as err:
            _LOGGER.debug("%s: channel range not written: %s", self.object_id, err)
            return  # the lists stay out of the poll; the next poll tries again
        if result.rejected:
            _LOGGER.debug("%s: the board refused the channel range %s", self.object_id, sorted(result.rejected))
            return
        self._range_written = True
        self.want((ENERGY_LIST, POWER_LIST))

    def _check_ranges(self, data: ObjectData) -> None:
        """A list reply for another range means the board forgot ours: write it again before the next poll."""
        if not self._range_written:
            return
        for list_epc in (ENERGY_LIST, POWER_LIST):
            edt = data.values.get(list_epc)
            if edt is None:
                continue
            try:
                readings: ChannelReadings = decode_channel_list(list_epc, edt, data.values.get(EPC_UNIT))
            except ProtocolError:
                continue
            if readings.start_channel != 1 or len(readings.values) != len(self.channels):
                _LOGGER.debug("%s: the board lists another channel range; writing ours again", self.object_id)
                self._range_written = False
