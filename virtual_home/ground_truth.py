"""What really happened in the virtual home: cumulative energies the tests compare with what a controller measured.

`GroundTruth` is read in-process (`VirtualHome.truth`); it is not an ECHONET object, and the FULL contract's sell
meter appears nowhere else. Every value is integrated from the simulation steps' mean powers (`EnergyTotals`), so it is
exact for the simulated home, not an estimate. Definitions (kWh, counted since the simulation started, history days
included; take the difference of two readings with `since`):

* ``house_kwh`` — what the household consumed: base load, air conditioner, light, EcoCute and EV charging (a V2H unit
  charging its car included). Battery charging is *not* consumption (it is stored); a V2H car supplying the house is
  a source like the battery's discharge (``v2h_discharged_kwh``), not negative consumption.
* ``bought_kwh`` — the house meter's import (the B-route smart meter's normal-direction counter, before rounding).
* ``sold_kwh`` — everything sold: the house meter's export plus, under the FULL contract, the PV's own sell meter.
* ``pv_kwh``, ``fuel_cell_kwh`` — generated; ``battery_charged_kwh``/``battery_discharged_kwh`` — AC side of the
  storage battery; ``v2h_discharged_kwh`` — AC energy a V2H unit fed the house from its car.

In both contracts: ``house = bought + pv + fuel_cell + battery_discharged + v2h_discharged − battery_charged − sold``
(`balance_error_kwh` is that identity's residual, zero up to float rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

from .physics.home import Contract, Home

WH_PER_KWH = 1000.0


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Cumulative energies of the simulated home (kWh); see the module docstring for what each one counts."""

    contract: Contract
    house_kwh: float
    bought_kwh: float
    sold_kwh: float
    pv_kwh: float
    fuel_cell_kwh: float
    battery_charged_kwh: float
    battery_discharged_kwh: float
    v2h_discharged_kwh: float
    sell_meter_kwh: float  # the part of `sold_kwh` that went through the PV's own meter (FULL contract only)

    def since(self, earlier: GroundTruth) -> GroundTruth:
        """The energies between `earlier` and this reading."""
        return GroundTruth(
            contract=self.contract,
            house_kwh=self.house_kwh - earlier.house_kwh,
            bought_kwh=self.bought_kwh - earlier.bought_kwh,
            sold_kwh=self.sold_kwh - earlier.sold_kwh,
            pv_kwh=self.pv_kwh - earlier.pv_kwh,
            fuel_cell_kwh=self.fuel_cell_kwh - earlier.fuel_cell_kwh,
            battery_charged_kwh=self.battery_charged_kwh - earlier.battery_charged_kwh,
            battery_discharged_kwh=self.battery_discharged_kwh - earlier.battery_discharged_kwh,
            v2h_discharged_kwh=self.v2h_discharged_kwh - earlier.v2h_discharged_kwh,
            sell_meter_kwh=self.sell_meter_kwh - earlier.sell_meter_kwh,
        )

    @property
    def balance_error_kwh(self) -> float:
        """House consumption minus what the meters and devices account for (0 when the books balance)."""
        supplied = self.bought_kwh + self.pv_kwh + self.fuel_cell_kwh + self.battery_discharged_kwh
        supplied += self.v2h_discharged_kwh - self.battery_charged_kwh - self.sold_kwh
        return self.house_kwh - supplied


def ground_truth(home: Home) -> GroundTruth:
    """The home's cumulative energies now."""
    totals = home.totals
    return GroundTruth(
        contract=home.contract,
        house_kwh=totals.house_wh / WH_PER_KWH,
        bought_kwh=totals.bought_wh / WH_PER_KWH,
        sold_kwh=totals.sold_wh / WH_PER_KWH,
        pv_kwh=totals.pv_wh / WH_PER_KWH,
        fuel_cell_kwh=totals.fuel_cell_wh / WH_PER_KWH,
        battery_charged_kwh=totals.battery_charged_wh / WH_PER_KWH,
        battery_discharged_kwh=totals.battery_discharged_wh / WH_PER_KWH,
        v2h_discharged_kwh=totals.v2h_discharged_wh / WH_PER_KWH,
        sell_meter_kwh=totals.sell_meter_wh / WH_PER_KWH,
    )
