"""Energy planning: tariffs, forecasts, guard conditions and the solar-charge planner (pure, clock injected)."""

from .calendar import DayType, day_type
from .devices import BatteryParams, EVParams, HomeDevices, WaterHeaterParams
from .forecast import DayHistory, ForecastError, PVSite
from .guards import Conditions, GuardCondition, GuardEffect, GuardKey, evaluate_guards
from .lp import Departure, LPInputs, LPResult, PlanningError, solve, solve_scenarios
from .planner import EVTrip, Plan, PlanInputs, PlannerSettings, PlanState, Reason, SlotPlan, make_plan
from .tariff import FLAT, KEPCO_3BAND, NEWFIT_24, PRESETS, TEPCO_SMART_LIFE_S, PriceBand, PriceOrdering, Tariff

__all__ = [
    "FLAT",
    "KEPCO_3BAND",
    "NEWFIT_24",
    "PRESETS",
    "TEPCO_SMART_LIFE_S",
    "BatteryParams",
    "Conditions",
    "DayHistory",
    "DayType",
    "Departure",
    "EVParams",
    "EVTrip",
    "ForecastError",
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
    "Reason",
    "SlotPlan",
    "Tariff",
    "WaterHeaterParams",
    "day_type",
    "evaluate_guards",
    "make_plan",
    "solve",
    "solve_scenarios",
]
