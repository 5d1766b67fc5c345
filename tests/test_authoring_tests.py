"""`sli-rules validate` checks rule test files as well as rule files: a test naming an
authority, a trigger, a verdict level, a tier or a fact that does not exist is reported at its
place, with a did-you-mean, before anyone runs the tests and wonders why they fail.

The rulebook's own tests (triggers/tests/) are checked with the rulebook; test files given on
the command line are checked too. Line numbers are those of the frozen copy of
triggers/tests/default-rulebook.yaml in tests/fixtures/default-rulebook.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sli_rules
from sli_rules.assessment.ruletest import check_test_files, split_test_files

from .conftest import copy_rulebook, edit_file, validate

ROOT = Path(__file__).resolve().parent.parent
TESTS_FILE = "triggers/tests/default-rulebook.yaml"

# (name, text to replace in the shipped tests file (first occurrence), replacement, expected line)
CASES = [
    (
        "unknown-authority",
        "  - name: a single concern is never an intervention\n    authority: Halton\n",
        "  - name: a single concern is never an intervention\n    authority: Haltn\n",
        "triggers/tests/default-rulebook.yaml:17:16: no authority 'Haltn' in the test region "
        "(did you mean 'Halton'?)",
    ),
    (
        "unknown-trigger-in-flags",
        "      flags: [fac-eligibility-raised]\n",
        "      flags: [fac-eligibility-raisd]\n",
        "triggers/tests/default-rulebook.yaml:22:15: unknown trigger 'fac-eligibility-raisd' in "
        "expect.flags (did you mean 'fac-eligibility-raised'?)",
    ),
    (
        "unknown-trigger-in-flow-gaps",
        "expect: {level: no_concerns, tier: self_help, flags: [], gaps: []}",
        "expect: {level: no_concerns, tier: self_help, flags: [], gaps: [complaint]}",
        "triggers/tests/default-rulebook.yaml:14:69: unknown trigger 'complaint' in expect.gaps "
        "(did you mean 'complaints'?)",
    ),
    (
        "unknown-trigger-without-suggestion",
        "      flags: [fac-eligibility-raised]\n",
        "      flags: [fac-eligibility-raised, nonsense]\n",
        "triggers/tests/default-rulebook.yaml:22:39: unknown trigger 'nonsense' in expect.flags "
        "(no trigger of the rulebook has this id)",
    ),
    (
        "unknown-level",
        "      level: emerging_concerns\n",
        "      level: emerging_concern\n",
        "triggers/tests/default-rulebook.yaml:20:14: unknown verdict level 'emerging_concern' "
        "(did you mean 'emerging_concerns'?)",
    ),
    (
        "unknown-tier",
        "      tier: self_help\n      flags: [fac-eligibility-raised]\n",
        "      tier: self-help\n      flags: [fac-eligibility-raised]\n",
        "triggers/tests/default-rulebook.yaml:21:13: unknown tier 'self-help' (did you mean "
        "'self_help'?)",
    ),
    (
        "unknown-fact-override",
        "    facts: {finance.fac_eligibility: critical}\n",
        "    facts: {finance.fac_eligibilty: critical}\n",
        "triggers/tests/default-rulebook.yaml:18:13: unknown fact 'finance.fac_eligibilty' (did "
        "you mean 'finance.fac_eligibility'?)",
    ),
    (
        "bad-override-value",
        "    facts: {finance.fac_eligibility: critical}\n",
        "    facts: {finance.fac_eligibility: severe}\n",
        "triggers/tests/default-rulebook.yaml:18:38: 'finance.fac_eligibility': 'severe' is not "
        "one of the measure's values (one of: low, moderate, substantial, critical)",
    ),
    (
        "unknown-fact-in-remove",
        "    remove: [workforce.staff_survey_pct]\n",
        "    remove: [workforce.staff_survey]\n",
        "triggers/tests/default-rulebook.yaml:172:14: unknown fact 'workforce.staff_survey' (did "
        "you mean 'workforce.staff_survey_pct'?)",
    ),
    (
        "unknown-fact-in-previous",
        "    previous: {finance.fac_eligibility: critical}\n",
        "    previous: {finance.eligibility: critical}\n",
        "triggers/tests/default-rulebook.yaml:260:16: unknown fact 'finance.eligibility' (did "
        "you mean 'finance.fac_eligibility'?)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_a_mistake_in_the_rulebooks_own_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: str
) -> None:
    root = copy_rulebook(tmp_path)
    edit_file(root, TESTS_FILE, old, new)
    result = validate(root, "--rules", ".")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected, "1 error, 0 warnings"]
    assert result.stdout == ""
    # The same check from Python, on the rulebook (which itself loads: the mistake is in a test).
    monkeypatch.chdir(root)
    rulebook = sli_rules.load_rulebook(".")
    assert [str(problem) for problem in check_test_files(rulebook, rulebook.test_files)] == [expected]


def test_the_shipped_tests_check_clean() -> None:
    rulebook = sli_rules.load_rulebook()
    assert rulebook.test_files
    assert check_test_files(rulebook, rulebook.test_files) == []


MY_TESTS = """\
kind: tests
region:
  - {authority: Halton, code: E06000006, year: 2013-14, facts: {finance.fac_eligibility: substantial}}
  - {authority: Wirral, year: 2013-14, facts: {finance.fac_eligibility: moderate}}
