from __future__ import annotations

from pathlib import Path

import pytest

from dialer.settings import Settings, SettingsError


def test_defaults_match_the_api_table() -> None:
    s = Settings.from_env({})
    assert s.redis_url is None
    assert s.data_dir == Path("var")
    assert s.carrier == "simulated" and s.sim_seed is None
    assert s.twilio_api_base_url == "https://api.twilio.com"
    assert s.port == 8000
    assert s.base_url == "http://127.0.0.1:8000"


def test_port_comes_from_env_or_argument() -> None:
    assert Settings.from_env({"PORT": "9123"}).port == 9123
    assert Settings.from_env({"PORT": "9123"}, port=7000).port == 7000
    assert Settings.from_env({}, port=7000).base_url == "http://127.0.0.1:7000"


def test_public_url_wins_and_loses_its_trailing_slash() -> None:
    s = Settings.from_env({"PUBLIC_URL": "https://calls.example.org/"})
    assert s.base_url == "https://calls.example.org"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"CARRIER": "vonage"}, "CARRIER"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PUBLIC_URL": "calls.example.org"}, "PUBLIC_URL"),
        ({"CARRIER": "twilio"}, "TWILIO_ACCOUNT_SID"),
        # A mistyped SID stopped `dialer serve` with a traceback from inside the app's start-up.
        ({"CARRIER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_ACCOUNT_SID"),
        ({"CARRIER": "twilio", "TWILIO_ACCOUNT_SID": "SK" + "0" * 32, "TWILIO_AUTH_TOKEN": "t"}, "AC"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"WEB_CONCURRENCY": "four"}, "WEB_CONCURRENCY"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.1,lb.internal"}, "FORWARDED_ALLOW_IPS"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.0/33"}, "FORWARDED_ALLOW_IPS"),
        # A malformed Redis URL stopped start-up with redis-py's traceback ("Application startup failed").
        ({"REDIS_URL": "notaurl"}, "REDIS_URL must start with redis://"),
        ({"REDIS_URL": "127.0.0.1:6379"}, r"REDIS_URL .*\(it has no scheme\)"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL"),
        ({"RQ_REDIS_URL": "queues:6379"}, "RQ_REDIS_URL"),
        ({"TWILIO_API_BASE_URL": "ftp://api.example.org"}, "TWILIO_API_BASE_URL"),
        ({"TWILIO_API_BASE_URL": "https://"}, "TWILIO_API_BASE_URL"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(SettingsError, match=needle):
        Settings.from_env(env)


def test_redis_urls_that_redis_py_opens_are_kept_and_a_password_is_never_repeated() -> None:
    for url in ("redis://127.0.0.1:6379/0", "rediss://h:6380/1", "unix:///run/redis.sock", "REDIS://h/0"):
        assert Settings.from_env({"REDIS_URL": url}).redis_url == url
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"REDIS_URL": "user:s3cret@cache:6379"})
    assert "s3cret" not in str(caught.value)


def test_web_processes_and_trusted_proxies() -> None:
    assert Settings.from_env({}).web_concurrency == 1
    assert Settings.from_env({}).forwarded_allow_ips == ()  # forwarded headers ignored unless asked
    s = Settings.from_env({"WEB_CONCURRENCY": "4", "FORWARDED_ALLOW_IPS": " 10.0.0.5, 192.168.0.0/16 ,::1"})
    assert s.web_concurrency == 4
    assert s.forwarded_allow_ips == ("10.0.0.5", "192.168.0.0/16", "::1")
    assert Settings.from_env({"FORWARDED_ALLOW_IPS": "*"}).forwarded_allow_ips == ("*",)


def test_twilio_carrier_with_credentials() -> None:
    s = Settings.from_env(
        {
            "CARRIER": "Twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_API_BASE_URL": "http://127.0.0.1:9/",
        }
    )
    assert s.carrier == "twilio"
    assert s.twilio_api_base_url == "http://127.0.0.1:9"
    assert s.twilio_check_caller_ids is False  # off unless asked for


