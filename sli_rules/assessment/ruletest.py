"""Rule tests: YAML cases that pin what a rulebook concludes, with rule coverage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem, Problems, RulebookError, did_you_mean
from ..facts import AuthorityFacts, Region, _Invalid, _record, assemble, bind, check_value, load_facts
from ..facts.selfassess import VIEWS, OwnView, SelfAssessment
from ..rules.convert import structure, type_name
from ..rules.model import Rulebook
from ..rules.source import Document, Where, display_path, load_documents, walk_files
from ..rules.specs import ExpectSpec, TestsFile
from .engine import Engine
from .results import AuthorityAssessment


@attrs.frozen
class CaseResult:
    file: str
    line: int
    name: str
    passed: bool
    failures: tuple[str, ...]
    assessment: AuthorityAssessment | None


@attrs.frozen
class TestRun:
    results: tuple[CaseResult, ...]
    flagged: frozenset[str]
    levels: frozenset[str]
    tiers: frozenset[str]
    all_triggers: tuple[str, ...]
    all_levels: tuple[str, ...]
    all_tiers: tuple[str, ...]

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def uncovered(self) -> dict[str, list[str]]:
        return {
            "triggers": [t for t in self.all_triggers if t not in self.flagged],
            "levels": [level for level in self.all_levels if level not in self.levels],
            "tiers": [tier for tier in self.all_tiers if tier not in self.tiers],
        }

    def coverage(self) -> float:
        total = len(self.all_triggers) + len(self.all_levels) + len(self.all_tiers)
        missing = sum(len(items) for items in self.uncovered().values())
        return 100.0 * (total - missing) / total if total else 100.0


def find_test_files(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(walk_files(path, (".yaml", ".yml")) if path.is_dir() else [path])
    return files


def _read_test_files(
    paths: Sequence[str | Path], problems: Problems, rulebook: Rulebook | None = None
) -> list[tuple[Document, TestsFile, Region]]:
    """Every tests document in the files with its region; with a rulebook, the region's facts
    are checked against its catalogue too."""
    found_files: list[tuple[Document, TestsFile, Region]] = []
    for file in find_test_files(paths):
        if not file.exists():
            problems.add(display_path(file), 1, 1, "no such test file")
            continue
        for document in load_documents(file, problems):
            if not isinstance(document.data, dict) or document.data.get("kind") != "tests":
                if isinstance(document.data, dict) and "kind" in document.data and document.data["kind"] != "tests":
                    continue  # other rule files in the same folder
                document.problem(
                    problems, (), f"a tests file is a mapping with kind: tests, got {type_name(document.data)}"
                )
                continue
            parsed, found = structure(document.data, TestsFile)
            for item in found:
                document.problem(problems, item.where, item.message, key=item.at_key, hint=item.hint)
            if parsed is None:
                continue
            region = _region(document, file, parsed, problems, rulebook)
            if region is None:
                continue
            found_files.append((document, parsed, region))
    return found_files


def run_tests(engine: Engine, paths: Sequence[str | Path]) -> TestRun:
    """Run every test case in the files; raises RulebookError for unreadable test files."""
    problems = Problems()
    cases: list[tuple[Document, int, Any, Region]] = []
    for document, parsed, region in _read_test_files(paths, problems):
        for index, case in enumerate(parsed.tests):
            cases.append((document, index, case, region))
    problems.raise_if_errors(RulebookError)
    results = []
    flagged: set[str] = set()
    levels: set[str] = set()
    tiers: set[str] = set()
    for document, index, case, region in cases:
        result = _run_case(engine, document, index, case, region)
        results.append(result)
        if result.assessment is not None:
            flagged.update(flag.trigger for flag in result.assessment.flags)
            levels.add(result.assessment.level)
            tiers.add(result.assessment.tier)
    rulebook = engine.rulebook
    return TestRun(
        results=tuple(results),
        flagged=frozenset(flagged),
        levels=frozenset(levels),
        tiers=frozenset(tiers),
        all_triggers=tuple(trigger.id for trigger in rulebook.triggers),
        all_levels=tuple(level.id for level in rulebook.levels),
        all_tiers=tuple(tier.id for tier in rulebook.tiers),
    )


def _region(
    document: Document, file: Path, parsed: TestsFile, problems: Problems, rulebook: Rulebook | None = None
) -> Region | None:
    if isinstance(parsed.region, str):
        target = (file.parent / parsed.region).resolve()
        if not target.exists():
            document.problem(problems, ("region",), f"no such region folder or file: {parsed.region}")
            return None
        try:
            return load_facts(target, rulebook=rulebook)
        except Exception as error:
            problems.extend(getattr(error, "problems", []))
            return None
    if isinstance(parsed.region, list):
        records: list[Any] = []
        for index, item in enumerate(parsed.region):
            records.extend(_record(document, ("region", index), item, problems))
        chosen = assemble(records, problems)
        region = Region(chosen, (document.path,))
        return bind(region, rulebook, problems) if rulebook is not None else region
    document.problem(problems, ("region",), "a tests file needs 'region': a path to fact files, or a list of fact sets")
    return None


def _run_case(engine: Engine, document: Document, index: int, case: Any, region: Region) -> CaseResult:
    line, _ = document.at(("tests", index))
    try:
        target = region[case.authority]
    except KeyError:
        return CaseResult(
            document.path, line, case.name, False, (f"no authority {case.authority!r} in the test region",), None
        )
    changed = _with_overrides(engine, target, case)
    authorities = tuple(changed if item is target else item for item in region.authorities)
    key = target.code or target.authority
    own = (
        [SelfAssessment(target.authority, target.code, target.year, {
            trigger: OwnView(view) for trigger, view in case.views.items()
        })]
        if case.views else []
    )
    try:
        # The published figures come along: {national: value} reads England's row of the file.
        assessment = engine.assess(
            Region(
                authorities, region.paths, references=region.references, publications=region.publications,
                reference_paths=region.reference_paths, council_type_values=region.council_type_values,
            ),
            self_assessments=own,
            years_before={key: [frozenset(year) for year in case.flagged_before]} if case.flagged_before else None,
        )[case.authority]
    except Exception as error:
        return CaseResult(document.path, line, case.name, False, (f"could not assess: {error}",), None)
    return CaseResult(document.path, line, case.name, *_compare(case.expect, assessment), assessment)


def _with_overrides(engine: Engine, target: AuthorityFacts, case: Any) -> AuthorityFacts:
    facts = dict(target.facts)
    previous = dict(target.previous)
    resolve = engine.rulebook.resolve
    for fact in case.remove:
        for mapping in (facts, previous):
            for key in [
                key for key in mapping if (resolve(key, target.year) or key) == (resolve(fact, target.year) or fact)
            ]:
                del mapping[key]
    for fact, value in case.facts.items():
        for key in [
            key
            for key in facts
            if key != fact and (resolve(key, target.year) or key) == (resolve(fact, target.year) or fact)
        ]:
            del facts[key]
        facts[fact] = value
    previous.update(case.previous)
    return attrs.evolve(target, facts=facts, previous=previous)


def _compare(expect: ExpectSpec, assessment: AuthorityAssessment) -> tuple[bool, tuple[str, ...]]:
    failures = []
    counted = sorted(flag.trigger for flag in assessment.flags if flag.counted)
    every = {flag.trigger for flag in assessment.flags}
    gaps = sorted(gap.trigger for gap in assessment.gaps)
    if expect.level is not None and assessment.level != expect.level:
        failures.append(f"level: expected {expect.level}, got {assessment.level}")
    if expect.tier is not None and assessment.tier != expect.tier:
        failures.append(f"tier: expected {expect.tier}, got {assessment.tier}")
    if expect.flags is not None and sorted(expect.flags) != counted:
        failures.append(f"flags: expected {sorted(expect.flags)}, got {counted}")
    missing = [flag for flag in expect.has_flags if flag not in every]
    if missing:
        failures.append(f"has_flags: expected {missing} among the flags, got {sorted(every)}")
    unwanted = [flag for flag in expect.not_flags if flag in counted]
    if unwanted:
        failures.append(f"not_flags: {unwanted} flagged and counted")
    if expect.gaps is not None and sorted(expect.gaps) != gaps:
        failures.append(f"gaps: expected {sorted(expect.gaps)}, got {gaps}")
    return not failures, tuple(failures)


# --- checking test files without running them --------------------------------------------


def is_tests_file(path: Path) -> bool:
    """True for a YAML file whose top-level kind is tests."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^kind:[ \t]*[\"']?tests[\"']?[ \t]*(#.*)?$", text, re.MULTILINE) is not None


