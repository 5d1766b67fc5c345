"""The cycle on record from the command line: `record`, `history`, `current`, `discuss`,
`finalise`, `decide`, `support`, `self-assessment`, `theme`, `directory`, `match`, `export`,
`import`.

The store is `--db` (a path or a SQLAlchemy URL), `SLI_RULES_DB` by default. A refused act
prints one line saying why and exits 2, with nothing written; a bad file prints every problem
as `path:line:column: message`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cycle.store.location import store_files
from ..errors import SliRulesError
from ..output import check_output, write_file
from ..words import visible, visible_all
from .stored import known_to_store
from .themes import review_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..assessment.results import LastYear, RegionAssessment
    from ..cycle.store import Event, History, MatchPlan, Offer, Verdict
    from ..cycle.store.api import Store
    from ..cycle.store.themes import ToConfirm
    from ..facts import Region

COMMANDS = (
    "record", "history", "current", "discuss", "finalise", "decide", "support", "self-assessment", "theme",
    "directory", "match", "export", "import",
)
BAD_INPUT = 2


def add_commands(commands: Any, facts_arguments: Any) -> None:
    """Register the cycle's commands on the main parser's subcommands."""

    def store_argument(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--db", metavar="DB", default=os.environ.get("SLI_RULES_DB"),
            help="the store: a path (SQLite) or a SQLAlchemy URL (default: $SLI_RULES_DB)",
        )

    def act(name: str, help_text: str) -> argparse.ArgumentParser:
        command: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        command.add_argument("authority", metavar="AUTHORITY", help="name or ONS code")
        command.add_argument("--year", metavar="YYYY-YY", required=True)
        command.add_argument("--by", metavar="NAME", required=True, help="who acted")
        command.add_argument("--on", metavar="YYYY-MM-DD", help="the date of the act (default: today)")
        store_argument(command)
        return command

    record = commands.add_parser("record", help="assess a region and record the result in the store")
    facts_arguments(record)
    record.add_argument("--by", metavar="NAME", help="who recorded it (default: the user's login name)")
    record.add_argument("--supersede", metavar="REASON",
                        help="why a year with a final view or Board decision on record is recorded again")
    store_argument(record)

    current = commands.add_parser("current", help="an authority's verdict for a year as it stands on record")
    current.add_argument("authority", metavar="AUTHORITY", help="name or ONS code")
    current.add_argument("--year", metavar="YYYY-YY", required=True)
    current.add_argument("--format", choices=("text", "json"), default="text")
    store_argument(current)

    history = commands.add_parser("history", help="everything on record for an authority, year by year")
    history.add_argument("authority", metavar="AUTHORITY", help="name or ONS code")
    history.add_argument("--format", choices=("text", "json"), default="text")
    store_argument(history)

    discuss = act("discuss", "record a discussion of the verdict with the authority (MoU 2.1b)")
    discuss.add_argument("--note", metavar="TEXT", required=True)

    finalise = act("finalise", "take the final view: confirm the verdict, or override it with a reason")
    finalise.add_argument("--level", metavar="LEVEL", help="a level other than the provisional one: an override")
    finalise.add_argument("--tier", metavar="TIER", help="a tier other than the provisional one: an override")
    finalise.add_argument("--reason", metavar="TEXT", help="why (required for an override)")
    finalise.add_argument("--concerns", metavar="TRIGGER,...",
                          help="the concern triggers the final view confirms (default: the counted ones)")

    decide = act("decide", "record the Board's decision of a tier and whether the authority accepted it")
    decide.add_argument("--tier", metavar="TIER", required=True)
    answer = decide.add_mutually_exclusive_group(required=True)
    answer.add_argument("--accepted", dest="accepted", action="store_true")
    answer.add_argument("--declined", dest="accepted", action="store_false")
    decide.add_argument("--note", metavar="TEXT")
    decide.add_argument("--reason", metavar="TEXT", help="why a tier other than the final view's (required then)")

    support = act("support", "record support given: a menu option, its provider, days, status and outcome")
    support.add_argument("--option", metavar="OPTION", required=True)
    support.add_argument("--provider", metavar="NAME")
    support.add_argument("--days", metavar="N", type=int)
    support.add_argument("--status", metavar="STATUS", default="planned",
                         help="planned, under_way, delivered or cancelled (default: planned)")
    support.add_argument("--outcome", metavar="TEXT")
    support.add_argument("--over-cap", metavar="REASON",
                         help="why the provider gives more days than the menu's days cap (recorded as a challenge)")

    own = commands.add_parser("self-assessment", help="self-assessment forms (MoU 2.1h)")
    own_commands = own.add_subparsers(dest="own_command", metavar="ACTION", required=True)
    template = own_commands.add_parser("template", help="write a blank form: .xlsx, .csv or .yaml")
    template.add_argument("authority", metavar="AUTHORITY")
    template.add_argument("--year", metavar="YYYY-YY", required=True)
    template.add_argument("--code", metavar="CODE", help="the authority's ONS code")
    template.add_argument("-o", "--output", metavar="FILE", required=True)
    template.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    template.add_argument("--force", action="store_true", help="replace FILE if it exists (it may be a filled form)")
    own_record = own_commands.add_parser("record", help="check a filled form and record it in the store")
    own_record.add_argument("file", metavar="FILE")
    own_record.add_argument("--by", metavar="NAME", required=True)
    own_record.add_argument("--on", metavar="YYYY-MM-DD")
    own_record.add_argument("--rules", metavar="DIR")
    own_record.add_argument("--supersede", metavar="REASON", help="why a second form for the year replaces the first")
    store_argument(own_record)

    theme = commands.add_parser("theme", help="thematic reviews (MoU 2.1 a): forms, records, the regional report")
    theme_commands = theme.add_subparsers(dest="theme_command", metavar="ACTION", required=True)
    theme_template = theme_commands.add_parser("template", help="write a blank form: .xlsx, .csv or .yaml")
    theme_template.add_argument("theme", metavar="THEME", help="the theme's id (in the rulebook's themes/)")
    theme_template.add_argument("authority", metavar="AUTHORITY")
    theme_template.add_argument("--year", metavar="YYYY-YY", required=True)
    theme_template.add_argument("--code", metavar="CODE", help="the authority's ONS code (default: from its name)")
    theme_template.add_argument("-o", "--output", metavar="FILE", required=True)
    theme_template.add_argument("--force", action="store_true", help="write over an existing file")
    theme_template.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    theme_record = theme_commands.add_parser("record", help="check a filled form and record it in the store")
    theme_record.add_argument("file", metavar="FILE")
    theme_record.add_argument("--by", metavar="NAME", required=True, help="who recorded it")
    theme_record.add_argument("--date", "--on", dest="on", metavar="YYYY-MM-DD",
                              help="the date of the review, within its year (default: today)")
    theme_record.add_argument("--supersede", metavar="REASON", help="replace the review of this theme on record")
    theme_record.add_argument("--rules", metavar="DIR")
    store_argument(theme_record)
    theme_report = theme_commands.add_parser("report", help="the region's picture for one theme")
    theme_report.add_argument("theme", metavar="THEME")
    theme_report.add_argument("--year", metavar="YYYY-YY", required=True)
    theme_report.add_argument("--format", choices=("html", "markdown", "json", "pdf"),
                              help="default: told by the output's suffix, else markdown")
    theme_report.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    theme_report.add_argument("--rules", metavar="DIR")
    store_argument(theme_report)

    directory = commands.add_parser("directory", help="the excellence directory: offers of time")
    directory_commands = directory.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    add = directory_commands.add_parser("add", help="offer days of officer or member time in an area")
    add.add_argument("authority", metavar="AUTHORITY")
    add.add_argument("--year", metavar="YYYY-YY", required=True)
    add.add_argument("--area", metavar="AREA", required=True, help="a heading or a trigger area")
    add.add_argument("--option", metavar="OPTION", required=True, help="a menu option")
    add.add_argument("--days", metavar="N", type=int, required=True)
    add.add_argument("--contact", metavar="TEXT")
    add.add_argument("--by", metavar="NAME", required=True)
    add.add_argument("--on", metavar="YYYY-MM-DD")
    store_argument(add)
    listing = directory_commands.add_parser("list", help="the offers of a year")
    listing.add_argument("--year", metavar="YYYY-YY", required=True)
    store_argument(listing)

    match = commands.add_parser("match", help="match the directory's offers to the year's concerns")
    match.add_argument("--year", metavar="YYYY-YY", required=True)
    match.add_argument("--days-each", metavar="N", type=int, default=1, help="days a match takes (default: 1)")
    match.add_argument("--format", choices=("text", "json"), default="text")
    store_argument(match)

    export = commands.add_parser("export", help="write the whole store as JSON")
    export.add_argument("-o", "--output", metavar="FILE", required=True)
    store_argument(export)

    restore = commands.add_parser("import", help="restore an export into an empty store")
    restore.add_argument("file", metavar="FILE")
    store_argument(restore)


def main(arguments: argparse.Namespace) -> int:
    """Run one of the cycle's commands; errors print one line (or located lines) and exit 2."""
    from ..cycle.store import StoreError

    try:
        return _run(arguments)
    except StoreError as error:
        for line in map(visible, str(error).splitlines()):
            print(line if ":" in line.split(" ", 1)[0] else f"sli-rules: {line}", file=sys.stderr)
        return BAD_INPUT


