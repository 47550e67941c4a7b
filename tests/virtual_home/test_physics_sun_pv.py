"""Sun position, clear sky, weather and PV arrays."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from virtual_home.clock import JST
from virtual_home.physics import PVArray, Sky, Weather, solar_position
from virtual_home.physics.sun import clear_sky_ghi_w_m2, haurwitz_ghi_w_m2


def _at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=JST)


def _daily_wh(array: PVArray, start: datetime, step_s: float = 300.0) -> float:
    steps = round(86400 / step_s)
    return sum(array.mean_power_w(start + timedelta(seconds=i * step_s), step_s) for i in range(steps)) * step_s / 3600


def test_solar_noon_elevation_matches_declination() -> None:
    # Tokyo solar noon is about 11:40 JST; elevation = 90 - latitude ± 23.44.
    summer = solar_position(_at(6, 21, 11, 40))
    winter = solar_position(_at(12, 21, 11, 40))
    assert summer.elevation_deg == pytest.approx(90 - 35.68 + 23.44, abs=0.5)
    assert winter.elevation_deg == pytest.approx(90 - 35.68 - 23.44, abs=0.5)
    assert summer.azimuth_deg == pytest.approx(180.0, abs=5.0)
    assert winter.azimuth_deg == pytest.approx(180.0, abs=2.0)
    assert summer.zenith_deg == pytest.approx(90.0 - summer.elevation_deg)


def test_solar_noon_time_and_directions() -> None:
    minutes = range(10 * 60, 13 * 60)
    noon = max(minutes, key=lambda m: solar_position(_at(4, 1) + timedelta(minutes=m)).elevation_deg)
    assert 11 * 60 + 30 <= noon <= 11 * 60 + 50
    morning = solar_position(_at(3, 20, 7))
    evening = solar_position(_at(3, 20, 17))
    assert 80.0 < morning.azimuth_deg < 130.0  # east
    assert 230.0 < evening.azimuth_deg < 280.0  # west
    assert solar_position(_at(3, 20, 0)).elevation_deg < -30.0


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        solar_position(datetime(2025, 1, 1, 12))  # noqa: DTZ001 - the point of the test


def test_clear_sky_models() -> None:
    assert haurwitz_ghi_w_m2(-0.1) == 0.0
    assert haurwitz_ghi_w_m2(1.0) == pytest.approx(1098.0 * 0.9427, rel=1e-3)
    assert clear_sky_ghi_w_m2(_at(6, 21, 2)) == 0.0
    summer_noon = clear_sky_ghi_w_m2(_at(6, 21, 11, 40))
    winter_noon = clear_sky_ghi_w_m2(_at(12, 21, 11, 40))
    assert 850.0 < summer_noon < 1100.0
    assert 400.0 < winter_noon < 650.0


@pytest.mark.parametrize("month", [1, 4, 7, 10, 12])
def test_pv_zero_at_night(month: int) -> None:
    array = PVArray()
    for hour in (0, 2, 4, 20, 22, 23):
        assert array.power_w(_at(month, 10, hour)) == 0.0


def test_pv_never_negative_never_above_capacity() -> None:
    normal = PVArray()
    oversized = PVArray(performance_ratio=1.6)  # forces clipping at the PCS rating
    clipped = 0
    for hour in range(0, 365 * 24, 5):
        when = _at(1, 1) + timedelta(hours=hour, minutes=17)
        for array in (normal, oversized):
            power = array.power_w(when)
            assert 0.0 <= power <= array.capacity_w
        clipped += oversized.power_w(when) == oversized.capacity_w
    assert clipped > 50


@pytest.mark.parametrize(
    ("month", "low", "high"),
    [(1, 0.62, 0.75), (4, 0.75, 0.85), (6, 0.70, 0.82), (8, 0.70, 0.82), (12, 0.60, 0.72)],
)
def test_clear_noon_peak_by_season(month: int, low: float, high: float) -> None:
    array = PVArray()
    peak = max(array.power_w(_at(month, 15) + timedelta(minutes=m)) for m in range(10 * 60, 14 * 60, 5))
    assert low * array.capacity_w <= peak <= high * array.capacity_w


def test_clear_day_energy_plausible() -> None:
    # A clear day in Tokyo: about 4-6 kWh per kWp.
    array = PVArray()
    assert 19_000 < _daily_wh(array, _at(12, 15)) < 23_000
    assert 27_000 < _daily_wh(array, _at(5, 1)) < 32_000


@pytest.mark.parametrize("month", [1, 4, 7, 10])
def test_cloudy_and_rain_below_clear(month: int) -> None:
    start = _at(month, 12)
    clear = _daily_wh(PVArray(weather=Weather(Sky.CLEAR)), start)
    cloudy = _daily_wh(PVArray(weather=Weather(Sky.CLOUDY)), start)
    rain = _daily_wh(PVArray(weather=Weather(Sky.RAIN)), start)
    assert 0.15 * clear < cloudy < 0.40 * clear
    assert 0.04 * clear < rain < 0.15 * clear
    assert rain < cloudy
    if month != 1:
        assert 0.25 * clear < cloudy < 0.36 * clear


def test_weather_ghi_scales_with_sky() -> None:
    noon = _at(5, 1, 11, 40)
    clear = Weather().ghi_w_m2(noon, 35.68, 139.77)
    assert Weather(Sky.CLOUDY).ghi_w_m2(noon, 35.68, 139.77) == pytest.approx(0.34 * clear)
    assert Weather(Sky.RAIN).ghi_w_m2(noon, 35.68, 139.77) == pytest.approx(0.11 * clear)


def test_irradiance_trace_overrides_sky() -> None:
    noon = _at(5, 1, 11, 40)
    dark = PVArray(weather=Weather(Sky.CLEAR, irradiance_trace=lambda _when: 0.0))
    assert dark.power_w(noon) == 0.0
    seen: list[datetime] = []

    def measured(when: datetime) -> float:
        seen.append(when)
        return clear_sky_ghi_w_m2(when)

    traced = PVArray(weather=Weather(Sky.RAIN, irradiance_trace=measured))
    clear = PVArray().power_w(noon)
    assert traced.power_w(noon) == pytest.approx(clear, rel=0.1)  # the rain sky is ignored
    assert seen
    assert seen[0] == noon
    assert seen[0].tzinfo is not None
    low = PVArray(weather=Weather(irradiance_trace=lambda _when: 200.0)).power_w(noon)
    high = PVArray(weather=Weather(irradiance_trace=lambda _when: 800.0)).power_w(noon)
    assert 0.0 < low < high
    # A trace that is wrongly positive at night gives diffuse light only, and a negative trace counts as zero.
    assert PVArray(weather=Weather(irradiance_trace=lambda _when: -50.0)).power_w(noon) == 0.0


def test_orientation_matters() -> None:
    east = PVArray(azimuth_deg=90.0)
    west = PVArray(azimuth_deg=270.0)
    morning, afternoon = _at(6, 1, 8), _at(6, 1, 16)
    assert east.power_w(morning) > 1.5 * west.power_w(morning)
    assert west.power_w(afternoon) > 1.5 * east.power_w(afternoon)


@pytest.mark.parametrize("month", [1, 6])
def test_step_size_independent_energy(month: int) -> None:
    array = PVArray()
    start = _at(month, 5)
    fine = _daily_wh(array, start, 10.0)
    assert _daily_wh(array, start, 1800.0) == pytest.approx(fine, rel=1e-3)
    assert _daily_wh(array, start, 7200.0) == pytest.approx(fine, rel=5e-3)
