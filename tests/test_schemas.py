"""The JSON Schemas: committed files match the generator, and every shipped YAML file and the
example's JSON result validate against them, so that schema and loader cannot drift apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import sli_rules
from sli_rules.cli.main import main
from sli_rules.errors import Problems
from sli_rules.rules.schema import KINDS, schema, schema_text
from sli_rules.rules.source import load_documents

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    path
    for folder in ("triggers", "menus", "themes", "examples")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in (".yaml", ".yml")
)
RULE_KINDS = ("measures", "triggers", "verdicts", "menu", "tests", "theme")


def _kind(data: Any) -> str:
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if kind in RULE_KINDS else "facts"


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    committed = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(committed)
    return jsonschema.Draft202012Validator(committed)


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_the_generated_one(kind: str) -> None:
    committed = (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), f"regenerate: sli-rules schema {kind} > schemas/{kind}.schema.json"


@pytest.mark.parametrize("kind", KINDS)
def test_the_command_prints_the_schema(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process, through the command line's own entry point; the real process is run once
    below, for a usage error."""
    assert main(["schema", kind]) == 0
    assert json.loads(capsys.readouterr().out) == schema(kind)


def test_unknown_schema_kind_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sli_rules", "schema", "trigger"],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert result.returncode == 2
    assert "invalid choice: 'trigger'" in result.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=[str(path.relative_to(ROOT)) for path in SHIPPED])
def test_shipped_file_names_and_matches_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    problems = Problems()
    documents = load_documents(path, problems, text)
    assert not problems.items and documents
    kind = _kind(documents[0].data)
    expected = os.path.relpath(ROOT / "schemas", path.parent).replace(os.sep, "/")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={expected}/{kind}.schema.json"
    for document in documents:
        errors = [error.message for error in _validator(kind).iter_errors(document.data)]
        assert errors == []


def test_example_json_result_matches_the_result_schema() -> None:
    result = sli_rules.assess().to_dict()
    assert result["assessments"]
    errors = [error.message for error in _validator("result").iter_errors(result)]
    assert errors == []


@pytest.mark.parametrize(
    ("kind", "document", "complaint"),
    [
        ("triggers", {"kind": "triggers", "heading": "resources", "triggers": [
            {"id": "a", "title": "A", "when": {"fact": "x.y", "abvoe": 3}}]}, "abvoe"),
        ("triggers", {"kind": "triggers", "heading": "resorces", "triggers": []}, "resorces"),
        ("measures", {"kind": "measures", "measures": [{"id": "x", "name": "X", "type": "numbr"}]},
         "numbr"),
        ("verdicts", {"kind": "verdicts", "levels": [{"id": "a", "title": "A",
                                                      "when": {"concerns": {"at_least": "two"}}}]},
         "two"),
        ("menu", {"kind": "menu", "options": [], "tiers": [
            {"id": "t", "title": "T", "verdicts": [], "options": [], "corroboration": True}]}, "True"),
        ("theme", {"kind": "theme", "id": "market", "title": "M", "levels": ["level-1", "not-met"],
                   "elements": [{"id": "e", "title": "E"}]}, "not-met"),
        ("theme", {"kind": "theme", "id": "market", "title": "M", "levels": ["level-1"],
                   "elements": [{"id": "e", "title": "E", "key": "yes"}]}, "yes"),
        ("facts", {"authority": "Halton", "year": "2013-14", "facts": {"a": [1, 2]}}, "[1, 2]"),
        ("tests", {"kind": "tests", "tests": [{"name": "n", "authority": "A", "expect": {"levl": "x"}}]},
         "levl"),
    ],
)
def test_schemas_reject_mistakes(kind: str, document: dict[str, Any], complaint: str) -> None:
    errors = list(_validator(kind).iter_errors(document))
    assert errors
    assert any(complaint in str(error.instance) or complaint in error.message for error in errors)