def _open(arguments: argparse.Namespace) -> Store:
    from ..cycle.store import StoreError, require_store_extra

    if not arguments.db:
        raise StoreError("no store: give --db PATH-OR-URL or set SLI_RULES_DB")
    require_store_extra()
    from ..cycle.store.api import Store

    return Store(arguments.db)


def _run(arguments: argparse.Namespace) -> int:
    command = arguments.command
    if command == "self-assessment" and arguments.own_command == "template":
        return _template(arguments)
    if command == "theme":
        from .themes import run_theme

        return run_theme(arguments, _open)
    if command == "import":
        # The file is checked before the store is touched: a damaged export changes nothing.
        from ..cycle.store.transfer import read_export

        data = read_export(Path(arguments.file))
        with _open(arguments) as store:
            runs, events = store.import_(data)
        print(f"imported {runs} run{'s' if runs != 1 else ''} and {events} event{'s' if events != 1 else ''}")
        return 0
    if command == "record":
        return _record(arguments)
    if command == "export":
        check_output(arguments.output, reads=store_files(arguments.db or ""))  # before the store is opened
    if command == "self-assessment":
        from ..facts.selfassess import load_self_assessment
        from ..rules.load import load_rulebook

        own = load_self_assessment(arguments.file, load_rulebook(arguments.rules))
        with _open(arguments) as store:
            event = store.self_assess(own, by=arguments.by, on=arguments.on, supersede=arguments.supersede)
        print(f"recorded {visible(own.authority)}'s self-assessment for {own.year}: {len(own.views)} views "
              f"(event {event})")
        return 0
    with _open(arguments) as store:
        if command == "history":
            history = store.history(arguments.authority)
            if arguments.format == "json":
                sys.stdout.write(json.dumps(history.to_dict(), indent=2, sort_keys=True) + "\n")
            else:
                sys.stdout.write(history_text(history))
            return 0
        if command == "current":
            verdict = store.current(arguments.authority, arguments.year)
            if arguments.format == "json":
                sys.stdout.write(json.dumps(current_data(verdict), indent=2, sort_keys=True) + "\n")
            else:
                sys.stdout.write(current_text(verdict))
            return 0
        if command == "discuss":
            event = store.discuss(arguments.authority, arguments.year, note=arguments.note, by=arguments.by,
                                  on=arguments.on)
        elif command == "finalise":
            concerns = None
            if arguments.concerns is not None:
                concerns = [part.strip() for part in arguments.concerns.split(",") if part.strip()]
            event = store.finalise(arguments.authority, arguments.year, by=arguments.by, reason=arguments.reason,
                                   level=arguments.level, tier=arguments.tier, concerns=concerns, on=arguments.on)
        elif command == "decide":
            event = store.decide(arguments.authority, arguments.year, tier=arguments.tier,
                                 accepted=arguments.accepted, by=arguments.by, note=arguments.note,
                                 reason=arguments.reason, on=arguments.on)
        elif command == "support":
            event = store.support(arguments.authority, arguments.year, option=arguments.option,
                                  provider=arguments.provider, days=arguments.days, status=arguments.status,
                                  outcome=arguments.outcome, over_cap=arguments.over_cap, by=arguments.by,
                                  on=arguments.on)
        elif command == "directory" and arguments.directory_command == "add":
            event = store.offer(arguments.authority, arguments.year, area=arguments.area, option=arguments.option,
                                days=arguments.days, contact=arguments.contact, by=arguments.by, on=arguments.on)
            print(f"offer {event} added to the directory for {arguments.year}")
            return 0
        elif command == "directory":
            sys.stdout.write(offers_text(arguments.year, store.offers(arguments.year)))
            sys.stdout.write(to_confirm_text(store.offers_to_confirm(arguments.year)))
            return 0
        elif command == "match":
            plan = store.match(arguments.year, days_each=arguments.days_each)
            if arguments.format == "json":
                sys.stdout.write(json.dumps(plan.to_dict(), indent=2, sort_keys=True) + "\n")
            else:
                sys.stdout.write(match_text(plan))
            return 0
        else:  # export
            data = store.export()
            write_file(arguments.output, json.dumps(data, indent=1, sort_keys=True) + "\n",
                       reads=store_files(arguments.db))
            runs, events = len(data["runs"]), len(data["events"])
            print(f"exported {runs} run{'s' if runs != 1 else ''} and {events} event{'s' if events != 1 else ''} "
                  f"to {arguments.output}")
            return 0
        verdict = store.current(arguments.authority, arguments.year)
        print(f"{visible(verdict.authority)} {visible(verdict.year)}: {verdict_line(verdict)} (event {event})")
        return 0


