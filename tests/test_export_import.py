"""Export and import as a Board secretary relies on them: a document with its schema revision
and digest, checked whole before anything is written, every problem listed at its place, one
transaction into an empty store; a tampered export changes nothing, and the store still reads.
On SQLite and on PostgreSQL, through the command line and the Python API."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import sli_rules

from .conftest import REPO, run_cli
from .storage import db, other_db, snapshot  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

from sli_rules.cycle.store.api import Store
from sli_rules.cycle.store.document import content_digest
from sli_rules.cycle.store.kinds import EVENT_KINDS
from sli_rules.facts.themes import ReviewedElement, ThematicReview

YEAR = "2013-14"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An export holding every kind of act, made once through the Python API."""
    import shutil

    folder = tmp_path_factory.mktemp("export")
    # The shipped rulebook with a days cap, so that support past it (a challenge) is on record too.
    for part in ("triggers", "menus"):
        shutil.copytree(REPO / part, folder / "rules" / part)
    menu = folder / "rules" / "menus" / "support.yaml"
    menu.write_text(menu.read_text(encoding="utf-8").replace("  cap: 3\n", "  cap: 3\n  days_cap: 4\n"),
                    encoding="utf-8")
    engine = sli_rules.Engine(sli_rules.load_rulebook(folder / "rules"))
    result = engine.assess(sli_rules.load_facts(REPO / "examples" / "north-west-2013-14"))
    halton = result["Halton"]
    with Store(folder / "sli.db") as store:
        store.record(result, rulebook=engine.rulebook, sources=[])
        store.self_assess(
            sli_rules.SelfAssessment("Halton", halton.code, YEAR, {"complaints": sli_rules.OwnView("concern", "Up")}),
            by="Halton DASS", on="2013-06-28",
        )
        store.discuss("Halton", YEAR, note="Met the DASS", by="Regional assessor", on="2013-09-18")
        store.finalise("Halton", YEAR, by="Regional assessor", reason="As assessed", on="2013-09-30")
        store.decide("Halton", YEAR, tier=halton.tier, accepted=True, by="Board", on="2013-10-14")
        store.support("Halton", YEAR, option="buddying", provider="Warrington", days=3, status="delivered",
                      outcome="Done", by="Regional assessor", on="2014-03-31")
        store.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=5, contact="Head of HR",
                    by="Wigan DASS", on="2013-10-01")
        statement = ReviewedElement("market-position-statement", "A market position statement", True, "not-met", None)
        store.thematic_review(
            ThematicReview("market", "The social care market", ("level-1", "level-2"), "Halton", halton.code, YEAR,
                           (statement,), area="market"),
            by="Halton DASS", on="2013-07-15",
        )
        store.finalise("Stockport", YEAR, by="Regional assessor", on="2013-09-30")
        store.support("Stockport", YEAR, option="shadowing", provider="Warrington", days=2, by="Regional assessor",
                      on="2014-03-31", over_cap="The only council running this service")
        store.record(result, rulebook=engine.rulebook, sources=[], supersede="A corrected return")
        data = store.export()
    assert {event["kind"] for event in data["events"]} == set(EVENT_KINDS)
    return data


