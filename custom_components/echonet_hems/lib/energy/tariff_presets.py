"""Tariff presets of the ten Japanese grid areas, each with its public source and the date of its prices.

Prices are yen/kWh including consumption tax and exclude the renewable levy and the fuel-cost adjustment, which are
separate editable parts (``renewable_levy``, ``fuel_adjustment``; see ``dataclasses.replace``). Every preset starts
with the FY2026 levy and no fuel adjustment. `taken` is the date the source gives for the prices (their effective
date, or the article's date when it gives none). Basic and minimum charges are not modelled: they do not depend on
when or how much energy is used.

Only plans whose figures were found in a public source are listed; docs/tariffs.md names the ones still missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from .calendar import DayType
from .tariff import RENEWABLE_LEVY_2026, PriceBand, Tariff
from .tariff_tiered import TieredTariff, TierStep

POST_FIT_SELL_PRICE = 8.5
"""yen/kWh, the presets' sell price: TEPCO 再エネ買取標準プラン (卒FIT), https://www.tainavi-battery.com/library/451/"""


class GridArea(StrEnum):
    """The ten general transmission areas (一般送配電事業者) of Japan."""

    HOKKAIDO = "hokkaido"
    TOHOKU = "tohoku"
    TEPCO = "tepco"
    CHUBU = "chubu"
    HOKURIKU = "hokuriku"
    KANSAI = "kansai"
    CHUGOKU = "chugoku"
    SHIKOKU = "shikoku"
    KYUSHU = "kyushu"
    OKINAWA = "okinawa"


@dataclass(frozen=True, slots=True)
class TariffPreset:
    """A utility's plan as published: what it is, its tariff, where the prices come from and when they applied."""

    key: str
    area: GridArea
    name_en: str
    name_ja: str
    tariff: Tariff | TieredTariff
    source: str
    taken: date


_WEEKDAY = frozenset({DayType.WEEKDAY})
_SUMMER = frozenset({7, 8, 9})

# Kansai's 休日扱い日 besides weekends and national holidays (kepco.jp, はぴeタイム conditions).
_KANSAI_DAYS_OFF = frozenset({(1, 2), (1, 3), (4, 30), (5, 1), (5, 2), (12, 30), (12, 31)})


def _three_steps(prefix: str, first: float, second: float, third: float, *, top: float = 300.0) -> tuple[TierStep, ...]:
    """A 従量電灯 plan's steps: ≤120 kWh, 120-`top` kWh, above `top` kWh in a month."""
    return (
        TierStep(f"{prefix}1", first, 120.0),
        TierStep(f"{prefix}2", second, top),
        TierStep(f"{prefix}3", third),
    )


