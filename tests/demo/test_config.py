"""The generated Home Assistant configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from demo.__main__ import build_parser
from demo.config import (
    COMPONENTS,
    DemoPaths,
    SiteConfig,
    base_url,
    configuration_yaml,
    onboarding_store,
    write_configuration,
)


def test_configuration_is_offline_safe_yaml() -> None:
    """Every chosen component is configured; nothing that needs the internet (default_config) is."""
    config = yaml.safe_load(configuration_yaml(SiteConfig(port=8200)))
    assert set(COMPONENTS) <= set(config)
    assert "default_config" not in config
    assert config["http"] == {"server_host": "127.0.0.1", "server_port": 8200}
    assert config["homeassistant"]["time_zone"] == "Asia/Tokyo"
    assert config["homeassistant"]["currency"] == "JPY"
    assert config["logger"]["logs"]["custom_components.echonet_hems"] == "info"


def test_server_language() -> None:
    """`--language ja` makes Home Assistant's server language Japanese (entity names are translated into it)."""
    assert yaml.safe_load(configuration_yaml(SiteConfig()))["homeassistant"]["language"] == "en"
    assert yaml.safe_load(configuration_yaml(SiteConfig(language="ja")))["homeassistant"]["language"] == "ja"


def test_language_flag() -> None:
    """Only languages the integration is translated into are offered."""
    parser = build_parser()
    assert parser.parse_args(["--language", "ja"]).language == "ja"
    assert parser.parse_args([]).language == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["--language", "de"])


def test_onboarding_store_marks_only_core_config_done() -> None:
    """The user, analytics and integration steps stay for the REST API; core_config is answered by the YAML."""
    store = json.loads(onboarding_store())
    assert store["key"] == "onboarding"
    assert store["data"] == {"done": ["core_config"]}


def test_write_configuration_twice(tmp_path: Path) -> None:
    """The custom component is a symlink to the checkout; writing again replaces it instead of failing."""
    source = tmp_path / "src" / "echonet_hems"
    source.mkdir(parents=True)
    paths = DemoPaths(tmp_path / ".demo")
    for _ in range(2):
        write_configuration(paths, SiteConfig(), source)
    link = paths.config / "custom_components" / "echonet_hems"
    assert link.is_symlink()
    assert link.resolve() == source.resolve()
    assert (paths.config / ".storage" / "onboarding").exists()
    assert "server_port: 8123" in (paths.config / "configuration.yaml").read_text(encoding="utf-8")


def test_base_url() -> None:
    """A wildcard listen address is reached through loopback."""
    assert base_url(SiteConfig(host="0.0.0.0", port=8124)) == "http://127.0.0.1:8124"
    assert base_url(SiteConfig()) == "http://127.0.0.1:8123"
