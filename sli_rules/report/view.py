"""The one adapter between a result and the renderers: a plain view model, built once.

Every field the renderers show is read here, from `result.to_dict()` (the documented JSON
contract) and the result's own attributes, so that a field the result gains later (coverage, a
flag's Table 2 entry and basis, the authority's own view, last year's verdict, the discussion and
final view from the store, history) shows in every report as soon as it exists. Nothing here
decides anything: verdicts, tiers and flags are the result's; this module only groups, counts and
words them for people.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from ..words import visible
from .common import show
from .viewmodel import (
    OWN_VIEW_WORDS,
    AuthorityView,
    Celebration,
    CellView,
    Count,
    FlagView,
    GapView,
    HistoryPoint,
    RegionView,
    ValueView,
)

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment

def _get(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str:
    if type(value) is str and value.isprintable():
        return value  # what `visible` gives printable text, without a call: half a million here
    return visible(str(value)) if value is not None else ""


def _texts(values: Iterable[Any] | None) -> tuple[str, ...]:
    """`_text` of each value. A gap's lines are tens of texts (30 a gap, 170,000 on a Board
    page): when every one is text and all of them joined are printable, each one is printable
    (the empty text too), so each is its own `_text`, told at C speed without a call apiece."""
    items = tuple(values or ())
    if set(map(type, items)) <= {str} and "".join(items).isprintable():
        return items
    return tuple(map(_text, items))


def anchor_of(authority: str, code: str | None) -> str:
    """A stable, safe element id: the ONS code where there is one."""
    return "a-" + re.sub(r"[^A-Za-z0-9_-]+", "-", code or authority).strip("-").lower()


def run_date(result: Any) -> str:
    """The date of the run: the result's own, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    stamp = getattr(result, "assessed_at", None) or getattr(result, "created", None)
    if isinstance(stamp, (datetime.date, datetime.datetime)):
        moment = stamp
    elif os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        moment = datetime.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), datetime.timezone.utc)
    else:
        moment = datetime.datetime.now(datetime.timezone.utc)
    return f"{moment.day} {moment:%B %Y}"


def _own_view(flag: Mapping[str, Any]) -> tuple[str | None, str | None]:
    own = _get(flag, "view", "own_view", "self_assessment", "authority_view")
    if own is None:
        return None, None
    if isinstance(own, str) and flag.get("view_comment"):
        own = {"view": own, "comment": flag["view_comment"]}
    if isinstance(own, Mapping):
        view, comment = _get(own, "view", "answer", "value"), _get(own, "comment", "note")
    else:
        view, comment = own, None
    words = OWN_VIEW_WORDS.get(str(view), f"the authority's view: {_text(view)}") if view is not None else None
    return words, _text(comment) if comment else None


def _flag(flag: Mapping[str, Any], headings: Mapping[str, str]) -> FlagView:
    notes = flag.get("notes") or {}
    year_notes = flag.get("year_notes") or {}
    provenance = flag.get("provenance") or {}
    values = tuple(
        ValueView(
            _text(fact),
            show(value),
            value,
            _text(notes[fact]) if fact in notes else None,
            _text(provenance[fact]) if fact in provenance else None,
            _text(year_notes[fact]) if fact in year_notes else None,
        )
        for fact, value in (flag.get("values") or {}).items()
    )
    own_view, own_comment = _own_view(flag)
    heading = str(flag.get("heading", ""))
    return FlagView(
        trigger=_text(flag.get("trigger")),
        title=_text(flag.get("title")),
        heading=heading,
        heading_title=_text(headings.get(heading, heading)),
        signal=str(flag.get("signal", "concern")),
        counted=bool(flag.get("counted", True)),
        says=_text(flag.get("says")),
        sources=_texts(flag.get("sources")),
        values=values,
        tests=tuple((_text(item.get("text")), str(item.get("outcome"))) for item in flag.get("evidence") or ()),
        area=_text(flag["area"]) if flag.get("area") else None,
        entry=_text(flag.get("entry_title") or flag["entry"]) if flag.get("entry") else None,
        basis=_text(flag["basis"]) if flag.get("basis") else None,
        own_view=own_view,
        own_comment=own_comment,
        last_year=flag.get("last_year") if isinstance(flag.get("last_year"), bool) else None,
        data_sources=tuple(dict.fromkeys(value.source for value in values if value.source)),
    )


