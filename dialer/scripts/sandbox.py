"""Script texts and rule conditions: Jinja2 in a sandbox, checked against an allow-list at upload.

Two layers keep a script author (or a stolen organizer account) away from Python internals:
1. At upload, `check_template` / `check_expression` parse the source and reject every syntax node that is
   not on a short allow-list (no loops, calls, assignments, imports, `**`, `%`), every name but `contact`
   and `answers`, and every attribute or key that starts with `_`.
2. At call time, texts render in `ImmutableSandboxedEnvironment` whose attribute and item lookups are
   further narrowed to plain data (dict keys, list indexes), with `*` bounded. Whatever still goes wrong
   comes back as a safe message or a false condition, never as an exception.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED = 20_000
MAX_SEQUENCE = 10_000
NAMES = frozenset({"contact", "answers"})
FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "length", "count", "int", "float",
     "round", "string", "abs", "first", "last", "truncate", "wordcount"}
)  # fmt: skip
TESTS = frozenset(
    {"defined", "undefined", "none", "number", "string", "eq", "ne", "lt", "le", "gt", "ge", "in", "equalto",
     "even", "odd", "divisibleby", "true", "false", "boolean", "integer", "float", "lower", "upper", "sameas"}
)  # fmt: skip
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Getattr, nodes.Getitem,
    nodes.Slice, nodes.Filter, nodes.Test, nodes.If, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And,
    nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv,
    nodes.Concat, nodes.List, nodes.Tuple, nodes.Keyword,
)  # fmt: skip
_NODE_WORDS = {
    "For": "loops ({% for %})", "Call": "function or method calls", "Assign": "{% set %}",
    "AssignBlock": "{% set %}", "Macro": "macros", "Include": "{% include %}", "Import": "{% import %}",
    "FromImport": "{% import %}", "Extends": "{% extends %}", "Block": "{% block %}",
    "Pow": "the ** operator", "Mod": "the % operator", "Dict": "dictionary literals",
    "FilterBlock": "filter blocks", "With": "{% with %}", "CallBlock": "{% call %}",
}  # fmt: skip


class _Blank(ChainableUndefined):
    """A missing contact field or unanswered question: renders as nothing, and `|int` / `|float` of it
    give 0 as they do for any other value that is not a number (instead of failing the whole text)."""

    def __int__(self, *args: Any, **kwargs: Any) -> int:  # type: ignore[override]
        return 0

    def __float__(self, *args: Any, **kwargs: Any) -> float:  # type: ignore[override]
        return 0.0


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, narrowed further: lookups only reach plain data, `*` cannot build huge values."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._lookup(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self._lookup(obj, argument)

    def _lookup(self, obj: Any, key: Any) -> Any:
        # Only dict keys and list/str indexes: never Python attributes, so nothing reflective is reachable.
        if isinstance(key, str) and key.startswith("_"):
            return self.undefined(obj=obj, name=key)
        if isinstance(obj, Mapping):
            if key in obj:
                return obj[key]
        elif isinstance(obj, Sequence) and isinstance(key, int) and not isinstance(key, bool):
            if -len(obj) <= key < len(obj):
                return obj[key]
        return self.undefined(obj=obj, name=str(key))

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if (problem := _arithmetic_on_text(op, left, right)) is not None:
            raise SecurityError(problem)
        if op == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and times > 0:
                    # By everything the value holds, not its length alone: `[['x'*10000]*10000]*10000`
                    # has three elements but renders as 10**12 characters.
                    if _weight(seq, MAX_SEQUENCE) * times > MAX_SEQUENCE:
                        raise SecurityError("the * operator would build too large a value")
            return operator.mul(left, right)
        if op == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("the ** operator would build too large a value")
        return super().call_binop(context, op, left, right)


def _weight(value: Any, budget: int) -> int:
    """How much a value holds: its characters, and for a list, tuple or mapping its entries and everything
    in them. Stops counting once past `budget` (a shared sublist is counted each time it appears, as it
    renders)."""
    total, todo = 0, [value]
    while todo and total <= budget:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | Mapping):
            total += len(item)
            if total <= budget:
                todo.extend(item.items() if isinstance(item, Mapping) else item)
    return total


def _numeric_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _arithmetic_on_text(op: str, left: Any, right: Any) -> str | None:
    """Why `left op right` is arithmetic on a number held as text, or None. Contact fields come from a CSV
    as text: `contact.gift * 2` with gift "50" would repeat it ("5050") and `contact.a + contact.b` would
    join "1" and "2" into "12"; the author meant numbers. Repeating or joining other text stays allowed."""
    if op == "*" and any(_numeric_text(a) and isinstance(b, int) for a, b in ((left, right), (right, left))):
        text = left if isinstance(left, str) else right
    elif op == "+" and _numeric_text(left) and _numeric_text(right):
        text = left
    else:
        return None
    return (
        f"{op} on the text {text!r} would not do arithmetic: turn it into a number first, "
        "with | int or | float, as in (contact.x | int) * 2"
    )


ENV = _Environment(undefined=_Blank, autoescape=False)
ENV.globals.clear()  # no range/cycler/joiner/lipsum/namespace: the context is contact and answers only


def check_template(source: str) -> list[str]:
    """Problems (messages for people) with a step text; empty when it is safe to render."""
    if "{" not in source:
        return []  # plain text: nothing to parse (most of a long script)
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as exc:
        return [f"template syntax error on line {exc.lineno}: {exc.message}"]
    except Exception:  # e.g. RecursionError on absurd nesting
        return ["template could not be read (too deeply nested?)"]
    return _check_nodes(tree)


def check_expression(source: str) -> list[str]:
    """Problems with a rule condition (`when`); empty when it is safe to evaluate."""
    try:
        parser = Parser(ENV, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            extra = parser.stream.current.value
            return [f"condition syntax error: unexpected {extra!r} after the expression"]
    except TemplateSyntaxError as exc:
        return [f"condition syntax error: {exc.message}"]
    except Exception:
        return ["condition could not be read (too deeply nested?)"]
    return _check_nodes(expr)


def _check_nodes(root: nodes.Node) -> list[str]:
    found: list[str] = []
    stack = [root]
    while stack:
        node = stack.pop()
        message = _node_problem(node)
        if message and message not in found:
            found.append(message)
        stack.extend(node.iter_child_nodes())
    return found


def _node_problem(node: nodes.Node) -> str | None:
    if not isinstance(node, _ALLOWED_NODES):
        name = type(node).__name__
        return f"{_NODE_WORDS.get(name, name)} cannot be used in scripts"
    if isinstance(node, nodes.Name) and node.name not in NAMES:
        return f"unknown name {node.name!r}: use contact.<field> or answers.<question>"
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return f"hidden attribute {node.attr!r} cannot be used"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        if isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            return f"hidden key {node.arg.value!r} cannot be used"
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        return f"filter {node.name!r} cannot be used (allowed: {', '.join(sorted(FILTERS))})"
    if isinstance(node, nodes.Test) and node.name not in TESTS:
        return f"test {node.name!r} cannot be used"
    return None


@functools.lru_cache(maxsize=4096)
def parse_condition(source: str) -> nodes.Expr:
    """A rule condition's syntax tree (raises as the parser does); shared by the upload checks, which each
    read every condition, so each is parsed once. Callers only read the tree."""
    return Parser(ENV, source, state="variable").parse_expression()


@functools.lru_cache(maxsize=4096)
def _template(source: str) -> Any:
    return ENV.from_string(source)


@functools.lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    return ENV.compile_expression(source)


def render(source: str, contact: Mapping[str, Any], answers: Mapping[str, Any]) -> str:
    """The text for this contact; a bracketed notice instead when it cannot be rendered (never raises)."""
    if "{" not in source:
        return source
    try:
        text = str(_template(source).render(contact=dict(contact), answers=dict(answers)))
    except Exception:  # the sandbox or a bad value: show the script author's mistake, not a crash
        return "[this text could not be shown; tell the campaign staff]"
    return text if len(text) <= MAX_RENDERED else text[:MAX_RENDERED] + "…"


def render_failure(source: str, contact: Mapping[str, Any], answers: Mapping[str, Any]) -> str | None:
    """Why `render` would show its notice for this contact and these answers (the error, in words); None
    when the text renders."""
    if "{" not in source:
        return None
    try:
        _template(source).render(contact=dict(contact), answers=dict(answers))
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return None


def holds(source: str, contact: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Whether a rule condition is true; a condition that fails to evaluate counts as false."""
    try:
        return bool(_expression(source)(contact=dict(contact), answers=dict(answers)))
    except Exception:
        return False


