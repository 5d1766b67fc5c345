"""The cycle's commands, as a user runs them: each bad input gets one clear line and exit 2,
with nothing written; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sli_rules

from .conftest import REPO, run_cli
from .storage import db, other_db, snapshot  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

YEAR = "2013-14"
RULEBOOK = sli_rules.load_rulebook()  # the messages list its levels, tiers and options in its order
TIERS = ", ".join(tier.id for tier in RULEBOOK.tiers)
OPTIONS = ", ".join(RULEBOOK.options)


@pytest.fixture
def recorded(db: str) -> str:  # noqa: F811
    done = run_cli("record", "--db", db, "--by", "Analyst")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "recorded run 1: 23 authorities, 2013-14\n"
    return db


BAD = [
    (["discuss", "Haltn", "--year", YEAR, "--note", "x", "--by", "A"],
     "sli-rules: no authority 'Haltn' in the runs of 2013-14 (did you mean 'Halton'?)"),
    (["discuss", "Halton", "--year", "2019-20", "--note", "x", "--by", "A"],
     "sli-rules: no run for 2019-20 in the store: it holds 2013-14"),
    (["finalise", "Halton", "--year", YEAR, "--level", "bad", "--reason", "r", "--by", "A"],
     "sli-rules: unknown level 'bad'; known: " + ", ".join(level.id for level in RULEBOOK.levels)),
    (["finalise", "Halton", "--year", YEAR, "--tier", "targeted", "--reason", "r", "--by", "A"],
     "sli-rules: unknown tier 'targeted' (did you mean 'targeted_support'?); known: " + TIERS),
    (["finalise", "Halton", "--year", YEAR, "--level", "concerns", "--by", "A"],
     "sli-rules: overriding Halton's no_concerns, self_help with concerns, targeted_support needs a reason"),
    (["decide", "Halton", "--year", YEAR, "--tier", "intervene", "--accepted", "--by", "Board"],
     "sli-rules: unknown tier 'intervene' (did you mean 'intervention'?); known: " + TIERS),
    (["support", "Halton", "--year", YEAR, "--option", "mentoring", "--by", "A"],
     "sli-rules: unknown option 'mentoring' (did you mean 'peer-mentoring'?); known: " + OPTIONS),
    (["directory", "add", "Wigan", "--year", YEAR, "--area", "workforce", "--option", "peer-mentorin", "--days", "2",
      "--by", "W"],
     "sli-rules: unknown option 'peer-mentorin' (did you mean 'peer-mentoring'?); known: " + OPTIONS),
    (["match", "--year", "2014-15"], "sli-rules: no run for 2014-15 in the store: it holds 2013-14"),
    (["history", "Atlantis"], "sli-rules: no authority 'Atlantis' in the store"),
]


def test_each_bad_act_prints_one_line_exits_2_and_writes_nothing(recorded: str) -> None:
    # One store for every case (recording is the slow part); each case is checked on its own.
    before = snapshot(recorded)
    for arguments, message in BAD:
        done = run_cli(*arguments, "--db", recorded)
        assert (done.returncode, done.stderr, done.stdout) == (2, message + "\n", ""), arguments
        assert snapshot(recorded) == before, arguments


def test_a_bad_self_assessment_is_reported_at_its_places_and_not_recorded(recorded: str, tmp_path: Path) -> None:
    form = tmp_path / "halton.csv"
    form.write_text(
        "authority,year,trigger,view,comment\n"
        "Halton,2013-14,complaints,concern,Rising\n"
        "Halton,2013-14,complaint,concern,\n"
        "Halton,2013-14,staff-survey,maybe,\n",
        encoding="utf-8",
    )
    before = snapshot(recorded)
    done = run_cli("self-assessment", "record", str(form), "--by", "Halton DASS", "--db", recorded)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{form}:3:16: unknown trigger 'complaint' (did you mean 'complaints'?)",
        f"{form}:4:29: unknown view 'maybe'; one of concern, no_concern, unsure",
        "2 errors, 0 warnings",
    ]
    assert snapshot(recorded) == before
    form.write_text("authority,year,trigger,view,comment\nHalton,2013-14,complaints,concern,Rising\n",
                    encoding="utf-8")
    done = run_cli("self-assessment", "record", str(form), "--by", "Halton DASS", "--on", "2013-06-30",
                   "--db", recorded)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "recorded Halton's self-assessment for 2013-14: 1 views (event 1)\n"
    form.write_text("authority,year,trigger,view,comment\nRochdale,2013-14,complaints,no_concern,\n", encoding="utf-8")
    assert run_cli("self-assessment", "record", str(form), "--by", "Rochdale DASS", "--db", recorded).returncode == 0
    rochdale = run_cli("history", "Rochdale", "--db", recorded).stdout
    assert "workforce-vacancy-rate, senior-staff-turnover, complaints (own view: no_concern), safeguarding-report" in rochdale
    history = json.loads(run_cli("history", "Halton", "--format", "json", "--db", recorded).stdout)
    (own,) = history["years"][0]["self_assessments"]
    assert own["data"]["views"] == {"complaints": {"view": "concern", "comment": "Rising"}}


def test_an_override_then_the_history_shows_it(recorded: str) -> None:
    done = run_cli("finalise", "Halton", "--year", YEAR, "--level", "emerging_concerns", "--reason",
                   "Two complaints upheld since the data", "--by", "Assessor", "--on", "2013-10-15", "--db", recorded)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("Halton 2013-14: final, emerging_concerns, self_help "
                           "(overriding no_concerns, self_help) (event 1)\n")
    history = run_cli("history", "E06000006", "--db", recorded).stdout
    assert "2013-10-15 final view, by Assessor: overridden to emerging_concerns, self_help: Two complaints" in history


def test_no_store_named_is_one_line_and_exit_2(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "SLI_RULES_DB"}
    done = subprocess.run([sys.executable, "-m", "sli_rules", "history", "Halton"], capture_output=True, text=True,
                          cwd=REPO, env={**environment, "PYTHONPATH": str(REPO)})
    assert (done.returncode, done.stderr) == (2, "sli-rules: no store: give --db PATH-OR-URL or set SLI_RULES_DB\n")


def test_the_store_is_taken_from_sli_rules_db(recorded: str) -> None:
    done = subprocess.run([sys.executable, "-m", "sli_rules", "history", "Halton"], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "SLI_RULES_DB": recorded})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Halton (E06000006)\n\n2013-14\n  run 1: provisional no_concerns, self_help\n")


def test_without_the_store_extra_the_commands_say_which_extra_to_install(tmp_path: Path) -> None:
    # A module that fails to import stands in for SQLAlchemy not being installed.
    blocked = tmp_path / "blocked" / "sqlalchemy"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('No module named sqlalchemy', name='sqlalchemy')\n")
    done = subprocess.run(
        [sys.executable, "-m", "sli_rules", "history", "Halton", "--db", str(tmp_path / "sli.db")],
        capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{tmp_path / 'blocked'}{os.pathsep}{REPO}"},
    )
    assert done.returncode == 2
    assert done.stderr == ("sli-rules: the store needs SQLAlchemy and Alembic (sqlalchemy is not installed): "
                           "pip install 'sli-rules[store]'\n")
    assert not (tmp_path / "sli.db").exists()


def test_export_then_import_through_the_commands(recorded: str, other_db: str, tmp_path: Path) -> None:  # noqa: F811
    assert run_cli("discuss", "Halton", "--year", YEAR, "--note", "Met", "--by", "A", "--db", recorded).returncode == 0
    out = tmp_path / "store.json"
    done = run_cli("export", "--db", recorded, "-o", str(out))
    assert done.stdout == f"exported 1 run and 1 event to {out}\n"
    done = run_cli("import", str(out), "--db", other_db)
    assert (done.returncode, done.stdout) == (0, "imported 1 run and 1 event\n")
    assert (run_cli("history", "Halton", "--db", other_db).stdout
            == run_cli("history", "Halton", "--db", recorded).stdout)
    again = run_cli("import", str(out), "--db", other_db)
    assert (again.returncode, again.stderr) == (2, "sli-rules: the store to import into is not empty\n")


def test_a_damaged_export_is_reported_at_its_places_and_imports_nothing(recorded: str, other_db: str,  # noqa: F811
                                                                         tmp_path: Path) -> None:
    out = tmp_path / "store.json"
    assert run_cli("export", "--db", recorded, "-o", str(out)).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["runs"][0]["id"] = "one"
    data["events"] = [{"id": 1, "kind": "discuss", "run_id": 7}]
    out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    before = snapshot(other_db)
    done = run_cli("import", str(out), "--db", other_db)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert any(line.startswith(f"{out}:") and "runs[0].id: must be integer, not string" in line
               for line in lines), lines
    assert any("events[0]: 'authority' is missing" in line for line in lines), lines
    assert snapshot(other_db) == before
    out.write_text('{"format": "sli-rules store", "runs": [}', encoding="utf-8")
    done = run_cli("import", str(out), "--db", other_db)
    assert done.returncode == 2 and done.stderr.startswith(f"{out}:1:"), done.stderr


def test_without_the_postgresql_driver_the_commands_say_which_extra_to_install(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked" / "psycopg"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('No module named psycopg', name='psycopg')\n")
    done = subprocess.run(
        [sys.executable, "-m", "sli_rules", "history", "Halton", "--db", "postgresql+psycopg://sli:secret@localhost/x"],
        capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{tmp_path / 'blocked'}{os.pathsep}{REPO}"},
    )
    assert done.returncode == 2
    assert done.stderr == ("sli-rules: no driver for postgresql+psycopg://sli:***@localhost/x (No module named psycopg): "
                           "pip install 'sli-rules[postgres]'\n")


def test_a_server_that_cannot_be_reached_is_one_line_and_exit_2() -> None:
    done = run_cli("history", "Halton", "--db", "postgresql+psycopg://sli:secret@localhost:1/x")
    assert done.returncode == 2
    assert done.stderr.startswith("sli-rules: cannot open the store postgresql+psycopg://sli:***@localhost:1/x: ")
    assert "secret" not in done.stderr and len(done.stderr.splitlines()) == 1
