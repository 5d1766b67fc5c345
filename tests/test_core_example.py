"""The shipped example region: the whole range of verdicts, a golden JSON, both evaluators."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sli_rules
from sli_rules import Engine
from sli_rules.report import render_json

from .conftest import EXAMPLE, REPO, outcomes_agree, run_cli

GOLDEN = Path(__file__).parent / "golden" / "north-west-2013-14.json"
NORTH_WEST_2013 = [
    "Blackburn with Darwen",
    "Blackpool",
    "Bolton",
    "Bury",
    "Cheshire East",
    "Cheshire West and Chester",
    "Cumbria",
    "Halton",
    "Knowsley",
    "Lancashire",
    "Liverpool",
    "Manchester",
    "Oldham",
    "Rochdale",
    "Salford",
    "Sefton",
    "St Helens",
    "Stockport",
    "Tameside",
    "Trafford",
    "Warrington",
    "Wigan",
    "Wirral",
]


def _normalised(text: str) -> dict[str, object]:
    """The result with the machine-specific rulebook path and the digest taken out."""
    data = json.loads(text)
    assert data["rulebook"]["digest"].startswith("sha256:") and len(data["rulebook"]["digest"]) == 71
    data["rulebook"] = {"digest": "sha256:…", "path": "…"}
    return data


def test_the_example_holds_the_23_north_west_authorities_of_2013(example_region: sli_rules.Region) -> None:
    assert sorted(item.authority for item in example_region) == NORTH_WEST_2013
    assert {item.year for item in example_region} == {"2013-14"}
    assert all(item.code and item.code.startswith("E") for item in example_region)


def test_both_evaluators_agree_on_every_trigger_of_the_example(
    default_engine: Engine, example_region: sli_rules.Region
) -> None:
    outcomes = outcomes_agree(default_engine, example_region)
    flat = [outcome for row in outcomes for outcome in row]
    assert True in flat and False in flat and None in flat


def test_the_example_shows_the_whole_range(default_engine: Engine, example_region: sli_rules.Region) -> None:
    result = default_engine.assess(example_region)
    levels = [item.level for item in result]
    assert levels.count("no_concerns") + levels.count("emerging_concerns") > len(levels) / 2
    assert 3 <= levels.count("concerns") <= 8
    assert levels.count("serious_concerns") >= 1
    assert [item.tier for item in result if item.level == "serious_concerns"] == ["intervention"] * levels.count(
        "serious_concerns"
    )
    assert sum(1 for item in result if item.excellence) >= 3
    # The illustrative region holds one year only, so the trend pattern (ascof-sustained-decline)
    # is a gap everywhere; apart from it, a few authorities have data missing.
    assert all("ascof-sustained-decline" in {gap.trigger for gap in item.gaps} for item in result)
    assert 1 <= sum(1 for item in result if {gap.trigger for gap in item.gaps} - {"ascof-sustained-decline"}) <= 8
    assert all(item.status == "provisional" for item in result)
    for item in result:
        assert item.reasons, item.authority
        assert item.support, item.authority
        for flag in item.flags:
            assert flag.sources and flag.says and flag.evidence


def test_the_json_result_follows_the_contract(default_engine: Engine, example_region: sli_rules.Region) -> None:
    data = json.loads(render_json(default_engine.assess(example_region)))
    assert set(data) >= {"rulebook", "assessments"}
    assert set(data["rulebook"]) == {"digest", "path"}
    for item in data["assessments"]:
        assert set(item) >= {
            "authority",
            "code",
            "year",
            "level",
            "tier",
            "status",
            "flags",
            "gaps",
            "support",
            "reasons",
        }
        for flag in item["flags"]:
            assert set(flag) >= {"trigger", "heading", "signal", "counted", "title", "says", "sources", "values"}
            assert flag["signal"] in ("concern", "excellence")
            assert isinstance(flag["counted"], bool)
        for gap in item["gaps"]:
            assert set(gap) >= {"trigger", "missing"}
        for option in item["support"]:
            assert set(option) >= {"option", "title"}


def test_the_example_matches_its_golden_json() -> None:
    """Any change to the result of the example is visible in review: regenerate on purpose
    with SLI_RULES_UPDATE_GOLDEN=1."""
    completed = run_cli("assess", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    if os.environ.get("SLI_RULES_UPDATE_GOLDEN"):
        GOLDEN.write_text(
            json.dumps(_normalised(completed.stdout), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert _normalised(completed.stdout) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_json_output_is_byte_identical_run_to_run() -> None:
    first = run_cli("assess", str(EXAMPLE), "--format", "json")
    second = run_cli("assess", str(EXAMPLE), "--format", "json")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_the_text_report_starts_with_a_one_screen_summary() -> None:
    completed = run_cli("assess")
    assert completed.returncode == 0, completed.stderr
    text = completed.stdout
    for name in NORTH_WEST_2013:
        assert f"\n{name} (E" in "\n" + text
    summary = text[text.index("\n\n") + 2 : text.index("\nBlackburn with Darwen (E")]  # after the rulebook line
    assert summary.startswith("Sector Led Improvement risk assessment: 23 authorities, 2013-14\n")
    assert len(summary.splitlines()) <= 25  # one screen
    assert "Provisional" in summary and "not an inspection rating" in summary
    assert "The figures are illustrative" in summary
    assert "  Intervention: Rochdale\n" in summary


def test_every_format_renders(tmp_path: Path) -> None:
    for form in ("text", "json", "markdown", "html", "csv"):  # pdf: tests/test_report_browser.py
        target = tmp_path / f"out.{form}"
        completed = run_cli("assess", "--format", form, "-o", str(target))
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout == ""
        body = target.read_text(encoding="utf-8")
        assert "Halton" in body
        assert not list(tmp_path.glob(".out.*"))  # no temporary file left behind
    assert (tmp_path / "out.csv").read_text().splitlines()[0].startswith("authority,code,year,level,tier")


def test_explain_names_values_and_sources() -> None:
    completed = run_cli("explain", "Manchester")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Manchester (E08000003), 2013-14\nVerdict: ")
    assert "sources:" in completed.stdout and "Why:" in completed.stdout
    by_code = run_cli("explain", "E08000003")
    assert by_code.stdout == completed.stdout
    unknown = run_cli("explain", "Atlantis")
    assert unknown.returncode == 2 and "no authority 'Atlantis'" in unknown.stderr


def test_the_python_api_of_the_design(default_rulebook: sli_rules.Rulebook) -> None:
    result = sli_rules.assess()
    halton = result["Halton"]
    assert halton.code == "E06000006"
    assert result["E06000006"] is halton
    assert halton.level in {level.id for level in default_rulebook.levels}
    assert halton.tier in {tier.id for tier in default_rulebook.tiers}
    assert "Halton" in halton.explain()
    assert result.to_dict()["assessments"][7]["authority"] == "Halton"


def test_python_m_and_the_console_script_are_the_same_command() -> None:
    completed = run_cli("--version")
    assert completed.returncode == 0 and completed.stdout.startswith("sli-rules ")
    assert (REPO / "sli_rules" / "__main__.py").exists()
