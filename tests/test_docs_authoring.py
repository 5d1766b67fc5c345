"""The examples of docs/authoring.md and docs/facts.md are real: every YAML, JSON and CSV block
is checked, by what its fence says it is.

- ```` ```yaml file=ROOT/PATH ````: a complete file. The files of one ROOT are written to a
  folder: a rulebook root (with triggers/ or menus/) must validate with --strict and its rule
  tests pass with full coverage; fact files must load against the default rulebook.
- ```` ```yaml from=PATH ````: an excerpt, which must appear verbatim in that shipped file.
- ```` ```yaml condition ````: a `when:`, loaded as a trigger against the default catalogue and
  evaluated on the example region.
- ```` ```text explain=NAME ````: the output of `sli-rules explain NAME` on the example region;
  its lines (but `...` and the command) must appear, in order, in the real output.

A block without one of these marks fails the test, so no example goes unchecked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import sli_rules
from sli_rules import facts as facts_module
from sli_rules.report import explain_text
from sli_rules.rules import model, specs
from sli_rules.rules.load.conditions import REFERENCE_KEYS
from sli_rules.rules.operators import OPERATORS
from sli_rules.rules.verdict_keys import VERDICT_KEYS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("authoring.md", "facts.md")
FENCE = re.compile(r"^```([a-z]*)([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
CHECKED_LANGUAGES = ("yaml", "json", "csv")


@attrs.frozen
class Block:
    doc: str
    line: int
    language: str
    marks: dict[str, str]
    body: str

    def __str__(self) -> str:
        return f"docs/{self.doc}:{self.line}"


def _blocks(doc: str) -> list[Block]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        marks = {}
        for token in match.group(2).split():
            key, _, value = token.partition("=")
            marks[key] = value
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(doc, line, match.group(1), marks, match.group(3)))
    return found


def _all_blocks() -> list[Block]:
    return [block for doc in DOCS for block in _blocks(doc)]


def _run(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sli_rules", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.parametrize("doc", DOCS)
def test_every_example_is_marked_as_checked(doc: str) -> None:
    blocks = _blocks(doc)
    assert blocks, f"docs/{doc} has no examples"
    unmarked = [
        str(block) for block in blocks
        if block.language in CHECKED_LANGUAGES and not {"file", "from", "condition"} & set(block.marks)
    ]
    assert unmarked == [], "blocks that no test checks: mark them file=, from= or condition"


def test_excerpts_are_verbatim_from_the_shipped_files() -> None:
    excerpts = [block for block in _all_blocks() if "from" in block.marks]
    assert len(excerpts) >= 6
    for block in excerpts:
        shipped = (ROOT / block.marks["from"]).read_text(encoding="utf-8")
        assert block.body in shipped, f"{block} is not (or no longer) in {block.marks['from']}"
        if yaml.safe_load(shipped).get("kind") == "triggers":
            # A worked example shows whole triggers, never one cut short.
            whole = {item["id"]: item for item in yaml.safe_load(shipped)["triggers"]}
            shown = yaml.safe_load(block.body)
            assert isinstance(shown, list) and shown, f"{block}: not a list of triggers"
            for item in shown:
                assert item == whole[item["id"]], f"{block}: trigger {item['id']} is not shown whole"


def test_there_is_a_worked_example_for_each_table_2_heading() -> None:
    sources = {block.marks["from"] for block in _blocks("authoring.md") if "from" in block.marks}
    for heading in model.HEADINGS:
        assert f"triggers/{heading}.yaml" in sources
    explained = [block for block in _blocks("authoring.md") if "explain" in block.marks]
    assert len(explained) >= len(model.HEADINGS)


def _conditions_rulebook(folder: Path, conditions: list[Block]) -> Path:
    for part in ("triggers", "menus"):
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("tests"))
    triggers = []
    for index, block in enumerate(conditions):
        data = yaml.safe_load(block.body)
        assert isinstance(data, dict) and set(data) == {"when"}, f"{block}: a condition block is one 'when:'"
        triggers.append({"id": f"doc-condition-{index}", "title": str(block), "when": data["when"]})
    text = yaml.safe_dump({"kind": "triggers", "heading": "outcomes", "triggers": triggers}, sort_keys=False)
    (folder / "triggers" / "doc-conditions.yaml").write_text(text, encoding="utf-8")
    return folder


def test_every_condition_loads_and_evaluates(tmp_path: Path) -> None:
    conditions = [block for block in _all_blocks() if "condition" in block.marks]
    assert len(conditions) >= 30
    rulebook = sli_rules.load_rulebook(_conditions_rulebook(tmp_path / "rules", conditions))
    ids = {trigger.id for trigger in rulebook.triggers}
    assert {f"doc-condition-{index}" for index in range(len(conditions))} <= ids
    # Each test form, change, reference, statistic and adjustment is shown at least once.
    shown = "\n".join(block.body for block in conditions)
    for word in (*OPERATORS, *REFERENCE_KEYS, *model.STATS, *model.CHANGES, "plus", "times",
                 "all", "any", "not", "count", "group", "where"):
        assert re.search(rf"\b{word}:", shown) or re.search(rf"\b{word}\b", shown), f"no example of {word}"
    result = sli_rules.Engine(rulebook).assess(sli_rules.load_facts(ROOT / "examples" / "north-west-2013-14"))
    assert len(result.assessments) == 23


def test_the_condition_check_catches_a_mistake(tmp_path: Path) -> None:
    conditions = [block for block in _all_blocks() if "condition" in block.marks]
    broken = [attrs.evolve(conditions[0], body=conditions[0].body.replace("equals", "equal", 1)), *conditions[1:]]
    with pytest.raises(sli_rules.RulebookError):
        sli_rules.load_rulebook(_conditions_rulebook(tmp_path / "rules", broken))


def _write_files(folder: Path, blocks: list[Block]) -> dict[str, list[Path]]:
    roots: dict[str, list[Path]] = {}
    for block in blocks:
        path = folder / block.marks["file"]
        assert not path.exists(), f"{block}: {block.marks['file']} is written twice"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.body, encoding="utf-8")
        roots.setdefault(block.marks["file"].split("/")[0], []).append(path)
    return roots


def test_the_small_rulebook_is_valid_and_its_tests_pass_with_full_coverage(tmp_path: Path) -> None:
    blocks = [block for block in _blocks("authoring.md") if "file" in block.marks]
    roots = _write_files(tmp_path, blocks)
    assert list(roots) == ["my-rules"]
    kinds = {yaml.safe_load_all(path.read_text()).__next__()["kind"] for path in roots["my-rules"]}
    assert kinds == {"measures", "triggers", "verdicts", "menu", "tests"}
    validated = _run(tmp_path, "validate", "--rules", "my-rules", "--strict")
    assert (validated.returncode, validated.stdout.splitlines()[0], validated.stderr) == (0, "valid", "")
    tested = _run(tmp_path, "test", "--rules", "my-rules", "--coverage-min", "100")
    assert tested.returncode == 0, tested.stdout
    assert "rule coverage: 100%" in tested.stdout
    assert re.fullmatch(r"\d+ passed, 0 failed", tested.stdout.splitlines()[-1])


def _explained() -> dict[str, str]:
    result = sli_rules.assess()
    return {item.authority: explain_text(item) for item in result}


def test_explain_outputs_are_what_the_command_prints() -> None:
    outputs = _explained()
    blocks = [block for block in _all_blocks() if "explain" in block.marks]
    assert blocks
    for block in blocks:
        name = block.marks["explain"].replace("_", " ")
        lines = block.body.splitlines()
        assert lines[0] in (f"$ sli-rules explain {name}", f'$ sli-rules explain "{name}"'), block
        real = outputs[name].splitlines()
        position = 0
        for line in lines[1:]:
            if line.strip() == "...":
                continue
            assert line in real[position:], f"{block}: {line!r} is not in the output of explain {name}, in order"
            position = real.index(line, position) + 1


def _documented(doc: str) -> set[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return {word for span in re.findall(r"`([^`\n]+)`", text) for word in re.findall(r"[a-z_][a-z0-9_]*", span)}


def test_the_authoring_guide_names_every_key_of_every_rule_file() -> None:
    documented = _documented("authoring.md")
    written: list[Any] = [
        specs.MeasureSpec, specs.AliasSpec, specs.TriggerSpec, specs.TriggersFile, specs.LevelSpec,
        specs.VerdictsFile, specs.OptionSpec, specs.TierSpec, specs.MenuFile, specs.ExpectSpec,
        specs.TestSpec, specs.TestsFile, specs.MeasuresFile,
    ]
    keys = {field.name for spec in written for field in attrs.fields(spec)}
    words = keys | set(OPERATORS) | set(REFERENCE_KEYS) | set(model.STATS) | set(model.CHANGES)
    words |= set(VERDICT_KEYS) | {"years"} | set(model.MEASURE_TYPES) | set(model.POLARITIES) | set(model.SIGNALS)
    words |= {"flagged", "in", "plus", "times", "all", "any", "not", "count", "where", "facts"}
    assert sorted(words - documented) == []


def test_the_fact_set_guide_names_every_key_of_a_fact_set() -> None:
    documented = _documented("facts.md")
    keys = {field.name for field in attrs.fields(facts_module.FactSetSpec)}
    keys |= {field.name for field in attrs.fields(facts_module.RegionSpec)}
    assert sorted(keys - documented) == []


def test_the_fact_set_examples_load_against_the_default_rulebook(tmp_path: Path) -> None:
    blocks = [block for block in _blocks("facts.md") if "file" in block.marks]
    assert len(blocks) >= 5
    roots = _write_files(tmp_path, blocks)
    rulebook = sli_rules.load_rulebook()
    for paths in roots.values():
        for path in paths:
            region = sli_rules.load_facts(path, rulebook=rulebook)
            assert len(region) >= 1, path


def test_the_fact_set_examples_mean_what_the_guide_says(tmp_path: Path) -> None:
    _write_files(tmp_path, [block for block in _blocks("facts.md") if "file" in block.marks])
    rulebook = sli_rules.load_rulebook()

    def one(name: str) -> Any:
        (item,) = sli_rules.load_facts(tmp_path / "facts" / name, rulebook=rulebook)
        return item

    halton = one("halton.yaml")
    assert "workforce.staff_survey_pct" not in halton.facts  # null is missing
    assert halton.source_of("finance.prevention_budget_change_pct") == "NW Strategic Finance Leads Group return, June 2013"
    assert halton.source_of("finance.fac_eligibility") == "Cabinet report, 12 March 2013"  # the exact id wins
    knowsley = one("knowsley.yaml")
    assert knowsley.facts["finance.fac_eligibility"] == "critical"  # nested, flattened with dots
    assert knowsley.previous == {"finance.fac_eligibility": "substantial"}
    wirral = one("wirral-codes.yaml")
    assert wirral.facts == {"ascof.quality_of_life": 18.6, "ascof.control_over_daily_life": 75.9}
    region = sli_rules.load_facts(tmp_path / "facts" / "finance.csv", rulebook=rulebook)
    assert region["Halton"].year == "2013-14"
    assert region["Halton"].previous["finance.prevention_budget_change_pct"] == -3.0
    assert region["Halton"].facts["intelligence.political_change"] is True
    assert "finance.prevention_budget_change_pct" not in region["Knowsley"].facts
    years = {item.authority: item.year for item in sli_rules.load_facts(tmp_path / "facts" / "greater-manchester.yaml")}
    assert years == {"Oldham": "2013-14", "Rochdale": "2013-14", "Salford": "2012-13"}

    # The error the guide quotes is the one a user gets.
    (tmp_path / "bad.yaml").write_text("authority: Halton\nyear: 2013-14\nfacts:\n  ascof.1j: 0.4\n", encoding="utf-8")
    with pytest.raises(sli_rules.FactsError) as raised:
        sli_rules.load_facts(tmp_path / "bad.yaml", rulebook=rulebook)
    (problem,) = raised.value.problems
    quoted = " ".join((ROOT / "docs" / "facts.md").read_text(encoding="utf-8").split())
    assert f"`{problem.message} ({problem.hint})`" in quoted
