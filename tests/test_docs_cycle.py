"""docs/cycle.md runs as written, on SQLite and on PostgreSQL: every `$ sli-rules ...` command
of its console blocks gives the output shown, and its Python block runs."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO
from .storage import db, other_db  # noqa: F401 (fixtures)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

DOC = REPO / "docs" / "cycle.md"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>[^ ]+) -->\n)?```(?P<kind>\w+)\n(?P<body>.*?)```", re.S)


def _blocks() -> list[tuple[str, str | None, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(match["kind"], match["file"], match["body"]) for match in BLOCK.finditer(text)]


def _steps(body: str) -> list[tuple[str, str]]:
    """A console block as (command, expected output) pairs."""
    steps: list[tuple[str, str]] = []
    for line in body.splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append((line[2:].strip(), ""))
        else:
            command, output = steps[-1]
            steps[-1] = (command, output + line)
    return steps


def test_the_worked_year_runs_as_written(db: str, tmp_path: Path) -> None:  # noqa: F811
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    ran = 0
    for kind, file, body in _blocks():
        if file:
            (tmp_path / file).write_text(body, encoding="utf-8")
        if kind != "console":
            continue
        for command, expected in _steps(body):
            words = shlex.split(command)
            if words[0] == "export":
                name, _, _ = words[1].partition("=")
                environment[name] = db  # the doc's sli.db, or this run's PostgreSQL store
                continue
            assert words[0] == "sli-rules", command
            done = subprocess.run([sys.executable, "-m", "sli_rules", *words[1:]], capture_output=True, text=True,
                                  cwd=tmp_path, env=environment, timeout=300)
            assert "Traceback" not in done.stderr, done.stderr
            assert done.stdout + done.stderr == expected, command
            ran += 1
    assert ran >= 14


def test_the_python_example_runs(other_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    (python,) = [body for kind, _, body in _blocks() if kind == "python"]
    for kind, file, body in _blocks():
        if file and kind != "console":
            (tmp_path / file).write_text(body, encoding="utf-8")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    code = python.replace('Store("sli.db")', f"Store({other_db!r})")
    exec(compile(code, str(DOC), "exec"), {"__name__": "cycle_doc"})
