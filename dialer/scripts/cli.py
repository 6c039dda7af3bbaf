"""`dialer import-script FILE`: validate a script file and (when given a saver) store it.

Storage is passed in (`save`), so this stays free of Redis; the CLI wires in the script store.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from dialer.scripts.loader import load_script
from dialer.scripts.model import LoadedScript, ScriptError, Severity


def content_type_for(path: Path) -> str:
    return "application/json" if path.suffix.lower() == ".json" else "application/yaml"


def import_script_main(
    path: str | Path,
    save: Callable[[LoadedScript], int] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Exit status 0 when valid (and saved), 1 otherwise; problems go to `err` as `path: message` lines."""
    out, err = out or sys.stdout, err or sys.stderr
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{path}: cannot read the file ({exc.strerror})", file=err)
        return 1
    try:
        loaded = load_script(data, content_type_for(path))
    except ScriptError as exc:
        for problem in exc.problems:
            marker = "" if problem.severity is Severity.ERROR else "warning: "
            print(f"{marker}{problem}", file=err)
        print(f"{path}: {len(exc.errors)} problem(s); the script was not imported", file=err)
        return 1
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=err)
    if save is None:
        print(f"{loaded.script.id} is valid ({len(loaded.script.steps)} steps)", file=out)
        return 0
    version = save(loaded)
    print(f"imported {loaded.script.id} version {version}", file=out)
    return 0
