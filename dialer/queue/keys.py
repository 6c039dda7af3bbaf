"""Every Redis key the dialer uses, in one place.

Organization-wide keys (owner: the module named; TTL: none unless stated):
  dialer:user:<uid>               hash   accounts.py   a user: email, name, role, password hash, created_at
  dialer:user-email:<email>       string accounts.py   lower-cased email -> user id
  dialer:users                    zset   accounts.py   user ids by creation time
  dialer:token:<sha256>           string accounts.py   bearer token hash -> user id (tokens are stored hashed)
  dialer:ratelimit:<kind>:<who>   string signin_limits.py  sign-in counters, TTL = the window (15 min):
                                         login-email:<sha256> attempts, counted before the password is
                                         checked; login-addr:<address> failed sign-ins and bearer tokens
  dialer:campaigns                zset   campaigns.py  campaign ids by creation time
  dialer:team:<tid>               hash   teams.py      a team: name, leader, join code, created_at
  dialer:team-code:<code>         string teams.py      join code -> team id
  dialer:teams                    zset   teams.py      team ids by creation time
  dialer:team-members:<tid>       set    teams.py      the team's user ids (each user's hash names its `team`)
  dialer:dnc                      set    dnc.py        the organization-wide do-not-call list (E.164)
  dialer:dnc:index                zset   dnc.py        the same phones, all scored 0: sorted for pages and
                                         prefix search (ZRANGEBYLEX), rebuilt from the set when behind
  dialer:dnc:audit                stream dnc_pages.py  who added or removed phones, when, and why; capped
                                         at about 100,000 entries
  dialer:users:lex                zset   people.py     "<word>\x1f<uid>", all scored 0: prefix search of
                                         users by name words and email (ZRANGEBYLEX)
  dialer:users:lex:built          string people.py     set once the index holds every older account
  dialer:users:seen               zset   people.py     user id -> when they last used the app
  dialer:user-tokens:<uid>        set    accounts.py   the hashes of the user's tokens (to end them all)
  dialer:accounts:events          pubsub accounts.py   {"type": "disabled", "user": uid}: sockets close
  dialer:{s:<sid>}:versions       hash   scripts store version -> document (JSON)
  dialer:{s:<sid>}:latest         string scripts store latest version number
                                         (one hash tag per script: the save script touches one slot)
  dialer:scripts                  zset   scripts store script ids by update time
  dialer:imports-active           zset   queue/import_watch.py  background imports not finished
                                         ("<campaign> <job>", by queued time): the worker restarts dead ones

Campaign keys all carry the hash tag `{c:<id>}` so that every multi-key Lua script touches one slot and
the design runs unchanged on Redis Cluster:
  {c:<id>}:campaign               hash   campaigns.py  the campaign's settings (JSON values)
  (the queue, results and counter keys are listed in `campaign_keys` below, owned by queue/*.py)
  {c:<id>}:attempt:<call_sid>     hash   queue/attempts.py  one call attempt (the browser or outbound leg's
                                         CallSid): contact, volunteer, carrier status, times, AnsweredBy, and
                                         the callbacks already applied (`cb:<dedupe key>`); TTL 30 days
  {c:<id>}:attempts               zset   queue/attempts.py  attempt CallSids by start time
  {c:<id>}:calls                  pubsub queue/attempts.py  call progress for the volunteers' call sockets,
                                         and news for all of them (queue/announce.py)
  {c:<id>}:import:<job>:upload   string queue/importer.py  a call list waiting for a background import
                                         (bytes); deleted by the job, TTL 1 day
  {c:<id>}:import:<job>:alive    string queue/import_watch.py  set while a worker runs the import, TTL 60 s
                                         refreshed every 10 s; its absence while `running` = a dead worker
  {c:<id>}:team-board             zset   queue/results.py  calls per team (record.lua)
  {c:<id>}:session:<volunteer>    string web/ws_call.py      the volunteer's call-session state (resume after
                                         a reconnect); TTL 1 day
  {c:<id>}:session:<v>:call:<cid> string web/ws_call.py      the CallSid of the volunteer's latest call to the
                                         contact (the result recorded for it carries it); TTL 1 day
  The lease queue (owner: queue/lease.py, queue/importer.py, queue/results.py; the Lua scripts in
  queue/lua build the per-contact/per-zone/per-batch names from the `{c:<id>}:` prefix with the same
  templates as below; TTL: none unless stated):
  {c:<id>}:contact:<cid>          hash   a contact: id, external_id, phone, names, state, zip, tz,
                                         phone_type, fields (JSON), status pending|leased|done, batch, due,
                                         attempts, result, card (JSON of what claim hands out),
                                         reserved_for, reserved_until (a call-back kept for the volunteer
                                         who arranged it until then); dials, dial_batch, batch_dials:
                                         volunteers' dials (queue/attempts.py, dial_start.lua)
  {c:<id>}:contact:<cid>:results  list   the contact's results stream entry ids, oldest first (its history
                                         for the next caller); the last 50
  {c:<id>}:callbacks:<volunteer>  zset   call-backs the volunteer arranged, by their time (claim.lua hands
                                         them to that volunteer first; stale entries are dropped there)
  {c:<id>}:phones                 hash   E.164 phone -> contact id (dedupe within the campaign)
  {c:<id>}:seq                    string last contact id handed out by the importer
  {c:<id>}:zones                  set    time zones that have a pending set
  {c:<id>}:pending:<tz>           zset   contact ids waiting to be called in zone tz, scored by due time
  {c:<id>}:leases                 zset   open batch ids scored by their deadline
  {c:<id>}:batch:<bid>            hash   a batch: volunteer, expires_at, created_at, state;
                                         TTL 7 days once closed
  {c:<id>}:batch:<bid>:contacts   set    contacts handed out in the batch (kept after expiry for late
                                         results); TTL 7 days once closed
  {c:<id>}:batch:<bid>:done       set    contacts with a result recorded through the batch; TTL as above
  {c:<id>}:holder:<volunteer>     string the volunteer's open batch id; deleted when the batch closes
  {c:<id>}:results                stream the append-only results log (one entry per recorded result)
  {c:<id>}:idem                   hash   "<batch id>|<idempotency key>" -> results stream entry id (keys
                                         are scoped to the batch, so one volunteer's cannot mask another's)
  {c:<id>}:counters               hash   contacts, pending, leased, completed, calls, reached, result:<code>
  {c:<id>}:board                  zset   volunteer -> recorded calls (the leaderboard)
  {c:<id>}:names                  hash   volunteer -> display name, for the leaderboard
  {c:<id>}:calls-per-minute       hash   epoch minute -> results recorded in it (calls in the last hour), and
                                         c:<minute> -> conversations recorded in it
  {c:<id>}:hourly                 hash   epoch hour -> results recorded in it, <hour>:c -> conversations (the
                                         campaign's history, whole life)
  {c:<id>}:events                 pubsub channel: a JSON message after every change to the counters
  {c:<id>}:import:<job>           hash   a background import's progress and report; TTL 1 day
  {c:<id>}:roster                 hash   queue/roster.py  volunteer -> their entry on the organizers' roster
                                         (JSON: state, since, name, team, hand); see dialer/roster.py
  {c:<id>}:roster:seen            zset   queue/roster.py  volunteer -> when their call socket was last alive;
                                         entries unseen for 60 s are dropped by roster.lua
  {c:<id>}:roster:sockets         hash   queue/roster.py  volunteer -> their open call sockets (the entry goes
                                         with the last)
  {c:<id>}:survey                 hash   record.lua  the answers voters gave, tallied: conversations, and
                                         "<question>\x1f<value>" -> count (survey.py says which count)
  {c:<id>}:survey:team:<tid>      hash   record.lua  the same, for the conversations of one team's volunteers
  {c:<id>}:daily:<day>            hash   record.lua, attempt_event.lua  the volunteers' numbers on the
                                         campaign's day (its default time zone): calls:<v>, conv:<v>,
                                         talk:<v> (seconds); TTL 3 days
  {c:<id>}:audit                  stream who did what to the campaign's queue and when (queue/audit.py);
                                         capped at about 10,000 entries
  {c:<id>}:dnc                    set    the campaign's phones that are on the do-not-call list (a mirror of
                                         dialer:dnc kept by queue/dnc.py, so claim stays in one slot)
  dialer:queue:campaigns          set    campaign ids with contacts (queue/lease.py), for the DNC mirrors

Power and predictive dialing (owner: dialer/dialing/*; Lua: dialer/queue/lua/dial_*.lua; the templates below
are `dial_<name>`):
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
  {c:<id>}:dial:settling        zset   "<outcome>|<sid>" by dial time: outcomes of lines dialed in the
                                        last 21 s, not yet counted by the pacer's answer-rate estimate;
                                        trimmed by the pacer
  {c:<id>}:dial:talk             list   the last conversation lengths in seconds (the pacer's talk-time model)
  {c:<id>}:dial:actions          list   carrier actions for the pacer, which owns the calls it placed:
                                        "bridge|<sid>|<volunteer>", "machine|<sid>", "hangup|<sid>",
                                        "wait|<sid>" (a new deadline: wakes the pacer)
  {c:<id>}:dial:status           hash   the pacer's last decision, for the dashboard; TTL 1 minute
  {c:<id>}:dial:lock             string the pacer lock (a random token); PX expiry, renewed every loop
  {c:<id>}:holder:dialer:auto    string the server's own batch (the lease queue's holder key): contacts taken
                                        for dialing stay in it until a volunteer gets them or a result is kept

CRM sync (owner: dialer/crm/*; Lua: dialer/queue/lua/crm_*.lua; TTL: none unless stated):
  dialer:crm:campaigns            set    crm/store.py  campaign ids linked to a CRM: the worker syncs these
  {c:<id>}:crm                    hash   crm/store.py  the campaign's CRM connection: kind van|osdi, app_name,
                                         mode (VAN database: my_voters|my_campaign), base_url (OSDI), secret
                                         (the API key or token, Fernet-sealed with DIALER_CRM_KEY), rate,
                                         key_hint (last 4 characters), created_at, checked_at, check_ok,
                                         check_message
  {c:<id>}:crm:catalog            string crm/store.py  the CRM's survey questions, result codes and activist
                                         codes (JSON, dialer/crm/catalog.py), as last fetched
  {c:<id>}:crm:mappings           hash   crm/store.py  script version -> its mapping (JSON, crm/mapping.py)
  {c:<id>}:crm:ledger             hash   crm/ledger.py results stream entry id -> its sync state (JSON:
                                         status pending|sending|sent|skipped|failed, tries, sends, message,
                                         at, contact_id, attempt, in_doubt, corrects)
  {c:<id>}:crm:counts             hash   crm/ledger.py status -> entries in it
  {c:<id>}:crm:failed             zset   crm/ledger.py failed entry ids by when they failed
  {c:<id>}:crm:retry              zset   crm/ledger.py entry ids to send (again) by when: backoff after a
                                         429/5xx, an organizer's retry, a replay; a taken one is pushed a
                                         lease ahead, so a crashed worker's comes back
  {c:<id>}:crm:by-attempt         hash   crm/ledger.py "<contact>|<attempt>" -> the latest entry id for it (a
                                         later entry for the same call is a correction)
  {c:<id>}:crm:lock               string crm/sync.py   the syncing worker's token; PX expiry, renewed
  The results stream's consumer group `crm` (crm/sync.py) holds what was read and not yet settled.
"""

