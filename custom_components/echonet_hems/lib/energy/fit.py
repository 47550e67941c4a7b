"""Sell price of residential PV (< 10 kW, surplus purchase) under Japan's feed-in tariff (FIT, 固定価格買取制度).

The price is fixed by the fiscal year (April … March) in which the system was certified and is paid for 10 years from
the start of the contract; afterwards the owner sells "post-FIT" (卒FIT) at a utility's price. From October 2025 the
initial-investment support scheme (初期投資支援スキーム) pays 24 yen/kWh for years 1-4 and 8.3 yen/kWh for years 5-10.
We take the contract start as both the certification date and the start of the 10 years (they are usually months
apart, not years); the user can override the result.

Sources (read 2026-12-04):
* FY2019 24 yen (areas without the output-control obligation; 26 yen where it applies), FY2020 21 yen:
  https://next-edge.com/price.html
* FY2020 21, FY2021 19, FY2022 17 yen (table citing METI's なっとく!再生可能エネルギー):
  https://battery.remixpoint.co.jp/column/selling-electricity
* FY2023 16 yen: https://pveye.jp/eye_sight/view/1161/?page=2 and https://sunshine-k.com/fit/
* FY2024 16 yen: https://j-pma.jp/?p=13243
* FY2025 (Apr-Sep) 15 yen; from 2025-10-01 (and FY2026) 24 yen for years 1-4, 8.3 yen for years 5-10 (METI
  調達価格等算定委員会, 2025-01-30): https://denchi-bank.com/current_events/topics/topi_2025_0325 and
  https://htonline.sohjusha.co.jp/20250205-3
* Post-FIT 8.5 yen (TEPCO 再エネ買取標準プラン): https://www.tainavi-battery.com/library/451/
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .tariff_presets import POST_FIT_SELL_PRICE

FIT_YEARS = 10
RESIDENTIAL_LIMIT_KW = 10.0


@dataclass(frozen=True, slots=True)
class FitScheme:
    """FIT terms for systems certified in [start, end): `early_price` for `early_years`, then `late_price`."""

    start: date
    end: date | None
    early_price: float
    early_years: int = FIT_YEARS
    late_price: float | None = None

    def price_in_year(self, year_index: int) -> float:
        """Price in contract year `year_index` (0 = the first year); the FIT must still run."""
        if year_index < self.early_years or self.late_price is None:
            return self.early_price
        return self.late_price


FIT_SCHEMES: tuple[FitScheme, ...] = (
    FitScheme(date(2019, 4, 1), date(2020, 4, 1), 24.0),  # 26 yen in output-control areas: override by hand
    FitScheme(date(2020, 4, 1), date(2021, 4, 1), 21.0),
    FitScheme(date(2021, 4, 1), date(2022, 4, 1), 19.0),
    FitScheme(date(2022, 4, 1), date(2023, 4, 1), 17.0),
    FitScheme(date(2023, 4, 1), date(2024, 4, 1), 16.0),
    FitScheme(date(2024, 4, 1), date(2025, 4, 1), 16.0),
    FitScheme(date(2025, 4, 1), date(2025, 10, 1), 15.0),
    FitScheme(date(2025, 10, 1), date(2027, 4, 1), 24.0, early_years=4, late_price=8.3),
)
"""Residential (< 10 kW) FIT by certification date, FY2019 … FY2026 (see the module docstring for sources)."""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _contract_year(start: date, today: date) -> int:
    """Whole contract years between `start` and `today` (0 during the first year)."""
    years = today.year - start.year
    return years - 1 if _add_years(start, years) > today else years


def fit_scheme(contract_start: date) -> FitScheme:
    """The FIT scheme of a system whose contract started on `contract_start`."""
    for scheme in FIT_SCHEMES:
        if scheme.start <= contract_start and (scheme.end is None or contract_start < scheme.end):
            return scheme
    raise ValueError(f"no FIT price known for a contract started on {contract_start.isoformat()}")


def fit_sell_price(contract_start: date, today: date, capacity_kw: float = 5.0) -> float:
    """Yen/kWh paid for surplus PV on `today` for a residential system whose contract started on `contract_start`.

    After the 10 FIT years the post-FIT default (8.5 yen) is returned, whatever the certification year.
    """
    if not 0 < capacity_kw < RESIDENTIAL_LIMIT_KW:
        raise ValueError("only residential systems below 10 kW are covered")
    if today < contract_start:
        raise ValueError("the contract has not started")
    year_index = _contract_year(contract_start, today)
    if year_index >= FIT_YEARS:
        return POST_FIT_SELL_PRICE
    return fit_scheme(contract_start).price_in_year(year_index)
