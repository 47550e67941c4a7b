"""Energy planning: tariffs, forecasts, guard conditions and the solar-charge planner (pure, clock injected)."""

from .calendar import DayType, day_type
from .cost import CostResult, cost_of_intervals, sales_of_intervals
from .devices import BatteryParams, EVParams, HomeDevices, WaterHeaterParams
from .emission import EMISSION_FACTORS, EmissionFactor, co2_kg
from .fit import FIT_SCHEMES, FitScheme, fit_scheme, fit_sell_price
from .forecast import DayHistory, ForecastError, PVSite
from .guards import Conditions, GuardCondition, GuardEffect, GuardKey, evaluate_guards
from .lp import Departure, LPInputs, LPResult, PlanningError, solve, solve_scenarios
from .planner import EVTrip, Plan, PlanInputs, PlannerSettings, PlanState, Reason, SlotPlan, make_plan
from .tariff import (
    FLAT,
    KEPCO_3BAND,
    NEWFIT_24,
    PRESETS,
    RENEWABLE_LEVY_2025,
    RENEWABLE_LEVY_2026,
    TEPCO_SMART_LIFE_S,
    PriceBand,
    PriceOrdering,
    PricingTariff,
    Tariff,
    renewable_levy_for,
)
from .tariff_custom import CustomBand, CustomTariffSpec, TariffSpecError, custom_tariff, day_preview, parse_bands
from .tariff_presets import POST_FIT_SELL_PRICE, TARIFF_PRESETS, GridArea, TariffPreset, presets_for
from .tariff_tiered import TieredTariff, TierShare, TierStep

__all__ = [
    "EMISSION_FACTORS",
    "FIT_SCHEMES",
    "FLAT",
    "KEPCO_3BAND",
    "NEWFIT_24",
    "POST_FIT_SELL_PRICE",
    "PRESETS",
    "RENEWABLE_LEVY_2025",
    "RENEWABLE_LEVY_2026",
    "TARIFF_PRESETS",
    "TEPCO_SMART_LIFE_S",
    "BatteryParams",
    "Conditions",
    "CostResult",
    "CustomBand",
    "CustomTariffSpec",
    "DayHistory",
    "DayType",
    "Departure",
    "EVParams",
    "EVTrip",
    "EmissionFactor",
    "FitScheme",
    "ForecastError",
    "GridArea",
    "GuardCondition",
    "GuardEffect",
    "GuardKey",
    "HomeDevices",
    "LPInputs",
    "LPResult",
    "PVSite",
    "Plan",
    "PlanInputs",
    "PlanState",
    "PlannerSettings",
    "PlanningError",
    "PriceBand",
    "PriceOrdering",
    "PricingTariff",
    "Reason",
    "SlotPlan",
    "Tariff",
    "TariffPreset",
    "TariffSpecError",
    "TierShare",
    "TierStep",
    "TieredTariff",
    "WaterHeaterParams",
    "co2_kg",
    "cost_of_intervals",
    "custom_tariff",
    "day_preview",
    "day_type",
    "evaluate_guards",
    "fit_scheme",
    "fit_sell_price",
    "make_plan",
    "parse_bands",
    "presets_for",
    "renewable_levy_for",
    "sales_of_intervals",
    "solve",
    "solve_scenarios",
]
