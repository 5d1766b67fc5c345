"""Engine.reload: an edited rulebook takes effect in a running process; a broken one is
refused with RulebookError and the rules in force stay in force."""

from __future__ import annotations

from pathlib import Path

import pytest

import sli_rules
from sli_rules.errors import RulebookError

from .conftest import copy_rulebook

ROOT = Path(__file__).resolve().parent.parent


def _copy(tmp_path: Path) -> Path:
    return copy_rulebook(tmp_path)


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "triggers" / "resources.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _halton_flags(engine: sli_rules.Engine) -> set[str]:
    return {flag.trigger for flag in engine.assess()["Halton"].flags}


def test_a_reloaded_rulebook_takes_effect(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    engine = sli_rules.Engine(root)
    assert "senior-staff-turnover" not in _halton_flags(engine)
    before = engine.rulebook.digest
    # Lower the threshold so that any turnover at all is flagged.
    _edit(root, "      at_least: 3\n", "      at_least: 0\n")
    reloaded = engine.reload()
    assert reloaded is engine.rulebook
    assert engine.rulebook.digest != before
    assert "senior-staff-turnover" in _halton_flags(engine)


def test_a_broken_rulebook_is_refused_and_the_old_rules_stay(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    engine = sli_rules.Engine(root)
    before = engine.rulebook
    expected = engine.assess().to_dict()
    _edit(root, "      at_least: 3\n", "      abvoe: 3\n")
    with pytest.raises(RulebookError) as caught:
        engine.reload()
    assert [problem.message for problem in caught.value.problems] == ["unknown key 'abvoe'"]
    assert engine.rulebook is before
    assert engine.assess().to_dict() == expected


def test_reload_from_another_folder(tmp_path: Path) -> None:
    engine = sli_rules.Engine()
    other = _copy(tmp_path)
    _edit(other, "      at_least: 3\n", "      at_least: 0\n")
    engine.reload(other)
    assert "senior-staff-turnover" in _halton_flags(engine)
    engine.reload(sli_rules.load_rulebook())
    assert "senior-staff-turnover" not in _halton_flags(engine)
