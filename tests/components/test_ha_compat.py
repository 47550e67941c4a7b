"""Feature detection for Home Assistant versions we cannot run here (the newest needs Python 3.14).

The run-time tests see only one side of each switch; these drive the other side through the same code.
"""

from __future__ import annotations

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.water_heater import WaterHeaterEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems import ha_compat
from custom_components.echonet_hems.climate import EchonetClimateEntity
from custom_components.echonet_hems.const import DOMAIN
from custom_components.echonet_hems.water_heater import EchonetWaterHeaterEntity

PARENT = (DOMAIN, "node-1")


def _child() -> DeviceInfo:
    return DeviceInfo(identifiers={(DOMAIN, "node-1-027D01")}, name="battery")


@pytest.mark.parametrize("via_device_id", [False, True])
async def test_link_via_device_uses_what_the_version_accepts(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, via_device_id: bool
) -> None:
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    parent = dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, identifiers={PARENT})
    monkeypatch.setattr(ha_compat, "VIA_DEVICE_ID", via_device_id)
    linked = dict(ha_compat.link_via_device(hass, _child(), PARENT))
    if via_device_id:
        assert linked.get("via_device_id") == parent.id
        assert "via_device" not in linked
    else:
        assert linked.get("via_device") == PARENT
        assert "via_device_id" not in linked


async def test_link_via_device_id_leaves_out_an_unregistered_parent(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ha_compat, "VIA_DEVICE_ID", True)
    linked = dict(ha_compat.link_via_device(hass, _child(), PARENT))
    assert "via_device_id" not in linked
    assert "via_device" not in linked


def test_via_device_id_detection_matches_this_version() -> None:
    # This version's DeviceInfo is a TypedDict; it lists via_device_id only once that key exists.
    assert ha_compat.VIA_DEVICE_ID is ("via_device_id" in DeviceInfo.__optional_keys__)
    assert ha_compat.VIA_DEVICE_ID or "via_device" in DeviceInfo.__optional_keys__


@pytest.mark.parametrize(
    ("entity_class", "base"), [(EchonetClimateEntity, ClimateEntity), (EchonetWaterHeaterEntity, WaterHeaterEntity)]
)
def test_old_temperature_names_only_where_the_base_reads_them(entity_class: type, base: type) -> None:
    native = ha_compat.has_native_temperatures(base)
    own = vars(entity_class)
    assert {"native_current_temperature", "native_target_temperature", "_attr_native_temperature_unit"} <= set(own)
    for old in ("current_temperature", "target_temperature", "_attr_temperature_unit"):
        assert (old in own) is not native
