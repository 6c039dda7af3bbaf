"""Shared set-up for the CRM sync tests and the bench: a campaign's results stream filled the way
record.lua fills it, a VAN connection to the stand-in, and the gotv script's mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from dialer.crm.catalog import van_catalog
from dialer.crm.connection import parse_connection
from dialer.crm.mapping import parse_mapping
from dialer.crm.sealing import Sealer
from dialer.crm.store import CrmStore
from dialer.queue import keys
from dialer.scripts import load_script
from tests.van_standin import ACTIVIST_CODES, RESULT_CODES, SURVEY_QUESTIONS, VanStandin

EXAMPLES = Path(__file__).parents[2] / "examples"
SCRIPT = load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script
CRM_KEY = Fernet.generate_key().decode()
MAPPING_DOC: dict[str, Any] = {
    "results": {
        "contacted": {"type": "answers"},
        "not_home": {"type": "result_code", "id": "2"},
        "busy": {"type": "result_code", "id": "1"},
        "refused": {"type": "result_code", "id": "4"},
        "call_back": {"type": "none"},
    },
    "answers": {
        "support": {
            "yes": {"type": "survey_response", "question": "101", "response": "1001"},
            "undecided": {"type": "survey_response", "question": "101", "response": "1002"},
            "no": {"type": "survey_response", "question": "101", "response": "1003"},
        },
        "intro": {"Speaking": {"type": "none"}},
    },
}
RESULTS = ("contacted", "not_home", "busy", "refused", "call_back")


def fields(
    i: int, result: str | None = None, *, vanid: int | None = None, version: str = "1"
) -> dict[str, str]:
    """Result number i as record.lua writes it: VANID 100000+i, one of RESULTS in turn."""
    code = result or RESULTS[i % len(RESULTS)]
    answers = (
        {"intro": "Speaking", "support": ("yes", "undecided", "no")[i % 3]} if code == "contacted" else {}
    )
    return {
        "contact_id": str(i), "external_id": str(vanid if vanid is not None else 100000 + i), "phone": "",
        "first_name": "", "last_name": "", "result": code, "attempt": "1", "volunteer": "u1",
        "recorded_at": repr(1_780_000_000.0 + i), "notes": "", "call_sid": "", "script_version": version,
        "answers": json.dumps(answers), "batch": "b1", "idempotency_key": f"k{i}",
    }  # fmt: skip


async def add_results(redis: aioredis.Redis, campaign_id: str, start: int, count: int) -> list[str]:
    ids: list[str] = []
    for chunk in range(start, start + count, 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for i in range(chunk, min(chunk + 1000, start + count)):
                pipe.xadd(keys.results(campaign_id), fields(i))  # type: ignore[arg-type]
            ids += await pipe.execute()
    return ids


async def link_van(
    redis: aioredis.Redis, campaign_id: str, standin: VanStandin, *, rate: float = 1000.0, now: float = 0.0
) -> None:
    """Links the campaign to the stand-in (its credentials) and saves the gotv mapping as version 1."""
    body = {"kind": "van", "app_name": standin.app_name, "api_key": standin.api_key, "rate": rate,
            "mode": "my_campaign" if standin.mode == "1" else "my_voters"}  # fmt: skip
    connection, key = parse_connection(body, now)
    store = CrmStore(redis)
    await store.link(campaign_id, connection, Sealer(CRM_KEY).seal(key))
    catalog = van_catalog(SURVEY_QUESTIONS, RESULT_CODES, ACTIVIST_CODES)
    await store.save_catalog(campaign_id, catalog, now)
    await store.save_mapping(campaign_id, parse_mapping(MAPPING_DOC, SCRIPT, 1, catalog))
