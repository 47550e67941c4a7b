"""The Japan Meteorological Agency's 58 forecast offices (府県予報区), the unit its warning files are published per.

Codes, and the first-level areas (class10) each office covers, are those of the agency's area table
(https://www.jma.go.jp/bosai/common/const/area.json, "offices"), as tabulated from it in the public repository
Nikkei-Visual-Data-Journalism/JMA, file area.csv, commit 0061e84b7a54fc510162a73e6848411fd8669a5d (read 2026-12-04).
Names: the prefecture, or for Hokkaido, Kagoshima and Okinawa the regions the office covers (from the same table's
class10 names). Coordinates are those of the town of the office's observatory (the "officeName" of the table, e.g.
稚内地方気象台 → Wakkanai), rounded to 0.01°, from general geography — not published by the agency in that table. They
only pick the nearest office to a home as a default the user can change, for which ~5 km does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Office:
    """A forecast office: its area code (the warning file's name), names and the place of its observatory."""

    code: str
    name_en: str
    name_ja: str
    lat: float
    lon: float


_OFFICES: tuple[Office, ...] = (
    Office("011000", "Soya", "宗谷地方", 45.42, 141.68),
    Office("012000", "Kamikawa and Rumoi", "上川・留萌地方", 43.77, 142.37),
    Office("013000", "Abashiri, Kitami and Mombetsu", "網走・北見・紋別地方", 44.02, 144.28),
    Office("014030", "Tokachi", "十勝地方", 42.92, 143.21),
    Office("014100", "Kushiro and Nemuro", "釧路・根室地方", 42.98, 144.38),
    Office("015000", "Iburi and Hidaka", "胆振・日高地方", 42.32, 140.97),
    Office("016000", "Ishikari, Sorachi and Shiribeshi", "石狩・空知・後志地方", 43.06, 141.33),
    Office("017000", "Oshima and Hiyama", "渡島・檜山地方", 41.77, 140.73),
    Office("020000", "Aomori", "青森県", 40.82, 140.74),
    Office("030000", "Iwate", "岩手県", 39.70, 141.15),
    Office("040000", "Miyagi", "宮城県", 38.26, 140.87),
    Office("050000", "Akita", "秋田県", 39.72, 140.10),
    Office("060000", "Yamagata", "山形県", 38.26, 140.34),
    Office("070000", "Fukushima", "福島県", 37.76, 140.47),
    Office("080000", "Ibaraki", "茨城県", 36.38, 140.47),
    Office("090000", "Tochigi", "栃木県", 36.55, 139.87),
    Office("100000", "Gunma", "群馬県", 36.41, 139.06),
    Office("110000", "Saitama", "埼玉県", 36.15, 139.38),  # Kumagaya
    Office("120000", "Chiba", "千葉県", 35.73, 140.86),  # Choshi
    Office("130000", "Tokyo", "東京都", 35.69, 139.75),
    Office("140000", "Kanagawa", "神奈川県", 35.44, 139.65),
    Office("150000", "Niigata", "新潟県", 37.90, 139.05),
    Office("160000", "Toyama", "富山県", 36.71, 137.20),
    Office("170000", "Ishikawa", "石川県", 36.59, 136.63),
    Office("180000", "Fukui", "福井県", 36.06, 136.22),
    Office("190000", "Yamanashi", "山梨県", 35.67, 138.55),
    Office("200000", "Nagano", "長野県", 36.66, 138.19),
    Office("210000", "Gifu", "岐阜県", 35.40, 136.76),
    Office("220000", "Shizuoka", "静岡県", 34.98, 138.40),
    Office("230000", "Aichi", "愛知県", 35.17, 136.97),  # Nagoya
    Office("240000", "Mie", "三重県", 34.73, 136.52),  # Tsu
    Office("250000", "Shiga", "滋賀県", 35.28, 136.24),  # Hikone
    Office("260000", "Kyoto", "京都府", 35.01, 135.73),
    Office("270000", "Osaka", "大阪府", 34.68, 135.52),
    Office("280000", "Hyogo", "兵庫県", 34.70, 135.21),  # Kobe
    Office("290000", "Nara", "奈良県", 34.69, 135.83),
    Office("300000", "Wakayama", "和歌山県", 34.23, 135.16),
    Office("310000", "Tottori", "鳥取県", 35.49, 134.24),
    Office("320000", "Shimane", "島根県", 35.46, 133.07),  # Matsue
    Office("330000", "Okayama", "岡山県", 34.66, 133.92),
    Office("340000", "Hiroshima", "広島県", 34.40, 132.46),
    Office("350000", "Yamaguchi", "山口県", 33.95, 130.93),  # Shimonoseki
    Office("360000", "Tokushima", "徳島県", 34.07, 134.57),
    Office("370000", "Kagawa", "香川県", 34.32, 134.05),  # Takamatsu
    Office("380000", "Ehime", "愛媛県", 33.84, 132.78),  # Matsuyama
    Office("390000", "Kochi", "高知県", 33.57, 133.55),
    Office("400000", "Fukuoka", "福岡県", 33.58, 130.38),
    Office("410000", "Saga", "佐賀県", 33.27, 130.30),
    Office("420000", "Nagasaki", "長崎県", 32.73, 129.87),
    Office("430000", "Kumamoto", "熊本県", 32.81, 130.71),
    Office("440000", "Oita", "大分県", 33.24, 131.62),
    Office("450000", "Miyazaki", "宮崎県", 31.94, 131.41),
    Office("460040", "Amami", "奄美地方", 28.38, 129.50),  # Naze
    Office("460100", "Kagoshima (except Amami)", "鹿児島県（奄美地方除く）", 31.56, 130.55),
    Office("471000", "Okinawa Main Island", "沖縄本島地方", 26.21, 127.68),  # Naha
    Office("472000", "Daito Islands", "大東島地方", 25.83, 131.23),
    Office("473000", "Miyako Islands", "宮古島地方", 24.79, 125.28),
    Office("474000", "Yaeyama", "八重山地方", 24.34, 124.16),  # Ishigaki
)

OFFICES: Mapping[str, Office] = MappingProxyType({office.code: office for office in _OFFICES})
"""The forecast offices by code."""
