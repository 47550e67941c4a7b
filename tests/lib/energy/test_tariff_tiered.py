"""Tiered tariffs: monthly kWh steps, a purchase split across steps, the minimum-charge step."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.energy import TARIFF_PRESETS, TieredTariff, TierStep
from custom_components.echonet_hems.lib.energy.tariff import JST


def kyushu() -> TieredTariff:
    tariff = TARIFF_PRESETS["kyushu-jyuryo-b"].tariff
    assert isinstance(tariff, TieredTariff)
    return tariff


def test_purchase_crossing_both_steps() -> None:
    # 250 kWh after 100 kWh: 20 kWh at 18.37, 180 kWh at 23.97, 50 kWh at 26.97, all 250 kWh with the 4.18 levy.
    # 367.4 + 4314.6 + 1348.5 + 1045.0 = 7075.5
    assert kyushu().price_for(100.0, 250.0) == pytest.approx(7075.5)
    assert [(s.step.name, s.kwh) for s in kyushu().split(100.0, 250.0)] == [
        ("step1", pytest.approx(20.0)),
        ("step2", pytest.approx(180.0)),
        ("step3", pytest.approx(50.0)),
    ]


def test_fuel_adjustment_of_the_month() -> None:
    tariff = replace(kyushu(), fuel_adjustment=(0.0,) * 7 + (-2.5,) + (0.0,) * 4)
    # 10 kWh in step 1 in August: 10 × (18.37 + 4.18 − 2.5) = 200.5
    assert tariff.price_for(0.0, 10.0, month=8) == pytest.approx(200.5)
    assert tariff.price_for(0.0, 10.0) == pytest.approx(225.5)


@pytest.mark.parametrize(
    ("month_kwh", "step", "price"),
    [(0.0, "step1", 18.37), (119.9, "step1", 18.37), (120.0, "step2", 23.97), (300.0, "step3", 26.97)],
)
def test_price_of_the_next_kwh(month_kwh: float, step: str, price: float) -> None:
    when = datetime(2026, 6, 1, 12, tzinfo=JST)
    assert kyushu().band_name_at(when, month_kwh) == step
    assert kyushu().buy_price_at(when, month_kwh) == pytest.approx(price + 4.18)
    assert kyushu().next_change(when) is None


def test_hokkaido_third_step_starts_at_280() -> None:
    tariff = TARIFF_PRESETS["hokkaido-jyuryo-b"].tariff
    assert isinstance(tariff, TieredTariff)
    assert tariff.step_at(279.0).name == "step2"
    assert tariff.step_at(280.0).name == "step3"


def test_minimum_charge_step_is_not_priced() -> None:
    tariff = TARIFF_PRESETS["kansai-jyuryo-a"].tariff
    assert isinstance(tariff, TieredTariff)
    # First 20 kWh of a month: 15 kWh in the minimum charge (not modelled), 5 kWh at 20.21; levy on all 20 kWh.
    assert tariff.price_for(0.0, 20.0) == pytest.approx(5 * 20.21 + 20 * 4.18)


@pytest.mark.parametrize(
    "steps",
    [
        (),
        (TierStep("a", 10.0, 120.0),),
        (TierStep("a", 10.0, 300.0), TierStep("b", 20.0, 120.0), TierStep("c", 30.0)),
        (TierStep("a", -1.0, 120.0), TierStep("b", 20.0)),
    ],
)
def test_bad_steps_are_refused(steps: tuple[TierStep, ...]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the message varies with the fault)
        TieredTariff("bad", steps, sell_price=8.5)
