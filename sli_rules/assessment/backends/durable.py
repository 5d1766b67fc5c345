"""The durable-rules backend: the plan compiled into durable-rules rulesets.

This module alone imports durable-rules' compiled module `durable_rules_engine`, holds its
lock, writes the facts it reads and reads the action messages it sends back.

Three-valued logic on a two-valued engine: each trigger becomes two rules, one that fires
when its condition is certainly true and one when it is certainly false. Neither firing means
the condition is unknown for want of data: a gap.

How durable-rules is used here, and why (see docs/architecture.md and docs/performance.md):
- the C module directly, without `durable.lang`'s Host, whose timer threads crash the process
  when several threads evaluate;
- every value is a finite float written by `_number`, never by json (which writes 1e-05, a
  form the engine rejects);
- a rule that could hold on a fact without any value (only `absent` tests) also requires the
  marker property `__fs`, so that the engine's own state object can never match it; every
  other rule compares a value, and a comparison with a missing property never holds (measured),
  so it needs no guard on its left-hand side; a closing fact, which only a catch-all rule
  matches, makes every session start an action, so that deleting it is safe;
- a comparison with another property (`$m`) is guarded by `$ex` on that property: without the
  guard the engine compares with a missing property as if it held the literal of a sibling
  rule over the same property (measured, a wrong answer);
- a fresh session id per batch of facts (one fact per authority, read by no rule with
  another), always deleted afterwards, so that memory stays flat and the per-ruleset limit
  of live sessions is never reached;
- a lock per program around its sessions: a session is a sequence of calls (assert, then
  take each action, then delete) that must not interleave with another session's calls on
  the same rulesets. Programs need no lock between them: the C module keeps everything in
  the ruleset except one process-wide table of handles, which only making and deleting a
  ruleset change, and every call into it holds the GIL from start to end (the extension
  never releases it), so no two calls ever run at once. Making and deleting rulesets still
  take one module lock (`_TABLES`), so that the table's changes keep one order;
- a ruleset is never deleted from a finaliser: a collection can start inside any locked
  section (any allocation can start one), and a finaliser that waited for a lock held by
  its own thread would wait for ever. A dropped program's rulesets are queued, and deleted
  by the next thread that makes, closes or runs a program, outside any session.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import math
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import durable_rules_engine as _engine

from ...rules.logic import COMPARISONS, And, Atom, Not, negation
from ...rules.logic import Node as PlanNode
from ...rules.plan import Plan
from .protocol import BATCH, Column, EngineFailure, Outcome, Row
from .python import PythonProgram

NAME = "durable"

# The engine's limits, measured on durable-rules 2.0.28:
# - a fact holds at most 253 properties, sid and id included (error 302 beyond);
# - at most 64 rule firings on one fact (each satisfied branch of an $or fires): the 65th
#   gives error 303 or, depending on the rules, corrupts the heap and kills the process.
# Rulesets are cut so that no fact can come near either limit; a trigger that alone could
# exceed them (an $or of $and of $or... expands to a branch per combination) is decided
# by the Python evaluator over the same plan, which has no such limits.
MAX_PROPERTIES = 200
MAX_FIRINGS = 62  # per fact and ruleset: 62 of the 64, as when every fact also fired a catch-all
MAX_TRIGGERS_PER_RULESET = 100
_CLOSING = "__end"  # the property only the closing fact of a batch has
_CATCH_ALL = "catch_all"  # the rule only the closing fact matches
# Facts asserted into one session together (at most BATCH): the per-fact limits above are
# unchanged; the session is made and deleted once for them all (a quarter of the engine's
# time, measured).
_ID_WIDTH = 3
_POSITIONS = tuple(f"{position:0{_ID_WIDTH}d}" for position in range(BATCH))  # a fact's id: its place in its batch
_POSITION_OF = {text: position for position, text in enumerate(_POSITIONS)}

_TABLES = threading.Lock()  # held while rulesets are made or deleted (the C module's handle table)
_RELEASED: collections.deque[int] = collections.deque()  # rulesets of dropped programs, to delete
_SIDS = itertools.count(1)


def compile_plan(plan: Plan) -> DurableProgram:
    return DurableProgram(plan)


# --- the action messages -------------------------------------------------------------------

# An action message is {"<rule>":{"m":{"sid":"<session>","id":"<fact>",...the fact...}}}: the
# fact as it was asserted, after the rule's name. The form this module asserts is found in
# `_decide` by one search; any other is read here as JSON, and a message that is not one
# action on one fact is an engine failure, never a guess.


def read_action(message: str) -> tuple[str, str, str]:
    """The rule, session id and fact id of one action message from durable-rules."""
    try:
        data = json.loads(message)
    except ValueError:
        data = None
    if isinstance(data, dict) and len(data) == 1:
        ((rule, body),) = data.items()
        fact = body.get("m") if isinstance(body, dict) else None
        if isinstance(fact, dict) and isinstance(fact.get("sid"), str) and isinstance(fact.get("id"), str):
            return rule, fact["sid"], fact["id"]
    raise EngineFailure(f"durable-rules sent a message of an unknown form: {message[:120]}")


# --- compiling the plan ----------------------------------------------------------------------


def direct_slots(node: PlanNode, atoms: tuple[Atom, ...]) -> set[int]:
    if isinstance(node, int):
        atom = atoms[node]
        return {atom.left} | ({atom.right} if atom.right is not None else set())
    if isinstance(node, Not):
        return direct_slots(node.item, atoms)
    found: set[int] = set()
    for item in node.items:
        found |= direct_slots(item, atoms)
    return found



def _number(value: float) -> str:
    """A finite float as JSON that durable-rules reads: always with a decimal point."""
    if type(value) is float:
        text = float.__repr__(value)
        if "e" not in text and "n" not in text:  # the common case: no exponent, not inf/nan
            return text
    if not math.isfinite(value):
        raise EngineFailure(f"a non-finite value reached the engine: {value!r}")
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{exponent}"
    return text


def _json(value: Any) -> str:
    """JSON for rule definitions, with numbers written by `_number`."""
    if isinstance(value, dict):
        return "{" + ",".join(f'"{key}":{_json(item)}' for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(float(value))
    if isinstance(value, str):
        return '"' + value + '"'
    raise EngineFailure(f"cannot write {value!r} into a rule")


def _prop(slot: int) -> str:
    return f"p{slot}"


def _atom_rule(atom: Atom, op: str) -> dict[str, Any]:
    left = _prop(atom.left)
    if op == "present":
        return {"$ex": {left: 1}}
    if op == "absent":
        return {"$nex": {left: 1}}
    if atom.right is None:
        operand: Any = atom.literal
    else:
        operand = {"$m": _prop(atom.right)}
    engine_op = COMPARISONS[op].engine
    comparison = {left: operand} if engine_op is None else {engine_op: {left: operand}}
    if atom.right is None:
        return comparison
    return {"$and": [{"$ex": {_prop(atom.right): 1}}, comparison]}


def _needs_a_value(condition: dict[str, Any]) -> bool:
    """Whether a condition can only hold on a fact with at least one value in it."""
    if "$nex" in condition:
        return False
    if "$and" in condition:
        return any(_needs_a_value(part) for part in condition["$and"])
    if "$or" in condition:
        return all(_needs_a_value(part) for part in condition["$or"])
    return True  # $ex, or a comparison: both need the property present


def _certainly(node: PlanNode, atoms: tuple[Atom, ...], truth: bool) -> dict[str, Any]:
    """A durable-rules condition that holds when `node` is certainly `truth`."""
    if isinstance(node, int):
        atom = atoms[node]
        return _atom_rule(atom, atom.op if truth else negation(atom.op))
    if isinstance(node, Not):
        return _certainly(node.item, atoms, not truth)
    parts = [_certainly(item, atoms, truth) for item in node.items]
    if len(parts) == 1:
        return parts[0]
    joins_with_and = isinstance(node, And) == truth
    return {"$and" if joins_with_and else "$or": parts}


@attrs.frozen
class _Chunk:
    triggers: tuple[int, ...]
    slots: tuple[int, ...]
    prefixes: tuple[str, ...]  # '"p12":' for each slot, made once

    def bodies(self, columns: Sequence[Column], size: int) -> list[str]:
        """The properties of each authority's fact, from the values of this chunk's slots
        (`columns`, in slot order), a missing value left out. Written column by column, each
        number by `float.__repr__`, then one formatting call a fact."""
        prefixes: list[str] = []
        texts: list[Iterable[str]] = []
        for prefix, column in zip(self.prefixes, columns, strict=True):
            if column is None:
                continue  # unknown for every authority: no property
            prefixes.append(prefix)
            if isinstance(column, float):
                texts.append(itertools.repeat(float.__repr__(column), size))
            else:
                texts.append(map(float.__repr__, column))
        if not texts:
            return [""] * size
        template = ",".join(prefix + "%s" for prefix in prefixes)
        bodies = []
        for strings in zip(*texts, strict=True):
            if "nan" in strings:  # NaN stands for unknown
                pairs = zip(prefixes, strings, strict=True)
                text = ",".join([prefix + value for prefix, value in pairs if value != "nan"])
            else:
                text = template % strings
            if "e" in text or "n" in text:  # an exponent or an infinity: rare, written with care
                pairs = zip(prefixes, strings, strict=True)
                text = ",".join([prefix + _number(float(value)) for prefix, value in pairs if value != "nan"])
            bodies.append(text)
        return bodies


class _RowColumns:
    """A batch given as rows, read column by column."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self._rows = rows

    def __call__(self, slot: int) -> Column:
        return [math.nan if (value := row[slot]) is None else float(value) for row in self._rows]

    def rows(self) -> Sequence[Row]:
        return self._rows


