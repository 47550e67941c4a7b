"""``benchmarks.planner.matrix`` end to end on a one-scenario, one-day tier: worker processes, the streamed cells,
the JSON and markdown tables, ``--resume``; and the medium tier's design."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import combinations
import json
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.planner import matrix
from benchmarks.planner.cells import Cell, decode, encode, run_cell
from benchmarks.planner.tiers import MEDIUM, QUICK, TIERS, HomeSpec

TINY = replace(
    QUICK,
    name="tiny",
    tariffs=("tepco-sl",),
    starts=(date(2025, 5, 12),),
    design="cross",
    days=1,
    forecasts=("F0",),
    oracle_node_limit=50,
    missing=("nothing: a test tier",),
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("matrix")
    TIERS["tiny"] = TINY
    try:
        code = matrix.main(
            ["--tier", "tiny", "--workers", "2", "--json", str(folder / "m.json"), "--markdown", str(folder / "m.md")]
        )
    finally:
        del TIERS["tiny"]
    assert code == 0
    return folder / "m.json", folder / "m.md", json.loads((folder / "m.json").read_text(encoding="utf-8"))


def test_one_scenario_runs_its_five_cells_and_reports_like_the_cli(outputs: tuple[Path, Path, dict[str, Any]]) -> None:
    json_path, _, document = outputs
    assert (document["scenarios_done"], document["cells_done"], document["failures"]) == (1, 5, {})
    report = document["reports"][0]
    assert report["scenario"]["household"] == "emhass"
    assert report["ev"] == "onoff"
    for key in "abcde":
        assert {"kappa", "kappa_bound", "kappa_e1", "comfort_failures", "self_consumption", "plan_ms_p99"} <= set(
            report[key]
        )
    assert report["e"]["kappa"] == 1.0  # the oracle's replay is κ's reference
    assert report["oracle"]["same_device_saving_yen"] > 0.0
    assert report["d"]["plan_ms_median"] is not None
    assert {row["strategy"] for row in document["rows"]} == set("abcde")
    streamed = json_path.with_name(json_path.name + ".cells.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(streamed) == 5
    assert document["estimate"]["cells"] == 5


def test_markdown_table_has_the_scenario_row_and_the_targets(outputs: tuple[Path, Path, dict[str, Any]]) -> None:
    _, markdown_path, document = outputs
    text = markdown_path.read_text(encoding="utf-8")
    kappa = document["reports"][0]["d"]["kappa"]
    assert "| jp6 | emhass | tepco-sl | onoff | 2025-05-12 | F0 | 0 |" in text
    assert f"**{kappa:.3f}**" in text
    assert "F0: kappa(d) >= 0.95 in every scenario" in text
    # A tier of F0 and TEPCO alone says nothing of the noisy forecasts or the newFIT-24 trap: not "met", not "NOT met".
    assert "- not measured: F3/F5: median kappa(d) >= 0.80" in text
    assert "- not measured: newfit24: (d) never diverts more surplus than the oracle" in text
    verdicts = {target["target"]: target["met"] for target in document["targets"]}
    assert verdicts["newfit24: (d) never diverts more surplus than the oracle"] is None
    assert verdicts["F0: kappa(d) >= 0.95 in every scenario"] is (kappa >= 0.95)
    assert "nothing: a test tier" in text


def test_resume_runs_no_cell_again(
    outputs: tuple[Path, Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    json_path, _, first = outputs
    resumed = tmp_path / "m.json"
    resumed.with_name("m.json.cells.jsonl").write_text(
        json_path.with_name(json_path.name + ".cells.jsonl").read_text(encoding="utf-8") + '{"torn": ',
        encoding="utf-8",
    )

    def refuse(cell: Cell, start: Any = None) -> None:
        raise AssertionError(f"{cell.name} ran again")

    monkeypatch.setattr(matrix, "run_cell", refuse)
    monkeypatch.setitem(TIERS, "tiny", TINY)
    assert matrix.main(["--tier", "tiny", "--json", str(resumed), "--resume"]) == 0
    again = json.loads(resumed.read_text(encoding="utf-8"))
    assert again["reports"][0]["d"] == first["reports"][0]["d"]
    assert again["reports"][0]["oracle"] == first["reports"][0]["oracle"]


def test_a_cell_survives_its_json_round_trip() -> None:
    cell = Cell("a", HomeSpec("jp6", "emhass", "tepco-sl", "modulating", date(2025, 5, 12), 1))
    result = run_cell(cell)
    back = decode(json.loads(json.dumps(encode(result))))
    assert back == result


def test_medium_tier_covers_every_pair_of_factors_once_per_ev() -> None:
    homes = [home for home in MEDIUM.homes() if home.ev == "onoff"]
    factors = [attrgetter(name) for name in ("weather", "tariff", "household", "start")]
    assert len(homes) == 16
    for first, second in combinations(factors, 2):
        assert len({(first(h), second(h)) for h in homes}) == 16
    variants = {v.name for v in MEDIUM.variants()}
    assert variants == {"F0/s0", "F3/s0", "F3/s1", "F3/s2", "F5/s0", "F5/s1", "F5/s2"}
    assert {h.ev for h in MEDIUM.homes()} == {"onoff", "modulating"}


def test_limit_spreads_the_sample_over_the_grid() -> None:
    picked = matrix.sample(MEDIUM, 8)
    assert len(picked) == 8
    assert len({home.weather for home, _ in picked}) == 4
    assert len({home.ev for home, _ in picked}) == 2
    assert len({variant.forecast for _, variant in picked}) == 3
    assert len(set(picked)) == 8
    assert matrix.sample(MEDIUM, None) == MEDIUM.scenarios()


def test_an_unknown_tier_is_refused() -> None:
    with pytest.raises(SystemExit):
        matrix.parse_args(["--tier", "huge"])


def test_forecasts_and_seeds_narrow_or_widen_the_variants() -> None:
    tier = matrix.parse_args(["--tier", "medium", "--forecasts", "F3", "--seeds", "5"]).tier_design
    assert {v.name for v in tier.variants()} == {f"F3/s{seed}" for seed in range(5)}
    assert tier.homes() == MEDIUM.homes()
    assert matrix.parse_args(["--tier", "medium"]).tier_design == MEDIUM


@pytest.mark.parametrize("flags", [["--forecasts", "F4"], ["--forecasts", ","], ["--seeds", "0"]])
def test_forecasts_and_seeds_outside_the_tier_are_refused(flags: list[str]) -> None:
    with pytest.raises(SystemExit):
        matrix.parse_args(["--tier", "medium", *flags])
