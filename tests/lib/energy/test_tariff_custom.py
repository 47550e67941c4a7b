"""Custom tariffs: the text form, every validation error, equivalence with presets, the day preview."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from custom_components.echonet_hems.lib.energy import (
    KEPCO_3BAND,
    TEPCO_SMART_LIFE_S,
    CustomBand,
    CustomTariffSpec,
    DayType,
    TariffSpecError,
    custom_tariff,
    day_preview,
    parse_bands,
)
from custom_components.echonet_hems.lib.energy.tariff import JST

TEPCO_TEXT = """
# TEPCO Smart Life S
night 01-06 27.86
day   06-01 35.76
"""

KEPCO_TEXT = """
night          23-07 15.20
daytime_summer 10-17 28.96 weekday 7-9
daytime        10-17 26.33 weekday 10-6
living         07-10 22.89 weekday
living         17-23 22.89 weekday
living         07-23 22.89 dayoff
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def build(text: str) -> CustomTariffSpec:
    return CustomTariffSpec(parse_bands(text), sell_price=8.5, renewable_levy=3.98)


def test_parse_reads_hours_day_types_and_wrapping_months() -> None:
    bands = parse_bands(KEPCO_TEXT)
    assert bands[1] == CustomBand("daytime_summer", 28.96, 10, 17, frozenset({DayType.WEEKDAY}), frozenset({7, 8, 9}))
    assert bands[2].months == frozenset({10, 11, 12, 1, 2, 3, 4, 5, 6})
    assert bands[0].hours() == (23, 0, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(("text", "reference"), [(TEPCO_TEXT, TEPCO_SMART_LIFE_S), (KEPCO_TEXT, KEPCO_3BAND)])
@pytest.mark.parametrize(
    "when",
    [
        "2025-06-02 00:30",
        "2025-06-02 05:59",
        "2025-06-02 06:00",
        "2025-08-04 12:00",
        "2025-06-02 12:00",
        "2025-06-01 12:00",
        "2025-05-05 12:00",
        "2025-06-02 08:00",
        "2025-06-02 23:00",
        "2025-12-31 16:00",
    ],
)
def test_custom_tariff_prices_like_the_preset(text: str, reference: object, when: str) -> None:
    tariff = custom_tariff(build(text))
    assert tariff.buy_price(at(when)) == pytest.approx(reference.buy_price(at(when)))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("# only a comment\n\n", "empty"),
        ("night 01-06", "bad_syntax"),
        ("night 01-06 cheap", "bad_syntax"),
        ("day 06-01 35.76 sometimes", "bad_syntax"),
        ("day 06-01 35.76 weekday 13", "bad_syntax"),
        ("night 01-25 27.86", "bad_hour"),
        ("night 06-06 27.86", "bad_hour"),
        ("night 00-24 -1.0", "negative_price"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(TariffSpecError) as caught:
        parse_bands(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("all 00-24 30\nnight 01-06 20", "overlap", "month 1, weekday, 01h: all, night"),
        ("night 01-06 20", "gap", "month 1, weekday, 00h"),
        ("all 00-24 30 weekday", "gap", "month 1, day_off, 00h"),
        ("summer 00-24 30 7-9\nrest 00-24 25 10-5", "gap", "month 6, weekday, 00h"),
    ],
)
def test_coverage_errors(text: str, code: str, where: str) -> None:
    with pytest.raises(TariffSpecError) as caught:
        custom_tariff(build(text))
    assert (caught.value.code, caught.value.detail) == (code, where)


def test_spec_errors_without_text() -> None:
    with pytest.raises(TariffSpecError) as caught:
        custom_tariff(CustomTariffSpec((), sell_price=8.5))
    assert caught.value.code == "empty"
    with pytest.raises(TariffSpecError) as caught:
        custom_tariff(CustomTariffSpec((CustomBand("x", 30.0, 0, 24),), sell_price=-1.0))
    assert caught.value.code == "negative_price"
    with pytest.raises(TariffSpecError) as caught:
        custom_tariff(CustomTariffSpec((CustomBand("x", 30.0, 3, 30),), sell_price=8.5))
    assert caught.value.code == "bad_hour"


def test_fuel_adjustment_and_levy_are_applied() -> None:
    spec = CustomTariffSpec(parse_bands("flat 00-24 30"), sell_price=8.5, renewable_levy=4.18, fuel_adjustment=-2.0)
    assert custom_tariff(spec).buy_price(at("2026-03-01 12:00")) == pytest.approx(30 + 4.18 - 2.0)


def test_day_preview_merges_hours() -> None:
    tariff = custom_tariff(build(TEPCO_TEXT))
    assert day_preview(tariff, date(2025, 6, 2)) == (
        (0, 1, "day", 39.74),  # 35.76 + 3.98, rounded to 4 decimals by the preview
        (1, 6, "night", 31.84),  # 27.86 + 3.98
        (6, 24, "day", 39.74),
    )


def test_day_preview_of_a_holiday() -> None:
    tariff = custom_tariff(build(KEPCO_TEXT))
    preview = day_preview(tariff, date(2025, 5, 5))  # Children's Day: no daytime band
    assert [(start, end, name) for start, end, name, _ in preview] == [
        (0, 7, "night"),
        (7, 23, "living"),
        (23, 24, "night"),
    ]
