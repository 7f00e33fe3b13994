"""``make bench`` and ``make bench-smoke``: the API under gunicorn, driven by
wrk endpoint after endpoint, each next to a run of the framework ceiling.

    python bench/run.py [--smoke] [--db mariadb|sqlite] [--seconds 10] [--baseline REV]

Every figure is requests/s, p50 and p99 latency, the ratio to the ceiling
measured just before and just after it on the same server, and the CPU per
request of the workers, of the database server and of Redis (utime + stime
of their processes, read from /proc before and after each endpoint's load).
The targets are the database's CPU per request and p99. With --baseline,
the same run on a checkout of that commit first, then on the working tree,
and the two compared endpoint by endpoint. See bench/README.md for how to
read the tables.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import log

FULL = {
    "seed": ["--customers", "500", "--mechanics", "12", "--parts", "200", "--tickets", "10000"],
    "seconds": 10,
    "warmup": 2,
}
SMOKE = {
    "seed": ["--customers", "20", "--mechanics", "4", "--parts", "30", "--tickets", "300"],
    "seconds": 1,
    "warmup": 1,
}
CONNECTIONS = 16
PAGE_SIZE = 20

# Targets: the database server's CPU per request, in ms (see bench/README.md).
DB_TARGETS_MS = {
    "ticket_detail": 0.5,
    "tickets_list": 0.9,
    "my_tickets": 0.9,
    "tickets_deep_page": 3.0,
}
# The deep page: page 250 of 20 at 10,000 tickets, the middle of the list;
# its target is set at that size (smaller runs take their own middle page).
DEEP_PAGE = 250
DEEP_PAGE_TICKETS = 10_000
P99_LIMIT_MS = 100
RSS_LIMIT_MIB = 200
# Statements a cached GET may cost the database, at most (MariaDB's counters).
STATEMENT_LIMITS = {
    "inventory_cached": 0,
    "popular": 1,
    "tickets_list": 1,
    "my_tickets": 1,
    "ticket_detail": 1,
}
STATEMENT_REQUESTS = 100
STATEMENT_BUDGET_S = 15  # per endpoint, to find a window no other client wrote in
# Room for one cache miss in the window (an entry expiring meanwhile).
STATEMENT_SLACK = 0.05
# With --baseline: an endpoint under this share of the baseline's req/s is flagged.
BASELINE_FLAG = 0.75
# Fewer requests than this in a run: its per-request figures are rough.
FEW_REQUESTS = 100


def deep_page(tickets: int) -> int:
    return max(1, min(DEEP_PAGE, math.ceil(tickets / PAGE_SIZE) // 2))


def endpoints(data: dict, tokens: dict, sizes: dict) -> list[dict]:
    """What is measured, in order."""
    detail_paths = [f"/service-tickets/{i}/" for i in data["detail_ids"]]
    add_part_paths = [f"/service-tickets/{t}/add-part/{p}/" for t, p in data["add_part"]]
    login_body = json.dumps({"email": data["customer_email"], "password": harness.DEMO_PASSWORD})
    page = deep_page(data["tickets"])
    return [
        {"key": "inventory_cached", "name": "inventory list (cached)", "kind": "cached",
         "path": "/inventory/"},
        {"key": "popular", "name": "mechanics popular (cached)", "kind": "cached",
         "path": "/mechanics/popular/", "token": tokens["mechanic"]},
        {"key": "tickets_list", "name": "service-tickets list (20, nested)", "kind": "list",
         "path": "/service-tickets/", "token": tokens["mechanic"]},
        {"key": "tickets_deep_page", "name": f"service-tickets ?page={page}&page_size=20",
         "kind": "list", "path": f"/service-tickets/?page={page}&page_size={PAGE_SIZE}",
         "token": tokens["mechanic"]},
        {"key": "my_tickets", "name": "customers my-tickets", "kind": "list",
         "path": "/customers/my-tickets/", "token": tokens["customer"]},
        {"key": "ticket_detail", "name": "ticket detail", "kind": "read",
         "path": detail_paths[0], "paths": detail_paths, "token": tokens["mechanic"]},
        {"key": "add_part", "name": "add-part (write)", "kind": "write", "method": "POST",
         "path": add_part_paths[0], "paths": add_part_paths, "body": '{"quantity": 1}',
         "token": tokens["mechanic"]},
        {"key": "login", "name": "customer login (PBKDF2)", "kind": "login", "method": "POST",
         "path": "/customers/login/", "body": login_body},
        {"key": "ceiling_redis", "name": "ceiling + one Redis round trip", "kind": "info",
         "path": f"/bench/ceiling-redis/?bytes={sizes['inventory']}"},
        {"key": "plain_drf", "name": "plain DRF ListAPIView, 10 rows", "kind": "info",
         "path": "/bench/plain-drf/"},
        {"key": "ceiling_large", "name": f"ceiling, tickets-page size ({sizes['tickets']} B)",
         "kind": "info", "path": f"/bench/ceiling/?bytes={sizes['tickets']}"},
    ]  # fmt: skip


def uncached_endpoints(data: dict, tokens: dict) -> list[dict]:
    """Measured on a server with the response cache off: the inventory list
    (judged like the rest) and the ticket reads, each request a miss (kind
    ``miss``: shown with the targets for information, not judged; the
    endpoints as served are the cached rows above)."""
    by_key = {e["key"]: e for e in endpoints(data, tokens, {"inventory": 0, "tickets": 0})}
    misses = [
        dict(by_key[key], key=f"{key}_uncached", name=f"{by_key[key]['name']} (cache off)",
             kind="miss")
        for key in ("tickets_list", "tickets_deep_page", "my_tickets", "ticket_detail")
    ]  # fmt: skip
    inventory = {"key": "inventory_uncached", "name": "inventory list (cache off)",
                 "kind": "read", "path": "/inventory/"}  # fmt: skip
    return [inventory, *misses]


def db_target(key: str, tickets: int) -> float | None:
    """The endpoint's database CPU target (ms/req), if one applies at this size."""
    if key == "tickets_deep_page" and tickets < DEEP_PAGE_TICKETS:
        return None
    return DB_TARGETS_MS.get(key)


