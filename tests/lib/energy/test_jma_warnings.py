"""JMA warnings: real r8 excerpts parse to the warnings they hold; malformed payloads raise JmaFormatError only."""

from __future__ import annotations

import contextlib
from datetime import datetime
import json
from pathlib import Path

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.echonet_hems.lib.energy.jma_offices import OFFICES
from custom_components.echonet_hems.lib.energy.jma_warnings import (
    JST,
    ActiveWarning,
    JmaFormatError,
    WarningKind,
    WarningLevel,
    classify,
    is_storm_relevant,
    legacy_warning_url,
    nearest_office,
    parse_warnings,
    warning_url,
)
from custom_components.echonet_hems.lib.errors import ProtocolError

FIXTURES = Path(__file__).parent / "fixtures" / "jma"
K, L = WarningKind, WarningLevel


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def test_urls() -> None:
    assert warning_url("130000") == "https://www.jma.go.jp/bosai/warning/data/r8/130000.json"
    assert legacy_warning_url("130000") == "https://www.jma.go.jp/bosai/warning/data/warning/130000.json"


def test_naze_landslide_advisory_continues_lifted_elsewhere() -> None:
    payload = fixture("r8_460040_naze_20260606.json")
    report = parse_warnings(payload, "4622200")
    assert report.report_time == at("2026-06-06 13:30")
    assert report.warnings == (ActiveWarning("29", K.LANDSLIDE, L.ADVISORY),)
    assert parse_warnings(payload, "4622300").warnings == ()  # 解除
    assert parse_warnings(payload, "4630400").warnings == ()  # 発表警報・注意報はなし
    assert parse_warnings(payload, "9999999").warnings == ()  # not in the file


def test_tokyo_adachi_gale_advisory() -> None:
    report = parse_warnings(fixture("r8_130000_adachi_20260603.json"), "1312100")
    assert report.report_time == at("2026-06-03 18:13")
    assert report.warnings == (ActiveWarning("15", K.GALE, L.ADVISORY),)
    assert not any(is_storm_relevant(w) for w in report.warnings)


def test_ishigaki_merges_both_products() -> None:
    payload = fixture("r8_474000_ishigaki_20260823.json")
    expected = (ActiveWarning("03", K.HEAVY_RAIN, L.WARNING), ActiveWarning("49", K.LANDSLIDE, L.DANGER))
    assert parse_warnings(payload, "474010").warnings == expected
    assert parse_warnings(payload, "474000").warnings == expected  # the office: all its class10 areas
    assert all(is_storm_relevant(w) for w in expected)


def r8_report(when: str, product: str, kinds: list[dict[str, str]], area: str = "1310100") -> dict[str, object]:
    return {
        "reportDatetime": when,
        "dataTypeCode": product,
        "warning": {"class20Items": [{"areaCode": area, "kinds": kinds}]},
    }


def test_latest_report_of_a_product_wins() -> None:
    older = r8_report("2026-09-01T06:00:00+09:00", "VPWW55", [{"code": "03", "status": "発表"}])
    newer = r8_report("2026-09-01T09:00:00+09:00", "VPWW55", [{"code": "10", "status": "警報から注意報"}])
    wind = r8_report("2026-09-01T05:00:00+09:00", "VPWW58", [{"code": "05", "status": "継続"}])
    report = parse_warnings(json.dumps([newer, older, wind]).encode(), "1310100")
    assert [w.code for w in report.warnings] == ["05", "10"]
    assert report.report_time == at("2026-09-01 09:00")


def test_legacy_format() -> None:
    # Written from the documented legacy shape (no real recording was found, see fixtures/jma/README.md).
    payload = {
        "reportDatetime": "2025-08-10T05:00:00+09:00",
        "areaTypes": [
            {"areas": [{"code": "130010", "warnings": [{"code": "05", "status": "発表"}]}]},
            {
                "areas": [
                    {
                        "code": "1310100",
                        "warnings": [{"code": "05", "status": "発表"}, {"code": "14", "status": "解除"}],
                    },
                    {"code": "1320100", "warnings": [{"status": "発表警報・注意報はなし"}]},
                ]
            },
        ],
    }
    data = json.dumps(payload).encode()
    assert parse_warnings(data, "1310100").warnings == (ActiveWarning("05", K.STORM, L.WARNING),)
    assert parse_warnings(data, "1320100").warnings == ()
    assert parse_warnings(data, "130000").warnings == (ActiveWarning("05", K.STORM, L.WARNING),)
    assert parse_warnings(data, "130000").report_time == at("2025-08-10 05:00")


