"""A verdict that claims no more than its evidence: entries corroborate, siblings do not;
coverage is in every result and a thin one is never a clean bill; peers come from authorities
able to help, in the area of the concern, within the cap; sentences report what held."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import sli_rules
from sli_rules import Engine
from sli_rules.errors import RulebookError

from .conftest import EXAMPLE, REPO, make_rulebook, region_of, run_cli, validate
from .test_real_data import ASCOF, needs_ascof

ENTRY_ONE = ("ascof-worst-quartile", "ascof-below-comparators", "ascof-safety-outcomes")


def _example_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "region"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _keep_only(folder: Path, file: str, prefix: str) -> None:
    path = folder / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"] = {key: value for key, value in data["facts"].items() if key.startswith(prefix)}
    data["previous"] = {key: value for key, value in data.get("previous", {}).items() if key.startswith(prefix)}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _shipped_rulebook(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    for folder in ("triggers", "menus"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copytree(REPO / "examples", root / "examples")
    return root


# --- entries, not sibling triggers ----------------------------------------------------


def test_one_entrys_triggers_flagged_together_are_one_piece_of_evidence(tmp_path: Path) -> None:
    """Knowsley with only its ASCOF facts: every ASCOF pattern of Table 2 entry 1 holds, and
    that is one piece of evidence under one heading, never concerns 'in more than one area'."""
    folder = _example_copy(tmp_path)
    _keep_only(folder, "knowsley.yaml", "ascof.")
    knowsley = sli_rules.assess(folder)["Knowsley"]
    flagged = {flag.trigger for flag in knowsley.flags if flag.signal == "concern"}
    assert set(ENTRY_ONE) <= flagged
    entries = {flag.entry for flag in knowsley.flags if flag.trigger in ENTRY_ONE}
    assert len(entries) == 1
    assert knowsley.level not in ("concerns", "serious_concerns")
    assert knowsley.tier == "self_help"


def test_a_gated_trigger_needs_a_concern_from_another_entry(tmp_path: Path) -> None:
    x = {"id": "x-low", "title": "x low", "entry": "e1", "when": {"fact": "x", "below": 30}}
    sibling = {
        "id": "y-high", "title": "y high", "entry": "e1", "only_with_other_concerns": True,
        "when": {"fact": "y", "above": 30},
    }
    other = {"id": "z-high", "title": "z high", "entry": "e2", "when": {"fact": "z", "above": 30}}
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [x, sibling], "resources": [other]}))
    region = region_of({
        "A": {"facts": {"x": 10, "y": 40, "z": 10}},  # the gated one beside its own sibling only
        "B": {"facts": {"x": 10, "y": 40, "z": 40}},  # and beside a concern from another entry
    })
    result = engine.assess(region)
    assert {flag.trigger: flag.counted for flag in result["A"].flags} == {"x-low": True, "y-high": False}
    assert {flag.trigger: flag.counted for flag in result["B"].flags} == {
        "x-low": True, "y-high": True, "z-high": True,
    }


# --- the corroboration invariant, proved at load time ---------------------------------

SERIOUS_BY_ENTRY_ONE = (
    "      any:\n        - all:\n            - {concern_headings: {at_least: 3}}\n"
    "            - {concern_entries: {at_least: 4}}\n        - all:\n"
    "            - {concern_headings: {at_least: 2}}\n            - {concern_entries: {at_least: 3}}\n"
    "            - {unacknowledged: {at_least: 2}}"
)


@pytest.mark.parametrize(
    ("replacement", "named"),
    [
        # One concern and any gap: gaps walk around corroboration.
        ("      all:\n        - {concerns: {at_least: 1}}\n        - {gaps: {at_least: 1}}", "entry '"),
        # Many gaps and no concern at all.
        ("      all:\n        - {gaps: {at_least: 30}}", "with no concern flagged the verdict can be 'serious_concerns'"),
        # Entry 1's three ASCOF patterns counted as three concerns.
        ("      all:\n        - {concerns: {at_least: 3}}", "ascof-worst-quartile"),
        # Low coverage, or an authority that does not acknowledge its one concern.
        ("      all:\n        - {unacknowledged: {at_least: 1}}", "entry '"),
    ],
)
def test_validate_rejects_a_policy_one_entry_or_gaps_can_take_to_intervention(
    tmp_path: Path, replacement: str, named: str
) -> None:
    root = _shipped_rulebook(tmp_path)
    policy = root / "triggers" / "in-the-round.yaml"
    text = policy.read_text(encoding="utf-8")
    assert SERIOUS_BY_ENTRY_ONE in text, "the default policy changed: update this case"
    policy.write_text(text.replace(SERIOUS_BY_ENTRY_ONE, replacement, 1), encoding="utf-8")
    completed = validate(root, "--rules", str(root))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    errors = [line for line in completed.stderr.splitlines() if "requires corroboration" in line]
    assert errors, completed.stderr
    assert any(named in line for line in errors), errors
    assert all(line.startswith("triggers/in-the-round.yaml:") for line in errors), errors


def test_the_proof_names_an_entry_and_all_its_triggers(tmp_path: Path) -> None:
    triggers = [
        {"id": f"pattern-{index}", "title": f"pattern {index}", "entry": "t2-01", "when": {"fact": "x", "below": 30}}
        for index in range(3)
    ]
    verdicts = {
        "kind": "verdicts",
        "levels": [
            {"id": "serious", "title": "Serious", "when": {"concerns": {"at_least": 3}}},
            {"id": "concerns", "title": "Concerns", "when": {"concerns": {"at_least": 2}}},
            {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
            {"id": "none", "title": "None"},
        ],
    }
    with pytest.raises(RulebookError) as raised:
        sli_rules.load_rulebook(make_rulebook(tmp_path, {"outcomes": triggers}, verdicts=verdicts))
    (problem,) = [found for found in raised.value.problems if found.severity == "error"]
    assert "entry 't2-01' (pattern-0, pattern-1, pattern-2;" in problem.message
    assert "reaches verdict 'serious' and tier 'intervention'" in problem.message


def test_a_policy_corroborating_across_entries_loads(tmp_path: Path) -> None:
    triggers = [
        {"id": f"pattern-{index}", "title": f"pattern {index}", "entry": f"e{index}", "when": {"fact": "x", "below": 30}}
        for index in range(3)
    ]
    verdicts = {
        "kind": "verdicts",
        "levels": [
            {"id": "serious", "title": "Serious", "when": {"concern_entries": {"at_least": 2}}},
            {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
            {"id": "thin", "title": "Thin", "when": {"coverage": {"below": "50%"}}},
            {"id": "none", "title": "None"},
        ],
    }
    menu = {
        "kind": "menu",
        "options": [{"id": "help", "title": "Help"}],
        "tiers": [
            {"id": "self_help", "title": "Self help", "verdicts": ["none", "thin", "emerging"], "options": ["help"]},
            {"id": "intervention", "title": "Intervention", "verdicts": ["serious"], "options": ["help"],
             "corroboration": "required"},
        ],
    }
    rulebook = sli_rules.load_rulebook(make_rulebook(tmp_path, {"outcomes": triggers}, verdicts=verdicts, menu=menu))
    assert [level.id for level in rulebook.levels] == ["serious", "emerging", "thin", "none"]
    assert not rulebook.warnings


# --- coverage, and no clean bill on evidence never seen --------------------------------


def test_every_result_says_how_much_it_saw() -> None:
    # The concern triggers that apply in the example's year (a trigger outside its span of
    # years is not in the evidence's total).
    concern = {trigger.id for trigger in sli_rules.load_rulebook().triggers
               if trigger.is_concern and trigger.applies_in("2013-14")}
    data = json.loads(run_cli("assess", "--format", "json").stdout)
    for item in data["assessments"]:
        coverage = item["coverage"]
        assert coverage["total"] == len(concern)
        assert coverage["total"] == sum(h["total"] for h in coverage["headings"].values())
        assert coverage["judged"] == sum(h["judged"] for h in coverage["headings"].values())
        assert coverage["judged"] == coverage["total"] - sum(1 for gap in item["gaps"] if gap["trigger"] in concern)
        assert any(reason.startswith("Evidence judged: ") for reason in item["reasons"])


def test_the_example_still_shows_every_verdict_and_clear_councils_with_full_data() -> None:
    result = sli_rules.assess()
    levels = {item.level for item in result}
    assert {"serious_concerns", "concerns", "emerging_concerns", "no_concerns"} <= levels
    for item in result:
        if item.level == "no_concerns":
            assert item.coverage is not None and item.coverage.share >= 0.5
            assert all(judged.judged for judged in item.coverage.headings.values())


@needs_ascof
def test_on_ascof_alone_no_council_is_called_clear() -> None:
    completed = run_cli("assess", str(ASCOF), "--region", "North West", "--year", "2023-24", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    data: dict[str, Any] = json.loads(completed.stdout)
    assert len(data["assessments"]) == 24
    assert not [item["authority"] for item in data["assessments"] if item["level"] == "no_concerns"]
    for item in data["assessments"]:
        assert set(item["coverage"]["headings"]) == {"outcomes", "resources", "stakeholders", "intelligence"}
        assert item["coverage"]["judged"] / item["coverage"]["total"] < 0.5
        assert item["coverage"]["headings"]["stakeholders"]["judged"] == 0
    text = run_cli("assess", str(ASCOF), "--region", "North West", "--year", "2023-24").stdout
    assert text.count("\n  Evidence: ") == 24
    # 19: the ASCOF patterns as shares of the year's measures, a measure poor only where it is
    # worse than England too, and no pattern on one safety figure
    assert re.search(r"Not enough evidence to judge in the round +19 ", text)


def test_coverage_can_be_tested_by_heading_and_as_a_share(tmp_path: Path) -> None:
    x = {"id": "x-low", "title": "x low", "when": {"fact": "x", "below": 30}}
    y = {"id": "y-low", "title": "y low", "when": {"fact": "y", "below": 0}}
    verdicts = {
        "kind": "verdicts",
        "levels": [
            {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
            {"id": "thin", "title": "Thin", "when": {"coverage": {"below": 0.75}}},
            {"id": "none", "title": "None"},
        ],
    }
    menu = {
        "kind": "menu", "options": [{"id": "help", "title": "Help"}],
        "tiers": [{"id": "self_help", "title": "Self help", "verdicts": ["none", "thin", "emerging"], "options": ["help"]}],
    }
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [x], "resources": [y]}, verdicts=verdicts, menu=menu))
    result = engine.assess(region_of({"A": {"facts": {"x": 40, "y": 5}}, "B": {"facts": {"x": 40}}}))
    assert result["A"].level == "none"
    assert result["B"].level == "thin"
    assert result["B"].reasons[0] == "Thin: share of concern triggers judged < 75% (found 50%)"


# --- peers and Table 1 ------------------------------------------------------------------


def test_peers_come_from_authorities_able_to_help_in_the_area_within_the_cap() -> None:
    result = sli_rules.assess()
    rulebook = sli_rules.load_rulebook()
    by_name = {item.authority: item for item in result}
    named: dict[str, int] = {}
    by_heading: list[tuple[str, sli_rules.Flag]] = []
    suggested = 0
    for item in result:
        assert len(item.peers) <= rulebook.peers.per_authority
        concerns = {flag.trigger: flag for flag in item.flags if flag.signal == "concern" and flag.counted}
        for peer in item.peers:
            suggested += 1
            named[peer.authority] = named.get(peer.authority, 0) + 1
            helper = by_name[peer.authority]
            assert helper.tier == rulebook.tiers[0].id, f"{peer.authority} is in difficulty itself"
            assert peer.answers in concerns, "a suggestion says which concern it answers"
            concern = concerns[peer.answers]
            offered = next(flag for flag in helper.flags if flag.trigger == peer.trigger)
            assert offered.signal == "excellence"
            assert peer.area in (concern.area, concern.heading)
            if peer.area == concern.heading and concern.area:
                by_heading.append((item.authority, concern))
            # Never a helper with a concern under the heading it helps with (nor in its area),
            # nor one judged on less than half of that heading, however it was matched.
            assert not [flag for flag in helper.flags if flag.signal == "concern" and flag.heading == concern.heading]
            own_concerns = {flag.area or flag.heading for flag in helper.flags if flag.signal == "concern"}
            assert (concern.area or concern.heading) not in own_concerns
            assert helper.coverage is not None
            seen = helper.coverage.headings[concern.heading]
            assert seen.judged * 2 >= seen.total, (peer.authority, concern.heading)
    assert suggested > 5
    assert max(named.values()) <= rulebook.peers.cap
    # By heading only where nobody able to help in that area was left: each authority with
    # excellence in the area is the one in need, at its cap, or has a concern there itself.
    for name, concern in by_heading:
        for other in result:
            if other.tier != rulebook.tiers[0].id or other.authority == name:
                continue
            if any(flag.signal == "excellence" and flag.area == concern.area for flag in other.flags):
                own_entries = {flag.entry for flag in other.flags if flag.signal == "concern"}
                seen = other.coverage.headings[concern.heading] if other.coverage else None
                troubled = (
                    any(
                        flag.signal == "concern" and (flag.area == concern.area or flag.heading == concern.heading)
                        for flag in other.flags
                    )
                    or all(
                        flag.entry in own_entries
                        for flag in other.flags
                        if flag.signal == "excellence" and flag.area == concern.area
                    )
                    or (seen is not None and seen.judged * 2 < seen.total)
                )
                assert troubled or named.get(other.authority, 0) == rulebook.peers.cap, (name, concern.trigger, other.authority)


# --- words that report what held ---------------------------------------------------------


def test_says_reports_the_branch_that_held(tmp_path: Path) -> None:
    folder = _example_copy(tmp_path)
    path = folder / "halton.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    residential, homecare = data["facts"]["finance.unit_cost_residential"], data["facts"]["finance.unit_cost_homecare"]
    data["previous"]["finance.unit_cost_residential"] = residential  # residential care unchanged
    data["previous"]["finance.unit_cost_homecare"] = round(homecare / 1.168, 2)  # home care up 16.8%
    data["facts"]["finance.vfm_review_completed"] = False
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    halton = sli_rules.assess(folder)["Halton"]
    flag = next(flag for flag in halton.flags if flag.trigger == "unit-cost-change-without-vfm")
    assert re.match(r"Average gross hourly cost of home care changed by 16\.\d+% on last year", flag.says), flag.says


@needs_ascof
def test_a_gap_on_an_unexplained_rise_shows_the_rise() -> None:
    completed = run_cli("explain", "Halton", str(ASCOF), "--region", "North West", "--year", "2023-24")
    assert completed.returncode == 0, completed.stderr
    block = completed.stdout[completed.stdout.index("[admissions-unexplained-increase]") :]
    # The gap's own lines: the rise is among what is known, beside the want.
    block = block[: block.index("\n", block.index("percent change"))]
    assert "no value for finance.admissions_increase_explained" in block
    assert "known: ascof.admissions_65_plus (percent change) = 77.35% is above 10" in block


def test_a_comparator_gap_says_how_to_give_a_group(tmp_path: Path) -> None:
    x = {"id": "x-low", "title": "x low", "when": {"fact": "x", "below": {"comparators": "mean"}}}
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [x]}))
    result = engine.assess(region_of({"A": {"facts": {"x": 10}}, "B": {"facts": {"x": 20}}}))
    (gap,) = result["A"].gaps
    assert "A has no comparator group: give one with --comparators FILE, or list 'comparators' in its fact set" in gap.why
