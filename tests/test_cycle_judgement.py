"""What the store knows reaches the verdict: an authority's own view beside each concern (and
the policy's `unacknowledged`), and last year's concerns (`persistent`), through the real
command line, a real SQLite store and real files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

import sli_rules

from .conftest import EXAMPLE, run_cli


def _db(tmp_path: Path) -> str:
    return str(tmp_path / "sli.db")


def _recorded(db: str, *arguments: str) -> dict[str, Any]:
    completed = run_cli("record", *arguments, "--db", db, "--by", "Assessor")
    assert completed.returncode == 0, completed.stderr
    run = int(completed.stdout.split()[2].rstrip(":"))
    store = sli_rules.Store(db)
    try:
        return store.result(run)
    finally:
        store.close()


def _by_name(result: dict[str, Any]) -> dict[str, Any]:
    return {item["authority"]: item for item in result["assessments"]}


def test_a_second_year_knows_the_first_years_concerns(tmp_path: Path) -> None:
    db = _db(tmp_path)
    first = _by_name(_recorded(db, str(EXAMPLE)))
    next_year = tmp_path / "next-year"
    shutil.copytree(EXAMPLE, next_year)
    for path in next_year.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("year: 2013-14", "year: 2014-15"), encoding="utf-8")
    second = _by_name(_recorded(db, str(next_year)))
    rochdale_before = {f["trigger"] for f in first["Rochdale"]["flags"] if f["signal"] == "concern" and f["counted"]}
    assert rochdale_before
    assert all(flag["last_year"] is None for flag in first["Rochdale"]["flags"])
    for flag in second["Rochdale"]["flags"]:
        if flag["signal"] == "concern":
            assert flag["last_year"] == (flag["trigger"] in rochdale_before)
    assert any(flag["last_year"] for flag in second["Rochdale"]["flags"])


def test_the_authoritys_own_view_stands_beside_its_flags(tmp_path: Path) -> None:
    db = _db(tmp_path)
    first = _by_name(_recorded(db, str(EXAMPLE)))
    concern = next(f["trigger"] for f in first["Rochdale"]["flags"] if f["signal"] == "concern" and f["counted"])
    form = tmp_path / "rochdale.yaml"
    made = run_cli("self-assessment", "template", "Rochdale", "--year", "2013-14", "-o", str(form))
    assert made.returncode == 0, made.stderr
    blank = sli_rules.load_self_assessment(form)
    assert blank.authority == "Rochdale" and blank.year == "2013-14"
    assert concern in form.read_text(encoding="utf-8")
    # The authority says it has no concern there.
    edited = _mark(form, concern, "no_concern", "We do not recognise this.")
    recorded = run_cli("self-assessment", "record", str(edited), "--db", db, "--by", "Rochdale DASS")
    assert recorded.returncode == 0, recorded.stderr
    second = _by_name(_recorded(db, str(EXAMPLE)))
    flag = next(f for f in second["Rochdale"]["flags"] if f["trigger"] == concern)
    assert flag["view"] == "no_concern"
    assert flag["view_comment"] == "We do not recognise this."
    assert all(f["view"] is None for f in second["Halton"]["flags"])  # no self-assessment of its own


def _mark(form: Path, trigger: str, view: str, comment: str) -> Path:
    """The form as the authority fills it in: its view and comment against one trigger."""
    data = yaml.safe_load(form.read_text(encoding="utf-8"))
    assert _set_view(data, trigger, view, comment), f"{trigger} is not on the form"
    form.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return form


def _set_view(node: Any, trigger: str, view: str, comment: str) -> bool:
    if isinstance(node, dict):
        if node.get("trigger") == trigger:
            node["view"] = view
            node["comment"] = comment
            return True
        return any(_set_view(value, trigger, view, comment) for value in node.values())
    if isinstance(node, list):
        return any(_set_view(item, trigger, view, comment) for item in node)
    return False


def test_the_board_report_shows_what_the_store_holds(tmp_path: Path) -> None:
    db = _db(tmp_path)
    _recorded(db, str(EXAMPLE))
    for arguments in (
        ("discuss", "Halton", "--year", "2013-14", "--note", "Discussed with the DASS in October", "--by", "Lead"),
        ("finalise", "Halton", "--year", "2013-14", "--level", "emerging_concerns",
         "--reason", "Senior staff turnover is still settling", "--by", "Lead"),
    ):
        completed = run_cli(*arguments, "--db", db)
        assert completed.returncode == 0, completed.stderr
    page = tmp_path / "report.html"
    completed = run_cli("report", "--db", db, "-o", str(page))
    assert completed.returncode == 0, completed.stderr
    html = page.read_text(encoding="utf-8")
    halton = html[html.index('id="a-e06000006"') :]
    halton = halton[: halton.index("</section>")]
    assert "Discussed with the DASS in October" in halton
    assert "Senior staff turnover is still settling" in halton
    # A store that cannot be opened is one located line and exit 2, nothing written.
    missing = run_cli("report", "--db", str(tmp_path / "no" / "such" / "sli.db"), "-o", str(tmp_path / "x.html"))
    assert missing.returncode == 2 and "no such folder for the store" in missing.stderr
    assert not (tmp_path / "x.html").exists()
