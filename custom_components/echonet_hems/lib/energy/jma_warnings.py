"""Weather warnings of the Japan Meteorological Agency (気象庁) for one area, from its public bosai JSON.

Two formats, both parsed (the payload says which):

- **r8** (from 2026-05-28, when the agency reorganised its warnings into levels 2-5, adding the level-4 危険警報 and
  separate landslide warnings): ``https://www.jma.go.jp/bosai/warning/data/r8/{office}.json``, a JSON array of
  reports, one per product (``dataTypeCode`` VPWW55 heavy rain, VPWW56 landslide, VPWW57 storm surge, VPWW58 storm,
  VPWW59 waves, VPWW60 snow, VPWW61 others), each with ``warning.class10Items`` / ``warning.class20Items`` →
  ``[{"areaCode", "kinds": [{"code", "status"}]}]``. This is what the agency's own warning page reads since then.
  Sources: qiita.com/harycurl/items/9be1a6c4381057507e0b (product list), qiita.com/KAI_Mutsumi/items/
  30a93a5327ef97a5cca8 (URLs, levels), both read 2026-12-04.
- **legacy**: ``https://www.jma.go.jp/bosai/warning/data/warning/{office}.json``, one object with ``reportDatetime``
  and ``areaTypes[0]`` (class10 areas) / ``areaTypes[1]`` (class20 municipalities) → ``[{"code", "warnings":
  [{"code", "status"}]}]``. Public reports say it stopped updating on 2026-05-28 (last-modified of 130000.json:
  2026-05-28 01:17 GMT), so ``warning_url`` gives the r8 file; the legacy parser stays for recorded data.

A kind is in force unless its status is 解除 (lifted) or the area has 発表警報・注意報はなし (none); statuses such as
発表, 継続, 警報から注意報, 危険警報から警報 carry the code of the kind now in force. Of several reports of one product
the latest counts. Codes: the agency's warning-kind codes of its disaster-information XML
(個別コード表 "気象警報・注意報"), as listed at https://support.e-map.ne.jp/manuals/v3/?q=pptenki_warning_api_man
(02-27, 32-38) and, for the codes added in 2026 (09, 29, 39 landslide; 43, 48, 49 危険警報), by public r8 clients
(e.g. "43": "レベル4大雨危険警報", "49": "レベル4土砂災害危険警報"; a 2026-08-23 Ishigaki report carries 49), read
2026-12-04.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
import json
import math

from ..errors import ProtocolError
from .jma_offices import OFFICES, Office

JST = timezone(timedelta(hours=9), "JST")
_BASE = "https://www.jma.go.jp/bosai/warning/data"
_INACTIVE_STATUSES = frozenset({"解除", "発表警報・注意報はなし"})
_EARTH_RADIUS_KM = 6371.0


class JmaFormatError(ProtocolError):
    """The warning payload is not JSON of either documented shape."""


class WarningLevel(StrEnum):
    """How severe a kind is (the 2026 system's levels 2-5)."""

    ADVISORY = "advisory"  # 注意報 (level 2)
    WARNING = "warning"  # 警報 (level 3)
    DANGER = "danger"  # 危険警報 (level 4, from 2026-05-28)
    EMERGENCY = "emergency"  # 特別警報 (level 5)


class WarningKind(StrEnum):
    """The phenomenon a warning is about."""

    BLIZZARD = "blizzard"  # 暴風雪
    HEAVY_RAIN = "heavy_rain"  # 大雨
    FLOOD = "flood"  # 洪水
    STORM = "storm"  # 暴風
    HEAVY_SNOW = "heavy_snow"  # 大雪
    HIGH_WAVES = "high_waves"  # 波浪
    STORM_SURGE = "storm_surge"  # 高潮
    LANDSLIDE = "landslide"  # 土砂災害
    SNOW_WIND = "snow_wind"  # 風雪
    THUNDER = "thunder"  # 雷
    GALE = "gale"  # 強風
    SNOWMELT = "snowmelt"  # 融雪
    DENSE_FOG = "dense_fog"  # 濃霧
    DRY_AIR = "dry_air"  # 乾燥
    AVALANCHE = "avalanche"  # なだれ
    LOW_TEMPERATURE = "low_temperature"  # 低温
    FROST = "frost"  # 霜
    ICING = "icing"  # 着氷
    SNOW_ACCRETION = "snow_accretion"  # 着雪
    OTHER = "other"  # その他の注意報
    UNKNOWN = "unknown"  # a code this table does not know


_K, _L = WarningKind, WarningLevel
_CODES: Mapping[str, tuple[WarningKind, WarningLevel]] = {
    "02": (_K.BLIZZARD, _L.WARNING),
    "03": (_K.HEAVY_RAIN, _L.WARNING),
    "04": (_K.FLOOD, _L.WARNING),
    "05": (_K.STORM, _L.WARNING),
    "06": (_K.HEAVY_SNOW, _L.WARNING),
    "07": (_K.HIGH_WAVES, _L.WARNING),
    "08": (_K.STORM_SURGE, _L.WARNING),
    "09": (_K.LANDSLIDE, _L.WARNING),
    "10": (_K.HEAVY_RAIN, _L.ADVISORY),
    "12": (_K.HEAVY_SNOW, _L.ADVISORY),
    "13": (_K.SNOW_WIND, _L.ADVISORY),
    "14": (_K.THUNDER, _L.ADVISORY),
    "15": (_K.GALE, _L.ADVISORY),
    "16": (_K.HIGH_WAVES, _L.ADVISORY),
    "17": (_K.SNOWMELT, _L.ADVISORY),
    "18": (_K.FLOOD, _L.ADVISORY),
    "19": (_K.STORM_SURGE, _L.ADVISORY),
    "20": (_K.DENSE_FOG, _L.ADVISORY),
    "21": (_K.DRY_AIR, _L.ADVISORY),
    "22": (_K.AVALANCHE, _L.ADVISORY),
    "23": (_K.LOW_TEMPERATURE, _L.ADVISORY),
    "24": (_K.FROST, _L.ADVISORY),
    "25": (_K.ICING, _L.ADVISORY),
    "26": (_K.SNOW_ACCRETION, _L.ADVISORY),
    "27": (_K.OTHER, _L.ADVISORY),
    "29": (_K.LANDSLIDE, _L.ADVISORY),
    "32": (_K.BLIZZARD, _L.EMERGENCY),
    "33": (_K.HEAVY_RAIN, _L.EMERGENCY),
    "35": (_K.STORM, _L.EMERGENCY),
    "36": (_K.HEAVY_SNOW, _L.EMERGENCY),
    "37": (_K.HIGH_WAVES, _L.EMERGENCY),
    "38": (_K.STORM_SURGE, _L.EMERGENCY),
    "39": (_K.LANDSLIDE, _L.EMERGENCY),
    "43": (_K.HEAVY_RAIN, _L.DANGER),
    "48": (_K.STORM_SURGE, _L.DANGER),
    "49": (_K.LANDSLIDE, _L.DANGER),
}

_STORM_KINDS = frozenset(
    {
        WarningKind.BLIZZARD,
        WarningKind.HEAVY_RAIN,
        WarningKind.FLOOD,
        WarningKind.STORM,
        WarningKind.HEAVY_SNOW,
        WarningKind.HIGH_WAVES,
        WarningKind.STORM_SURGE,
        WarningKind.LANDSLIDE,
        WarningKind.UNKNOWN,
    }
)


@dataclass(frozen=True, slots=True)
class ActiveWarning:
    """A warning kind in force for the area."""

    code: str
    kind: WarningKind
    level: WarningLevel


@dataclass(frozen=True, slots=True)
class WarningReport:
    """What is in force for the area, as of the newest report in the file."""

    report_time: datetime
    warnings: tuple[ActiveWarning, ...]


def warning_url(office_code: str) -> str:
    """The agency's current (r8) warning file of a forecast office."""
    return f"{_BASE}/r8/{office_code}.json"


def legacy_warning_url(office_code: str) -> str:
    """The pre-2026 warning file of a forecast office (no longer updated, see the module docstring)."""
    return f"{_BASE}/warning/{office_code}.json"


def classify(code: str) -> ActiveWarning:
    """Kind and level of a warning code; an unknown code keeps its level guessed from the code's range."""
    known = _CODES.get(code)
    if known is not None:
        return ActiveWarning(code, *known)
    return ActiveWarning(code, WarningKind.UNKNOWN, _level_of_unknown(code))


def _level_of_unknown(code: str) -> WarningLevel:
    """The agency numbers warnings 02-09, advisories 10-29, emergencies 30-39, danger warnings 40-49."""
    if len(code) == 2 and code.isdigit():
        tens = int(code) // 10
        return {0: WarningLevel.WARNING, 3: WarningLevel.EMERGENCY, 4: WarningLevel.DANGER}.get(
            tens, WarningLevel.ADVISORY
        )
    return WarningLevel.ADVISORY


def is_storm_relevant(warning: ActiveWarning) -> bool:
    """Whether solar charge should hold a reserve: a warning (or worse) of wind, rain, snow, sea or floods.

    These are the kinds a typhoon, a heavy-rain front or a snowstorm brings, and what cuts power lines; advisories
    (thunder, gale, fog, dry air …) are issued too often to empty the plan for them. An unknown code at warning
    level or above counts, erring towards keeping the reserve.
    """
    return warning.level is not WarningLevel.ADVISORY and warning.kind in _STORM_KINDS


def parse_warnings(payload: bytes, area_code: str) -> WarningReport:
    """The warnings in force for `area_code` (a class20 municipality, a class10 area or a forecast office).

    For an office code the warnings of all its class10 areas are merged. An area the file does not mention has no
    warnings. Raises ``JmaFormatError`` for anything that is not one of the two documented shapes.
    """
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise JmaFormatError(f"not JSON: {err}") from err
    if isinstance(document, list):
        return _parse_r8(document, area_code)
    if isinstance(document, dict):
        return _parse_legacy(document, area_code)
    raise JmaFormatError("neither a report list nor a report object")


def _parse_r8(reports: list[object], area_code: str) -> WarningReport:
    if not reports:
        raise JmaFormatError("empty report list")
    latest: dict[tuple[str, str], tuple[datetime, Mapping[str, object]]] = {}
    for raw in reports:
        report = _mapping(raw, "report")
        when = _time(report.get("reportDatetime"))
        key = (_optional_str(report.get("publishingOffice")), _optional_str(report.get("dataTypeCode")))
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, report)
    codes: set[str] = set()
    for _, report in latest.values():
        codes.update(_r8_codes(report, area_code))
    return _report(max(when for when, _ in latest.values()), codes)


