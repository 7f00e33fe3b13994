"""``make bench`` and ``make bench-smoke``: the API under gunicorn, driven by
wrk endpoint after endpoint, each next to a run of the framework ceiling.

    python bench/run.py [--smoke] [--db mariadb|sqlite] [--seconds 10]

Every figure is requests/s, p50 and p99 latency, and the ratio to the
ceiling measured just before and just after it on the same server (the
machine is shared: absolute figures drift, ratios measured together hold).
See bench/README.md for how to read the table.
"""

import argparse
import datetime
import json
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

# Targets: ratio to the ceiling, by kind of endpoint (see bench/README.md).
TARGETS = {"cached": 0.75, "uncached list": 0.35}
P99_LIMIT_MS = 100
RSS_LIMIT_MIB = 200


def endpoints(data: dict, tokens: dict, sizes: dict) -> list[dict]:
    """What is measured, in order. ``kind`` picks the target."""
    detail_paths = [f"/service-tickets/{i}/" for i in data["detail_ids"]]
    add_part_paths = [f"/service-tickets/{t}/add-part/{p}/" for t, p in data["add_part"]]
    login_body = json.dumps({"email": data["customer_email"], "password": harness.DEMO_PASSWORD})
    return [
        {"key": "inventory_cached", "name": "inventory list (cached)", "kind": "cached",
         "path": "/inventory/"},
        {"key": "popular", "name": "mechanics popular (cached)", "kind": "cached",
         "path": "/mechanics/popular/", "token": tokens["mechanic"]},
        {"key": "tickets_list", "name": "service-tickets list (20, nested)",
         "kind": "uncached list", "path": "/service-tickets/", "token": tokens["mechanic"]},
        {"key": "my_tickets", "name": "customers my-tickets", "kind": "uncached list",
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


def measure(server, endpoint: dict, *, seconds: int, warmup: int) -> dict:
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
    result = harness.run_wrk(url, seconds=seconds, **options)
    server.settle()
    cpu = server.workers_cpu() - cpu_before
    result["worker_cpu_ms"] = round(cpu * 1000 / result["requests"], 3) if result["requests"] else 0
    return result


def check_endpoint(server, endpoint: dict) -> None:
    """One request before the load: it must succeed (a 4xx under load would
    be measured as fast as a 200)."""
    status, _, body = harness.http(
        endpoint.get("method", "GET"),
        server.base + endpoint["path"],
        token=endpoint.get("token"),
        body=json.loads(endpoint["body"]) if endpoint.get("body") else None,
    )
    if status != 200:
        raise SystemExit(f"{endpoint['path']} answered {status} before the load: {body[:300]!r}")


def interleaved(server, items: list[dict], ceiling: dict, *, seconds: int, warmup: int) -> list:
    """ceiling, item 1, ceiling, item 2, ..., item n, ceiling: each item's
    ratio is to the mean of the ceiling runs just before and after it."""
    ceiling_url = ceiling["path"]
    runs = []
    check_endpoint(server, {"path": ceiling_url})
    for endpoint in items:
        check_endpoint(server, endpoint)
    before = measure(server, {"path": ceiling_url}, seconds=seconds, warmup=warmup)
    log(f"  ceiling {before['rps']:.0f} rps")
    results = []
    for endpoint in items:
        result = measure(server, endpoint, seconds=seconds, warmup=warmup)
        after = measure(server, {"path": ceiling_url}, seconds=seconds, warmup=0)
        yardstick = (before["rps"] + after["rps"]) / 2
        result.update(
            key=endpoint["key"],
            name=endpoint["name"],
            kind=endpoint["kind"],
            path=endpoint["path"] if "paths" not in endpoint else endpoint["path"] + " (rotating)",
            ceiling_rps=round(yardstick, 1),
            ratio=round(result["rps"] / yardstick, 3) if yardstick else 0.0,
            ceiling_cpu_ms=round((before["worker_cpu_ms"] + after["worker_cpu_ms"]) / 2, 3),
        )
        log(
            f"  {endpoint['key']:<18} {result['rps']:8.0f} rps  p50 {result['p50_ms']:6.1f} ms  "
            f"p99 {result['p99_ms']:7.1f} ms  ratio {result['ratio']:.2f}  "
            f"cpu {result['worker_cpu_ms']:.2f} ms/req  "
            f"(ceiling {after['rps']:.0f} rps)"
        )
        results.append(result)
        runs.append(before)
        before = after
    runs.append(before)
    return results, runs


def evaluate(results: list[dict], rss: list[float]) -> list[dict]:
    checks = []
    for r in results:
        target = TARGETS.get(r["kind"])
        if target is not None:
            checks.append(
                {"target": f"{r['key']} ratio >= {target}", "value": r["ratio"],
                 "met": r["ratio"] >= target}
            )  # fmt: skip
        if r["kind"] not in ("login", "info"):
            checks.append(
                {"target": f"{r['key']} p99 <= {P99_LIMIT_MS} ms", "value": r["p99_ms"],
                 "met": r["p99_ms"] <= P99_LIMIT_MS}
            )  # fmt: skip
        if r["error_count"]:
            checks.append(
                {"target": f"{r['key']} without errors", "value": r["errors"], "met": False}
            )
    peak = max(rss) if rss else 0.0
    checks.append(
        {"target": f"worker RSS < {RSS_LIMIT_MIB} MiB", "value": peak, "met": peak < RSS_LIMIT_MIB}
    )
    return checks


def table(report: dict) -> str:
    lines = [
        f"{'endpoint':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} "
        f"{'cpu ms':>7}  target",
        "-" * 92,
    ]
    for r in report["endpoints"]:
        target = TARGETS.get(r["kind"])
        note = {"login": "exception (password hashing)", "info": "calibration"}.get(
            r["kind"], f">= {target}" if target else "p99 only"
        )
        lines.append(
            f"{r['name']:<40} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['ratio']:>6.2f} {r['worker_cpu_ms']:>7.2f}  {note}"
        )
    c = report["ceiling"]
    lines.append("-" * 92)
    lines.append(
        f"{'ceiling (' + str(c['bytes']) + ' B JSON)':<40} {c['rps_mean']:>8.0f}"
        f"{'':>26}{c['cpu_ms_mean']:>7.2f}  runs: {', '.join(f'{x:.0f}' for x in c['rps_runs'])}"
    )
    lines.append(
        f"worker RSS peak: {report['rss']['peak_mib']} MiB ({report['rss']['workers_mib']})"
    )
    return "\n".join(lines)


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["endpoints"]
    names = [r["name"] for r in rows][::-1]
    rps = [r["rps"] for r in rows][::-1]
    ceilings = [r["ceiling_rps"] for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 2.0), dpi=110)
    ax.barh(names, ceilings, color="#dddddd", label="ceiling (measured next to it)")
    ax.barh(names, rps, color="#3b6ea5", height=0.5, label="endpoint")
    for y, r in enumerate(rows[::-1]):
        ax.text(r["rps"], y, f" {r['rps']:.0f}/s  ({r['ratio']:.2f})", va="center", fontsize=8)
        target = TARGETS.get(r["kind"])
        if target:  # the target: a mark at that share of the ceiling
            ax.plot([target * r["ceiling_rps"]] * 2, [y - 0.4, y + 0.4], color="#c0392b", lw=2)
    ax.plot([], [], color="#c0392b", lw=2, label="target (share of the ceiling)")
    ax.set_xlabel("requests/s (ratio to the ceiling in brackets)")
    meta = report["meta"]
    ax.set_title(
        f"Mechanic Shop API, {meta['db']}, {meta['connections']} connections, "
        f"{meta['seconds']} s each ({meta['date'][:10]}, {meta['commit']})",
        fontsize=9,
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


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
        "--out", type=Path, help="results folder (default bench/results, smoke bench/tmp)"
    )
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    seconds = args.seconds or plan["seconds"]
    out = args.out or (harness.TMP if args.smoke else harness.RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    harness.TMP.mkdir(exist_ok=True)
    harness.require_wrk()
    prefix = f"bench-{os.getpid()}-{int(time.time())}"
    label = "smoke" if args.smoke else "api"

    if args.db == "mariadb":
        database_url = os.environ.get("BENCH_DATABASE_URL") or (
            f"mysql://root@127.0.0.1:3306/bench_{label}"
        )
        redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
        harness.recreate_mysql_database(database_url)
    else:
        db_file = harness.TMP / f"bench-{label}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{db_file}"
        redis_url = None
    env = harness.base_env(database_url=database_url, redis_url=redis_url, cache_prefix=prefix)
    report = {
        "meta": {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": harness.git_commit(),
            "db": "MariaDB + Redis" if args.db == "mariadb" else "SQLite + local memory",
            "smoke": args.smoke,
            "connections": CONNECTIONS,
            "seconds": seconds,
            "warmup_seconds": plan["warmup"],
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "machine": harness.machine(),
        }
    }
    try:
        log(f"database {harness.database_name(database_url) or database_url}: migrate and seed")
        report["setup"] = {
            "migrate_seconds": round(harness.manage(env, "migrate", "--noinput"), 1),
            "collectstatic_seconds": round(
                harness.manage(env, "collectstatic", "--noinput", "-v0"), 1
            ),
            "seed_args": plan["seed"],
            "seed_seconds": round(
                harness.manage(env, "seed_demo", "--quiet-logins", *plan["seed"]), 1
            ),
        }
        if args.db == "sqlite":
            import sqlite3

            sqlite3.connect(db_file).execute("PRAGMA journal_mode=WAL").close()
        data = harness.prepare(env)
        report["setup"]["tickets"] = data["tickets"]
        report["setup"]["my_tickets_customer_tickets"] = data["customer_tickets"]

        with harness.Server(env, workers=args.workers, threads=args.threads, label="api") as server:
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
            results, ceiling_runs = interleaved(
                server,
                chosen,
                ceiling,
                seconds=seconds,
                warmup=plan["warmup"],
            )
            rss = server.worker_rss_mib()

        # The same list with the response cache off needs a server started so.
        env_off = dict(env, RESPONSE_CACHE_ENABLED="false")
        if not args.only or "inventory_uncached" in args.only.split(","):
            with harness.Server(
                env_off, workers=args.workers, threads=args.threads, label="nocache"
            ) as server:
                more, runs_off = interleaved(
                    server,
                    [{"key": "inventory_uncached", "name": "inventory list (cache off)",
                      "kind": "read", "path": "/inventory/"}],
                    ceiling,
                    seconds=seconds,
                    warmup=plan["warmup"],
                )  # fmt: skip
                rss += server.worker_rss_mib()
            results.insert(min(1, len(results)), more[0])
            ceiling_runs += runs_off
    finally:
        harness.clear_cache_prefix(env)
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
    }
    report["body_bytes"] = sizes
    report["endpoints"] = results
    report["rss"] = {"workers_mib": rss, "peak_mib": max(rss) if rss else 0.0}
    report["targets"] = evaluate(results, rss)

    name = f"{'smoke' if args.smoke else 'bench'}-{args.db}"
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    chart(report, out / f"{name}.png")
    print()
    print(table(report))
    print()
    for check in report["targets"]:
        print(f"  [{'met' if check['met'] else 'MISSED'}] {check['target']}: {check['value']}")
    print(f"\nwritten: {out / (name + '.json')}, {out / (name + '.png')}")
    failures = [r["key"] for r in results if r["error_count"]]
    if failures:
        print(f"errors during the load: {failures}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
