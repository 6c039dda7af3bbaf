"""The Redis keys of power and predictive dialing (owner: dialer/dialing/*; Lua: dialer/queue/lua/dial_*.lua).

They all carry the campaign's hash tag `{c:<id>}`, so each dial script touches one Redis Cluster slot. The
Lua scripts build the per-volunteer and per-line names from the `{c:<id>}:` prefix with the same templates.
  {c:<id>}:dial:agent:<volunteer> hash   a volunteer's availability: state ready|talking|wrap_up|away, since,
                                        seen (last sign of life), ready_since, call_sid, contact_id
  {c:<id>}:dial:pool             zset   volunteers in the dialing pool (not away), scored by when they joined
  {c:<id>}:dial:ready            zset   volunteers free for a voter, scored by when they became free (the
                                        longest-waiting volunteer gets the next voter)
  {c:<id>}:dial:line:<call_sid>  hash   one server-dialed line: contact_id, phone, batch, dialed_at, state
                                        dialing|waiting|bridged|machine|abandoned|ended, volunteer; TTL 1 day
  {c:<id>}:dial:lines            zset   lines not yet resolved (no verdict), by dial time: the pacer's ringing
  {c:<id>}:dial:waiting          zset   humans answered and not yet bridged, by their abandonment deadline
  {c:<id>}:dial:counters         hash   dials, live_answers, abandoned, bridged, wait_total (seconds
                                        volunteers waited before a voter), and outcome counts human, machine,
                                        failed, no_answer (the pacer's answer-rate estimate)
  {c:<id>}:dial:talk             list   the last conversation lengths in seconds (the pacer's talk-time model)
  {c:<id>}:dial:actions          list   carrier actions for the pacer, which owns the calls it placed:
                                        "bridge|<sid>|<volunteer>", "machine|<sid>", "hangup|<sid>",
                                        "wait|<sid>" (a new deadline: wakes the pacer)
  {c:<id>}:dial:status           hash   the pacer's last decision, for the dashboard; TTL 1 minute
  {c:<id>}:dial:lock             string the pacer lock (a random token); PX expiry, renewed every loop
  {c:<id>}:holder:dialer:auto    string the server's own batch (the lease queue's holder key): contacts taken
                                        for dialing stay in it until a volunteer gets them or a result is kept
"""

from __future__ import annotations

from dialer.queue.keys import tag

AUTO = "dialer:auto"  # the pseudo-volunteer that holds the contacts the server is dialing
AUTO_NAME = "Auto dialer"


def prefix(campaign_id: str) -> str:
    return tag(campaign_id) + ":"


def agent(campaign_id: str, volunteer: str) -> str:
    return f"{tag(campaign_id)}:dial:agent:{volunteer}"


def pool(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:pool"


def ready(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:ready"


def line(campaign_id: str, call_sid: str) -> str:
    return f"{tag(campaign_id)}:dial:line:{call_sid}"


def lines(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:lines"


def waiting(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:waiting"


def counters(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:counters"


def talk(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:talk"


def actions(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:actions"


def status(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:status"


def lock(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:lock"
