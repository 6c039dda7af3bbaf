"""Every multi-key Lua script and MULTI stays in one Redis Cluster slot, read from the source.

Each call site of `lua_scripts.run(client, name, KEYS, ARGV)`, every `.eval(source, n, *KEYS, ...)` and every
`pipeline(transaction=True)` block in `dialer/` is found in the syntax tree (except under the `else:` of an
`if uses_cluster(...)`, which a cluster never runs); its keys are built with the
real `keys` templates, every id standing in as the same placeholder (so keys of one campaign share their
`{c:<id>}` tag), and their slots compared with redis-py's `key_slot`. A MULTI whose `transaction=` is not
the literal True is chosen at run time (e.g. `TeamStore.atomic`: no MULTI on a cluster) and not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.crc import key_slot

from dialer.queue import keys

ROOT = Path(__file__).resolve().parents[2] / "dialer"
KEY_MODULES = {"keys", "dkeys"}  # how modules import dialer.queue.keys
PLACEHOLDER = "x"


class _Unknown(Exception):
    pass


def _assignments(func: ast.AST) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    return found


def _value(node: ast.expr, local: dict[str, ast.expr]) -> Any:
    """The value of a key expression, with every id replaced by the placeholder."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id in KEY_MODULES:
            return getattr(keys, node.func.attr)(*(_as_text(a, local) for a in node.args))
        raise _Unknown(ast.unparse(node))
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in KEY_MODULES:
        return getattr(keys, node.attr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left, local) + _value(node.right, local)
    if isinstance(node, ast.Name) and node.id in local:
        return _value(local[node.id], local)
    if isinstance(node, ast.List):
        return [_value(e, local) for e in node.elts]
    if isinstance(node, ast.Starred):
        return _value(node.value, local)
    # A plain name, an attribute (campaign.id, self.campaign_id), `day or "-"`: an id.
    return PLACEHOLDER


def _as_text(node: ast.expr, local: dict[str, ast.expr]) -> str:
    value = _value(node, local)
    return value if isinstance(value, str) else PLACEHOLDER


def _single_redis_only(func: ast.AST) -> set[int]:
    """ids of the nodes under the `else:` of an `if uses_cluster(...)`: code a cluster never runs."""
    found: set[int] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.If) and "uses_cluster" in ast.unparse(node.test):
            for branch in node.orelse:
                found.update(id(inner) for inner in ast.walk(branch))
    return found


def _functions(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _script_calls() -> Iterator[tuple[str, list[str]]]:
    """(where, keys) for every script call in dialer/."""
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in _functions(tree):
            local = _assignments(func)
            skip = _single_redis_only(func)
            for node in ast.walk(func):
                if not isinstance(node, ast.Call) or id(node) in skip:
                    continue
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                named = len(node.args) >= 3 and isinstance(node.args[1], ast.Constant)
                if name in ("run", "run_replicated") and named:
                    yield f"{where} ({node.args[1].value})", _value(node.args[2], local)
                elif name == "eval" and len(node.args) >= 3:
                    yield f"{where} (eval)", _value(node.args[2], local)


def _transactions() -> Iterator[tuple[str, list[str]]]:
    """(where, keys) for every `async with ….pipeline(transaction=True) as pipe:` block in dialer/."""
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in _functions(tree):
            local = _assignments(func)
            for node in ast.walk(func):
                if not isinstance(node, ast.AsyncWith | ast.With):
                    continue
                for item in node.items:
                    call = item.context_expr
                    if not (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "pipeline"):
                        continue
                    flag = next((k.value for k in call.keywords if k.arg == "transaction"), None)
                    if not (isinstance(flag, ast.Constant) and flag.value is True):
                        continue
                    pipe = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else ""
                    found = [
                        _as_text(inner.args[0], local)
                        for inner in ast.walk(node)
                        if isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and isinstance(inner.func.value, ast.Name)
                        and inner.func.value.id == pipe
                        and inner.func.attr not in ("execute", "multi", "watch")
                        and inner.args
                    ]
                    yield f"{path.relative_to(ROOT.parent)}:{node.lineno}", found


SCRIPT_CALLS = list(_script_calls())
TRANSACTIONS = list(_transactions())


def test_every_script_and_transaction_is_found() -> None:
    # A guard on the finder itself: it must keep seeing the call sites it was written for.
    names = {where.rsplit("(", 1)[1].rstrip(")") for where, _ in SCRIPT_CALLS}
    lua = {p.stem for p in (ROOT / "queue" / "lua").glob("*.lua")}
    # create_user runs on a single Redis only (AccountStore creates users in steps on a cluster).
    assert lua <= names | {"save_script", "create_user"}, f"scripts with no call site: {sorted(lua - names)}"
    assert len(TRANSACTIONS) >= 2


@pytest.mark.parametrize(("where", "script_keys"), SCRIPT_CALLS, ids=[w for w, _ in SCRIPT_CALLS])
def test_script_keys_share_one_slot(where: str, script_keys: list[str]) -> None:
    assert script_keys, f"{where}: no KEYS found"
    slots = {key: key_slot(key.encode()) for key in script_keys}
    assert len(set(slots.values())) == 1, f"{where}: KEYS in several slots: {slots}"


@pytest.mark.parametrize(("where", "tx_keys"), TRANSACTIONS, ids=[w for w, _ in TRANSACTIONS])
def test_transaction_keys_share_one_slot(where: str, tx_keys: list[str]) -> None:
    slots = {key: key_slot(key.encode()) for key in tx_keys}
    assert len(set(slots.values())) <= 1, f"{where}: MULTI over several slots: {slots}"
