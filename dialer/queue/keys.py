"""Every Redis key the dialer uses, in one place: the functions that build their names.

Each key's contents, owner, type and TTL are in docs/redis-keys.md (add a key there too). Campaign keys
carry the hash tag `{c:<id>}`: every multi-key Lua script touches one slot, unchanged on Redis Cluster.
"""

from __future__ import annotations

from dialer.queue.keys_accounts import password_reset as password_reset
from dialer.queue.keys_accounts import password_reset_used as password_reset_used
from dialer.queue.keys_accounts import user_audit as user_audit
from dialer.queue.keys_calls import agent_leg as agent_leg
from dialer.queue.keys_calls import coach_session as coach_session
from dialer.queue.keys_calls import dial_socket as dial_socket
from dialer.queue.keys_calls import held_voter as held_voter
from dialer.queue.keys_calls import transfer as transfer
from dialer.queue.keys_imports import import_alive as import_alive
from dialer.queue.keys_imports import import_job as import_job
from dialer.queue.keys_imports import import_upload as import_upload
from dialer.queue.keys_imports import imports_active as imports_active
from dialer.queue.keys_imports import list_columns as list_columns
from dialer.queue.keys_lease import LEASE_LAYOUT as LEASE_LAYOUT
from dialer.queue.keys_lease import cards as cards
from dialer.queue.keys_lease import lease_of as lease_of
from dialer.queue.keys_lease import phone_of as phone_of
from dialer.queue.keys_lease import reserved as reserved
from dialer.queue.keys_lease import tries as tries
from dialer.queue.keys_media import RECORDING_CAMPAIGNS as RECORDING_CAMPAIGNS
from dialer.queue.keys_media import contact_recordings as contact_recordings
from dialer.queue.keys_media import recording as recording
from dialer.queue.keys_media import recording_call as recording_call
from dialer.queue.keys_media import recordings as recordings
from dialer.queue.keys_media import voicemail_audio as voicemail_audio
from dialer.queue.keys_phone import phone_call as phone_call
from dialer.queue.keys_phone import phone_call_placing as phone_call_placing

PREFIX = "dialer"


def user(uid: str) -> str:
    return f"{PREFIX}:user:{uid}"


def user_email(email: str) -> str:
    return f"{PREFIX}:user-email:{email.lower()}"


USERS = f"{PREFIX}:users"


def token(token_hash: str) -> str:
    return f"{PREFIX}:token:{token_hash}"


def ratelimit(kind: str, who: str) -> str:
    return f"{PREFIX}:{{rl}}:{kind}:{who}"


CAMPAIGNS = f"{PREFIX}:campaigns"
DNC = f"{PREFIX}:dnc"
DNC_INDEX = f"{PREFIX}:dnc:index"
DNC_AUDIT = f"{PREFIX}:dnc:audit"
USERS_LEX = f"{PREFIX}:users:lex"
USERS_LEX_BUILT = f"{PREFIX}:users:lex:built"
USERS_SEEN = f"{PREFIX}:users:seen"
ACCOUNTS_EVENTS = f"{PREFIX}:accounts:events"
WEB_BASE_URL = f"{PREFIX}:web:base-url"  # where `dialer serve` listens, for the worker (stores/web_url.py)


def user_tokens(uid: str) -> str:
    return f"{PREFIX}:user-tokens:{uid}"


def script(script_id: str) -> str:
    return f"{PREFIX}:{{s:{script_id}}}:versions"


def script_latest(script_id: str) -> str:
    return f"{PREFIX}:{{s:{script_id}}}:latest"


SCRIPTS = f"{PREFIX}:scripts"


def tag(campaign_id: str) -> str:
    """The hash tag shared by every key of one campaign."""
    return "{c:" + campaign_id + "}"