_PRESETS: tuple[TariffPreset, ...] = (
    TariffPreset(
        key="tepco-smart-life-s",
        area=GridArea.TEPCO,
        name_en="TEPCO Smart Life S",
        name_ja="東京電力 スマートライフS",
        tariff=Tariff(
            name="tepco-smart-life-s",
            bands=(PriceBand("night", 27.86, 1, 6), PriceBand("day", 35.76)),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # 昼間 06:00-翌01:00 35.76, 夜間 01:00-06:00 27.86, every day (article citing TEPCO's page, FY2025).
        source="https://www.silvergrowthstudio.jp/?p=695",
        taken=date(2025, 5, 1),
    ),
    TariffPreset(
        key="kansai-hapi-e-time",
        area=GridArea.KANSAI,
        name_en="Kansai Hapi e-Time",
        name_ja="関西電力 はぴeタイム",
        tariff=Tariff(
            name="kansai-hapi-e-time",
            bands=(
                PriceBand("night", 15.20, 23, 7),
                PriceBand("daytime_summer", 28.96, 10, 17, months=_SUMMER, day_types=_WEEKDAY),
                PriceBand("daytime", 26.33, 10, 17, day_types=_WEEKDAY),
                PriceBand("living", 22.89),
            ),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
            extra_days_off=_KANSAI_DAYS_OFF,
        ),
        # Official table of the 2022-07-01 prices: デイタイム (weekdays 10-17) 28.96 Jul-Sep / 26.33, リビングタイム
        # 22.89, ナイトタイム (23-07) 15.20; 休日扱い日 = weekends, national holidays, 1/2, 1/3, 4/30-5/2, 12/30, 12/31.
        # はぴeタイム is closed to new contracts; its successor はぴeタイムR has the same bands, but its prices
        # were not found in a source we could cite.
        source="https://kepco.jp/d-ryokin2021/naiyou/",
        taken=date(2022, 7, 1),
    ),
    TariffPreset(
        key="hokkaido-e-time-3",
        area=GridArea.HOKKAIDO,
        name_en="Hokkaido e-Time 3",
        name_ja="北海道電力 eタイム3",
        tariff=Tariff(
            name="hokkaido-e-time-3",
            bands=(
                PriceBand("afternoon", 51.02, 13, 18),
                PriceBand("night", 26.74, 22, 8),
                PriceBand("morning_evening", 43.61),
            ),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Official table, prices from 2025-10-01: 午後時間 13-18 51.02, 朝晩時間 08-13 and 18-22 43.61, 夜間時間
        # 22-08 26.74, every day. Closed to new contracts since 2017-03-31 (eタイム3プラス's prices were not found).
        source="https://www.hepco.co.jp/home/price/ratemenu/etime3.html",
        taken=date(2025, 10, 1),
    ),
    TariffPreset(
        key="kansai-jyuryo-a",
        area=GridArea.KANSAI,
        name_en="Kansai Metered Lighting A",
        name_ja="関西電力 従量電灯A",
        tariff=TieredTariff(
            name="kansai-jyuryo-a",
            steps=(
                TierStep("minimum", 0.0, 15.0),  # the first 15 kWh are in the minimum charge 522.58 yen
                TierStep("step1", 20.21, 120.0),
                TierStep("step2", 25.61, 300.0),
                TierStep("step3", 28.59),
            ),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Official table: 最低料金 (first 15 kWh) 522.58, 15-120 kWh 20.21, 120-300 kWh 25.61, above 28.59.
        source="https://kepco.jp/ryokin/menu/dento_a",
        taken=date(2026, 12, 4),  # the page states no effective date: the date it was read
    ),
    TariffPreset(
        key="hokkaido-jyuryo-b",
        area=GridArea.HOKKAIDO,
        name_en="Hokkaido Metered Lighting B",
        name_ja="北海道電力 従量電灯B",
        tariff=TieredTariff(
            name="hokkaido-jyuryo-b",
            steps=_three_steps("step", 35.35, 41.64, 45.36, top=280.0),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Aggregator table of the 2024-04-01 prices: ≤120 kWh 35.35, 121-280 kWh 41.64, above 280 kWh 45.36.
        source="https://sfplan.jp/npc/hokkaido/unit-price-comparison6",
        taken=date(2024, 4, 1),
    ),
    TariffPreset(
        key="kyushu-jyuryo-b",
        area=GridArea.KYUSHU,
        name_en="Kyushu Metered Lighting B",
        name_ja="九州電力 従量電灯B",
        tariff=TieredTariff(
            name="kyushu-jyuryo-b",
            steps=_three_steps("step", 18.37, 23.97, 26.97),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Kyushu's own table of new unit prices for its 離島等供給約款 (islands), whose 従量電灯B is priced like the
        # mainland plan: ≤120 kWh 18.37, 120-300 kWh 23.97, above 26.97. Verify against the mainland table.
        source="https://www.kyuden.co.jp/var/rev0/0504/4095/td_d8faKigC.pdf",
        taken=date(2026, 12, 4),  # the table states no effective date: the date it was read
    ),
    TariffPreset(
        key="chubu-jyuryo-b",
        area=GridArea.CHUBU,
        name_en="Chubu Metered Lighting B",
        name_ja="中部電力ミライズ 従量電灯B",
        tariff=TieredTariff(
            name="chubu-jyuryo-b",
            steps=_three_steps("step", 21.20, 25.67, 28.62),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # A retailer's dated table (its prices from the meter readings of 2024-11-01) gives its own unit prices and
        # their difference to Chubu's regulated 従量電灯B: 20.91 (-0.29), 23.91 (-1.76), 26.91 (-1.71) for ≤120,
        # 120-300 and >300 kWh, so Chubu's prices are the sums 21.20, 25.67, 28.62. Cross-check on the same table:
        # its basic charge 290 yen/kW (-31.14) gives Chubu's 321.14 yen per 10 A.
        source="https://greenpeople.co.jp/plan/chubu-hirutoku",
        taken=date(2024, 11, 1),
    ),
    TariffPreset(
        key="chugoku-jyuryo-a",
        area=GridArea.CHUGOKU,
        name_en="Chugoku Metered Lighting A",
        name_ja="中国電力 従量電灯A",
        tariff=TieredTariff(
            name="chugoku-jyuryo-a",
            steps=(
                TierStep("minimum", 0.0, 15.0),  # the first 15 kWh are in the minimum charge 759.68 yen
                TierStep("step1", 32.75, 120.0),
                TierStep("step2", 39.43, 300.0),
                TierStep("step3", 41.55),
            ),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Chugoku's own table 電気料金単価表（電灯）: 最低料金 (first 15 kWh) 759.68, 15-120 kWh 32.75, 120-300 kWh
        # 39.43, above 41.55. We could not open the page here: the figures are those a public repository's source
        # test records as read on this page on 2026-08-20 (prices in force in July-August 2026).
        source="https://www.energia.co.jp/elec/h_menu/pricelist/pricelist1.html",
        taken=date(2026, 8, 20),
    ),
    TariffPreset(
        key="chugoku-jyuryo-b",
        area=GridArea.CHUGOKU,
        name_en="Chugoku Metered Lighting B",
        name_ja="中国電力 従量電灯B",
        tariff=TieredTariff(
            name="chugoku-jyuryo-b",
            steps=_three_steps("step", 30.06, 36.15, 38.02),
            sell_price=POST_FIT_SELL_PRICE,
            renewable_levy=RENEWABLE_LEVY_2026,
        ),
        # Same table and reading as chugoku-jyuryo-a (contracts of 6 kVA and more, basic charge 447.97 yen/kVA):
        # ≤120 kWh 30.06, 120-300 kWh 36.15, above 38.02.
        source="https://www.energia.co.jp/elec/h_menu/pricelist/pricelist1.html",
        taken=date(2026, 8, 20),
    ),
)

TARIFF_PRESETS: Mapping[str, TariffPreset] = MappingProxyType({preset.key: preset for preset in _PRESETS})
"""Every preset by key (read-only)."""


def presets_for(area: GridArea) -> tuple[TariffPreset, ...]:
    """The presets of one grid area, time-of-use plans first."""
    found = [preset for preset in _PRESETS if preset.area is area]
    return tuple(sorted(found, key=lambda preset: not preset.tariff.is_time_of_use))