def split_test_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """Paths given on a command line as (fact paths, rule test files). A folder holding test
    files is given as its other files; a folder without any is kept whole."""
    facts: list[Path] = []
    tests: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = list(walk_files(path, (".yaml", ".yml", ".json", ".csv", ".xlsx")))
            found = [file for file in files if is_tests_file(file)]
            if not found:
                facts.append(path)
                continue
            tests.extend(found)
            facts.extend(file for file in files if file not in found)
        elif is_tests_file(path):
            tests.append(path)
        else:
            facts.append(path)
    return facts, tests


def check_test_files(rulebook: Rulebook, paths: Sequence[str | Path]) -> list[Problem]:
    """Every problem in rule test files that can be found without running them, located:
    unreadable or malformed files, an authority not in the test region, trigger ids, verdict
    levels and tiers the rulebook does not have, and unknown fact ids or bad values in the
    `facts`, `previous` and `remove` overrides, the triggers of `flagged_before` and the
    `views`, each with a did-you-mean where one is close."""
    problems = Problems()
    for document, parsed, region in _read_test_files(paths, problems, rulebook):
        for index, case in enumerate(parsed.tests):
            _check_case(rulebook, document, ("tests", index), case, region, problems)
    return sorted(set(problems.items), key=Problem.sort_key)


