"""Shared by the report tests: hostile text, a result with the fields the store and the
coverage work add, and a real browser (the distribution's Chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest

import sli_rules
from sli_rules.report.pdf import CHROMIUM_FLAGS as PRINT_FLAGS

from .conftest import make_rulebook, write_yaml

SCRIPT = "<script>document.title='pwned'</script>"
IMAGE = '"><img src=x onerror="document.title=\'pwned\'">'
RLO = "\u202e"
FORMULA = '=HYPERLINK("http://example.invalid","Formulaby")'
HOSTILE_NAMES = (f"{SCRIPT}Scriptford", f"{IMAGE}Imageton", f"Gnimocleb{RLO}Town", FORMULA, "Pipe | Town")
HOSTILE_NOTE = f"{SCRIPT} and {IMAGE} and {RLO}reversed"
CONTROL_NOTE = "bell\x07 and \x1b[31mred\x1b[0m"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = list(PRINT_FLAGS)  # the flags the report itself prints with
VIEWPORT = {"width": 1280, "height": 1000}


def hostile_region(folder: Path) -> tuple[Path, Path]:
    """A small rulebook and a fact file whose council names, notes and sources hold markup,
    an event handler and a right-to-left override."""
    concern = {
        "id": "x-low",
        "title": "x low",
        "sources": [f"Source {SCRIPT}"],
        "when": {"fact": "x", "below": 10},
        "says": "{authority} has x of {value}.",
    }
    rules = make_rulebook(folder / "rules", {"outcomes": [concern]})
    facts = [
        {
            "authority": name,
            "year": "2013-14",
            "facts": {"x": -3.5 if index == 0 else 5 + index},
            "notes": {"x": HOSTILE_NOTE if index < 3 else CONTROL_NOTE},
            "sources": {"x": f"{IMAGE} return"},
        }
        for index, name in enumerate(HOSTILE_NAMES)
    ]
    facts.append({"authority": "Plainville", "year": "2013-14", "facts": {"x": 50}})
    return rules, write_yaml(folder / "facts" / "region.yaml", facts)


@attrs.frozen
class ResultWithRecord(sli_rules.RegionAssessment):
    """A real result, given the fields that coverage, self-assessment and the store add to the
    JSON contract, in the documented form, so that the report shows them the day they land."""

    added: dict[str, dict[str, Any]] = attrs.Factory(dict)
    removed: tuple[str, ...] = ()  # keys taken out of every assessment and flag

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        for item in data["assessments"]:
            for key in self.removed:
                item.pop(key, None)
                for flag in item["flags"]:
                    flag.pop(key, None)
            added = self.added.get(item["authority"], {})
            flag_fields = added.get("flag", {})
            for flag in item["flags"]:
                flag.update(flag_fields)
            item.update({key: value for key, value in added.items() if key != "flag"})
        return data


def with_record(result: sli_rules.RegionAssessment) -> ResultWithRecord:
    """The example's result, with coverage for every authority and a history for Bolton."""
    added: dict[str, dict[str, Any]] = {}
    for item in result:
        added[item.authority] = {
            "coverage": {
                "judged": 40 - len(item.gaps),
                "total": 40,
                "headings": {heading: {"judged": 9, "total": 10} for heading in result.headings},
            },
        }
    added["Bolton"].update(
        {
            "flag": {
                "entry": "Table 2, Outcomes: NW ADASS local measures",
                "basis": "interpretation",
                "own_view": {"view": "no_concern", "comment": "Our own figures differ."},
            },
            "previous": {"year": "2012-13", "level": "emerging_concerns"},
            "discussion": [{"note": "Discussed with the DASS; figures agreed.", "by": "Assessor", "when": "2013-10-01"}],
            "final": {"level": "concerns", "by": "Board", "reason": "Confirmed after discussion."},
            "history": [
                {"year": "2011-12", "level": "no_concerns"},
                {"year": "2012-13", "level": "emerging_concerns"},
            ],
        }
    )
    fields = {field.name: getattr(result, field.name) for field in attrs.fields(type(result))}
    return ResultWithRecord(**fields, added=added)


def without_record(result: sli_rules.RegionAssessment) -> ResultWithRecord:
    """The example's result as it was before coverage, entries and bases: without those keys."""
    fields = {field.name: getattr(result, field.name) for field in attrs.fields(type(result))}
    return ResultWithRecord(**fields, removed=("coverage", "entry", "basis"))


def browser_or_skip() -> None:
    """Skip, saying how to get it, where the browser is missing: never silently."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run .ci/chromium (as root) to install the distribution's chromium")
    pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]' (Chromium: .ci/chromium)"
    )


@attrs.define
class Visit:
    """A page opened in Chromium, and everything that went wrong while it loaded."""

    page: Any
    problems: list[str]
    requests: list[str]


@contextmanager
def opened(path: Path, profile: Path) -> Iterator[Visit]:
    """The file opened in headless Chromium with a new, empty profile."""
    browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, viewport=VIEWPORT
        )
        try:
            page = context.new_page()
            visit = Visit(page, [], [])
            page.on("console", lambda message: visit.problems.append(f"console {message.type}: {message.text}")
                    if message.type in ("error", "assert") else None)
            page.on("pageerror", lambda error: visit.problems.append(f"page error: {error}"))
            page.on("requestfailed", lambda request: visit.problems.append(f"failed request: {request.url}"))
            page.on("request", lambda request: visit.requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield visit
        finally:
            context.close()
