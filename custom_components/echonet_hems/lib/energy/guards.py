"""Guard conditions of solar charge, each with its value and its effect on the plan (so the UI can explain it).

The commercial controller's guards (PRODUCT.md) are evaluated here; the planner then applies their effects:

- full-purchase contract (全量買取): PV never serves the house, so solar charge is off (devices keep their own modes);
- flat tariff: no band to shift from; the plan only absorbs PV surplus (no grid charging of the battery);
- price ordering: reported; the LP itself refuses trades that lose money (e.g. diverting surplus when selling pays
  more than the night heating it replaces — the newFIT-24 trap);
- weather warning: battery held full and tank filled (reserve before a storm);
- history: fewer than ``min_history_days`` sunny days of the day type → the PV forecast is hedged harder
  (``no_history_quantile``) so comfort never rests on an unproven forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .tariff import PriceOrdering, Tariff


class GuardKey(StrEnum):
    """Identifiers of the guard conditions."""

    FULL_PURCHASE_CONTRACT = "full_purchase_contract"
    TIME_OF_USE_TARIFF = "time_of_use_tariff"
    PRICE_ORDERING = "price_ordering"
    WEATHER_WARNING = "weather_warning"
    SUNNY_HISTORY_DAYS = "sunny_history_days"
    PV_FORECAST = "pv_forecast"


class GuardEffect(StrEnum):
    """What a guard does to the plan."""

    NONE = "none"
    PLANNER_OFF = "planner_off"
    NO_GRID_CHARGING = "no_grid_charging"
    RESERVE_FULL = "reserve_full"
    HEDGE_HARDER = "hedge_harder"
    SELL_PREFERRED = "sell_preferred"


@dataclass(frozen=True, slots=True)
class Conditions:
    """Facts about the home the guards need (the caller measures or configures them)."""

    full_purchase_contract: bool = False
    weather_warning: bool = False
    sunny_history_days: int = 0
    min_history_days: int = 5
    pv_forecast_available: bool = True


@dataclass(frozen=True, slots=True)
class GuardCondition:
    """One guard: its value, whether solar charge may act on it unchanged (``ok``), and its effect."""

    key: GuardKey
    value: bool | int | str
    ok: bool
    effect: GuardEffect


def evaluate_guards(tariff: Tariff, conditions: Conditions, month: int) -> tuple[GuardCondition, ...]:
    """Every guard condition with its value and effect, in a fixed order."""
    ordering = tariff.price_ordering(month)
    history_ok = conditions.sunny_history_days >= conditions.min_history_days
    ordering_effect = {
        PriceOrdering.CHEAPEST_ABOVE_SELL: GuardEffect.NONE,
        PriceOrdering.FLAT: GuardEffect.NONE,
        PriceOrdering.SELL_ABOVE_CHEAPEST: GuardEffect.SELL_PREFERRED,
        PriceOrdering.SELL_ABOVE_HIGHEST: GuardEffect.SELL_PREFERRED,
    }[ordering]
    return (
        GuardCondition(
            GuardKey.FULL_PURCHASE_CONTRACT,
            conditions.full_purchase_contract,
            not conditions.full_purchase_contract,
            GuardEffect.PLANNER_OFF if conditions.full_purchase_contract else GuardEffect.NONE,
        ),
        GuardCondition(
            GuardKey.TIME_OF_USE_TARIFF,
            not tariff.is_flat,
            not tariff.is_flat,
            GuardEffect.NO_GRID_CHARGING if tariff.is_flat else GuardEffect.NONE,
        ),
        GuardCondition(
            GuardKey.PRICE_ORDERING,
            ordering.value,
            ordering in (PriceOrdering.CHEAPEST_ABOVE_SELL, PriceOrdering.SELL_ABOVE_CHEAPEST),
            ordering_effect,
        ),
        GuardCondition(
            GuardKey.WEATHER_WARNING,
            conditions.weather_warning,
            not conditions.weather_warning,
            GuardEffect.RESERVE_FULL if conditions.weather_warning else GuardEffect.NONE,
        ),
        GuardCondition(
            GuardKey.SUNNY_HISTORY_DAYS,
            conditions.sunny_history_days,
            history_ok,
            GuardEffect.NONE if history_ok else GuardEffect.HEDGE_HARDER,
        ),
        GuardCondition(
            GuardKey.PV_FORECAST,
            conditions.pv_forecast_available,
            conditions.pv_forecast_available,
            GuardEffect.NONE if conditions.pv_forecast_available else GuardEffect.HEDGE_HARDER,
        ),
    )


def has_effect(guards: tuple[GuardCondition, ...], effect: GuardEffect) -> bool:
    """Whether any guard has `effect`."""
    return any(guard.effect is effect for guard in guards)