def _branches(condition: dict[str, Any]) -> int:
    """How many times a rule can fire on one fact: its number of $or branches, expanded."""
    if "$and" in condition:
        return math.prod(_branches(part) for part in condition["$and"])
    if "$or" in condition:
        return sum(_branches(part) for part in condition["$or"])
    return 1


def _chunks(plan: Plan, costs: dict[int, int]) -> list[_Chunk]:
    """The triggers in `costs` (index → firings) cut into rulesets within the engine's limits."""
    chunks: list[tuple[list[int], set[int], int]] = []
    for index, cost in costs.items():
        needed = direct_slots(plan.trees[index], plan.atoms)
        if chunks:
            triggers, slots, firings = chunks[-1]
            if (
                len(triggers) < MAX_TRIGGERS_PER_RULESET
                and len(slots | needed) <= MAX_PROPERTIES
                and firings + cost <= MAX_FIRINGS
            ):
                triggers.append(index)
                slots |= needed
                chunks[-1] = (triggers, slots, firings + cost)
                continue
        chunks.append(([index], set(needed), cost))
    made = []
    for triggers, slots, _ in chunks:
        ordered = tuple(sorted(slots))
        made.append(_Chunk(tuple(triggers), ordered, tuple(f'"{_prop(slot)}":' for slot in ordered)))
    return made


