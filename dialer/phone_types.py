"""What kind of line a call list says a number is (pure): cell, landline, or not known.

The server dials a cell only with the campaign's consent (guardrails.check_dial, dial_take.lua), so a cell
read as "not known" is autodialed: a cell is recognised however a list writes it ("Cell Phone",
"cellphone", "Mobile Phone", "Wireless", a vendor's one-letter `W`), a number the list marks as ported
(`Ported` Y, or "landline (ported to wireless)") counts as a cell, and when a row's sources disagree (a
`phone_type` of landline beside a cell flag Y, or a number from the `Cell Phone` column) the cell wins.
"""

from __future__ import annotations

import re

# words that make a line a cell wherever they stand in the cell ("verified cell", "Mobile/Cell")
_CELL_WORDS = frozenset(
    {"cell", "cellphone", "cellular", "mobile", "wireless", "smartphone", "ported", "celular", "movil"}
)
_CELL_CODES = frozenset({"c", "w", "m"})  # vendors' one-letter codes: Cell, Wireless, Mobile
_LANDLINE = frozenset(
    {"landline", "land", "land line", "fixed", "fixed line", "home", "home phone", "wireline", "wired", "l"}
)
_YES, _NO = frozenset({"y", "yes", "true", "1", "c", "x"}), frozenset({"n", "no", "false", "0", "h"})


def _words(value: str) -> list[str]:
    return re.findall(r"[a-z]+", value.lower())


def line_type(value: str) -> str:
    """A `phone_type` cell as "cell", "landline" or "" (not known)."""
    words = _words(value)
    if not words:
        return ""
    if any(w in _CELL_WORDS for w in words) or " ".join(words) in _CELL_CODES:
        return "cell"
    return "landline" if " ".join(words) in _LANDLINE else ""


def flag_type(value: str) -> str:
    """A cell flag cell ("Y", "true", "Cell" ...) as a phone type."""
    v = value.strip().lower()
    return "cell" if v in _YES else "landline" if v in _NO else line_type(v)


def is_ported(value: str) -> bool:
    """A `Ported` flag cell that says yes (or names the wireless side it was ported to)."""
    v = value.strip().lower()
    return v in _YES or line_type(v) == "cell"


def row_phone_type(column: str, implied: str, flag: str, ported: str) -> str:
    """The type of a row's number from its `phone_type` cell, the type its phone column implies, its cell
    flag and its ported flag: a cell when any says so, else the first that knows."""
    types = (line_type(column), implied, flag_type(flag))
    if "cell" in types or is_ported(ported):
        return "cell"
    return next((t for t in types if t), "")