def _check_case(
    rulebook: Rulebook, document: Document, where: Where, case: Any, region: Region, problems: Problems
) -> None:
    year: str | None = None
    try:
        year = region[case.authority].year
    except KeyError:
        names = [item.authority for item in region] + [item.code for item in region if item.code]
        document.problem(
            problems, (*where, "authority"), f"no authority '{case.authority}' in the test region",
            hint=did_you_mean(case.authority, names) or f"the region has: {', '.join(sorted(set(names)))}",
        )
    triggers = [trigger.id for trigger in rulebook.triggers]
    expect = case.expect
    for key in ("flags", "has_flags", "not_flags", "gaps"):
        for position, trigger in enumerate(getattr(expect, key) or []):
            if trigger not in triggers:
                document.problem(
                    problems, (*where, "expect", key, position), f"unknown trigger '{trigger}' in expect.{key}",
                    hint=did_you_mean(trigger, triggers) or "no trigger of the rulebook has this id",
                )
    for key, choices, what in (
        ("level", [level.id for level in rulebook.levels], "verdict level"),
        ("tier", [tier.id for tier in rulebook.tiers], "tier"),
    ):
        wanted = getattr(expect, key)
        if wanted is not None and wanted not in choices:
            document.problem(
                problems, (*where, "expect", key), f"unknown {what} '{wanted}'",
                hint=did_you_mean(wanted, choices) or f"one of: {', '.join(choices)}",
            )
    known = [*rulebook.measures, *(alias.id for measure in rulebook.measures.values() for alias in measure.aliases)]
    for key, overrides in (("facts", case.facts), ("previous", case.previous)):
        for fact, value in overrides.items():
            canonical = _known_fact(rulebook, document, (*where, key, fact), fact, year, known, problems, key=True)
            if canonical is None or value is None:
                continue
            checked = check_value(rulebook.measures[canonical], value)
            if isinstance(checked, _Invalid):
                document.problem(problems, (*where, key, fact), f"'{fact}': {checked.message}", hint=checked.hint)
    for position, fact in enumerate(case.remove):
        _known_fact(rulebook, document, (*where, "remove", position), fact, year, known, problems, key=False)
    for before, flagged in enumerate(case.flagged_before):
        for position, trigger in enumerate(flagged):
            if trigger not in triggers:
                document.problem(
                    problems, (*where, "flagged_before", before, position),
                    f"unknown trigger '{trigger}' in flagged_before",
                    hint=did_you_mean(trigger, triggers) or "no trigger of the rulebook has this id",
                )
    for trigger, view in case.views.items():
        if trigger not in rulebook.concern_triggers:
            document.problem(
                problems, (*where, "views", trigger), f"'{trigger}' is not a concern trigger of the rulebook", key=True,
                hint=did_you_mean(trigger, sorted(rulebook.concern_triggers)),
            )
        elif view not in VIEWS:
            document.problem(
                problems, (*where, "views", trigger), f"unknown view {view!r}", hint=f"one of: {', '.join(VIEWS)}"
            )


def _known_fact(
    rulebook: Rulebook,
    document: Document,
    where: Where,
    fact: Any,
    year: str | None,
    known: list[str],
    problems: Problems,
    *,
    key: bool,
) -> str | None:
    if not isinstance(fact, str):
        document.problem(problems, where, f"a fact id is text, got {type_name(fact)}", key=key)
        return None
    canonical = rulebook.resolve(fact, year)
    if canonical is not None:
        return canonical
    other_years = rulebook.resolve(fact, None)
    if other_years is not None:
        document.problem(
            problems, where, f"'{fact}' does not name a measure in {year}", key=key,
            hint=f"it is an id of '{other_years}' in other years",
        )
    else:
        document.problem(
            problems, where, f"unknown fact '{fact}'", key=key,
            hint=did_you_mean(fact, known) or "add it to the rulebook's measures",
        )
    return None
