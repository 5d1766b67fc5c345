"""sli_rules: the North West Sector Led Improvement risk triggers and support menu as
editable YAML rules, evaluated with durable-rules.

    import sli_rules
    engine = sli_rules.Engine(sli_rules.load_rulebook())
    result = engine.assess(sli_rules.load_facts("facts/"))
    print(result["Halton"].explain())
"""

from __future__ import annotations

__version__ = "0.1.0"

from .engine import Engine, assess
from .errors import FactsError, Problem, RulebookError, SliRulesError
from .facts import AuthorityFacts, Region, load_facts
from .load import load_rulebook
from .model import Rulebook
from .results import AuthorityAssessment, Flag, Gap, RegionAssessment, SupportOption
from .workspace import example_path

__all__ = [
    "AuthorityAssessment",
    "AuthorityFacts",
    "Engine",
    "FactsError",
    "Flag",
    "Gap",
    "Problem",
    "Region",
    "RegionAssessment",
    "Rulebook",
    "RulebookError",
    "SliRulesError",
    "SupportOption",
    "assess",
    "example_path",
    "load_facts",
    "load_rulebook",
]