def _record(arguments: argparse.Namespace) -> int:
    """Assess and record, a year at a time in order (`--years`): each year reads the one before
    from the store (its final view where taken, the Board's decision, the support given)."""
    import attrs

    from ..assessment.engine import Engine, example_region_path
    from ..facts import bind, load_facts
    from ..rules.model import year_start
    from .progress import FILES_READ, Progress

    progress = Progress.for_arguments(arguments)
    # The store is opened (and migrated) first, so that a store that cannot be used is
    # reported before the assessment's work is done.
    with _open(arguments) as store:
        with progress.step("loading the rules"):
            engine = Engine(arguments.rules)
        paths = arguments.paths or [str(example_region_path())]
        with progress.step("loading the facts"):
            region = load_facts(*paths, year=arguments.year, years=arguments.years, region=arguments.region,
                                comparators=arguments.comparators, progress=progress.counter(FILES_READ))
            # The thematic reviews on record are facts too: added before binding, then every
            # value checked at once, before anything is written.
            region, _ = known_to_store(store, region)
            region = bind(region, engine.rulebook)
        years = sorted({item.year for item in region.authorities}, key=year_start)
        # Every year is checked before the first is written: a refusal leaves the store as it was.
        store.check_recording(((item.authority, item.code, item.year) for item in region.authorities),
                              supersede=arguments.supersede)
        sources = [*paths, *([arguments.comparators] if arguments.comparators else [])]
        for year in years:
            part = attrs.evolve(region, authorities=tuple(item for item in region.authorities if item.year == year))
            # What the store knows already reaches the verdict: each authority's own view of its
            # triggers this year, and its year before as it stands on record.
            remembered = store.last_year(year)
            result = engine.assess(part, self_assessments=store.self_assessments(year),
                                   last_year={key: found.concerns for key, found in remembered.items()},
                                   years_before=store.years_before(year),
                                   progress=progress.counter(f"assessed {year}"))
            result = with_last_year(result, remembered)
            for warning in result.warnings:
                print(visible(str(warning)), file=sys.stderr)
            with progress.step(f"recording {len(result)} assessments of {year} in the store"):
                run = store.record(result, rulebook=engine.rulebook, sources=sources, by=arguments.by,
                                   supersede=arguments.supersede, progress=progress.counter(f"recording {year}"))
            count = len(result)
            print(f"recorded run {run}: {count} {'authority' if count == 1 else 'authorities'}, {year}")
    return 0