def measure(server, backends, endpoint: dict, *, seconds: int, warmup: int) -> dict:
    """One endpoint's load. The workers' CPU is read around it (after the
    workers are idle again), the database's and Redis's right before and
    right after wrk: the warm-up is outside every reading."""
    url = server.base + endpoint["path"]
    options = {
        "connections": CONNECTIONS,
        "method": endpoint.get("method", "GET"),
        "token": endpoint.get("token"),
        "body": endpoint.get("body"),
        "paths": endpoint.get("paths"),
    }
    if warmup:
        harness.run_wrk(url, seconds=warmup, **options)
        server.settle()
    cpu_before = server.workers_cpu()
    tiers_before = backends.snapshot()
    result = harness.run_wrk(url, seconds=seconds, **options)
    tiers_after = backends.snapshot()
    server.settle()
    cpu = server.workers_cpu() - cpu_before
    result["worker_cpu_ms"] = round(cpu * 1000 / result["requests"], 3) if result["requests"] else 0
    result.update(backends.per_request(tiers_before, tiers_after, result["requests"]))
    # The reading's resolution: one clock tick over the requests served.
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    result["cpu_tick_ms_per_req"] = (
        round(tick_ms / result["requests"], 4) if result["requests"] else None
    )
    if result["db_ms"] is not None and result["seconds"]:
        result["db_cpu_ms_per_s"] = round(
            result["db_ms"] * result["requests"] / result["seconds"], 1
        )
    return result


def check_endpoint(server, endpoint: dict) -> tuple[int, bytes]:
    """One request before the load: it must succeed (a 4xx under load would
    be measured as fast as a 200)."""
    status, _, body = harness.http(
        endpoint.get("method", "GET"),
        server.base + endpoint["path"],
        token=endpoint.get("token"),
        body=json.loads(endpoint["body"]) if endpoint.get("body") else None,
    )
    return status, body


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.mean(values), 3) if values else None


