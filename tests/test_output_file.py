"""`-o FILE`: special files written in place, symlinks followed, modes kept, the umask honoured,
read-only files refused, and the file the user named in every message."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import REPO, run_cli


def _assess_to(target: Path | str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("assess", "--format", "csv", "-o", str(target), *extra)


def _no_temporary_files(folder: Path) -> None:
    assert not [path.name for path in folder.iterdir() if path.name.endswith(".tmp")]


def test_dev_null_stays_a_device() -> None:
    before = os.stat("/dev/null")
    completed = _assess_to("/dev/null")
    assert completed.returncode == 0, completed.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)
    _no_temporary_files(Path("/dev"))


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    completed = _assess_to(fifo)
    reader.join(timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith(b"authority,code,year,")
    _no_temporary_files(tmp_path)


def test_a_symlink_is_followed_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "result.csv"
    target.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    completed = _assess_to(link)
    assert completed.returncode == 0, completed.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("authority,code,year,")
    _no_temporary_files(tmp_path)
    _no_temporary_files(tmp_path / "real")


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "made.csv")
    completed = _assess_to(link)
    assert completed.returncode == 0, completed.stderr
    assert link.is_symlink() and (tmp_path / "made.csv").read_text().startswith("authority,")


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    completed = _assess_to(target)
    assert completed.returncode == 0, completed.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text().startswith("authority,")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o027, 0o640)])
def test_a_new_file_honours_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "result.csv"
    completed = subprocess.run(
        [sys.executable, "-m", "sli_rules", "assess", "--format", "csv", "-o", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: os.umask(umask),
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_read_only_file_is_refused_and_named(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("keep me\n")
    target.chmod(0o444)
    completed = _assess_to(target)
    assert completed.returncode == 2
    assert str(target) in completed.stderr and "read-only" in completed.stderr
    assert ".tmp" not in completed.stderr
    assert target.read_text() == "keep me\n"  # even for root, whom the mode does not stop
    _no_temporary_files(tmp_path)


def test_a_folder_is_refused_and_named(tmp_path: Path) -> None:
    completed = _assess_to(tmp_path)
    assert completed.returncode == 2
    assert str(tmp_path) in completed.stderr and "folder" in completed.stderr
    _no_temporary_files(tmp_path)


def test_a_missing_folder_is_named_not_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "result.csv"
    completed = _assess_to(target)
    assert completed.returncode == 2
    assert str(target) in completed.stderr and ".tmp" not in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_full_disk_names_the_target(tmp_path: Path) -> None:
    """/dev/full fails every write: the message names it, and nothing is left behind."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    link = tmp_path / "full.csv"
    link.symlink_to("/dev/full")
    completed = _assess_to(link)
    assert completed.returncode == 2
    assert str(link) in completed.stderr and "No space left" in completed.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_the_report_command_writes_through_the_same_path(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old\n")
    target.chmod(0o604)
    completed = run_cli("report", "-o", str(target))
    assert completed.returncode == 0, completed.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- never onto what the command reads; forms kept; export through the same path --------------


def test_assess_will_not_write_over_its_own_input(tmp_path: Path) -> None:
    facts = tmp_path / "halton.yaml"
    original = (REPO / "examples" / "north-west-2013-14" / "halton.yaml").read_bytes()
    facts.write_bytes(original)
    completed = run_cli("assess", str(facts), "-o", str(facts))
    assert completed.returncode == 2
    assert f"sli-rules: this command reads that file: it will not write over it: {facts}" in completed.stderr
    assert facts.read_bytes() == original
    _no_temporary_files(tmp_path)


def test_a_link_to_an_input_or_a_file_in_an_input_folder_is_seen_through(tmp_path: Path) -> None:
    folder = tmp_path / "region"
    folder.mkdir()
    for name in ("halton.yaml", "wigan.yaml"):
        (folder / name).write_bytes((REPO / "examples" / "north-west-2013-14" / name).read_bytes())
    link = tmp_path / "out.yaml"
    link.symlink_to(folder / "wigan.yaml")
    hard = tmp_path / "hard.yaml"
    os.link(folder / "halton.yaml", hard)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    for target in (link, hard, folder / "halton.yaml"):
        completed = _assess_to(target, str(folder))
        assert completed.returncode == 2, target
        assert "this command reads that file" in completed.stderr and str(target) in completed.stderr
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_a_rule_file_is_not_written_over(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "rules")).returncode == 0
    rule = tmp_path / "rules" / "menus" / "menu.yaml"
    if not rule.exists():
        rule = next((tmp_path / "rules" / "menus").glob("*.yaml"))
    original = rule.read_bytes()
    completed = run_cli("assess", "--rules", str(tmp_path / "rules"), "-o", str(rule))
    assert completed.returncode == 2 and "this command reads that file" in completed.stderr
    assert rule.read_bytes() == original


