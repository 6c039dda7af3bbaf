"""Redis keys of call-list imports, and of what the campaign's lists hold (listed in docs/redis-keys.md;
reached as `keys.<name>`: queue/keys.py re-exports them)."""

from __future__ import annotations

PREFIX = "dialer"  # as keys.PREFIX


def _tag(campaign_id: str) -> str:
    return "{c:" + campaign_id + "}"  # the campaign's hash tag, as keys.tag


def import_job(campaign_id: str, job_id: str) -> str:
    """Hash: a background import's status, progress and report (queue/importer.py); TTL 7 days."""
    return f"{_tag(campaign_id)}:import:{job_id}"


def import_alive(campaign_id: str, job_id: str) -> str:
    """Set (TTL queue/import_watch.ALIVE_SECONDS) while a worker runs the import; gone = the worker died."""
    return f"{_tag(campaign_id)}:import:{job_id}:alive"


def imports_active() -> str:
    """Background imports not yet done or failed, as `<campaign_id> <job_id>` (zset by queued time)."""
    return f"{PREFIX}:imports-active"


def import_upload(campaign_id: str, job_id: str) -> str:
    """A call list uploaded for a background import (bytes); deleted by the job, TTL 1 day meanwhile."""
    return f"{_tag(campaign_id)}:import:{job_id}:upload"


def list_columns(campaign_id: str) -> str:
    """Set: the names of the columns (beyond the named ones API.md lists) of every call list imported into
    the campaign, as contacts' `fields` keep them; the script's contact fields are checked against it
    (scripts/fields.py). Added to by each import, with "" as a member once any list was imported; no TTL."""
    return f"{_tag(campaign_id)}:list-columns"
