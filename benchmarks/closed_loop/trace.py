"""An opt-in per-10-minute trace of the loop (`CLOSED_LOOP_TRACE=PATH`): the plan's current slot next to what each
device really did, to find where plan and home part (issue 13's diagnosis)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import json
from pathlib import Path
from typing import Any

from homeassistant.util import dt as dt_util

from custom_components.echonet_hems.solar_charge_coordinator import SolarChargeCoordinator, find_devices, plan_state
from virtual_home.clock import JST
from virtual_home.runtime import VirtualHome

from .rig import controlled_car

EVERY_S = 600


def _slot(solar: SolarChargeCoordinator, now: datetime) -> dict[str, Any]:
    data = solar.data
    if data is None or data.plan is None:
        return {}
    plan = data.plan
    current = next(
        (s for s in plan.slots if s.start <= now < s.start + (plan.slots[1].start - plan.slots[0].start)), None
    )
    if current is None:
        return {"plan_created": plan.created.astimezone(JST).strftime("%H:%M")}
    return {
        "plan_created": plan.created.astimezone(JST).strftime("%H:%M"),
        "p_heat": round(current.heat_kw, 2),
        "p_batt": round(current.battery_kw, 2),
        "p_ev": round(current.ev_kw, 2),
        "p_ev_kwh": round(current.ev_kwh, 2),
        "p_batt_kwh": round(current.battery_kwh, 2),
        "p_tank": round(current.tank_kwh_th, 2),
        "r": f"{current.heat_reason.value}/{current.battery_reason.value}/{current.ev_reason.value}",
    }


def tracer(solar: SolarChargeCoordinator, path: Path) -> Callable[[VirtualHome], None]:
    """A step hook writing one JSON line per 10 simulated minutes."""
    out = path.open("w", encoding="utf-8")
    last: list[float] = [0.0]

    def trace(home: VirtualHome) -> None:
        now = dt_util.now()
        if now.timestamp() - last[0] < EVERY_S:
            return
        last[0] = now.timestamp()
        charger, battery, tank = controlled_car(home), home.home.battery, home.home.ecocute
        state = plan_state(find_devices(solar.hass, solar.settings.devices), solar.settings.ev_battery_kwh)
        row: dict[str, Any] = {
            "t": now.astimezone(JST).strftime("%m-%d %H:%M"),
            **_slot(solar, now),
            "read_batt": round(state.battery_kwh, 2),
            "read_ev": round(state.ev_kwh, 2),
            "read_tank": round(state.tank_kwh_th, 2),
            "batt_mode": battery.mode.value if battery else None,
            "batt_w": round(battery.power_w) if battery else None,
            "batt_kwh": round(battery.soc_wh / 1000, 2) if battery else None,
            "ev_mode": charger.mode.value,
            "ev_w": round(charger.power_w),
            "ev_kwh": round(charger.car.soc_wh / 1000, 2),
            "car_home": not charger.car.away,
            "heat_mode": tank.mode.value if tank else None,
            "reheat": tank.daytime_reheat_permitted if tank else None,
            "heat_w": round(tank.power_w) if tank else None,
            "tank_kwh": round(tank.heat_wh / 1000, 2) if tank else None,
        }
        out.write(json.dumps(row) + "\n")
        out.flush()

    return trace
