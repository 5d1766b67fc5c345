"""Every kind of authoring mistake, made in a copy of the default rulebook, gives one line
naming the file, line and column, with a useful message: checked through the Python API and
through `sli-rules validate`, as the analyst would see it.

Each case is data: the file to edit, the text to replace (its first occurrence), the
replacement, and the exact line expected. Line numbers are those of the frozen copy of the
default rulebook in tests/fixtures/default-rulebook, which analysts' edits of the shipped files
do not move.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sli_rules
from sli_rules.errors import FactsError, RulebookError

from .conftest import copy_rulebook, edit_file, validate

ROOT = Path(__file__).resolve().parent.parent

# (name, file, text to replace, replacement, expected line)
RULEBOOK_CASES = [
    # --- YAML syntax: the line of the real cause -------------------------------------------
    (
        "unclosed-bracket",
        "triggers/resources.yaml",
        "sources: [NW Strategic Finance Leads Group]\n    when:\n      all:",
        "sources: [NW Strategic Finance Leads Group\n    when:\n      all:",
        "triggers/resources.yaml:16:14: YAML syntax: '[' is not closed (parsing gave up at "
        "line 17, column 9) (add the missing ']', or a ',' between items)",
    ),
    (
        "unclosed-quote",
        "triggers/resources.yaml",
        "    says: The Annual Audit Letter raises",
        '    says: "The Annual Audit Letter raises',
        "triggers/resources.yaml:102:11: YAML syntax: the quote \" opened here is not closed on "
        "its line (close it with \" on the same line, or use '>-' for text running over "
        "several lines)",
    ),
    (
        "key-without-colon",
        "triggers/resources.yaml",
        "    title: Higher than average cuts to the prevention budget\n",
        "    title Higher than average cuts to the prevention budget\n",
        "triggers/resources.yaml:13:5: YAML syntax: this line runs on to line 14, where ':' is "
        "not allowed (a key is missing its ':' here, or the next line is indented too far)",
    ),
    (
        "bad-indentation",
        "triggers/resources.yaml",
        "    signal: concern\n    area: finance\n",
        "    signal: concern\n   area: finance\n",
        "triggers/resources.yaml:15:4: YAML syntax: this line is not indented like the lines "
        "before it (indent it with spaces like the other keys of its mapping or items of its "
        "list)",
    ),
    (
        "tab",
        "triggers/resources.yaml",
        "    signal: concern\n    area: finance\n",
        "    signal: concern\n\tarea: finance\n",
        "triggers/resources.yaml:15:1: YAML syntax: a tab character (YAML does not allow tabs "
        "for indentation: use spaces)",
    ),
    (
        "duplicate-key",
        "triggers/resources.yaml",
        "    title: Higher than average cuts to the prevention budget\n",
        "    title: Higher than average cuts to the prevention budget\n    title: Cuts\n",
        "triggers/resources.yaml:14:5: duplicate key 'title' (first given at line 13, column 5)",
    ),
    (
        "object-tag",
        "triggers/resources.yaml",
        "when: {fact: finance.audit_letter_financial_issues, equals: true}",
        "when: !!python/object/apply:os.system [echo hello]",
        "triggers/resources.yaml:101:11: YAML tag '!!python/object/apply:os.system' is not "
        "allowed (rule and fact files hold plain values, lists and mappings only)",
    ),
    # --- unknown keys and tests, with did-you-mean ------------------------------------------
    (
        "unknown-test",
        "triggers/resources.yaml",
        "      at_least: 3\n",
        "      abvoe: 3\n",
        "triggers/resources.yaml:143:7: unknown key 'abvoe' (did you mean 'above'?)",
    ),
    (
        "unknown-trigger-key",
        "triggers/resources.yaml",
        "    area: workforce\n    sources: [\"SSD001 DoH return, updated and validated by HR "
        "Leads Group\"]\n    when:\n      fact: workforce.senior",
        "    aera: workforce\n    sources: [\"SSD001 DoH return, updated and validated by HR "
        "Leads Group\"]\n    when:\n      fact: workforce.senior",
        "triggers/resources.yaml:137:5: unknown key 'aera' (did you mean 'area'?)",
    ),
    # --- wrong types ----------------------------------------------------------------------
    (
        "text-for-number",
        "triggers/resources.yaml",
        "      at_least: 3\n",
        "      at_least: three\n",
        "triggers/resources.yaml:143:17: expected a number for 'workforce.senior_turnover_2y', "
        "got text",
    ),
    (
        "mapping-for-list",
        "triggers/resources.yaml",
        "sources: [NW Strategic Finance Leads Group]\n    when:\n      all:",
        "sources: {NW Strategic Finance Leads Group: yes}\n    when:\n      all:",
        "triggers/resources.yaml:16:14: expected a list, got a mapping",
    ),
    (
        "list-for-condition",
        "triggers/resources.yaml",
        "when: {fact: finance.audit_letter_financial_issues, equals: true}",
        "when: [{fact: finance.audit_letter_financial_issues, equals: true}]",
        "triggers/resources.yaml:101:11: a condition is a mapping, got a list (e.g. {fact: ID, "
        "above: 3} or {all: [...]})",
    ),
    # --- ids ------------------------------------------------------------------------------
    (
        "malformed-id",
        "triggers/resources.yaml",
        "id: staff-survey",
        "id: Staff Survey",
        "triggers/resources.yaml:147:9: trigger id 'Staff Survey' is malformed (lower-case "
        "letters and digits joined by '-', '_' or '.')",
    ),
    (
        "duplicate-id-across-files",
        "triggers/resources.yaml",
        "id: staff-survey",
        "id: complaints",
        "triggers/stakeholders.yaml:13:9: duplicate trigger id 'complaints' (first defined at "
        "triggers/resources.yaml:147:9)",
    ),
    # --- references -----------------------------------------------------------------------
    (
        "unknown-fact",
        "triggers/resources.yaml",
        "      fact: workforce.vacancy_rate_pct\n",
        "      fact: workforce.vacancy_rate\n",
        "triggers/resources.yaml:112:13: unknown fact 'workforce.vacancy_rate' (did you mean "
        "'workforce.vacancy_rate_pct'?)",
    ),
    (
        "unknown-heading",
        "triggers/resources.yaml",
        "heading: resources",
        "heading: resorces",
        "triggers/resources.yaml:7:10: unknown heading 'resorces' (did you mean 'resources'?)",
    ),
    (
        "unknown-heading-in-verdict",
        "triggers/in-the-round.yaml",
        "        - {concerns: {at_least: 4}}",
        "        - {concerns: {at_least: 4}, in: resorces}",
        "triggers/in-the-round.yaml:24:41: unknown heading 'resorces' (did you mean "
        "'resources'?)",
    ),
    (
        "unknown-trigger-in-verdict",
        "triggers/in-the-round.yaml",
        "      all:\n        - {concern_headings: {at_least: 3}}",
        "      all:\n        - {flagged: ombudsman-uphold}\n"
        "        - {concern_headings: {at_least: 3}}",
        "triggers/in-the-round.yaml:23:21: unknown trigger 'ombudsman-uphold' (did you mean "
        "'ombudsman-upheld'?)",
    ),
    (
        "unknown-level-in-menu",
        "menus/support.yaml",
        "verdicts: [concerns]",
        "verdicts: [concern]",
        "menus/support.yaml:71:16: unknown verdict level 'concern' (did you mean 'concerns'?)",
    ),
    (
        "renamed-level",
        "triggers/in-the-round.yaml",
        "  - id: emerging_concerns",
        "  - id: emerging_concern",
        "menus/support.yaml:66:29: unknown verdict level 'emerging_concerns' (did you mean "
        "'emerging_concern'?)",
    ),
    (
        "unknown-option",
        "menus/support.yaml",
        "options: [local-peer-challenge, lga-peer-review]",
        "options: [local-peer-challenge, lga-peer-reveiw]",
        "menus/support.yaml:82:37: unknown option 'lga-peer-reveiw' (did you mean "
        "'lga-peer-review'?)",
    ),
    (
        "unknown-area",
        "menus/support.yaml",
        "suits: [workforce, governance, improvement]",
        "suits: [workforce, goverance, improvement]",
        "menus/support.yaml:55:24: 'goverance' is neither a heading nor the area of any trigger "
        "(did you mean 'governance'?)",
    ),
    (
        "unknown-signal",
        "triggers/resources.yaml",
        "signal: excellence",
        "signal: excelence",
        "triggers/resources.yaml:165:13: unknown signal 'excelence' (did you mean 'excellence'?)",
    ),
    # --- tests that cannot apply ----------------------------------------------------------
    (
        "polarity-test-without-polarity",
        "triggers/resources.yaml",
        "- {fact: finance.unit_cost_residential, change: percent, outside: [-10, 10]}",
        "- {fact: finance.unit_cost_residential, worse_than: 500}",
        "triggers/resources.yaml:83:65: 'worse_than' needs a polarity, but "
        "'finance.unit_cost_residential' has better: none (set 'better' on measure "
        "'finance.unit_cost_residential', or use above/below)",
    ),
    (
        "comparison-on-boolean",
        "triggers/resources.yaml",
        "when: {fact: finance.audit_letter_financial_issues, equals: true}",
        "when: {fact: finance.audit_letter_financial_issues, above: 0}",
        "triggers/resources.yaml:101:64: 'above' cannot apply to "
        "'finance.audit_letter_financial_issues', a boolean (use equals, not_equals, one_of or "
        "none_of)",
    ),
    (
        "one-of-outside-category",
        "triggers/resources.yaml",
        "- {fact: finance.fac_eligibility, equals: critical}",
        "- {fact: finance.fac_eligibility, one_of: [critical, severe]}",
        "triggers/resources.yaml:39:62: 'severe' is not a value of 'finance.fac_eligibility' "
        "(one of: low, moderate, substantial, critical)",
    ),
    # --- says -----------------------------------------------------------------------------
    (
        "placeholder-attribute",
        "triggers/resources.yaml",
        "The Annual Audit Letter raises financial issues",
        "The {value.__class__} raises financial issues",
        "triggers/resources.yaml:102:15: placeholder '{value.__class__}' is not allowed (use "
        "{value}, {measure}, {previous}, {reference}, {authority}, {count} or {fact:ID})",
    ),
    (
        # A quoted one-line text: columns count the quote and each escape as written.
        "placeholder-in-quoted-text",
        "triggers/intelligence.yaml",
        "    says: \"{authority}'s Local Account is rated {value} (scale",
        '    says: "{authority}\\u2019s \\"Local Account\\" is rated {valeu} (scale',
        "triggers/intelligence.yaml:49:58: placeholder '{valeu}' is not allowed (use {value}, "
        "{measure}, {previous}, {reference}, {authority}, {count} or {fact:ID})",
    ),
    (
        # A folded text (>-) runs over several lines: the problem is placed where it starts.
        "placeholder-unknown-fact",
        "triggers/resources.yaml",
        "{fact:finance.unit_cost_homecare}",
        "{fact:finance.unit_cost_homecar}",
        "triggers/resources.yaml:88:11: placeholder '{fact:finance.unit_cost_homecar}' names an "
        "unknown fact (did you mean 'finance.unit_cost_homecare'?)",
    ),
    # --- policy ---------------------------------------------------------------------------
    (
        "level-without-tier",
        "menus/support.yaml",
        "    verdicts: [concerns]\n",
        "    verdicts: []\n",
        "triggers/in-the-round.yaml:26:9: verdict level 'concerns' selects no tier (list it "
        "under 'verdicts' of one tier in menus/support.yaml)",
    ),
    (
        "corroboration",
        "triggers/in-the-round.yaml",
        "      all:\n        - {concern_headings: {at_least: 3}}",
        "      any:\n        - {flagged: ombudsman-upheld}\n"
        "        - {concern_headings: {at_least: 3}}",
        "triggers/in-the-round.yaml:15:9: entry 'ombudsman-upheld' "
        "(ombudsman-upheld; triggers/stakeholders.yaml:27:9), flagged on its own, reaches verdict "
        "'serious_concerns' and tier 'intervention', which requires corroboration (no single "
        "piece of evidence is a sign of failure: corroborate across entries (concern_entries) and "
        "headings, not across triggers of one entry or gaps)",
    ),
    (
        "measure-unknown-polarity",
        "triggers/measures.yaml",
        "    better: none\n    group: finance",
        "    better: nonee\n    group: finance",
        "triggers/measures.yaml:162:13: unknown polarity 'nonee' (did you mean 'none'?)",
    ),
]

# Warnings: the rulebook still loads; `validate` passes unless --strict.
WARNING_CASES = [
    (
        "shadowed-level",
        "triggers/in-the-round.yaml",
        "    when: {concerns: {at_least: 1}}",
        "    when: {concerns: {at_least: 3}}",
        "triggers/in-the-round.yaml:35:9: warning: level 'emerging_concerns' can never be "
        "reached: whenever its condition holds, the earlier level 'concerns' holds too (levels "
        "are tried in order, most serious first: give the earlier level a narrower condition, "
        "or this one a condition the earlier levels do not cover)",
    ),
    (
        "shadowed-by-weaker-level",
        "triggers/in-the-round.yaml",
        "        - {concern_headings: {at_least: 2}}\n        - {concerns: {at_least: 3}}",
        "        - {concern_headings: {at_least: 1}}\n        - {concerns: {at_least: 3}}",
        "triggers/in-the-round.yaml:35:9: warning: level 'emerging_concerns' can never be "
        "reached: whenever its condition holds, the earlier level 'concerns' holds too (levels "
        "are tried in order, most serious first: give the earlier level a narrower condition, "
        "or this one a condition the earlier levels do not cover)",
    ),
]

FACTS_HEADER = "authority: Halton\ncode: E06000006\nyear: 2013-14\nfacts:\n"
# (name, the fact set's lines after `facts:`, expected line); the file is facts/halton.yaml
FACTS_CASES = [
    (
        "unknown-fact",
        "  ascof.quality_of_lfe: 18.8\n",
        "facts/halton.yaml:5:3: unknown fact 'ascof.quality_of_lfe' (did you mean "
        "'ascof.quality_of_life'?)",
    ),
    (
        # Nested ids are flattened with dots: the problem is at the innermost key.
        "unknown-nested-fact",
        "  ascof:\n    quality_of_lfe: 18.8\n",
        "facts/halton.yaml:6:5: unknown fact 'ascof.quality_of_lfe' (did you mean "
        "'ascof.quality_of_life'?)",
    ),
    (
        "unknown-previous-fact",
        "  ascof.quality_of_life: 18.8\nprevious: {ascof.quality_of_lfe: 18.0}\n",
        "facts/halton.yaml:6:12: unknown fact 'ascof.quality_of_lfe' (did you mean "
        "'ascof.quality_of_life'?)",
    ),
    (
        "wrong-type",
        "  ascof.quality_of_life: high\n",
        "facts/halton.yaml:5:26: 'ascof.quality_of_life': expected a number, got text 'high'",
    ),
    (
        "out-of-range",
        "  ascof.control_over_daily_life: 177.6\n",
        "facts/halton.yaml:5:34: 'ascof.control_over_daily_life': 177.6 is outside the "
        "measure's range [0, 100]",
    ),
    (
        "not-finite",
        "  ascof.control_over_daily_life: .nan\n",
        "facts/halton.yaml:5:34: 'ascof.control_over_daily_life': nan is not a finite number",
    ),
    (
        "unknown-category-value",
        "  finance.fac_eligibility: substantal\n",
        "facts/halton.yaml:5:28: 'finance.fac_eligibility': 'substantal' is not one of the "
        "measure's values (did you mean 'substantial'?)",
    ),
    (
        "duplicate-authority",
        "  ascof.quality_of_life: 18.8\n---\n" + FACTS_HEADER + "  ascof.quality_of_life: 18.9\n",
        "facts/halton.yaml:11:26: 'ascof.quality_of_life' for Halton 2013-14 is 18.9 here but "
        "18.8 at facts/halton.yaml:5:26",
    ),
]


def test_the_shipped_rulebook_is_valid_without_warnings() -> None:
    result = validate(ROOT, "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "valid"


@pytest.mark.parametrize("case", RULEBOOK_CASES, ids=[case[0] for case in RULEBOOK_CASES])
def test_rulebook_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[str, str, str, str, str]
) -> None:
    _, file, old, new, expected = case
    root = copy_rulebook(tmp_path)
    edit_file(root, file, old, new)
    monkeypatch.chdir(root)  # paths are shown relative to the working folder
    with pytest.raises(RulebookError) as caught:
        sli_rules.load_rulebook(".")
    assert [str(problem) for problem in caught.value.problems] == [expected]
    result = validate(root, "--rules", ".")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected, "1 error, 0 warnings"]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [case[1:] for case in WARNING_CASES],
    ids=[case[0] for case in WARNING_CASES],
)
def test_rulebook_warning(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    root = copy_rulebook(tmp_path)
    edit_file(root, file, old, new)
    result = validate(root, "--rules", ".")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [expected, "0 errors, 1 warning"]
    assert result.stdout.splitlines()[0] == "valid (1 warning)"
    strict = validate(root, "--rules", ".", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == [expected, "0 errors, 1 warning"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [case[1:] for case in FACTS_CASES],
    ids=[case[0] for case in FACTS_CASES],
)
def test_fact_set_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str, expected: str
) -> None:
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "halton.yaml").write_text(FACTS_HEADER + lines, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FactsError) as caught:
        sli_rules.load_facts("facts", rulebook=sli_rules.load_rulebook())
    assert [str(problem) for problem in caught.value.problems] == [expected]
    result = validate(tmp_path, "facts")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected, "1 error, 0 warnings"]
    assert "Traceback" not in result.stderr


def test_null_is_missing_not_a_mistake(tmp_path: Path) -> None:
    (tmp_path / "halton.yaml").write_text(
        FACTS_HEADER + "  ascof.quality_of_life: null\n", encoding="utf-8"
    )
    result = validate(tmp_path, "halton.yaml")
    assert result.returncode == 0, result.stderr
    region = sli_rules.load_facts(tmp_path / "halton.yaml", rulebook=sli_rules.load_rulebook())
    assert "ascof.quality_of_life" not in region["Halton"].facts


def test_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    root = copy_rulebook(tmp_path)
    edit_file(root, "triggers/resources.yaml", "      at_least: 3\n", "      abvoe: 3\n")
    edit_file(root, "menus/support.yaml", "verdicts: [concerns]", "verdicts: [concern]")
    result = validate(root, "--rules", ".")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 errors, 0 warnings"
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "menus/support.yaml", "triggers/resources.yaml",
    ]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (("--rules", "no-such-folder"), 2),
        (("no-such-facts.yaml",), 2),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, arguments: tuple[str, ...], code: int) -> None:
    result = validate(tmp_path, *arguments)
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_the_frozen_rulebook_the_cases_break_is_itself_sound(tmp_path: Path) -> None:
    root = copy_rulebook(tmp_path)
    completed = validate(root, "--rules", str(root))
    assert completed.returncode == 0, completed.stdout + completed.stderr