def _first(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(event for event in data["events"] if event["kind"] == kind)


def _duplicate_id(data: dict[str, Any]) -> None:
    data["events"][1]["id"] = data["events"][0]["id"]


def _bogus_kind(data: dict[str, Any]) -> None:
    _first(data, "discuss")["kind"] = "bogus"


def _empty_finalise(data: dict[str, Any]) -> None:
    _first(data, "finalise")["data"] = {}


def _offer_without_days(data: dict[str, Any]) -> None:
    del _first(data, "offer")["data"]["days"]


def _garbage_year(data: dict[str, Any]) -> None:
    _first(data, "discuss")["year"] = "garbage"


def _views_as_text(data: dict[str, Any]) -> None:
    _first(data, "self_assessment")["data"]["views"] = "concern"


def _missing_run(data: dict[str, Any]) -> None:
    _first(data, "decide")["run_id"] = 99


def _date_before_the_year(data: dict[str, Any]) -> None:
    _first(data, "discuss")["on"] = "1900-01-01"


def _days_as_decimal(data: dict[str, Any]) -> None:
    _first(data, "support")["data"]["days"] = 3.0


def _unknown_tier(data: dict[str, Any]) -> None:
    _first(data, "decide")["data"]["tier"] = "everything"


TAMPERED: list[tuple[str, Callable[[dict[str, Any]], None], str, bool]] = [
    # (case, how, what the refusal says, whether the JSON Schema alone catches it)
    ("duplicate event id", _duplicate_id, "events[1].id: event id 1 is used twice (also events[0])", False),
    ("kind bogus", _bogus_kind, '.kind: "bogus" is not one of: discuss, finalise', True),
    ("empty finalise", _empty_finalise, ".data: 'level' is missing", True),
    ("offer without days", _offer_without_days, ".data: 'days' is missing", True),
    ("year garbage", _garbage_year, '.year: "garbage" is not a financial year like 2013-14', True),
    ("views as a string", _views_as_text, '.data.views: must be object, not string "concern"', True),
    ("run not in the export", _missing_run, ".run_id: the event names run 99, which is not in the export", False),
    ("date before the year", _date_before_the_year, ".on: 1900-01-01 is before the year 2013-14 began", False),
    ("days 3.0", _days_as_decimal, ".data.days: must be integer or null, not number 3.0", True),
    ("tier unknown to the run", _unknown_tier, ".data.tier: tier 'everything' is not in run 1's rulebook", False),
]


def _tampered(data: dict[str, Any], how: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The export changed as a forger would: the digest made again to match."""
    changed = copy.deepcopy(data)
    how(changed)
    changed["sha256"] = content_digest(changed)
    return changed


def _store_still_reads(target: str) -> None:
    """The refused store is untouched and every reader answers without a traceback."""
    for command in (["history", "Halton"], ["match", "--year", YEAR], ["directory", "list", "--year", YEAR]):
        done = run_cli(*command, "--db", target)  # run_cli fails on any traceback
        assert done.returncode in (0, 2), done.stderr


@pytest.mark.parametrize(("case", "how", "message", "_schema"), TAMPERED, ids=[case for case, *_ in TAMPERED])
def test_a_tampered_export_is_refused_at_its_place_and_writes_nothing(
    exported: dict[str, Any], db: str, tmp_path: Path, case: str, how: Callable[[dict[str, Any]], None],  # noqa: F811
    message: str, _schema: bool,
) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(_tampered(exported, how), indent=1), encoding="utf-8")
    before = snapshot(db)
    done = run_cli("import", str(path), "--db", db)
    assert done.returncode == 2, case
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert any(line.startswith(f"{path}:") and message in line for line in lines), lines
    assert snapshot(db) == before
    # Through the Python API too: the same refusal, nothing written.
    with Store(db) as store, pytest.raises(sli_rules.StoreError) as refused:
        store.import_(_tampered(exported, how))
    assert message in str(refused.value)
    assert snapshot(db) == before


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def test_every_problem_is_listed_at_once(exported: dict[str, Any], tmp_path: Path, db: str) -> None:  # noqa: F811
    changed = copy.deepcopy(exported)
    for _, how, _, _ in TAMPERED[2:6]:  # each on an event of its own kind
        how(changed)
    changed["sha256"] = content_digest(changed)
    done = run_cli("import", str(_write(tmp_path / "store.json", changed)), "--db", db)
    assert done.returncode == 2
    for _, _, message, _ in TAMPERED[2:6]:
        assert message in done.stderr, message
    after = snapshot(db)
    assert (after["runs"], after["events"]) == ([], [])
    # The refused store still reads, and takes the intact export, which then reads too.
    _store_still_reads(db)
    assert run_cli("import", str(_write(tmp_path / "good.json", exported)), "--db", db).returncode == 0
    _store_still_reads(db)
    assert "2013-09-18 discussed, by Regional assessor: Met the DASS" in run_cli("history", "Halton", "--db", db).stdout


def test_a_changed_digest_or_content_is_refused(exported: dict[str, Any], tmp_path: Path, db: str) -> None:  # noqa: F811
    changed = copy.deepcopy(exported)
    _first(changed, "discuss")["note"] = "Nothing was said"  # the digest is left as it was
    done = run_cli("import", str(_write(tmp_path / "store.json", changed)), "--db", db)
    assert done.returncode == 2
    assert "sha256: the digest does not match the content" in done.stderr
    assert snapshot(db)["runs"] == []


def test_a_newer_schema_is_refused_naming_the_version_needed(exported: dict[str, Any], tmp_path: Path,
                                                            db: str) -> None:  # noqa: F811
    changed = {**copy.deepcopy(exported), "schema": "9999", "package_version": "9.1.0", "events": "changed"}
    changed["sha256"] = content_digest(changed)
    done = run_cli("import", str(_write(tmp_path / "store.json", changed)), "--db", db)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines  # said alone: the rest is in a form this version does not know
    assert "store schema revision '9999', by a newer version: importing it needs sli-rules 9.1.0 or newer" in lines[0]
    assert snapshot(db)["runs"] == []


def test_a_nul_in_a_note_is_refused_before_the_database_sees_it(exported: dict[str, Any], tmp_path: Path,
                                                               db: str) -> None:  # noqa: F811
    changed = _tampered(exported, lambda data: _first(data, "discuss").update(note="Met\x00"))
    done = run_cli("import", str(_write(tmp_path / "store.json", changed)), "--db", db)
    assert done.returncode == 2
    assert "note: a NUL character, which a store cannot keep" in done.stderr
    assert snapshot(db)["runs"] == []


def test_export_import_export_is_identical_and_carries_its_digest(exported: dict[str, Any], db: str) -> None:  # noqa: F811
    assert exported["sha256"] == content_digest(exported)
    with Store(db) as store:
        assert store.import_(copy.deepcopy(exported)) == (2, len(exported["events"]))  # a run superseded another
        assert store.export() == exported


def test_the_committed_schema_takes_an_export_and_rejects_what_it_can_see(exported: dict[str, Any]) -> None:
    schema = json.loads((REPO / "schemas" / "export.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(exported)) == []
    for case, how, _, seen in TAMPERED:
        if seen and case != "days 3.0":  # plain JSON Schema counts 3.0 as an integer; import does not
            assert list(validator.iter_errors(_tampered(exported, how))), case


def test_every_declared_kind_is_in_the_schema() -> None:
    schema = json.loads((REPO / "schemas" / "export.schema.json").read_text(encoding="utf-8"))
    event = schema["properties"]["events"]["items"]
    assert event["properties"]["kind"]["enum"] == list(EVENT_KINDS)
    assert [branch["if"]["properties"]["kind"]["const"] for branch in event["allOf"]] == list(EVENT_KINDS)


def test_the_committed_schema_is_the_generated_one_and_the_command_prints_it() -> None:
    from sli_rules.cycle.store.document import export_schema_text

    committed = (REPO / "schemas" / "export.schema.json").read_text(encoding="utf-8")
    assert committed == export_schema_text(), "regenerate: sli-rules schema export > schemas/export.schema.json"
    assert run_cli("schema", "export").stdout == committed


def test_the_writer_refuses_an_act_its_declaration_does_not_know() -> None:
    from sli_rules.cycle.store.kinds import undeclared

    assert undeclared("discuss", {}) is None
    assert "no kind of act 'bogus'" in (undeclared("bogus", {}) or "")
    assert "missing ['days']" in (undeclared("offer", {"area": "workforce", "option": "buddying", "contact": None})
                                  or "")
    assert "unknown ['colour']" in (undeclared("decide", {"tier": "self_help", "accepted": True, "colour": 1}) or "")
