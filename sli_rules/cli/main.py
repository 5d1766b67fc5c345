"""The command line: `sli-rules assess | explain | validate | test | schema | init`.

Bad input prints every problem as `path:line:column: message` and exits 2 (1 for the
findings of `validate` and `test`); it never prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .._version import __version__
from ..assessment.backends import EngineFallbackWarning
from ..assessment.engine import AssessmentStream, Engine, example_region_path
from ..assessment.results import AuthorityAssessment
from ..assessment.ruletest import check_test_files, split_test_files
from ..errors import Problem, SliRulesError
from ..facts import load_facts
from ..output import check_output, emit, emit_chunks
from ..report import FORMATS, STREAMED_FORMATS, ExtraMissing, explain_text, render_bytes
from ..rules import workspace
from ..rules.load import load_rulebook
from ..rules.schema import KINDS as RULE_SCHEMA_KINDS
from ..rules.schema import schema_text
from ..words import visible
from . import cycle as cycle_cli
from . import datareturn
from .progress import FILES_READ, Progress, rendering

# The rule files' and the result's schemas, and the store export's, built by the store itself.
SCHEMA_KINDS = (*RULE_SCHEMA_KINDS, "export")


class ExitCode:
    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sli-rules",
        description="Assess councils against the Sector Led Improvement risk triggers (Table 2) "
        "and recommend support from the menu (Table 1).",
    )
    parser.add_argument("--version", action="version", version=f"sli-rules {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def facts_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="fact files or folders (YAML, JSON, CSV); none: the shipped example region",
        )
        command.add_argument(
            "--rules",
            metavar="DIR",
            help="rulebook folder holding triggers/ and menus/ (default: the shipped rulebook)",
        )
        command.add_argument("--year", metavar="YYYY-YY", help="the year to assess when the facts hold several")
        command.add_argument(
            "--years", metavar="YEARS", help="several years to assess: 2019-20..2023-24, all, or a list with commas"
        )
        command.add_argument("--region", metavar="NAME", help="the region to take from a national data file")
        command.add_argument(
            "--comparators",
            metavar="FILE",
            help="comparator groups for every authority (YAML or CSV: authority → comparators), or "
            "council-type: each council's same-type neighbours in its region",
        )
        command.add_argument(
            "--progress",
            action="store_true",
            help="report progress on standard error as plain lines (on a terminal a bar is always drawn)",
        )

    assess = commands.add_parser("assess", help="assess a region and print the result")
    facts_arguments(assess)
    assess.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    assess.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    assess.add_argument("-v", "--verbose", action="store_true", help="text: every flag's values, tests and sources")
    assess.add_argument(
        "--db", metavar="DB",
        help="the store: assess with what it knows (thematic reviews, own views, last year's concerns), "
        "as `record` does, without recording",
    )

    explain = commands.add_parser("explain", help="explain one authority's verdict")
    # Optional to argparse, which would otherwise call PATH required too; checked in _explain.
    explain.add_argument("authority", metavar="AUTHORITY", nargs="?", help="name or ONS code")
    facts_arguments(explain)

    validate = commands.add_parser("validate", help="check a rulebook and, optionally, fact sets")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="fact files or folders, or rule tests, to check too")
    validate.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    validate.add_argument("--year", metavar="YYYY-YY")
    validate.add_argument("--region", metavar="NAME")
    validate.add_argument("--strict", action="store_true", help="warnings fail too")

    test = commands.add_parser("test", help="run rule tests and report rule coverage")
    test.add_argument(
        "paths", nargs="*", metavar="TESTS", help="test files or folders (default: the rulebook's own tests)"
    )
    test.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    test.add_argument("--coverage-min", type=float, metavar="PERCENT", help="fail when rule coverage is below PERCENT")

    schema = commands.add_parser("schema", help="print the JSON Schema of a file kind or of the JSON result")
    schema.add_argument("kind", choices=SCHEMA_KINDS, metavar="KIND", help=f"one of: {', '.join(SCHEMA_KINDS)}")
    workspace.add_parser(commands)

    from .report import add_report_parser

    add_report_parser(commands, facts_arguments)
    cycle_cli.add_commands(commands, facts_arguments)
    datareturn.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    with warnings.catch_warnings():  # restores how warnings are shown when the command is done
        warnings.showwarning = _show_warning
        return _main(arguments)


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None,
    line: str | None = None,
) -> None:
    """The engine's fallback said as the command's own warning, not as a line of our source."""
    if issubclass(category, EngineFallbackWarning):
        print(f"sli-rules: warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _main(arguments: argparse.Namespace) -> int:
    try:
        if arguments.command == "assess":
            return _assess(arguments)
        if arguments.command == "explain":
            return _explain(arguments)
        if arguments.command == "validate":
            return _validate(arguments)
        if arguments.command == "init":
            return workspace.run(arguments)
        if arguments.command == "report":
            from .report import run_report

            return run_report(arguments, _region)
        if arguments.command == "schema":
            if arguments.kind == "export":
                from ..cycle.store.document import export_schema_text

                sys.stdout.write(export_schema_text())
            else:
                sys.stdout.write(schema_text(arguments.kind))
            return ExitCode.OK
        if arguments.command in cycle_cli.COMMANDS:
            return cycle_cli.main(arguments)
        if arguments.command == datareturn.COMMAND:
            return datareturn.main(arguments)
        return _test(arguments)
    except SliRulesError as error:
        _print_problems(error.problems)
        return ExitCode.BAD_INPUT
    except BrokenPipeError:
        # The reader stopped reading (`| head`): nothing is wrong, and nothing more to say. Standard
        # output is pointed at /dev/null so that closing it at exit raises nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        print(visible(f"sli-rules: {error.strerror or error}{where}"), file=sys.stderr)
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        return 130


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(visible(str(problem)), file=sys.stderr)
    errors = sum(1 for problem in problems if problem.severity == "error")
    warnings = len(problems) - errors
    print(
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}", file=sys.stderr
    )


def engine_of(arguments: argparse.Namespace, progress: Progress) -> Engine:
    """The rulebook named (or the shipped one), loaded and compiled."""
    with progress.step("loading the rules"):
        return Engine(arguments.rules)


def _region(arguments: argparse.Namespace, engine: Engine) -> object:
    paths = arguments.paths or [example_region_path()]
    progress = Progress.for_arguments(arguments)
    with progress.step("loading the facts"):
        return load_facts(
            *paths,
            year=arguments.year,
            region=arguments.region,
            rulebook=engine.rulebook,
            comparators=arguments.comparators,
            years=arguments.years,
            progress=progress.counter(FILES_READ),
        )


def _written(stream: AssessmentStream, progress: Callable[[int, int], None]) -> Iterator[AuthorityAssessment]:
    """The stream's assessments, with progress as each is written."""
    total = len(stream)
    for done, item in enumerate(stream, start=1):
        yield item
        if done == total or done % 100 == 0:
            progress(done, total)


