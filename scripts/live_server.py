"""Real server processes for the checks that need them (schema fuzzing,
concurrency): a database of their own, gunicorn with production settings on
127.0.0.1, and a clean stop.

The calling script is itself a Django process with the same environment as
the servers (``use_environment``), so it migrates and seeds through the ORM
and mints tokens the servers accept; it then talks to them over HTTP only.

Databases: given ``mysql://…/name``, a database ``name_<suffix>`` is dropped
and created afresh (so ids start at 1); without one, an SQLite file in a
temporary folder. Redis: the database given is flushed at the start (use a
spare one); without one, each process counts and caches in its own memory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import mysql_admin

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def fresh_database_url(base_url: str | None, suffix: str, workdir: Path) -> str:
    """A URL to an empty database of our own, derived from ``base_url``."""
    if not base_url or base_url.startswith("sqlite"):
        path = workdir / f"{suffix}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parts = urlsplit(base_url)
    name = f"{parts.path.lstrip('/') or 'shop'}_{suffix}"
    if name == "test":  # never the shared scratch database of that name
        name = "test_srv"

    mysql_admin.recreate_database(base_url, name)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    if not url.startswith("sqlite"):
        mysql_admin.drop_database(url, urlsplit(url).path.lstrip("/"))


def flush_redis(url: str | None) -> None:
    if url:
        import redis

        redis.Redis.from_url(url, socket_timeout=5).flushdb()


def server_environment(
    *,
    database_url: str,
    redis_url: str | None,
    settings: str = "mechanic_shop.settings.prod",
    **extra: str,
) -> dict[str, str]:
    """The environment of the servers (and of the calling script)."""
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "CACHE_KEY_PREFIX": f"live-{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def use_environment(env: dict[str, str], *, migrate: bool = True) -> None:
    """Make this process a Django process with ``env`` (and migrate)."""
    os.environ.update(env)
    if "REDIS_URL" not in env:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


def reset_django_connections() -> None:
    """Forget the database connections (before pointing at another database)."""
    from django.db import connections

    connections.close_all()


class Gunicorn:
    """One gunicorn server (``workers`` processes) on 127.0.0.1:``port``."""

    def __init__(
        self,
        *,
        port: int,
        env: dict[str, str],
        workers: int = 2,
        threads: int = 1,
        log: Path,
        options: tuple[str, ...] = (),
    ):
        self.port = port
        self.env = {**os.environ, **env}
        self.workers = workers
        self.threads = threads
        self.log = log
        self.options = options
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> Gunicorn:
        command = [
            str(BIN / "gunicorn"),
            "mechanic_shop.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            *self.options,
        ]
        self._log_file = open(self.log, "ab")  # closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {self.port} exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/inventory/", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer; see {self.log}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            # The whole session: the master and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        self._log_file.close()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def workdir(name: str) -> Path:
    """A folder for logs and SQLite files, under test-artifacts/ (ignored by git)."""
    path = ROOT / "test-artifacts" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


__all__ = [
    "Gunicorn",
    "drop_database",
    "flush_redis",
    "fresh_database_url",
    "reset_django_connections",
    "server_environment",
    "tail",
    "use_environment",
    "workdir",
]
