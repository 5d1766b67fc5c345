"""Does `ascof-worst-quartile` follow performance or the publication?

    python bench/ascof_share.py ASCOF.csv [--rules DIR] [--fixed N] [--england]

Reads an official ASCOF file (NHS England's CSV layout) and, for every year in it, assesses
each English region on its own (the trigger compares a council with its region's worst
quarter; `--england`: every council of the file as one region instead) and counts the
councils flagged by `ascof-worst-quartile`, twice: with the rulebook's own condition, and with
the same rulebook whose count is the fixed number `N` (default 7, the threshold written for
the 19 measures of 2013-14). It prints one row a year: the most ASCOF measures any council has
that year, the councils assessed, and the councils flagged under each condition.

A threshold that tracks performance flags a steady share of councils; one that tracks the
publication swings with the number of measures (a carers' survey year publishes a third more).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import sli_rules  # noqa: E402
from sli_rules.rules.load import default_rulebook_path  # noqa: E402

TRIGGER = "ascof-worst-quartile"
REGIONS = (
    "North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
)


def _years(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return sorted({row["Year"] for row in csv.DictReader(handle)})


COUNT_TESTS = ("at_least", "above", "at_most", "below", "equals", "between", "min_data")


def _trigger(folder: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """The triggers file holding TRIGGER, the file as data, and the trigger in it."""
    for path in sorted((folder / "triggers").glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document.get("kind") == "triggers":
            for trigger in document["triggers"]:
                if trigger["id"] == TRIGGER:
                    return path, document, trigger
    raise SystemExit(f"no trigger {TRIGGER} in {folder}")


def _count_test(trigger: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in trigger["when"].items() if key in COUNT_TESTS}


def _fixed_copy(rules: Path, folder: Path, fixed: int) -> Path:
    """The rulebook with the trigger's count test replaced by `at_least: fixed`."""
    for part in ("triggers", "menus"):
        shutil.copytree(rules / part, folder / part, ignore=shutil.ignore_patterns("tests"))
    path, document, trigger = _trigger(folder)
    for key in COUNT_TESTS:
        trigger["when"].pop(key, None)
    trigger["when"]["at_least"] = fixed
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return folder


def _flagged(engine: sli_rules.Engine, path: Path, year: str, england: bool) -> tuple[int, int, int]:
    """(most ASCOF measures of a council, councils assessed, councils flagged) in one year."""
    assessed = flagged = measures = 0
    for region in (None,) if england else REGIONS:
        facts = sli_rules.load_facts(path, region=region, year=year, rulebook=engine.rulebook)
        for authority in facts.authorities:
            measures = max(measures, sum(1 for fact in authority.facts if fact.startswith("ascof.")))
        result = engine.assess(facts)
        for assessment in result.assessments:
            assessed += 1
            flagged += any(flag.trigger == TRIGGER for flag in assessment.flags)
    return measures, assessed, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ascof", type=Path, help="the official ASCOF CSV")
    parser.add_argument("--rules", type=Path, default=None, help="rulebook folder (default: the shipped one)")
    parser.add_argument("--fixed", type=int, default=7, help="the fixed count to compare with (default 7)")
    parser.add_argument("--england", action="store_true", help="assess England as one region")
    arguments = parser.parse_args()
    rules = arguments.rules or Path(default_rulebook_path())
    shipped = sli_rules.Engine(sli_rules.load_rulebook(rules))
    condition = _count_test(_trigger(rules)[2])
    with tempfile.TemporaryDirectory() as folder:
        fixed = sli_rules.Engine(sli_rules.load_rulebook(_fixed_copy(rules, Path(folder), arguments.fixed)))
        scope = "England assessed as one region" if arguments.england else "each region assessed on its own"
        print(f"{TRIGGER}: councils flagged in England, {scope}")
        print(f"  rulebook: {rules}; its count test: {condition}")
        print(f"{'year':8} {'measures':>8} {'councils':>8} {'fixed ' + str(arguments.fixed):>9} {'rulebook':>9}")
        for year in _years(arguments.ascof):
            measures, councils, before = _flagged(fixed, arguments.ascof, year, arguments.england)
            _, _, after = _flagged(shipped, arguments.ascof, year, arguments.england)
            print(f"{year:8} {measures:8} {councils:8} {before:9} {after:9}")


if __name__ == "__main__":
    main()
