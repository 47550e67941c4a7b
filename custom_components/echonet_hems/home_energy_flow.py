"""The Home energy entry's settings: contract mode, tariff (a preset or the user's own bands), sell price, levy and
fuel-cost adjustment, CO2 factor, the weather entity for the PV forecast and the weather-warning source; and solar
charge's: which device it drives per kind, the battery reserve and the car's usual day.

The config flow creates the entry with a contract mode and a tariff; everything is editable later in the options
flow, which validates a custom tariff and previews a day of it before it is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
import math
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TimeSelector,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import (
    CONF_BATTERY_RESERVE,
    CONF_CONTRACT,
    CONF_CUSTOM_BANDS,
    CONF_EMISSION_FACTOR,
    CONF_EV_ARRIVAL,
    CONF_EV_BATTERY,
    CONF_EV_DEPARTURE,
    CONF_EV_TARGET,
    CONF_EV_TRIP,
    CONF_FUEL_ADJUSTMENT,
    CONF_HOT_WATER_RESERVE,
    CONF_JMA_OFFICE,
    CONF_RENEWABLE_LEVY,
    CONF_SELL_PRICE,
    CONF_TARIFF,
    CONF_WARNING_ENTITY,
    CONF_WARNING_SOURCE,
    CONF_WEATHER_ENTITY,
    DEFAULT_TARIFF,
    TARIFF_CUSTOM,
    WarningSource,
)
from .ha_compat import ReloadingOptionsFlow
from .lib.energy.balance import ContractMode
from .lib.energy.emission import EMISSION_FACTORS
from .lib.energy.jma_offices import OFFICES
from .lib.energy.jma_warnings import nearest_office
from .lib.energy.solar_charge import Device
from .lib.energy.tariff_custom import CustomTariffSpec, TariffSpecError, custom_tariff, day_preview, parse_bands
from .lib.energy.tariff_presets import TARIFF_PRESETS, TariffPreset
from .solar_charge_devices import DEVICE_OPTION, async_words, candidates, device_options

PRICE_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=-20, max=100, step=0.01, mode=NumberSelectorMode.BOX, unit_of_measurement="JPY/kWh")
)
SELL_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=0, max=100, step=0.01, mode=NumberSelectorMode.BOX, unit_of_measurement="JPY/kWh")
)
FACTOR_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=0, max=2, step=0.001, mode=NumberSelectorMode.BOX, unit_of_measurement="kg/kWh")
)


def preset(options: Mapping[str, Any]) -> TariffPreset:
    """The chosen preset (the default one for a custom tariff: it gives the area's CO2 factor)."""
    return TARIFF_PRESETS.get(str(options.get(CONF_TARIFF)), TARIFF_PRESETS[DEFAULT_TARIFF])


def default_options(hass: HomeAssistant, contract: str, tariff_key: str) -> dict[str, Any]:
    """Everything the entry needs, from the chosen contract and tariff and Home Assistant's home location."""
    chosen = TARIFF_PRESETS[tariff_key]
    options: dict[str, Any] = {
        CONF_CONTRACT: contract,
        CONF_TARIFF: tariff_key,
        CONF_SELL_PRICE: chosen.tariff.sell_price,
        CONF_RENEWABLE_LEVY: chosen.tariff.renewable_levy,
        CONF_FUEL_ADJUSTMENT: 0.0,
        CONF_WARNING_SOURCE: WarningSource.NONE.value,
        CONF_JMA_OFFICE: nearest_office(hass.config.latitude, hass.config.longitude).code,
    }
    # Only where the area's published factor is known; elsewhere the user types their retailer's (CO2 is unknown
    # until then, never a made-up number).
    if (factor := EMISSION_FACTORS.get(chosen.area)) is not None:
        options[CONF_EMISSION_FACTOR] = factor.kg_per_kwh
    return options


def _tariff_options(hass: HomeAssistant) -> list[SelectOptionDict]:
    japanese = (hass.config.language or "").startswith("ja")
    options = [
        SelectOptionDict(value=key, label=item.name_ja if japanese else item.name_en)
        for key, item in TARIFF_PRESETS.items()
    ]
    return [*options, SelectOptionDict(value=TARIFF_CUSTOM, label="カスタム" if japanese else "Custom")]


def _select(options: list[str], translation_key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=translation_key, mode=SelectSelectorMode.DROPDOWN)
    )


def entry_schema(hass: HomeAssistant) -> vol.Schema:
    """The config flow's single step: contract and tariff (the rest has defaults, editable in the options)."""
    tariffs = SelectSelector(SelectSelectorConfig(options=_tariff_options(hass)[:-1], mode=SelectSelectorMode.DROPDOWN))
    return vol.Schema(
        {
            vol.Required(CONF_CONTRACT, default=ContractMode.SURPLUS.value): _select(
                [mode.value for mode in ContractMode], CONF_CONTRACT
            ),
            vol.Required(CONF_TARIFF, default=DEFAULT_TARIFF): tariffs,
        }
    )


