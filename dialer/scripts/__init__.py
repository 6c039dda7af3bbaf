"""Branching call scripts: the document format, its validation, and walking a call through it (pure)."""

from __future__ import annotations

from dialer.scripts.engine import AnswerError, Walk, check_answers, step_payload
from dialer.scripts.loader import load_script, parse_document, script_format
from dialer.scripts.model import LoadedScript, Problem, Script, ScriptError, Severity
from dialer.scripts.validate import validate_script

__all__ = [
    "AnswerError",
    "LoadedScript",
    "Problem",
    "Script",
    "ScriptError",
    "Severity",
    "Walk",
    "check_answers",
    "load_script",
    "parse_document",
    "script_format",
    "step_payload",
    "validate_script",
]
