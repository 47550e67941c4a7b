"""Day-ahead PV forecasts F0/F1/F3/F5 (BENCHMARK.md §5.5), generated apart from the strategies, seeded.

Each model gives, for every simulated day, the PV forecast (kW per slot) issued the evening before:

- F0 perfect: the actual PV;
- F1 persistence: the clear-sky PV × the previous day's daily clear-sky index;
- F3 clear-sky × noisy cloud: the clear-sky PV × the true daily clear-sky index × exp(ε), ε an AR(1) in log space
  (φ = 0.37, calibrated so that the daily nMAE is about 32 %, as for the real emhass forecast);
- F5 real forecast error: the true daily index × the emhass home's real forecast/actual ratio of the same day of the
  year (its real error structure, bias included), on the clear-sky shape.
"""

from __future__ import annotations

import numpy as np

from .scenario import SLOTS_PER_DAY, FloatArray, Scenario, emhass_daily

F3_LOG_SD = 0.42
F3_PHI = 0.37
MAX_INDEX = 1.1


def day_ahead_pv(scenario: Scenario, model: str, seed: int) -> FloatArray:
    """PV forecast (kW) per slot, each day's values issued the evening before."""
    days = len(scenario.pv_kw) // SLOTS_PER_DAY
    actual = scenario.pv_kw.reshape(days, SLOTS_PER_DAY)
    clear = scenario.clear_pv_kw.reshape(days, SLOTS_PER_DAY)
    if model == "F0":
        return scenario.pv_kw.copy()
    clear_day = clear.sum(axis=1)
    index = np.where(clear_day > 0.1, actual.sum(axis=1) / np.maximum(clear_day, 1e-9), 0.0)
    if model == "F1":
        forecast_index = np.concatenate([[index[0]], index[:-1]])
    elif model == "F3":
        rng = np.random.default_rng(seed)
        noise = np.zeros(days)
        shocks = rng.standard_normal(days) * F3_LOG_SD * np.sqrt(1.0 - F3_PHI**2)
        for d in range(days):
            noise[d] = (F3_PHI * noise[d - 1] if d else 0.0) + shocks[d]
        forecast_index = index * np.exp(noise)
    elif model == "F5":
        pv_real, fc_real = emhass_daily()
        day_of_year = np.array(
            [min(scenario.times[d * SLOTS_PER_DAY].timetuple().tm_yday, 365) - 1 for d in range(days)]
        )
        ratio = np.where(pv_real[day_of_year] > 1.0, fc_real[day_of_year] / np.maximum(pv_real[day_of_year], 1e-9), 1.0)
        forecast_index = index * np.clip(ratio, 0.2, 5.0)
    else:
        raise ValueError(f"unknown forecast model {model}")
    forecast_index = np.clip(forecast_index, 0.0, MAX_INDEX)
    return np.asarray((clear * forecast_index[:, None]).reshape(-1), dtype=np.float64)


def daily_nmae(scenario: Scenario, forecast: FloatArray) -> float:
    """Daily PV-energy normalised mean absolute error over the reported period."""
    start, end = scenario.report_start, scenario.report_end
    days = (end - start) // SLOTS_PER_DAY
    actual = scenario.pv_kw[start:end].reshape(days, SLOTS_PER_DAY).sum(axis=1)
    predicted = forecast[start:end].reshape(days, SLOTS_PER_DAY).sum(axis=1)
    total = float(actual.sum())
    return float(np.abs(predicted - actual).sum() / total) if total > 0 else 0.0
