# expect: is deprecated; convert_interval is marked deprecated
"""Names the release marks deprecated: with `@warnings.deprecated` (pyright's reportDeprecated) and with Home
Assistant's own `deprecated_function` decorator (the name scan)."""

from homeassistant.components.climate import ClimateEntity
from homeassistant.util.unit_conversion import TemperatureConverter


class Climate(ClimateEntity):
    """Reads a temperature under its deprecated name."""

    def shown(self) -> float | None:
        """The room temperature, read the old way."""
        return self.current_temperature


INTERVAL = TemperatureConverter.convert_interval(1.0, "°C", "°F")
