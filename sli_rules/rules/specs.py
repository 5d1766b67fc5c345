"""The rule files as written: the documents of each kind, structured by cattrs (every key
checked, unknown keys reported at their place) before the loader builds the rulebook from them
(`model`)."""

from __future__ import annotations

from typing import Any, Union

import attrs


@attrs.frozen
class AliasSpec:
    id: str
    since: str | None = None
    until: str | None = None


@attrs.frozen
class MeasureSpec:
    id: str
    name: str
    type: str = "number"
    unit: str | None = None
    better: str = "none"
    group: str | None = None
    aliases: list[Union[str, AliasSpec]] = attrs.Factory(list)  # noqa: UP007 (cattrs)
    source: str | None = None
    range: list[float] | None = None
    values: list[str] | None = None
    since: str | None = None
    until: str | None = None
    breaks: list[str] = attrs.Factory(list)
    note: str | None = None
    basis: str | None = None
    method: str | None = None  # proportion | rate: how its confidence interval is taken
    per: float | None = None  # the scale of its values: 100 for percentages, 100000 for a rate
    year_notes: dict[str, str] = attrs.Factory(dict)  # year → what the publisher says of it


@attrs.frozen
class MeasuresFile:
    kind: str
    measures: list[MeasureSpec]


@attrs.frozen
class TriggerSpec:
    id: str
    title: str
    when: Any
    signal: str = "concern"
    area: str | None = None
    sources: list[str] = attrs.Factory(list)
    says: str | None = None
    only_with_other_concerns: bool = False
    note: str | None = None
    entry: str | None = None
    basis: str | None = None
    years: Any = None  # {from: YEAR, until: YEAR}, either end optional: checked by the loader


@attrs.frozen
class TriggersFile:
    kind: str
    heading: str
    triggers: list[TriggerSpec]
    title: str | None = None


@attrs.frozen
class LevelSpec:
    id: str
    title: str
    when: Any = None
    note: str | None = None


@attrs.frozen
class VerdictsFile:
    kind: str
    levels: list[LevelSpec]


@attrs.frozen
class OptionSpec:
    id: str
    title: str
    via: str | None = None
    suits: list[str] = attrs.Factory(list)
    note: str | None = None


@attrs.frozen
class TierSpec:
    id: str
    title: str
    verdicts: list[str]
    options: list[str]
    note: str | None = None
    corroboration: str | None = None


@attrs.frozen
class PeersSpec:
    per_authority: int = 3
    cap: int = 3
    days_cap: int | None = None


@attrs.frozen
class MenuFile:
    kind: str
    options: list[OptionSpec]
    tiers: list[TierSpec]
    peers: PeersSpec | None = None


@attrs.frozen
class ExpectSpec:
    level: str | None = None
    tier: str | None = None
    flags: list[str] | None = None
    has_flags: list[str] = attrs.Factory(list)
    not_flags: list[str] = attrs.Factory(list)
    gaps: list[str] | None = None


@attrs.frozen
class TestSpec:
    name: str
    authority: str
    expect: ExpectSpec
    facts: dict[str, Any] = attrs.Factory(dict)
    previous: dict[str, Any] = attrs.Factory(dict)
    remove: list[str] = attrs.Factory(list)
    # The concerns counted in each year before, last year first (for `persistent`), and the
    # authority's own view of its concern triggers (for `unacknowledged`).
    flagged_before: list[list[str]] = attrs.Factory(list)
    views: dict[str, str] = attrs.Factory(dict)


@attrs.frozen
class TestsFile:
    kind: str
    tests: list[TestSpec]
    region: Any = None
    rules: str | None = None
