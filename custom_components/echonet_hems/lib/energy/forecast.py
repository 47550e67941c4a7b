"""Forecasts for the planner, as pure functions of history and forecasts given to them.

- PV: clear-sky sun geometry (``astral``) on the array's plane × a cloud-cover forecast (Kasten-Czeplak), scaled by a
  system factor learned from the home's own clear days; or a given PV forecast series. A pessimistic quantile hedges
  the forecast's uncertainty (log-normal error learned from past forecast/actual pairs), and a nowcast blends the
  clear-sky index measured in the last slots into the next hours.
- Consumption and hot-water draw per 30-minute slot: the mean of recent days of the same day type.
- The commercial controller's "sunny-day history" rule: the number of recent sunny days (daily clear-sky index above
  0.6) of a day type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
import math
from statistics import NormalDist, fmean, pstdev

from astral import Observer  # type: ignore[import-untyped]
from astral.sun import azimuth, elevation  # type: ignore[import-untyped]

from .calendar import DayType

SLOTS_PER_DAY = 48
SUNNY_CLEAR_SKY_INDEX = 0.6
_SOLAR_CONSTANT = 1098.0  # Haurwitz clear-sky model constant (W/m²)
_MIN_DAY_KWH = 0.05


@dataclass(frozen=True, slots=True)
class PVSite:
    """A PV array: place, orientation and rating (kWp, also the power conditioner limit)."""

    latitude: float = 35.68
    longitude: float = 139.77
    tilt_deg: float = 30.0
    azimuth_deg: float = 180.0  # clockwise from north
    capacity_kw: float = 5.0
    albedo: float = 0.2


@dataclass(frozen=True, slots=True)
class DayHistory:
    """One measured day: mean kW per 30-minute slot (base load, without EcoCute/EV/battery), PV and hot water."""

    day: date
    kind: DayType
    load_kw: tuple[float, ...]
    pv_kwh: float
    clear_sky_pv_kwh: float
    hot_water_kwh_th: tuple[float, ...] = ()  # heat drawn per slot (kWh_th)

    @property
    def clear_sky_index(self) -> float:
        """Daily PV energy over the clear-sky model's (0 when the model gives nothing)."""
        return self.pv_kwh / self.clear_sky_pv_kwh if self.clear_sky_pv_kwh > _MIN_DAY_KWH else 0.0

    @property
    def sunny(self) -> bool:
        """A "sunny day" in the commercial controller's sense (clear-sky index above 0.6)."""
        return self.clear_sky_index > SUNNY_CLEAR_SKY_INDEX


def clear_sky_poa_w_m2(when: datetime, site: PVSite) -> float:
    """Clear-sky irradiance on the array plane at `when` (Haurwitz GHI, 85 % beam, isotropic diffuse)."""
    observer = Observer(latitude=site.latitude, longitude=site.longitude)
    sun_elevation = float(elevation(observer, when, with_refraction=False))
    if sun_elevation <= 0.0:
        return 0.0
    cos_zenith = math.sin(math.radians(sun_elevation))
    ghi = _SOLAR_CONSTANT * cos_zenith * math.exp(-0.057 / cos_zenith)
    beam_horizontal = 0.85 * ghi
    diffuse = ghi - beam_horizontal
    dni = beam_horizontal / cos_zenith
    sun_azimuth = math.radians(float(azimuth(observer, when)))
    tilt, array_azimuth = math.radians(site.tilt_deg), math.radians(site.azimuth_deg)
    zenith = math.acos(cos_zenith)
    cos_incidence = math.cos(zenith) * math.cos(tilt) + math.sin(zenith) * math.sin(tilt) * math.cos(
        sun_azimuth - array_azimuth
    )
    return (
        dni * max(cos_incidence, 0.0)
        + diffuse * (1.0 + math.cos(tilt)) / 2.0
        + ghi * site.albedo * (1.0 - math.cos(tilt)) / 2.0
    )


