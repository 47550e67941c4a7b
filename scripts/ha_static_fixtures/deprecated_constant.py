# expect: CONCENTRATION_GRAMS_PER_CUBIC_METER is a deprecated constant
"""A constant the release serves only through its deprecation shim (`_DEPRECATED_<name>` and module `__getattr__`)."""

from homeassistant.const import CONCENTRATION_GRAMS_PER_CUBIC_METER

UNIT = CONCENTRATION_GRAMS_PER_CUBIC_METER
