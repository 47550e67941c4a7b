"""Tariff presets: every one builds and is cited; a known day's cost under three presets; Kansai's holiday rule."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from custom_components.echonet_hems.lib.energy import (
    KEPCO_3BAND,
    TARIFF_PRESETS,
    GridArea,
    Tariff,
    TieredTariff,
    cost_of_intervals,
    presets_for,
)
from custom_components.echonet_hems.lib.energy.tariff import ALL_DAY_TYPES, ALL_MONTHS, JST

LEVY = 4.18  # FY2026 renewable levy, in every preset


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize("key", sorted(TARIFF_PRESETS))
def test_every_preset_is_complete_and_cited(key: str) -> None:
    preset = TARIFF_PRESETS[key]
    assert preset.key == key == preset.tariff.name
    assert isinstance(preset.area, GridArea)
    assert preset.source.startswith("https://")
    assert date(2022, 1, 1) <= preset.taken <= date(2026, 12, 31)
    assert preset.name_ja
    assert preset.tariff.renewable_levy == LEVY
    tariff = preset.tariff
    if isinstance(tariff, Tariff):
        last = tariff.bands[-1]  # the catch-all: every hour of every day is priced
        assert last.months == ALL_MONTHS
        assert last.day_types == ALL_DAY_TYPES
        assert last.start_hour % 24 == last.end_hour % 24
        assert tariff.is_time_of_use
    else:
        assert isinstance(tariff, TieredTariff)
        assert tariff.steps[-1].up_to_kwh is None
        assert not tariff.is_time_of_use


def test_presets_for_lists_time_of_use_first() -> None:
    assert [p.key for p in presets_for(GridArea.KANSAI)] == ["kansai-hapi-e-time", "kansai-jyuryo-a"]
    assert [p.key for p in presets_for(GridArea.CHUGOKU)] == ["chugoku-jyuryo-a", "chugoku-jyuryo-b"]
    assert [p.key for p in presets_for(GridArea.CHUBU)] == ["chubu-jyuryo-b"]
    assert presets_for(GridArea.OKINAWA) == ()


# A weekday in June (Monday 2026-06-01, no holiday): bought kWh per 30-minute interval.
KNOWN_DAY = [
    (at("2026-06-01 00:30"), 1.0),
    (at("2026-06-01 03:00"), 2.0),
    (at("2026-06-01 12:00"), 1.5),
    (at("2026-06-01 18:30"), 0.5),
    (at("2026-06-01 23:30"), 1.0),
]


@pytest.mark.parametrize(
    ("key", "expected_yen"),
    [
        # TEPCO Smart Life S: day 35.76 (06-01 h), night 27.86 (01-06 h), +4.18 levy.
        # 00:30 day 1.0×39.94 + 03:00 night 2.0×32.04 + 12:00 day 1.5×39.94 + 18:30 day 0.5×39.94 + 23:30 day 1.0×39.94
        # = 39.94 + 64.08 + 59.91 + 19.97 + 39.94 = 223.84
        ("tepco-smart-life-s", 223.84),
        # Kansai Hapi e-Time, June weekday: night 15.20 (23-07), daytime 26.33 (10-17), living 22.89, +4.18.
        # 00:30 night 1.0×19.38 + 03:00 night 2.0×19.38 + 12:00 daytime 1.5×30.51 + 18:30 living 0.5×27.07
        # + 23:30 night 1.0×19.38 = 19.38 + 38.76 + 45.765 + 13.535 + 19.38 = 136.82
        ("kansai-hapi-e-time", 136.82),
        # Hokkaido e-Time 3: night 26.74 (22-08), morning/evening 43.61, afternoon 51.02 (13-18), +4.18.
        # 00:30 night 1.0×30.92 + 03:00 night 2.0×30.92 + 12:00 morning 1.5×47.79 + 18:30 evening 0.5×47.79
        # + 23:30 night 1.0×30.92 = 30.92 + 61.84 + 71.685 + 23.895 + 30.92 = 219.26
        ("hokkaido-e-time-3", 219.26),
    ],
)
def test_cost_of_a_known_day(key: str, expected_yen: float) -> None:
    result = cost_of_intervals(TARIFF_PRESETS[key].tariff, KNOWN_DAY)
    assert result.buy_yen == pytest.approx(expected_yen)
    assert result.kwh == pytest.approx(6.0)
    assert sum(result.per_band.values()) == pytest.approx(expected_yen)


def test_kansai_daytime_band_follows_the_holiday_rule() -> None:
    tariff = TARIFF_PRESETS["kansai-hapi-e-time"].tariff
    assert isinstance(tariff, Tariff)
    # Marine Day, Monday 2026-07-20: a national holiday on a weekday has no daytime band.
    assert tariff.band_name_at(at("2026-07-20 09:59")) == "living"
    assert tariff.band_name_at(at("2026-07-20 10:00")) == "living"
    assert tariff.buy_price_at(at("2026-07-20 10:00")) == pytest.approx(22.89 + LEVY)
    # The next day, an ordinary Tuesday, the summer daytime band starts at 10:00.
    assert tariff.band_name_at(at("2026-07-21 09:59")) == "living"
    assert tariff.buy_price_at(at("2026-07-21 10:00")) == pytest.approx(28.96 + LEVY)
    # May 1 is one of Kansai's own days off (休日扱い日) though not a national holiday.
    assert tariff.band_name_at(at("2026-05-01 12:00")) == "living"
    assert tariff.band_name_at(at("2026-04-28 12:00")) == "daytime"


def test_planner_preset_unchanged() -> None:
    # The planner's KEPCO preset keeps national holidays only: 2025-05-01 (a Thursday) stays a weekday there.
    assert KEPCO_3BAND.band_at(at("2025-05-01 12:00")).name == "daytime"
    assert KEPCO_3BAND.renewable_levy == pytest.approx(3.98)


@pytest.mark.parametrize(
    ("key", "steps"),
    [
        ("chubu-jyuryo-b", [("step1", 21.20, 120.0), ("step2", 25.67, 300.0), ("step3", 28.62, None)]),
        (
            "chugoku-jyuryo-a",
            [("minimum", 0.0, 15.0), ("step1", 32.75, 120.0), ("step2", 39.43, 300.0), ("step3", 41.55, None)],
        ),
        ("chugoku-jyuryo-b", [("step1", 30.06, 120.0), ("step2", 36.15, 300.0), ("step3", 38.02, None)]),
    ],
)
def test_tiered_steps_as_published(key: str, steps: list[tuple[str, float, float | None]]) -> None:
    tariff = TARIFF_PRESETS[key].tariff
    assert isinstance(tariff, TieredTariff)
    assert [(step.name, step.price, step.up_to_kwh) for step in tariff.steps] == steps


@pytest.mark.parametrize(
    ("key", "month_kwh_before", "expected_yen", "expected_per_band"),
    [
        # Chubu 従量電灯B after 118.5 kWh this month; step 1 21.20, step 2 25.67 (from 120 kWh), +4.18 levy.
        # 00:30 1.0 kWh step1 (118.5-119.5) 25.38; 03:00 2.0 kWh = 0.5 step1 12.69 + 1.5 step2 1.5×29.85 44.775;
        # 12:00 1.5 step2 44.775; 18:30 0.5 step2 14.925; 23:30 1.0 step2 29.85.
        # step1 25.38 + 12.69 = 38.07; step2 44.775 + 44.775 + 14.925 + 29.85 = 134.325; total 172.395
        ("chubu-jyuryo-b", 118.5, 172.395, {"step1": 38.07, "step2": 134.325}),
        # Chugoku 従量電灯A after 12 kWh: the first 15 kWh are in the minimum charge (priced 0, levy only), then
        # step 1 32.75 +4.18 = 36.93. 00:30 1.0 + 03:00 2.0 kWh minimum: 3.0×4.18 = 12.54;
        # 12:00 1.5 + 18:30 0.5 + 23:30 1.0 = 3.0 kWh step1: 3.0×36.93 = 110.79; total 123.33
        ("chugoku-jyuryo-a", 12.0, 123.33, {"minimum": 12.54, "step1": 110.79}),
    ],
)
def test_cost_of_a_known_day_on_a_tiered_preset(
    key: str, month_kwh_before: float, expected_yen: float, expected_per_band: dict[str, float]
) -> None:
    result = cost_of_intervals(TARIFF_PRESETS[key].tariff, KNOWN_DAY, month_kwh_before=month_kwh_before)
    assert result.buy_yen == pytest.approx(expected_yen)
    assert dict(result.per_band) == pytest.approx(expected_per_band)
    assert result.month_kwh_after == pytest.approx(month_kwh_before + 6.0)