def interleaved(
    server, backends, items: list[dict], ceiling: dict, *, seconds: int, warmup: int, strict: bool
) -> tuple[list, list, list]:
    """ceiling, item 1, ceiling, item 2, ..., item n, ceiling: each item's
    ratio is to the mean of the ceiling runs just before and after it.
    An item that does not answer 200 first stops the run, or with
    ``strict`` false (a baseline's tree) is left out and reported."""
    ceiling_url = ceiling["path"]
    runs = []
    skipped = []
    status, body = check_endpoint(server, {"path": ceiling_url})
    if status != 200:
        raise SystemExit(f"{ceiling_url} answered {status}: {body[:300]!r}")
    chosen = []
    for endpoint in items:
        status, body = check_endpoint(server, endpoint)
        if status == 200:
            chosen.append(endpoint)
        elif strict:
            raise SystemExit(
                f"{endpoint['path']} answered {status} before the load: {body[:300]!r}"
            )
        else:
            log(f"  {endpoint['key']}: answered {status}, left out of this tree's run")
            skipped.append({"key": endpoint["key"], "status": status, "body": body[:300].decode()})
    before = measure(server, backends, {"path": ceiling_url}, seconds=seconds, warmup=warmup)
    log(f"  ceiling {before['rps']:.0f} rps")
    results = []
    for endpoint in chosen:
        result = measure(server, backends, endpoint, seconds=seconds, warmup=warmup)
        after = measure(server, backends, {"path": ceiling_url}, seconds=seconds, warmup=0)
        yardstick = (before["rps"] + after["rps"]) / 2
        result.update(
            key=endpoint["key"],
            name=endpoint["name"],
            kind=endpoint["kind"],
            path=endpoint["path"] if "paths" not in endpoint else endpoint["path"] + " (rotating)",
            ceiling_rps=round(yardstick, 1),
            ratio=round(result["rps"] / yardstick, 3) if yardstick else 0.0,
            ceiling_cpu_ms=round((before["worker_cpu_ms"] + after["worker_cpu_ms"]) / 2, 3),
            # The ceiling does no database work: its db ms/req is the background.
            ceiling_db_ms=_mean([before["db_ms"], after["db_ms"]]),
        )
        # That background (the server's CPU per second of the ceiling runs
        # around it) over this endpoint's own rate: how much of its db ms/req
        # other clients and the server's own threads may account for.
        background = _mean([before.get("db_cpu_ms_per_s"), after.get("db_cpu_ms_per_s")])
        result["db_background_ms"] = (
            round(background / result["rps"], 3)
            if background is not None and result["rps"]
            else None
        )
        log(
            f"  {endpoint['key']:<18} {result['rps']:8.0f} rps  p50 {result['p50_ms']:6.1f} ms  "
            f"p99 {result['p99_ms']:7.1f} ms  ratio {result['ratio']:.2f}  "
            f"cpu {result['worker_cpu_ms']:.2f}  db {_fmt(result['db_ms'])} "
            f"(own {_fmt(result['db_own_ms'])})  "
            f"redis {_fmt(result['redis_ms'])} ms/req  (ceiling {after['rps']:.0f} rps)"
        )
        results.append(result)
        runs.append(before)
        before = after
    runs.append(before)
    return results, runs, skipped


def statement_checks(server, backends, items: list[dict]) -> list[dict]:
    """What a cached GET costs the database, in statements, from MariaDB's
    global counters: ``STATEMENT_REQUESTS`` requests one after the other
    (warm: the entry cached, the workers' connections open), between two
    waits as long without requests. The counters are the whole server's, so
    only a window whose waits saw no statement from any other client is
    exact; tried again for up to ``STATEMENT_BUDGET_S``, then the least busy
    try is reported as such (n/a if it is over the limit)."""
    if backends.status is None:
        return []
    read, delta = backends.status.read, harness.MariaDBStatus.delta
    out = []
    for endpoint in items:
        limit = STATEMENT_LIMITS.get(endpoint["key"])
        if limit is None:
            continue
        url, token = server.base + endpoint["path"], endpoint.get("token")
        for _ in range(20):
            harness.http("GET", url, token=token)
        window, tries = 0.3, []
        deadline = time.monotonic() + STATEMENT_BUDGET_S
        while not tries or time.monotonic() < deadline:
            idle_before = read()
            time.sleep(window)
            before = read()
            started = time.perf_counter()
            statuses = {harness.http("GET", url, token=token)[0] for _ in range(STATEMENT_REQUESTS)}
            window = time.perf_counter() - started
            after = read()
            time.sleep(window)
            idle_after = read()
            tries.append(
                {
                    "work": delta(before, after),
                    "others": delta(idle_before, before)["Questions"]
                    + delta(after, idle_after)["Questions"],
                    "statuses": statuses,
                }
            )
            if tries[-1]["others"] == 0:
                break
        best = min(tries, key=lambda t: t["others"])
        quiet = best["others"] == 0
        work = best["work"]
        per = {name: round(work[name] / STATEMENT_REQUESTS, 3) for name in work}
        # Other clients only add to the counters: a pass holds in any window,
        # an excess only in a quiet one (else n/a).
        if best["statuses"] != {200}:
            met = False
        elif per["Questions"] <= limit + STATEMENT_SLACK:
            met = True
        else:
            met = False if quiet else None
        row = {
            "key": endpoint["key"],
            "path": endpoint["path"],
            "authenticated": bool(token),
            "requests": STATEMENT_REQUESTS,
            "statuses": sorted(best["statuses"]),
            "attempts": len(tries),
            "quiet": quiet,
            "others_in_waits": best["others"],
            "others_by_try": [t["others"] for t in tries],
            "questions": work["Questions"],
            "statements_per_request": per["Questions"],
            "selects_per_request": per["Com_select"],
            "pings_per_request": per["Com_admin_commands"],
            "limit": limit,
            "met": met,
        }
        note = (
            "a quiet window"
            if quiet
            else f"never quiet: {best['others']} statements of other clients in the waits"
        )
        log(
            f"  {endpoint['key']}: {per['Questions']:.2f} statements/request "
            f"({work['Questions']} over {STATEMENT_REQUESTS} requests; {note}, "
            f"try {len(tries)}), at most {limit}"
        )
        out.append(row)
    return out