from __future__ import annotations

PREFIX = "dialer"


def user(uid: str) -> str:
    return f"{PREFIX}:user:{uid}"


def user_email(email: str) -> str:
    return f"{PREFIX}:user-email:{email.lower()}"


USERS = f"{PREFIX}:users"


def token(token_hash: str) -> str:
    return f"{PREFIX}:token:{token_hash}"


def ratelimit(kind: str, who: str) -> str:
    return f"{PREFIX}:ratelimit:{kind}:{who}"


CAMPAIGNS = f"{PREFIX}:campaigns"
DNC = f"{PREFIX}:dnc"
DNC_INDEX = f"{PREFIX}:dnc:index"
DNC_AUDIT = f"{PREFIX}:dnc:audit"
USERS_LEX = f"{PREFIX}:users:lex"
USERS_LEX_BUILT = f"{PREFIX}:users:lex:built"
USERS_SEEN = f"{PREFIX}:users:seen"
ACCOUNTS_EVENTS = f"{PREFIX}:accounts:events"


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


def survey(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:survey"


def survey_team(campaign_id: str, team_id: str) -> str:
    return f"{tag(campaign_id)}:survey:team:{team_id}"


def daily(campaign_id: str, day: str) -> str:
    return f"{tag(campaign_id)}:daily:{day}"


def hourly(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:hourly"


def audit(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:audit"


def import_job(campaign_id: str, job_id: str) -> str:
    return f"{tag(campaign_id)}:import:{job_id}"


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


def dnc_mirror(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:dnc"


QUEUE_CAMPAIGNS = f"{PREFIX}:queue:campaigns"


def import_alive(campaign_id: str, job_id: str) -> str:
    """Set (TTL queue/import_watch.ALIVE_SECONDS) while a worker runs the import; gone = the worker died."""
    return f"{tag(campaign_id)}:import:{job_id}:alive"


def imports_active() -> str:
    """Background imports not yet done or failed, as `<campaign_id> <job_id>` (zset by queued time)."""
    return f"{PREFIX}:imports-active"


def import_upload(campaign_id: str, job_id: str) -> str:
    """A call list uploaded for a background import (bytes); deleted by the job, TTL 1 day meanwhile."""
    return f"{tag(campaign_id)}:import:{job_id}:upload"


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
