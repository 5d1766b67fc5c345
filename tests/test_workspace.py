"""`sli-rules init DIR` (an editable copy of the rules), the rulebook in force named by
`validate` and `assess`, and the shipped example region's public path."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import sli_rules

from .conftest import REPO, run_cli

IN_FORCE = re.compile(r"rulebook: (?P<path>/.+) \((?P<digest>sha256:[0-9a-f]{64})\)")


def test_init_writes_a_copy_that_validates_and_passes_its_own_tests(tmp_path: Path) -> None:
    made = run_cli("init", "my-rules", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("wrote an editable copy of the default rulebook to my-rules:")
    assert "sli-rules test --rules my-rules" in made.stdout
    copy = tmp_path / "my-rules"
    for folder in ("triggers", "menus"):
        shipped = sorted(p.relative_to(REPO).as_posix() for p in (REPO / folder).rglob("*.yaml"))
        assert sorted(p.relative_to(copy).as_posix() for p in (copy / folder).rglob("*.yaml")) == shipped
    example = REPO / "examples" / "north-west-2013-14"
    assert sorted(p.name for p in (copy / "examples" / "north-west-2013-14").iterdir()) == sorted(
        p.name for p in example.iterdir() if not p.name.startswith(".")
    )
    validated = run_cli("validate", "--rules", "my-rules", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    first, second = validated.stdout.splitlines()
    assert first == "valid"
    named = IN_FORCE.fullmatch(second)
    assert named is not None and named["path"] == str(copy.resolve())
    # An unchanged copy is the shipped rulebook, file for file: the same digest.
    assert named["digest"] == sli_rules.load_rulebook().digest
    # The rule tests read the copied example region (their `region:` resolves in the copy).
    tested = run_cli("test", "--rules", "my-rules", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout
    assert re.fullmatch(r"\d+ passed, 0 failed", tested.stdout.splitlines()[-1])


def test_every_path_named_inside_the_copy_resolves_inside_it(tmp_path: Path) -> None:
    assert run_cli("init", "copy", cwd=tmp_path).returncode == 0
    copy = tmp_path / "copy"
    named = 0
    for path in copy.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"^# yaml-language-server: \$schema=(\S+)$", text, re.MULTILINE):
            named += 1
            schema = (path.parent / target).resolve()
            assert schema.is_file() and copy.resolve() in schema.parents, (path, target)
            json.loads(schema.read_text(encoding="utf-8"))
        for target in re.findall(r"^region: (\S+)$", text, re.MULTILINE):
            named += 1
            region = (path.parent / target).resolve()
            # The example region, or a data file of the rule tests shipped beside them.
            assert region.exists() and copy.resolve() in region.parents, (path, target)
    assert named > 30


def test_an_edit_in_the_copy_changes_the_verdict_and_the_digest(tmp_path: Path) -> None:
    assert run_cli("init", "rules", cwd=tmp_path).returncode == 0
    rules = tmp_path / "rules"
    resources = rules / "triggers" / "resources.yaml"
    text = resources.read_text(encoding="utf-8")
    before = run_cli("explain", "Halton", "examples/north-west-2013-14", "--rules", ".", cwd=rules)
    assert "senior-staff-turnover" not in before.stdout
    old = "      fact: workforce.senior_turnover_2y\n"
    assert text.count(old) == 1
    start = text.index(old)
    edited = text[:start] + text[start:].replace("      at_least: 3\n", "      at_least: 2\n", 1)
    resources.write_text(edited, encoding="utf-8")
    after = run_cli("explain", "Halton", "examples/north-west-2013-14", "--rules", ".", cwd=rules)
    assert after.returncode == 0, after.stderr
    assert "[senior-staff-turnover]" in after.stdout
    validated = run_cli("validate", "--rules", ".", cwd=rules)
    named = IN_FORCE.fullmatch(validated.stdout.splitlines()[1])
    assert named is not None and named["digest"] != sli_rules.load_rulebook().digest


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    refused = run_cli("init", "rules", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == (
        "sli-rules: rules: the folder is not empty (use --force to write over the copied files)\n"
    )
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    (tmp_path / "rules-file").write_text("")
    not_a_folder = run_cli("init", "rules-file", cwd=tmp_path)
    assert (not_a_folder.returncode, not_a_folder.stderr) == (2, "sli-rules: rules-file: not a folder\n")
    forced = run_cli("init", "rules", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (target / "notes.txt").read_text() == "mine\n"
    (target / "menus" / "support.yaml").write_text("broken: [\n")
    again = run_cli("init", "rules", "--force", cwd=tmp_path)
    assert again.returncode == 0
    assert (target / "menus" / "support.yaml").read_bytes() == (REPO / "menus" / "support.yaml").read_bytes()


def test_init_creates_missing_parent_folders_and_an_empty_target_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_cli("init", "empty", cwd=tmp_path).returncode == 0
    assert run_cli("init", "a/b/c", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a" / "b" / "c" / "triggers" / "tests" / "default-rulebook.yaml").is_file()


def test_assess_names_the_rulebook_in_force(tmp_path: Path) -> None:
    rulebook = sli_rules.load_rulebook()
    text = run_cli("assess")
    assert text.returncode == 0, text.stderr
    header = IN_FORCE.fullmatch(text.stdout.splitlines()[0])
    assert header is not None and header["digest"] == rulebook.digest
    assert Path(header["path"]) == Path(rulebook.path).resolve()
    assert text.stdout.splitlines()[1] == ""
    # Machine formats stay clean on stdout; the line goes to stderr.
    as_json = run_cli("assess", "--format", "json")
    assert json.loads(as_json.stdout)["rulebook"]["digest"] == rulebook.digest
    assert IN_FORCE.fullmatch(as_json.stderr.strip()) is not None
    as_csv = run_cli("assess", "--format", "csv", "-o", str(tmp_path / "out.csv"))
    assert as_csv.stdout == "" and IN_FORCE.fullmatch(as_csv.stderr.strip()) is not None
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["authority", "code", "year"]
    assert not any(row[0].startswith("rulebook") for row in rows)


def test_the_shipped_example_has_a_public_path() -> None:
    path = sli_rules.example_path()
    assert path.is_dir() and (path / "halton.yaml").is_file()
    region = sli_rules.load_facts(path)
    assert len(region) == 23