def _gap(gap: Mapping[str, Any], headings: Mapping[str, str]) -> GapView:
    heading = str(gap.get("heading", ""))
    return GapView(
        trigger=_text(gap.get("trigger")),
        title=_text(gap.get("title") or gap.get("trigger")),
        heading=heading,
        heading_title=_text(headings.get(heading, heading)),
        missing=_texts(gap.get("missing")),
        why=_texts(gap.get("why")),
        known=_texts(gap.get("known")),
    )


def _verdict_words(data: Any, level_titles: Mapping[str, str]) -> str | None:
    """Last year's verdict or the final view, however the result or the store gives it:
    `2012-13: Concerns, support Targeted support (Board, 2013-11-02): the reason`."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        return _text(level_titles.get(str(data), data))
    level = data.get("level")
    title = data.get("level_title") or (level_titles.get(str(level), level) if level else None)
    if not title:
        return None
    text = (f"{_text(data['year'])}: " if data.get("year") else "") + _text(title)
    tier = data.get("tier_title") or data.get("tier")
    if tier:
        text += f", support {_text(tier)}"
    who = ", ".join(_text(data[key]) for key in ("by", "when", "at") if data.get(key))
    if who:
        text += f" ({who})"
    if data.get("reason"):
        text += f": {_text(data['reason'])}"
    return text


def _discussion(data: Any) -> tuple[str, ...]:
    if not data:
        return ()
    items = data if isinstance(data, (list, tuple)) else [data]
    lines = []
    for item in items:
        if isinstance(item, Mapping):
            note = _text(_get(item, "note", "text", "summary"))
            who = ", ".join(_text(item[key]) for key in ("by", "when", "at") if item.get(key))
            lines.append(f"{note} ({who})" if who else note)
        else:
            lines.append(_text(item))
    return tuple(lines)


def _plain(value: Any) -> Any:
    """Store records as mappings, whether they come as attrs objects, mappings or lists."""
    if attrs.has(type(value)):
        return attrs.asdict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


class Result(Protocol):
    """What the view model reads of a result: its data, and (read if present) its `levels`,
    `tiers` and `headings`. A RegionAssessment, or one streamed assessment."""

    def to_dict(self) -> dict[str, Any]: ...


def build(result: Result, extras: Mapping[str, Mapping[str, Any]] | None = None) -> RegionView:
    """The view model of a result; `extras` adds what a store holds, by authority name or code
    (keys `history`, `previous`, `discussion`, `final`, as in an assessment's own data)."""
    data = result.to_dict()
    levels = tuple(getattr(result, "levels", ()) or ())
    tiers = tuple(getattr(result, "tiers", ()) or ())
    headings: dict[str, str] = dict(getattr(result, "headings", {}) or {})
    level_titles = dict(levels)
    ranks = {level: len(levels) - 1 - index for index, (level, _) in enumerate(levels)}
    extras = extras or {}

    records: list[dict[str, Any]] = list(data.get("assessments") or ())
    for record in records:
        for flag in record.get("flags") or ():
            headings.setdefault(str(flag.get("heading")), str(flag.get("heading")))
        for gap in record.get("gaps") or ():
            headings.setdefault(str(gap.get("heading")), str(gap.get("heading")))

    years_of: dict[str, list[HistoryPoint]] = {}
    for record in records:
        key = str(record.get("code") or record.get("authority"))
        level = str(record.get("level"))
        years_of.setdefault(key, []).append(
            HistoryPoint(
                str(record.get("year")),
                level,
                _text(record.get("level_title") or level),
                ranks.get(level, 0),
                record.get("status"),
            )
        )

    views = [_authority(record, headings, level_titles, ranks, extras, years_of) for record in records]
    latest: dict[str, AuthorityView] = {}
    for view in views:
        key = view.code or view.authority
        if key not in latest or view.year > latest[key].year:
            latest[key] = view
    authorities = tuple(latest.values())

    def counts(pairs: Iterable[tuple[str, str]], attribute: str) -> tuple[Count, ...]:
        found: dict[str, list[str]] = {key: [] for key, _ in pairs}
        titles = dict(pairs)
        for view in authorities:
            found.setdefault(getattr(view, attribute), []).append(view.authority)
        return tuple(Count(key, _text(titles.get(key, key)), len(names), tuple(names)) for key, names in found.items())

    sources: dict[str, None] = {}
    for view in views:
        for flag in view.flags:
            sources.update(dict.fromkeys(flag.data_sources or flag.sources))
    illustrative = bool(getattr(result, "illustrative", False)) or any(
        "illustrative" in source.lower() for source in sources
    )
    coverage = None
    if authorities and all(view.coverage is not None for view in authorities):
        coverage = (
            sum(view.coverage[0] for view in authorities if view.coverage),
            sum(view.coverage[1] for view in authorities if view.coverage),
        )
    rulebook = data.get("rulebook") or {}
    return RegionView(
        assessments=tuple(views),
        authorities=authorities,
        headings=tuple((key, _text(title)) for key, title in headings.items()),
        levels=counts(levels, "level"),
        tiers=counts(tiers, "tier"),
        celebrations=_celebrations(authorities),
        sources=tuple(sorted(sources)),
        years=tuple(sorted({view.year for view in views})),
        illustrative=illustrative,
        rulebook_digest=_text(rulebook.get("digest")),
        rulebook_path=_text(rulebook.get("path")),
        generated=run_date(result),
        warnings=tuple(map(_text, getattr(result, "warnings", ()) or ())),
        gaps=sum(len(view.gaps) for view in authorities),
        coverage=coverage,
        level_count=max(len(levels), 1),
        has_history=any(len(item.history) > 1 for item in authorities),
        caveats=_shared_caveats(views),
        finals=sum(1 for item in authorities if item.status.startswith("final")),
    )


def _shared_caveats(views: Iterable[AuthorityView]) -> tuple[tuple[str, str], ...]:
    """The caveats carried by every authority-year that has a counted concern (none where no
    authority has one)."""
    concerned = [view for view in views if view.counted_concerns]
    if not concerned:
        return ()
    shared = set(concerned[0].caveats)
    for view in concerned[1:]:
        shared &= set(view.caveats)
    return tuple(caveat for caveat in concerned[0].caveats if caveat in shared)


def authority_view(item: AuthorityAssessment, headings: Mapping[str, str] | None = None) -> AuthorityView:
    """One authority's view, without its region (for `explain`)."""
    record = item.to_dict()
    titles = dict(headings or {})
    for part in [*(record.get("flags") or ()), *(record.get("gaps") or ())]:
        titles.setdefault(str(part.get("heading")), str(part.get("heading")))
    return _authority(record, titles, {}, {}, {}, {})


def _authority(
    record: Mapping[str, Any],
    headings: Mapping[str, str],
    level_titles: Mapping[str, str],
    ranks: Mapping[str, int],
    extras: Mapping[str, Mapping[str, Any]],
    years_of: Mapping[str, list[HistoryPoint]],
) -> AuthorityView:
    authority, code = str(record.get("authority")), record.get("code")
    extra = {key: _plain(value) for key, value in (extras.get(code or "") or extras.get(authority) or {}).items()}
    merged = {**extra, **{key: value for key, value in record.items() if value not in (None, [], {})}}
    standing = extra.get("standing")
    if isinstance(standing, Mapping):
        # The store's record of the year (level, tier, status in words) stands over the
        # assessment's own provisional verdict; where its tier differs, so do the options.
        record = {**record, **standing}
        merged = {**merged, "status": record["status"]}
    flags = [_flag(flag, headings) for flag in record.get("flags") or ()]
    gaps = tuple(_gap(gap, headings) for gap in record.get("gaps") or ())
    coverage_data = merged.get("coverage") or {}
    by_heading = coverage_data.get("headings") or {}
    # Each heading's counted concerns, strengths and gaps, counted in one pass over each
    # (not three passes for every heading).
    concerns: Counter[str] = Counter(
        flag.heading for flag in flags if flag.signal == "concern" and flag.counted
    )
    strengths: Counter[str] = Counter(flag.heading for flag in flags if flag.signal == "excellence")
    unjudged: Counter[str] = Counter(gap.heading for gap in gaps)
    cells = []
    for heading, title in headings.items():
        judged = by_heading.get(heading, {}).get("judged") if heading in by_heading else None
        total = by_heading.get(heading, {}).get("total") if heading in by_heading else None
        cells.append(
            CellView(
                heading, _text(title), concerns[heading], strengths[heading], unjudged[heading], judged, total
            )
        )
    coverage = None
    if "judged" in coverage_data and "total" in coverage_data:
        coverage = (int(coverage_data["judged"]), int(coverage_data["total"]))

    own_years = list(years_of.get(str(code or authority), []))
    for point in _plain(merged.get("history") or []):
        if isinstance(point, Mapping) and point.get("year") and point.get("level"):
            level = str(point["level"])
            own_years.append(
                HistoryPoint(
                    str(point["year"]),
                    level,
                    _text(point.get("level_title") or level_titles.get(level, level)),
                    ranks.get(level, 0),
                    point.get("status"),
                )
            )
    history = {point.year: point for point in sorted(own_years, key=lambda point: point.year)}
    year = str(record.get("year"))
    previous = _verdict_words(_get(merged, "previous", "previous_verdict", "last_year"), level_titles)
    if previous is None:
        earlier = [point for point in history.values() if point.year < year]
        previous = f"{earlier[-1].year}: {earlier[-1].level_title}" if earlier else None
    level = str(record.get("level"))
    return AuthorityView(
        authority=_text(authority),
        code=_text(code) if code else None,
        year=_text(year),
        anchor=anchor_of(authority, code),
        level=level,
        level_title=_text(record.get("level_title") or level),
        rank=ranks.get(level, 0),
        tier=str(record.get("tier")),
        tier_title=_text(record.get("tier_title") or record.get("tier")),
        status=_text(merged.get("status") or "provisional"),
        reasons=tuple(map(_text, record.get("reasons") or ())),
        concerns=tuple(flag for flag in flags if flag.signal == "concern"),
        excellence=tuple(flag for flag in flags if flag.signal == "excellence"),
        gaps=gaps,
        cells=tuple(cells),
        support=tuple(
            (
                _text(option.get("title")),
                _text(option["via"]) if option.get("via") else None,
                tuple(map(_text, option.get("suits") or ())),
            )
            for option in record.get("support") or ()
        ),
        peers=tuple(
            (
                _text(peer.get("authority")),
                _text(peer.get("area")),
                anchor_of(str(peer.get("authority")), peer.get("code")),
            )
            for peer in record.get("peers") or ()
        ),
        tier_note=_text(record["tier_note"]) if record.get("tier_note") else None,
        coverage=coverage,
        coverage_headings=tuple(
            (_text(headings.get(heading, heading)), int(part.get("judged", 0)), int(part.get("total", 0)))
            for heading, part in by_heading.items()
        ),
        previous=previous,
        discussion=_discussion(merged.get("discussion")),
        final=_verdict_words(_get(merged, "final", "final_view"), level_titles),
        history=tuple(history.values()),
        caveats=tuple(
            (_text(caveat.get("id")), _text(caveat.get("text")))
            for caveat in record.get("caveats") or ()
            if isinstance(caveat, Mapping)
        ),
    )


def _celebrations(authorities: tuple[AuthorityView, ...]) -> tuple[Celebration, ...]:
    helped: dict[str, list[str]] = {}
    for view in authorities:
        for _, area, anchor in view.peers:
            helped.setdefault(anchor, [])
            entry = f"{view.authority} ({area})"
            if entry not in helped[anchor]:
                helped[anchor].append(entry)
    found = []
    for view in authorities:
        if not view.excellence:
            continue
        strengths = tuple(
            f"{flag.title} ({flag.heading_title}{', ' + flag.area if flag.area and flag.area != flag.heading else ''})"
            for flag in view.excellence
        )
        offers = tuple(dict.fromkeys(flag.area or flag.heading_title for flag in view.excellence))
        found.append(Celebration(view.authority, view.anchor, strengths, tuple(helped.get(view.anchor, ())), offers))
    return tuple(found)