@pytest.mark.parametrize(
    ("value", "on"), [("1", True), ("true", True), ("ON", True), ("0", False), ("", False)]
)
def test_checking_caller_ids_with_twilio_is_opt_in(value: str, on: bool) -> None:
    assert Settings.from_env({"TWILIO_CHECK_CALLER_IDS": value}).twilio_check_caller_ids is on


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data")
    first = s.resolve_secret_key()
    assert len(first) >= 40
    assert Settings(data_dir=tmp_path / "data").resolve_secret_key() == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path / "data", secret_key="given").resolve_secret_key() == "given"


def test_settings_are_frozen() -> None:
    s = Settings.from_env({})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


def test_simulated_voters_are_configurable_and_checked_at_start() -> None:
    s = Settings.from_env({"DIALER_SIM_PROFILE": '{"human_rate": 0.5, "talk_mean": 30}'})
    assert s.sim_profile == {"human_rate": 0.5, "talk_mean": 30.0}
    for bad, needle in [
        ("{human_rate: 1}", "JSON object"),
        ('{"human_rate": "high"}', "numbers"),
        ('{"human_rate": 0.9, "machine_rate": 0.5}', "add up"),
        ('{"nonsense": 1}', "nonsense"),
    ]:
        with pytest.raises(SettingsError, match=needle):
            Settings.from_env({"DIALER_SIM_PROFILE": bad})


def test_the_simulated_carrier_uses_the_profile(tmp_path: Path) -> None:
    from dialer.telephony import carrier_from_settings
    from dialer.telephony.simulated import SimulatedCarrier

    env = {"DIALER_SIM_PROFILE": '{"human_rate": 0.7}', "DIALER_DATA_DIR": str(tmp_path)}
    carrier = carrier_from_settings(Settings.from_env(env))
    assert isinstance(carrier, SimulatedCarrier) and carrier.profile.human_rate == 0.7


def test_carrier_none_means_no_carrier() -> None:
    from dialer.telephony import carrier_from_settings

    settings = Settings.from_env({"CARRIER": "None"})
    assert settings.carrier == "none" and carrier_from_settings(settings) is None


def test_websocket_tokens_are_redacted_from_logs() -> None:
    import logging

    from dialer.cli import RedactTokens

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s" %s',
        ("127.0.0.1:5", "WebSocket", "/ws/call/demo?token=SECRET123&x=1", "[accepted]"),
        None,
    )
    assert RedactTokens().filter(record)
    assert "SECRET123" not in record.getMessage() and "token=[redacted]&x=1" in record.getMessage()


TWILIO = {"CARRIER": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t"}
BROWSER = {"TWILIO_API_KEY_SID": "SK" + "0" * 32, "TWILIO_API_KEY_SECRET": "s", "TWILIO_TWIML_APP_SID": "AP1"}


def test_start_up_says_what_twilio_browser_calling_still_needs() -> None:
    """README's set-up (CARRIER=twilio with the account's SID and token) started without a word, and each
    volunteer's call page then said the server could not call (503 `carrier_not_configured`, or the Voice SDK
    missing): the operator hears it at start-up, with what to set or run."""
    said = Settings.from_env(TWILIO).twilio_browser_gaps(sdk_installed=False)
    assert said is not None
    for needed in ("TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_TWIML_APP_SID", "make voice-sdk"):
        assert needed in said
    said = Settings.from_env({**TWILIO, **BROWSER}).twilio_browser_gaps(sdk_installed=False)
    assert said is not None and "make voice-sdk" in said and "TWILIO_API_KEY_SID" not in said
    assert Settings.from_env({**TWILIO, **BROWSER}).twilio_browser_gaps(sdk_installed=True) is None
    assert Settings.from_env({}).twilio_browser_gaps(sdk_installed=False) is None  # simulated: nothing to say
