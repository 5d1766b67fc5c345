"""sli_rules: the North West Sector Led Improvement risk triggers and support menu as
editable YAML rules, evaluated with durable-rules.

    import sli_rules
    engine = sli_rules.Engine(sli_rules.load_rulebook())
    result = engine.assess(sli_rules.load_facts("facts/"))
    print(result["Halton"].explain())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__
from .assessment.backends import BackendUnavailable, EngineFallbackWarning
from .assessment.engine import AssessmentStream, Engine, assess
from .assessment.results import AuthorityAssessment, Flag, Gap, RegionAssessment, SupportOption, explain_with
from .cycle.store import StoreError
from .errors import FactsError, Problem, RulebookError, SliRulesError
from .facts import AuthorityFacts, Region, load_facts
from .facts.selfassess import OwnView, SelfAssessment, load_self_assessment, self_assessment_template
from .report import explain_text
from .rules.load import load_rulebook
from .rules.model import Rulebook
from .rules.workspace import example_path

if TYPE_CHECKING:
    from .cycle.store.api import Store

# An assessment's explain() is the report layer's words: results import nothing above them.
explain_with(explain_text)


def __getattr__(name: str) -> Any:
    # The store needs the `store` extra: imported when first asked for, never at import time.
    if name == "Store":
        from .cycle import store

        return store.Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AssessmentStream",
    "AuthorityAssessment",
    "AuthorityFacts",
    "BackendUnavailable",
    "Engine",
    "EngineFallbackWarning",
    "FactsError",
    "Flag",
    "Gap",
    "OwnView",
    "Problem",
    "Region",
    "RegionAssessment",
    "Rulebook",
    "RulebookError",
    "SelfAssessment",
    "SliRulesError",
    "Store",
    "StoreError",
    "SupportOption",
    "assess",
    "example_path",
    "load_facts",
    "load_rulebook",
    "load_self_assessment",
    "self_assessment_template",
]
