"""Cost and sales of 30-minute meter values; a tiered month that starts again at a new calendar month (JST)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.echonet_hems.lib.energy import (
    TARIFF_PRESETS,
    TEPCO_SMART_LIFE_S,
    cost_of_intervals,
    sales_of_intervals,
)
from custom_components.echonet_hems.lib.energy.tariff import JST


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def test_tiered_month_crosses_120_and_restarts_next_month() -> None:
    tariff = TARIFF_PRESETS["kyushu-jyuryo-b"].tariff
    intervals = [
        (at("2026-06-30 23:30"), 10.0),  # 115 → 125 kWh: 5 kWh at 18.37, 5 kWh at 23.97
        (datetime(2026, 6, 30, 15, 0, tzinfo=UTC), 10.0),  # 2026-07-01 00:00 JST: a new month, 10 kWh at 18.37
    ]
    result = cost_of_intervals(tariff, intervals, month_kwh_before=115.0)
    # 5×18.37 + 5×23.97 + 10×18.37 + 20×4.18 = 91.85 + 119.85 + 183.7 + 83.6 = 479.0
    assert result.buy_yen == pytest.approx(479.0)
    assert dict(result.kwh_per_band) == {"step1": pytest.approx(15.0), "step2": pytest.approx(5.0)}
    assert result.month_kwh_after == pytest.approx(10.0)


def test_tiered_month_crosses_300() -> None:
    tariff = TARIFF_PRESETS["kyushu-jyuryo-b"].tariff
    intervals = [(at("2026-06-30 12:00"), 4.0), (at("2026-06-30 12:30"), 4.0)]
    result = cost_of_intervals(tariff, intervals, month_kwh_before=298.0)
    # 2 kWh at 23.97, 6 kWh at 26.97, 8 kWh × 4.18: 47.94 + 161.82 + 33.44 = 243.2
    assert result.buy_yen == pytest.approx(243.2)
    assert result.per_band["step3"] == pytest.approx(6 * (26.97 + 4.18))


def test_time_of_use_per_band() -> None:
    result = cost_of_intervals(TEPCO_SMART_LIFE_S, [(at("2025-06-02 01:00"), 2.0), (at("2025-06-02 06:00"), 1.0)])
    assert result.per_band == {"night": pytest.approx(2 * 31.84), "day": pytest.approx(39.74)}
    assert result.buy_yen == pytest.approx(2 * 31.84 + 39.74)


def test_empty_and_bad_input() -> None:
    assert cost_of_intervals(TEPCO_SMART_LIFE_S, []).buy_yen == 0.0
    with pytest.raises(ValueError, match="time order"):
        cost_of_intervals(TEPCO_SMART_LIFE_S, [(at("2025-06-02 06:00"), 1.0), (at("2025-06-02 05:30"), 1.0)])
    with pytest.raises(ValueError, match="negative"):
        cost_of_intervals(TEPCO_SMART_LIFE_S, [(at("2025-06-02 06:00"), -1.0)])


def test_sales() -> None:
    assert sales_of_intervals(8.5, [(at("2025-06-02 12:00"), 1.5), (at("2025-06-02 12:30"), 0.5)]) == pytest.approx(
        17.0
    )
