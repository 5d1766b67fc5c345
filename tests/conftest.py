"""Shared helpers: small rulebooks written to real folders, and the two evaluators compared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import sli_rules
from sli_rules import Engine, Region

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "north-west-2013-14"

# A minimal verdict policy and menu for hand-built rulebooks: one concern is an emerging
# concern, two are concerns, three under two headings are serious.
VERDICTS = {
    "kind": "verdicts",
    "levels": [
        {
            "id": "serious",
            "title": "Serious",
            "when": {"all": [{"concerns": {"at_least": 3}}, {"concern_headings": {"at_least": 2}}]},
        },
        {"id": "concerns", "title": "Concerns", "when": {"concerns": {"at_least": 2}}},
        {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
        {"id": "none", "title": "None"},
    ],
}
MENU = {
    "kind": "menu",
    "options": [
        {"id": "buddying", "title": "Buddying", "suits": ["outcomes"]},
        {"id": "peer-review", "title": "Peer review", "suits": ["resources"]},
        {"id": "challenge", "title": "Challenge"},
    ],
    "tiers": [
        {
            "id": "self_help",
            "title": "Self help",
            "verdicts": ["none", "emerging"],
            "options": ["buddying", "challenge"],
        },
        {"id": "targeted", "title": "Targeted", "verdicts": ["concerns"], "options": ["peer-review", "buddying"]},
        {
            "id": "intervention",
            "title": "Intervention",
            "verdicts": ["serious"],
            "options": ["challenge", "peer-review"],
            "corroboration": "required",
        },
    ],
}
MEASURES = {
    "kind": "measures",
    "measures": [
        {"id": "x", "name": "x", "better": "higher", "group": "g"},
        {"id": "y", "name": "y", "better": "lower", "group": "g"},
        {"id": "z", "name": "z"},
        {"id": "w", "name": "w", "better": "higher", "breaks": ["2013-14"]},
        {"id": "p", "name": "p", "better": "higher", "method": "proportion", "per": 100},
        {"id": "r", "name": "r", "better": "lower", "method": "rate", "per": 100000},
        {"id": "cat", "name": "cat", "type": "category", "values": ["low", "moderate", "substantial", "critical"]},
        {"id": "flag", "name": "flag", "type": "boolean"},
        {"id": "label", "name": "label", "type": "text"},
    ],
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long runs (`@pytest.mark.slow`) are for `pytest -m slow`: the default suite stays short,
    and says what it left out."""
    expression = config.getoption("markexpr") or ""
    if "slow" in expression and "not slow" not in expression:
        return
    skip = pytest.mark.skip(reason="a long run: pytest -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def make_rulebook(
    folder: Path,
    triggers: dict[str, list[dict[str, Any]]],
    *,
    measures: dict[str, Any] | None = None,
    verdicts: dict[str, Any] | None = None,
    menu: dict[str, Any] | None = None,
) -> Path:
    """A rulebook folder with one triggers file per heading given."""
    write_yaml(folder / "triggers" / "measures.yaml", measures or MEASURES)
    for heading, items in triggers.items():
        write_yaml(folder / "triggers" / f"{heading}.yaml", {"kind": "triggers", "heading": heading, "triggers": items})
    write_yaml(folder / "triggers" / "in-the-round.yaml", verdicts or VERDICTS)
    write_yaml(folder / "menus" / "support.yaml", menu or MENU)
    return folder


def region_of(facts: dict[str, dict[str, Any]], year: str = "2013-14", **extra: dict[str, Any]) -> Region:
    """A Region from {authority: {facts: ..., previous: ..., comparators: ...}}, via a real file."""
    import tempfile

    documents = [{"authority": name, "year": year, **spec} for name, spec in facts.items()]
    folder = Path(tempfile.mkdtemp(prefix="sli-region-"))
    path = write_yaml(folder / "region.yaml", documents)
    return sli_rules.load_facts(path)


FROZEN_RULEBOOK = Path(__file__).parent / "fixtures" / "default-rulebook"


def copy_rulebook(tmp_path: Path) -> Path:
    """A copy of the frozen default rulebook to break on purpose, with its example region
    (its rule tests take their region from it and validate checks them). Frozen, so that the
    lines and columns the authoring tests expect survive an analyst's edit of the shipped
    files."""
    import shutil

    for folder in ("triggers", "menus", "examples"):
        shutil.copytree(FROZEN_RULEBOOK / folder, tmp_path / folder)
    return tmp_path


def edit_file(root: Path, file: str, old: str, new: str) -> None:
    """Replace the first `old` in a copied file; the case is out of date if it is gone."""
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer holds {old!r}: update the case"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def validate(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`sli-rules validate` as a user runs it, in `cwd`."""
    return run_cli("validate", *arguments, cwd=cwd, check_traceback=False)


def outcomes_agree(engine: Engine, region: Region) -> list[list[bool | None]]:
    """Trigger outcomes from durable-rules, after checking the Python evaluator agrees."""
    durable = engine.outcomes(region, backend="durable")
    python = engine.outcomes(region, backend="python")
    assert durable == python, f"durable-rules {durable} != Python {python}"
    return durable


def run_cli(
    *arguments: str, cwd: Path | None = None, check_traceback: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, as a user runs it (`env` adds to the environment)."""
    completed = subprocess.run(
        [sys.executable, "-m", "sli_rules", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=300,
    )
    if check_traceback:
        assert "Traceback" not in completed.stderr, completed.stderr
    return completed


@pytest.fixture(scope="session")
def default_rulebook() -> sli_rules.Rulebook:
    return sli_rules.load_rulebook()


@pytest.fixture(scope="session")
def default_engine(default_rulebook: sli_rules.Rulebook) -> Engine:
    return Engine(default_rulebook, check=True)


@pytest.fixture(scope="session")
def example_region() -> Region:
    return sli_rules.load_facts(EXAMPLE)


def long_run(examples: int) -> int:
    """The number of examples a long run tries: its full count times SLI_RULES_LONG_SHARE."""
    share = float(os.environ.get("SLI_RULES_LONG_SHARE", "1"))
    if not 0 < share <= 1:
        raise ValueError(f"SLI_RULES_LONG_SHARE is a share of the long runs, above 0 and at most 1, not {share}")
    return max(1, round(examples * share))
