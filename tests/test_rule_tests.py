"""The shipped rule tests pass and cover every trigger, verdict level and tier; a failing rule
test is shown with what was expected, what came out and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sli_rules
from sli_rules.assessment.ruletest import run_tests

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "north-west-2013-14"


def _sli_rules(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sli_rules", *arguments],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
    )


def test_shipped_rule_tests_pass_with_full_coverage() -> None:
    engine = sli_rules.Engine()
    run = run_tests(engine, [ROOT / "triggers" / "tests"])
    failures = [(result.name, result.failures) for result in run.results if not result.passed]
    assert failures == []
    assert run.passed == len(run.results) > 0
    assert run.uncovered() == {"triggers": [], "levels": [], "tiers": []}
    assert run.coverage() == 100.0


def test_cli_runs_the_shipped_tests_with_a_coverage_minimum() -> None:
    result = _sli_rules(ROOT, "test", "--coverage-min", "100")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert "rule coverage: 100%" in lines
    assert lines[-1].endswith(" passed, 0 failed")
    assert "no test reached" not in result.stdout


def test_a_failing_rule_test_shows_expected_actual_and_why(tmp_path: Path) -> None:
    (tmp_path / "failing.yaml").write_text(
        "kind: tests\n"
        f"region: {EXAMPLE.as_posix()}\n"
        "tests:\n"
        "  - name: a clean authority wrongly expected to raise concerns\n"
        "    authority: Halton\n"
        "    expect: {level: concerns, tier: targeted_support, flags: [complaints]}\n"
        "  - name: a clean authority has no concerns\n"
        "    authority: Halton\n"
        "    expect: {level: no_concerns}\n",
        encoding="utf-8",
    )
    result = _sli_rules(tmp_path, "test", "failing.yaml")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "FAILED failing.yaml:4: a clean authority wrongly expected to raise concerns",
        "  level: expected concerns, got no_concerns",
        "  tier: expected targeted_support, got self_help",
        "  flags: expected ['complaints'], got []",
    ]
    assert lines[4] == "    | Halton (E06000006), 2013-14"  # the explanation follows
    assert any(line.startswith("    | Verdict: No significant concerns") for line in lines)
    assert lines[-1] == "1 passed, 1 failed"
    assert "  no test reached these levels: serious_concerns, concerns, emerging_concerns, insufficient_evidence" in lines
    assert "Traceback" not in result.stderr


def test_coverage_below_the_minimum_fails(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(
        "kind: tests\n"
        f"region: {EXAMPLE.as_posix()}\n"
        "tests:\n"
        "  - name: a clean authority has no concerns\n"
        "    authority: Halton\n"
        "    expect: {level: no_concerns, tier: self_help}\n",
        encoding="utf-8",
    )
    result = _sli_rules(tmp_path, "test", "one.yaml", "--coverage-min", "50")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-2] == "1 passed, 0 failed"
    assert lines[-1].startswith("rule coverage ") and lines[-1].endswith("is below the minimum of 50%")
    assert _sli_rules(tmp_path, "test", "one.yaml", "--coverage-min", "1").returncode == 0
