"""What the checks added since a stored version's upload find in it, said as warnings (scripts/stored.py)."""

from __future__ import annotations

import copy

from dialer.scripts import Severity, validate_script
from dialer.scripts.stored import LATER_CHECK, later_findings, load_stored
from tests.integration.test_stored_script_findings import CIRCLE, TRAP


def test_a_stored_circle_is_found_and_said_as_a_warning() -> None:
    assert validate_script(TRAP, stored=True)[0] is not None  # read back as campaigns read it
    found = {p.path: p for p in later_findings(TRAP)}
    assert set(found) == {"steps.plan.next", "steps.ward.next"}
    for problem in found.values():
        assert problem.severity is Severity.WARNING
        assert problem.message.startswith(LATER_CHECK) and CIRCLE in problem.message


def test_a_script_accepted_today_has_no_later_findings() -> None:
    fixed = copy.deepcopy(TRAP)
    fixed["steps"]["ward"]["next"] = "thanks"
    assert validate_script(fixed)[0] is not None
    assert later_findings(fixed) == []
    assert load_stored(fixed).warnings == ()


def test_load_stored_gives_the_script_with_the_findings() -> None:
    loaded = load_stored(TRAP)
    assert loaded.script.start == "hello"
    assert {p.path for p in loaded.warnings} == {"steps.plan.next", "steps.ward.next"}
