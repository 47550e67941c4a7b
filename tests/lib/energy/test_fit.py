"""FIT sell price by certification year, the Oct-2025 two-step scheme and post-FIT."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.echonet_hems.lib.energy import fit_sell_price


@pytest.mark.parametrize(
    ("start", "today", "price"),
    [
        (date(2019, 6, 1), date(2020, 1, 1), 24.0),
        (date(2020, 5, 1), date(2026, 1, 1), 21.0),
        (date(2021, 5, 1), date(2026, 1, 1), 19.0),
        (date(2022, 5, 1), date(2026, 1, 1), 17.0),
        (date(2023, 5, 1), date(2026, 1, 1), 16.0),
        (date(2024, 5, 1), date(2026, 1, 1), 16.0),
        (date(2025, 9, 30), date(2026, 1, 1), 15.0),
        (date(2025, 10, 1), date(2025, 10, 1), 24.0),  # initial-investment support: years 1-4 at 24
        (date(2025, 10, 1), date(2029, 9, 30), 24.0),
        (date(2025, 10, 1), date(2029, 10, 1), 8.3),  # years 5-10 at 8.3
        (date(2025, 10, 1), date(2035, 9, 30), 8.3),
        (date(2025, 10, 1), date(2035, 10, 1), 8.5),  # after 10 years: post-FIT
        (date(2026, 6, 1), date(2027, 1, 1), 24.0),
        (date(2019, 6, 1), date(2029, 6, 1), 8.5),
        (date(2014, 6, 1), date(2026, 1, 1), 8.5),  # post-FIT even without a listed scheme
    ],
)
def test_fit_sell_price(start: date, today: date, price: float) -> None:
    assert fit_sell_price(start, today) == pytest.approx(price)


@pytest.mark.parametrize(
    ("start", "today", "capacity"),
    [
        (date(2020, 5, 1), date(2021, 1, 1), 10.0),  # not residential
        (date(2020, 5, 1), date(2020, 4, 1), 5.0),  # not started
        (date(2018, 5, 1), date(2020, 1, 1), 5.0),  # no table before FY2019
    ],
)
def test_fit_sell_price_refuses(start: date, today: date, capacity: float) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the message varies with the fault)
        fit_sell_price(start, today, capacity)
