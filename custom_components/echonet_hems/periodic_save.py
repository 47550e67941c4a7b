"""Saving a `Store` whose data keeps changing: written soon after a change, and regularly while changes go on."""

from __future__ import annotations

from collections.abc import Callable
import math
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store


class PeriodicSave:
    """Asks `store` for a delayed save at most once per `delay` seconds.

    `Store.async_delay_save` moves a pending write to the newest call's delay (Home Assistant's
    `helpers/storage.py`): called more often than its delay, as a coordinator updating every 30 s with a 60-s delay
    did, it never writes until Home Assistant stops, and a power cut loses everything since the last clean stop.
    Asking once per window lets the pending write happen; `data_func` is called when it does, so it writes the newest
    data."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: Store[Any],
        data_func: Callable[[], Any],
        delay: float,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`clock`: monotonic seconds (default: the event loop's time)."""
        self._store, self._data_func, self._delay = store, data_func, delay
        self._clock = clock or hass.loop.time
        self._due = -math.inf  # when the save asked for last will have been written

    def request(self) -> None:
        """The data changed: save it within `delay` seconds."""
        now = self._clock()
        if now < self._due:
            return  # a save is pending and will write the newest data
        self._due = now + self._delay
        self._store.async_delay_save(self._data_func, self._delay)
