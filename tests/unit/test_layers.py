"""The module map in dialer/__init__.py is the truth about where things are: every module of the package is
in it exactly once, and the rules (STYLE.md's core) load no I/O library, not even indirectly: checked in a
fresh interpreter, where nothing else has imported them first."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import dialer

IO_LIBRARIES = {"redis", "twilio", "starlette", "rq", "asyncio", "anyio", "httpx", "uvicorn", "websockets"}
PACKAGE = Path(dialer.__file__).parent


def layers() -> dict[str, list[str]]:
    """{layer: module names} from the map in dialer's docstring (parenthesised remarks left out)."""
    doc = dialer.__doc__ or ""
    found: dict[str, list[str]] = {}
    the_map = "Rules" + doc.split("\nRules", 1)[1]
    for block in re.split(r"\n(?=[A-Z])", the_map):  # a layer's line starts at the margin with a capital
        while re.search(r"\([^()]*\)", block):
            block = re.sub(r"\([^()]*\)", "", block)
        title, _, names = block.partition(":")
        found[title.strip()] = [n.strip() for n in re.split(r"[,\n]", names) if n.strip()]
    return found


def modules() -> set[str]:
    """Top-level modules and packages of dialer, and the sub-modules the map names on their own."""
    named = {n for names in layers().values() for n in names}
    found = {m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if m.name not in ("__main__", "data")}
    return found | {n for n in named if "." in n}


def test_every_module_is_in_the_map_once() -> None:
    named = [n for names in layers().values() for n in names]
    assert set(layers()) == {"Rules", "Stores", "Carriers", "Processes and entry points"}
    assert sorted(n for n in named if named.count(n) > 1) == []
    assert sorted(modules() - set(named)) == [], "add new modules to the map in dialer/__init__.py"
    assert sorted(set(named) - modules()) == [], "the map names modules that do not exist"


def rule_modules() -> list[str]:
    """Every module of the rules layer, packages walked (less the sub-modules placed in another layer)."""
    elsewhere = {n for layer, names in layers().items() if layer != "Rules" for n in names}
    out: list[str] = []
    for name in layers()["Rules"]:
        path = PACKAGE / name
        if path.is_dir():
            subs = [f"{name}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
            out += [f"dialer.{s}" for s in subs if s not in elsewhere]
        else:
            out.append(f"dialer.{name}")
    return out


def test_the_rules_import_no_io_library() -> None:
    probe = (
        "import importlib, json, sys\n"
        f"for name in {rule_modules()!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True).stdout)
    assert IO_LIBRARIES.isdisjoint(loaded), sorted(IO_LIBRARIES & set(loaded))


def test_each_rule_alone_imports_no_io_library() -> None:
    """As above, one module at a time, so that a failure names the module."""
    probe = (
        "import importlib, json, sys\n"
        "out = {}\n"
        f"for name in {rule_modules()!r}:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "    out[name] = sorted({m.split('.')[0] for m in set(sys.modules) - before})\n"
        "print(json.dumps(out))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True).stdout)
    impure = {
        name: sorted(IO_LIBRARIES & set(libs)) for name, libs in loaded.items() if IO_LIBRARIES & set(libs)
    }
    assert impure == {}
