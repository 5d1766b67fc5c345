"""Verdict conditions as written (`when` of the levels of the policy "in the round") parsed
into the model's verdict conditions, each key checked against `verdict_keys`."""

from __future__ import annotations

from typing import Any

from ...errors import did_you_mean
from ..convert import type_name
from ..model import HEADINGS, Counter, Flagged, VerdictAll, VerdictAny, VerdictCondition, VerdictNot
from ..source import Where
from ..verdict_keys import MAX_YEARS, VERDICT_KEYS
from .conditions import MAX_DEPTH, ConditionParser, whole_years


class VerdictParser(ConditionParser):
    """The parser of trigger conditions, which also parses the policy's conditions (their
    numeric tests are the same)."""

    def verdict_condition(
        self, where: Where, value: Any, trigger_ids: set[str], depth: int = 0
    ) -> VerdictCondition | None:
        document = self.document
        if depth > MAX_DEPTH:
            document.problem(self.problems, where, f"conditions nested more than {MAX_DEPTH} deep")
            return None
        if not isinstance(value, dict) or not value:
            document.problem(
                self.problems, where,
                f"a verdict condition is a mapping, got {type_name(value)}",
            )
            return None
        keys = set(value)
        handled, combined = self.state.combination(
            document, where, value,
            lambda inner, item: self.verdict_condition(inner, item, trigger_ids, depth + 1),
            (VerdictAll, VerdictAny, VerdictNot),
        )
        if handled:
            return combined  # type: ignore[no-any-return]
        if "flagged" in keys:
            if keys != {"flagged"}:
                self.state.extra_keys(document, where, keys - {"flagged"}, "'flagged'")
                return None
            trigger_id = value["flagged"]
            if isinstance(trigger_id, str) and trigger_id not in trigger_ids and self.state.known(
                "triggers", trigger_id
            ):
                return None
            if not isinstance(trigger_id, str) or trigger_id not in trigger_ids:
                document.problem(
                    self.problems, (*where, "flagged"), f"unknown trigger {trigger_id!r}",
                    hint=did_you_mean(str(trigger_id), trigger_ids),
                )
                return None
            return Flagged(trigger_id)
        counters = keys & set(VERDICT_KEYS)
        if len(counters) != 1:
            unknown = sorted(keys - {"in", "years"})
            for key in unknown:
                document.problem(
                    self.problems, (*where, key), f"unknown verdict condition '{key}'", key=True,
                    hint=did_you_mean(key, (*VERDICT_KEYS, "flagged", "all", "any", "not")),
                )
            if not unknown:
                document.problem(self.problems, where, "a verdict condition needs what to count")
            return None
        (what,) = counters
        key = VERDICT_KEYS[what]
        extra = keys - {what, "in", "years"}
        if extra:
            self.state.extra_keys(document, where, extra, f"'{what}'")
            return None
        heading = value.get("in")
        if heading is not None:
            if not key.by_heading:
                document.problem(self.problems, (*where, "in"), f"'{what}' cannot be limited to a heading")
                return None
            if heading not in HEADINGS:
                document.problem(
                    self.problems, (*where, "in"), f"unknown heading {heading!r}",
                    hint=did_you_mean(str(heading), HEADINGS),
                )
                return None
        tested = value[what]
        years = 0
        if key.years:
            # `years: N` beside the test, or inside it (`persistent: {at_least: 1, years: 3}`).
            spot: Where = (*where, "years")
            if isinstance(tested, dict) and "years" in tested:
                if "years" in keys:
                    document.problem(self.problems, spot, "years is given twice", hint="keep one")
                    return None
                spot, given = (*where, what, "years"), tested["years"]
                tested = {name: item for name, item in tested.items() if name != "years"}
            else:
                given = value.get("years")
            if given is not None:
                if not whole_years(given):
                    document.problem(
                        self.problems, spot, f"years is a whole number from 1 to {MAX_YEARS}, got {given!r}"
                    )
                    return None
                years = given
        elif "years" in keys:
            document.problem(self.problems, (*where, "years"), f"'{what}' cannot be limited to a number of years",
                             key=True)
            return None
        test, _ = self.number_test((*where, what), tested, shares="fraction" if key.share else "none")
        return None if test is None else Counter(what, heading, test, years)
