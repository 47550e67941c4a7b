"""CO2 of bought electricity: kWh × the retailer's adjusted emission factor (調整後排出係数, kg-CO2/kWh).

The factors are published each year under the Act on Promotion of Global Warming Countermeasures (温対法) by the
Ministry of the Environment and METI, and by each utility for its standard menu ("メニューC (残差)"); they describe
a past fiscal year. Only factors found in a public source are listed; the Home Assistant side lets the user type
the factor of their retailer (and must for the areas missing here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .tariff_presets import GridArea


@dataclass(frozen=True, slots=True)
class EmissionFactor:
    """An adjusted emission factor of a retailer's standard menu for one fiscal year's results."""

    kg_per_kwh: float
    fiscal_year: int
    source: str


EMISSION_FACTORS: Mapping[GridArea, EmissionFactor] = MappingProxyType(
    {
        # Shikoku Electric, FY2023 results, メニューC (残差), published 2025-04-07.
        GridArea.SHIKOKU: EmissionFactor(
            0.464, 2023, "https://www.yonden.co.jp/energy/environment/topics/2025_04_07.html"
        ),
        # TEPCO Energy Partner, FY2015 results after the FIT adjustment (0.491; 0.500 before), its press release of
        # 2016-08-01: the newest TEPCO figure found in a public source here, so a user should type this year's.
        GridArea.TEPCO: EmissionFactor(
            0.491, 2015, "https://www4.tepco.co.jp/ep/notice/pressrelease/2016/1314951_8661.html"
        ),
        # Hokuriku Electric, FY2023 results, the factor of its menus other than the renewable ones.
        GridArea.HOKURIKU: EmissionFactor(0.496, 2023, "https://www.rikuden.co.jp/ryokinshikumi/dengen.html"),
        # Kyushu Electric, FY2022 results as reported to the state (the state publishes the confirmed list later):
        # 0.467 for "other customers" (メニューB; 0.000 for its renewable menus, 0.453 for the whole company). The
        # newest Kyushu figure found in a public source here; a user should type this year's.
        GridArea.KYUSHU: EmissionFactor(0.467, 2022, "https://www.kyuden.co.jp/environment_notice02.html"),
    }
)
"""The standard menu's factor of the incumbent utility of each area where one was found."""


def co2_kg(kwh: float, factor: EmissionFactor | float) -> float:
    """kg of CO2 for `kwh` bought at `factor` (an ``EmissionFactor`` or kg-CO2/kWh)."""
    if kwh < 0:
        raise ValueError("energy must not be negative")
    per_kwh = factor.kg_per_kwh if isinstance(factor, EmissionFactor) else factor
    if per_kwh < 0:
        raise ValueError("an emission factor must not be negative")
    return kwh * per_kwh
