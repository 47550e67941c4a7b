"""The smart meter (B-route) config flow against the virtual meter behind its emulated dongle on a real pty.

Every error is produced by the emulator (wrong password, a foreign B-route ID, a meter held by another controller, a
port that is not a dongle), except "unknown", which needs a failure no real part makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.echonet_hems.const import (
    CONF_KIND,
    CONF_PAN,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    CONF_SCAN_INTERVAL,
    DOMAIN,
)

from .meter_rig import METER_MAC, OTHER_METER_MAC, PASSWORD, ROUTE_B_ID, MeterRig, meter_rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[MeterRig]:
    """The virtual meter and its dongle."""
    async with meter_rig(tmp_path) as running:
        yield running


async def _start_meter_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "broute" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "broute"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broute"
    assert set(result["data_schema"].schema) == {CONF_PORT, CONF_ROUTE_B_ID, CONF_ROUTE_B_PASSWORD}
    return str(result["flow_id"])


async def test_errors_on_the_right_field_then_the_meter_is_joined(hass: HomeAssistant, rig: MeterRig) -> None:
    flow_id = await _start_meter_flow(hass)
    cases = [
        (rig.user_input(route_b_id="0123"), {CONF_ROUTE_B_ID: "invalid_route_b_id"}),
        (rig.user_input(password="short"), {CONF_ROUTE_B_PASSWORD: "invalid_password"}),
        (rig.user_input(password="WRONGPASS123"), {CONF_ROUTE_B_PASSWORD: "invalid_auth"}),
        (rig.user_input(route_b_id="F" * 32), {CONF_ROUTE_B_ID: "meter_not_found"}),
        ({**rig.user_input(), CONF_PORT: "/dev/null-no-such-dongle"}, {CONF_PORT: "cannot_connect"}),
        # Only the documented kinds of port: a device path, socket:// and rfc2217:// (serialx knows more schemes).
        ({**rig.user_input(), CONF_PORT: "esphome://192.0.2.1"}, {CONF_PORT: "invalid_port"}),
        ({**rig.user_input(), CONF_PORT: "ttyUSB0"}, {CONF_PORT: "invalid_port"}),
    ]
    for user_input, errors in cases:
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
        assert result["type"] is FlowResultType.FORM, user_input
        assert result["errors"] == errors, user_input
    with patch("custom_components.echonet_hems.async_setup_entry", return_value=True) as setup:
        result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input())
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == METER_MAC  # the meter's hardware identity, not the B-route ID
    assert entry.title == "Smart meter (Toshiba)"
    assert entry.data[CONF_KIND] == "broute"
    assert entry.data[CONF_PORT] == rig.url
    assert (entry.data[CONF_ROUTE_B_ID], entry.data[CONF_ROUTE_B_PASSWORD]) == (ROUTE_B_ID, PASSWORD)
    assert entry.data[CONF_PAN] == {"channel": 0x3B, "pan_id": 0x8888, "mac": METER_MAC}
    assert len(setup.mock_calls) == 1


async def test_meter_busy_then_released(hass: HomeAssistant, rig: MeterRig) -> None:
    flow_id = await _start_meter_flow(hass)
    rig.port.emulator.set_meter_busy(True)
    result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input())
    assert result["errors"] == {"base": "meter_busy"}
    rig.port.emulator.set_meter_busy(False)
    with patch("custom_components.echonet_hems.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input())
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unknown_error_then_recover(hass: HomeAssistant, rig: MeterRig) -> None:
    flow_id = await _start_meter_flow(hass)
    with patch("custom_components.echonet_hems.config_flow.BRouteSession.start", side_effect=RuntimeError("a bug")):
        result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input())
    assert result["errors"] == {"base": "unknown"}
    with patch("custom_components.echonet_hems.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input())
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_the_same_meter_twice_is_already_configured(hass: HomeAssistant, rig: MeterRig) -> None:
    rig.entry().add_to_hass(hass)
    flow_id = await _start_meter_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {**rig.user_input(), CONF_PORT: rig.tcp_url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_serial_ports_are_offered_by_their_stable_path(hass: HomeAssistant, rig: MeterRig) -> None:
    class Port:
        device = "/dev/ttyUSB0"
        serial_number = "A1B2"
        manufacturer = "ROHM"
        description = "BP35A1"
        vid = "0403"
        pid = "6015"

    # No USB serial adapter exists on a test machine: the port list is the one thing faked here.
    with (
        patch("custom_components.echonet_hems.config_flow.list_ports.comports", return_value=[Port()]),
        patch(
            "custom_components.echonet_hems.config_flow.usb.get_serial_by_id",
            return_value="/dev/serial/by-id/usb-ROHM_BP35A1-if00",
        ),
    ):
        flow_id = await _start_meter_flow(hass)
        result = await hass.config_entries.flow.async_configure(flow_id, rig.user_input(password="WRONGPASS123"))
    selector = result["data_schema"].schema[CONF_PORT]
    options = selector.config["options"]
    assert options == [
        {
            "value": "/dev/serial/by-id/usb-ROHM_BP35A1-if00",
            "label": "BP35A1 - /dev/ttyUSB0, s/n: A1B2 - ROHM - 0403:6015",
        }
    ]
    assert selector.config["custom_value"] is True  # a pty or socket:// URL can be typed in
    # The form keeps what was typed, except the password.
    defaults = {str(key): key.default() for key in result["data_schema"].schema if callable(key.default)}
    assert defaults == {CONF_PORT: rig.url, CONF_ROUTE_B_ID: ROUTE_B_ID}


async def test_reauth_with_a_new_password(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry(password="OLDPASSWORD1")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ROUTE_B_ID: ROUTE_B_ID, CONF_ROUTE_B_PASSWORD: "STILLWRONG12"}
    )
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {CONF_ROUTE_B_PASSWORD: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ROUTE_B_ID: ROUTE_B_ID, CONF_ROUTE_B_PASSWORD: PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_ROUTE_B_PASSWORD] == PASSWORD
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_moves_to_another_port(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_meter"
    assert set(result["data_schema"].schema) == {CONF_PORT}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PORT: "/dev/nonexistent"})
    assert result["errors"] == {CONF_PORT: "cannot_connect"}
    with patch("custom_components.echonet_hems.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PORT: rig.tcp_url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == rig.tcp_url
    assert entry.data[CONF_ROUTE_B_PASSWORD] == PASSWORD


async def test_reconfigure_to_a_different_meter_is_refused(hass: HomeAssistant, tmp_path: Path) -> None:
    async with meter_rig(tmp_path, meter_mac=OTHER_METER_MAC) as other:
        entry = other.entry(unique_id=METER_MAC)
        entry.add_to_hass(hass)
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PORT: other.url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_meter"


async def test_poll_interval_option(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "meter"
    assert set(result["data_schema"].schema) == {CONF_SCAN_INTERVAL}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {CONF_SCAN_INTERVAL: 30.0})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 30}


async def test_a_port_an_entry_uses_is_refused_before_any_io(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    entry.add_to_hass(hass)
    flow_id = await _start_meter_flow(hass)
    with patch("custom_components.echonet_hems.config_flow.async_join_meter") as join:
        result = await hass.config_entries.flow.async_configure(
            flow_id,
            {**rig.user_input(), CONF_PORT: f" {entry.data[CONF_PORT]} ", CONF_ROUTE_B_PASSWORD: "WRONGPASSWRD"},
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PORT: "port_used_by_entry"}
    join.assert_not_called()  # the running session was never disturbed
