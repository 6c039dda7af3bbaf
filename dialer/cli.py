"""`dialer serve | worker | demo | simulate | import-contacts | import-script | export | user`."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Sequence

from dialer.settings import Settings, SettingsError


def _settings(port: int | None = None) -> Settings:
    try:
        settings = Settings.from_env(port=port)
    except SettingsError as exc:
        raise SystemExit(f"dialer: configuration error: {exc}") from None
    if settings.redis_url is None:
        # The embedded Redis keeps its files there: a path that cannot be a directory is said here, not by
        # a traceback from the server's start.
        try:
            settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise SystemExit(
                f"dialer: configuration error: DIALER_DATA_DIR {str(settings.data_dir)!r} cannot be used as "
                f"a directory ({exc.strerror}): point it at one this user can write, or unset it for ./var"
            ) from None
    return settings


def _check_redis(settings: Settings) -> None:
    """REDIS_URL answers (waited for), and on a Redis Cluster RQ has a plain Redis of its own: else say so
    and stop before anything starts."""
    if not settings.redis_url:
        return  # the embedded server is never a cluster
    from dialer.connections import RQNeedsPlainRedis, is_cluster, rq_url, shown, wait_for

    # Whether REDIS_URL is a cluster is asked of the server: one down at this moment (a cluster still
    # starting, a restart) would be taken for a single Redis for the life of the process.
    if not wait_for(settings.redis_url, settings.redis_wait):
        raise SystemExit(
            f"dialer: cannot reach Redis at {shown(settings.redis_url)} (waited {settings.redis_wait:g} s; "
            "DIALER_REDIS_WAIT sets how long): start it, or check REDIS_URL"
        )
    try:
        rq_url(settings, settings.redis_url)
    except RQNeedsPlainRedis as exc:
        raise SystemExit(f"dialer: configuration error: {exc}") from None
    if is_cluster(settings.redis_url):
        logging.getLogger("dialer").warning(
            "REDIS_URL is a Redis Cluster: using the cluster client; job queues on RQ_REDIS_URL"
        )


class RedactTokens(logging.Filter):
    """Bearer tokens in a WebSocket URL's query (`?token=`) and password-reset links (`/reset/<token>`)
    never reach the logs: the access log's line for a reset page would otherwise hand the account, for a
    day, to whoever reads the logs (a platform's log drain, a support person)."""

    PATTERN = re.compile(r"([?&]token=|/reset/)[^&?#\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                self.PATTERN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args
            )
        record.msg = self.PATTERN.sub(r"\1[redacted]", str(record.msg))
        return True


class DropConnectionRecords(logging.Filter):
    """Drops uvicorn's per-WebSocket lines, which `DIALER_ACCESS_LOG=0` means to silence with the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message in ("connection open", "connection closed") or '"WebSocket /' in message)


def configure_serve_logging(settings: Settings) -> None:
    """Tokens out of the logs, and the per-socket lines off with the access log (in every web process)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())
    if not settings.access_log:
        # Each socket's "[accepted]" / "connection open" / "connection closed" is an access record too.
        logging.getLogger("uvicorn.error").addFilter(DropConnectionRecords())


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from dialer.web.slow_clients import HeaderTimeoutProtocol
    from dialer.web.sockets import MAX_SOCKET_FRAME

    settings = _settings(args.port)
    _check_redis(settings)
    configure_serve_logging(settings)
    if settings.weak_admin_token:
        logging.getLogger("dialer").warning("%s", settings.weak_admin_token)
    if settings.carrier == "twilio":
        from dialer.web.pages import VENDOR_SDK

        gaps = settings.twilio_browser_gaps(sdk_installed=VENDOR_SDK.exists())
        if gaps:
            logging.getLogger("dialer").warning("%s", gaps)
    HeaderTimeoutProtocol.header_seconds = settings.header_timeout
    workers = args.workers if args.workers is not None else settings.web_concurrency
    if workers < 1:
        raise SystemExit("dialer: --workers must be at least 1")
    options: dict[str, object] = {
        "host": args.host,
        "port": settings.port,
        "ws": "websockets-sansio",  # the websockets library's sans-I/O protocol core
        # No permessage-deflate: our frames are small JSON, and per socket it cost 41 KiB of memory (89 vs
        # 48) and a quarter more server CPU per delivered frame (62 vs 48 us; bench/fanout.py, 500 sockets).
        "ws_per_message_deflate": False,
        "ws_max_size": MAX_SOCKET_FRAME,  # a bigger frame closes its socket (1009) before it is all read
        "lifespan": "on",
        "log_level": "info",
        "access_log": settings.access_log,
        # Slow clients: headers within 10 s (web/slow_clients.py), bodies never idle 30 s (web/limits.py).
        "http": HeaderTimeoutProtocol,
        # Forwarded headers only from the proxies named in FORWARDED_ALLOW_IPS, and then only for the
        # client's address and scheme: webhook signatures are checked against PUBLIC_URL whatever they say.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": list(settings.forwarded_allow_ips) or None,
    }
    if workers == 1:
        from dialer.app import create_app

        uvicorn.run(create_app(settings, publish_url=True), **options)  # type: ignore[arg-type]
        return 0
    # Several processes on one port: each builds its app from the environment (dialer.app:app_from_env).
    # They share one Redis (started here when embedded, and stopped here last) and one session key.
    from dialer.connections import resolve_url

    url, embedded = resolve_url(settings)
    os.environ["REDIS_URL"] = url
    os.environ["DIALER_SECRET_KEY"] = settings.resolve_secret_key()
    os.environ["PORT"] = str(settings.port)
    try:
        uvicorn.run("dialer.app:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from dialer.worker import run_worker

    _check_redis(_settings())
    return run_worker(_settings(), burst=args.burst)


def cmd_demo(args: argparse.Namespace) -> int:
    from dialer.demo import run_demo

    return run_demo(
        _settings(args.port),
        volunteers=args.volunteers,
        contacts=args.contacts,
        seconds=args.seconds,
        mode=args.mode,
    )


def _said_unreachable(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The administration commands (user, import, export) stop with a line saying what to do when REDIS_URL
    does not answer, instead of redis-py's traceback."""

    def run(args: argparse.Namespace) -> int:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        try:
            return command(args)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            from dialer.connections import shown

            where = shown(_settings().redis_url or "the embedded Redis")
            raise SystemExit(
                f"dialer: cannot reach Redis at {where} ({exc}): start it, or check REDIS_URL "
                "(the server's own environment)"
            ) from None

    return run


@_said_unreachable
def cmd_user_create(args: argparse.Namespace) -> int:
    from dialer.admin import create_user

    return create_user(_settings(), email=args.email, name=args.name, role=args.role, password=args.password)


@_said_unreachable
def cmd_user_set_password(args: argparse.Namespace) -> int:
    from dialer.admin import set_password

    return set_password(_settings(), email=args.email, stdin=sys.stdin)


def cmd_simulate(argv: list[str]) -> int:
    from dialer.simulation import main as simulate_main

    return simulate_main(argv)


def _delegate(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        target: Callable[[Settings, argparse.Namespace], int] = getattr(
            importlib.import_module(module), function
        )
        return target(_settings(), args)

    return _said_unreachable(run)


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `minimum`, refused with the flag's own words."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse


def port_number(raw: str) -> int:
    """An argparse type for --port: 1-65535. 70000 was bound as 4464 (the OS keeps the low 16 bits) while
    the banner, and every carrier callback, said 70000; 0 (any free port) built callbacks on port 0."""
    value = at_least(1)(raw)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialer", description="Real-time phonebanking and dialer server.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="the web app (API, pages, WebSockets, webhooks)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port_number, default=None, help="default: $PORT or 8000")
    serve.add_argument(
        "--workers", type=int, default=None, help="web processes on the port (default: $WEB_CONCURRENCY or 1)"
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="an RQ worker for the dialer's queues, with the periodic jobs")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="the whole system on this machine with simulated volunteers calling")
    demo.add_argument("--port", type=port_number, default=None, help="default: $PORT or 8000")
    demo.add_argument("--volunteers", type=at_least(0), default=5, help="simulated volunteers (0: none)")
    demo.add_argument("--contacts", type=at_least(1), default=500, help="voters on the sample call list")
    demo.add_argument(
        "--mode", choices=("preview", "power", "predictive"), default="preview", help="how calls are placed"
    )
    demo.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)"
    )
    demo.set_defaults(func=cmd_demo)

    sub.add_parser(
        "simulate", help="a discrete-event simulation of the dialer's pacing (see --help)", add_help=False
    )

    imp_script = sub.add_parser("import-script", help="validate and upload a call script (YAML or JSON)")
    imp_script.add_argument("file")
    imp_script.set_defaults(func=_delegate("dialer.admin", "import_script"))

    imp_contacts = sub.add_parser("import-contacts", help="import a call list CSV into a campaign")
    imp_contacts.add_argument("campaign")
    imp_contacts.add_argument("file")
    imp_contacts.set_defaults(func=_delegate("dialer.admin", "import_contacts"))

    export = sub.add_parser("export", help="write a campaign's results as CSV")
    export.add_argument("campaign")
    export.add_argument("-o", "--output", default="-")
    export.add_argument(
        "--excel", action="store_true", help="start with a UTF-8 byte order mark, so Excel keeps accents"
    )
    export.set_defaults(func=_delegate("dialer.admin", "export_results"))

    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create an account and print a bearer token for it")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["volunteer", "leader", "organizer", "admin"])
    create.add_argument("--password", default=None, help="optional; without it the account signs in by token")
    create.set_defaults(func=cmd_user_create)
    set_pw = user_sub.add_parser(
        "set-password",
        help="set an account's password (typed at a prompt, or the first line of stdin) and sign it out "
        "everywhere",
    )
    set_pw.add_argument("--email", required=True)
    set_pw.set_defaults(func=cmd_user_set_password)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: the simulated carrier's callbacks would drown everything else.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args_list[:1] == ["simulate"]:
        # The simulator owns its own argument parser (API.md's flags); pass the rest straight through.
        return cmd_simulate(args_list[1:])
    args = build_parser().parse_args(args_list)
    result: int = args.func(args)
    return result
