"""Guard conditions of solar charge, each with its value and its effect on the plan (so the UI can explain it).

The commercial controller's guards (PRODUCT.md) are evaluated here; the planner then applies their effects:

- full-purchase contract (全量買取): PV never serves the house, so solar charge is off (devices keep their own modes);
- flat tariff: no band to shift from; the plan only absorbs PV surplus (no grid charging of the battery);
- price ordering: reported; the LP itself refuses trades that lose money (e.g. diverting surplus when selling pays
  more than the night heating it replaces — the newFIT-24 trap);
- weather warning: battery held full and tank filled (reserve before a storm);
- history: fewer than ``min_history_days`` sunny days of the day type → the PV forecast is hedged harder
  (``no_history_quantile``) so comfort never rests on an unproven forecast;
- house consumption not measured (neither a smart meter nor a distribution board): the surplus cannot be known, so
  solar charge is off (the reference controller requires a measurement unit);
- contract mode not surplus: the same as the full-purchase contract, stated the way the entities show it;
- grid purchase in the last surplus hours (the house bought while PV exceeded its load): the forecast overshot, so
  it is hedged harder.

Each guard carries its measured ``value`` and the ``threshold`` it is compared with, so the Home Assistant side can
show both; plain-language reasons are not here (HA translates by key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .balance import ContractMode
from .calendar import DayType
from .forecast import DayHistory, sunny_history_days
from .tariff import PriceOrdering, Tariff
from .tariff_tiered import TieredTariff

GRID_PURCHASE_THRESHOLD_KWH = 0.1
"""kWh bought during surplus slots of the last day above which the guard trips. Our choice, not the reference
controller's (it publishes no figure): 0.1 kWh is 200 W over one 30-minute slot, above metering noise and the
short dips of a passing cloud, below one EcoCute or EV slot drawn from the grid."""

_GOOD_ORDERINGS = (PriceOrdering.CHEAPEST_ABOVE_SELL, PriceOrdering.SELL_ABOVE_CHEAPEST)
ACCEPTED_ORDERINGS = "|".join(ordering.value for ordering in _GOOD_ORDERINGS)
"""The price-ordering guard's threshold: the orderings it accepts, joined by ``|``."""


class GuardKey(StrEnum):
    """Identifiers of the guard conditions."""

    FULL_PURCHASE_CONTRACT = "full_purchase_contract"
    TIME_OF_USE_TARIFF = "time_of_use_tariff"
    PRICE_ORDERING = "price_ordering"
    WEATHER_WARNING = "weather_warning"
    SUNNY_HISTORY_DAYS = "sunny_history_days"
    PV_FORECAST = "pv_forecast"
    HOUSE_CONSUMPTION_MEASURED = "house_consumption_measured"
    SURPLUS_CONTRACT = "surplus_contract"
    GRID_PURCHASE_IN_SURPLUS = "grid_purchase_in_surplus"


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
    weather_warning: bool = False  # a warning is in force (or announced)
    weather_warning_in_surplus_hours: bool = True  # ... and it covers now or the next surplus hours
    sunny_history_days: int = 0
    min_history_days: int = 5
    pv_forecast_available: bool = True
    house_consumption_measured: bool = True  # a smart meter or a distribution board is present
    grid_purchase_in_surplus_kwh: float = 0.0  # see grid_purchase_in_surplus_kwh()
    grid_purchase_threshold_kwh: float = GRID_PURCHASE_THRESHOLD_KWH


@dataclass(frozen=True, slots=True)
class GuardCondition:
    """One guard: its value, the threshold it is compared with, whether solar charge may act unchanged (``ok``),
    and its effect. For yes/no guards the threshold is the value that is ok."""

    key: GuardKey
    value: bool | int | float | str
    ok: bool
    effect: GuardEffect
    threshold: bool | int | float | str = True


def evaluate_guards(tariff: Tariff | TieredTariff, conditions: Conditions, month: int) -> tuple[GuardCondition, ...]:
    """Every guard condition with its value, threshold and effect, in the order of ``GuardKey``."""
    return (
        _full_purchase_guard(conditions),
        _time_of_use_guard(tariff),
        _price_ordering_guard(tariff, month),
        _weather_warning_guard(conditions),
        _history_guard(conditions),
        _yes_no(GuardKey.PV_FORECAST, conditions.pv_forecast_available, GuardEffect.HEDGE_HARDER),
        _yes_no(GuardKey.HOUSE_CONSUMPTION_MEASURED, conditions.house_consumption_measured, GuardEffect.PLANNER_OFF),
        _yes_no(GuardKey.SURPLUS_CONTRACT, not conditions.full_purchase_contract, GuardEffect.PLANNER_OFF),
        _grid_purchase_guard(conditions),
    )


