"""Warm transfer in the OpenAPI description (web/api_transfer.py)."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import CAMPAIGN_ID, answer, json_answer, json_body, op
from dialer.web.openapi.other_paths import _webhook
from dialer.web.openapi.schemas import STRING, Schema, obj

TRANSFER: Schema = obj(
    ["contact_id", "target", "status"],
    contact_id=STRING,
    target=STRING,
    status={"type": "string", "enum": ["ringing", "answered", "failed"]},
)


def transfer_paths() -> dict[str, dict[str, Any]]:
    return {
        "/api/campaigns/{campaign_id}/transfers": {
            "post": op(
                "transfer",
                "Hand the voter on the line to one of the campaign's transfer targets",
                tag="calling",
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(obj(["contact_id", "target"], closed=True, contact_id=STRING, target=STRING)),
                answers={
                    201: json_answer("The staff line is being dialed into your call", TRANSFER),
                    200: json_answer("The same transfer, already under way", TRANSFER),
                },  # fmt: skip
                errors=(409, 502),
                description="Power and predictive calls. 422 for a target the campaign does not list; 409 "
                "`not_on_call` (not talking to that voter), `transfer_in_progress`, `not_transferable` "
                "(preview mode), `not_connected`; 502 `carrier_error` (nothing is kept).",
            ),
        },
        "/twilio/transfer": {
            "post": _webhook(
                "twilioTransfer", "A transfer's staff leg status callback", {204: answer("Applied")}
            )  # fmt: skip
        },
    }
