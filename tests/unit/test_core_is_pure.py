"""The core (STYLE.md: scripts/, pacing.py, session.py, contacts.py and the modules it is split into,
calling_hours.py) loads no I/O library, not even indirectly: checked in a fresh interpreter, where
nothing else has imported them first."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = [
    "dialer.calling_hours",
    "dialer.caller_ids",
    "dialer.calling_methods",
    "dialer.coaching",
    "dialer.notices",
    "dialer.transfers",
    "dialer.staff_lines",
    "dialer.contacts",
    "dialer.contact_zones",
    "dialer.phones",
    "dialer.pacing",
    "dialer.session",
    "dialer.scripts.engine",
    "dialer.scripts.loader",
    "dialer.scripts.model",
    "dialer.scripts.validate",
    "dialer.crm.catalog",
    "dialer.crm.connection",
    "dialer.crm.mapping",
    "dialer.crm.requests",
]
IO_LIBRARIES = {"redis", "twilio", "starlette", "rq", "asyncio", "anyio", "httpx", "uvicorn", "websockets"}


def test_core_modules_import_no_io_library() -> None:
    probe = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True).stdout)
    assert IO_LIBRARIES.isdisjoint(loaded), sorted(IO_LIBRARIES & set(loaded))