@pytest.mark.parametrize(
    ("code", "kind", "level", "storm"),
    [
        ("02", K.BLIZZARD, L.WARNING, True),
        ("03", K.HEAVY_RAIN, L.WARNING, True),
        ("05", K.STORM, L.WARNING, True),
        ("06", K.HEAVY_SNOW, L.WARNING, True),
        ("08", K.STORM_SURGE, L.WARNING, True),
        ("14", K.THUNDER, L.ADVISORY, False),
        ("10", K.HEAVY_RAIN, L.ADVISORY, False),
        ("33", K.HEAVY_RAIN, L.EMERGENCY, True),
        ("43", K.HEAVY_RAIN, L.DANGER, True),
        ("98", K.UNKNOWN, L.ADVISORY, False),
        ("34", K.UNKNOWN, L.EMERGENCY, True),
        ("x", K.UNKNOWN, L.ADVISORY, False),
    ],
)
def test_classify_and_storm_relevance(code: str, kind: WarningKind, level: WarningLevel, storm: bool) -> None:
    warning = classify(code)
    assert (warning.kind, warning.level) == (kind, level)
    assert is_storm_relevant(warning) is storm


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe",
        b"null",
        b"42",
        b"[]",
        b"[1]",
        b'[{"reportDatetime": "yesterday"}]',
        b'[{"reportDatetime": 5}]',
        b'[{"reportDatetime": "2026-06-06T13:30:00+09:00", "warning": []}]',
        b'[{"reportDatetime": "2026-06-06T13:30:00+09:00", "warning": {"class20Items": {}}}]',
        b'[{"reportDatetime": "2026-06-06T13:30:00+09:00", "warning": {"class20Items": [{"areaCode": 1}]}}]',
        b'[{"reportDatetime": "2026-06-06T13:30:00+09:00", "warning": {"class20Items": [{"areaCode": "1310100",'
        b' "kinds": [{"code": 3, "status": "x"}]}]}}]',
        b'{"reportDatetime": "2026-06-06T13:30:00+09:00"}',
        b'{"reportDatetime": "2026-06-06T13:30:00+09:00", "areaTypes": [{"areas": [{"code": "1310100",'
        b' "warnings": [{"code": "03"}]}]}]}',
        b"[" * 100_000,
    ],
)
def test_malformed_payloads(payload: bytes) -> None:
    with pytest.raises(JmaFormatError):
        parse_warnings(payload, "1310100")


def test_error_is_a_protocol_error() -> None:
    assert issubclass(JmaFormatError, ProtocolError)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(["2026-06-06T13:30:00+09:00"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            [
                *("reportDatetime", "warning", "class10Items", "class20Items", "areaCode", "kinds", "code"),
                *("status", "areaTypes", "areas", "warnings", "dataTypeCode"),
            ]
        ),
        children,
        max_size=5,
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(document=_JSON, area=st.sampled_from(["1310100", "130010", "130000", ""]))
def test_fuzz_structured(document: object, area: str) -> None:
    try:
        report = parse_warnings(json.dumps(document).encode(), area)
    except JmaFormatError:
        return
    assert report.report_time.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=200))
def test_fuzz_bytes(payload: bytes) -> None:
    with contextlib.suppress(JmaFormatError):
        parse_warnings(payload, "130000")


def test_offices() -> None:
    assert len(OFFICES) == 58
    assert OFFICES["130000"].name_ja == "東京都"
    assert all(code == office.code and len(code) == 6 for code, office in OFFICES.items())


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (35.68, 139.77, "130000"),  # Tokyo
        (34.69, 135.50, "270000"),  # Osaka
        (43.06, 141.35, "016000"),  # Sapporo
        (26.21, 127.68, "471000"),  # Naha
        (28.37, 129.49, "460040"),  # Amami (Naze), not Kagoshima
    ],
)
def test_nearest_office(lat: float, lon: float, code: str) -> None:
    assert nearest_office(lat, lon).code == code
