"""Every Redis key the dialer uses, in one place.

Organization-wide keys (owner: the module named; TTL: none unless stated):
  dialer:user:<uid>               hash   accounts.py   a user: email, name, role, password hash, created_at
  dialer:user-email:<email>       string accounts.py   lower-cased email -> user id
  dialer:users                    zset   accounts.py   user ids by creation time
  dialer:token:<sha256>           string accounts.py   bearer token hash -> user id (tokens are stored hashed)
  dialer:ratelimit:<kind>:<who>   string accounts.py   failed sign-in counter; TTL = the window
  dialer:campaigns                zset   campaigns.py  campaign ids by creation time
  dialer:dnc                      set    dnc.py        the organization-wide do-not-call list (E.164)
  dialer:script:<sid>             hash   scripts store version -> document (JSON)
  dialer:script-latest:<sid>      string scripts store latest version number
  dialer:scripts                  zset   scripts store script ids by update time

Campaign keys all carry the hash tag `{c:<id>}` so that every multi-key Lua script touches one slot and
the design runs unchanged on Redis Cluster:
  {c:<id>}:campaign               hash   campaigns.py  the campaign's settings (JSON values)
  (the queue, results and counter keys are listed in `campaign_keys` below, owned by queue/*.py)
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


def script(script_id: str) -> str:
    return f"{PREFIX}:script:{script_id}"


def script_latest(script_id: str) -> str:
    return f"{PREFIX}:script-latest:{script_id}"


SCRIPTS = f"{PREFIX}:scripts"


def tag(campaign_id: str) -> str:
    """The hash tag shared by every key of one campaign."""
    return "{c:" + campaign_id + "}"


def campaign(campaign_id: str) -> str:
    return f"{tag(campaign_id)}:campaign"