PV_EXPECTED_ELEVATION_DEG = 5.0
"""Sun elevation from which a power conditioner is expected to be running and answering. Many stop answering once
their DC input dies after sunset and start again some time after sunrise; at 5° the Haurwitz clear-sky irradiance
below is about 50 W/m² (5 % of noon in May), so a conditioner is well awake by then, and a stale PV reading in the
half hour around sunrise or sunset misses little energy. Our choice, not a figure from a data sheet."""


def pv_expected(when: datetime, latitude: float, longitude: float) -> bool:
    """Whether PV should be producing (and its power conditioner answering) at `when`: the sun at least
    `PV_EXPECTED_ELEVATION_DEG` above the horizon at the site."""
    observer = Observer(latitude=latitude, longitude=longitude)
    return float(elevation(observer, when, with_refraction=False)) >= PV_EXPECTED_ELEVATION_DEG


def clear_sky_pv_kw(start: datetime, slots: int, site: PVSite, slot_minutes: int = 30) -> list[float]:
    """Clear-sky DC-equivalent PV power (kW, before the system factor) per slot, sampled at the slot middle."""
    step = timedelta(minutes=slot_minutes)
    return [
        min(site.capacity_kw * clear_sky_poa_w_m2(start + step * i + step / 2, site) / 1000.0, site.capacity_kw)
        for i in range(slots)
    ]


def cloud_factor(cloud_cover: float) -> float:
    """Kasten-Czeplak: clear-sky fraction of the irradiance under cloud cover 0…1."""
    cover = min(max(cloud_cover, 0.0), 1.0)
    return float(1.0 - 0.75 * cover**3.4)


def learn_system_factor(history: Sequence[DayHistory], min_days: int = 3, top_fraction: float = 0.2) -> float | None:
    """PV over the clear-sky model on the clearest days: the mean ratio of the top `top_fraction` of days.

    ``None`` until `min_days` days with PV exist (the "no history yet" guard then applies).
    """
    ratios = sorted(
        (day.pv_kwh / day.clear_sky_pv_kwh for day in history if day.clear_sky_pv_kwh > _MIN_DAY_KWH),
        reverse=True,
    )
    if len(ratios) < min_days:
        return None
    top = ratios[: max(1, math.ceil(len(ratios) * top_fraction))]
    return fmean(top)