def contact_names(source: str, *, expression: bool = False) -> set[str]:
    """The contact fields a text (or, with `expression`, a rule condition) reads: `contact.x` and
    `contact['x']`. Empty for plain text or a source that does not parse (the upload check reports that)."""
    if not expression and "{" not in source:
        return set()
    try:
        if expression:
            root: nodes.Node = parse_condition(source)
        else:
            root = ENV.parse(source)
    except Exception:
        return set()
    keys, _ = _reads_of(root, "contact")
    return {key for key in keys if key is not None}


def answers_read(source: str, *, expression: bool = False) -> set[str]:
    """The answers a text (or, with `expression`, a rule condition) reads by a fixed key: `answers.x` and
    `answers['x']`. Empty for plain text or a source that does not parse (the upload check reports that)."""
    if not expression and "{" not in source:
        return set()
    try:
        if expression:
            root: nodes.Node = parse_condition(source)
        else:
            root = ENV.parse(source)
    except Exception:
        return set()
    keys, _ = _reads_of(root, "answers")
    return {key for key in keys if key is not None}


def _reads_of(root: nodes.Node, name: str) -> tuple[list[str | None], int]:
    """What a template reads of the variable `name`: the key of each `name.x` or `name['x']` (None for a
    computed one, `name[k]`), and how many times `name` appears at all (more than the reads: it is used some
    other way, `name | length`)."""
    keys: list[str | None] = []
    named = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Name) and node.name == name:
            named += 1
        elif isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
            if node.node.name == name:
                if isinstance(node, nodes.Getattr):
                    keys.append(node.attr)
                elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                    keys.append(node.arg.value)
                else:
                    keys.append(None)
        stack.extend(node.iter_child_nodes())
    return keys, named


