"""Sun position, clear-sky irradiance and plane-of-array irradiance.

- Position: the NOAA "general solar position" formulas (Spencer's 1971 Fourier series for the declination and the
  equation of time, in the fractional year). Good to about ±0.5° — plenty for PV energy.
- Clear sky: Ineichen-Perez (2002) at sea level with a monthly Linke turbidity fitted to the Tokyo-class standard
  year (see ``climate.py``); Haurwitz (1945) is also provided as the turbidity-free classic.
- Diffuse split: Erbs et al. (1982) diffuse fraction from the clearness index.
- Plane of array: beam on the tilted plane + isotropic sky diffuse + ground reflection (albedo 0.2).

The fast paths work on POSIX timestamps and radians; the datetime functions are the readable public face.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math
from typing import NamedTuple

from virtual_home.physics.climate import linke_turbidity_at
from virtual_home.physics.timebase import DAY_S, day_info, to_timestamp

TOKYO_LATITUDE = 35.68
TOKYO_LONGITUDE = 139.77
SOLAR_CONSTANT_W_M2 = 1367.0
GROUND_ALBEDO = 0.2
_TWO_PI = 2.0 * math.pi
_MIN_ELEVATION_FOR_BEAM_SIN = math.sin(math.radians(2.0))  # below 2° elevation everything counts as diffuse


@dataclass(frozen=True, slots=True)
class SolarPosition:
    """Where the sun is: elevation above the horizon and azimuth clockwise from north (180° = south), in degrees."""

    elevation_deg: float
    azimuth_deg: float

    @property
    def zenith_deg(self) -> float:
        """Angle from the vertical."""
        return 90.0 - self.elevation_deg


def position_at(ts: float, latitude_rad: float, longitude_deg: float) -> tuple[float, float, int]:
    """(cos zenith, azimuth in radians clockwise from north, UTC day of year) at POSIX timestamp `ts`."""
    utc_day = int(ts // DAY_S)
    seconds = ts - utc_day * DAY_S
    day_of_year = day_info(utc_day).day_of_year  # day numbers count from 1970-01-01 in any zone
    gamma = _TWO_PI / 365.0 * (day_of_year - 1 + (seconds / 3600.0 - 12.0) / 24.0)
    c1, s1 = math.cos(gamma), math.sin(gamma)
    c2, s2 = c1 * c1 - s1 * s1, 2.0 * s1 * c1
    c3, s3 = c2 * c1 - s2 * s1, s2 * c1 + c2 * s1
    eq_time_min = 229.18 * (0.000075 + 0.001868 * c1 - 0.032077 * s1 - 0.014615 * c2 - 0.040849 * s2)
    declination = (
        0.006918 - 0.399912 * c1 + 0.070257 * s1 - 0.006758 * c2 + 0.000907 * s2 - 0.002697 * c3 + 0.00148 * s3
    )
    true_solar_min = seconds / 60.0 + eq_time_min + 4.0 * longitude_deg
    hour_angle = math.radians(true_solar_min / 4.0 - 180.0)
    sin_lat, cos_lat = math.sin(latitude_rad), math.cos(latitude_rad)
    sin_dec, cos_dec = math.sin(declination), math.cos(declination)
    cos_ha = math.cos(hour_angle)
    cos_zenith = sin_lat * sin_dec + cos_lat * cos_dec * cos_ha
    azimuth = math.atan2(math.sin(hour_angle), cos_ha * sin_lat - sin_dec / cos_dec * cos_lat) + math.pi
    return cos_zenith, azimuth, day_of_year


def solar_position(
    when: datetime, latitude: float = TOKYO_LATITUDE, longitude: float = TOKYO_LONGITUDE
) -> SolarPosition:
    """Sun elevation and azimuth (degrees) at `when` seen from `latitude` (°N) / `longitude` (°E)."""
    cos_zenith, azimuth, _ = position_at(to_timestamp(when), math.radians(latitude), longitude)
    elevation = math.degrees(math.asin(max(-1.0, min(1.0, cos_zenith))))
    return SolarPosition(elevation, math.degrees(azimuth) % 360.0)


def extraterrestrial_normal_w_m2(day_of_year: int) -> float:
    """Irradiance on a plane normal to the sun at the top of the atmosphere (eccentricity-corrected)."""
    return SOLAR_CONSTANT_W_M2 * (1.0 + 0.033 * math.cos(_TWO_PI * day_of_year / 365.0))


def relative_airmass(cos_zenith: float) -> float:
    """Kasten & Young (1989) relative optical air mass; meaningful for cos_zenith > 0."""
    zenith_deg = math.degrees(math.acos(max(-1.0, min(1.0, cos_zenith))))
    return 1.0 / (cos_zenith + 0.50572 * math.pow(96.07995 - zenith_deg, -1.6364))


def haurwitz_ghi_w_m2(cos_zenith: float) -> float:
    """Haurwitz clear-sky global horizontal irradiance."""
    if cos_zenith <= 0.0:
        return 0.0
    return 1098.0 * cos_zenith * math.exp(-0.059 / cos_zenith)


class Irradiance(NamedTuple):
    """Global horizontal, direct normal and diffuse horizontal irradiance (W/m²)."""

    ghi: float
    dni: float
    dhi: float


NIGHT = Irradiance(0.0, 0.0, 0.0)


def ineichen_clear_sky(cos_zenith: float, day_of_year: int, linke_turbidity: float) -> Irradiance:
    """Ineichen-Perez clear sky at sea level (GHI, DNI, DHI)."""
    if cos_zenith <= 0.0:
        return NIGHT
    airmass = relative_airmass(cos_zenith)
    i0 = extraterrestrial_normal_w_m2(day_of_year)
    tl_minus_1 = linke_turbidity - 1.0
    # Sea level: cg1 = 0.868, cg2 = 0.0387, fh1 = fh2 = 1, b = 0.664 + 0.163.
    ghi = 0.868 * i0 * cos_zenith * math.exp(-0.0387 * airmass * (1.0 + tl_minus_1))
    dni = 0.827 * i0 * math.exp(-0.09 * airmass * tl_minus_1)
    dni_from_ghi = ghi * (1.0 - (0.1 - 0.2 * math.exp(-linke_turbidity)) / (0.1 + 0.882)) / cos_zenith
    dni = min(dni, dni_from_ghi)
    return Irradiance(ghi, dni, max(ghi - dni * cos_zenith, 0.0))


def clear_sky_at(ts: float, latitude_rad: float, longitude_deg: float) -> Irradiance:
    """Clear-sky irradiance at POSIX timestamp `ts`."""
    cos_zenith, _, day_of_year = position_at(ts, latitude_rad, longitude_deg)
    return ineichen_clear_sky(cos_zenith, day_of_year, linke_turbidity_at(ts))


def clear_sky_ghi_w_m2(when: datetime, latitude: float = TOKYO_LATITUDE, longitude: float = TOKYO_LONGITUDE) -> float:
    """Clear-sky global horizontal irradiance (W/m²) at `when`."""
    return clear_sky_at(to_timestamp(when), math.radians(latitude), longitude).ghi


def erbs_diffuse_fraction(clearness_index: float) -> float:
    """Erbs et al. (1982) diffuse fraction of GHI for a clearness index kt."""
    kt = clearness_index
    if kt <= 0.22:
        return 1.0 - 0.09 * kt
    if kt <= 0.8:
        return 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return 0.165


def decompose_ghi(ghi: float, cos_zenith: float, day_of_year: int) -> Irradiance:
    """Split a measured or scaled GHI into DNI and DHI (Erbs); all diffuse when the sun is very low."""
    if ghi <= 0.0:
        return NIGHT
    if cos_zenith < _MIN_ELEVATION_FOR_BEAM_SIN:
        return Irradiance(ghi, 0.0, ghi)
    kt = min(ghi / (extraterrestrial_normal_w_m2(day_of_year) * cos_zenith), 1.0)
    dhi = ghi * erbs_diffuse_fraction(kt)
    return Irradiance(ghi, (ghi - dhi) / cos_zenith, dhi)


def plane_of_array_w_m2(
    irradiance: Irradiance, cos_zenith: float, sun_azimuth_rad: float, tilt_rad: float, azimuth_rad: float
) -> float:
    """Irradiance on a plane tilted `tilt_rad` facing `azimuth_rad` (clockwise from north): beam + isotropic sky
    diffuse + ground-reflected."""
    if irradiance.ghi <= 0.0:
        return 0.0
    cos_tilt = math.cos(tilt_rad)
    sin_zenith = math.sqrt(max(0.0, 1.0 - cos_zenith * cos_zenith))
    cos_aoi = cos_zenith * cos_tilt + sin_zenith * math.sin(tilt_rad) * math.cos(sun_azimuth_rad - azimuth_rad)
    beam = irradiance.dni * cos_aoi if cos_aoi > 0.0 and cos_zenith > 0.0 else 0.0
    sky = irradiance.dhi * (1.0 + cos_tilt) / 2.0
    ground = irradiance.ghi * GROUND_ALBEDO * (1.0 - cos_tilt) / 2.0
    return beam + sky + ground