def _options_schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    office_options = [SelectOptionDict(value=code, label=f"{code} {o.name_ja}") for code, o in OFFICES.items()]
    fields: dict[Any, Any] = {
        vol.Required(CONF_CONTRACT, default=current[CONF_CONTRACT]): _select(
            [mode.value for mode in ContractMode], CONF_CONTRACT
        ),
        vol.Required(CONF_TARIFF, default=current[CONF_TARIFF]): SelectSelector(
            SelectSelectorConfig(options=_tariff_options(hass), mode=SelectSelectorMode.DROPDOWN)
        ),
        vol.Required(CONF_SELL_PRICE, default=current[CONF_SELL_PRICE]): SELL_SELECTOR,
        vol.Required(CONF_RENEWABLE_LEVY, default=current[CONF_RENEWABLE_LEVY]): PRICE_SELECTOR,
        vol.Required(CONF_FUEL_ADJUSTMENT, default=current[CONF_FUEL_ADJUSTMENT]): PRICE_SELECTOR,
        _optional(CONF_EMISSION_FACTOR, current): FACTOR_SELECTOR,
        _optional(CONF_WEATHER_ENTITY, current): EntitySelector(EntitySelectorConfig(domain="weather")),
        vol.Required(CONF_WARNING_SOURCE, default=current[CONF_WARNING_SOURCE]): _select(
            [source.value for source in WarningSource], CONF_WARNING_SOURCE
        ),
        vol.Required(CONF_JMA_OFFICE, default=current[CONF_JMA_OFFICE]): SelectSelector(
            SelectSelectorConfig(options=office_options, mode=SelectSelectorMode.DROPDOWN)
        ),
        _optional(CONF_WARNING_ENTITY, current): EntitySelector(EntitySelectorConfig(domain="binary_sensor")),
    }
    return vol.Schema(fields)


def _optional(key: str, current: Mapping[str, Any]) -> vol.Optional:
    value = current.get(key)
    return vol.Optional(key) if value is None else vol.Optional(key, description={"suggested_value": value})


def _settings_errors(values: Mapping[str, Any]) -> dict[str, str]:
    if errors := _not_finite(values):
        return errors
    if values[CONF_WARNING_SOURCE] == WarningSource.ENTITY and not values.get(CONF_WARNING_ENTITY):
        return {CONF_WARNING_ENTITY: "warning_entity_required"}
    return {}


def _not_finite(values: Mapping[str, Any]) -> dict[str, str]:
    """Numbers that are NaN or infinite: a NumberSelector's min/max check lets NaN through (the fuzz saved a NaN CO2
    factor, and the CO2 sensor then failed to be added)."""
    return {
        key: "not_a_number" for key, value in values.items() if isinstance(value, float) and not math.isfinite(value)
    }


def custom_spec(bands: str, options: Mapping[str, Any]) -> CustomTariffSpec:
    """The custom tariff the text and the entry's prices describe (`TariffSpecError` when it cannot be used)."""
    return CustomTariffSpec(
        bands=parse_bands(bands),
        sell_price=float(options[CONF_SELL_PRICE]),
        renewable_levy=float(options[CONF_RENEWABLE_LEVY]),
        fuel_adjustment=float(options[CONF_FUEL_ADJUSTMENT]),
    )


def preview_text(bands: str, options: Mapping[str, Any], today: date) -> str:
    """A day of the custom tariff, one line per band: "01:00–06:00 night 31.84 JPY/kWh" (levy included)."""
    tariff = custom_tariff(custom_spec(bands, options))
    return "\n".join(
        f"{start:02d}:00–{end:02d}:00 {name} {price:.2f} JPY/kWh"
        for start, end, name, price in day_preview(tariff, today)
    )


SOLAR_CHARGE_DEFAULTS: dict[str, Any] = {
    CONF_BATTERY_RESERVE: 10,
    CONF_HOT_WATER_RESERVE: 100,
    CONF_EV_DEPARTURE: "07:30:00",
    CONF_EV_ARRIVAL: "18:00:00",
    CONF_EV_TARGET: 30.0,
    CONF_EV_TRIP: 8.0,
    CONF_EV_BATTERY: 40.0,
}


def _kwh(maximum: float) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=0, max=maximum, step=0.5, mode=NumberSelectorMode.BOX, unit_of_measurement="kWh")
    )


async def _device_fields(hass: HomeAssistant, current: Mapping[str, Any]) -> dict[Any, Any]:
    """One select per kind (battery, EcoCute, EV) of the devices the LAN entries found now, and "not controlled".

    The default is the stored choice, else the first found (what solar charge drives without a choice). A kind with
    neither gets no field, so saving keeps "the first found" for a device that is added later."""
    found = candidates(hass)
    words = await async_words(hass)
    fields: dict[Any, Any] = {}
    for device in (Device.BATTERY, Device.WATER_HEATER, Device.EV):
        key, objects = DEVICE_OPTION[device], found[device]
        stored = current.get(key)
        if stored is None and not objects:
            continue
        options = device_options(hass, objects, stored, words)
        fields[vol.Required(key, default=stored or options[0]["value"])] = SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
    return fields