def pv_forecast_from_cloud(
    clear_sky_kw: Sequence[float], cloud_cover: Sequence[float], system_factor: float, capacity_kw: float
) -> list[float]:
    """PV forecast (kW) = clear-sky PV × system factor × Kasten-Czeplak(cloud cover), clipped at the rating."""
    return [
        min(cs * system_factor * cloud_factor(cc), capacity_kw)
        for cs, cc in zip(clear_sky_kw, cloud_cover, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class ForecastError:
    """Daily PV forecast error in log space: ``log(actual/forecast)`` mean (bias) and standard deviation."""

    bias: float = 0.0
    sd: float = 0.0
    days: int = 0


def learn_forecast_error(forecast_kwh: Sequence[float], actual_kwh: Sequence[float]) -> ForecastError:
    """Log-ratio statistics of past daily forecasts against what was measured (days with little PV are skipped)."""
    logs = [
        math.log(actual / forecast)
        for forecast, actual in zip(forecast_kwh, actual_kwh, strict=True)
        if forecast > _MIN_DAY_KWH * 20 and actual > _MIN_DAY_KWH * 20
    ]
    if len(logs) < 2:
        return ForecastError(days=len(logs))
    return ForecastError(bias=fmean(logs), sd=pstdev(logs), days=len(logs))


def pv_quantile(pv_kw: Sequence[float], error: ForecastError, quantile: float) -> list[float]:
    """The `quantile` of a log-normal PV forecast around the bias-corrected median."""
    if not 0.0 < quantile < 1.0:
        raise ValueError("quantile must be in (0, 1)")
    factor = math.exp(error.bias + NormalDist().inv_cdf(quantile) * error.sd)
    return [value * factor for value in pv_kw]


def pv_scenarios(
    pv_kw: Sequence[float], error: ForecastError, count: int, limit_kw: Sequence[float] = ()
) -> list[list[float]]:
    """`count` equally likely PV scenarios: the forecast times the log-normal error at the middle of `count`
    equal-probability bins, the median first; each capped at `limit_kw` (clear-sky PV) where given."""
    if count < 1:
        raise ValueError("count must be at least 1")
    order = sorted(range(count), key=lambda j: abs(j - (count - 1) / 2))
    cases: list[list[float]] = []
    for j in order:
        factor = math.exp(error.bias + NormalDist().inv_cdf((j + 0.5) / count) * error.sd)
        values = [value * factor for value in pv_kw]
        if limit_kw:
            values = [min(value, max(limit, base)) for value, limit, base in zip(values, limit_kw, pv_kw, strict=True)]
        cases.append(values)
    return cases


def nowcast(
    day_ahead_kw: Sequence[float], clear_sky_kw: Sequence[float], observed_index: float, tau_slots: float = 4.0
) -> list[float]:
    """Blend the clear-sky index measured just now into the next slots (weight ``exp(-i/tau)``), keep the rest."""
    result: list[float] = []
    for i, (forecast, clear) in enumerate(zip(day_ahead_kw, clear_sky_kw, strict=True)):
        if clear <= 0.0:
            result.append(forecast)
            continue
        weight = math.exp(-i / tau_slots)
        index = weight * observed_index + (1.0 - weight) * forecast / clear
        result.append(max(index, 0.0) * clear)
    return result


def recent_days(
    history: Sequence[DayHistory], kind: DayType, limit: int, *, sunny_only: bool = False
) -> list[DayHistory]:
    """The last `limit` days of type `kind` (oldest first), optionally sunny days only."""
    chosen = [day for day in history if day.kind is kind and (day.sunny or not sunny_only)]
    return chosen[-limit:]


def sunny_history_days(history: Sequence[DayHistory], kind: DayType, window_days: int = 60) -> int:
    """Sunny days of type `kind` within the last `window_days` days of history (the AiSEG2 "≥ 5 days" rule)."""
    if not history:
        return 0
    first = history[-1].day - timedelta(days=window_days)
    return sum(1 for day in history if day.day > first and day.kind is kind and day.sunny)


def slot_profile(days: Sequence[DayHistory], attribute: str = "load_kw") -> list[float] | None:
    """Per-slot mean of ``load_kw`` or ``hot_water_kwh_th`` over `days`; ``None`` without days."""
    rows = [getattr(day, attribute) for day in days]
    rows = [row for row in rows if len(row) == SLOTS_PER_DAY]
    if not rows:
        return None
    return [fmean(row[slot] for row in rows) for slot in range(SLOTS_PER_DAY)]


def load_forecast(
    history: Sequence[DayHistory], kinds: Sequence[DayType], start_slot: int, slots: int, days_per_type: int = 5
) -> list[float] | None:
    """Base-load forecast (kW) for `slots` slots from slot `start_slot` of the first day of `kinds`.

    Each slot takes the mean of the last `days_per_type` days of its day type (falling back to all recent days).
    ``None`` when there is no history at all.
    """
    return _profile_forecast(history, kinds, start_slot, slots, days_per_type, "load_kw")


def hot_water_forecast(
    history: Sequence[DayHistory], kinds: Sequence[DayType], start_slot: int, slots: int, days_per_type: int = 7
) -> list[float] | None:
    """Hot-water heat draw forecast (kWh_th per slot), like ``load_forecast``."""
    return _profile_forecast(history, kinds, start_slot, slots, days_per_type, "hot_water_kwh_th")


def _profile_forecast(
    history: Sequence[DayHistory], kinds: Sequence[DayType], start_slot: int, slots: int, days: int, attribute: str
) -> list[float] | None:
    fallback = slot_profile(history[-days:], attribute)
    if fallback is None:
        return None
    profiles = {kind: slot_profile(recent_days(history, kind, days), attribute) or fallback for kind in set(kinds)}
    result: list[float] = []
    for i in range(slots):
        slot = start_slot + i
        kind = kinds[min(slot // SLOTS_PER_DAY, len(kinds) - 1)]
        result.append(profiles[kind][slot % SLOTS_PER_DAY])
    return result
