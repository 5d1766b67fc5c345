"""Text a person gave cannot pose as structure: every text output shows line breaks, carriage
returns and escape sequences visibly, while the store keeps the text exactly as given. Through
the command line, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sli_rules.words import _UNSAFE, _visible_character, visible

from .conftest import REPO, run_cli
from .storage import db  # noqa: F401 (fixtures)

YEAR = "2013-14"
FORGED_NOTE = "Met the DASS\n    now: final, no_concerns, self_help\n\rall well"
FORGED_BY = "Assessor\x1b[2J\x1b[31m"
FORGED_CONTACT = "HR\x1b]0;owned\x07 \u202egnp.exe"


def _no_control(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\r\x07\u202e"), repr(text)


def test_visible_shows_every_control_and_keeps_plain_text() -> None:
    assert visible("a\nb\rc\x1b[31md\te\x00\u2028f\u202e") == "a␊b␍c␛[31md␉e␀[U+2028]f[U+202E]"
    assert visible("Halton: café, 3–4 days") == "Halton: café, 3–4 days"


def test_printable_text_is_never_one_to_change() -> None:
    # `visible` returns printable text as it is: every character it would change must be one
    # Python counts unprintable. Checked over every code point.
    changed = [chr(code) for code in range(sys.maxunicode + 1) if visible(chr(code)) != chr(code)]
    assert len(changed) == 83 and not any(character.isprintable() for character in changed)
    assert [visible(text) for text in ("a\u00a0b", "\u2066x", "tab\there", "")] == ["a\u00a0b", "[U+2066]x", "tab␉here", ""]


@given(st.text())
def test_visible_is_the_substitution_whatever_the_text(text: str) -> None:
    assert visible(text) == _UNSAFE.sub(_visible_character, text)
    assert type(visible(_Text(text))) is str


class _Text(str):
    """Text of a kind of its own: still comes back as plain text."""


def test_a_forged_line_never_shows_as_a_line_of_history(db: str) -> None:  # noqa: F811
    pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
    assert run_cli("record", "--db", db, "--by", "Analyst").returncode == 0
    done = run_cli("discuss", "Halton", "--year", YEAR, "--note", FORGED_NOTE, "--by", FORGED_BY, "--on",
                   "2013-09-18", "--db", db)
    assert done.returncode == 0, done.stderr
    _no_control(done.stdout)
    done = run_cli("directory", "add", "Wigan", "--year", YEAR, "--area", "workforce", "--option", "peer-mentoring",
                   "--days", "5", "--contact", FORGED_CONTACT, "--by", FORGED_BY, "--on", "2013-10-01", "--db", db)
    assert done.returncode == 0, done.stderr

    history = run_cli("history", "Halton", "--db", db).stdout
    _no_control(history)
    lines = history.splitlines()
    assert [line for line in lines if line.strip().startswith("now:")] == ["    now: provisional, no_concerns, self_help"]
    assert ("    2013-09-18 discussed, by Assessor␛[2J␛[31m: Met the DASS␊    now: final, no_concerns, self_help␊␍"
            "all well") in lines

    for command in (["directory", "list", "--year", YEAR], ["history", "Wigan"], ["match", "--year", YEAR]):
        shown = run_cli(*command, "--db", db).stdout
        _no_control(shown)
    listing = run_cli("directory", "list", "--year", YEAR, "--db", db).stdout
    assert "(contact: HR␛]0;owned␇ [U+202E]gnp.exe)" in listing

    # What is stored is what was given: the JSON keeps every character.
    data = json.loads(run_cli("history", "Halton", "--format", "json", "--db", db).stdout)
    discussion = data["years"][0]["verdicts"][0]["discussions"][0]
    assert (discussion["note"], discussion["by"]) == (FORGED_NOTE, FORGED_BY)


def test_an_error_naming_a_forged_file_shows_it_visibly(tmp_path: Path) -> None:
    bad = tmp_path / "halton\x1b[2J\n.yaml"
    bad.write_text("authority: [\n", encoding="utf-8")
    done = run_cli("assess", str(bad))
    assert done.returncode == 2
    _no_control(done.stderr)
    assert "halton␛[2J␊.yaml:" in done.stderr
    assert len([line for line in done.stderr.splitlines() if "yaml" in line]) >= 1


def test_the_example_history_reads_as_before(db: str) -> None:  # noqa: F811
    """Plain text is untouched: the visible marks appear only where a control character was."""
    pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
    assert run_cli("record", str(REPO / "examples" / "north-west-2013-14"), "--db", db, "--by", "A").returncode == 0
    assert run_cli("discuss", "Halton", "--year", YEAR, "--note", "Met: home care — 3 complaints", "--by", "A",
                   "--on", "2013-09-18", "--db", db).returncode == 0
    assert "2013-09-18 discussed, by A: Met: home care — 3 complaints\n" in run_cli("history", "Halton",
                                                                                   "--db", db).stdout
