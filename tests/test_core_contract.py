"""A rulebook written from the documented format alone (tests/cases/contract-rulebook, made of
the rule format's own snippets) is evaluated correctly with no code change."""

from __future__ import annotations

from pathlib import Path

import sli_rules
from sli_rules import Engine

from .conftest import outcomes_agree, run_cli

FOLDER = Path(__file__).parent / "cases" / "contract-rulebook"


def test_a_rulebook_written_from_the_documentation() -> None:
    engine = Engine(FOLDER, check=True)
    region = sli_rules.load_facts(FOLDER / "facts")
    outcomes_agree(engine, region)
    result = engine.assess(region)
    got = {
        item.authority: (
            item.level,
            item.tier,
            sorted((f.trigger, f.counted) for f in item.flags),
            [g.trigger for g in item.gaps],
        )
        for item in result
    }
    # Worked by hand: the region mean of the prevention budget change is -6.5; the worst
    # quartile of admissions (lower is better: q3 of 500, 520, 650, 700) is 662.5.
    assert got == {
        "Halton": (
            "emerging_concerns",
            "self_help",
            [("political-change", True), ("prevention-budget-cuts", True)],
            [],
        ),
        "Knowsley": (
            "concerns",
            "targeted_support",
            [("admissions-worst-quartile", True), ("political-change", True)],
            ["fac-eligibility-raised"],
        ),
        "St Helens": ("emerging_concerns", "self_help", [("fac-eligibility-raised", True)], ["political-change"]),
        "Warrington": ("emerging_concerns", "self_help", [("fac-eligibility-raised", True)], ["political-change"]),
    }
    halton = result["E06000006"]
    assert halton.flags[0].says == "Prevention budget changed by -12.5% against a regional mean of -6.5%."
    assert halton.flags[1].notes == {"intelligence.political_change": "Change of council leader in May."}
    # The fact set's own provenance, given by prefix, travels with the flags that use the fact.
    assert halton.flags[0].provenance == {"finance.prevention_budget_change_pct": "NW Strategic Finance Leads Group return, June 2013"}
    assert halton.flags[1].provenance == {}
    assert result["Knowsley"].support[0].option == "peer-mentoring"  # suits outcomes and resources
    assert result["St Helens"].gaps[0].missing == ("intelligence.political_change",)


def test_the_documented_rulebook_from_the_command_line() -> None:
    completed = run_cli("assess", str(FOLDER / "facts"), "--rules", str(FOLDER), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    assert '"authority": "Knowsley"' in completed.stdout
    assert run_cli("validate", "--rules", str(FOLDER)).returncode == 0
