"""Whole-script checks: question keys across steps, and the step graph (ends reachable, steps reached).

They read a lenient outline of the raw document rather than validated steps, so they run, and report,
even when individual steps have their own problems; a step with such a problem counts as able to end, so
that one mistake is not reported a second time as "no end can be reached" for it and the steps before it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialer.scripts import sandbox
from dialer.scripts.conditions import Possible, condition_problems, decided, possible_answers
from dialer.scripts.model import Problem, Severity

# The results export's fixed columns (queue/export.py, which the core does not import): a question key must
# not repeat one of them.
EXPORT_COLUMNS = frozenset(
    "contact_id external_id phone first_name last_name result attempt volunteer volunteer_name recorded_at "
    "notes call_sid script_version".split()
)


def whole_script_problems(
    raw_steps: Mapping[Any, Any], start: str | None, *, stored: bool = False
) -> list[Problem]:
    """Problems with `raw_steps` (the document's `steps` mapping) taken as a whole. `stored`: the document
    was accepted before; the graph is then checked as it was when it was (every rule counts, circles that
    never end are not looked for), so a script that campaigns call with is not refused when read again."""
    known = {k for k in raw_steps if isinstance(k, str)}
    possible = possible_answers(raw_steps)
    nodes = _outline(raw_steps, known, None if stored else possible)
    problems: list[Problem] = condition_problems(raw_steps, possible)
    _check_questions(problems, nodes)
    _check_graph(problems, nodes, start if start in known else None, circles=not stored)
    return problems


def _error(path: str, message: str) -> Problem:
    return Problem(path, message)


def _warning(path: str, message: str) -> Problem:
    return Problem(path, message, Severity.WARNING)


@dataclass(frozen=True)
class _Node:
    """What the whole-script checks need of a step, read leniently from the raw document so that they
    run (and report) even when other parts of the script are broken."""

    id: str
    successors: tuple[str, ...]  # the steps a call can go on to: not those of rules that can never be used
    can_end: bool
    goes_on: bool  # it goes on by its rules (`next`), not by a volunteer's choice
    typed: str | None  # the question its input records, when it has one
    reads: frozenset[str] | None  # the answers its rules' conditions read (None: any of them may matter)
    question: str
    records: bool
    question_given: bool


def _outline(raw: Mapping[Any, Any], known: set[str], possible: Mapping[str, Possible] | None) -> list[_Node]:
    nodes: list[_Node] = []
    for sid, body in raw.items():
        if not isinstance(sid, str) or not isinstance(body, dict):
            continue
        refs: list[Any] = []
        ends = "result" in body
        choices, nxt = body.get("choices"), body.get("next")
        for choice in choices if isinstance(choices, list) else ():
            if isinstance(choice, dict) and "result" in choice:
                ends = True
            else:
                refs.append(choice.get("next") if isinstance(choice, dict) else None)
        taken = [True] * len(refs)
        rules = nxt if isinstance(nxt, list) else [nxt] if "next" in body else []
        refs += [rule.get("goto") if isinstance(rule, dict) else rule for rule in rules]
        taken += _live(rules, possible) if possible is not None else [True] * len(rules)
        good = [isinstance(r, str) and r in known for r in refs]
        successors = tuple(r for r, ok, live in zip(refs, good, taken, strict=True) if ok and live)
        # A step already reported as broken (no kind, empty choices, a bad reference) counts as able to
        # end, so that one mistake is reported once, not again as "no end can be reached" here and before.
        kinds = sum(k in body for k in ("choices", "next", "result"))
        empty = ("choices" in body and not (isinstance(choices, list) and choices)) or (
            "next" in body and not (isinstance(nxt, str) or (isinstance(nxt, list) and nxt))
        )
        broken = kinds != 1 or empty or not all(good)
        question = body.get("question")
        nodes.append(
            _Node(
                sid,
                successors,
                ends or broken,
                not broken and "next" in body,
                (question if isinstance(question, str) else sid) if "input" in body else None,
                _reads([r for r, live in zip(rules, taken[len(taken) - len(rules) :], strict=True) if live]),
                question if isinstance(question, str) else sid,
                "choices" in body or "input" in body,
                isinstance(question, str),
            )
        )
    return nodes


def _reads(rules: list[Any]) -> frozenset[str] | None:
    keys: set[str] = set()
    for rule in rules:
        when = rule.get("when") if isinstance(rule, dict) else None
        read = sandbox.answer_keys(when) if isinstance(when, str) else set()
        if read is None:
            return None
        keys |= read
    return frozenset(keys)


def _live(rules: list[Any], possible: Mapping[str, Possible]) -> list[bool]:
    """For each rule of a `next` list, whether a call can ever take it: not when its condition is always
    false (`when: none`), nor after a rule whose condition is always true (`when: "true"`)."""
    out: list[bool] = []
    closed = False  # a rule before always holds
    for rule in rules:
        when = rule.get("when") if isinstance(rule, dict) else None
        holds = decided(when, possible) if isinstance(when, str) else None
        out.append(not closed and holds is not False)
        closed = closed or holds is True
    return out


def _check_questions(problems: list[Problem], nodes: list[_Node]) -> None:
    owners: dict[str, str] = {}
    for node in nodes:
        path = f"steps.{node.id}.question" if node.question_given else f"steps.{node.id}"
        if not node.records:
            if node.question_given:
                problems.append(_warning(path, "question has no effect here: this step records no answer"))
            continue
        if node.question in owners:
            other = owners[node.question]
            message = f"duplicate question key {node.question!r}: step {other!r} uses it too"
            problems.append(_error(path, message))
        elif node.question in EXPORT_COLUMNS:
            message = f"question key {node.question!r} is a results export column; choose another"
            problems.append(_error(path, message))
        owners.setdefault(node.question, node.id)


def _check_graph(problems: list[Problem], nodes: list[_Node], start: str | None, *, circles: bool) -> None:
    reached: set[str] = set()
    by_id = {node.id: node for node in nodes}
    queue = deque([start] if start in by_id else [])
    reached.update(queue)
    while queue:
        for nxt in by_id[queue.popleft()].successors:
            if nxt in by_id and nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    before: dict[str, set[str]] = {sid: set() for sid in by_id}
    for node in nodes:
        for nxt in node.successors:
            if nxt in before:
                before[nxt].add(node.id)
    ends = {node.id for node in nodes if node.can_end}
    queue = deque(ends)
    while queue:
        for prev in before[queue.popleft()]:
            if prev not in ends:
                ends.add(prev)
                queue.append(prev)
    in_circle = {sid: circle for circle in _silent_circles(nodes) for sid in circle} if circles else {}
    for sid in by_id:
        if sid not in ends:
            message = "no end can be reached from this step: every path from it goes in circles"
            problems.append(_error(f"steps.{sid}", message))
        elif sid in in_circle:
            problems.append(_error(f"steps.{sid}.next", _circle_message(sid, in_circle[sid])))
        elif start is not None and sid not in reached:
            problems.append(_warning(f"steps.{sid}", "unreachable: no path from the start step leads here"))


def _circle_message(sid: str, circle: list[str]) -> str:
    if len(circle) == 1:
        where = "this step can lead back to itself"
    else:
        where = f"steps {', '.join(repr(s) for s in circle)} can lead on to each other in a circle"
    return (
        f"{where} with nothing answered on the way that its conditions read, so a call that comes round "
        "once goes round for ever and never reaches a result: give the circle a step with choices, or a way "
        "out that does not depend on the same answers"
    )


def _silent_circles(nodes: list[_Node]) -> list[list[str]]:
    """The circles of steps that go on by their rules (no choice) where no typed answer in the circle is one
    its conditions read: what they read is the same each time round, so a call that goes round once goes
    round for ever. Circles through a step whose typed answer they read can end; the circles that avoid
    such a step are looked for again among the rest. Each circle's steps in document order."""
    by_id = {n.id: n for n in nodes if n.goes_on}
    place = {sid: i for i, sid in enumerate(by_id)}
    found: list[list[str]] = []
    groups = [set(by_id)]
    while groups:
        group = groups.pop()
        links = {sid: [s for s in dict.fromkeys(by_id[sid].successors) if s in group] for sid in group}
        for circle in components(links):
            if len(circle) == 1 and circle[0] not in links[circle[0]]:
                continue
            reads = [by_id[sid].reads for sid in circle]
            read = None if None in reads else frozenset().union(*(r for r in reads if r is not None))
            changing = {
                sid
                for sid in circle
                if by_id[sid].typed is not None and (read is None or by_id[sid].typed in read)
            }
            if changing:
                groups.append(set(circle) - changing)
            else:
                found.append(sorted(circle, key=place.__getitem__))
    return sorted(found, key=lambda circle: place[circle[0]])


def components(links: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Kosaraju's two passes, with explicit stacks: scripts may be long)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in sorted(links):
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(links[root]))]
        while stack:
            sid, ahead = stack[-1]
            nxt = next((s for s in ahead if s not in seen), None)
            if nxt is None:
                order.append(sid)
                stack.pop()
            else:
                seen.add(nxt)
                stack.append((nxt, iter(links[nxt])))
    back: dict[str, list[str]] = {sid: [] for sid in links}
    for sid, targets in links.items():
        for s in targets:
            back[s].append(sid)
    owner: set[str] = set()
    out: list[list[str]] = []
    for root in reversed(order):
        if root in owner:
            continue
        owner.add(root)
        group, todo = [root], [root]
        while todo:
            for prev in back[todo.pop()]:
                if prev not in owner:
                    owner.add(prev)
                    group.append(prev)
                    todo.append(prev)
        out.append(group)
    return out