def database_url_for(args, label: str, suffix: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or f"mysql://root@127.0.0.1:3306/bench_{label}"
    if suffix:
        url = harness.with_database(url, harness.database_name(url) + suffix)
    return url


def run_tree(args, plan: dict, seconds: int, *, root: Path, side: str, commit: str) -> dict:
    """The whole benchmark on the application tree at ``root``: its own
    database (migrated and seeded by that tree), its own cache prefix, its
    servers. Answers the report."""
    label = "smoke" if args.smoke else "api"
    suffix = "_base" if side == "baseline" else ""
    prefix = f"bench-{os.getpid()}-{int(time.time())}{suffix}"
    strict = side != "baseline"
    if args.db == "mariadb":
        database_url = database_url_for(args, label, suffix)
        redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
        harness.recreate_mysql_database(database_url)
    else:
        db_file = harness.TMP / f"bench-{label}{suffix}.sqlite3"
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{db_file}{extra}").unlink(missing_ok=True)
        database_url = f"sqlite:///{db_file}"
        redis_url = None
    env = harness.base_env(database_url=database_url, redis_url=redis_url, cache_prefix=prefix)
    backends = harness.Backends(database_url, redis_url)
    for tier, source in backends.describe().items():
        if isinstance(source, dict) and "reason" in source:
            log(f"{tier} ms/req n/a: {source['reason']}")
    report = {
        "meta": {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "tree": side,
            "commit": commit,
            "uncommitted_changes": harness.tree_changed() if side == "working tree" else False,
            "db": "MariaDB + Redis" if args.db == "mariadb" else "SQLite + local memory",
            "smoke": args.smoke,
            "connections": CONNECTIONS,
            "seconds": seconds,
            "warmup_seconds": plan["warmup"],
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "machine": harness.machine(),
            "cpu_sources": backends.describe(),
        }
    }
    try:
        log(
            f"{side} ({commit}): database {harness.database_name(database_url) or database_url}: "
            "migrate and seed"
        )
        report["setup"] = {
            "migrate_seconds": round(harness.manage(env, "migrate", "--noinput", root=root), 1),
            "collectstatic_seconds": round(
                harness.manage(env, "collectstatic", "--noinput", "-v0", root=root), 1
            ),
            "seed_args": plan["seed"],
            "seed_seconds": round(
                harness.manage(env, "seed_demo", "--quiet-logins", *plan["seed"], root=root), 1
            ),
        }
        if args.db == "sqlite":
            import sqlite3

            sqlite3.connect(db_file).execute("PRAGMA journal_mode=WAL").close()
        data = harness.prepare(env, root=root)
        report["setup"]["tickets"] = data["tickets"]
        report["setup"]["my_tickets_customer_tickets"] = data["customer_tickets"]
        server_options = {"workers": args.workers, "threads": args.threads, "root": root}

        with harness.Server(env, label=f"api{suffix}", **server_options) as server:
            tokens = {
                "mechanic": harness.login(server.base, "mechanics", data["mechanic_email"]),
                "customer": harness.login(server.base, "customers", data["customer_email"]),
            }
            sizes = {
                "inventory": len(harness.http("GET", server.base + "/inventory/")[2]),
                "tickets": len(
                    harness.http(
                        "GET", server.base + "/service-tickets/", token=tokens["mechanic"]
                    )[2]
                ),
            }
            ceiling = {"path": f"/bench/ceiling/?bytes={sizes['inventory']}"}
            log(f"body sizes: {sizes}; measuring {seconds} s per endpoint")
            chosen = [
                e
                for e in endpoints(data, tokens, sizes)
                if not args.only or e["key"] in args.only.split(",")
            ]
            statements = statement_checks(server, backends, chosen)
            results, ceiling_runs, skipped = interleaved(
                server,
                backends,
                chosen,
                ceiling,
                seconds=seconds,
                warmup=plan["warmup"],
                strict=strict,
            )
            rss = server.worker_rss_mib()

        # The same reads with the response cache off need a server started
        # so: the inventory list, and what each ticket read costs on a miss
        # (every request then computes its answer), for information.
        env_off = dict(env, RESPONSE_CACHE_ENABLED="false")
        off = [
            e
            for e in uncached_endpoints(data, tokens)
            if not args.only or e["key"] in args.only.split(",")
        ]
        if off:
            with harness.Server(env_off, label=f"nocache{suffix}", **server_options) as server:
                more, runs_off, skipped_off = interleaved(
                    server,
                    backends,
                    off,
                    ceiling,
                    seconds=seconds,
                    warmup=plan["warmup"],
                    strict=strict,
                )
                rss += server.worker_rss_mib()
            results[min(1, len(results)) : min(1, len(results))] = more
            ceiling_runs += runs_off
            skipped += skipped_off
    finally:
        backends.close()
        harness.clear_cache_prefix(env, root=root)
        if args.db == "mariadb" and not args.keep:
            harness.drop_mysql_database(database_url)

    rps_runs = [r["rps"] for r in ceiling_runs]
    report["ceiling"] = {
        "path": ceiling["path"],
        "bytes": sizes["inventory"],
        "sized_like": "the inventory list page (GET /inventory/, 20 parts)",
        "rps_runs": rps_runs,
        "rps_mean": round(statistics.mean(rps_runs), 1),
        "rps_min": min(rps_runs),
        "rps_max": max(rps_runs),
        "p99_ms_max": max(r["p99_ms"] for r in ceiling_runs),
        "cpu_ms_mean": round(statistics.mean(r["worker_cpu_ms"] for r in ceiling_runs), 3),
        "db_ms_mean": _mean(r["db_ms"] for r in ceiling_runs),
        "db_own_ms_mean": _mean(r.get("db_own_ms") for r in ceiling_runs),
        "redis_ms_mean": _mean(r["redis_ms"] for r in ceiling_runs),
        "db_statements_mean": _mean(r.get("db_statements") for r in ceiling_runs),
    }
    report["body_bytes"] = sizes
    report["endpoints"] = results
    report["skipped"] = skipped
    report["statements"] = statements
    report["rss"] = {"workers_mib": rss, "peak_mib": max(rss) if rss else 0.0}
    report["targets"] = evaluate(results, rss, statements, data["tickets"])
    return report


def evaluate(results: list[dict], rss: list[float], statements: list[dict], tickets: int) -> list:
    """The pass/fail list: database CPU per request where a target is set,
    p99 on every API endpoint but login, no errors, statements per cached
    GET, worker memory. ``met`` is None when the figure is not available."""
    checks = []
    for r in results:
        target = db_target(r["key"], tickets)
        if target is not None:
            value = r.get("db_ms")
            checks.append(
                {"target": f"{r['key']} db CPU <= {target} ms/req",
                 "value": value if value is not None else "n/a",
                 "met": None if value is None else value <= target}
            )  # fmt: skip
        if r["kind"] not in ("login", "info", "miss"):
            checks.append(
                {"target": f"{r['key']} p99 < {P99_LIMIT_MS} ms", "value": r["p99_ms"],
                 "met": r["p99_ms"] < P99_LIMIT_MS}
            )  # fmt: skip
        if r["error_count"]:
            checks.append(
                {"target": f"{r['key']} without errors", "value": r["errors"], "met": False}
            )
    for s in statements:
        who = "authenticated" if s["authenticated"] else "anonymous"
        value = s["statements_per_request"]
        if not s["quiet"]:
            value = f"{value} (other clients active in every try: {s['others_in_waits']})"
        checks.append(
            {"target": f"{s['key']} ({who}, cached) <= {s['limit']} statements/request",
             "value": value, "met": s["met"]}
        )  # fmt: skip
    peak = max(rss) if rss else 0.0
    checks.append(
        {"target": f"worker RSS < {RSS_LIMIT_MIB} MiB", "value": peak, "met": peak < RSS_LIMIT_MIB}
    )
    return checks


def _fmt(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _verdict(met) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


def table(report: dict) -> str:
    tickets = report["setup"]["tickets"]
    head = (
        f"{'endpoint':<40} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} "
        f"{'cpu ms':>7} {'db ms/req':>10} {'db own':>7} {'redis ms/req':>13} {'stmt/req':>9}  "
        "target"
    )
    rule = "-" * (len(head) + 30)
    lines = [head, rule]
    for r in report["endpoints"]:
        notes = []
        target = db_target(r["key"], tickets)
        if target is not None:
            met = None if r.get("db_ms") is None else r["db_ms"] <= target
            notes.append(f"db <= {target}: {_verdict(met)}")
        elif r["key"] in DB_TARGETS_MS:
            notes.append(f"db <= {DB_TARGETS_MS[r['key']]} at {DEEP_PAGE_TICKETS:,} tickets")
        if r["kind"] == "miss":
            notes.append("every request a miss: for information")
        elif r["kind"] == "login":
            notes.append("exception (password hashing)")
        elif r["kind"] == "info":
            notes.append("calibration")
        else:
            notes.append(f"p99: {_verdict(r['p99_ms'] < P99_LIMIT_MS)}")
        lines.append(
            f"{r['name']:<40} {r['rps']:>7.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
            f"{r['ratio']:>6.2f} {r['worker_cpu_ms']:>7.2f} {_fmt(r.get('db_ms'), 3):>10} "
            f"{_fmt(r.get('db_own_ms'), 3):>7} {_fmt(r.get('redis_ms'), 3):>13} "
            f"{_fmt(r.get('db_statements')):>9}  "
            f"{'; '.join(notes)}"
        )
    c = report["ceiling"]
    lines.append(rule)
    lines.append(
        f"{'ceiling (' + str(c['bytes']) + ' B JSON)':<40} {c['rps_mean']:>7.0f}"
        f"{'':>23}{c['cpu_ms_mean']:>7.2f} {_fmt(c.get('db_ms_mean'), 3):>10} "
        f"{_fmt(c.get('db_own_ms_mean'), 3):>7} {_fmt(c.get('redis_ms_mean'), 3):>13} "
        f"{_fmt(c.get('db_statements_mean')):>9}  runs: "
        f"{', '.join(f'{x:.0f}' for x in c['rps_runs'])}"
    )
    lines.append(
        "  (the ceiling touches neither the database nor Redis: its figures are what other "
        "clients and the servers' own threads add; db own: the threads of this run's "
        "connections alone)"
    )
    for tier, source in report["meta"]["cpu_sources"].items():
        if not isinstance(source, dict):
            continue
        if "pid" in source:
            lines.append(
                f"{tier} ms/req: {source['name']} pid {source['pid']} (port {source['port']}), "
                f"utime + stime from /proc/{source['pid']}/stat"
                + (f"; {source['note']}" if source.get("note") else "")
            )
        else:
            lines.append(f"{tier} ms/req n/a: {source['reason']}")
    noisy = [
        r["key"]
        for r in report["endpoints"]
        if r.get("db_ms") and (r.get("db_background_ms") or 0) > 0.1 * r["db_ms"]
    ]
    if noisy:
        lines.append(
            "background over a tenth of db ms/req (other clients, the server's own threads; "
            f"from the ceiling runs around it): {', '.join(noisy)}"
        )
    few = [r["key"] for r in report["endpoints"] if r["requests"] < FEW_REQUESTS]
    if few:
        lines.append(
            f"under {FEW_REQUESTS} requests (CPU figures within a clock tick over the requests, "
            f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms / n): {', '.join(few)}"
        )
    for s in report.get("skipped", []):
        lines.append(f"left out: {s['key']} answered {s['status']}")
    lines.append(
        f"worker RSS peak: {report['rss']['peak_mib']} MiB ({report['rss']['workers_mib']})"
    )
    return "\n".join(lines)


def checks_text(report: dict) -> str:
    return "\n".join(
        f"  [{_verdict(c['met'])}] {c['target']}: {c['value']}" for c in report["targets"]
    )


def chart(report: dict, path: Path) -> None:
    """Two panels on the same rows: requests/s against the ceiling measured
    next to each endpoint, and the database's (and Redis's) CPU per request
    with the database targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["endpoints"][::-1]
    tickets = report["setup"]["tickets"]
    names = [r["name"] for r in rows]
    fig, (ax, ax_db) = plt.subplots(
        1,
        2,
        sharey=True,
        figsize=(13, 0.5 * len(rows) + 2.2),
        dpi=110,
        gridspec_kw={"width_ratios": [3, 2]},
    )
    ax.barh(names, [r["ceiling_rps"] for r in rows], color="#dddddd", label="ceiling (next to it)")
    ax.barh(names, [r["rps"] for r in rows], color="#3b6ea5", height=0.5, label="endpoint")
    for y, r in enumerate(rows):
        ax.text(r["rps"], y, f" {r['rps']:.0f}/s  ({r['ratio']:.2f})", va="center", fontsize=8)
    ax.set_xlabel("requests/s (ratio to the ceiling in brackets)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)

    db = [r.get("db_ms") for r in rows]
    redis = [r.get("redis_ms") for r in rows]
    positions = range(len(rows))
    if any(v is not None for v in db):
        ax_db.barh([y + 0.13 for y in positions], [v or 0 for v in db], height=0.38,
                   color="#8e5ea2", label="database server")  # fmt: skip
        for y, v in enumerate(db):
            ax_db.text(v or 0, y + 0.13, f" {_fmt(v)}", va="center", fontsize=7)
    else:
        reason = report["meta"]["cpu_sources"]["db"].get("reason", "")
        ax_db.text(0.02, 0.5, f"database CPU n/a:\n{reason}", transform=ax_db.transAxes,
                   fontsize=8, wrap=True)  # fmt: skip
    if any(v is not None for v in redis):
        ax_db.barh([y - 0.2 for y in positions], [v or 0 for v in redis], height=0.26,
                   color="#e8a33d", label="Redis")  # fmt: skip
    marked = False
    for y, r in enumerate(rows):
        target = db_target(r["key"], tickets)
        if target is not None:
            ax_db.plot([target] * 2, [y - 0.4, y + 0.4], color="#c0392b", lw=2)
            marked = True
    if marked:
        ax_db.plot([], [], color="#c0392b", lw=2, label="database target")
    highest = max([v for v in db + redis if v is not None], default=0)
    targets = [db_target(r["key"], tickets) or 0 for r in rows]
    ax_db.set_xlim(0, max(highest, *targets, 0.1) * 1.18)  # room for the labels
    ax_db.set_xlabel("server CPU per request (ms), from /proc")
    ax_db.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    meta = report["meta"]
    fig.suptitle(
        f"Mechanic Shop API, {meta['db']}, {tickets:,} tickets, {meta['connections']} "
        f"connections, {meta['seconds']} s each ({meta['date'][:10]}, {meta['commit']})",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def compare(baseline: dict, current: dict) -> dict:
    """Endpoint by endpoint, the working tree against the baseline."""
    before = {r["key"]: r for r in baseline["endpoints"]}
    rows = []
    for r in current["endpoints"]:
        b = before.get(r["key"])
        if b is None:
            rows.append({"key": r["key"], "name": r["name"]})
            continue

        def ratio(now, then):
            return round(now / then, 3) if now is not None and then else None

        rps_ratio = ratio(r["rps"], b["rps"])
        rows.append(
            {
                "key": r["key"],
                "name": r["name"],
                "rps": {"baseline": b["rps"], "current": r["rps"], "ratio": rps_ratio},
                "ceiling_ratio": {
                    "baseline": b["ratio"],
                    "current": r["ratio"],
                    "ratio": ratio(r["ratio"], b["ratio"]),
                },
                "p99_ms": {"baseline": b["p99_ms"], "current": r["p99_ms"]},
                "worker_cpu_ms": {"baseline": b["worker_cpu_ms"], "current": r["worker_cpu_ms"]},
                "db_ms": {"baseline": b.get("db_ms"), "current": r.get("db_ms"),
                          "ratio": ratio(r.get("db_ms"), b.get("db_ms"))},
                "db_own_ms": {"baseline": b.get("db_own_ms"), "current": r.get("db_own_ms")},
                "redis_ms": {"baseline": b.get("redis_ms"), "current": r.get("redis_ms")},
                "db_statements": {"baseline": b.get("db_statements"),
                                  "current": r.get("db_statements")},
                "below_flag": rps_ratio is not None and rps_ratio < BASELINE_FLAG,
                "few_requests": min(r["requests"], b["requests"]) < FEW_REQUESTS,
            }
        )  # fmt: skip
    return {
        "flag": f"current req/s < {BASELINE_FLAG} x the baseline's",
        "ceiling_rps": {
            "baseline": baseline["ceiling"]["rps_mean"],
            "current": current["ceiling"]["rps_mean"],
        },
        "tickets": {
            "baseline": baseline["setup"]["tickets"],
            "current": current["setup"]["tickets"],
        },
        "rows": rows,
        "missing_in_baseline": [r["key"] for r in rows if "rps" not in r],
        "flagged": [r["key"] for r in rows if r.get("below_flag")],
    }


def comparison_table(comparison: dict, base_commit: str, commit: str) -> str:
    head = (
        f"{'endpoint':<40} {'req/s base':>10} {'req/s now':>10} {'now/base':>9} "
        f"{'ratio b/n':>11} {'db ms base':>11} {'db ms now':>10} "
        f"{'cpu ms b/n':>17}"
    )
    lines = [f"baseline {base_commit} against the working tree ({commit})", head, "-" * len(head)]
    for r in comparison["rows"]:
        if "rps" not in r:
            lines.append(f"{r['name']:<40} {'(not in the baseline)':>21}")
            continue
        ceiling = f"{r['ceiling_ratio']['baseline']:.2f}/{r['ceiling_ratio']['current']:.2f}"
        cpu = f"{r['worker_cpu_ms']['baseline']:.2f}/{r['worker_cpu_ms']['current']:.2f}"
        flag = f"  BELOW {BASELINE_FLAG}x" if r["below_flag"] else ""
        if r["few_requests"]:
            flag += f" (under {FEW_REQUESTS} requests)"
        lines.append(
            f"{r['name']:<40} {r['rps']['baseline']:>10.0f} {r['rps']['current']:>10.0f} "
            f"{_fmt(r['rps']['ratio']):>9} {ceiling:>11} {_fmt(r['db_ms']['baseline'], 3):>11} "
            f"{_fmt(r['db_ms']['current'], 3):>10} {cpu:>17}{flag}"
        )
    c = comparison["ceiling_rps"]
    lines.append("-" * len(head))
    lines.append(
        f"ceiling: {c['baseline']:.0f} req/s during the baseline's run, {c['current']:.0f} "
        f"during the working tree's ({c['current'] / c['baseline']:.2f}x: the machine's drift "
        "between the two; 'ratio b/n', to the ceiling, corrects for it)"
    )
    if comparison["flagged"]:
        lines.append(f"below {BASELINE_FLAG}x of the baseline's req/s: {comparison['flagged']}")
    else:
        lines.append(f"no endpoint below {BASELINE_FLAG}x of the baseline's req/s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, a small data set")
    parser.add_argument(
        "--db", choices=["mariadb", "sqlite"], default=os.environ.get("BENCH_DB") or "mariadb"
    )
    parser.add_argument("--seconds", type=int, help="per endpoint (default 10, smoke 1)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 1)))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--only", help="comma-separated endpoint keys (quick comparisons)")
    parser.add_argument(
        "--baseline",
        default=os.environ.get("BENCH_BASELINE") or None,
        metavar="REV",
        help="benchmark this commit first (a checkout of it, its own database), "
        "then the working tree, and compare them",
    )
    parser.add_argument(
        "--out", type=Path, help="results folder (default bench/results, smoke bench/tmp)"
    )
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    seconds = args.seconds or plan["seconds"]
    out = args.out or (harness.TMP if args.smoke else harness.RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    harness.TMP.mkdir(exist_ok=True)
    harness.require_wrk()
    name = f"{'smoke' if args.smoke else 'bench'}-{args.db}"
    commit = harness.git_commit()

    baseline = None
    if args.baseline:
        base_commit = harness.resolve_commit(args.baseline)
        short = harness.git_commit(base_commit)
        log(f"baseline: {args.baseline} = {short}, checked out into a temporary directory")
        with harness.checkout(base_commit) as root:
            baseline = run_tree(args, plan, seconds, root=root, side="baseline", commit=short)
        baseline["meta"]["baseline_rev"] = args.baseline
        print()
        print(f"baseline {short} ({args.baseline}):")
        print(table(baseline))
        print(checks_text(baseline))

    report = run_tree(args, plan, seconds, root=harness.ROOT, side="working tree", commit=commit)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    chart(report, out / f"{name}.png")
    written = [out / f"{name}.json", out / f"{name}.png"]
    print()
    if baseline:
        changes = ", with uncommitted changes" if report["meta"]["uncommitted_changes"] else ""
        print(f"working tree ({commit}{changes}):")
    print(table(report))
    print()
    print(checks_text(report))
    errors = [r["key"] for r in report["endpoints"] if r["error_count"]]
    if baseline:
        comparison = compare(baseline, report)
        if comparison["tickets"]["baseline"] != comparison["tickets"]["current"]:
            log(f"the two trees seeded different data: {comparison['tickets']}")
        compare_name = f"compare-{'smoke-' if args.smoke else ''}{args.db}"
        (out / f"{compare_name}.json").write_text(
            json.dumps(
                {"baseline": baseline, "current": report, "comparison": comparison}, indent=2
            )
            + "\n"
        )
        written.append(out / f"{compare_name}.json")
        print()
        print(comparison_table(comparison, baseline["meta"]["commit"], commit))
        errors += [f"baseline:{r['key']}" for r in baseline["endpoints"] if r["error_count"]]
    print(f"\nwritten: {', '.join(str(p) for p in written)}")
    if errors:
        print(f"errors during the load: {errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
