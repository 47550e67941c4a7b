"""Every user-visible string exists in English and Japanese, with the same placeholders, for every key the code uses."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.echonet_hems.lib.energy.tariff import PRESETS, Tariff
from custom_components.echonet_hems.lib.energy.tariff_presets import TARIFF_PRESETS

PACKAGE = Path(__file__).parents[2] / "custom_components" / "echonet_hems"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Keys the code passes to Home Assistant as translation keys (exceptions, issues, entities, devices, errors).
USED_KEY = re.compile(
    r"""(?:translation_key|reason)\s*=\s*["']([a-z0-9_]+)["']|errors\[[^\]]+\]\s*=\s*["']([a-z0-9_]+)["']"""
)


def _load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PACKAGE / "translations" / f"{language}.json").read_text(encoding="utf-8"))
    return data


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_leaves(value, path))
        else:
            out[path] = str(value)
    return out


def test_japanese_has_every_english_string_and_nothing_else() -> None:
    english, japanese = _leaves(_load("en")), _leaves(_load("ja"))
    assert sorted(set(english) ^ set(japanese)) == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_placeholders_match_and_no_string_is_empty(language: str) -> None:
    english, translated = _leaves(_load("en")), _leaves(_load(language))
    for path, text in translated.items():
        assert text.strip(), path
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[path])), path


def test_every_key_the_code_uses_is_translated() -> None:
    sections = _load("en")
    known = {part for path in _leaves(sections) for part in path.split(".")}
    used: set[str] = set()
    for source in PACKAGE.glob("*.py"):
        for match in USED_KEY.finditer(source.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assert used, "the pattern found no keys: the test would prove nothing"
    assert sorted(used - known) == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_preset_price_band_reads_as_words(language: str) -> None:
    """The price-band sensor's state is a band or step name; every name a preset tariff can give has a translated
    state (a custom tariff's names are the user's own words and show as typed)."""
    names: set[str] = set()
    tariffs = [preset.tariff for preset in TARIFF_PRESETS.values()] + list(PRESETS.values())
    for tariff in tariffs:
        parts = tariff.bands if isinstance(tariff, Tariff) else tariff.steps
        names.update(part.name for part in parts)
    states = _load(language)["entity"]["sensor"]["price_band"]["state"]
    assert names, "no preset gave a band name: the test would prove nothing"
    assert sorted(names - set(states)) == []
