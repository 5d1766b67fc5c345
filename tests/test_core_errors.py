"""Bad rule files and bad fact sets: every problem at once, each with its line and column,
from the Python API and from the command line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import sli_rules

from .conftest import make_rulebook, run_cli

TRIGGER = {"id": "a", "title": "A", "sources": ["s"], "when": {"fact": "x", "below": 1}}

# (name, the text of triggers/resources.yaml, the expected problems)
RULE_CASES = [
    (
        "YAML syntax, at the line of the cause",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: b\n    title: B\n   when: {fact: x, below: 1}\n",
        ["r/triggers/resources.yaml:6:4: YAML syntax"],
    ),
    (
        "unknown key with did-you-mean, wrong type",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: b\n    title: 5\n    when: {fact: x, below: 1}\n    soruces: [s]\n",
        [
            "r/triggers/resources.yaml:5:12: expected text, got a number",
            "r/triggers/resources.yaml:7:5: unknown key 'soruces' (did you mean 'sources'?)",
        ],
    ),
    (
        "unknown fact, a value not in a category",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: b\n    title: B\n    when: {fact: xx, below: 1}\n"
        "  - id: c\n    title: C\n    when: {fact: cat, one_of: [low, extreme]}\n",
        [
            "r/triggers/resources.yaml:6:18: unknown fact 'xx' (did you mean 'x'?)",
            "r/triggers/resources.yaml:9:37: 'extreme' is not a value of 'cat' (one of: low, moderate, substantial, critical)",
        ],
    ),
    (
        "duplicate key, a tag that would run code",
        "kind: triggers\nheading: resources\nheading: outcomes\ntriggers:\n  - id: b\n"
        "    title: !!python/object/apply:os.system [echo unsafe]\n    when: {fact: x, below: 1}\n",
        [
            "r/triggers/resources.yaml:3:1: duplicate key 'heading' (first given at line 2, column 1)",
            "r/triggers/resources.yaml:6:12: YAML tag '!!python/object/apply:os.system' is not allowed",
        ],
    ),
    (
        "duplicate id across files, naming both places; a placeholder that is not allowed",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: a\n    title: B\n    when: {fact: x, below: 1}\n"
        "    says: '{value.__class__}'\n",
        [
            "r/triggers/resources.yaml:4:9: duplicate trigger id 'a' (first defined at r/triggers/outcomes.yaml:4:7)",
            "r/triggers/resources.yaml:7:12: placeholder '{value.__class__}' is not allowed",
        ],
    ),
    (
        "a polarity test on a measure without polarity, a test that cannot apply",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: b\n    title: B\n    when: {fact: z, worse_than: 1}\n"
        "  - id: c\n    title: C\n    when: {fact: flag, above: 1}\n",
        [
            "r/triggers/resources.yaml:6:33: 'worse_than' needs a polarity, but 'z' has better: none",
            "r/triggers/resources.yaml:9:31: 'above' cannot apply to 'flag', a boolean",
        ],
    ),
    (
        "a significance count over facts with no method; a confidence given to has_counts",
        "kind: triggers\nheading: resources\ntriggers:\n  - id: b\n    title: B\n    when:\n"
        "      count: {facts: [x, y], where: {significantly_worse_than: 1}}\n      at_least: 1\n"
        "  - id: c\n    title: C\n    when: {fact: p, has_counts: true, confidence: 99.8}\n",
        [
            "r/triggers/resources.yaml:7:64: 'significantly_worse_than' needs a confidence interval, but none of the "
            "facts counted has a method",
            "r/triggers/resources.yaml:11:39: 'confidence' goes with a significance test, not 'has_counts'",
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), RULE_CASES, ids=[case[0] for case in RULE_CASES])
def test_bad_rule_files(
    name: str, text: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_rulebook(tmp_path / "r", {"outcomes": [TRIGGER]})
    (tmp_path / "r" / "triggers" / "resources.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(sli_rules.RulebookError) as raised:
        sli_rules.load_rulebook("r")
    lines = [str(problem) for problem in raised.value.problems]
    for want in expected:
        assert any(line.startswith(want) for line in lines), f"{want!r} not in {lines}"
    for problem in raised.value.problems:
        assert problem.line >= 1 and problem.column >= 1

    completed = run_cli("validate", "--rules", "r", cwd=tmp_path)
    assert completed.returncode == 1
    for want in expected:
        assert any(line.startswith(want) for line in completed.stderr.splitlines()), completed.stderr
    assessed = run_cli("assess", "--rules", "r", cwd=tmp_path)
    assert assessed.returncode == 2 and assessed.stdout == ""
    assert expected[0] in assessed.stderr


FACTS = """\
- authority: A
  code: E06000001
  year: 2013-14
  facts:
    x: twelve
    y: .nan
    cat: extreme
    flag: 1
    xx: 3
- authority: B
  year: 2013-14
  facts: {x: [1, 2], label: ok}
