# expect: OptionsFlowWithAutoReload does not exist; CONF_ECHONET_NOT_A_NAME does not exist
"""Names the release does not define, imported from modules with a module-level `__getattr__` (pyright accepts
any name from those; the imported-name check must not)."""

from homeassistant.config_entries import OptionsFlowWithAutoReload
from homeassistant.const import CONF_ECHONET_NOT_A_NAME


class Options(OptionsFlowWithAutoReload):
    """An options flow on a base class that does not exist."""

    key = CONF_ECHONET_NOT_A_NAME
