"""Names people type and others read (display names; campaign, team, script and transfer-target names):
printable text only.

A control character (U+0000-U+001F, U+007F-U+009F) in a name breaks the lines and cells it is shown in (a
CSV export, a roster row, a spoken prompt), and a bidirectional override or isolate (U+202A-U+202E,
U+2066-U+2069) reorders the text around it: "Sam<U+202E>rekao" reads as another name. Neither has a place
in a name, so both are refused, with where they are.
"""

from __future__ import annotations

import re
import unicodedata

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


# Emails are stricter than names: no character that is not seen. Control (Cc), format (Cf: zero-width
# spaces and joiners, text-direction marks, the byte-order mark, the soft hyphen), line and paragraph
# separators (Zl, Zp), surrogates, private-use and unassigned code points (Cs, Co, Cn). Names keep the
# zero-width joiners, which some scripts' names need; no address needs them.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def hidden_in_email(value: str) -> str | None:
    """None when every character of `value` is one a reader sees; else why not, naming the first hidden
    character and its place. `organizer@example.org<U+200B>` reads as the organizer's own address."""
    for place, char in enumerate(value, start=1):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return (
                f"must not contain invisible or control characters (U+{ord(char):04X} at character {place})"
            )
    return None


# Text typed at length (a call's notes, a typed answer) keeps its tabs and line breaks; any other C0
# control character (NUL, escape, form feed...) or DEL is refused: it went raw into results.csv and the
# CRM, where a NUL cuts a cell short in some readers and others reject the file.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_in_text(value: str) -> str | None:
    """None when `value` has no control character but tab, line feed and carriage return; else why not."""
    found = _CONTROL_IN_TEXT.search(value)
    if found is None:
        return None
    return (
        f"must not contain control characters (U+{ord(found.group()):04X} at character {found.start() + 1})"
    )


def without_controls(value: str) -> str:
    """`value` without the control characters `control_in_text` refuses (for a list's cells and exports)."""
    return _CONTROL_IN_TEXT.sub("", value)