def constant(source: str) -> bool | None:
    """Whether a rule condition is always true or always false, whatever the contact and answers (`true`,
    `1`, `none`, `'a' == 'b'`); None when it depends on them or does not parse (the upload check says so)."""
    try:
        root = parse_condition(source)
        return bool(root.as_const(nodes.EvalContext(ENV)))
    except Exception:  # nodes.Impossible: it reads contact or answers; or a syntax error, or a bad operation
        return None


def comparisons(source: str) -> list[tuple[str, str, tuple[Any, ...], bool]]:
    """The comparisons of one answer with fixed values in a rule condition: `(question, op, values, whole)`
    for `answers.x == 'v'`, `'v' != answers['x']`, `answers.x in ['a', 'b']`, `answers.x not in (1, 2)`;
    and the orderings (`answers.x >= 4`: gt, gteq, lt, lteq, the answer on the left); `whole` says the
    comparison is the whole condition."""
    try:
        root: nodes.Node = parse_condition(source)
    except Exception:
        return []
    out: list[tuple[str, str, tuple[Any, ...], bool]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.iter_child_nodes())
        if not isinstance(node, nodes.Compare) or len(node.ops) != 1:
            continue
        left, op, right = node.expr, node.ops[0].op, node.ops[0].expr
        if op in _FLIPPED and _answer_key(right) is not None and isinstance(left, nodes.Const):
            left, right, op = right, left, _FLIPPED[op]
        key = _answer_key(left)
        if key is None:
            continue
        if op in _FLIPPED and isinstance(right, nodes.Const):
            out.append((key, op, (right.value,), node is root))
        elif op in ("in", "notin") and isinstance(right, nodes.List | nodes.Tuple):
            if all(isinstance(item, nodes.Const) for item in right.items):
                values = tuple(item.value for item in right.items if isinstance(item, nodes.Const))
                out.append((key, op, values, node is root))
    return out


_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "gteq": "lteq", "lt": "gt", "lteq": "gteq"}


def _answer_key(node: nodes.Node) -> str | None:
    """`x` of `answers.x` or `answers['x']`; None for anything else."""
    if not isinstance(node, nodes.Getattr | nodes.Getitem):
        return None
    if not isinstance(node.node, nodes.Name) or node.node.name != "answers":
        return None
    if isinstance(node, nodes.Getattr):
        return node.attr
    return node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else None


def answer_keys(source: str) -> set[str] | None:
    """The answers a rule condition reads (`answers.x`, `answers['x']`), or None when it reads them some
    other way (`answers | length`, `answers[name]`) or does not parse: then any answer may matter."""
    try:
        root: nodes.Node = parse_condition(source)
    except Exception:
        return None
    keys, named = _reads_of(root, "answers")
    if None in keys or named != len(keys):  # every `answers` must be one of the reads by a fixed key
        return None
    return {key for key in keys if key is not None}
