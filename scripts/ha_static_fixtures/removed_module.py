# expect: module homeassistant.helpers.echonet_removed does not exist
"""A module the release does not have."""

from homeassistant.helpers.echonet_removed import thing

VALUE = thing