ONE_AUTHORITY = """authority: Halton
code: E06000006
year: 2013-14
facts:
  intelligence.lga_momentum_concern: true
"""


def _stored(tmp_path: Path) -> Path:
    store = tmp_path / "sli.db"
    (tmp_path / "halton.yaml").write_text(ONE_AUTHORITY, encoding="utf-8")
    done = run_cli("record", str(tmp_path / "halton.yaml"), "--db", str(store), "--by", "Analyst")
    assert done.returncode == 0, done.stderr
    return store


def test_export_and_report_will_not_write_over_the_store(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
    store = _stored(tmp_path)
    original = store.read_bytes()
    link = tmp_path / "copy.json"
    link.symlink_to(store)
    for command in (["export", "--db", str(store), "-o", str(store)],
                    ["export", "--db", str(store), "-o", str(link)],
                    ["export", "--db", f"sqlite:///{store}", "-o", str(store)],
                    ["report", str(tmp_path / "halton.yaml"), "--db", str(store), "-o", str(store)]):
        completed = run_cli(*command)
        assert completed.returncode == 2, command
        assert "this command reads that file" in completed.stderr, completed.stderr
        assert store.read_bytes() == original
    assert run_cli("history", "Halton", "--db", str(store)).returncode == 0
    _no_temporary_files(tmp_path)


def test_export_writes_as_every_other_command_does(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
    store = _stored(tmp_path)
    before = os.stat("/dev/null")
    assert run_cli("export", "--db", str(store), "-o", "/dev/null").returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and os.stat("/dev/null").st_rdev == before.st_rdev
    kept = tmp_path / "kept.json"
    kept.write_text("old\n")
    kept.chmod(0o640)
    assert run_cli("export", "--db", str(store), "-o", str(kept)).returncode == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and json_format(kept)
    made = tmp_path / "made.json"
    completed = subprocess.run(
        [sys.executable, "-m", "sli_rules", "export", "--db", str(store), "-o", str(made)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: os.umask(0o022), timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert stat.S_IMODE(made.stat().st_mode) == 0o644  # the umask's, not 0600
    missing = tmp_path / "nowhere" / "store.json"
    completed = run_cli("export", "--db", str(store), "-o", str(missing))
    assert completed.returncode == 2 and str(missing) in completed.stderr and ".tmp" not in completed.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert run_cli("export", "--db", str(store), "-o", str(fifo)).returncode == 0
    reader.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and received and b'"sli-rules store"' in received[0]
    _no_temporary_files(tmp_path)


def json_format(path: Path) -> bool:
    return '"format": "sli-rules store"' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx"])
def test_a_form_is_not_replaced_without_force(tmp_path: Path, suffix: str) -> None:
    form = tmp_path / f"halton{suffix}"
    assert run_cli("self-assessment", "template", "Halton", "--year", "2013-14", "-o", str(form)).returncode == 0
    form.write_bytes(b"filled in by Halton\n")
    form.chmod(0o640)
    completed = run_cli("self-assessment", "template", "Halton", "--year", "2013-14", "-o", str(form))
    assert completed.returncode == 2
    assert f"the file exists and may hold answers: give --force to replace it: {form}" in completed.stderr
    assert form.read_bytes() == b"filled in by Halton\n"
    completed = run_cli("self-assessment", "template", "Halton", "--year", "2013-14", "-o", str(form), "--force")
    assert completed.returncode == 0, completed.stderr
    assert form.read_bytes() != b"filled in by Halton\n" and stat.S_IMODE(form.stat().st_mode) == 0o640
    _no_temporary_files(tmp_path)


def test_init_will_not_copy_the_shipped_rulebook_onto_itself() -> None:
    rule = next((REPO / "triggers").glob("*.yaml"))
    before = rule.stat()
    completed = run_cli("init", str(REPO), "--force")
    assert completed.returncode == 2
    assert "this command reads that file: it will not write over it" in completed.stderr
    after = rule.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    _no_temporary_files(REPO / "triggers")