tests:
  - name: a typo in each place
    authority: Wiral
    facts:
      intelligence.politcal_change: true
    remove: [finance.fac_eligibilit]
    expect:
      level: concern
      has_flags: [political-change]
      not_flags: [politcal-change]
  - name: by ONS code, and clean
    authority: E06000006
    expect: {tier: self_help}
"""
MY_PROBLEMS = [
    "my-tests.yaml:7:16: no authority 'Wiral' in the test region (did you mean 'Wirral'?)",
    "my-tests.yaml:9:7: unknown fact 'intelligence.politcal_change' (did you mean "
    "'intelligence.political_change'?)",
    "my-tests.yaml:10:14: unknown fact 'finance.fac_eligibilit' (did you mean "
    "'finance.fac_eligibility'?)",
    "my-tests.yaml:12:14: unknown verdict level 'concern' (did you mean 'concerns'?)",
    "my-tests.yaml:14:19: unknown trigger 'politcal-change' in expect.not_flags (did you mean "
    "'political-change'?)",
]


def test_a_tests_file_given_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "my-tests.yaml").write_text(MY_TESTS, encoding="utf-8")
    result = validate(tmp_path, "my-tests.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [*MY_PROBLEMS, "5 errors, 0 warnings"]
    assert "Traceback" not in result.stderr


def test_a_folder_of_facts_and_tests_is_checked_as_both(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "my-tests.yaml").write_text(MY_TESTS, encoding="utf-8")
    (folder / "halton.yaml").write_text(
        "authority: Halton\nyear: 2013-14\nfacts:\n  finance.fac_eligibility: substantal\n", encoding="utf-8"
    )
    assert split_test_files([folder]) == ([folder / "halton.yaml"], [folder / "my-tests.yaml"])
    result = validate(tmp_path, "mine")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "mine/halton.yaml:4:28: 'finance.fac_eligibility': 'substantal' is not one of the "
        "measure's values (did you mean 'substantial'?)",
        *(f"mine/{line}" for line in MY_PROBLEMS),
        "6 errors, 0 warnings",
    ]


def test_a_malformed_tests_file_is_located(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").write_text(
        "kind: tests\nregion: ../examples\ntests:\n  - name: x\n    authority: Halton\n    expct: {level: concerns}\n",
        encoding="utf-8",
    )
    (tmp_path / "region.yaml").write_text(
        "kind: tests\nregion: ../nowhere\ntests:\n  - {name: x, authority: Halton, expect: {level: concerns}}\n",
        encoding="utf-8",
    )
    result = validate(tmp_path, "keys.yaml", "region.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "keys.yaml:4:5: missing required key 'expect'",
        "keys.yaml:6:5: unknown key 'expct' (did you mean 'expect'?)",
        "region.yaml:2:9: no such region folder or file: ../nowhere",
        "3 errors, 0 warnings",
    ]


def test_a_correct_tests_file_is_valid_and_its_tests_pass(tmp_path: Path) -> None:
    text = MY_TESTS.replace("Wiral", "Wirral").replace("politcal", "political")
    text = text.replace("fac_eligibilit]", "fac_eligibility]").replace("level: concern\n", "level: insufficient_evidence\n")
    (tmp_path / "my-tests.yaml").write_text(text, encoding="utf-8")
    result = validate(tmp_path, "my-tests.yaml")
    assert (result.returncode, result.stdout.splitlines()[0], result.stderr) == (0, "valid", "")
    ran = subprocess.run(
        [sys.executable, "-m", "sli_rules", "test", "my-tests.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert ran.stdout.splitlines()[-1] == "2 passed, 0 failed", ran.stdout
