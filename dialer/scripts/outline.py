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

from dialer.scripts.model import Problem, Severity

# The results export's fixed columns (queue/export.py, which the core does not import): a question key must
# not repeat one of them.
EXPORT_COLUMNS = frozenset(
    "contact_id external_id phone first_name last_name result attempt volunteer volunteer_name recorded_at "
    "notes call_sid script_version".split()
)


def whole_script_problems(raw_steps: Mapping[Any, Any], start: str | None) -> list[Problem]:
    """Problems with `raw_steps` (the document's `steps` mapping) taken as a whole."""
    known = {k for k in raw_steps if isinstance(k, str)}
    nodes = _outline(raw_steps, known)
    problems: list[Problem] = []
    _check_questions(problems, nodes)
    _check_graph(problems, nodes, start if start in known else None)
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
    successors: tuple[str, ...]
    can_end: bool
    question: str
    records: bool
    question_given: bool


def _outline(raw: Mapping[Any, Any], known: set[str]) -> list[_Node]:
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
        for rule in nxt if isinstance(nxt, list) else [nxt] if "next" in body else ():
            refs.append(rule.get("goto") if isinstance(rule, dict) else rule)
        successors = tuple(r for r in refs if isinstance(r, str) and r in known)
        # A step already reported as broken (no kind, empty choices, a bad reference) counts as able to
        # end, so that one mistake is reported once, not again as "no end can be reached" here and before.
        kinds = sum(k in body for k in ("choices", "next", "result"))
        empty = ("choices" in body and not (isinstance(choices, list) and choices)) or (
            "next" in body and not (isinstance(nxt, str) or (isinstance(nxt, list) and nxt))
        )
        broken = kinds != 1 or empty or len(successors) < len(refs)
        question = body.get("question")
        nodes.append(
            _Node(
                sid,
                successors,
                ends or broken,
                question if isinstance(question, str) else sid,
                "choices" in body or "input" in body,
                isinstance(question, str),
            )
        )
    return nodes


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


def _check_graph(problems: list[Problem], nodes: list[_Node], start: str | None) -> None:
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
    for sid in by_id:
        if sid not in ends:
            message = "no end can be reached from this step: every path from it goes in circles"
            problems.append(_error(f"steps.{sid}", message))
        elif start is not None and sid not in reached:
            problems.append(_warning(f"steps.{sid}", "unreachable: no path from the start step leads here"))