def with_last_year(result: RegionAssessment, remembered: Mapping[str, LastYear]) -> RegionAssessment:
    """The result with each assessment's year before as it stands on record, where known."""
    import attrs

    if not remembered:
        return result
    return attrs.evolve(
        result,
        assessments=tuple(
            attrs.evolve(item, last_year=remembered.get(item.code or item.authority, remembered.get(item.authority)))
            for item in result
        ),
    )


def with_store(
    arguments: argparse.Namespace, progress: Callable[[int, int], None] | None = None
) -> tuple[Region, dict[str, Any]]:
    """The region of `assess --db`, with what the store knows (`known_to_store`) as the
    engine's keyword arguments: nothing is recorded. `progress` follows the reading of files."""
    from ..assessment.engine import example_region_path
    from ..facts import load_facts

    paths = arguments.paths or [str(example_region_path())]
    region = load_facts(*paths, year=arguments.year, region=arguments.region, comparators=arguments.comparators,
                        years=arguments.years, progress=progress)
    with _open(arguments) as store:
        return known_to_store(store, region)


def _template(arguments: argparse.Namespace) -> int:
    from ..facts.selfassess import self_assessment_template
    from ..rules.load import load_rulebook

    path = self_assessment_template(load_rulebook(arguments.rules), arguments.authority, arguments.year,
                                    arguments.output, code=arguments.code, force=arguments.force)
    print(f"wrote {path}")
    return 0


