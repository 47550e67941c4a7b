"""Forecast functions: clear sky, system factor, error learning, quantiles, nowcast, history profiles."""

from __future__ import annotations

from datetime import date, datetime, timedelta
import math
from statistics import NormalDist

import pytest

from custom_components.echonet_hems.lib.energy import DayHistory, DayType, ForecastError, PVSite
from custom_components.echonet_hems.lib.energy.forecast import (
    clear_sky_pv_kw,
    cloud_factor,
    hot_water_forecast,
    learn_forecast_error,
    learn_system_factor,
    load_forecast,
    nowcast,
    pv_expected,
    pv_forecast_from_cloud,
    pv_quantile,
    pv_scenarios,
    recent_days,
    sunny_history_days,
)
from custom_components.echonet_hems.lib.energy.tariff import JST


def day(n: int, kind: DayType, load: float, pv: float, clear: float = 30.0) -> DayHistory:
    return DayHistory(
        day=date(2025, 5, 1) + timedelta(days=n),
        kind=kind,
        load_kw=(load,) * 48,
        pv_kwh=pv,
        clear_sky_pv_kwh=clear,
        hot_water_kwh_th=(load / 10,) * 48,
    )


def test_clear_sky_profile_is_a_plausible_day() -> None:
    site = PVSite(capacity_kw=5.0)
    profile = clear_sky_pv_kw(datetime(2025, 5, 1, tzinfo=JST), 48, site)
    assert profile[0] == 0.0
    assert profile[47] == 0.0
    noon = max(range(48), key=lambda i: profile[i])
    assert 22 <= noon <= 24  # around 11:00-12:30 JST in Tokyo
    assert 25.0 < sum(profile) * 0.5 < 45.0  # kWh on a clear May day before the system factor
    assert max(profile) <= 5.0


def test_cloud_factor_and_pv_forecast() -> None:
    assert cloud_factor(0.0) == 1.0
    assert cloud_factor(1.0) == pytest.approx(0.25)
    assert cloud_factor(2.0) == pytest.approx(0.25)
    assert pv_forecast_from_cloud([1.0, 6.0], [0.0, 0.0], 0.8, 4.5) == [pytest.approx(0.8), 4.5]


def test_system_factor_needs_history_and_uses_clear_days() -> None:
    assert learn_system_factor([day(0, DayType.WEEKDAY, 0.5, 24.0)]) is None
    history = [day(i, DayType.WEEKDAY, 0.5, pv) for i, pv in enumerate([24.0, 6.0, 12.0, 23.0, 3.0])]
    assert learn_system_factor(history) == pytest.approx(0.8)


def test_forecast_error_and_quantile() -> None:
    error = learn_forecast_error([10.0, 10.0, 10.0, 0.0], [20.0, 5.0, 10.0, 3.0])
    assert error.days == 3
    assert error.bias == pytest.approx(0.0, abs=1e-9)
    assert error.sd == pytest.approx(math.sqrt(2 / 3) * math.log(2))
    assert learn_forecast_error([10.0], [10.0]) == ForecastError(days=1)
    assert pv_quantile([2.0], error, 0.5) == [pytest.approx(2.0)]
    assert pv_quantile([2.0], error, 0.2)[0] < 2.0
    with pytest.raises(ValueError, match="quantile"):
        pv_quantile([1.0], error, 1.0)


def test_pv_scenarios_are_equal_probability_bins_median_first_and_capped() -> None:
    error = ForecastError(bias=0.1, sd=0.5, days=20)
    cases = pv_scenarios([2.0, 1.0], error, 3)
    assert cases[0] == [pytest.approx(2.0 * math.exp(0.1)), pytest.approx(math.exp(0.1))]
    low, high = sorted(cases[1:])
    assert low[0] == pytest.approx(2.0 * math.exp(0.1 + NormalDist().inv_cdf(1 / 6) * 0.5))
    assert high[0] == pytest.approx(2.0 * math.exp(0.1 + NormalDist().inv_cdf(5 / 6) * 0.5))
    capped = pv_scenarios([2.0, 1.0], error, 5, limit_kw=[2.2, 0.5])
    assert max(case[0] for case in capped) == pytest.approx(2.2)
    assert max(case[1] for case in capped) == pytest.approx(1.0)  # a forecast above the cap is its own cap
    assert min(case[1] for case in capped) < 1.0  # a cap below the forecast never raises a dark case
    with pytest.raises(ValueError, match="count"):
        pv_scenarios([1.0], error, 0)


def test_nowcast_blends_into_the_day_ahead() -> None:
    blended = nowcast([2.0, 2.0, 2.0, 0.0], [4.0, 4.0, 4.0, 0.0], observed_index=1.0, tau_slots=1.0)
    assert blended[0] == pytest.approx(4.0)
    assert 2.0 < blended[2] < blended[1] < 4.0
    assert blended[3] == 0.0


def test_history_profiles_by_day_type() -> None:
    history = [
        day(i, DayType.WEEKDAY if i % 2 else DayType.DAY_OFF, float(i), 25.0 if i < 6 else 5.0) for i in range(10)
    ]
    assert sunny_history_days(history, DayType.WEEKDAY) == 3
    assert sunny_history_days([], DayType.WEEKDAY) == 0
    assert [d.load_kw[0] for d in recent_days(history, DayType.DAY_OFF, 2)] == [6.0, 8.0]
    assert [d.load_kw[0] for d in recent_days(history, DayType.DAY_OFF, 9, sunny_only=True)] == [0.0, 2.0, 4.0]
    forecast = load_forecast(history, [DayType.DAY_OFF, DayType.WEEKDAY], 46, 4, days_per_type=2)
    assert forecast == [7.0, 7.0, 8.0, 8.0]
    draws = hot_water_forecast(history, [DayType.WEEKDAY], 0, 2, days_per_type=1)
    assert draws == [pytest.approx(0.9), pytest.approx(0.9)]
    assert load_forecast([], [DayType.WEEKDAY], 0, 4) is None


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 5, 20, 12, 0, tzinfo=JST), True),
        (datetime(2026, 5, 20, 23, 0, tzinfo=JST), False),
        (datetime(2026, 5, 20, 2, 0, tzinfo=JST), False),
        (datetime(2026, 5, 20, 4, 35, tzinfo=JST), False),  # Tokyo's sunrise is 04:30: the sun is below 5° still
        (datetime(2026, 5, 20, 5, 30, tzinfo=JST), True),
        (datetime(2026, 12, 20, 17, 0, tzinfo=JST), False),  # after a December sunset (16:30)
    ],
)
def test_pv_is_expected_only_with_the_sun_well_above_the_horizon(local: datetime, expected: bool) -> None:
    assert pv_expected(local, 35.68, 139.77) is expected
