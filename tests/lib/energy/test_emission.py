"""CO2 from bought kWh and an emission factor."""

from __future__ import annotations

import pytest

from custom_components.echonet_hems.lib.energy import EMISSION_FACTORS, GridArea, co2_kg


def test_co2_of_published_factor() -> None:
    factor = EMISSION_FACTORS[GridArea.SHIKOKU]
    assert (factor.kg_per_kwh, factor.fiscal_year) == (0.464, 2023)
    assert co2_kg(10.0, factor) == pytest.approx(4.64)


def test_kyushu_factor_is_its_newest_published_one() -> None:
    factor = EMISSION_FACTORS[GridArea.KYUSHU]
    assert (factor.kg_per_kwh, factor.fiscal_year) == (0.467, 2022)
    assert co2_kg(10.0, factor) == pytest.approx(4.67)


def test_co2_of_a_typed_factor() -> None:
    assert co2_kg(12.0, 0.5) == pytest.approx(6.0)


def test_every_factor_is_cited_and_plausible() -> None:
    for factor in EMISSION_FACTORS.values():
        assert factor.source.startswith("https://")
        assert 0.0 < factor.kg_per_kwh < 1.0


@pytest.mark.parametrize(("kwh", "factor"), [(-1.0, 0.5), (1.0, -0.5)])
def test_negative_input_is_refused(kwh: float, factor: float) -> None:
    with pytest.raises(ValueError, match="negative"):
        co2_kg(kwh, factor)
