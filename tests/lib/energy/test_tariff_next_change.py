"""next_change: the next band edge across midnight, weekends and a national holiday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.echonet_hems.lib.energy import FLAT, TARIFF_PRESETS, Tariff
from custom_components.echonet_hems.lib.energy.tariff import JST


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def preset(key: str) -> Tariff:
    tariff = TARIFF_PRESETS[key].tariff
    assert isinstance(tariff, Tariff)
    return tariff


@pytest.mark.parametrize(
    ("key", "after", "expected"),
    [
        ("tepco-smart-life-s", "2026-06-01 23:10", "2026-06-02 01:00"),  # across midnight
        ("tepco-smart-life-s", "2026-06-02 01:00", "2026-06-02 06:00"),  # at an edge: the following one
        ("kansai-hapi-e-time", "2026-07-17 17:30", "2026-07-17 23:00"),  # Friday evening: night
        ("kansai-hapi-e-time", "2026-07-18 07:30", "2026-07-18 23:00"),  # Saturday: no daytime band
        ("kansai-hapi-e-time", "2026-07-19 23:30", "2026-07-20 07:00"),  # into Marine Day
        ("kansai-hapi-e-time", "2026-07-20 07:30", "2026-07-20 23:00"),  # holiday Monday: no daytime band
        ("kansai-hapi-e-time", "2026-07-21 07:30", "2026-07-21 10:00"),  # ordinary Tuesday: daytime at 10
    ],
)
def test_next_change(key: str, after: str, expected: str) -> None:
    assert preset(key).next_change(at(after)) == at(expected)


def test_next_change_of_a_utc_time_is_the_same_instant() -> None:
    after = datetime(2026, 6, 1, 14, 10, tzinfo=UTC)  # 23:10 JST
    assert preset("tepco-smart-life-s").next_change(after) == at("2026-06-02 01:00")


def test_single_band_tariff_has_no_change() -> None:
    assert FLAT.next_change(at("2026-06-01 12:00")) is None
    assert not FLAT.is_time_of_use
