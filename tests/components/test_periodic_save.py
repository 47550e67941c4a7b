"""`PeriodicSave`: a Store asked for a delayed save at most once per delay, so the save happens while the data keeps
changing (Home Assistant's Store postpones a pending write to the newest call's delay)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from custom_components.echonet_hems.periodic_save import PeriodicSave


class RecordingStore:
    """Records when a save was asked for, its delay and what it would write."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.asked: list[tuple[float, float, Any]] = []

    def async_delay_save(self, data_func: Callable[[], Any], delay: float) -> None:
        self.asked.append((self.clock(), delay, data_func()))


async def test_changes_every_30_s_are_saved_every_minute(hass: HomeAssistant) -> None:
    now = [0.0]
    data = {"n": 0}
    store = RecordingStore(lambda: now[0])
    saver = PeriodicSave(hass, cast(Store[Any], store), lambda: dict(data), 60.0, clock=lambda: now[0])
    for step in range(21):  # a change every 30 s for 10 minutes
        now[0], data["n"] = step * 30.0, step
        saver.request()
    assert [at for at, _, _ in store.asked] == [60.0 * k for k in range(11)]
    assert {delay for _, delay, _ in store.asked} == {60.0}


async def test_the_event_loop_is_the_default_clock(hass: HomeAssistant) -> None:
    store = RecordingStore(hass.loop.time)
    saver = PeriodicSave(hass, cast(Store[Any], store), dict, 60.0)
    saver.request()
    saver.request()
    assert len(store.asked) == 1
