"""sli_rules: the North West Sector Led Improvement risk triggers and support menu as
editable YAML rules, evaluated with durable-rules.

    import sli_rules
    engine = sli_rules.Engine(sli_rules.load_rulebook())
    result = engine.assess(sli_rules.load_facts("facts/"))
    print(result["Halton"].explain())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .assessment.backends import BackendUnavailable, EngineFallbackWarning
from .engine import AssessmentStream, Engine, assess
from .errors import FactsError, Problem, RulebookError, SliRulesError
from .facts import AuthorityFacts, Region, load_facts
from .load import load_rulebook
from .model import Rulebook
from .results import AuthorityAssessment, Flag, Gap, RegionAssessment, SupportOption
from .selfassess import OwnView, SelfAssessment, load_self_assessment, self_assessment_template
from .store import StoreError
from .workspace import example_path

if TYPE_CHECKING:
    from .store.api import Store


def __getattr__(name: str) -> Any:
    # The store needs the `store` extra: imported when first asked for, never at import time.
    if name == "Store":
        from . import store

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