def _release(handles: list[int]) -> None:
    """The finaliser of a program: hands its rulesets to the queue, takes no lock (see the
    module's notes)."""
    _RELEASED.extend(handles)
    handles.clear()


def _delete_released() -> None:
    """Delete the rulesets of dropped programs; called with `_TABLES` held, never inside a
    session or a finaliser."""
    while _RELEASED:
        try:
            handle = _RELEASED.popleft()
        except IndexError:  # emptied meanwhile by another thread
            return
        with contextlib.suppress(Exception):  # already gone at interpreter exit
            _engine.delete_ruleset(handle)


def released_waiting() -> int:
    """How many rulesets of dropped programs wait to be deleted (for the tests)."""
    return len(_RELEASED)


class DurableProgram:
    """The plan compiled into durable-rules rulesets: compiled once, evaluated many times."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._lock = threading.Lock()  # one session at a time on this program's rulesets
        conditions: dict[str, dict[str, Any]] = {}
        costs: dict[int, int] = {}
        python: list[int] = []
        for index, tree in enumerate(plan.trees):
            true, false = (_certainly(tree, plan.atoms, truth) for truth in (True, False))
            cost = max(_branches(true), _branches(false))
            if cost > MAX_FIRINGS or len(direct_slots(tree, plan.atoms)) > MAX_PROPERTIES:
                python.append(index)  # beyond what one durable-rules fact can take
                continue
            conditions[_name("t", index)], conditions[_name("f", index)] = true, false
            costs[index] = cost
        self.chunks = _chunks(plan, costs)
        program = PythonProgram(plan)
        self.in_python = tuple((index, program.check(index)) for index in python)
        self._names: dict[str, tuple[int, bool]] = {}
        for index in range(len(plan.trees)):
            self._names[_name("t", index)] = (index, True)
            self._names[_name("f", index)] = (index, False)
        self.handles: list[int] = []
        self._finalizer = weakref.finalize(self, _release, self.handles)
        try:
            for chunk in self.chunks:
                rules: dict[str, Any] = {}
                for index in chunk.triggers:
                    for name in (_name("t", index), _name("f", index)):
                        condition = conditions[name]
                        if not _needs_a_value(condition):
                            condition = {"$and": [condition, {"$ex": {"__fs": 1}}]}
                        rules[name] = {"all": [{"m": condition}]}
                # Matched by the closing fact of each batch alone: one firing a batch, not a fact.
                rules[_CATCH_ALL] = {"all": [{"m": {"$ex": {_CLOSING: 1}}}]}
                name = f"sli_{uuid.uuid4().hex}"
                with _TABLES:
                    _delete_released()
                    self.handles.append(_engine.create_ruleset(name, _json(rules)))
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        self._finalizer()
        with _TABLES:
            _delete_released()

    def run(self, row: Row) -> list[Outcome]:
        return self.run_many([row])[0]

    def run_many(self, rows: Sequence[Row]) -> list[list[Outcome]]:
        """Each row's trigger outcomes (rows of slot values, None where unknown)."""
        found: list[list[Outcome]] = []
        for start in range(0, len(rows), BATCH):
            batch = _RowColumns(rows[start : start + BATCH])
            found.extend(self.run_batch(batch, len(batch.rows()), batch.rows))
        return found

    def run_batch(
        self, column: Callable[[int], Column], size: int, rows: Callable[[], Sequence[Row]]
    ) -> list[list[Outcome]]:
        """The trigger outcomes of a batch of at most BATCH authorities, given each slot's
        values for the batch (`column`); `rows` gives their rows, asked for only when a
        trigger is decided in Python. The batch goes to the engine as facts of one session:
        a fact's rules read that fact alone, so facts cannot affect one another, and the
        session is made and deleted once for them all."""
        if size > BATCH:
            raise ValueError(f"a batch holds at most {BATCH} authorities, not {size}")
        outcomes: list[list[Outcome]] = [[None] * len(self.plan.trees) for _ in range(size)]
        with self._lock:
            for chunk, handle in zip(self.chunks, self.handles, strict=True):
                self._decide(handle, chunk.bodies([column(slot) for slot in chunk.slots], size), outcomes)
        if _RELEASED:  # outside the session: rulesets dropped meanwhile (by a collection, say)
            with _TABLES:
                _delete_released()
        if self.in_python:
            for row, each in zip(rows(), outcomes, strict=True):
                for index, check in self.in_python:
                    each[index] = check(row)
        return outcomes

    def _decide(self, handle: int, bodies: list[str], outcomes: list[list[Outcome]]) -> None:
        """Assert one fact per body into a fresh session and set, in `outcomes` (by fact), the
        outcome of each trigger whose rule fired: true or false; what fires neither stays
        unknown."""
        names = self._names
        sid = str(next(_SIDS))
        facts = ",".join([
            '{"sid":"' + sid + '","id":"' + _POSITIONS[position] + '","__fs":1' + ("," + body if body else "") + "}"
            for position, body in enumerate(bodies)
        ])
        # The closing fact has no value and no `__fs`: no trigger's rule can match it.
        facts += ',{"sid":"' + sid + '","id":"end","' + _CLOSING + '":1}'
        marker = '":{"m":{"sid":"' + sid + '","id":"'  # between a rule's name and a fact's id
        skip = len(marker)
        width = _ID_WIDTH
        position_of, facts_asserted, catch_all = _POSITION_OF, len(bodies), _CATCH_ALL
        next_action = _engine.complete_and_start_action  # looked up once, not for every action
        try:
            _, state = _engine.assert_facts(handle, "[" + facts + "]")
            result = _engine.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                # The form this module writes, echoed back: found with one search (most of the
                # engine's time is spent here); any other form is read in full by read_action.
                at = message.find(marker, 2)
                start = at + skip
                if (
                    at > 0
                    and message[1] == '"'
                    and message[start + width : start + width + 1] == '"'
                    and message.find(marker, start) < 0  # one action, on one fact
                ):
                    rule, fact = message[2:at], message[start : start + width]
                else:
                    rule, session, fact = read_action(message)
                    if session != sid:
                        raise EngineFailure(f"durable-rules answered for session {session!r}, not {sid!r}")
                if rule != catch_all:
                    found = names.get(rule)
                    position = position_of.get(fact)
                    if found is None or position is None or position >= facts_asserted:
                        raise EngineFailure(f"durable-rules fired an unknown rule or fact: {message[:120]}")
                    index, truth = found
                    each = outcomes[position]
                    if each[index] is not None and each[index] != truth:
                        raise EngineFailure(f"trigger {index} was found both true and false")
                    each[index] = truth
                message = next_action(handle, state)
        except _engine.error as error:
            raise EngineFailure(f"durable-rules refused a fact: {error}") from error
        finally:
            with contextlib.suppress(_engine.error):
                _engine.delete_state(handle, sid)


def _name(kind: str, index: int) -> str:
    """A trigger's rule: `t7` fires when trigger 7 certainly holds, `f7` when it certainly does not."""
    return f"{kind}{index}"
