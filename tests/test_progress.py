"""Progress on standard error: a bar redrawn in place on a terminal, plain lines in a log (only
when asked for), never a byte of it on standard output."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from sli_rules.cli.progress import Progress, bar

from .conftest import REPO, run_cli

MULTI_YEAR = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"


def test_a_log_gets_whole_lines_and_standard_output_only_the_result(tmp_path: Path) -> None:
    plain = run_cli("assess", str(MULTI_YEAR), "--years", "all", "--format", "json")
    logged = run_cli("assess", str(MULTI_YEAR), "--years", "all", "--format", "json", "--progress")
    assert plain.returncode == logged.returncode == 0, logged.stderr
    assert logged.stdout == plain.stdout  # the result alone
    json.loads(logged.stdout)
    assert "\r" not in logged.stderr and "\x1b" not in logged.stderr
    lines = logged.stderr.splitlines()
    for step in ("loading the rules", "loading the facts"):
        assert f"{step}..." in lines
        assert any(line.startswith(f"{step}: done in ") and line.endswith(" s") for line in lines), lines
    assert "assessed 162/162" in lines and "written 162/162" in lines
    # The folder's one fact file (its README and script are not facts), read within the step.
    assert lines.index("loading the facts...") < lines.index("files read 1/1") < lines.index("assessed 162/162")
    assert lines.index("assessed 162/162") < lines.index("written 162/162")
    # Not asked for, and not a terminal: nothing.
    assert "loading" not in plain.stderr and "assessed" not in plain.stderr


def test_a_whole_result_reports_writing_it_and_a_failed_step_says_so(tmp_path: Path) -> None:
    written = tmp_path / "out.md"
    done = run_cli("assess", "--format", "markdown", "-o", str(written), "--progress")
    assert done.returncode == 0 and written.exists(), done.stderr
    lines = done.stderr.splitlines()
    assert "assessed 23/23" in lines and "writing markdown..." in lines
    bad = tmp_path / "bad.yaml"
    bad.write_text("authority: X\nyear: 2013-14\nfacts: {ascof.quality_of_life: lots}\n", encoding="utf-8")
    failed = run_cli("assess", str(bad), "--progress")
    assert failed.returncode == 2
    assert any(line.startswith("loading the facts: stopped after ") for line in failed.stderr.splitlines())
    assert f"{bad}:3:" in failed.stderr  # the problem itself, with its place, as ever


def test_report_and_record_report_their_steps(tmp_path: Path) -> None:
    report = run_cli("report", "--progress", "-o", str(tmp_path / "board.html"))
    assert report.returncode == 0, report.stderr
    assert "writing html..." in report.stderr.splitlines() and "assessed 23/23" in report.stderr
    db = tmp_path / "cycle.db"
    recorded = run_cli("record", "--db", str(db), "--by", "Jo Bloggs", "--progress")
    assert recorded.returncode == 0, recorded.stderr
    lines = recorded.stderr.splitlines()
    assert "recording 23 assessments of 2013-14 in the store..." in lines, lines
    # Reading the example's 23 files and making each assessment ready to record are counted.
    read = [line for line in lines if line.startswith("files read ")]
    assert read[-1] == "files read 23/23" and len(read) >= 10, read
    recording = [line for line in lines if line.startswith("recording 2013-14 ")]
    assert recording[-1] == "recording 2013-14 23/23", lines
    assert lines.index("recording 23 assessments of 2013-14 in the store...") < lines.index(recording[-1])
    assert recorded.stdout.startswith("recorded run ")


def test_on_a_terminal_a_bar_is_drawn_in_place_and_cleared(tmp_path: Path) -> None:
    """Standard error on a pseudo-terminal, standard output to a file: the steps are drawn on one
    line, each cleared when done, with no --progress needed; the result is untouched."""
    leader, follower = pty.openpty()
    written = tmp_path / "out.json"
    with open(written, "wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "sli_rules", "assess", str(MULTI_YEAR), "--years", "all", "--format", "json"],
            stdout=out, stderr=follower, stdin=subprocess.DEVNULL, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"},
        )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            child.kill()
            raise AssertionError(f"no output for 2 minutes: {seen[-500:]!r}")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert child.wait(timeout=60) == 0, seen[-2000:]
    os.close(leader)
    text = seen.decode("utf-8")
    assert "\r\x1b[Kloading the rules…" in text and "\r\x1b[Kloading the facts…" in text
    assert "assessed [" in text  # a bar mid-way through 162 authority-years
    assert "\r\x1b[K" + "assessed 162/162" not in text and "\nassessed" not in text  # no log lines
    expected = run_cli("assess", str(MULTI_YEAR), "--years", "all", "--format", "json").stdout
    assert written.read_text(encoding="utf-8") == expected


def test_a_bar_fills_with_the_work_and_fits_the_line() -> None:
    assert bar("assessed", 0, 10, 0.0, 80) == "assessed [" + "." * 40 + "] 0/10 0 s"
    half = bar("assessed", 512, 1024, 3.2, 80)
    assert half == "assessed [" + "#" * 20 + "." * 20 + "] 512/1,024 3 s"
    assert len(bar("assessed", 5, 10, 1.0, 30)) <= 29
    assert bar("assessed", 0, 0, 0.0, 80).startswith("assessed [" + "#" * 40)  # nothing to do: done


def test_a_terminal_stream_is_redrawn_and_a_log_throttled_to_tenths() -> None:
    screen = io.StringIO()
    terminal = Progress(screen, terminal=True, enabled=True)
    report = terminal.counter("assessed")
    report(100, 1000)
    report(1000, 1000)
    assert screen.getvalue().startswith("\r\x1b[Kassessed [####")
    assert screen.getvalue().endswith("\r\x1b[K")  # cleared at the end
    log = io.StringIO()
    lines = Progress(log, terminal=False, enabled=True).counter("assessed")
    for done in range(0, 1001, 50):
        lines(done, 1000)
    assert log.getvalue().splitlines() == [f"assessed {done}/1000" for done in range(0, 1001, 100)]
    quiet = io.StringIO()
    Progress(quiet, terminal=False, enabled=False).counter("assessed")(1000, 1000)
    assert quiet.getvalue() == ""
