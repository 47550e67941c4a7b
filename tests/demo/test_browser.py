"""Reading values the browser check finds in the page text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from demo.browser import (
    _circle_totals,
    energy_day_to_show,
    energy_values,
    find_chromium,
    shown_status,
    value_after,
    wait_for_plan,
)
from demo.errors import DemoError
from virtual_home.clock import JST


def test_energy_values_in_kwh() -> None:
    """HA's English number format, every energy unit."""
    text = "Generated energy 1,234.5 kWh Generation power 1,434 W Sold 800 Wh Year 1.2 MWh none kWhx"
    assert energy_values(text) == [1234.5, 0.8, 1200.0]


def test_circle_totals() -> None:
    """The distribution card's circles: grid and battery add both directions; other circles are ignored."""
    circles = [
        {"kind": "circle-container solar", "text": "Solar 12.4 kWh"},
        {"kind": "circle-container grid", "text": "Grid ← 4.4 kWh → 0 kWh"},
        {"kind": "circle-container battery", "text": "↓ 6.9 kWh ↑ 0.5 kWh"},
        {"kind": "circle-container gas", "text": "3 kWh"},
    ]
    assert _circle_totals(circles) == {"solar": 12.4, "grid": 4.4, "battery": pytest.approx(7.4)}


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a browser the error says how to get one."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CHROMIUM", raising=False)
    with pytest.raises(DemoError, match="scripts/setup --browser"):
        find_chromium()


def test_energy_day_to_show() -> None:
    """Before noon in Japan most of the imported past day is yesterday's: the check shows that day."""
    assert energy_day_to_show(datetime(2026, 12, 5, 4, 30, tzinfo=JST)) == 1
    assert energy_day_to_show(datetime(2026, 12, 5, 12, 0, tzinfo=JST)) == 0
    assert energy_day_to_show(datetime(2026, 12, 4, 20, 0, tzinfo=UTC)) == 1  # 05:00 the next day in Japan


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("Home energy Electricity cost today ¥1,234 CO2 today 0.4 kg", "Electricity cost today", 1234.0),
        ("Electricity cost today ¥0 CO2 today 0.0 kg", "CO2 today", 0.0),
        ("今日の電気料金 ￥56 明日の発電予測 19.9 kWh", "明日の発電予測", 19.9),
        ("Electricity cost today 12.5 JPY", "Electricity cost today", 12.5),
        ("Sales −3 JPY", "Sales", -3.0),
    ],
)
def test_value_after_a_row_name(text: str, label: str, expected: float) -> None:
    """The state after a row's name, with or without a currency sign; a digit in the name ("CO2") is not a value."""
    assert value_after(text, label) == expected


def test_value_after_unknown_or_absent_row() -> None:
    """An unknown state is no number, even when the next row's name has a digit; an absent row neither."""
    assert value_after("PV forecast tomorrow Unknown CO2 today 1.0 kg", "PV forecast tomorrow") is None
    assert value_after("Electricity cost today Unknown", "Electricity cost today") is None
    assert value_after("Price band day", "PV forecast tomorrow") is None


SENTENCES = {
    "running": "Following the plan",
    "idle": "Nothing to shift now",
    "off": "Dry run: the plan is shown, control is off",
    "no_plan": "No plan yet (waiting for the PV outlook)",
}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Solar charge status Following the plan", "running"),
        ("Solar charge status Nothing to shift now", "idle"),
        ("ソーラーチャージの状態 計画に従っています", None),  # not one of the given language's sentences
        ("Solar charge status Unknown", None),
        ("Solar charge status Unavailable", None),
        ("Solar charge status running", None),  # the untranslated key
        ("", None),
    ],
)
def test_shown_status(row: str, expected: str | None) -> None:
    """The status row reads one of the translated sentences, never unknown/unavailable or a bare key."""
    assert shown_status(row, SENTENCES) == expected


def test_shown_status_prefers_the_longest_sentence() -> None:
    """A sentence inside another (e.g. "Paused" in "Paused: ...") does not hide the one shown."""
    sentences = {"short": "Paused", "long": "Paused: a device was changed by hand"}
    assert shown_status("Status Paused: a device was changed by hand", sentences) == "long"


class _States:
    """A websocket whose `get_states` answers the status sensor's states in turn (the last one from then on)."""

    def __init__(self, *states: str) -> None:
        self._states: Iterator[str] = iter(states)
        self._last = states[-1]

    async def command(self, step: str, kind: str, **data: Any) -> list[dict[str, Any]]:
        assert kind == "get_states"
        self._last = next(self._states, self._last)
        return [{"entity_id": "sensor.status", "state": self._last, "attributes": {"error": "no_outlook"}}]


async def test_wait_for_plan_until_the_status_leaves_no_plan() -> None:
    """Unavailable and no_plan are waited out; the first other state is the answer."""
    assert await wait_for_plan(_States("unavailable", "no_plan", "idle"), "sensor.status", 60.0, 0.0) == "idle"  # type: ignore[arg-type]


async def test_wait_for_plan_fails_clearly() -> None:
    """Without a plan in time: which sensor, its state, its error and what the plan needs."""
    with pytest.raises(DemoError, match=r"sensor.status is still 'no_plan' after 0 s \(its error: no_outlook\)"):
        await wait_for_plan(_States("no_plan"), "sensor.status", within=0.0)  # type: ignore[arg-type]