def campaign(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:campaign"


# --- the lease queue (see the module docstring for each key's owner and TTL) ---


def contact(campaign_id: str, contact_id: str) -> str:
    return f"{tag(campaign_id)}:contact:{contact_id}"


def contact_results(campaign_id: str, contact_id: str) -> str:
    return f"{tag(campaign_id)}:contact:{contact_id}:results"


def callbacks(campaign_id: str, volunteer: str) -> str:
    return f"{tag(campaign_id)}:callbacks:{volunteer}"


def phones(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:phones"


def contact_seq(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:seq"


def zones(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:zones"


def pending(campaign_id: str, tz: str) -> str:
    return f"{tag(campaign_id)}:pending:{tz}"


def leases(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:leases"


def batch(campaign_id: str, batch_id: str) -> str:
    return f"{tag(campaign_id)}:batch:{batch_id}"


def batch_contacts(campaign_id: str, batch_id: str) -> str:
    return f"{tag(campaign_id)}:batch:{batch_id}:contacts"


def batch_done(campaign_id: str, batch_id: str) -> str:
    return f"{tag(campaign_id)}:batch:{batch_id}:done"


def holder(campaign_id: str, volunteer: str) -> str:
    return f"{tag(campaign_id)}:holder:{volunteer}"


def results(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:results"


def idempotency(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:idem"


def counters(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:counters"


def leaderboard(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:board"


def volunteer_names(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:names"


def calls_per_minute(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:calls-per-minute"


def events(campaign_id: str) -> str:
    """The pub/sub channel of the campaign's changes."""
    return f"{tag(campaign_id)}:events"


def roster(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:roster"


def roster_seen(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:roster:seen"


def roster_sockets(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:roster:sockets"


def past_scripts(campaign_id: str) -> str:
    """The script ids the campaign ran before it was switched to its current one (the export's columns)."""
    return f"{tag(campaign_id)}:past-scripts"


def survey(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:survey"


def survey_team(campaign_id: str, team_id: str) -> str:
    return f"{tag(campaign_id)}:survey:team:{team_id}"


def daily(campaign_id: str, day: str) -> str:
    """The campaign's day (record.lua and attempt_event.lua; 3 days): `calls:`, `conv:`, `first:` and
    `talk:<volunteer>` for each volunteer, `team-calls:` and `team-conv:<team>` for the calls made as a
    member of each team."""
    return f"{tag(campaign_id)}:daily:{day}"


def hourly(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:hourly"


def audit(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:audit"


# --- call attempts and call sessions ---


def attempt(campaign_id: str, call_sid: str) -> str:
    return f"{tag(campaign_id)}:attempt:{call_sid}"


def attempts(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:attempts"


def calls_channel(campaign_id: str) -> str:
    """The pub/sub channel of call progress, read by the volunteers' call sockets."""
    return f"{tag(campaign_id)}:calls"


CALLS_CHANNEL_PATTERN = "{c:*}:calls"


def call_session(campaign_id: str, volunteer: str) -> str:
    return f"{tag(campaign_id)}:session:{volunteer}"


def call_of_contact(campaign_id: str, volunteer: str, contact_id: str) -> str:
    """The CallSid of the volunteer's latest call to the contact, so its result carries it; TTL 1 day."""
    return f"{tag(campaign_id)}:session:{volunteer}:call:{contact_id}"


def user_phone(uid: str) -> str:
    """The volunteer's verified own phone number for "call me" (dialer/web/call_me.py)."""
    return f"{PREFIX}:user:{uid}:phone"


def phone_check(uid: str) -> str:
    """A number waiting for its verification code; TTL = the code's life."""
    return f"{PREFIX}:user:{uid}:phone-check"


def phone_leg(campaign_id: str, volunteer: str) -> str:
    """The volunteer's "call me" phone leg in the campaign: its CallSid and state; TTL 12 hours."""
    return f"{tag(campaign_id)}:phoneleg:{volunteer}"


def phone_leg_placing(campaign_id: str, volunteer: str) -> str:
    """Set while a "call me" request places the volunteer's leg: one call at a time; TTL 30 s."""
    return f"{tag(campaign_id)}:phoneleg:{volunteer}:placing"


def dial_in_pin(campaign_id: str, pin: str) -> str:
    """A dial-in PIN of the campaign: "<expires_at>|<volunteer>"; single use; TTL a little over its life."""
    return f"{tag(campaign_id)}:dialin:pin:{pin}"


def dial_in_pin_of(campaign_id: str, volunteer: str) -> str:
    """The volunteer's current dial-in PIN (a new one revokes it); same TTL as the PIN."""
    return f"{tag(campaign_id)}:dialin:of:{volunteer}"


def dial_in_call(campaign_id: str, call_sid: str) -> str:
    """An inbound dial-in call: its PIN attempts' outcomes and, once right, the volunteer; TTL 12 hours."""
    return f"{tag(campaign_id)}:dialin:call:{call_sid}"


def dnc_mirror(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dnc"


QUEUE_CAMPAIGNS = f"{PREFIX}:queue:campaigns"


def team(team_id: str) -> str:
    return f"{PREFIX}:team:{team_id}"


def team_code(code: str) -> str:
    return f"{PREFIX}:team-code:{code}"


TEAMS = f"{PREFIX}:teams"


def team_members(team_id: str) -> str:
    return f"{PREFIX}:team-members:{team_id}"


def team_board(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:team-board"


# --- power and predictive dialing (see the module docstring) ---

AUTO = "dialer:auto"  # the pseudo-volunteer that holds the contacts the server is dialing
AUTO_NAME = "Auto dialer"


def dial_prefix(campaign_id: str) -> str:
    return tag(campaign_id) + ":"


def dial_agent(campaign_id: str, volunteer: str) -> str:
    return f"{tag(campaign_id)}:dial:agent:{volunteer}"


def dial_pool(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:pool"


def dial_ready(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:ready"


def dial_line(campaign_id: str, call_sid: str) -> str:
    return f"{tag(campaign_id)}:dial:line:{call_sid}"


def dial_lines(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:lines"


def dial_waiting(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:waiting"


def dial_counters(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:counters"


def dial_talk(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:talk"


def dial_actions(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:actions"


def dial_status(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:status"


def dial_lock(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:lock"


def dial_settling(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dial:settling"


# --- CRM sync (see the module docstring) ---

CRM_CAMPAIGNS = f"{PREFIX}:crm:campaigns"


def crm(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm"


def crm_catalog(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:catalog"


def crm_mappings(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:mappings"


def crm_ledger(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:ledger"


def crm_counts(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:counts"


def crm_failed(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:failed"


def crm_retry(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:retry"


def crm_by_attempt(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:by-attempt"


def crm_lock(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:crm:lock"
