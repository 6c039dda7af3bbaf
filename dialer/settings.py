"""Environment -> one frozen Settings object, passed explicitly to whatever needs it.

Nothing else in the package reads `os.environ`; tests build Settings directly.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

CARRIERS = ("simulated", "twilio", "none")
# The admin token is a password that never expires and is never rate limited by an account lockout: a
# short one could be guessed. 32 characters is what `secrets.token_urlsafe(24)` gives. A shorter one is the
# operator's choice (API.md sets no length; set-ups and test harnesses use short ones): start-up warns.
MIN_ADMIN_TOKEN = 32


class SettingsError(ValueError):
    """A configuration value is unusable; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    redis_url: str | None = None
    rq_redis_url: str | None = None
    data_dir: Path = Path("var")
    secret_key: str | None = None
    admin_token: str | None = None
    public_url: str | None = None
    carrier: str = "simulated"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = None
    twilio_twiml_app_sid: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    # TWILIO_CHECK_CALLER_IDS=1: a campaign's caller IDs must be the account's numbers or verified caller IDs
    # (asked of Twilio's REST API when a number is added to a campaign).
    twilio_check_caller_ids: bool = False
    # Simulated carrier knobs (the demo and load tests set these).
    # The simulated carrier's seed: given, its calls repeat exactly; unset, each start draws a new one, so
    # CallSids never collide with the attempts a previous run left in Redis.
    sim_seed: int | None = None
    # >1 runs simulated calls faster than real time (a 90 s call takes 90/speed s): demos and tests.
    sim_speed: float = 1.0
    # How simulated voters behave: SimProfile's fields (human_rate, machine_rate, busy_rate, fail_rate,
    # pickup_min/max, talk_mean/sd, ...) as JSON in DIALER_SIM_PROFILE; empty means its defaults.
    sim_profile: Mapping[str, float] = field(default_factory=dict)
    # One log line per request from uvicorn (DIALER_ACCESS_LOG=0 turns them off, as the demo does).
    access_log: bool = True
    # Largest accepted request body, in bytes, counted as it streams (call lists are the big ones);
    # DIALER_MAX_UPLOAD_MB.
    max_body_bytes: int = 64 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    # Memory that password hashing (argon2, 64 MiB a hash) may take at once: with the CPU cores it sets how
    # many sign-ups and sign-ins are checked at the same time (DIALER_HASH_MEMORY_MB).
    hash_memory_mb: int = 256
    port: int = 8000
    # `dialer serve`: web processes on the one port (WEB_CONCURRENCY; `--workers` overrides), and the
    # reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (FORWARDED_ALLOW_IPS: addresses
    # or networks, comma-separated, or `*`). Unset, forwarded headers are ignored: the peer is the client.
    web_concurrency: int = 1
    forwarded_allow_ips: tuple[str, ...] = ()
    # Slow clients: seconds a request's headers may take to arrive (DIALER_HEADER_TIMEOUT), and a request
    # body may go without a byte before it is done (DIALER_BODY_TIMEOUT); both answer 408.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # Seconds a download (results.csv, the do-not-call export) may wait for its client to take what was
    # sent before it is cut short and its export slot freed (DIALER_EXPORT_STALL_SECONDS; export_slots.py).
    export_stall_seconds: float = 60.0
    # Seconds `serve` and `worker` wait at start-up for REDIS_URL to answer (DIALER_REDIS_WAIT) before they
    # stop saying so: until it answers, whether it is a Redis Cluster is unknown.
    redis_wait: float = 30.0
    # CRM sync: the Fernet key that seals CRM API keys at rest (DIALER_CRM_KEY) and the base of VAN's API
    # (VAN_API_BASE_URL; a local stand-in in tests and the bench).
    crm_key: str | None = None
    van_api_base_url: str = "https://api.securevan.com/v4"
    # An organizer's OSDI server may be on a private network or this machine (DIALER_CRM_ALLOW_PRIVATE=1);
    # unset, only public internet addresses are reached (crm/destinations.py).
    crm_allow_private: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, port: int | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        carrier = (get("CARRIER") or "simulated").lower()
        if carrier not in CARRIERS:
            raise SettingsError(f"CARRIER must be one of {', '.join(CARRIERS)}, not {carrier!r}")
        public_url = get("PUBLIC_URL")
        if public_url is not None:
            if not public_url.startswith(("http://", "https://")):
                raise SettingsError(f"PUBLIC_URL must start with http:// or https://, not {public_url!r}")
            public_url = public_url.rstrip("/")
        resolved_port = port if port is not None else _int(get("PORT"), "PORT", 8000)
        if not 1 <= resolved_port <= 65535:
            raise SettingsError(f"PORT must be a port from 1 to 65535, not {resolved_port}")
        admin_token = get("DIALER_ADMIN_TOKEN")
        settings = cls(
            redis_url=_redis_url(get("REDIS_URL"), "REDIS_URL"),
            rq_redis_url=_redis_url(get("RQ_REDIS_URL"), "RQ_REDIS_URL"),
            data_dir=Path(get("DIALER_DATA_DIR") or "var"),
            secret_key=get("DIALER_SECRET_KEY"),
            admin_token=admin_token,
            public_url=public_url,
            carrier=carrier,
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_api_key_sid=get("TWILIO_API_KEY_SID"),
            twilio_api_key_secret=get("TWILIO_API_KEY_SECRET"),
            twilio_twiml_app_sid=get("TWILIO_TWIML_APP_SID"),
            twilio_api_base_url=_http_url(
                get("TWILIO_API_BASE_URL") or "https://api.twilio.com", "TWILIO_API_BASE_URL"
            ),
            twilio_check_caller_ids=(get("TWILIO_CHECK_CALLER_IDS") or "0").lower()
            in ("1", "true", "yes", "on"),
            sim_seed=None
            if get("DIALER_SIM_SEED") is None
            else _int(get("DIALER_SIM_SEED"), "DIALER_SIM_SEED", 0),
            sim_speed=_positive_float(get("DIALER_SIM_SPEED"), "DIALER_SIM_SPEED", 1.0),
            sim_profile=_sim_profile(get("DIALER_SIM_PROFILE")),
            access_log=(get("DIALER_ACCESS_LOG") or "1").lower() not in ("0", "false", "no", "off"),
            max_body_bytes=_positive_int(get("DIALER_MAX_UPLOAD_MB"), "DIALER_MAX_UPLOAD_MB", 64)
            * 1024
            * 1024,
            hash_memory_mb=_positive_int(get("DIALER_HASH_MEMORY_MB"), "DIALER_HASH_MEMORY_MB", 256),
            port=resolved_port,
            web_concurrency=_positive_int(get("WEB_CONCURRENCY"), "WEB_CONCURRENCY", 1),
            forwarded_allow_ips=_proxies(get("FORWARDED_ALLOW_IPS")),
            header_timeout=_positive_float(get("DIALER_HEADER_TIMEOUT"), "DIALER_HEADER_TIMEOUT", 10.0),
            body_timeout=_positive_float(get("DIALER_BODY_TIMEOUT"), "DIALER_BODY_TIMEOUT", 30.0),
            export_stall_seconds=_positive_float(
                get("DIALER_EXPORT_STALL_SECONDS"), "DIALER_EXPORT_STALL_SECONDS", 60.0
            ),
            redis_wait=_positive_float(get("DIALER_REDIS_WAIT"), "DIALER_REDIS_WAIT", 30.0),
            crm_key=_crm_key(get("DIALER_CRM_KEY")),
            van_api_base_url=(get("VAN_API_BASE_URL") or "https://api.securevan.com/v4").rstrip("/"),
            crm_allow_private=(get("DIALER_CRM_ALLOW_PRIVATE") or "0").lower() in ("1", "true", "yes", "on"),
        )
        if carrier == "twilio":
            missing = [
                name
                for name, value in (
                    ("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
                    ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
                )
                if not value
            ]
            if missing:
                raise SettingsError(f"CARRIER=twilio needs {', '.join(missing)}")
            sid = settings.twilio_account_sid or ""
            if not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid):
                # Checked here so start-up stops with this line, not a traceback from the carrier's set-up.
                raise SettingsError(
                    "TWILIO_ACCOUNT_SID must be the Account SID from the Twilio console (AC and 32 hex "
                    f"digits), not {sid!r}"
                )
        return settings

    @property
    def weak_admin_token(self) -> str | None:
        """What start-up should warn of when DIALER_ADMIN_TOKEN is short enough to be guessed, else None."""
        if self.admin_token is None or len(self.admin_token) >= MIN_ADMIN_TOKEN:
            return None
        return (
            f"DIALER_ADMIN_TOKEN has {len(self.admin_token)} characters: a token that short could be "
            f"guessed, and it never expires. Use at least {MIN_ADMIN_TOKEN} random characters: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )

    def twilio_browser_gaps(self, *, sdk_installed: bool) -> str | None:
        """What start-up should warn of when CARRIER=twilio cannot let volunteers call from the browser (the
        page would say so to each volunteer, the operator would not know), else None."""
        if self.carrier != "twilio":
            return None
        gaps = [
            name
            for name, value in (
                ("TWILIO_API_KEY_SID", self.twilio_api_key_sid),
                ("TWILIO_API_KEY_SECRET", self.twilio_api_key_secret),
                ("TWILIO_TWIML_APP_SID", self.twilio_twiml_app_sid),
            )
            if not value
        ]
        said = []
        if gaps:
            said.append(f"set {', '.join(gaps)} (README: Twilio)")
        if not sdk_installed:
            said.append("install the Twilio Voice SDK with `make voice-sdk`")
        if not said:
            return None
        return f"volunteers cannot call from their browsers until you {' and '.join(said)}"

    def with_port(self, port: int) -> Settings:
        return replace(self, port=port)

    @property
    def base_url(self) -> str:
        """Where callbacks point and what webhook signatures are checked against."""
        return self.public_url or f"http://127.0.0.1:{self.port}"

    def resolve_secret_key(self) -> str:
        """DIALER_SECRET_KEY, else one generated once and kept in the data dir (sessions survive restarts)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        try:
            existing = path.read_text().strip()
            if existing:
                return existing
        except FileNotFoundError:
            pass
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)  # with the embedded Redis's files: password hashes, voter data
        key = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(key)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return key


def _proxies(raw: str | None) -> tuple[str, ...]:
    """FORWARDED_ALLOW_IPS: `*`, or addresses and networks (203.0.113.7, 10.0.0.0/8, ::1), comma-separated."""
    if raw is None:
        return ()
    entries = tuple(part.strip() for part in raw.split(",") if part.strip())
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network (or `*` for any proxy)"
            ) from None
    return entries


def _redis_url(raw: str | None, name: str) -> str | None:
    """A Redis URL redis-py can open; refused at start-up with the variable's name, not a traceback from
    the first connection. Only the scheme is repeated: the rest may hold a password."""
    if raw is None:
        return None
    scheme, sep, _ = raw.partition("://")
    if not sep or scheme.lower() not in ("redis", "rediss", "unix"):
        has = f"{scheme}://" if sep else "no scheme"
        raise SettingsError(
            f"{name} must start with redis://, rediss:// or unix:// (it has {has}), "
            "e.g. redis://127.0.0.1:6379/0"
        )
    return raw


def _http_url(raw: str, name: str) -> str:
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise SettingsError(f"{name} must be an http:// or https:// URL, not {raw!r}")
    return raw.rstrip("/")


def _crm_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    from dialer.crm.sealing import check_key

    try:
        check_key(raw)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return raw


def _int(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _positive_int(raw: str | None, name: str, default: int) -> int:
    value = _int(raw, name, default)
    if value < 1:
        raise SettingsError(f"{name} must be a whole number above 0, not {raw!r}")
    return value


def _positive_float(raw: str | None, name: str, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be above 0, not {raw!r}")
    return value


def _sim_profile(raw: str | None) -> dict[str, float]:
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise SettingsError('DIALER_SIM_PROFILE must be a JSON object like {"human_rate": 0.3}') from None
    if not isinstance(data, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in data.values()
    ):
        raise SettingsError('DIALER_SIM_PROFILE must be a JSON object of numbers like {"human_rate": 0.3}')
    # Checked here, at start-up, so a typo stops the server with a message instead of every call failing.
    from dialer.telephony.simulated_plan import SimProfile

    try:
        SimProfile(**data)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"DIALER_SIM_PROFILE: {exc}") from None
    return {str(k): float(v) for k, v in data.items()}
