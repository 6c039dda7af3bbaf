"""`dialer import-script FILE`: validate a script file, print its problems readably, and store it.

Storage is passed in (a Redis client, or a `save` callable), so this module needs no I/O library itself.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from dialer.scripts.loader import load_script
from dialer.scripts.model import LoadedScript, ScriptError, Severity
from dialer.stores.scripts import ScriptStore


def content_type_for(path: Path) -> str:
    return "application/json" if path.suffix.lower() == ".json" else "application/yaml"


def check_file(path: str | Path, err: TextIO | None = None) -> LoadedScript | None:
    """The loaded script, or None after printing every problem to `err` as `path: message` lines."""
    err = err or sys.stderr
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{path}: cannot read the file ({exc.strerror})", file=err)
        return None
    try:
        loaded = load_script(data, content_type_for(path))
    except ScriptError as exc:
        for problem in exc.problems:
            marker = "" if problem.severity is Severity.ERROR else "warning: "
            print(f"{marker}{problem}", file=err)
        print(f"{path}: {len(exc.errors)} problem(s); the script was not imported", file=err)
        return None
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=err)
    return loaded


def import_script_main(
    path: str | Path,
    save: Callable[[LoadedScript], int] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Exit status 0 when valid (and saved, when `save` is given), 1 otherwise."""
    loaded = check_file(path, err)
    if loaded is None:
        return 1
    if save is None:
        print(f"{loaded.script.id} is valid ({len(loaded.script.steps)} steps)", file=out or sys.stdout)
        return 0
    version = save(loaded)
    print(f"imported {loaded.script.id} version {version}", file=out or sys.stdout)
    return 0


async def import_script_file(
    redis: Any,
    path: str | Path,
    clock: Callable[[], float] = time.time,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """What `dialer import-script FILE` runs: validate, then store a new version in the script store."""
    loaded = check_file(path, err)
    if loaded is None:
        return 1
    version = await ScriptStore(redis).save(loaded.script, now=clock())
    print(f"imported {loaded.script.id} version {version}", file=out or sys.stdout)
    return 0