# --- text ----------------------------------------------------------------------------------


def verdict_line(verdict: Verdict) -> str:
    verdict = visible_all(verdict)
    text = f"{verdict.status}, {verdict.level}, {verdict.tier}"
    if verdict.overridden:
        text += f" (overriding {verdict.provisional_level}, {verdict.provisional_tier})"
    if verdict.decision is not None:
        answer = "declined" if verdict.declined else "accepted"
        text += f"; Board decision: {verdict.decision.data['tier']}, {answer}"
    return text


def current_data(verdict: Verdict) -> dict[str, Any]:
    """The verdict as it stands, as JSON: status, level, tier, the provisional verdict beside
    it, the final view, the decision and the support."""

    def act(event: Event | None) -> dict[str, Any] | None:
        return None if event is None else {"id": event.id, "on": event.on, "by": event.by, "note": event.note,
                                           **event.data}

    return {
        "authority": verdict.authority,
        "code": verdict.code,
        "year": verdict.year,
        "run": verdict.run,
        "status": verdict.status,
        "level": verdict.level,
        "tier": verdict.tier,
        "concerns": list(verdict.concerns),
        "provisional": {"level": verdict.provisional_level, "tier": verdict.provisional_tier,
                        "concerns": list(verdict.flags)},
        "overridden": verdict.overridden,
        "discussions": [act(event) for event in verdict.discussions],
        "final": act(verdict.final),
        "decision": act(verdict.decision),
        "declined": verdict.declined,
        "support": [act(event) for event in verdict.support],
    }