def _solar_charge_schema(current: Mapping[str, Any], devices: dict[Any, Any]) -> vol.Schema:
    percent = NumberSelector(
        NumberSelectorConfig(min=0, max=90, step=1, mode=NumberSelectorMode.SLIDER, unit_of_measurement="%")
    )
    # A household EcoCute tank holds 370-550 L; the reserve is the hot water (0xE1) below which heating is never held.
    litres = NumberSelector(
        NumberSelectorConfig(min=0, max=600, step=10, mode=NumberSelectorMode.BOX, unit_of_measurement="L")
    )
    return vol.Schema(
        {
            **devices,
            vol.Required(CONF_BATTERY_RESERVE, default=current[CONF_BATTERY_RESERVE]): percent,
            vol.Required(CONF_HOT_WATER_RESERVE, default=current[CONF_HOT_WATER_RESERVE]): litres,
            vol.Required(CONF_EV_DEPARTURE, default=current[CONF_EV_DEPARTURE]): TimeSelector(),
            vol.Required(CONF_EV_ARRIVAL, default=current[CONF_EV_ARRIVAL]): TimeSelector(),
            vol.Required(CONF_EV_TARGET, default=current[CONF_EV_TARGET]): _kwh(200),
            vol.Required(CONF_EV_TRIP, default=current[CONF_EV_TRIP]): _kwh(200),
            vol.Required(CONF_EV_BATTERY, default=current[CONF_EV_BATTERY]): _kwh(200),
        }
    )


async def solar_charge_schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Solar charge's form (set-up and options): the devices found now, the reserves and the car's usual day."""
    values = {**SOLAR_CHARGE_DEFAULTS, **current}
    return _solar_charge_schema(values, await _device_fields(hass, values))


def solar_charge_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Translated errors of solar charge's form (a number that is not finite)."""
    return _not_finite(user_input)


class HomeEnergyOptionsFlow(ReloadingOptionsFlow):
    """Settings of the Home energy entry; a custom tariff is validated and previewed before it is saved."""

    def __init__(self) -> None:
        """Remember the settings between the main step and the custom-tariff steps."""
        self._values: dict[str, Any] = {}

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The entry's own menu (its own step id: "init" is the LAN entry's options form in the translations)."""
        return await self.async_step_home_energy_menu()

    async def async_step_home_energy_menu(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The energy settings, or solar charge's."""
        return self.async_show_menu(step_id="home_energy_menu", menu_options=["home_energy", "solar_charge"])

    async def async_step_solar_charge(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The devices it drives, the battery reserve and the car's usual day (departure, arrival, energy needed, trip,
        battery size)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = solar_charge_errors(user_input)
            if not errors:
                return self.async_create_entry(data={**self.config_entry.options, **user_input})
        schema = await solar_charge_schema(self.hass, self.config_entry.options)
        return self.async_show_form(step_id="solar_charge", data_schema=schema, errors=errors)

    async def async_step_home_energy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Contract, tariff, prices, CO2 factor, forecast and warning sources."""
        current: dict[str, Any] = {**default_options(self.hass, ContractMode.SURPLUS, DEFAULT_TARIFF)}
        current.update(self.config_entry.options)
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _settings_errors(user_input)
            if not errors:
                self._values = {**current, **user_input}
                for key in (
                    CONF_WEATHER_ENTITY,
                    CONF_WARNING_ENTITY,
                    CONF_EMISSION_FACTOR,
                ):  # cleared fields are absent from the input
                    if key not in user_input:
                        self._values.pop(key, None)
                if user_input[CONF_TARIFF] == TARIFF_CUSTOM:
                    return await self.async_step_custom_tariff()
                self._values.pop(CONF_CUSTOM_BANDS, None)
                return self.async_create_entry(data=self._values)
            current.update(user_input)
        return self.async_show_form(
            step_id="home_energy",
            data_schema=_options_schema(self.hass, current),
            errors=errors,
            description_placeholders={"contract": str(self.config_entry.options.get(CONF_CONTRACT, ""))},
        )

    async def async_step_custom_tariff(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The user's own bands in a compact text form; checked for overlaps, gaps and negative prices."""
        errors: dict[str, str] = {}
        placeholders = {"detail": ""}
        bands = str(self._values.get(CONF_CUSTOM_BANDS, ""))
        if user_input is not None:
            bands = str(user_input.get(CONF_CUSTOM_BANDS, ""))
            try:
                self._preview = preview_text(bands, self._values, dt_util.now().date())
            except TariffSpecError as err:
                errors[CONF_CUSTOM_BANDS] = f"tariff_{err.code}"
                placeholders["detail"] = err.detail
            else:
                self._values[CONF_CUSTOM_BANDS] = bands
                return await self.async_step_tariff_preview()
        schema = vol.Schema(
            {vol.Required(CONF_CUSTOM_BANDS, default=bands): TextSelector(TextSelectorConfig(multiline=True))}
        )
        return self.async_show_form(
            step_id="custom_tariff", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_tariff_preview(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Today under the custom tariff; saving keeps it."""
        if user_input is not None:
            return self.async_create_entry(data=self._values)
        return self.async_show_form(
            step_id="tariff_preview", data_schema=vol.Schema({}), description_placeholders={"preview": self._preview}
        )

    _preview: str = ""
