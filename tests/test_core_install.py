"""The wheel ships the default rulebook and the example region: installed, it works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("sli_rules-*.whl")
    return built


def test_the_wheel_carries_the_rulebook_and_the_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {name.split("/_shipped/", 1)[1] for name in names if "/_shipped/" in name}
    for folder in ("triggers", "menus"):
        for path in (REPO / folder).rglob("*.yaml"):
            assert path.relative_to(REPO).as_posix() in shipped
    for path in (REPO / "examples" / "north-west-2013-14").glob("*.yaml"):
        assert path.relative_to(REPO).as_posix() in shipped
    assert "sli_rules/py.typed" in names


def test_the_installed_package_assesses_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    completed = subprocess.run(
        [sys.executable, "-m", "sli_rules", "assess"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Sector Led Improvement risk assessment: 23 authorities")
    # The wheel carries the report's templates: the Board report renders from anywhere.
    report = subprocess.run(
        [sys.executable, "-m", "sli_rules", "report", "-o", "board.html"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert report.returncode == 0, report.stderr
    assert "The figures are illustrative" in (elsewhere / "board.html").read_text(encoding="utf-8")
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sli_rules, sli_rules.load as l; print(sli_rules.__file__, l.default_rulebook_path())",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    module, rules = where.stdout.split()
    assert module.startswith(str(site)) and rules.startswith(str(site))
    validated = subprocess.run(
        [sys.executable, "-m", "sli_rules", "validate"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert validated.returncode == 0, validated.stderr
