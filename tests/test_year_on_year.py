"""Two years as two samples and tests of trend, end to end: the counts of earlier years read
from the official ASCOF layout and from fact documents, the worked figures of the rule format
as rule tests of a small rulebook (the real command line), and bad counts reported with their
place."""

from __future__ import annotations

from pathlib import Path

import sli_rules

from .conftest import run_cli

RULEBOOK = Path(__file__).parent / "cases" / "significance-rulebook"
HEADER = (
    "Year,Geographical Description,ONS Code,Measure Group,Measure Group Description,Measure_Value,"
    "Geographical Level,Disaggregation Level,Measure Type\n"
)


def _ascof(path: Path, rows: dict[str, tuple[float, int, int]]) -> Path:
    """An ASCOF file in the official layout: Halton's older people's admissions (2A2 up to
    2022-23, 2C in 2023-24) with its Numerator and Denominator rows, year by year."""
    lines = [HEADER]
    for year, (value, numerator, denominator) in rows.items():
        code = "2C" if year == "2023-24" else "2A2"
        for kind, figure in (("Outcome", value), ("Numerator", numerator), ("Denominator", denominator)):
            lines.append(f"{year},Halton,E06000006,{code},admissions,{figure},Council,Total,{kind}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_the_ascof_reader_gives_every_earlier_years_counts(tmp_path: Path) -> None:
    file = _ascof(tmp_path / "ascof.csv", {
        "2020-21": (500.0, 100, 20_000), "2021-22": (575.0, 115, 20_000),
        "2022-23": (650.0, 130, 20_000), "2023-24": (750.0, 150, 20_000),
    })
    region = sli_rules.load_facts(file, year="2023-24", rulebook=sli_rules.load_rulebook())
    (halton,) = region.authorities
    fact = "ascof.admissions_65_plus"  # 2A2 up to 2022-23 and 2C in 2023-24, through aliases
    assert halton.counts[fact] == sli_rules.facts.Count(150, 20_000)
    assert {year: (c.numerator, c.denominator) for year, c in halton.history_counts[fact].items()} == {
        "2020-21": (100, 20_000), "2021-22": (115, 20_000), "2022-23": (130, 20_000),
    }
    assert halton.previous_counts[fact] == sli_rules.facts.Count(130, 20_000)
    # Each earlier year's counts keep the place of their row.
    assert halton.history_count_locations[fact]["2021-22"].line == 6


def test_the_worked_figures_as_rule_tests() -> None:
    completed = run_cli("test", str(RULEBOOK / "tests"), "--rules", str(RULEBOOK))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip().endswith("5 passed, 0 failed")


def test_an_assessment_says_what_each_test_is(tmp_path: Path) -> None:
    completed = run_cli("explain", "Ceeford", str(RULEBOOK / "tests" / "region.yaml"), "--rules", str(RULEBOOK))
    assert completed.returncode == 2  # the rule tests' region is inline: written out below
    region = tmp_path / "region.yaml"
    text = (RULEBOOK / "tests" / "worked.yaml").read_text(encoding="utf-8")
    region.write_text(
        text.split("\ntests:\n")[0].replace("kind: tests\nregion:\n", "")
        # this year's counts, not last year's
        + "\n  - {authority: Geeville, year: 2023-24, facts: {admissions.older: 750},\n"
        "     counts: {admissions.older: {numerator: 150, denominator: 20000}}}\n",
        encoding="utf-8",
    )
    completed = run_cli("explain", "Ceeford", str(region), "--rules", str(RULEBOOK))
    assert completed.returncode == 0, completed.stderr
    said = completed.stdout
    assert (
        "survey.feel_safe = 65 shows a significant trend for the worse over 5 years (a test of trend, at 95%)" in said
    )
    assert (
        "survey.feel_safe = 65 was worse than the year before in each of the last 4 years "
        "(a run of years, not a statistical test)" in said
    )
    completed = run_cli("explain", "Efield", str(region), "--rules", str(RULEBOOK))
    assert "a test of trend in survey.feel_safe over 5 years: 2019-20 starts a definition break" in completed.stdout
    completed = run_cli("explain", "Geeville", str(region), "--rules", str(RULEBOOK))
    assert "no counts behind admissions.older in 2022-23: comparing two years is a two-sample test" in (
        completed.stdout
    )


def test_earlier_counts_that_disagree_are_reported_with_their_places(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "authority: Halton\n"
        "year: 2023-24\n"
        "facts: {ascof.feel_safe: 68.3}\n"
        "counts: {ascof.feel_safe: {numerator: 410, denominator: 600}}\n"
        "previous_counts: {ascof.feel_safe: {numerator: 450, denominator: 620}}\n"
        "history_counts:\n"
        "  ascof.feel_safe:\n"
        "    2022-23: {numerator: 451, denominator: 620}\n"
        "    2023-24: {numerator: 1, denominator: 2}\n"
        "    2021-22: {numerator: 9, denominator: 8}\n",
        encoding="utf-8",
    )
    completed = run_cli("assess", str(facts))
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert completed.stderr.splitlines()[:3] == [
        f"{facts}:8:14: the counts of 'ascof.feel_safe' in 2022-23 differ from its previous_counts",
        f"{facts}:9:5: history_counts hold earlier years than 2023-24, not 2023-24",
        f"{facts}:10:26: counts of 'ascof.feel_safe' in 2021-22: the numerator 9 is above its denominator 8",
    ]


def test_the_new_forms_are_checked_when_loaded(tmp_path: Path) -> None:
    from .conftest import make_rulebook

    bad = [
        {"fact": "p", "worsening": {"years": 3, "significant": "yes"}},
        {"fact": "p", "worsening": {"years": 3, "confidence": 95}},
        {"fact": "p", "worsening": {"years": 3, "significant": True, "confidence": 90}},
        {"fact": "p", "worsening": {"years": 3, "significant": True, "confidence": 95}, "confidence": 95},
        {"fact": "x", "improving": {"years": 2, "significant": True}},
        {"fact": "p", "significantly_worse_than": {"previous": True, "times": 1.1}},
        {"fact": "p", "worsening": {"years": 3, "span": 2}},
    ]
    triggers = [{"id": f"t{i}", "title": "t", "sources": ["s"], "when": when} for i, when in enumerate(bad)]
    folder = make_rulebook(tmp_path, {"outcomes": triggers})
    try:
        sli_rules.load_rulebook(folder)
    except sli_rules.RulebookError as error:
        messages = [problem.message for problem in error.problems]
    else:
        raise AssertionError("the rulebook loaded")
    assert messages == [
        "significant is true or false, got text",
        "'confidence' goes with a test of trend: add significant: true",
        "confidence is 95 or 99.8, got 90",
        "confidence is given twice",
        "a test of trend needs counts, but 'x' has no method",
        "'significantly_worse_than' compares two years as two samples: no 'plus' or 'times' on {previous: true}",
        "'worsening' takes {years: N}, N a whole number from 1 to 20, got {'years': 3, 'span': 2}",
    ]


def test_a_json_fact_document_gives_earlier_counts_too(tmp_path: Path) -> None:
    file = tmp_path / "halton.json"
    file.write_text(
        '{"authority": "Halton", "year": "2023-24", "facts": {"ascof.4a": 68.3},\n'
        ' "counts": {"ascof.4a": {"numerator": 410, "denominator": 600}},\n'
        ' "previous_counts": {"ascof.4a": {"numerator": 450, "denominator": 620}},\n'
        ' "history_counts": {"ascof.4a": {"2021-22": {"numerator": 440, "denominator": 610}}}}\n',
        encoding="utf-8",
    )
    (halton,) = sli_rules.load_facts(file, rulebook=sli_rules.load_rulebook()).authorities
    # ascof.4a is the catalogue's ascof.feel_safe in 2023-24 and before, through its aliases.
    assert halton.history_counts == {
        "ascof.feel_safe": {
            "2022-23": sli_rules.facts.Count(450, 620), "2021-22": sli_rules.facts.Count(440, 610),
        }
    }