def current_text(verdict: Verdict) -> str:
    """The verdict as it stands, as an assessor reads it; every text a person gave shown visibly."""
    verdict = visible_all(verdict)
    lines = [f"{verdict.authority}" + (f" ({verdict.code})" if verdict.code else "") + f" {verdict.year}, run "
             f"{verdict.run}"]
    lines.append(f"  now: {verdict.status}, {verdict.level}, {verdict.tier}")
    if verdict.status == "final":
        lines.append(f"  provisional verdict: {verdict.provisional_level}, {verdict.provisional_tier}"
                     + (" (overridden)" if verdict.overridden else " (confirmed)"))
    concerns = ", ".join(verdict.concerns) if verdict.concerns else "none"
    lines.append(f"  concerns {'confirmed' if verdict.status == 'final' else 'counted'}: {concerns}")
    for event in (*verdict.discussions, *((verdict.final,) if verdict.final else ()),
                  *((verdict.decision,) if verdict.decision else ()), *verdict.support):
        lines.append("  " + _event_text(event))
    if verdict.declined:
        lines.append("  declined: no support is recorded under the Board's decision")
    return "\n".join(lines) + "\n"


def history_text(history: History) -> str:
    """An authority's record as an assessor reads it, a year at a time; every text a person
    gave shown visibly, so that none can pose as a line of the history."""
    history = visible_all(history)
    lines = [f"{history.authority}" + (f" ({history.code})" if history.code else "")]
    for record in history.years:
        lines.append("")
        lines.append(record.year)
        for own in record.self_assessments:
            views = own.data["views"]
            counts = {view: sum(1 for v in views.values() if v["view"] == view) for view in
                      ("concern", "no_concern", "unsure")}
            replaces = (f", superseding event {own.data['supersedes']}: {own.note}"
                        if own.data.get("supersedes") else "")
            lines.append(
                f"  self-assessment {own.on} by {own.by}: "
                + ", ".join(f"{count} {view}" for view, count in counts.items()) + replaces
            )
        for review in record.thematic_reviews:
            lines.append("  " + review_text(review))
        for verdict in record.verdicts:
            if verdict.superseded_by is not None:
                later = verdict.superseded_by
                label = f" (superseded by run {later.run} on {later.on}, by {later.by}: {later.note})"
            else:
                label = "" if verdict.latest else " (superseded by a later run)"
            lines.append(f"  run {verdict.run}{label}: provisional {verdict.provisional_level}, "
                         f"{verdict.provisional_tier}")
            # The authority's own view (its latest self-assessment of the year) beside each flag.
            views = record.self_assessments[-1].data["views"] if record.self_assessments else {}
            persistent = {
                flag["trigger"] for flag in verdict.provisional.get("flags", []) if flag.get("last_year") is True
            }
            flags = [
                trigger
                + (f" (own view: {views[trigger]['view']})" if trigger in views else "")
                + (" (flagged the year before too)" if trigger in persistent else "")
                for trigger in verdict.flags
            ]
            lines.append(f"    concerns counted: {', '.join(flags) if flags else 'none'}")
            remembered = verdict.provisional.get("last_year")
            if isinstance(remembered, dict):
                lines.append("    " + _last_year_text(remembered))
            events = sorted([*verdict.discussions, *verdict.finals, *verdict.decisions, *verdict.support],
                            key=lambda event: event.id)
            for event in events:
                lines.append("    " + _event_text(event))
            if verdict.final is not None and list(verdict.concerns) != list(verdict.flags):
                lines.append(f"    concerns confirmed: {', '.join(verdict.concerns) if verdict.concerns else 'none'}")
            now = "was" if verdict.superseded_by is not None or not verdict.latest else "now"
            lines.append(f"    {now}: {verdict_line(verdict)}")
        for offer in record.offers:
            data = offer.data
            lines.append(f"  offers {data['days']} days of {data['option']} in {data['area']}"
                         + (f" (contact: {data['contact']})" if data.get("contact") else ""))
        for challenge in record.challenges:
            data = challenge.data
            lines.append(f"  {challenge.on} over the days cap, by {challenge.by}: {data['total']} days given in "
                         f"{record.year}, cap {data['cap']} (support to {data['recipient']}, event {data['support']}): "
                         f"{challenge.note}")
    return "\n".join(lines) + "\n"


