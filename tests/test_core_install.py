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
    for folder in ("triggers", "menus", "themes"):
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
    assert "\n\nSector Led Improvement risk assessment: 23 authorities" in completed.stdout
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
            "import sli_rules, sli_rules.rules.load as l; print(sli_rules.__file__, l.default_rulebook_path())",
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


def _fresh_environment(wheel: Path, root: Path) -> Path:
    """A new virtual environment with the wheel installed in it, not editable; its
    dependencies (durable-rules compiles from source, minutes) are taken from this test's own
    environment through a .pth file, so that only the wheel is new. Returns its bin folder."""
    fresh = root / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True, timeout=300)
    python = fresh / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         str(wheel)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert installed.returncode == 0, installed.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()
    import attrs
    import cattrs
    import durable_rules_engine
    import yaml

    # A plain path line: the .pth files of those folders (an editable install of this
    # repository, say) are not processed, so the only sli_rules there is the wheel's.
    folders = {str(Path(module.__file__ or "").resolve().parent.parent) for module in (attrs, cattrs, yaml)}
    folders.add(str(Path(durable_rules_engine.__file__ or "").resolve().parent))
    (Path(site) / "test-dependencies.pth").write_text("\n".join(sorted(folders)) + "\n", encoding="utf-8")
    return fresh / "bin"


def _shell_commands(markdown: str) -> list[str]:
    """The indented `sli-rules ...` and `cd ...` lines of a guide, in order."""
    return [
        line.strip() for line in markdown.splitlines()
        if line.startswith("       ") and line.strip().split(" ")[0] in ("sli-rules", "cd")
    ]


def test_the_walkthrough_and_the_readme_work_from_a_fresh_install(wheel: Path, tmp_path: Path) -> None:
    bin_folder = _fresh_environment(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_folder}{os.pathsep}{env.get('PATH', '')}"

    def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        words = command.split()
        return subprocess.run(
            [str(bin_folder / words[0]), *words[1:]], capture_output=True, text=True, cwd=cwd, env=env,
            timeout=300, check=False,
        )

    where = subprocess.run(
        [str(bin_folder / "python"), "-c", "import sli_rules; print(sli_rules.__file__)"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60, check=True,
    )
    assert where.stdout.startswith(str(tmp_path / "fresh")), where.stdout

    # The threshold walkthrough, command by command as the guide writes them.
    guide = (REPO / "docs" / "threshold-walkthrough.md").read_text(encoding="utf-8")
    commands = _shell_commands(guide)
    assert commands == [
        "sli-rules init my-rules",
        "cd my-rules",
        "sli-rules validate --rules .",
        "sli-rules explain Halton examples/north-west-2013-14 --rules .",
        "sli-rules assess examples/north-west-2013-14 --rules .",
        "sli-rules test --rules .",
    ]
    folder = elsewhere
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}
    for command in commands:
        if command.startswith("cd "):
            folder = folder / command.split()[1]
            # Step 2 of the guide: the threshold of senior-staff-turnover from 3 to 2.
            resources = folder / "triggers" / "resources.yaml"
            text = resources.read_text(encoding="utf-8")
            start = text.index("  - id: senior-staff-turnover\n")
            end = text.index("  - id:", start + 1)
            assert text[start:end].count("at_least: 3\n") == 1
            resources.write_text(
                text[:start] + text[start:end].replace("at_least: 3\n", "at_least: 2\n") + text[end:],
                encoding="utf-8",
            )
            continue
        outputs[command] = run(command, folder)
        assert "Traceback" not in outputs[command].stderr, outputs[command].stderr
    rules = (elsewhere / "my-rules").resolve()
    validated = outputs["sli-rules validate --rules ."]
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout.splitlines()[0] == "valid"
    assert validated.stdout.splitlines()[1].startswith(f"rulebook: {rules} (sha256:")
    explained = outputs["sli-rules explain Halton examples/north-west-2013-14 --rules ."]
    assert explained.returncode == 0, explained.stderr
    assert "  Significant turnover of senior staff in a relatively short time [senior-staff-turnover]\n" \
        "    2 changes of post holder in senior adult social care posts in two years.\n" in explained.stdout
    assessed = outputs["sli-rules assess examples/north-west-2013-14 --rules ."]
    assert assessed.returncode == 0 and assessed.stdout.startswith(f"rulebook: {rules} (sha256:")
    # The guide says the change makes rule tests that start from a clean Halton fail.
    tested = outputs["sli-rules test --rules ."]
    assert tested.returncode == 1 and tested.stdout.splitlines()[-1].endswith("failed")
    assert "FAILED triggers/tests/default-rulebook.yaml:" in tested.stdout

    # The README's Python example, in a folder holding only the my-rules copy it reloads.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    script = readme.split("```python\n")[1].split("```")[0]
    assert "sli_rules.example_path()" in script and 'engine.reload("my-rules/")' in script
    ran = subprocess.run(
        [str(bin_folder / "python"), "-c", script], capture_output=True, text=True, cwd=elsewhere, env=env,
        timeout=300, check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("no_concerns self_help []")
