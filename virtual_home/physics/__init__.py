"""Physics of the virtual home: pure, deterministic, step-size independent models (no I/O while stepping).

Every ``step`` covers the interval ``[now, now + seconds)`` and returns the *mean* power over it, so a 60-second live
simulation and a 30-minute year-long benchmark integrate the same energies. Times are aware datetimes (JST in the
home); internally the models run on POSIX timestamps for speed.
"""

from virtual_home.physics.appliances import AirConditioner, Light
from virtual_home.physics.battery import Battery, BatteryMode
from virtual_home.physics.climate import outdoor_temp_c
from virtual_home.physics.ev import ChargerMode, EVCar, EVCharger
from virtual_home.physics.fuel_cell import FuelCell
from virtual_home.physics.home import CIRCUITS, Home, HomeSnapshot, default_home
from virtual_home.physics.load import BaseLoad
from virtual_home.physics.pv import PVArray
from virtual_home.physics.sun import SolarPosition, solar_position
from virtual_home.physics.water_heater import EcoCute, HeaterMode
from virtual_home.physics.weather import Sky, Weather

__all__ = [
    "CIRCUITS",
    "AirConditioner",
    "BaseLoad",
    "Battery",
    "BatteryMode",
    "ChargerMode",
    "EVCar",
    "EVCharger",
    "EcoCute",
    "FuelCell",
    "HeaterMode",
    "Home",
    "HomeSnapshot",
    "Light",
    "PVArray",
    "Sky",
    "SolarPosition",
    "Weather",
    "default_home",
    "outdoor_temp_c",
    "solar_position",
]