def _yes_no(key: GuardKey, value: bool, effect_when_not: GuardEffect) -> GuardCondition:
    """A guard that is ok when `value` is true."""
    return GuardCondition(key, value, value, GuardEffect.NONE if value else effect_when_not, threshold=True)


def _full_purchase_guard(conditions: Conditions) -> GuardCondition:
    full = conditions.full_purchase_contract
    return GuardCondition(
        GuardKey.FULL_PURCHASE_CONTRACT,
        full,
        not full,
        GuardEffect.PLANNER_OFF if full else GuardEffect.NONE,
        threshold=False,
    )


def _time_of_use_guard(tariff: Tariff | TieredTariff) -> GuardCondition:
    """Time-of-use or seasonal: more than one band price (a seasonal tariff's bands differ by month)."""
    return _yes_no(GuardKey.TIME_OF_USE_TARIFF, not tariff.is_flat, GuardEffect.NO_GRID_CHARGING)


def _price_ordering_guard(tariff: Tariff | TieredTariff, month: int) -> GuardCondition:
    ordering = tariff.price_ordering(month)
    effect = {
        PriceOrdering.CHEAPEST_ABOVE_SELL: GuardEffect.NONE,
        PriceOrdering.FLAT: GuardEffect.NONE,
        PriceOrdering.SELL_ABOVE_CHEAPEST: GuardEffect.SELL_PREFERRED,
        PriceOrdering.SELL_ABOVE_HIGHEST: GuardEffect.SELL_PREFERRED,
    }[ordering]
    return GuardCondition(
        GuardKey.PRICE_ORDERING, ordering.value, ordering in _GOOD_ORDERINGS, effect, threshold=ACCEPTED_ORDERINGS
    )


def _weather_warning_guard(conditions: Conditions) -> GuardCondition:
    """Trips when a warning is in force and covers now or the next surplus hours (the storm reserve)."""
    tripped = conditions.weather_warning and conditions.weather_warning_in_surplus_hours
    return GuardCondition(
        GuardKey.WEATHER_WARNING,
        conditions.weather_warning,
        not tripped,
        GuardEffect.RESERVE_FULL if tripped else GuardEffect.NONE,
        threshold=False,
    )


def _history_guard(conditions: Conditions) -> GuardCondition:
    ok = conditions.sunny_history_days >= conditions.min_history_days
    return GuardCondition(
        GuardKey.SUNNY_HISTORY_DAYS,
        conditions.sunny_history_days,
        ok,
        GuardEffect.NONE if ok else GuardEffect.HEDGE_HARDER,
        threshold=conditions.min_history_days,
    )


def _grid_purchase_guard(conditions: Conditions) -> GuardCondition:
    bought = conditions.grid_purchase_in_surplus_kwh
    ok = bought <= conditions.grid_purchase_threshold_kwh
    return GuardCondition(
        GuardKey.GRID_PURCHASE_IN_SURPLUS,
        round(bought, 3),
        ok,
        GuardEffect.NONE if ok else GuardEffect.HEDGE_HARDER,
        threshold=conditions.grid_purchase_threshold_kwh,
    )


@dataclass(frozen=True, slots=True)
class GridSlot:
    """One 30-minute slot of the last day: kWh bought from the grid, generated by PV, and consumed by the house."""

    bought_kwh: float
    pv_kwh: float
    house_kwh: float


def grid_purchase_in_surplus_kwh(slots: Sequence[GridSlot]) -> float:
    """kWh the house bought during the slots in which PV exceeded the house's consumption (the surplus hours)."""
    return sum(slot.bought_kwh for slot in slots if slot.pv_kwh > slot.house_kwh)


def home_conditions(
    *,
    mode: ContractMode,
    house_consumption_measured: bool,
    history: Sequence[DayHistory],
    day_kind: DayType,
    weather_warning: bool = False,
    weather_warning_in_surplus_hours: bool = True,
    last_day_slots: Sequence[GridSlot] = (),
    pv_forecast_available: bool = True,
) -> Conditions:
    """The guards' conditions from what the Home energy entry measures (sunny days counted for `day_kind`)."""
    return Conditions(
        full_purchase_contract=mode is ContractMode.FULL,
        weather_warning=weather_warning,
        weather_warning_in_surplus_hours=weather_warning_in_surplus_hours,
        sunny_history_days=sunny_history_days(history, day_kind),
        pv_forecast_available=pv_forecast_available,
        house_consumption_measured=house_consumption_measured,
        grid_purchase_in_surplus_kwh=grid_purchase_in_surplus_kwh(last_day_slots),
    )


def has_effect(guards: tuple[GuardCondition, ...], effect: GuardEffect) -> bool:
    """Whether any guard has `effect`."""
    return any(guard.effect is effect for guard in guards)
