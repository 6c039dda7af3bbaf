"""Names people type and others read (display names; campaign, team, script and transfer-target names):
printable text only.

A control character (U+0000-U+001F, U+007F-U+009F) in a name breaks the lines and cells it is shown in (a
CSV export, a roster row, a spoken prompt), and a bidirectional override or isolate (U+202A-U+202E,
U+2066-U+2069) reorders the text around it: "Sam<U+202E>rekao" reads as another name. Neither has a place
in a name, so both are refused, with where they are.
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unprintable(value: str) -> str | None:
    """None when `value` may be a name; else why not, naming the first offending character and its place
    ("must not contain control or text-direction characters (U+202E at character 4)")."""
    found = _UNPRINTABLE.search(value)
    if found is None:
        return None
    return (
        "must not contain control or text-direction characters "
        f"(U+{ord(found.group()):04X} at character {found.start() + 1})"
    )