def _r8_codes(report: Mapping[str, object], area_code: str) -> Iterator[str]:
    warning = report.get("warning")
    if warning is None:
        return
    body = _mapping(warning, "warning")
    whole_office = area_code in OFFICES
    for name in ("class10Items", "class20Items"):
        for item in _items(body.get(name, []), name):
            item_code = _str(item.get("areaCode"), "areaCode")
            if item_code == area_code or (whole_office and name == "class10Items"):
                yield from _active_codes(item.get("kinds", []), "kinds")


def _parse_legacy(document: Mapping[str, object], area_code: str) -> WarningReport:
    when = _time(document.get("reportDatetime"))
    area_types = _items(document.get("areaTypes"), "areaTypes")
    whole_office = area_code in OFFICES
    codes: set[str] = set()
    for index, area_type in enumerate(area_types):
        for area in _items(area_type.get("areas"), "areas"):
            code = _str(area.get("code"), "code")
            if code == area_code or (whole_office and index == 0):
                codes.update(_active_codes(area.get("warnings", []), "warnings"))
    return _report(when, codes)


def _report(when: datetime, codes: Iterable[str]) -> WarningReport:
    return WarningReport(when, tuple(classify(code) for code in sorted(codes)))


def _active_codes(raw: object, what: str) -> Iterator[str]:
    for kind in _items(raw, what):
        status = _str(kind.get("status"), "status")
        code = kind.get("code")
        if code is None or status in _INACTIVE_STATUSES:
            continue
        yield _str(code, "code")


def _items(raw: object, what: str) -> list[Mapping[str, object]]:
    if not isinstance(raw, list):
        raise JmaFormatError(f"{what} is not a list")
    return [_mapping(item, what) for item in raw]


def _mapping(raw: object, what: str) -> Mapping[str, object]:
    if not isinstance(raw, dict):
        raise JmaFormatError(f"{what} is not an object")
    return raw


def _str(raw: object, what: str) -> str:
    if not isinstance(raw, str):
        raise JmaFormatError(f"{what} is not a string")
    return raw


def _optional_str(raw: object) -> str:
    return raw if isinstance(raw, str) else ""


def _time(raw: object) -> datetime:
    """An ISO 8601 time; one without offset is JST (the agency's zone)."""
    text = _str(raw, "reportDatetime")
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise JmaFormatError(f"bad reportDatetime {text!r}") from err
    return when if when.tzinfo is not None else when.replace(tzinfo=JST)


def nearest_office(lat: float, lon: float) -> Office:
    """The forecast office whose observatory is nearest (great circle) to the point: a default for the options."""
    return min(OFFICES.values(), key=lambda office: _distance_km(lat, lon, office.lat, office.lon))


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