def _assess(arguments: argparse.Namespace) -> int:
    reads = workspace.inputs(arguments)
    if arguments.output:
        check_output(arguments.output, reads=reads)  # before the work, not only after it
    progress = Progress.for_arguments(arguments)
    engine = engine_of(arguments, progress)
    known: dict[str, Any] = {}
    region: Any  # a Region; with --db, its store's facts added before it is bound
    if arguments.db:
        with progress.step("loading the facts"):
            region, known = cycle_cli.with_store(arguments, progress.counter(FILES_READ))
    else:
        region = _region(arguments, engine)
    if arguments.format in STREAMED_FORMATS:
        # Written as it is made, one assessment at a time: bounded memory for any region.
        stream = engine.assess_iter(region, progress=progress.counter("assessed"), **known)
        for warning in stream.warnings:
            print(visible(str(warning)), file=sys.stderr)
        print(workspace.in_force(engine.rulebook), file=sys.stderr)
        items = _written(stream, progress.counter("written")) if progress.enabled else stream
        emit_chunks(STREAMED_FORMATS[arguments.format](stream, items), arguments.output, reads=reads)
        return ExitCode.OK
    result = engine.assess(region, progress=progress.counter("assessed"), **known)
    for warning in result.warnings:
        print(visible(str(warning)), file=sys.stderr)
    try:
        with progress.step(rendering(arguments.format)):
            data = render_bytes(result, arguments.format, verbose=arguments.verbose)
    except ExtraMissing as error:
        print(f"sli-rules: {error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    # Which rules decided: a header for people; on stderr beside machine formats.
    if arguments.format == "text":
        data = f"{workspace.in_force(engine.rulebook)}\n\n".encode() + data
    else:
        print(workspace.in_force(engine.rulebook), file=sys.stderr)
    emit(data if arguments.format == "pdf" else data.decode("utf-8"), arguments.output, reads=reads)
    return ExitCode.OK


def _explain(arguments: argparse.Namespace) -> int:
    if arguments.authority is None:
        print("sli-rules explain: error: name the AUTHORITY to explain (a name or ONS code), then any PATH",
              file=sys.stderr)
        return ExitCode.BAD_INPUT
    progress = Progress.for_arguments(arguments)
    engine = engine_of(arguments, progress)
    region = _region(arguments, engine)
    result = engine.assess(region, progress=progress.counter("assessed"))  # type: ignore[arg-type]
    try:
        item = result[arguments.authority]
    except KeyError:
        names = ", ".join(item.authority for item in result)
        print(f"sli-rules: no authority {arguments.authority!r} in the facts; there are: {names}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    sys.stdout.write(explain_text(item))
    return ExitCode.OK


def _validate(arguments: argparse.Namespace) -> int:
    problems: list[Problem] = []
    rules_path = Path(arguments.rules) if arguments.rules else None
    if rules_path is not None and not rules_path.exists():
        print(f"sli-rules: no such rulebook folder: {rules_path}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        rulebook = load_rulebook(rules_path)
        problems.extend(rulebook.warnings)
    except SliRulesError as error:
        problems.extend(error.problems)
        rulebook = None
    test_paths: list[Path] = []
    if arguments.paths:
        missing = [path for path in arguments.paths if not Path(path).exists()]
        if missing:
            print(f"sli-rules: no such file or folder: {', '.join(missing)}", file=sys.stderr)
            return ExitCode.BAD_INPUT
        fact_paths, test_paths = split_test_files(arguments.paths)
        if rulebook is not None and fact_paths:
            try:
                load_facts(*fact_paths, year=arguments.year, region=arguments.region, rulebook=rulebook)
            except SliRulesError as error:
                problems.extend(error.problems)
    if rulebook is not None:
        # Rule tests in the rulebook folder and on the command line: checked, not run.
        problems.extend(check_test_files(rulebook, [*rulebook.test_files, *test_paths]))
    problems = sorted(set(problems), key=Problem.sort_key)
    if problems:
        _print_problems(problems)
    failing = [p for p in problems if p.severity == "error" or arguments.strict]
    if failing:
        return ExitCode.FINDINGS
    print("valid" + (f" ({len(problems)} warning{'s' if len(problems) != 1 else ''})" if problems else ""))
    if rulebook is not None:
        print(workspace.in_force(rulebook))
    return ExitCode.OK


def _test(arguments: argparse.Namespace) -> int:
    from ..assessment.ruletest import run_tests

    engine = Engine(arguments.rules)
    paths = arguments.paths
    if not paths:
        rules_root = Path(arguments.rules) if arguments.rules else Path(engine.rulebook.path)
        paths = list(engine.rulebook.test_files) or [str(rules_root / "triggers")]
    run = run_tests(engine, paths)
    for result in run.results:
        if result.passed:
            continue
        print(f"FAILED {result.file}:{result.line}: {result.name}")
        for failure in result.failures:
            print(f"  {failure}")
        if result.assessment is not None:
            for line in explain_text(result.assessment).splitlines():
                print(f"    | {line}")
    uncovered = run.uncovered()
    print(f"rule coverage: {run.coverage():.0f}%")
    for what, items in uncovered.items():
        if items:
            print(f"  no test reached these {what}: {', '.join(items)}")
    print(f"{run.passed} passed, {run.failed} failed")
    if run.failed:
        return ExitCode.FINDINGS
    if arguments.coverage_min is not None and run.coverage() < arguments.coverage_min:
        print(f"rule coverage {run.coverage():.0f}% is below the minimum of {arguments.coverage_min:g}%")
        return ExitCode.FINDINGS
    return ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main())
