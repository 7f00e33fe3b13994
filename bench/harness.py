"""The pieces of the benchmark: a database of its own, a gunicorn server of
the API under production settings, wrk runs, worker memory, the table and
the chart. ``run.py`` (make bench, make bench-smoke) and ``scale.py``
(make bench-scale) put them together.

Nothing here imports Django: the database is prepared by ``manage.py`` and
``prepare.py`` in subprocesses with the benchmark's environment, so one run
can drive several databases.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mysql_admin  # noqa: E402  (scripts/, shared with the fuzzing and concurrency checks)

TMP = BENCH_DIR / "tmp"
RESULTS = BENCH_DIR / "results"
LUA = BENCH_DIR / "wrk" / "request.lua"
PYTHON = sys.executable
HOST = "127.0.0.1"
PORTS = range(8900, 9000)
DEMO_PASSWORD = "demo-pass-2024"
# High enough that no throttle answers 429 during a run; the counters are
# still incremented on every request, as in production.
NO_THROTTLE = "1000000000/min"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the database -------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    """``url`` with its database (path) replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _bench_database(url: str, verb: str) -> str:
    """The URL's database name; refuses any that does not start with
    ``bench_``: the benchmark never touches another database."""
    name = database_name(url)
    if not re.fullmatch(r"bench_[A-Za-z0-9_]+", name):
        raise SystemExit(f"refusing to {verb} database {name!r}: its name must start with bench_")
    return name


def recreate_mysql_database(url: str) -> None:
    """Drop and create the benchmark's own database."""
    mysql_admin.recreate_database(url, _bench_database(url, "recreate"))


def drop_mysql_database(url: str) -> None:
    mysql_admin.drop_database(url, _bench_database(url, "drop"))


def base_env(*, database_url: str, redis_url: str | None, cache_prefix: str) -> dict:
    """The server's environment: production settings plus the ceiling route,
    plain HTTP on loopback, throttles out of the way."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "THROTTLE_", "RESPONSE_CACHE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mechanic_shop.settings.bench",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        CACHE_KEY_PREFIX=cache_prefix,
        THROTTLE_ANON=NO_THROTTLE,
        THROTTLE_USER=NO_THROTTLE,
        THROTTLE_LOGIN=NO_THROTTLE,
        JWT_ACCESS_MINUTES="120",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> float:
    """Run ``manage.py`` with the benchmark's environment; answer seconds."""
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def prepare(env: dict) -> dict:
    out = subprocess.run(
        [PYTHON, str(BENCH_DIR / "prepare.py")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def clear_cache_prefix(env: dict) -> None:
    """Delete the run's keys from Redis (they all carry its own prefix)."""
    if not env.get("REDIS_URL"):
        return
    code = "from django.core.cache import caches; caches['default'].delete_pattern('*')"
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# -- the server ---------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8900-8999")


def http(method: str, url: str, *, token: str | None = None, body: dict | None = None):
    """One request; answers (status, headers, body bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    """gunicorn serving the API (and the ceiling) on loopback, with a thread
    sampling every worker's resident memory twice a second."""

    def __init__(self, env: dict, *, workers: int, threads: int, label: str):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.label = label
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.rss_max: dict[int, int] = {}
        self._stop = threading.Event()

    def __enter__(self):
        TMP.mkdir(exist_ok=True)
        self.log_path = TMP / f"gunicorn-{self.label}.log"
        command = [
            PYTHON, "-m", "gunicorn", "mechanic_shop.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "--timeout", "120",
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
        ]  # fmt: skip
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = http("GET", f"{self.base}/bench/ceiling/")
                if status == 200 and len(worker_pids(self.process.pid)) >= self.workers:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start; see {self.log_path}")
            time.sleep(0.2)
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        log(f"gunicorn up on {self.base} ({self.workers} workers x {self.threads} threads)")
        return self

    def _sample(self):
        while not self._stop.is_set():
            for pid in worker_pids(self.process.pid):
                value = rss_kib(pid)
                if value is not None:
                    self.rss_max[pid] = max(self.rss_max.get(pid, 0), value)
            self._stop.wait(0.5)

    def settle(self, timeout: float = 120) -> None:
        """Wait until the workers are idle again: requests still queued when
        wrk stopped (slow logins) must not slow the next measurement."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                http("GET", f"{self.base}/bench/ceiling/")
            except OSError:
                pass
            if time.perf_counter() - started < 0.05:
                return
            time.sleep(0.2)

    def workers_cpu(self) -> float:
        """CPU seconds used by the workers so far: per request, a figure the
        other load on a shared machine barely moves."""
        return sum(cpu_seconds(pid) for pid in worker_pids(self.process.pid))

    def worker_rss_mib(self) -> list[float]:
        return [round(kib / 1024, 1) for kib in self.rss_max.values()]

    def stop(self):
        self._stop.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc):
        self.stop()


# -- load -----------------------------------------------------------------------


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed: bash scripts/system-deps.sh wrk")
    return wrk


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    method: str = "GET",
    token: str | None = None,
    body: str | None = None,
    paths: list[str] | None = None,
) -> dict:
    """Drive ``url`` with wrk (one thread, ``connections`` keep-alive
    connections) for ``seconds``; answer rps, latency percentiles (ms) and
    errors."""
    env = dict(os.environ, BENCH_METHOD=method, BENCH_TOKEN=token or "", BENCH_BODY=body or "")
    env["BENCH_PATHS"] = ""
    if paths:
        TMP.mkdir(exist_ok=True)
        paths_file = TMP / f"paths-{os.getpid()}.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        env["BENCH_PATHS"] = str(paths_file)
    command = [
        require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(LUA), url,
    ]  # fmt: skip
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed on {url}:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds_run, 2),
        "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "mean_ms": round(latency["mean"] / 1000, 2),
        "errors": raw["errors"],
        "error_count": errors,
        "bytes": raw["bytes"],
        "connections": connections,
    }


def login(base: str, door: str, email: str) -> str:
    status, _, body = http(
        "POST", f"{base}/{door}/login/", body={"email": email, "password": DEMO_PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"login of {email} at /{door}/login/ answered {status}: {body[:200]!r}")
    return json.loads(body)["access"]


@contextmanager
def timed():
    started = time.perf_counter()
    result = {}
    yield result
    result["seconds"] = round(time.perf_counter() - started, 2)


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
    }
