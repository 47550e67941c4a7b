"""Class ids of the classes we support and the EPCs every object or the node profile shares, defined once.

Class id = class group code << 8 | class code (ECHONET Lite Appendix, "Detailed Requirements for ECHONET Device
objects"); the class tables in `specs/` carry the same numbers as generated data. Everything else (the integration,
the virtual home, the benchmarks) imports these names instead of writing the numbers again.
"""

from __future__ import annotations

from typing import Final

# Device classes (group 0x01 air conditioner-related, 0x02 housing/facilities-related).
AIR_CONDITIONER: Final = 0x0130
WATER_HEATER: Final = 0x026B  # electric water heater (EcoCute)
PV: Final = 0x0279  # household solar power generation
FUEL_CELL: Final = 0x027C
BATTERY: Final = 0x027D  # storage battery
V2H: Final = 0x027E  # electric vehicle charger/discharger
BOARD: Final = 0x0287  # power distribution board metering
SMART_METER: Final = 0x0288  # low-voltage smart electric energy meter
GENERAL_LIGHTING: Final = 0x0290
EV_CHARGER: Final = 0x02A1
MULTI_INPUT_PCS: Final = 0x02A5
NODE_PROFILE: Final = 0x0EF0

# Super class EPCs every device object has (or may have).
EPC_OPERATION_STATUS: Final = 0x80
EPC_INSTALLATION_LOCATION: Final = 0x81
EPC_STANDARD_VERSION: Final = 0x82
EPC_IDENTIFICATION: Final = 0x83
EPC_FAULT_STATUS: Final = 0x88
EPC_MANUFACTURER: Final = 0x8A
EPC_PRODUCT_CODE: Final = 0x8C
EPC_PRODUCTION_NUMBER: Final = 0x8D
EPC_STATUS_MAP: Final = 0x9D
EPC_SET_MAP: Final = 0x9E
EPC_GET_MAP: Final = 0x9F

# Node profile EPCs.
EPC_INSTANCE_COUNT: Final = 0xD3
EPC_CLASS_COUNT: Final = 0xD4
EPC_INSTANCE_LIST_NOTIFICATION: Final = 0xD5
EPC_SELF_NODE_INSTANCES: Final = 0xD6
EPC_CLASS_LIST: Final = 0xD7
