"""The cycle's order through the real command line, on SQLite and PostgreSQL: refusals are one
line and exit 2 with nothing written; `current`, `history` and `report --db` read the record as
it stands; `record --years` records every year in order, each remembering the one before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import copy_rulebook, run_cli
from .storage import db, snapshot  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

YEAR = "2013-14"


@pytest.fixture
def recorded(db: str) -> str:  # noqa: F811
    done = run_cli("record", "--db", db, "--by", "Analyst")
    assert done.returncode == 0, done.stderr
    return db


def _ok(*arguments: str) -> str:
    done = run_cli(*arguments)
    assert done.returncode == 0, (arguments, done.stderr)
    return done.stdout


def _refused(db: str, arguments: list[str], message: str) -> None:  # noqa: F811
    before = snapshot(db)
    done = run_cli(*arguments, "--db", db)
    assert (done.returncode, done.stdout) == (2, ""), (arguments, done.stderr)
    assert done.stderr == f"sli-rules: {message}\n", arguments
    assert snapshot(db) == before, arguments


def test_the_order_from_discussion_to_support_and_a_declined_decision(recorded: str) -> None:
    where = recorded
    act = ["--by", "Assessor", "--db", where]
    _refused(where, ["finalise", "Rochdale", "--year", YEAR, "--by", "A"],
             "Rochdale 2013-14: discuss the verdict with the authority before taking a final view (MoU 2.1b): the "
             "provisional verdict is serious_concerns with 12 counted concerns, and no discussion is on record for "
             "the year")
    _refused(where, ["decide", "Rochdale", "--year", YEAR, "--tier", "intervention", "--accepted", "--by", "Board"],
             "Rochdale 2013-14: take the final view (finalise) before the Board decides: the verdict is provisional, "
             "serious_concerns, intervention")
    _ok("discuss", "Rochdale", "--year", YEAR, "--note", "Met", "--on", "2013-09-20", *act)
    _refused(where, ["finalise", "Rochdale", "--year", YEAR, "--on", "2013-09-19", "--by", "A"],
             "Rochdale 2013-14: a final view dated 2013-09-19 would come before the discussion of 2013-09-20 it "
             "follows")
    _ok("finalise", "Rochdale", "--year", YEAR, "--on", "2013-09-30", *act)
    _refused(where, ["decide", "Rochdale", "--year", YEAR, "--tier", "targeted_support", "--accepted", "--by", "B"],
             "Rochdale 2013-14: deciding targeted_support on a final view of intervention needs a reason "
             "(reason=, --reason)")
    _ok("decide", "Rochdale", "--year", YEAR, "--tier", "intervention", "--declined", "--on", "2013-10-14",
        "--note", "Prefers its own plan", *act)
    _refused(where, ["support", "Rochdale", "--year", YEAR, "--option", "lga-peer-review", "--by", "A"],
             "Rochdale 2013-14: the authority declined the Board's decision of intervention (event 3, 2013-10-14): "
             "no support is recorded under it")
    text = _ok("current", "Rochdale", "--year", YEAR, "--db", where)
    assert text.splitlines()[:3] == [
        "Rochdale (E08000005) 2013-14, run 1",
        "  now: final, serious_concerns, intervention",
        "  provisional verdict: serious_concerns, intervention (confirmed)",
    ]
    assert "  declined: no support is recorded under the Board's decision" in text.splitlines()
    data = json.loads(_ok("current", "Rochdale", "--year", YEAR, "--format", "json", "--db", where))
    assert (data["status"], data["level"], data["tier"], data["declined"]) == (
        "final", "serious_concerns", "intervention", True)
    assert data["provisional"]["level"] == "serious_concerns" and data["decision"]["accepted"] is False
    history = _ok("history", "Rochdale", "--db", where)
    assert "    now: final, serious_concerns, intervention; Board decision: intervention, declined\n" in history

    # Bolton: a decision of another tier with its reason; support within the decided tier only.
    _ok("discuss", "Bolton", "--year", YEAR, "--note", "Met", "--on", "2013-09-20", *act)
    _ok("finalise", "Bolton", "--year", YEAR, "--on", "2013-09-30", *act)
    _ok("decide", "Bolton", "--year", YEAR, "--tier", "intervention", "--accepted", "--on", "2013-10-14",
        "--reason", "No progress on last year's plan", *act)
    _refused(where, ["support", "Bolton", "--year", YEAR, "--option", "coaching", "--by", "A"],
             "Bolton 2013-14: coaching is not an option of intervention (Table 1): local-peer-challenge, "
             "peer-consultancy, lga-peer-review")
    _refused(where, ["support", "Bolton", "--year", YEAR, "--option", "lga-peer-review", "--provider", "Rochdale",
                  "--by", "A"],
             "Rochdale cannot provide support in 2013-14: its own tier is intervention, above self_help")
    _ok("support", "Bolton", "--year", YEAR, "--option", "lga-peer-review", "--provider", "Wigan", "--days", "4",
        "--on", "2013-11-01", *act)
    assert "(reason: No progress on last year's plan)" in _ok("history", "Bolton", "--db", where)


def test_bad_arguments_are_one_line_and_exit_2(recorded: str, tmp_path: Path) -> None:
    where = recorded
    _refused(where, ["discuss", "Halton", "--year", YEAR, "--note", "x", "--by", "A", "--on", "2013-W40-1"],
             "date '2013-W40-1' is not a date like 2013-10-01 (YYYY-MM-DD)")
    _refused(where, ["discuss", "Halton", "--year", YEAR, "--note", "x", "--by", "A", "--on", "1900-01-01"],
             "date 1900-01-01 is before 2013-14 begins (2013-04-01)")
    _refused(where, ["directory", "add", "Wigan", "--year", YEAR, "--area", "workforce", "--option", "coaching",
                  "--days", "400", "--by", "W"],
             "days must be a whole number from 1 to 365, not 400")
    for url, message in (
        ("sqlite://sli.db", "not a SQLite URL: 'sqlite://sli.db' (did you mean 'sqlite:///sli.db'? three "
                            "slashes, then the path)"),
        ("postgresql+psycopg://sli:secret@localhost:abc/x",
         "not a database URL: postgresql+psycopg://sli:***@localhost:abc/x (its host and port do not read: a port "
         "is a number, an IPv6 address stands in brackets, like postgresql+psycopg://user@[::1]:5432/db)"),
    ):
        empty = tmp_path / "empty"
        empty.mkdir(exist_ok=True)
        done = run_cli("history", "Halton", "--db", url, cwd=empty)
        assert (done.returncode, done.stderr) == (2, f"sli-rules: {message}\n")
        assert list(empty.iterdir()) == []  # no file made under any name


def test_recording_again_needs_a_reason_where_a_final_view_stands(recorded: str) -> None:
    where = recorded
    _ok("finalise", "Halton", "--year", YEAR, "--level", "concerns", "--reason", "Audit letter", "--by", "A",
        "--on", "2013-09-30", "--db", where)
    _refused(where, ["record", "--by", "Analyst"],
             "recording again would supersede what is on record for Halton 2013-14 (a final view on run 1): give the "
             "reason with supersede= (--supersede REASON); the earlier acts stay in the history, marked superseded")
    assert _ok("record", "--by", "Analyst", "--supersede", "Corrected return", "--db", where) == (
        "recorded run 2: 23 authorities, 2013-14\n")
    history = _ok("history", "Halton", "--db", where).splitlines()
    (superseded,) = [line for line in history if line.startswith("  run 1")]
    assert superseded.startswith("  run 1 (superseded by run 2 on ")
    assert superseded.endswith(", by Analyst: Corrected return): provisional no_concerns, self_help")
    assert "    was: final, concerns, targeted_support (overriding no_concerns, self_help)" in history
    assert history[-1] == "    now: provisional, no_concerns, self_help"


def test_report_from_the_store_shows_the_final_view_not_the_provisional_verdict(recorded: str, tmp_path: Path) -> None:
    where = recorded
    _ok("finalise", "Halton", "--year", YEAR, "--level", "concerns", "--reason", "Audit letter", "--by", "A",
        "--on", "2013-09-30", "--db", where)
    page = tmp_path / "board.html"
    _ok("report", "--db", where, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    halton = html[html.index('id="a-e06000006"'):]
    summary = halton[halton.index('<p class="summary-line">'):]
    summary = summary[: summary.index("</p>")]
    assert summary == (
        '<p class="summary-line"><strong>Verdict:</strong> <span class="verdict">Concerns in more than one '
        "area, or one that persists</span> (final; provisional verdict: No significant concerns). <strong>Recommended support:</strong> "
        "Targeted support."
    )
    # The banner says how many verdicts are final on record: never "every verdict is provisional".
    assert "1 of 23 verdicts here are final views on record; the others are provisional" in html
    assert "Provisional: every verdict here" not in html


def _years(folder: Path) -> list[str]:
    """Two authorities over three years, one file each: Rochdale with a concern every year."""
    paths = []
    for year in ("2013-14", "2014-15", "2015-16"):
        for name, code, momentum in (("Rochdale", "E08000005", "true"), ("Wigan", "E08000010", "false")):
            path = folder / f"{name}-{year}.yaml"
            path.write_text(f"authority: {name}\ncode: {code}\nyear: {year}\nfacts:\n"
                            f"  intelligence.lga_momentum_concern: {momentum}\n"
                            "  intelligence.political_change: false\n", encoding="utf-8")
            paths.append(str(path))
    return paths


def test_record_years_records_each_year_in_order_each_reading_the_one_before(db: str, tmp_path: Path) -> None:  # noqa: F811
    paths = _years(tmp_path)
    done = run_cli("record", *paths, "--year", "2013-14", "--years", "all", "--by", "A", "--db", db)
    assert done.returncode == 2 and "give --year or --years, not both" in done.stderr
    assert _ok("record", *paths, "--years", "2013-14", "--by", "A", "--db", db) == (
        "recorded run 1: 2 authorities, 2013-14\n")
    act = ["--by", "Assessor", "--db", db]
    _ok("discuss", "Rochdale", "--year", "2013-14", "--note", "Met", "--on", "2013-09-20", *act)
    _ok("finalise", "Rochdale", "--year", "2013-14", "--on", "2013-09-30", *act)
    _ok("decide", "Rochdale", "--year", "2013-14", "--tier", "self_help", "--declined", "--on", "2013-10-14", *act)
    assert _ok("record", *paths, "--years", "2014-15..2015-16", "--by", "A", "--db", db) == (
        "recorded run 2: 2 authorities, 2014-15\nrecorded run 3: 2 authorities, 2015-16\n")
    history = json.loads(_ok("history", "Rochdale", "--format", "json", "--db", db))
    by_year = {year["year"]: year["verdicts"][-1]["provisional"] for year in history["years"]}
    assert "last_year" not in by_year["2013-14"]
    assert by_year["2014-15"]["last_year"] == {
        "year": "2013-14", "status": "final", "level": "emerging_concerns", "tier": "self_help",
        "concerns": ["lga-momentum"], "decision": "self_help", "declined": True, "support": [],
    }
    # 2015-16 read 2014-15, recorded just before it in the same command: provisional, said so.
    assert by_year["2015-16"]["last_year"]["year"] == "2014-15"
    assert by_year["2015-16"]["last_year"]["status"] == "provisional"
    assert [flag["last_year"] for flag in by_year["2015-16"]["flags"] if flag["trigger"] == "lga-momentum"] == [True]
    # What a run remembers is part of the documented result: `sli-rules schema result` holds it.
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(_ok("schema", "result"))
    for year in history["years"]:
        jsonschema.validate({"rulebook": {"digest": "x"}, "assessments": [year["verdicts"][-1]["provisional"]]},
                            schema)
    text = _ok("history", "Rochdale", "--db", db)
    assert ("    the year before (2013-14): final emerging_concerns, self_help; Board decision self_help, declined\n"
            in text)
    assert "    the year before (2014-15): provisional emerging_concerns, self_help (no final view was taken)\n" in text


def test_record_years_all_records_every_year_and_refuses_before_writing_any(db: str, tmp_path: Path) -> None:  # noqa: F811
    paths = _years(tmp_path)
    assert _ok("record", *paths, "--years", "all", "--by", "A", "--db", db) == (
        "recorded run 1: 2 authorities, 2013-14\nrecorded run 2: 2 authorities, 2014-15\n"
        "recorded run 3: 2 authorities, 2015-16\n")
    _ok("discuss", "Wigan", "--year", "2015-16", "--note", "Little evidence", "--by", "A", "--db", db)
    _ok("finalise", "Wigan", "--year", "2015-16", "--by", "A", "--db", db)
    # Recording every year again would supersede Wigan's final view of 2015-16: refused before
    # 2013-14 or 2014-15 is written.
    _refused(db, ["record", *paths, "--years", "all", "--by", "A"],
             "recording again would supersede what is on record for Wigan 2015-16 (a final view on run 3): give the "
             "reason with supersede= (--supersede REASON); the earlier acts stay in the history, marked superseded")


def test_a_misfiled_blank_or_second_self_assessment(recorded: str, tmp_path: Path) -> None:
    where = recorded
    form = tmp_path / "halton.csv"
    form.write_text("authority,code,year,trigger,view,comment\nHalton,E06000007,2013-14,complaints,concern,\n",
                    encoding="utf-8")
    _refused(where, ["self-assessment", "record", str(form), "--by", "DASS"],
             "the self-assessment names Halton but gives E06000007, which is Warrington's code (Halton's is "
             "E06000006): name and code disagree, so it is not recorded")
    blank = tmp_path / "blank.yaml"
    _ok("self-assessment", "template", "Halton", "--year", YEAR, "--code", "E06000006", "-o", str(blank))
    _refused(where, ["self-assessment", "record", str(blank), "--by", "DASS"],
             "Halton's self-assessment for 2013-14 answers no view: nothing to record")
    form.write_text("authority,code,year,trigger,view,comment\nHalton,E06000006,2013-14,complaints,concern,\n",
                    encoding="utf-8")
    _ok("self-assessment", "record", str(form), "--by", "DASS", "--on", "2013-06-30", "--db", where)
    _refused(where, ["self-assessment", "record", str(form), "--by", "DASS"],
             "Halton's self-assessment for 2013-14 is on record (event 1, 2013-06-30): a second form needs "
             "supersede= (--supersede REASON)")
    _ok("self-assessment", "record", str(form), "--by", "DASS", "--on", "2013-07-01", "--supersede",
        "Signed off by the lead member", "--db", where)
    assert ("  self-assessment 2013-07-01 by DASS: 1 concern, 0 no_concern, 0 unsure, superseding event 1: "
            "Signed off by the lead member\n") in _ok("history", "Halton", "--db", where)


def test_over_the_days_cap_needs_a_reason_and_is_shown_as_a_challenge(db: str, tmp_path: Path) -> None:  # noqa: F811
    rules = copy_rulebook(tmp_path / "rules")
    with (rules / "menus" / "support.yaml").open("a", encoding="utf-8") as stream:
        stream.write("peers:\n  days_cap: 4\n")
    _ok("record", "--rules", str(rules), "--by", "A", "--db", db)
    act = ["--by", "Assessor", "--on", "2013-10-01", "--db", db]
    for name in ("Halton", "Warrington"):
        _ok("finalise", name, "--year", YEAR, "--on", "2013-09-30", "--by", "A", "--db", db)
    _ok("support", "Halton", "--year", YEAR, "--option", "buddying", "--provider", "Wigan", "--days", "3", *act)
    _refused(db, ["support", "Warrington", "--year", YEAR, "--option", "shadowing", "--provider", "Wigan",
                  "--days", "2", "--by", "A"],
             "Wigan would give 5 days of support in 2013-14, over the menu's cap of 4 (MoU 2.1g: time asked is not "
             "excessive): give a reason with over_cap= (--over-cap REASON), recorded as a challenge")
    _ok("support", "Warrington", "--year", YEAR, "--option", "shadowing", "--provider", "Wigan", "--days", "2",
        "--over-cap", "Only Wigan runs this service", *act)
    assert ("  2013-10-01 over the days cap, by Assessor: 5 days given in 2013-14, cap 4 (support to Warrington, "
            "event 4): Only Wigan runs this service\n") in _ok("history", "Wigan", "--db", db)
    assert ("2013-10-01 support, by Assessor: shadowing from Wigan, 2 days, planned (over the days cap: 5 of 4 "
            "days; Only Wigan runs this service)") in _ok("history", "Warrington", "--db", db)