def _last_year_text(data: Mapping[str, Any]) -> str:
    """What the run remembered of the year before, as the store held it then."""
    text = f"the year before ({data['year']}): {data['status']} {data['level']}, {data['tier']}"
    if data.get("decision"):
        text += f"; Board decision {data['decision']}, {'declined' if data.get('declined') else 'accepted'}"
    given = data.get("support") or []
    if given:
        text += "; support: " + ", ".join(
            f"{item['option']}" + (f" ({item['status']})" if item.get("status") else "") for item in given
        )
    if data["status"] == "provisional":
        text += " (no final view was taken)"
    return text


def _event_text(event: Any) -> str:
    data = event.data
    if event.kind == "discuss":
        return f"{event.on} discussed, by {event.by}: {event.note}"
    if event.kind == "finalise":
        what = "overridden to" if data["overridden"] else "confirmed as"
        reason = f": {event.note}" if event.note else ""
        return f"{event.on} final view, by {event.by}: {what} {data['level']}, {data['tier']}{reason}"
    if event.kind == "decide":
        answer = "accepted" if data["accepted"] else "declined"
        why = f" (reason: {data['reason']})" if data.get("reason") else ""
        note = f": {event.note}" if event.note else ""
        return f"{event.on} Board decision, by {event.by}: {data['tier']}, {answer}{why}{note}"
    provider = f" from {data['provider']}" if data.get("provider") else ""
    days = f", {data['days']} days" if data.get("days") else ""
    outcome = f": {data['outcome']}" if data.get("outcome") else ""
    over = data.get("over_cap")
    beyond = (f" (over the days cap: {over['total']} of {over['cap']} days; {over['reason']})" if over else "")
    return f"{event.on} support, by {event.by}: {data['option']}{provider}{days}, {data['status']}{beyond}{outcome}"


def offers_text(year: str, offers: tuple[Offer, ...]) -> str:
    year, offers = visible(year), visible_all(offers)
    if not offers:
        return f"no offers for {year}\n"
    lines = [f"offers for {year}:"]
    for offer in offers:
        contact = f" (contact: {offer.contact})" if offer.contact else ""
        lines.append(f"  {offer.id}: {offer.authority}, {offer.area}, {offer.option}, {offer.days} days{contact}")
    return "\n".join(lines) + "\n"


def to_confirm_text(found: tuple[ToConfirm, ...]) -> str:
    """Strengths of the thematic reviews waiting to be confirmed as offers."""
    if not found:
        return ""
    lines = ["to confirm (strengths in thematic reviews; `directory add` with the days makes the offer):"]
    for item in found:
        lines.append(f"  {item.authority}, {item.area}: {', '.join(item.elements)} at the top level of {item.theme} "
                     f"(review {item.review})")
    return "\n".join(lines) + "\n"


def match_text(plan: MatchPlan) -> str:
    plan = visible_all(plan)
    lines = [f"matches for {plan.year} ({plan.days_each} day{'s' if plan.days_each != 1 else ''} each):"]
    if not plan.matches:
        lines.append("  none")
    for match in plan.matches:
        lines.append(f"  {match.recipient} <- {match.provider}: {match.option} in {match.area}, "
                     f"for {match.trigger} (offer {match.offer})")
    for offer, reason in plan.excluded:
        lines.append(f"  offer {offer} not used: {reason}")
    lines.append(f"{len(plan.matches)} matched, {len(plan.unanswered)} concerns unanswered")
    return "\n".join(lines) + "\n"


__all__ = ["COMMANDS", "SliRulesError", "add_commands", "main"]
