"""The cycle's order, kept by the store itself (MoU 2.1 b, g, i), through the Python API on
SQLite and PostgreSQL: each act out of order is refused saying what must come first, with
nothing written; the record as it stands is what every reader and next year see; arguments
of the wrong kind, malformed URLs and database errors are each a one-line StoreError."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sli_rules

from .conftest import EXAMPLE, copy_rulebook
from .storage import db, snapshot  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

from sli_rules.cycle.store import StoreError
from sli_rules.cycle.store.api import Store

YEAR = "2013-14"
# In the example region: Halton no_concerns/self_help with nothing counted; Bolton concerns/
# targeted_support; Rochdale serious_concerns/intervention; Wigan and Warrington self help.


@pytest.fixture(scope="module")
def result(default_engine: sli_rules.Engine, example_region: sli_rules.Region) -> sli_rules.RegionAssessment:
    return default_engine.assess(example_region)


@pytest.fixture
def store(db: str, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook) -> Iterator[Store]:  # noqa: F811
    with Store(db) as store:
        store.record(result, rulebook=default_rulebook, sources=[EXAMPLE], by="Analyst")
        yield store


def _refused(store: Store, db: str, act: Any, message: str) -> None:  # noqa: F811
    before = snapshot(db)
    with pytest.raises(StoreError, match=message):
        act(store)
    assert snapshot(db) == before


def _final(store: Store, authority: str, **extra: Any) -> None:
    """A discussion, then the final view, on the dates of a real autumn."""
    store.discuss(authority, YEAR, note="Met the DASS", by="Assessor", on="2013-09-20")
    store.finalise(authority, YEAR, by="Assessor", on="2013-09-30", **extra)


# --- finalise -----------------------------------------------------------------------------


def test_a_final_view_on_concerns_needs_a_discussion_first(store: Store, db: str) -> None:  # noqa: F811
    _refused(store, db, lambda s: s.finalise("Rochdale", YEAR, by="Assessor"),
             r"Rochdale 2013-14: discuss the verdict with the authority before taking a final view \(MoU 2.1b\): "
             r"the provisional verdict is serious_concerns with 12 counted concerns")
    # A level above the least serious needs it too, even with no concern counted.
    _refused(store, db, lambda s: s.finalise("Bolton", YEAR, by="Assessor"), "discuss the verdict")
    # Nothing found (no_concerns, none counted): no discussion is needed.
    store.finalise("Halton", YEAR, by="Assessor")
    assert store.current("Halton", YEAR).status == "final"
    store.discuss("Rochdale", YEAR, note="Met", by="Assessor", on="2013-09-20")
    store.finalise("Rochdale", YEAR, by="Assessor", on="2013-09-30")
    now = store.current("Rochdale", YEAR)
    assert (now.status, now.level, now.concerns) == ("final", "serious_concerns", now.flags)


def test_a_final_view_is_not_dated_before_the_discussion_it_follows(store: Store, db: str) -> None:  # noqa: F811
    store.discuss("Bolton", YEAR, note="Met", by="Assessor", on="2013-10-10")
    _refused(store, db, lambda s: s.finalise("Bolton", YEAR, by="A", on="2013-10-09"),
             "a final view dated 2013-10-09 would come before the discussion of 2013-10-10 it follows")
    store.finalise("Bolton", YEAR, by="A", on="2013-10-10")


def test_a_discussion_is_not_dated_before_a_final_view_on_record(store: Store, db: str) -> None:  # noqa: F811
    store.finalise("Halton", YEAR, by="A", on="2013-10-10")
    _refused(store, db, lambda s: s.discuss("Halton", YEAR, note="Met", by="A", on="2013-10-09"),
             r"Halton 2013-14: a discussion dated 2013-10-09 would come before the final view of 2013-10-10 "
             r"\(event \d+\), taken without it")
    store.discuss("Halton", YEAR, note="Met again", by="A", on="2013-10-10")
    now = store.current("Halton", YEAR)
    assert [event.note for event in now.discussions] == ["Met again"]
    assert now.final is not None and now.final.on == "2013-10-10"


def test_the_concerns_a_final_view_confirms_are_kept_and_checked(store: Store, db: str) -> None:  # noqa: F811
    _refused(store, db, lambda s: s.finalise("Halton", YEAR, concerns=["complaint"], by="A"),
             r"unknown concern trigger 'complaint' \(did you mean 'complaints'\?\)")
    _refused(store, db, lambda s: s.finalise("Halton", YEAR, concerns="complaints", by="A"), "a list of trigger ids")
    store.finalise("Halton", YEAR, level="emerging_concerns", concerns=["complaints"], reason="Rising", by="A")
    assert store.current("Halton", YEAR).concerns == ("complaints",)
    assert store.flagged_last_year("2014-15")["E06000006"] == frozenset({"complaints"})


def test_no_second_final_view_once_the_board_has_decided(store: Store, db: str) -> None:  # noqa: F811
    _final(store, "Bolton")
    store.decide("Bolton", YEAR, tier="targeted_support", accepted=True, by="Board", on="2013-10-14")
    _refused(store, db, lambda s: s.finalise("Bolton", YEAR, level="serious_concerns", reason="r", by="A"),
             r"the Board decided on the final view .*record the year again with supersede=")


# --- decide -------------------------------------------------------------------------------


def test_a_decision_needs_a_final_view_and_a_reason_for_another_tier(store: Store, db: str) -> None:  # noqa: F811
    _refused(store, db, lambda s: s.decide("Bolton", YEAR, tier="targeted_support", accepted=True, by="Board"),
             r"Bolton 2013-14: take the final view \(finalise\) before the Board decides: the verdict is "
             "provisional, concerns, targeted_support")
    _final(store, "Bolton")
    _refused(store, db, lambda s: s.decide("Bolton", YEAR, tier="intervention", accepted=True, by="Board"),
             r"deciding intervention on a final view of targeted_support needs a reason \(reason=, --reason\)")
    _refused(store, db, lambda s: s.decide("Bolton", YEAR, tier="targeted_support", accepted=True, by="Board",
                                           on="2013-09-29"),
             "a decision dated 2013-09-29 would come before the final view of 2013-09-30")
    event = store.decide("Bolton", YEAR, tier="intervention", accepted=True, by="Board", on="2013-10-14",
                         reason="Two years without progress")
    decision = store.current("Bolton", YEAR).decision
    assert decision is not None and decision.id == event
    assert decision.data == {"tier": "intervention", "accepted": True, "reason": "Two years without progress"}


# --- support ------------------------------------------------------------------------------


def test_support_needs_an_accepted_decision_unless_the_final_tier_is_self_help(store: Store, db: str) -> None:  # noqa: F811
    support = {"option": "coaching", "by": "Assessor", "on": "2013-11-01"}
    _refused(store, db, lambda s: s.support("Bolton", YEAR, **support),
             r"support needs a final view and the Board's decision, accepted by the authority \(MoU 2.1i\)")
    _final(store, "Bolton")
    _refused(store, db, lambda s: s.support("Bolton", YEAR, **support), "only self_help needs no decision")
    store.decide("Bolton", YEAR, tier="targeted_support", accepted=True, by="Board", on="2013-10-14")
    store.support("Bolton", YEAR, **support)
    # Self help on a final view needs no decision; a provisional verdict is not enough.
    _refused(store, db, lambda s: s.support("Halton", YEAR, option="buddying", by="A"), "needs a final view")
    store.finalise("Halton", YEAR, by="Assessor", on="2013-09-30")
    store.support("Halton", YEAR, option="buddying", by="Assessor", on="2013-10-01")


def test_support_is_an_option_of_the_decided_tier(store: Store, db: str) -> None:  # noqa: F811
    _final(store, "Bolton")
    store.decide("Bolton", YEAR, tier="targeted_support", accepted=True, by="Board", on="2013-10-14")
    _refused(store, db, lambda s: s.support("Bolton", YEAR, option="buddying", by="A"),
             r"Bolton 2013-14: buddying is not an option of targeted_support \(Table 1\): lga-peer-review, "
             "peer-mentoring, coaching, training, local-peer-challenge")
    _refused(store, db, lambda s: s.support("Bolton", YEAR, option="coaching", by="A", on="2013-10-13"),
             "support dated 2013-10-13 would come before the decision of 2013-10-14")


def test_a_declined_decision_is_kept_and_no_support_goes_under_it(store: Store, db: str) -> None:  # noqa: F811
    _final(store, "Rochdale")
    store.decide("Rochdale", YEAR, tier="intervention", accepted=False, by="Board", on="2013-10-14")
    _refused(store, db, lambda s: s.support("Rochdale", YEAR, option="lga-peer-review", by="A"),
             r"the authority declined the Board's decision of intervention \(event \d+, 2013-10-14\): "
             "no support is recorded under it")
    now = store.current("Rochdale", YEAR)
    assert now.declined and now.decided_tier == "intervention"
    (year,) = store.history("Rochdale").years
    assert year.verdicts[-1].declined
    remembered = store.last_year("2014-15")["E08000005"]
    assert (remembered.status, remembered.decision, remembered.declined) == ("final", "intervention", True)


def test_a_provider_is_neither_in_difficulty_nor_the_authority_helped(store: Store, db: str) -> None:  # noqa: F811
    store.finalise("Halton", YEAR, by="Assessor", on="2013-09-30")
    _refused(store, db, lambda s: s.support("Halton", YEAR, option="buddying", provider="Rochdale", by="A"),
             "Rochdale cannot provide support in 2013-14: its own tier is intervention, above self_help")
    _refused(store, db, lambda s: s.support("Halton", YEAR, option="buddying", provider="E06000006", by="A"),
             "Halton cannot provide support to itself")
    store.support("Halton", YEAR, option="buddying", provider="Wigan", days=2, by="A", on="2013-10-01")
    # A provider the store does not know (a national body) is kept as named.
    store.support("Halton", YEAR, option="shadowing", provider="Skills for Care", days=1, by="A", on="2013-10-01")
    assert [e.data["provider"] for e in store.current("Halton", YEAR).support] == ["Wigan", "Skills for Care"]


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory, example_region: sli_rules.Region) -> tuple[Any, Any]:
    root = copy_rulebook(tmp_path_factory.mktemp("capped"))
    menu = root / "menus" / "support.yaml"
    assert "peers:" not in menu.read_text(encoding="utf-8")
    with menu.open("a", encoding="utf-8") as stream:
        stream.write("peers:\n  days_cap: 5\n")
    engine = sli_rules.Engine(sli_rules.load_rulebook(root))
    return engine.rulebook, engine.assess(example_region)


def test_a_days_cap_that_is_not_a_number_of_days_is_a_located_rulebook_error(tmp_path: Path) -> None:
    root = copy_rulebook(tmp_path)
    menu = root / "menus" / "support.yaml"
    lines = menu.read_text(encoding="utf-8").count("\n")
    with menu.open("a", encoding="utf-8") as stream:
        stream.write("peers:\n  days_cap: 400\n")
    with pytest.raises(sli_rules.RulebookError) as refused:
        sli_rules.load_rulebook(root)
    assert [str(problem) for problem in refused.value.problems] == [
        f"{menu}:{lines + 2}:13: peers days_cap is a whole number from 1 to 365"
    ]


def test_the_menus_days_cap_refuses_more_without_a_reason_and_records_a_challenge(
    db: str, capped: tuple[Any, Any]  # noqa: F811
) -> None:
    rulebook, result = capped
    assert rulebook.peers.days_cap == 5
    with Store(db) as store:
        store.record(result, rulebook=rulebook)
        for name in ("Halton", "Warrington", "Stockport"):
            store.finalise(name, YEAR, by="Assessor", on="2013-09-30")
        store.support("Halton", YEAR, option="buddying", provider="Wigan", days=3, by="A", on="2013-10-01")
        # The same support recorded again (its status) replaces its days; it is not counted twice.
        store.support("Halton", YEAR, option="buddying", provider="Wigan", days=3, status="delivered", by="A",
                      on="2013-12-01")
        _refused(store, db, lambda s: s.support("Warrington", YEAR, option="shadowing", provider="Wigan", days=3,
                                                by="A", on="2013-12-01"),
                 r"Wigan would give 6 days of support in 2013-14, over the menu's cap of 5 \(MoU 2.1g")
        # Cancelled support gives no days.
        store.support("Warrington", YEAR, option="shadowing", provider="Wigan", days=3, status="cancelled",
                      by="A", on="2013-12-01")
        store.support("Stockport", YEAR, option="shadowing", provider="Wigan", days=2, by="A", on="2013-12-01")
        event = store.support("Warrington", YEAR, option="shadowing", provider="Wigan", days=3, by="A",
                              on="2013-12-02", over_cap="The only council with this service")
        (support,) = [e for e in store.current("Warrington", YEAR).support if e.id == event]
        assert support.data["over_cap"] == {"total": 8, "cap": 5, "reason": "The only council with this service"}
        (year,) = store.history("Wigan").years
        (challenge,) = year.challenges
        assert (challenge.kind, challenge.note, challenge.data["total"], challenge.data["support"]) == (
            "challenge", "The only council with this service", 8, event)
        # The matching draws on no provider past its cap: Wigan has nothing left.
        store.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=5)
        plan = store.match(YEAR)
        assert all(match.provider != "Wigan" for match in plan.matches)
        assert any("Wigan has 0 days left under the menu's days cap" in why for _, why in plan.excluded)


# --- record again, and what readers and next year see --------------------------------------


def test_recording_a_year_again_over_a_final_view_needs_a_reason_and_marks_it_superseded(
    store: Store, db: str, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook  # noqa: F811
) -> None:
    # Only a discussion on record: nothing to supersede.
    store.discuss("Rochdale", YEAR, note="Met", by="Assessor", on="2013-09-20")
    assert store.record(result, rulebook=default_rulebook) == 2
    store.finalise("Rochdale", YEAR, by="Assessor", on="2013-09-30")  # the year's discussion still counts
    _refused(store, db, lambda s: s.record(result, rulebook=default_rulebook),
             r"recording again would supersede what is on record for Rochdale 2013-14 \(a final view on run 2\): "
             r"give the reason with supersede= \(--supersede REASON\)")
    run = store.record(result, rulebook=default_rulebook, supersede="Corrected return from Rochdale", by="Analyst")
    (year,) = store.history("Rochdale").years
    first, second, third = year.verdicts
    assert first.superseded_by is None and second.superseded_by is not None
    assert (second.status, second.superseded_by.note, second.superseded_by.run) == (
        "final", "Corrected return from Rochdale", run)
    assert second.superseded_by.data["run"] == 2 and third.supersedes == second.superseded_by
    assert (third.status, third.latest) == ("provisional", True)
    assert store.current("Rochdale", YEAR).status == "provisional"


def test_next_year_remembers_the_final_view_the_decision_and_the_support(store: Store) -> None:
    _final(store, "Bolton", level="serious_concerns", reason="The audit letter", concerns=["staff-survey"])
    store.decide("Bolton", YEAR, tier="intervention", accepted=True, by="Board", on="2013-10-14")
    store.support("Bolton", YEAR, option="lga-peer-review", provider="Wigan", days=4, status="delivered",
                  outcome="A plan agreed", by="A", on="2014-02-01")
    remembered = store.last_year("2014-15")
    bolton, halton = remembered["E08000001"], remembered["E06000006"]
    assert (bolton.status, bolton.level, bolton.tier, bolton.concerns) == (
        "final", "serious_concerns", "intervention", ("staff-survey",))
    assert (bolton.decision, bolton.declined) == ("intervention", False)
    assert [(s.option, s.provider, s.days, s.status, s.outcome) for s in bolton.support] == [
        ("lga-peer-review", "Wigan", 4, "delivered", "A plan agreed")]
    # Nothing finalised: the provisional verdict, said so.
    assert (halton.status, halton.level, halton.concerns) == ("provisional", "no_concerns", ())
    assert store.flagged_last_year("2014-15")["E08000001"] == frozenset({"staff-survey"})
    assert store.last_year(YEAR) == {}


def test_current_shows_the_final_view_with_the_provisional_verdict_beside_it(store: Store) -> None:
    _final(store, "Bolton", level="emerging_concerns", reason="Improving")
    now = store.current("E08000001", YEAR)
    assert (now.status, now.level, now.tier) == ("final", "emerging_concerns", "self_help")
    assert (now.provisional_level, now.provisional_tier, now.overridden) == ("concerns", "targeted_support", True)


# --- arguments checked at the door ---------------------------------------------------------

TOMORROW = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda s: s.decide("Halton", YEAR, tier="self_help", accepted="no", by="Board"),
         "accepted must be True or False, not str 'no'"),
        (lambda s: s.decide("Halton", YEAR, tier="self_help", accepted=1, by="Board"), "accepted must be True or False"),
        (lambda s: s.support("Halton", YEAR, option="buddying", days=True, by="A"), "days must be a whole number from 1 to 365, not True"),
        (lambda s: s.support("Halton", YEAR, option="buddying", days=366, by="A"), "days must be a whole number from 1 to 365"),
        (lambda s: s.support("Halton", YEAR, option="buddying", days=2.5, by="A"), "days must be"),
        (lambda s: s.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=True), "days must be"),
        (lambda s: s.match(YEAR, days_each=True), "days each must be"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on="1900-01-01"), r"date 1900-01-01 is before 2013-14 begins \(2013-04-01\)"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on="2013-03-31"), "is before 2013-14 begins"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on="2013-W40-1"), r"not a date like 2013-10-01 \(YYYY-MM-DD\)"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on="20131001"), "not a date like"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on=TOMORROW), f"date {TOMORROW} is in the future"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on=datetime.datetime(2013, 10, 1, 9)), "a date and time"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by="a", on=20131001), "date must be a date or text"),
        (lambda s: s.discuss("Halton", 2013, note="x", by="a"), "year must be text like 2013-14, not int 2013"),
        (lambda s: s.discuss("Halton", YEAR, note=None, by="a"), "a note of the discussion is required"),
        (lambda s: s.discuss("Halton", YEAR, note=["x"], by="a"), "a note of the discussion must be text"),
        (lambda s: s.discuss("Halton", YEAR, note="x", by=7), "'by' must be text"),
        (lambda s: s.discuss("Hal\x00ton", YEAR, note="x", by="a"), "holds a NUL character"),
        (lambda s: s.discuss("Halton", YEAR, note="x\x00", by="a"), "holds a NUL character"),
        (lambda s: s.history("Hal\x00ton"), "holds a NUL character"),
        (lambda s: s.finalise("Halton", YEAR, level=3, by="a"), "level must be text"),
        (lambda s: s.support("Halton", YEAR, option="buddying", outcome=5, by="a"), "the outcome must be text"),
        (lambda s: s.record("result"), "record takes a RegionAssessment"),

        (lambda s: s.result("1"), "run must be a run's id"),
        (lambda s: s.result(2**70), "refused a value"),  # DataError on PostgreSQL, OverflowError on SQLite
    ],
)
def test_arguments_of_the_wrong_kind_or_range_are_refused_at_the_door(
    store: Store, db: str, act: Any, message: str  # noqa: F811
) -> None:
    _refused(store, db, act, message)


def test_a_source_is_a_path_that_is_there_or_a_pair(
    store: Store, db: str, result: sli_rules.RegionAssessment, default_rulebook: sli_rules.Rulebook  # noqa: F811
) -> None:
    _refused(store, db, lambda s: s.record(result, rulebook=default_rulebook, sources=[None]),
             "a source is a path or a .path, sha256. pair, not NoneType None")
    _refused(store, db, lambda s: s.record(result, rulebook=default_rulebook, sources=["no/such/facts.yaml"]),
             "no such source file or folder: no/such/facts.yaml")


def test_a_date_object_is_taken(store: Store) -> None:
    event = store.discuss("Halton", YEAR, note="Met", by="A", on=datetime.date(2013, 10, 1))
    (discussion,) = store.current("Halton", YEAR).discussions
    assert (discussion.id, discussion.on) == (event, "2013-10-01")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (None, "the store is a path or a database URL, not NoneType None"),
        (3, "the store is a path or a database URL, not int 3"),
        ("  ", "not empty text"),
        ("sqlite://sli.db", r"not a SQLite URL: 'sqlite://sli.db' \(did you mean 'sqlite:///sli.db'\?"),
        ("sqlite:sli.db", r"did you mean 'sqlite:///sli.db'\?"),
        ("postgresql+psycopg://sli:secret@localhost:abc/x", r"not a database URL: postgresql\+psycopg://sli:\*\*\*@localhost:abc/x \(its host and port do not read"),
        ("postgresql+psycopg://sli@[::1/x", "its host and port do not read"),
        ("postgresql+psycopg://sli@localhost:99999/x", "port 99999 is not from 1 to 65535"),
        ("postgres://sli@localhost/x", r"no database kind 'postgres' .*did you mean 'postgresql\+psycopg://sli@localhost/x'\?"),
        ("nosuchdb://x/y", "no driver for nosuchdb://x/y"),
    ],
)
def test_a_store_is_a_path_or_a_url_and_slips_get_a_suggestion(where: Any, message: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message) as refused:
        Store(where)
    assert "\n" not in str(refused.value) and "secret" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []  # no file called None, sli.db or anything else


# --- self-assessments: misfiled, blank, superseded -------------------------------------------


def test_a_self_assessment_whose_name_and_code_disagree_is_refused(store: Store, db: str) -> None:  # noqa: F811
    views = {"complaints": sli_rules.OwnView("concern")}
    misfiled = sli_rules.SelfAssessment("Halton", "E06000007", YEAR, views)
    _refused(store, db, lambda s: s.self_assess(misfiled, by="DASS"),
             "the self-assessment names Halton but gives E06000007, which is Warrington's code "
             r"\(Halton's is E06000006\): name and code disagree")
    _refused(store, db, lambda s: s.self_assess(sli_rules.SelfAssessment("Halton", "E09999999", YEAR, views), by="D"),
             "code 'E09999999', which the store does not know")
    store.self_assess(sli_rules.SelfAssessment("Halton", "E06000006", YEAR, views), by="DASS", on="2013-06-30")
    assert [own.authority for own in store.self_assessments(YEAR)] == ["Halton"]


def test_a_blank_self_assessment_is_refused_and_a_second_form_supersedes_the_first(store: Store, db: str) -> None:  # noqa: F811
    _refused(store, db, lambda s: s.self_assess(sli_rules.SelfAssessment("Halton", None, YEAR, {}), by="DASS"),
             "Halton's self-assessment for 2013-14 answers no view: nothing to record")
    first = store.self_assess(sli_rules.SelfAssessment("Halton", None, YEAR, {"complaints": sli_rules.OwnView("unsure")}),
                              by="DASS", on="2013-06-30")
    second = sli_rules.SelfAssessment("Halton", None, YEAR, {"complaints": sli_rules.OwnView("concern")})
    _refused(store, db, lambda s: s.self_assess(second, by="DASS"),
             rf"self-assessment for 2013-14 is on record \(event {first}, 2013-06-30\): a second form needs supersede=")
    store.self_assess(second, by="DASS", on="2013-07-15", supersede="Signed off by the lead member")
    (year,) = store.history("Halton").years
    assert [(e.data.get("supersedes"), e.note) for e in year.self_assessments] == [
        (None, None), (first, "Signed off by the lead member")]
    (own,) = store.self_assessments(YEAR)
    assert own.views == second.views
