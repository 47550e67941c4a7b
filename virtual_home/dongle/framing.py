"""Splitting the controller's byte stream into command lines and SKSENDTO data (PROTOCOL.md §3.2).

A command ends with CRLF, CR (the product commands WOPT/ROPT end with CR only) or a lone LF; a CR and the LF after it,
even in the next chunk, count as one line end. SKSENDTO is different: once its header has all its arguments and the
space after the length, the next DATALEN bytes are raw data (not line-terminated, possibly containing CR/LF).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

MAX_LINE: Final = 512  # longer input without a line end is an input error (ER09); the rest of that line is dropped
_SENDTO: Final = b"SKSENDTO "


class CommandFramer:
    """Feed bytes in any chunking; get `on_line(line)` per command line and `on_sendto_data(data)` per SKSENDTO.

    `on_sendto_header(header, tokens)` sees a complete header (the text up to and including the space after the
    length, and its tokens) and returns how many data bytes to collect, or None when it rejected the header.
    """

    def __init__(
        self,
        sendto_tokens: int,
        *,
        on_line: Callable[[bytes], None],
        on_sendto_header: Callable[[bytes, list[bytes]], int | None],
        on_sendto_data: Callable[[bytes], None],
        on_overflow: Callable[[], None],
    ) -> None:
        self._sendto_tokens = sendto_tokens
        self._on_line = on_line
        self._on_sendto_header = on_sendto_header
        self._on_sendto_data = on_sendto_data
        self._on_overflow = on_overflow
        self._buffer = bytearray()
        self._skip_lf = False
        self._overflow = False
        self._data_needed: int | None = None
        self._data = bytearray()

    @property
    def collecting_data(self) -> bool:
        """Whether SKSENDTO data bytes are awaited."""
        return self._data_needed is not None

    def feed(self, data: bytes) -> None:
        """Bytes from the controller."""
        index, size = 0, len(data)
        while index < size:
            if self._data_needed is not None:
                take = min(self._data_needed - len(self._data), size - index)
                self._data += data[index : index + take]
                index += take
                if len(self._data) >= self._data_needed:
                    self._deliver_data()
                continue
            byte = data[index]
            index += 1
            if self._skip_lf:
                self._skip_lf = False
                if byte == 0x0A:
                    continue
            if byte in (0x0D, 0x0A):
                self._skip_lf = byte == 0x0D
                line = bytes(self._buffer)
                self._buffer.clear()
                if self._overflow:
                    self._overflow = False
                else:
                    self._on_line(line)
                continue
            if self._overflow:
                continue
            self._buffer.append(byte)
            if len(self._buffer) > MAX_LINE:
                self._buffer.clear()
                self._overflow = True
                self._on_overflow()
            elif byte == 0x20 and self._buffer[: len(_SENDTO)].upper() == _SENDTO:
                self._sendto_header_progress()

    def _sendto_header_progress(self) -> None:
        tokens = bytes(self._buffer).split()
        if len(tokens) < self._sendto_tokens:
            return
        header = bytes(self._buffer)
        self._buffer.clear()
        length = self._on_sendto_header(header, tokens)
        if length is None:
            return
        self._data_needed = length
        self._data.clear()
        if length == 0:
            self._deliver_data()

    def _deliver_data(self) -> None:
        data = bytes(self._data)
        self._data_needed = None
        self._data.clear()
        self._on_sendto_data(data)