- authority: C
  year: 2013-14
  facts: {x: 1}
"""
FACT_PROBLEMS = [
    "facts.yaml:5:8: 'x': expected a number, got text 'twelve'",
    "facts.yaml:6:8: 'y': nan is not a finite number",
    "facts.yaml:7:10: 'cat': 'extreme' is not one of the measure's values (one of: low, moderate, substantial, critical)",
    "facts.yaml:8:11: 'flag': expected true or false, got a number",
    "facts.yaml:9:5: unknown fact 'xx' (did you mean 'x'?)",
    "facts.yaml:12:14: fact 'x' is a list; a fact holds one value",
]


def test_bad_fact_sets_every_problem_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_rulebook(tmp_path / "r", {"outcomes": [TRIGGER]})
    (tmp_path / "facts.yaml").write_text(FACTS, encoding="utf-8")
    rulebook = sli_rules.load_rulebook("r")
    with pytest.raises(sli_rules.FactsError) as raised:
        sli_rules.load_facts("facts.yaml", rulebook=rulebook)
    assert [str(problem) for problem in raised.value.problems] == FACT_PROBLEMS

    # Without the rulebook at load, the engine checks the values before anything reaches it.
    with pytest.raises(sli_rules.FactsError) as raised_later:
        sli_rules.Engine(rulebook).assess("facts.yaml")
    assert str(raised_later.value).splitlines()[0] == "facts.yaml:12:14: fact 'x' is a list; a fact holds one value"

    completed = run_cli("assess", "facts.yaml", "--rules", "r", cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr.splitlines()[0].startswith("facts.yaml:")
    assert completed.stderr.rstrip().endswith("warnings")


def test_bad_csv_rows_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.csv").write_text(
        "authority,code,year,x,cat\nA,E1,2013-14,5,low\nB,E2,2013-4,7,moderate\nC,E3,2013-14,7\nD,E4,2013-14,seven,low\n",
        encoding="utf-8",
    )
    make_rulebook(tmp_path / "r", {"outcomes": [TRIGGER]})
    with pytest.raises(sli_rules.FactsError) as raised:
        sli_rules.load_facts("facts.csv", rulebook=sli_rules.load_rulebook("r"))
    assert [str(problem) for problem in raised.value.problems] == [
        "facts.csv:3:6: year '2013-4' is not a financial year like 2013-14",
        "facts.csv:4:1: row has 4 fields; the header has 5",
        "facts.csv:5:14: 'x': expected a number, got text 'seven'",
    ]


def test_a_wide_csv_with_two_years_gives_previous_values(tmp_path: Path) -> None:
    make_rulebook(tmp_path / "r", {"outcomes": [dict(TRIGGER, when={"fact": "x", "change": "absolute", "below": 0})]})
    path = tmp_path / "facts.csv"
    path.write_text(
        "authority,code,year,x\nA,E1,2012-13,5\nA,E1,2013-14,4\nB,E2,2013-14,9\nB,E2,2012-13,1\n", encoding="utf-8"
    )
    region = sli_rules.load_facts(path)
    assert [(item.authority, item.year, item.facts, item.previous) for item in region] == [
        ("A", "2013-14", {"x": 4}, {"x": 5}),
        ("B", "2013-14", {"x": 9}, {"x": 1}),
    ]
    result = sli_rules.Engine(tmp_path / "r").assess(region)
    assert [len(item.flags) for item in result] == [1, 0]


def test_missing_paths_and_bad_arguments_exit_2_without_a_traceback(tmp_path: Path) -> None:
    missing = run_cli("assess", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    no_rules = run_cli("assess", "--rules", str(tmp_path / "nowhere"))
    assert no_rules.returncode == 2 and "no such rulebook folder" in no_rules.stderr
    bad_format = run_cli("assess", "--format", "docx")
    assert bad_format.returncode == 2 and "invalid choice" in bad_format.stderr
    no_command = run_cli()
    assert no_command.returncode == 2


def test_a_verdict_policy_nested_beyond_reason_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    condition: dict[str, object] = {"concerns": {"at_least": 1}}
    for _ in range(200):
        condition = {"not": condition}
    verdicts = {"kind": "verdicts", "levels": [{"id": "deep", "title": "Deep", "when": condition}, {"id": "none", "title": "None"}]}
    menu = {
        "kind": "menu",
        "options": [{"id": "buddying", "title": "Buddying"}],
        "tiers": [{"id": "self_help", "title": "Self help", "verdicts": ["deep", "none"], "options": ["buddying"]}],
    }
    make_rulebook(tmp_path / "r", {"outcomes": [TRIGGER]}, verdicts=verdicts, menu=menu)
    with pytest.raises(sli_rules.RulebookError, match="conditions nested more than 64 deep"):
        sli_rules.load_rulebook("r")
    completed = run_cli("validate", "--rules", "r", cwd=tmp_path)
    assert completed.returncode == 1 and "nested more than 64 deep" in completed.stderr
