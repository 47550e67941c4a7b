"""The forecast service of the benchmark (BENCHMARK.md §5.5): what a weather/PV forecast provider would give the
strategies, generated apart from them from the scenario's truth, seeded and reproducible.

A forecast is **issued** every evening at 21:00 (slot 42) for the rest of that day and the next three days; at any
slot a strategy sees the latest issue, so a target day is forecast with a lead of 1, 2 or 3 days and the error grows
with the lead. PV models (each a daily clear-sky index on the clear-sky profile):

- F0 perfect: the actual PV (and, for (d), the actual load and draws: a perfect forecast by definition);
- F1 persistence: the index of the issue day (complete at 21:00) for every target day;
- F3 clear-sky × noisy index: the true index × exp(ε), ε_lead1 an AR(1) over target days in log space (φ = 0.37,
  sd calibrated to ~30 % daily nMAE at lead 1, as real day-ahead forecasts); each further day of lead adds an
  independent log error of sd ``LEAD_LOG_SD``;
- F5 real forecast error: the true index × the emhass home's real day-ahead forecast/actual ratio of the same day
  of the year (its real error structure, bias included) at lead 1, plus the same extra error per further day.

Outdoor temperature: the truth plus an error whose sd grows with the lead time (``temperature_sd``): a bias per issue
and a smaller independent part per slot.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .scenario import SLOTS_PER_DAY, FloatArray, Scenario, emhass_daily

ISSUE_SLOT = 42  # 21:00
MAX_LEAD_DAYS = 3
F3_LOG_SD = 0.51  # calibrated: daily nMAE 0.30 at lead 1 over jp6 2025, seeds 0-4 (docs/planner_benchmark.md)
F3_PHI = 0.37
LEAD_LOG_SD = 0.35  # extra log error per day of lead beyond the first
MAX_INDEX = 1.1
TEMP_SD_0 = 0.7  # °C at lead 0
TEMP_SD_PER_DAY = 0.8  # °C added per day of lead
MODELS = ("F0", "F1", "F3", "F5")


def issue_day(k: int) -> int:
    """Day of the latest 21:00 issue at or before slot `k` (−1 before the first)."""
    day, slot = divmod(k, SLOTS_PER_DAY)
    return day if slot >= ISSUE_SLOT else day - 1


def temperature_sd(lead_h: float) -> float:
    """Standard deviation (°C) of the outdoor temperature forecast at a lead of `lead_h` hours."""
    return TEMP_SD_0 + TEMP_SD_PER_DAY * lead_h / 24.0


class ForecastService:
    """Forecasts as issued: ``pv(k, n)`` and ``temperature(k, n)`` give slots k … k+n−1 from the latest issue."""

    def __init__(self, scenario: Scenario, model: str, seed: int) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown forecast model {model}")
        self.scenario = scenario
        self.model = model
        days = len(scenario.pv_kw) // SLOTS_PER_DAY
        self.days = days
        actual = scenario.pv_kw.reshape(days, SLOTS_PER_DAY).sum(axis=1)
        clear = scenario.clear_pv_kw.reshape(days, SLOTS_PER_DAY).sum(axis=1)
        index = np.where(clear > 0.1, actual / np.maximum(clear, 1e-9), 0.0)
        rng = np.random.default_rng(seed)
        # by_lead[d, lead]: the daily clear-sky index forecast for day d issued `lead` days before (lead 0 = truth).
        by_lead = np.repeat(index[:, None], MAX_LEAD_DAYS + 1, axis=1)
        extra = rng.standard_normal((days, MAX_LEAD_DAYS + 1)) * LEAD_LOG_SD
        extra[:, :2] = 0.0
        extra = np.cumsum(extra, axis=1)
        if model == "F1":
            for lead in range(1, MAX_LEAD_DAYS + 1):
                by_lead[lead:, lead] = index[:-lead]
                by_lead[:lead, lead] = index[0]
        elif model == "F3":
            noise = np.zeros(days)
            shocks = rng.standard_normal(days) * F3_LOG_SD * np.sqrt(1.0 - F3_PHI**2)
            for d in range(days):
                noise[d] = (F3_PHI * noise[d - 1] if d else 0.0) + shocks[d]
            by_lead[:, 1:] = index[:, None] * np.exp(noise[:, None] + extra[:, 1:])
        elif model == "F5":
            pv_real, fc_real = emhass_daily()
            day_of_year = np.array(
                [min(scenario.times[d * SLOTS_PER_DAY].timetuple().tm_yday, 365) - 1 for d in range(days)]
            )
            ratio = np.where(
                pv_real[day_of_year] > 1.0, fc_real[day_of_year] / np.maximum(pv_real[day_of_year], 1e-9), 1.0
            )
            by_lead[:, 1:] = (index * np.clip(ratio, 0.2, 5.0))[:, None] * np.exp(extra[:, 1:])
        self.index_by_lead = np.clip(by_lead, 0.0, MAX_INDEX)
        # Temperature: per issue a bias N(0, 1) and per slot N(0, 0.5), both scaled by the lead's sd.
        self._temp_bias = rng.standard_normal(days)
        self._temp_noise = rng.standard_normal(len(scenario.temp_c)) * 0.5

    def _leads(self, k: int, n: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(target day, lead in days) per slot k … k+n−1 for the latest issue."""
        issued = issue_day(k)
        slots = np.arange(k, k + n)
        target = slots // SLOTS_PER_DAY
        lead = np.clip(target - issued, 0, MAX_LEAD_DAYS)
        return target, lead

    def pv(self, k: int, n: int) -> FloatArray:
        """PV forecast (kW) for slots k … k+n−1 from the latest issue."""
        sc = self.scenario
        n = min(n, len(sc.pv_kw) - k)
        if self.model == "F0":
            return np.asarray(sc.pv_kw[k : k + n], dtype=np.float64).copy()
        target, lead = self._leads(k, n)
        index = self.index_by_lead[target, lead]
        forecast = sc.clear_pv_kw[k : k + n] * index
        today = lead == 0  # the rest of the issue day: after 21:00, dark
        forecast[today] = 0.0
        return np.asarray(forecast, dtype=np.float64)

    def daily_pv_kwh(self, day: int, lead: int = 1) -> float:
        """Daily PV energy forecast for `day` issued `lead` days before."""
        clear = float(self.scenario.clear_pv_kw[day * SLOTS_PER_DAY : (day + 1) * SLOTS_PER_DAY].sum() * 0.5)
        if self.model == "F0":
            return float(self.scenario.pv_kw[day * SLOTS_PER_DAY : (day + 1) * SLOTS_PER_DAY].sum() * 0.5)
        return clear * float(self.index_by_lead[day, lead])

    def temperature(self, k: int, n: int) -> FloatArray:
        """Outdoor temperature forecast (°C) for slots k … k+n−1 from the latest issue."""
        sc = self.scenario
        n = min(n, len(sc.temp_c) - k)
        truth = np.asarray(sc.temp_c[k : k + n], dtype=np.float64)
        if self.model == "F0":
            return truth.copy()
        issued = issue_day(k)
        issue_slot = issued * SLOTS_PER_DAY + ISSUE_SLOT
        lead_h = (np.arange(k, k + n) - issue_slot) * 0.5
        sd = TEMP_SD_0 + TEMP_SD_PER_DAY * lead_h / 24.0
        bias = self._temp_bias[max(issued, 0)]
        return np.asarray(truth + sd * (bias + self._temp_noise[k : k + n]), dtype=np.float64)

    def perfect_series(self, name: str, k: int, n: int) -> FloatArray:
        """The actual `name` series (``load_kw`` or ``draw_kwh_th``): only the perfect forecast F0 gives it."""
        if self.model != "F0":
            raise ValueError("only the perfect forecast F0 gives the actual load and draws")
        series: FloatArray = getattr(self.scenario, name)
        return np.asarray(series[k : k + n], dtype=np.float64).copy()


def daily_nmae(scenario: Scenario, service: ForecastService, lead: int = 1) -> float:
    """Daily PV-energy normalised mean absolute error over the reported period at a lead of `lead` days."""
    start, end = scenario.report_start // SLOTS_PER_DAY, scenario.report_end // SLOTS_PER_DAY
    actual = np.array(
        [scenario.pv_kw[d * SLOTS_PER_DAY : (d + 1) * SLOTS_PER_DAY].sum() * 0.5 for d in range(start, end)]
    )
    predicted = np.array([service.daily_pv_kwh(d, lead) for d in range(start, end)])
    total = float(actual.sum())
    return float(np.abs(predicted - actual).sum() / total) if total > 0 else 0.0
