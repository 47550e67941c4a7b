"""The Home energy entry at run time: the house balance, prices, cost and CO2, recomputed from the other entries'
sensors whenever one of them changes (and every 30 s), with the running totals kept across restarts.

All arithmetic is in `lib/energy` (balance, ledger, tariff); this module reads the source sensors, feeds the library
and keeps its state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CONTRACT,
    CONF_CUSTOM_BANDS,
    CONF_EMISSION_FACTOR,
    CONF_FUEL_ADJUSTMENT,
    CONF_RENEWABLE_LEVY,
    CONF_SELL_PRICE,
    CONF_TARIFF,
    CONF_WARNING_ENTITY,
    DOMAIN,
    HOME_ENERGY_INTERVAL,
    TARIFF_CUSTOM,
    WarningSource,
)
from .home_energy_flow import custom_spec, preset
from .home_energy_forecast import PVForecastCoordinator
from .home_energy_sources import Role, Sources, async_find_sources, sum_role
from .home_energy_warning import JmaWarningCoordinator, warning_active, warning_source
from .lib.energy import ledger
from .lib.energy.balance import (
    ContractMode,
    EnergyCounters,
    GenerationStatus,
    PowerReadings,
    generation_status,
    house_power_w,
)
from .lib.energy.calendar import day_type
from .lib.energy.forecast import PVSite
from .lib.energy.guards import Conditions, GuardCondition, evaluate_guards, home_conditions
from .lib.energy.pv_outlook import HistoryFactsCache
from .lib.energy.tariff import JST, Tariff
from .lib.energy.tariff_custom import custom_tariff
from .lib.energy.tariff_tiered import TieredTariff
from .periodic_save import PeriodicSave

_LOGGER = logging.getLogger(__name__)
STORAGE_VERSION = 1
LEDGER_SAVE_DELAY_S = 60.0  # the ledger is written about this long after a change: what a power cut can lose


def tariff_from_options(options: Mapping[str, Any]) -> Tariff | TieredTariff:
    """The tariff the options describe: a preset or the custom bands, with the user's levy, fuel-cost adjustment and
    sell price."""
    if options.get(CONF_TARIFF) == TARIFF_CUSTOM and options.get(CONF_CUSTOM_BANDS):
        return custom_tariff(custom_spec(str(options[CONF_CUSTOM_BANDS]), options))
    base = preset(options).tariff
    return replace(
        base,
        sell_price=float(options[CONF_SELL_PRICE]),
        renewable_levy=float(options[CONF_RENEWABLE_LEVY]),
        fuel_adjustment=(float(options[CONF_FUEL_ADJUSTMENT]),) * 12,
    )


@dataclass(frozen=True, slots=True)
class HomeEnergyData:
    """What the entities show (None: not measurable with the entries that exist)."""

    house_power_w: float | None
    house_energy_kwh: float | None
    today: ledger.DayTotals
    generation: GenerationStatus | None
    price_now: float
    sell_price: float
    band_now: str
    next_change: datetime | None
    co2_known: bool = True  # an emission factor is set
    guards: tuple[GuardCondition, ...] = ()
    warning: bool | None = None
    sources: Sources = field(default_factory=Sources)


class HomeEnergyCoordinator(DataUpdateCoordinator[HomeEnergyData]):
    """Recomputes the house balance from the source sensors (push: on their changes; poll: every 30 s)."""

    config_entry: ConfigEntry[Any]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Settings come from the entry's options; the ledger from storage (see `async_load`)."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} home energy",
            update_interval=HOME_ENERGY_INTERVAL,
            request_refresh_debouncer=Debouncer(hass, _LOGGER, cooldown=2.0, immediate=False),
        )
        self.mode = ContractMode(entry.options.get(CONF_CONTRACT, ContractMode.SURPLUS))
        self.tariff = tariff_from_options(entry.options)
        factor = entry.options.get(CONF_EMISSION_FACTOR)
        self.co2_factor: float | None = None if factor is None else float(factor)
        self.prices = ledger.Prices(
            buy=self.tariff,
            sell_yen_per_kwh=float(entry.options[CONF_SELL_PRICE]),
            co2_kg_per_kwh=self.co2_factor or 0.0,
        )
        self.sources = Sources()
        self.ledger = ledger.LedgerState()
        # One ledger per contract mode: a change of mode starts new series, as on the reference controller.
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.home_energy.{self.mode}")
        self._saver = PeriodicSave(hass, self._store, lambda: self.ledger.as_dict(), LEDGER_SAVE_DELAY_S)
        self._unsub_states: Any = None
        self.clock: Callable[[], datetime] = dt_util.utcnow  # injected: tests put the house at a chosen time
        self.forecast: PVForecastCoordinator | None = None  # set once both exist (the forecast reads our sources)
        self.jma: JmaWarningCoordinator | None = None
        self.conditions: Conditions | None = None
        self._history_facts = HistoryFactsCache()  # the guards' day records, derived again when the history changes

    async def async_load(self) -> None:
        """Restore the ledger saved by the last run (a fresh one when there is none or it is damaged)."""
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            self.ledger = ledger.LedgerState.from_dict(stored)

    @callback
    def async_start(self) -> None:
        """Find the sources now, again whenever the entity registry changes, and follow their states."""
        self._async_follow_sources()
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_registry_updated)
        )
        self.config_entry.async_on_unload(self._async_stop_following)

    @callback
    def _async_registry_updated(self, _event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        self._async_follow_sources()

    @callback
    def _async_follow_sources(self) -> None:
        sources = async_find_sources(self.hass)
        if sources == self.sources and self._unsub_states is not None:
            return
        self._async_stop_following()
        self.sources = sources
        followed = list(sources.entity_ids())
        if warning_source(self.config_entry.options) is WarningSource.ENTITY:
            followed.append(str(self.config_entry.options.get(CONF_WARNING_ENTITY, "")))
        self._unsub_states = async_track_state_change_event(self.hass, followed, self._async_source_changed)

    @callback
    def _async_stop_following(self) -> None:
        if self._unsub_states is not None:
            self._unsub_states()
            self._unsub_states = None

    @callback
    def _async_source_changed(self, _event: Event[EventStateChangedData]) -> None:
        self.async_request_refresh_soon()

    @callback
    def async_request_refresh_soon(self) -> None:
        """Recompute soon (debounced): a source sensor, the forecast or the warning changed."""
        self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

    def _value(self, *roles: Role, absent: float | None = 0.0) -> float | None:
        """The first measured role's sum (None: measured but unknown now); `absent` when none is measured — 0.0 for
        a device the house does not have, None for the grid (the balance is not measurable without it)."""
        for role in roles:  # e.g. the meter before the distribution board
            if self.sources.has(role):
                return sum_role(self.hass, self.sources, role)
        return absent

    def _readings(self) -> PowerReadings:
        return PowerReadings(
            grid_w=self._value(Role.GRID_POWER, absent=None),
            pv_w=self._value(Role.PV_POWER),
            fuel_cell_w=self._value(Role.FUEL_CELL_POWER),
            battery_w=self._value(Role.BATTERY_POWER),
            v2h_w=self._value(Role.V2H_POWER),
            board_w=self._value(Role.BOARD_POWER, absent=None),
        )

    def _counters(self) -> EnergyCounters:
        return EnergyCounters(
            bought=self._value(Role.GRID_IMPORT, Role.BOARD_IMPORT, absent=None),
            sold=self._value(Role.GRID_EXPORT, Role.BOARD_EXPORT),
            pv=self._value(Role.PV_ENERGY),
            fuel_cell=self._value(Role.FUEL_CELL_ENERGY),
            battery_charged=self._value(Role.BATTERY_CHARGED),
            battery_discharged=self._value(Role.BATTERY_DISCHARGED),
            v2h_discharged=self._value(Role.V2H_DISCHARGED),
        )

    def _house_measured(self) -> bool:
        return any(self.sources.has(role) for role in (Role.GRID_IMPORT, Role.BOARD_IMPORT))

    def _guards(self, now: datetime, warning: bool | None) -> tuple[GuardCondition, ...]:
        history = self.forecast.history if self.forecast is not None else []
        site = PVSite(latitude=self.hass.config.latitude, longitude=self.hass.config.longitude, capacity_kw=1.0)
        local = now.astimezone(JST)
        facts = self._history_facts.get(history, site)
        conditions = home_conditions(
            mode=self.mode,
            house_consumption_measured=self._house_measured(),
            history=facts.days,
            day_kind=day_type(local.date()),
            weather_warning=bool(warning),
            last_day_slots=facts.last_day_slots,
            pv_forecast_available=self.forecast is not None and self.forecast.data is not None,
        )
        self.conditions = conditions  # solar charge plans with the same facts
        return evaluate_guards(self.tariff, conditions, local.month)

    async def _async_update_data(self) -> HomeEnergyData:
        now = self.clock()
        warning = warning_active(self.hass, self.config_entry.options, self.jma)
        readings = self._readings()
        self.ledger = ledger.update(self.ledger, now, self._counters(), self.mode, self.prices)
        self._saver.request()
        return HomeEnergyData(
            house_power_w=house_power_w(readings, self.mode),
            house_energy_kwh=self.ledger.house_total_kwh if self._house_measured() else None,
            today=self.ledger.today,
            generation=generation_status(readings.pv_w, readings.fuel_cell_w),
            price_now=self.tariff.buy_price_at(now, self.ledger.month_bought_kwh),
            sell_price=self.prices.sell_yen_per_kwh,
            band_now=self.tariff.band_name_at(now),
            next_change=self.tariff.next_change(now),
            guards=await self.hass.async_add_executor_job(self._guards, now, warning),
            warning=warning,
            co2_known=self.co2_factor is not None,
            sources=self.sources,
        )

    async def async_shutdown(self) -> None:
        """Save the ledger before the entry goes away."""
        await super().async_shutdown()
        await self._store.async_save(self.ledger.as_dict())
