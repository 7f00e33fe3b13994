"""The pieces of the benchmark: a database of its own, a gunicorn server of
the API under production settings, wrk runs, worker memory, the CPU time of
the database and Redis servers, a checkout of an earlier commit. ``run.py``
(make bench, make bench-smoke) and ``scale.py`` (make bench-scale) put them
together.

Nothing here imports Django: the database is prepared by ``manage.py`` and
``prepare.py`` in subprocesses with the benchmark's environment, so one run
can drive several databases, and several trees of the application (the
working tree and a baseline commit, each served from its own directory).
"""

import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
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


def manage(env: dict, *args: str, quiet: bool = True, root: Path = ROOT) -> float:
    """Run ``manage.py`` of the tree at ``root`` with the benchmark's
    environment; answer seconds."""
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def prepare(env: dict, *, root: Path = ROOT) -> dict:
    """This tree's ``prepare.py`` against the application at ``root``."""
    out = subprocess.run(
        [PYTHON, str(BENCH_DIR / "prepare.py")],
        cwd=root,
        env=dict(env, BENCH_APP_ROOT=str(root)),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def clear_cache_prefix(env: dict, *, root: Path = ROOT) -> None:
    """Delete the run's keys from Redis (they all carry its own prefix)."""
    if not env.get("REDIS_URL"):
        return
    code = "from django.core.cache import caches; caches['default'].delete_pattern('*')"
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=root,
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


def _stat_fields(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` from its third field (the state) on: the command
    name before it is in brackets and may hold spaces."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process (all its threads) has used so far:
    utime + stime, in clock ticks, of ``/proc/<pid>/stat``."""
    fields = _stat_fields(pid)
    if fields is None:
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
    sampling every worker's resident memory twice a second. ``root``: the
    tree of the application served (the working tree, or a baseline's
    checkout)."""

    def __init__(self, env: dict, *, workers: int, threads: int, label: str, root: Path = ROOT):
        self.env = env
        self.root = root
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
        self.process = subprocess.Popen(command, cwd=self.root, env=self.env)
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


# -- the database's and Redis's own CPU ------------------------------------------
#
# The workers scale out by adding processes (or machines); the one database
# does not. Its CPU per request, and Redis's, are read from /proc like the
# workers': utime + stime of the server process (every thread's), before and
# after an endpoint's load. That needs the server on this machine, found as
# the process of that name that owns the listening socket of the URL's port.

DB_PROCESS_NAMES = ("mariadbd", "mysqld")
REDIS_PROCESS_NAMES = ("redis-server",)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the TCP sockets listening on ``port`` (any address)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if (
                len(fields) > 9
                and fields[3] == "0A"
                and int(fields[1].rsplit(":", 1)[1], 16) == port
            ):
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str] | None:
    """Inodes of the sockets the process has open; None if its file
    descriptors cannot be read (another user's process)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    inodes = set()
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _process_name(pid: int) -> str:
    """The command's name: ``comm``, or argv[0]'s base name when that names
    a server (``comm`` is cut at 15 characters and may be renamed)."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        return ""
    base = os.path.basename(argv0.split()[0]) if argv0.strip() else ""
    known = DB_PROCESS_NAMES + REDIS_PROCESS_NAMES
    return base if comm not in known and base in known else comm


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def find_local_server(url: str | None, names: tuple[str, ...], default_port: int) -> dict:
    """The local process of one of ``names`` serving ``url``: ``{"pid",
    "name", "port", "start"}``, or ``{"reason"}`` saying why none is."""
    what = " / ".join(names)
    if not url:
        return {"reason": "not used by this run"}
    parts = urlsplit(url)
    if parts.scheme in ("unix", "redis+socket") or not parts.hostname:
        return {"reason": f"{url.split('@')[-1]} is not a TCP address: no port to find {what} by"}
    host, port = parts.hostname, parts.port or default_port
    if not _is_loopback(host):
        return {
            "reason": f"the server is at {host}:{port}, not on this machine's loopback: "
            f"its CPU cannot be read from this machine's /proc"
        }
    listening = _listening_inodes(port)
    if not listening:
        return {"reason": f"no process listens on port {port} in this machine's network namespace"}
    candidates = [pid for pid in _pids() if _process_name(pid) in names]
    unreadable = []
    for pid in candidates:
        sockets = _socket_inodes(pid)
        if sockets is None:
            unreadable.append(pid)
        elif sockets & listening:
            return {"pid": pid, "name": _process_name(pid), "port": port, "start": _start(pid)}
    if len(candidates) == 1 and unreadable:
        pid = candidates[0]  # its sockets cannot be read: the only one of its name
        return {"pid": pid, "name": _process_name(pid), "port": port, "start": _start(pid),
                "note": "assumed: its sockets could not be read"}  # fmt: skip
    for pid in _pids():
        if pid not in candidates and (_socket_inodes(pid) or set()) & listening:
            return {
                "reason": f"port {port} is served by {_process_name(pid) or '?'} (pid {pid}), "
                f"not by a {what} process"
            }
    found = f" (found {what} pids {candidates}, none on that port)" if candidates else ""
    return {"reason": f"no {what} process found listening on port {port}{found}"}


def _start(pid: int) -> int | None:
    """The process's start time (field 22 of stat): a pid reused by another
    process since is not the server any more."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


class ServerCPU:
    """CPU seconds of one local server process (the database or Redis), or
    None with ``reason`` when it cannot be read."""

    def __init__(self, url: str | None, names: tuple[str, ...], default_port: int):
        self.source = find_local_server(url, names, default_port)

    @property
    def available(self) -> bool:
        return "pid" in self.source

    @property
    def reason(self) -> str | None:
        return self.source.get("reason")

    def seconds(self) -> float | None:
        if not self.available:
            return None
        pid = self.source["pid"]
        if _start(pid) != self.source["start"]:
            self.source = {"reason": f"{self.source['name']} (pid {pid}) restarted during the run"}
            return None
        return cpu_seconds(pid)


class MariaDBStatus:
    """The server's global statement counters (``SHOW GLOBAL STATUS``):
    ``Questions`` (statements clients sent), ``Com_select``, and
    ``Com_admin_commands`` (pings among them: a connection's health check is
    not a statement). Global: every client of the server counts. Also the
    OS threads serving a database's connections (``PROCESSLIST.TID``)."""

    NAMES = ("Questions", "Com_select", "Com_admin_commands")

    def __init__(self, url: str):
        import MySQLdb

        parts = urlsplit(url)
        self.connection = MySQLdb.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            connect_timeout=5,
        )
        self.database = database_name(url)
        self.issued = 0  # statements of its own, taken off the counters

    def _query(self, sql: str, args=None) -> list:
        cursor = self.connection.cursor()
        self.issued += 1
        cursor.execute(sql, args)
        return cursor.fetchall()

    def read(self) -> dict[str, int]:
        names = ", ".join(f"'{name}'" for name in self.NAMES)
        rows = self._query(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")
        return {**{name: int(value) for name, value in rows}, "_issued": self.issued}

    def connection_threads(self) -> set[int]:
        """OS thread ids of the server's threads serving the run's database
        (one thread per connection)."""
        rows = self._query(
            "SELECT TID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
            (self.database,),
        )
        return {int(tid) for (tid,) in rows if tid}

    @staticmethod
    def delta(before: dict, after: dict) -> dict[str, int]:
        """What the other clients sent in between: the counters' difference
        less the statements of its own (the readings themselves)."""
        out = {name: after[name] - before[name] for name in MariaDBStatus.NAMES}
        out["Questions"] -= after["_issued"] - before["_issued"]
        return out

    def close(self) -> None:
        self.connection.close()


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """utime + stime of every thread of the process, by thread id."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
    return out


class Backends:
    """The database's and Redis's share of each measurement: CPU seconds of
    both server processes and, on MariaDB, the statement counters and the
    CPU of the threads serving the run's own connections."""

    def __init__(self, database_url: str, redis_url: str | None):
        if database_url.startswith("sqlite"):
            self.db = ServerCPU(None, DB_PROCESS_NAMES, 3306)
            self.db.source = {"reason": "SQLite runs inside the workers: its CPU is in cpu ms"}
        else:
            self.db = ServerCPU(database_url, DB_PROCESS_NAMES, 3306)
        self.redis = ServerCPU(redis_url, REDIS_PROCESS_NAMES, 6379)
        if not redis_url:
            self.redis.source = {"reason": "no Redis in this run (local-memory cache)"}
        self.status = None
        if database_url.startswith("mysql"):
            try:
                self.status = MariaDBStatus(database_url)
            except Exception as exc:  # the counters are extra: the run goes on without them
                log(f"MariaDB status counters not available: {exc}")

    def snapshot(self) -> dict:
        status = self.status.read() if self.status else None
        db = self.db.seconds()
        own = threads = None
        if self.status and db is not None:
            try:
                own = self.status.connection_threads()
            except Exception:  # an older server: no TID column
                own = None
            threads = thread_cpu_seconds(self.db.source["pid"]) if own is not None else None
        return {
            "db": db,
            "redis": self.redis.seconds(),
            "status": status,
            "own": own,
            "threads": threads,
        }

    def per_request(self, before: dict, after: dict, requests: int) -> dict:
        """ms of database and Redis CPU per request, the part of the
        database's spent by the threads of the run's own connections, and
        statements per request; None where not available."""

        def ms(key):
            if before[key] is None or after[key] is None or not requests:
                return None
            return round((after[key] - before[key]) * 1000 / requests, 3)

        statements = None
        if before["status"] and after["status"] and requests:
            delta = MariaDBStatus.delta(before["status"], after["status"])
            statements = round(delta["Questions"] / requests, 2)
        own_ms = None
        if before["own"] is not None and after["own"] is not None and requests:
            # A connection opened meanwhile has a thread new (counted whole)
            # or taken from the thread cache (counted from its reading before).
            tids = before["own"] | after["own"]
            seconds = sum(
                after["threads"].get(tid, before["threads"].get(tid, 0.0))
                - before["threads"].get(tid, 0.0)
                for tid in tids
            )
            own_ms = round(seconds * 1000 / requests, 3)
        return {
            "db_ms": ms("db"),
            "db_own_ms": own_ms,
            "redis_ms": ms("redis"),
            "db_statements": statements,
        }

    def describe(self) -> dict:
        return {"db": dict(self.db.source), "redis": dict(self.redis.source),
                "clock_ticks_per_second": os.sysconf("SC_CLK_TCK")}  # fmt: skip

    def close(self) -> None:
        if self.status:
            self.status.close()


# -- a baseline's tree ------------------------------------------------------------


def resolve_commit(rev: str) -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{rev!r} is not a commit of this repository")
    return out.stdout.strip()


@contextmanager
def checkout(commit: str):
    """The tree of ``commit`` in a temporary directory (``git archive``: the
    repository, its index and its worktrees are left as they are), removed
    at the end."""
    directory = Path(tempfile.mkdtemp(prefix=f"bench-baseline-{commit[:8]}-"))
    try:
        archive = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=ROOT,
                                   stdout=subprocess.PIPE)  # fmt: skip
        with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
            tar.extractall(directory, filter="data")
        if archive.wait() != 0:
            raise SystemExit(f"git archive {commit} failed")
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


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


def git_commit(rev: str = "HEAD") -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def tree_changed() -> bool:
    """Whether the working tree differs from HEAD (uncommitted changes are
    benchmarked too)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    except OSError:
        return False
    return bool(out.strip())


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
    }
