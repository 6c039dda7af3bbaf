"""Script documents in: bytes or text (YAML or JSON) -> a validated `Script`, or `ScriptError`.

Pure. Untrusted input is read defensively: the size is capped before parsing, YAML nesting is measured on
the parser's event stream (iterative) before any recursive composition, and alias expansion ("billion
laughs") is bounded by counting the nodes of the parsed tree with an explicit stack. `ScriptError` is the
only exception that leaves `load_script`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from dialer import strict_json
from dialer.scripts.model import LoadedScript, Problem, ScriptError, Severity
from dialer.scripts.validate import validate_script

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 2_000_000
# Every value of a document takes at least one character of its text (and a separator), so a document
# whose parsed tree has more values than its text has bytes can only have got them from YAML aliases: a
# "billion laughs". Counting stops there, at once, rather than at MAX_NODES a few seconds later.
NODE_ALLOWANCE = 64
JSON_TYPES = frozenset({"application/json", "text/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

_BOOL = "tag:yaml.org,2002:bool"


_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.2 booleans: only true/false, so `label: Yes` or `value: no` stay text, as staff expect."""
    out = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    for first in "tTfF":
        out.setdefault(first, []).insert(0, (_BOOL, _YAML12_BOOL))
    return out


# libyaml when PyYAML has it (about ten times faster); the pure-Python safe loader otherwise.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc]
    """A safe loader with YAML 1.2 booleans that reports duplicate keys instead of keeping the last."""

    yaml_implicit_resolvers = _resolvers()

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result


_LOADER: Any = _Loader


def script_format(content_type: str) -> str | None:
    """'json', 'yaml' or None (unsupported) for a Content-Type header value, parameters ignored."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base in JSON_TYPES or base.endswith("+json"):
        return "json"
    if base in YAML_TYPES or base.endswith("+yaml"):
        return "yaml"
    return None


def load_script(data: str | bytes, content_type: str) -> LoadedScript:
    """Parse and validate a script document; raises `ScriptError` with every problem (and nothing else)."""
    try:
        doc = parse_document(data, content_type)
        script, problems = validate_script(doc)
    except ScriptError:
        raise
    except Exception as exc:  # a last resort: whatever the input, callers only ever see ScriptError
        raise ScriptError([Problem("", f"the document could not be read ({type(exc).__name__})")]) from exc
    if script is None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        raise ScriptError(errors + [p for p in problems if p.severity is not Severity.ERROR])
    return LoadedScript(script, tuple(problems))


def parse_document(data: str | bytes, content_type: str) -> Any:
    """The document as plain JSON-like values, within the size, depth and node limits."""
    kind = script_format(content_type)
    if kind is None:
        raise ScriptError([Problem("", f"unsupported content type {content_type!r}; send JSON or YAML")])
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ScriptError([Problem("", f"the document is too large ({size} bytes; at most {MAX_BYTES})")])
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScriptError([Problem("", f"the document is not UTF-8 text (byte {exc.start})")]) from None
    else:
        text = data.removeprefix("\ufeff")
    doc = _parse_json(text) if kind == "json" else _parse_yaml(text)
    _check_shape(doc, min(MAX_NODES, size + NODE_ALLOWANCE))
    return doc


def _parse_json(text: str) -> Any:
    try:
        return strict_json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ScriptError([Problem("", f"the JSON could not be read on {where}: {exc.msg}")]) from None
    except RecursionError:
        raise ScriptError(
            [Problem("", f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)")]
        ) from None
    except ValueError as exc:
        raise ScriptError([Problem("", f"the JSON could not be read: {exc}")]) from None


def _parse_yaml(text: str) -> Any:
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    message = f"the YAML is nested too deeply on line {line} (at most {MAX_DEPTH} levels)"
                    raise ScriptError([Problem("", message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - _Loader is a SafeConstructor
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" on line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "syntax error"
        hint = _tab_hint(text, mark.line if mark else None) or _unclosed_quote_hint(
            text, mark.line if mark else None
        )
        raise ScriptError([Problem("", f"the YAML could not be read{where}: {what}{hint}")]) from None
    except yaml.YAMLError as exc:
        raise ScriptError([Problem("", f"the YAML could not be read: {exc}")]) from None
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise ScriptError([Problem("", f"the YAML could not be read: {exc}")]) from None


def _tab_hint(text: str, error_line: int | None) -> str:
    """A tab in the indentation (an editor's Tab key) is what YAML refuses most often, in words a parser
    does not have: "found character that cannot start any token"."""
    if error_line is None:
        return ""
    lines = text.splitlines()
    for number in range(
        min(error_line, len(lines) - 1), max(error_line - 2, -1), -1
    ):  # that line or the one before
        indent = lines[number][: len(lines[number]) - len(lines[number].lstrip(" \t"))]
        if "\t" in indent:
            return f" (line {number + 1} is indented with a tab: YAML needs spaces; indent with spaces only)"
    return ""


def _unclosed_quote_hint(text: str, error_line: int | None) -> str:
    """A parser reports where it gave up, often lines after a missing closing quote: point at the last line
    before it whose double quotes do not pair up (escaped quotes and comments aside)."""
    if error_line is None:
        return ""
    lines = text.splitlines()[: error_line + 1]
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number].replace('\\"', "")
        if line.lstrip().startswith("#"):
            continue
        if line.count('"') % 2 == 1:
            return f" (is a closing quote missing on line {number + 1}?)"
    return ""


def _check_shape(doc: Any, max_nodes: int = MAX_NODES) -> None:
    """Depth and size of the parsed tree, counted with a stack: aliases can make it far exceed the text."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > max_nodes:
            raise ScriptError(
                [Problem("", f"the document expands to too many values (at most {max_nodes}; aliases?)")]
            )
        if depth > MAX_DEPTH:
            raise ScriptError(
                [Problem("", f"the document is nested too deeply (at most {MAX_DEPTH} levels)")]
            )
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, e.g. from a JSON "\ud800" escape
                raise ScriptError(
                    [Problem("", "the document contains text that is not valid Unicode")]
                ) from None
        elif isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value)
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
