"""The phone-leg operations: "call me" (the volunteer's own number, verified by a code read to it, and the
call from the server to it), dial-in PINs, and the carrier webhooks of both."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import CAMPAIGN_ID, json_answer, json_body, op, path_param
from dialer.web.openapi.other_paths import TWIML_ANSWER, _webhook

MASKED: dict[str, Any] = {
    "type": ["string", "null"],
    "description": 'Only the last four digits, e.g. "•••• •••0142"',
}
LEG: dict[str, Any] = {
    "type": "object",
    "required": ["call_sid", "state"],
    "properties": {
        "call_sid": {"type": "string"},
        "state": {"enum": ["calling", "answered", "connected", "ended"]},
    },
}


def phone_leg_paths() -> dict[str, dict[str, Any]]:
    tag = "calling"
    strict = {"additionalProperties": False, "type": "object"}
    return {
        "/api/campaigns/{campaign_id}/call-me": {
            "get": op(
                "callMeState",
                "Your verified number (masked), a number being verified, and your phone leg",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={
                    200: json_answer(
                        "What the page shows",
                        {
                            "type": "object",
                            "required": ["offered", "number", "verifying", "leg"],
                            "properties": {
                                "offered": {"type": "boolean"},
                                "number": MASKED,
                                "verifying": MASKED,
                                "leg": {"oneOf": [LEG, {"type": "null"}]},
                            },
                        },
                    )
                },
            ),
            "post": op(
                "callMe",
                "Ring your own verified number (power and predictive campaigns offering call_me)",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body({**strict, "maxProperties": 0}, required=False),
                answers={
                    201: json_answer(
                        "Ringing",
                        {
                            **LEG,
                            "required": ["call_sid", "state", "number"],
                            "properties": {**LEG["properties"], "number": MASKED},
                        },  # fmt: skip
                    )
                },
                errors=(409, 429, 502),
                description="No body (or `{}`): only the account's verified number is ever called. 409 "
                "`method_not_offered`, `campaign_paused`, `no_verified_number`, `already_on_phone`, "
                "`already_calling`; 429 `too_many_calls` (30 calls an hour per account); 502 "
                "`carrier_error`.",
            ),
            "delete": op(
                "hangUpMyPhone",
                "Hang up your phone leg",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={204: {"description": "The carrier hangs up; its callback ends the leg"}},
                errors=(502,),
            ),
        },
        "/api/campaigns/{campaign_id}/call-me/number": {
            "put": op(
                "verifyMyNumber",
                "Give your phone number: a call reads a 6-digit code to it",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(
                    {
                        **strict,
                        "required": ["phone"],
                        "properties": {"phone": {"type": "string", "maxLength": 40}},
                    }
                ),
                answers={
                    202: json_answer(
                        "Calling it",
                        {
                            "type": "object",
                            "required": ["verifying", "expires_in"],
                            "properties": {"verifying": MASKED, "expires_in": {"type": "integer"}},
                        },
                    )
                },
                errors=(409, 429, 502),
                description="A US or Canadian number (not toll-free or premium rate, no extension), "
                "else 422 at `phone`. "
                "The code is valid 10 minutes, for 5 tries; 5 calls an hour per account, 3 an hour to "
                "one number and 200 an hour per campaign, then 429 `too_many_verifications`.",
            ),
        },
        "/api/campaigns/{campaign_id}/phone-leg/calls": {
            "post": op(
                "callIntoMyPhone",
                "Preview mode: call a voter of your batch into your conference (your phone, or your browser "
                "with preview_conference)",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(
                    {
                        **strict,
                        "required": ["contact_id"],
                        "properties": {"contact_id": {"type": "string", "maxLength": 64}},
                    }
                ),
                answers={
                    201: json_answer(
                        "Dialing: the voter's answer joins your conference",
                        {
                            "type": "object",
                            "required": ["call_sid", "dialing"],
                            "properties": {"call_sid": {"type": "string"}, "dialing": {"const": True}},
                        },
                    )
                },
                errors=(404, 409, 502),
                description="The page's Call for a volunteer on their own phone (call me or dial-in, leg "
                "`connected`) in a preview campaign: the server calls the voter from the campaign's number "
                "for that voter, and the call then goes as a browser's (call_status on the call socket, "
                "hang up, Leave voicemail, its CallSid on the result). Every guardrail is checked before "
                "anything is placed: 409 `campaign_not_active`, `not_held`, `do_not_call`, `max_attempts`, "
                "`outside_calling_hours`, `dial_limit`, `call_in_progress` (another call to this voter "
                "is not yet over); 404 `unknown_contact`. One call at a time: 409 "
                "`already_calling` (one is being placed), `already_on_call` (one is up). Also 409 "
                "`method_not_offered`, `not_preview`, `phone_not_connected`; 502 `carrier_error`, "
                "`carrier_unreachable` (the dial is given back). In a campaign with `preview_conference` the "
                "browser's leg in the volunteer's conference serves as well as a phone's.",
            ),
        },
        "/api/campaigns/{campaign_id}/conference-leg": {
            "post": op(
                "joinMyConference",
                "The simulated browser's leg into your conference (power, predictive, preview_conference)",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body({**strict, "maxProperties": 0}, required=False),
                answers={
                    201: json_answer(
                        "In your conference",
                        {
                            "type": "object",
                            "required": ["call_sid"],
                            "properties": {"call_sid": {"type": "string"}},
                        },
                    )
                },
                errors=(409, 502),
                description="What the Voice SDK's `leg=agent` connect does with Twilio, for the "
                "simulated carrier: it asks /twilio/voice, which answers with the conference and remembers "
                "the leg. 409 `use_voice_sdk` with Twilio, `no_conference` when the campaign's browsers do "
                "not wait in one; 502 `carrier_unreachable`.",
            ),
        },
        "/api/campaigns/{campaign_id}/conference-leg/{call_sid}": {
            "delete": op(
                "leaveMyConference",
                "The simulated browser's leg leaves your conference (the page goes)",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("call_sid")),
                answers={204: {"description": "Left; a voter on the line is held for your next leg"}},
                errors=(409,),
                description="What Twilio reports of a Voice SDK leg whose page went (a reload, a closed "
                "tab), for the simulated carrier: the page sends it on pagehide. If `call_sid` is still "
                "your latest leg and a voter is on the line in a call not saved yet, the voter is held "
                "(told to hold, at most a minute, then goodbye) until your next leg joins, which takes "
                "them back. 409 `use_voice_sdk` with Twilio.",
            ),
        },
        "/api/campaigns/{campaign_id}/call-me/number/verify": {
            "post": op(
                "confirmMyNumber",
                "Type the code read to you: the number becomes your account's own",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(
                    {
                        **strict,
                        "required": ["code"],
                        "properties": {"code": {"type": "string", "maxLength": 16}},
                    }
                ),
                answers={
                    200: json_answer(
                        "Verified",
                        {"type": "object", "required": ["number"], "properties": {"number": MASKED}},
                    )
                },
                errors=(409,),
                description="422 `wrong_code` (a try used), 409 `code_expired`, `too_many_tries`, "
                "`no_verification`; the last two and expiry discard the pending number.",
            ),
        },
        "/api/campaigns/{campaign_id}/dial-in/pin": {
            "post": op(
                "dialInPin",
                "A new 6-digit PIN to dial in with (your previous one stops working)",
                tag=tag,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={
                    201: json_answer(
                        "Call `number` and type `pin` within `expires_in` seconds; it works once",
                        {
                            "type": "object",
                            "required": ["pin", "number", "expires_in"],
                            "properties": {
                                "pin": {"type": "string", "pattern": "^[0-9]{6}$"},
                                "number": {"type": "string"},
                                "expires_in": {"type": "integer"},
                            },
                        },
                    )
                },
                errors=(409,),
                description="409 `method_not_offered` unless the campaign offers `dial_in` on this server.",
            ),
        },
        "/twilio/dial-in": {
            "post": _webhook(
                "twilioDialIn", "A call to the campaign's inbound number: the PIN", {200: TWIML_ANSWER}
            )
        },
        "/twilio/dial-in/pin": {
            "post": _webhook(
                "twilioDialInPin", "A PIN typed: connect, ask again or hang up", {200: TWIML_ANSWER}
            )
        },
        "/twilio/dial-in/status": {
            "post": _webhook(
                "twilioDialInStatus",
                "The inbound call's progress",
                {204: {"description": "Applied (or stale)"}},
            )
        },
        "/twilio/call-me/answer": {
            "post": _webhook("twilioCallMeAnswer", "The volunteer answered: press 1", {200: TWIML_ANSWER})
        },
        "/twilio/call-me/press": {
            "post": _webhook(
                "twilioCallMePress", "The volunteer's key: 1 joins their conference", {200: TWIML_ANSWER}
            )
        },
        "/twilio/call-me/status": {
            "post": _webhook(
                "twilioCallMeStatus", "The phone leg's progress", {204: {"description": "Applied (or stale)"}}
            )
        },
    }
