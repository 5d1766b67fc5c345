"""The store: the life of a verdict on record, refusals that write nothing, migrations, and
export then import, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import sli_rules
from sli_rules.rules.model import previous_year

from .conftest import EXAMPLE
from .storage import db, other_db, snapshot  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

from sli_rules.cycle.store import StoreError
from sli_rules.cycle.store.api import Store
from sli_rules.cycle.store.database import make_engine, migrate, schema_head, store_url

YEAR = "2013-14"


@pytest.fixture(scope="module")
def result(default_engine: sli_rules.Engine, example_region: sli_rules.Region) -> sli_rules.RegionAssessment:
    return default_engine.assess(example_region)


@pytest.fixture
def store(db: str, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook) -> Any:  # noqa: F811
    with Store(db) as store:
        store.record(result, rulebook=default_rulebook, sources=[EXAMPLE], by="Analyst")
        yield store


def test_a_verdict_lives_from_provisional_to_final_with_every_act_kept(store: Store) -> None:
    verdict = store.current("Halton", YEAR)
    assert (verdict.status, verdict.level, verdict.tier) == ("provisional", "no_concerns", "self_help")
    store.discuss("Halton", YEAR, note="Met the DASS", by="Assessor", on="2013-10-01")
    assert store.current("Halton", YEAR).status == "provisional"
    store.finalise("Halton", YEAR, level="emerging_concerns", by="Assessor", reason="Complaints rising", on="2013-10-15")
    store.decide("Halton", YEAR, tier="self_help", accepted=True, by="Board", note="Buddying", on="2013-11-01")
    store.support("E06000006", YEAR, option="buddying", provider="wigan", days=3, status="delivered",
                  outcome="Plan agreed", by="Assessor", on="2014-02-01")
    verdict = store.current("halton", YEAR)
    assert (verdict.status, verdict.level, verdict.tier, verdict.overridden) == (
        "final", "emerging_concerns", "self_help", True)
    assert (verdict.provisional_level, verdict.provisional_tier) == ("no_concerns", "self_help")
    assert verdict.final is not None and verdict.final.note == "Complaints rising" and verdict.final.by == "Assessor"
    assert [event.note for event in verdict.discussions] == ["Met the DASS"]
    assert verdict.decision is not None and verdict.decision.data == {"tier": "self_help", "accepted": True}
    (support,) = verdict.support
    assert support.data["provider"] == "Wigan" and support.data["provider_code"] == "E08000010"
    assert support.on == "2014-02-01"


def test_a_confirmation_needs_no_reason_and_an_override_does(store: Store) -> None:
    store.discuss("Bolton", YEAR, note="Met the DASS", by="Assessor", on="2013-10-01")
    store.finalise("Bolton", YEAR, by="Assessor")
    verdict = store.current("Bolton", YEAR)
    assert (verdict.status, verdict.level, verdict.overridden) == ("final", "concerns", False)
    with pytest.raises(StoreError, match="needs a reason"):
        store.finalise("Bolton", YEAR, tier="intervention", by="Assessor", reason="  ")


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda s: s.discuss("Haltn", YEAR, note="x", by="a"), r"no authority 'Haltn' in the runs of 2013-14 \(did you mean 'Halton'\?\)"),
        (lambda s: s.discuss("Halton", "2015-16", note="x", by="a"), "no run for 2015-16 in the store: it holds 2013-14"),
        (lambda s: s.discuss("Halton", "2013-15", note="x", by="a"), "not a financial year"),
        (lambda s: s.discuss("Halton", YEAR, note=" ", by="a"), "a note of the discussion is required"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by=""), "say who acted"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on="1 Oct"), "not a date"),
        (lambda s: s.finalise("Halton", YEAR, level="serious", by="a", reason="r"), r"unknown level 'serious' \(did you mean 'serious_concerns'\?\)"),
        (lambda s: s.finalise("Halton", YEAR, tier="targeted", by="a", reason="r"), "unknown tier 'targeted'"),
        (lambda s: s.finalise("Halton", YEAR, level="concerns", by="a"), "needs a reason"),
        (lambda s: s.decide("Halton", YEAR, tier="support", accepted=True, by="Board"), "unknown tier 'support'"),
        (lambda s: s.support("Halton", YEAR, option="mentoring", by="a"), r"unknown option 'mentoring'"),
        (lambda s: s.support("Halton", YEAR, option="buddying", status="done", by="a"), "unknown status 'done'"),
        (lambda s: s.support("Halton", YEAR, option="buddying", days=0, by="a"), "days must be"),
        (lambda s: s.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=-1), "days must be"),
        (lambda s: s.offer("Wigan", YEAR, area="workforse", option="peer-mentoring", days=2), "unknown area 'workforse'"),
        (lambda s: s.offer("Wign", YEAR, area="workforce", option="peer-mentoring", days=2), "no authority 'Wign'"),
        (lambda s: s.history("Nowhere"), "no authority 'Nowhere' in the store"),
        (lambda s: s.match("2016-17"), "no run for 2016-17"),
    ],
)
def test_a_refused_act_says_why_and_writes_nothing(store: Store, db: str, act: Any, message: str) -> None:  # noqa: F811
    before = snapshot(db)
    with pytest.raises(StoreError, match=message):
        act(store)
    assert snapshot(db) == before


def test_a_new_run_makes_a_new_provisional_verdict_and_keeps_the_old_final_view(
    store: Store, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook
) -> None:
    store.finalise("Halton", YEAR, level="concerns", reason="Audit letter", by="Assessor")
    second = store.record(result, rulebook=default_rulebook, supersede="Corrected return")
    assert second == 2
    now = store.current("Halton", YEAR)
    assert (now.run, now.status, now.level) == (2, "provisional", "no_concerns")
    (year,) = store.history("Halton").years
    first, latest = year.verdicts
    assert (first.run, first.latest, first.status, first.level) == (1, False, "final", "concerns")
    assert first.final is not None and first.final.run == 1
    assert (latest.run, latest.latest, latest.status) == (2, True, "provisional")


def test_a_run_keeps_the_whole_result_the_rulebook_digest_sources_and_version(
    store: Store, result: sli_rules.RegionAssessment
) -> None:
    (run,) = store.runs()
    assert run.rulebook_digest == result.rulebook_digest
    assert run.package_version == sli_rules.__version__
    assert run.recorded_by == "Analyst" and run.years == (YEAR,) and run.authorities == len(result)
    halton = EXAMPLE / "halton.yaml"
    assert (str(halton), hashlib.sha256(halton.read_bytes()).hexdigest()) in {(s.path, s.sha256) for s in run.sources}
    assert store.result(run.id) == result.to_dict()


def test_given_sources_are_kept_as_given(db: str, result: sli_rules.RegionAssessment,  # noqa: F811
                                         default_rulebook: sli_rules.Rulebook) -> None:
    with Store(db) as store:
        run = store.record(result, rulebook=default_rulebook, sources=[("facts/a.yaml", "ab" * 32)])
        assert [(s.path, s.sha256) for s in store.runs()[run - 1].sources] == [("facts/a.yaml", "ab" * 32)]


def test_a_result_from_another_rulebook_is_refused(db: str, result: sli_rules.RegionAssessment,  # noqa: F811
                                                   tmp_path: Path) -> None:
    from .conftest import copy_rulebook, edit_file

    root = copy_rulebook(tmp_path / "rules")
    edit_file(root, "menus/support.yaml", "title: Shadowing", "title: Shadowing visits")
    with Store(db) as store, pytest.raises(StoreError, match="is not the one that made this result"):
        store.record(result, rulebook=sli_rules.load_rulebook(root))


def test_flagged_last_year_gives_each_authoritys_counted_concerns_of_the_year_before(
    store: Store, result: sli_rules.RegionAssessment
) -> None:
    flagged = store.flagged_last_year("2014-15")
    assert previous_year("2014-15") == YEAR
    assert set(flagged) == {item.code for item in result}
    for item in result:
        assert flagged[item.code or item.authority] == frozenset(
            flag.trigger for flag in item.concerns if flag.counted
        )
    assert flagged["E08000001"] == frozenset({"nw-local-measures", "staff-survey"})
    assert store.flagged_last_year(YEAR) == {}


def test_export_then_import_into_an_empty_store_gives_the_same_history_for_every_authority(
    store: Store, other_db: str, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook  # noqa: F811
) -> None:
    store.discuss("Halton", YEAR, note="Met", by="Assessor", on="2013-10-01")
    store.finalise("Halton", YEAR, level="concerns", reason="Audit", by="Assessor")
    store.record(result, rulebook=default_rulebook, supersede="Corrected return")
    store.discuss("Rochdale", YEAR, note="Met", by="Assessor", on="2013-10-01")
    store.finalise("Rochdale", YEAR, by="Assessor", on="2013-10-15")
    store.decide("Rochdale", YEAR, tier="intervention", accepted=False, by="Board", on="2013-11-01")
    store.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=4, contact="Head of Workforce")
    exported = store.export()
    with Store(other_db) as restored:
        assert restored.import_(exported) == (2, 7)
        for name in store.authorities():
            assert restored.history(name) == store.history(name), name
        assert restored.export() == exported
        assert restored.match(YEAR) == store.match(YEAR)
        # Ids go on from where the export left off.
        assert restored.discuss("Halton", YEAR, note="Again", by="Assessor") == 8
        with pytest.raises(StoreError, match="not empty"):
            restored.import_(exported)


def test_an_older_schema_migrates_on_open(db: str, default_rulebook: sli_rules.Rulebook,  # noqa: F811
                                          result: sli_rules.RegionAssessment) -> None:
    import json

    import sqlalchemy as sa

    from sli_rules.cycle.store.checks import rulebook_summary

    engine = make_engine(store_url(db))
    migrate(engine, "0001")
    with engine.begin() as connection:
        assert not sa.inspect(connection).has_table("verdicts")
        connection.execute(
            sa.text(
                "insert into runs (recorded_at, recorded_by, rulebook_digest, rulebook_path, package_version, "
                "sources, rulebook, result) values ('2014-01-01T00:00:00+00:00', 'Analyst', :digest, '.', '0.1.0', "
                "'[]', :rulebook, :result)"
            ),
            {"digest": result.rulebook_digest, "rulebook": json.dumps(rulebook_summary(default_rulebook)),
             "result": json.dumps(result.to_dict())},
        )
    engine.dispose()
    with Store(db) as store:
        assert store.current("Halton", YEAR).level == "no_concerns"
        assert store.export()["schema"] == schema_head()


def test_a_newer_schema_is_refused_naming_the_version_needed(store: Store, db: str) -> None:  # noqa: F811
    import sqlalchemy as sa


    engine = make_engine(store_url(db))
    with engine.begin() as connection:
        connection.execute(sa.text("update alembic_version set version_num = '0099'"))
        connection.execute(sa.text("update meta set value = '9.2.0' where key = 'requires'"))
    engine.dispose()
    with pytest.raises(StoreError) as refused:
        Store(db)
    message = str(refused.value)
    assert "schema revision 0099" in message and "needs sli-rules 9.2.0 or newer" in message
    assert f"this is sli-rules {sli_rules.__version__}" in message and schema_head() in message


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("minutes of the meeting\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="is not a store"):
        Store(bad)
    with pytest.raises(StoreError, match="no such folder"):
        Store(tmp_path / "missing" / "sli.db")


def test_self_assessments_are_recorded_and_the_latest_of_each_authority_read_back(store: Store) -> None:
    first = sli_rules.SelfAssessment("Halton", None, YEAR, {"complaints": sli_rules.OwnView("unsure")})
    second = sli_rules.SelfAssessment(
        "halton", None, YEAR, {"complaints": sli_rules.OwnView("concern", "Rising"),
                               "staff-survey": sli_rules.OwnView("no_concern")}
    )
    wigan = sli_rules.SelfAssessment("E08000010", None, YEAR, {"complaints": sli_rules.OwnView("no_concern")})
    store.self_assess(first, by="DASS", on="2013-06-30")
    store.self_assess(second, by="DASS", on="2013-06-30", supersede="The first form was a draft")
    store.self_assess(wigan, by="DASS", on="2013-06-30")
    assert store.self_assessments(YEAR) == (
        sli_rules.SelfAssessment("Halton", "E06000006", YEAR, second.views),
        sli_rules.SelfAssessment("Wigan", "E08000010", YEAR, wigan.views),
    )
    (year,) = store.history("Halton").years
    assert [event.data["views"]["complaints"]["view"] for event in year.self_assessments] == ["unsure", "concern"]
    assert store.self_assessments("2014-15") == ()
    with pytest.raises(StoreError, match="no authority 'Haltom' in the store"):
        store.self_assess(sli_rules.SelfAssessment("Haltom", None, YEAR, {"complaints": sli_rules.OwnView("unsure")}),
                          by="DASS")
