"""``make bench-scale``: the same endpoints at 10,000 and at 1,000,000
tickets, side by side.

    python bench/scale.py [--small 10000] [--large 1000000] [--seconds 5]

Seeds two databases of its own (bench_10k, bench_1m on MariaDB), timing the
large seed, serves each with its own gunicorn, and measures every variant
on one then the other, back to back, at a light load (4 connections), so
the two latencies of a variant are taken under the same conditions. The
target: at 1M, each variant within 2x of its latency at 10k. Both
databases are dropped at the end (--keep keeps them, --reuse seeds only
when a database is missing).
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import log

SHOP = ["--customers", "2000", "--mechanics", "20", "--parts", "200"]
CONNECTIONS = 4
LIMIT = 2.0


def variants(data: dict, token: str, customer_token: str) -> list[dict]:
    newest = datetime.date.fromisoformat(data["newest_date"])
    month_ago = newest - datetime.timedelta(days=30)
    return [
        {"key": "list_first", "name": "tickets list, first page", "path": "/service-tickets/"},
        {"key": "list_deep_cursor", "name": "tickets list, page at 90% (cursor)",
         "path": f"/service-tickets/?cursor={data['deep_cursor']}"},
        {"key": "list_customer", "name": "tickets list, ?customer=",
         "path": f"/service-tickets/?customer={data['median_customer']}"},
        {"key": "list_mechanic", "name": "tickets list, ?mechanic=",
         "path": f"/service-tickets/?mechanic={data['busiest_mechanic']}"},
        {"key": "list_dates", "name": "tickets list, last 30 days",
         "path": f"/service-tickets/?service_date_after={month_ago}"
                 f"&service_date_before={newest}"},
        {"key": "my_tickets", "name": "my-tickets", "path": "/customers/my-tickets/",
         "token": customer_token},
        {"key": "popular", "name": "mechanics popular (cached)", "path": "/mechanics/popular/"},
        {"key": "list_deep_offset", "name": "tickets list, page at 90% (?page=, no target)",
         "path": f"/service-tickets/?page={data['deep_page']}", "info": True},
    ]  # fmt: skip


def database(label: str, tickets: int, *, reuse: bool, redis_url: str, prefix: str) -> tuple:
    url = f"mysql://root@127.0.0.1:3306/bench_{label}"
    env = harness.base_env(database_url=url, redis_url=redis_url, cache_prefix=f"{prefix}-{label}")
    seed = None
    if not (reuse and _has_tickets(url, tickets)):
        harness.recreate_mysql_database(url)
        harness.manage(env, "migrate", "--noinput")
        log(f"seeding {tickets:,} tickets into bench_{label}")
        seconds = harness.manage(
            env, "seed_demo", "--quiet-logins", *SHOP, "--tickets", str(tickets)
        )
        seed = {"tickets": tickets, "seconds": round(seconds, 1)}
        log(f"  seeded in {seconds:.1f} s")
    else:
        harness.manage(env, "migrate", "--noinput")
    return url, env, seed


def _has_tickets(url: str, tickets: int) -> bool:
    import MySQLdb

    try:
        connection = MySQLdb.connect(
            host="127.0.0.1", user="root", database=harness.database_name(url), connect_timeout=5
        )
    except MySQLdb.OperationalError:
        return False
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM tickets_serviceticket")
        return cursor.fetchone()[0] >= tickets
    except MySQLdb.Error:
        return False
    finally:
        connection.close()


def measure(server, variant: dict, token: str, seconds: int) -> dict:
    url = server.base + variant["path"]
    token = variant.get("token", token)
    status, _, body = harness.http("GET", url, token=token)
    if status != 200:
        raise SystemExit(f"{variant['path']} answered {status}: {body[:300]!r}")
    # First request done above: the counts and the cache are warm, as in use.
    harness.run_wrk(url, seconds=1, connections=CONNECTIONS, token=token)
    server.settle()
    result = harness.run_wrk(url, seconds=seconds, connections=CONNECTIONS, token=token)
    server.settle()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="reuse seeded databases")
    parser.add_argument("--out", type=Path, default=harness.RESULTS)
    args = parser.parse_args()
    harness.require_wrk()
    args.out.mkdir(parents=True, exist_ok=True)
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
    prefix = f"scale-{os.getpid()}-{int(time.time())}"
    labels = {"small": "10k" if args.small == 10_000 else str(args.small),
              "large": "1m" if args.large == 1_000_000 else str(args.large)}  # fmt: skip
    report = {
        "meta": {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": harness.git_commit(),
            "db": "MariaDB + Redis",
            "connections": CONNECTIONS,
            "seconds": args.seconds,
            "shop": SHOP,
            "machine": harness.machine(),
        },
        "seed": {},
    }
    envs = {}
    try:
        for size in ("small", "large"):
            tickets = getattr(args, size)
            _, env, seed = database(
                labels[size], tickets, reuse=args.reuse, redis_url=redis_url, prefix=prefix
            )
            envs[size] = env
            if seed:
                report["seed"][size] = seed
        data = {size: harness.prepare(env) for size, env in envs.items()}
        rows = []
        with (
            harness.Server(envs["small"], workers=args.workers, threads=1, label="small") as small,
            harness.Server(envs["large"], workers=args.workers, threads=1, label="large") as large,
        ):
            servers = {"small": small, "large": large}
            tokens = {
                size: (
                    harness.login(servers[size].base, "mechanics", data[size]["mechanic_email"]),
                    harness.login(servers[size].base, "customers", data[size]["customer_email"]),
                )
                for size in servers
            }
            for index, _ in enumerate(variants(data["small"], "", "")):
                results = {}
                for size in ("small", "large"):
                    variant = variants(data[size], *tokens[size])[index]
                    results[size] = measure(servers[size], variant, tokens[size][0], args.seconds)
                ratio = results["large"]["p50_ms"] / results["small"]["p50_ms"]
                ratio_mean = results["large"]["mean_ms"] / results["small"]["mean_ms"]
                row = {
                    "key": variant["key"],
                    "name": variant["name"],
                    "info": variant.get("info", False),
                    "small": results["small"],
                    "large": results["large"],
                    "ratio_p50": round(ratio, 2),
                    "ratio_mean": round(ratio_mean, 2),
                    "met": ratio <= LIMIT,
                }
                rows.append(row)
                log(
                    f"  {variant['key']:<18} p50 {results['small']['p50_ms']:6.1f} -> "
                    f"{results['large']['p50_ms']:6.1f} ms  (x{ratio:.2f})"
                )
            report["rss_mib"] = small.worker_rss_mib() + large.worker_rss_mib()
        # Popular with the response cache off: what a miss costs (the kept
        # ticket_count, not a count of every assignment).
        off = {size: dict(env, RESPONSE_CACHE_ENABLED="false") for size, env in envs.items()}
        with (
            harness.Server(off["small"], workers=args.workers, threads=1, label="small-off") as s,
            harness.Server(off["large"], workers=args.workers, threads=1, label="large-off") as g,
        ):
            variant = {"key": "popular_uncached", "name": "mechanics popular (cache off)",
                       "path": "/mechanics/popular/"}  # fmt: skip
            results = {
                size: measure(server, variant, tokens[size][0], args.seconds)
                for size, server in (("small", s), ("large", g))
            }
            ratio = results["large"]["p50_ms"] / results["small"]["p50_ms"]
            rows.append(
                {
                    "key": variant["key"],
                    "name": variant["name"],
                    "info": False,
                    "small": results["small"],
                    "large": results["large"],
                    "ratio_p50": round(ratio, 2),
                    "ratio_mean": round(
                        results["large"]["mean_ms"] / results["small"]["mean_ms"], 2
                    ),
                    "met": ratio <= LIMIT,
                }
            )
            log(f"  popular_uncached   x{ratio:.2f}")
            report["rss_mib"] += s.worker_rss_mib() + g.worker_rss_mib()
    finally:
        for env in envs.values():
            harness.clear_cache_prefix(env)
        if not args.keep:
            for size in ("small", "large"):
                harness.drop_mysql_database(f"mysql://root@127.0.0.1:3306/bench_{labels[size]}")
    report["variants"] = rows
    report["tickets"] = {size: data[size]["tickets"] for size in data}
    (args.out / "scale-mariadb.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(
        f"{'variant':<46} {'p50 ' + labels['small']:>9} {'p50 ' + labels['large']:>9} "
        f"{'p99 ' + labels['small']:>9} {'p99 ' + labels['large']:>9} {'ratio':>6}"
    )
    print("-" * 94)
    for row in rows:
        verdict = "info" if row["info"] else ("met" if row["met"] else "MISSED")
        print(
            f"{row['name']:<46} {row['small']['p50_ms']:>9.1f} {row['large']['p50_ms']:>9.1f} "
            f"{row['small']['p99_ms']:>9.1f} {row['large']['p99_ms']:>9.1f} "
            f"{row['ratio_p50']:>6.2f}  {verdict}"
        )
    for seed in report["seed"].values():
        print(f"seed {seed['tickets']:,} tickets: {seed['seconds']} s")
    print(f"worker RSS peak: {max(report['rss_mib'], default=0)} MiB")
    print(f"\nwritten: {args.out / 'scale-mariadb.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
