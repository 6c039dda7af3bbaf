"""Scripts stored before a check was added: what the newer checks find in them, said as warnings (pure).

A stored version is read back with `validate_script(stored=True)`, which leaves out the checks added since it
was accepted (circles a call never leaves, dead ends the conditions make, texts that cannot be shown) so
that the campaigns calling with it go on. What those checks find still traps the volunteers who call with
it: staff see it as warnings on the Scripts page and on the campaigns using the script, until they upload a
fixed version (which the checks then refuse or pass as for any upload).
"""

from __future__ import annotations

from typing import Any

from dialer.scripts.model import LoadedScript, Problem, ScriptError, Severity
from dialer.scripts.validate import validate_script

LATER_CHECK = "(a check added after this version was uploaded) "


def later_findings(doc: Any) -> list[Problem]:
    """What the checks of an upload find in a stored document that reading it back leaves out, as warnings
    (its errors worded as such). Empty for a document that would be accepted as it is today."""
    _, fresh = validate_script(doc)
    _, kept = validate_script(doc, stored=True)
    known = {(p.path, p.message) for p in kept}
    new = [p for p in fresh if (p.path, p.message) not in known]
    error = Severity.ERROR
    return [
        Problem(p.path, (LATER_CHECK if p.severity is error else "") + p.message, Severity.WARNING)
        for p in new
    ]


def load_stored(doc: Any) -> LoadedScript:
    """A stored document as campaigns call with it, with its own warnings and the later checks' findings;
    raises ScriptError only if it is not even valid as stored (written to Redis by hand)."""
    script, kept = validate_script(doc, stored=True)
    if script is None:
        raise ScriptError(kept)
    return LoadedScript(script, (*kept, *later_findings(doc)))
