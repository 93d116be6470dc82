"""Does the stock ledger stay fast with a long history? (A benchmark, not a test.)

Creates a PostgreSQL database afresh (migrations, the demo company), then loads `--entries` ledger
entries (10 million by default), one movement each, on `--items` extra items x the demo's locations,
spread evenly over `--days` of history and ending an hour ago: set-wise SQL (`generate_series`, the
secondary indexes dropped during the load and rebuilt after it), not the ORM. Each balance alternates
receipts of 3 and issues of 2, so it never goes below zero; the balances are written as the sums of
their entries, and a checkpoint is taken every `--checkpoint-every` entries of history by takt's own
`take_checkpoint`. Then it serves the database with gunicorn and times requests from one client, one
after another: balances, stock as of random instants, and ledger pages by cursor; and, for
comparison, what the same questions cost the old way (stock as of an instant summed from the whole
ledger, an offset page deep in the ledger).

    python benchmarks/history_bench.py --entries 10000000
    python benchmarks/history_bench.py --reuse          # measure again without reloading

Figures from a shared machine are noisy: run it more than once.
"""

import argparse
import http.client
import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stock_http import flask, free_port, percentile, reset_database, start_server  # noqa: E402

CHUNK = 1_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--items", type=int, default=2000, help="extra items, each at every demo location")
    parser.add_argument("--days", type=int, default=730, help="the history's length")
    parser.add_argument(
        "--checkpoint-every", type=int, default=50_000, help="ledger entries between checkpoints"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per question")
    parser.add_argument("--database", default="takt_history_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is, no reload")
    parser.add_argument("--skip-offset-pages", action="store_true", help="not the old offset pages (minutes)")
    return parser.parse_args()


def timed(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def load_history(url: str, *, entries: int, items: int, days: int) -> tuple[datetime, timedelta]:
    """Items, movements, ledger entries and balances, in SQL; return the history's start and step."""
    end = datetime.now(UTC) - timedelta(hours=1)
    step = timedelta(days=days) / entries
    start = end - step * entries
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no foreign-key triggers while loading
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(
            "INSERT INTO items (sku, name, unit, kind, holding_cost_per_day, active, created_at, updated_at) "
            "SELECT 'HX-' || lpad(g::text, 5, '0'), 'history item ' || g, 'pcs', 'finished', 0, true, "
            "now(), now() FROM generate_series(1, %s) g",
            (items,),
        )
        conn.execute(
            "CREATE TABLE bench_keys AS SELECT (row_number() OVER (ORDER BY i.id, l.id) - 1)::int AS k, "
            "i.id AS item_id, l.id AS location_id FROM items i CROSS JOIN locations l WHERE i.sku LIKE 'HX-%'"
        )
        conn.execute("CREATE UNIQUE INDEX ON bench_keys (k)")
        keys = conn.execute("SELECT count(*) FROM bench_keys").fetchone()[0]
        user = conn.execute("SELECT id FROM users WHERE username = 'demo-warehouse'").fetchone()[0]
        movement_base = conn.execute("SELECT coalesce(max(id), 0) FROM stock_movements").fetchone()[0]
        entry_base = conn.execute("SELECT coalesce(max(id), 0) FROM ledger_entries").fetchone()[0]
        indexes = secondary_indexes(conn)
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        started = time.perf_counter()
        for low in range(1, entries + 1, CHUNK):
            high = min(entries, low + CHUNK - 1)
            params = {"lo": low, "hi": high, "keys": keys, "start": start, "step": step}
            conn.execute(MOVEMENTS, {**params, "base": movement_base, "user": user})
            conn.execute(ENTRIES, {**params, "base": entry_base, "movement_base": movement_base})
            print(f"  {high:,} entries ({time.perf_counter() - started:.0f} s)", flush=True)
        started = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        timed(f"{len(indexes)} indexes rebuilt", started)
        started = time.perf_counter()
        conn.execute(BALANCES)
        for table in ("stock_movements", "ledger_entries"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.execute("DROP TABLE bench_keys")
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute("VACUUM ANALYZE")
        timed("balances, vacuum and analyze", started)
    return start, step


def secondary_indexes(conn) -> list[tuple[str, str]]:
    """(name, CREATE INDEX ...) of the ledger's and movements' indexes that back no constraint."""
    return conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ledger_entries', 'stock_movements') "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    ).fetchall()


# Per key, the s-th entry (s = 0, 1, ...) is a receipt of 3 when s is even and an issue of 2 when odd:
# on hand after it is s/2 + 3 (even) or (s + 1)/2 (odd), never below zero.
MOVEMENTS = """
INSERT INTO stock_movements (id, kind, item_id, quantity, from_location_id, to_location_id, reason,
                             reference_type, created_by_id, created_at)
SELECT %(base)s + g, CASE WHEN s %% 2 = 0 THEN 'receipt' ELSE 'issue' END, k.item_id,
       CASE WHEN s %% 2 = 0 THEN 3 ELSE 2 END,
       CASE WHEN s %% 2 = 1 THEN k.location_id END, CASE WHEN s %% 2 = 0 THEN k.location_id END,
       '', 'free', %(user)s, %(start)s + g * %(step)s
FROM generate_series(%(lo)s, %(hi)s) g
CROSS JOIN LATERAL (SELECT ((g - 1) %% %(keys)s)::int AS key, (g - 1) / %(keys)s AS s) x
JOIN bench_keys k ON k.k = x.key
"""
ENTRIES = """
INSERT INTO ledger_entries (id, movement_id, item_id, location_id, delta, balance_after, created_at)
SELECT %(base)s + g, %(movement_base)s + g, k.item_id, k.location_id,
       CASE WHEN s %% 2 = 0 THEN 3 ELSE -2 END,
       CASE WHEN s %% 2 = 0 THEN s / 2 + 3 ELSE (s + 1) / 2 END, %(start)s + g * %(step)s
FROM generate_series(%(lo)s, %(hi)s) g
CROSS JOIN LATERAL (SELECT ((g - 1) %% %(keys)s)::int AS key, (g - 1) / %(keys)s AS s) x
JOIN bench_keys k ON k.k = x.key
"""
BALANCES = """
INSERT INTO stock_balances (item_id, location_id, on_hand, reserved, updated_at)
SELECT e.item_id, e.location_id, sum(e.delta), 0, now()
FROM ledger_entries e JOIN bench_keys k ON k.item_id = e.item_id AND k.location_id = e.location_id
GROUP BY e.item_id, e.location_id
"""


def take_checkpoints(app, *, start: datetime, step: timedelta, entries: int, every: int) -> int:
    """Checkpoints through the history, every `every` entries, by takt's own `take_checkpoint`."""
    from core.db import db
    from inventory import checkpoints

    taken = 0
    with app.app_context():
        for n in range(every, entries + 1, every):
            checkpoints.take_checkpoint(at=start + step * n)
            db.session.commit()
            taken += 1
    return taken


def make_app(url: str):
    from app import create_app

    os.environ["SCM_DATABASE_URL"] = url
    return create_app({"METRICS_ENABLED": False})


def measure(port: int, token: str, label: str, paths: list[str]) -> list[float]:
    """Time GET `paths` one after another on one keep-alive connection; print p50/p99 in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    latencies, statuses, rows = [], set(), 0
    for path in paths[:3]:  # warm up: connection, caches
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - started)
        statuses.add(response.status)
        rows += body.count(b'"sku"')
    conn.close()
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(
        f"{label:44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   "
        f"({len(paths)} requests, {rows / len(paths):,.0f} rows each, HTTP {sorted(statuses)})",
        flush=True,
    )
    return latencies


def questions(conn, requests: int, rng: random.Random) -> dict[str, list[str]]:
    """The paths to time, with random skus, locations, instants and cursors from the loaded history."""
    skus = [r[0] for r in conn.execute("SELECT sku FROM items WHERE sku LIKE 'HX-%'")]
    locations = [r[0] for r in conn.execute("SELECT code FROM locations")]
    first, last = conn.execute("SELECT min(created_at), max(created_at) FROM ledger_entries").fetchone()
    boundaries = [r[0] for r in conn.execute("SELECT taken_at FROM stock_checkpoints")]
    top = conn.execute("SELECT max(id) FROM ledger_entries").fetchone()[0]

    def instant() -> str:
        return (first + (last - first) * rng.random()).isoformat()

    def many(make) -> list[str]:
        return [make() for _ in range(requests)]

    sku, location = lambda: rng.choice(skus), lambda: rng.choice(locations)
    as_of = "/api/v1/stock/as-of?"
    return {
        "GET /stock (first page of 50)": many(lambda: "/api/v1/stock"),
        "GET /stock?page=random": many(lambda: f"/api/v1/stock?page={rng.randint(1, 280)}"),
        "GET /stock?sku=": many(lambda: f"/api/v1/stock?sku={sku()}"),
        "GET /stock?location= (page of 50)": many(lambda: f"/api/v1/stock?location={location()}"),
        "GET /stock/as-of?sku=&at=random": many(lambda: as_of + urlencode({"sku": sku(), "at": instant()})),
        "GET /stock/as-of?sku=&at=a checkpoint": many(
            lambda: as_of + urlencode({"sku": sku(), "at": rng.choice(boundaries).isoformat()})
        ),
        "GET /stock/as-of?sku=&location=&at=random": many(
            lambda: as_of + urlencode({"sku": sku(), "location": location(), "at": instant()})
        ),
        "GET /stock/as-of?location=&at=random": many(
            lambda: as_of + urlencode({"location": location(), "at": instant()})
        )[: max(5, requests // 10)],
        "GET /stock/as-of?at=random (every balance)": many(lambda: as_of + urlencode({"at": instant()}))[
            : max(5, requests // 20)
        ],
        "GET /ledger (newest page of 50)": many(lambda: "/api/v1/ledger"),
        "GET /ledger?cursor=random": many(lambda: f"/api/v1/ledger?cursor={rng.randint(1, top)}"),
        "GET /ledger?sku=&cursor=random": many(
            lambda: f"/api/v1/ledger?sku={sku()}&cursor={rng.randint(1, top)}"
        ),
        "GET /ledger?location=&cursor=random": many(
            lambda: f"/api/v1/ledger?location={location()}&cursor={rng.randint(1, top)}"
        ),
        "old: GET /ledger?page=1 (offset, total)": many(lambda: "/api/v1/ledger?page=1")[
            : max(5, requests // 20)
        ],
        "old: GET /ledger?page=random (offset, total)": many(
            lambda: f"/api/v1/ledger?page={rng.randint(1, top // 50)}"
        )[: max(5, requests // 20)],
    }


def full_scan_as_of(app, url: str, rng: random.Random, times: int) -> None:
    """What stock as of an instant cost before checkpoints: the ledger summed from its beginning
    (`service.stock_as_of`, in this process, no HTTP), and the same questions from the checkpoints."""
    from inventory import checkpoints, service

    with psycopg.connect(url) as conn:
        skus = [r[0] for r in conn.execute("SELECT sku FROM items WHERE sku LIKE 'HX-%'")]
        locations = [r[0] for r in conn.execute("SELECT code FROM locations")]
        first, last = conn.execute("SELECT min(created_at), max(created_at) FROM ledger_entries").fetchone()
    asked = {
        "?sku=": (lambda: {"sku": rng.choice(skus)}, times),
        "?location=": (lambda: {"location": rng.choice(locations)}, 3),
        "(every balance)": (dict, 3),
    }
    with app.app_context():
        for label, (filters, calls) in asked.items():
            for way, as_of in (
                ("old: summed from the beginning", service.stock_as_of),
                ("new", checkpoints.stock_as_of),
            ):
                latencies = []
                for _ in range(calls):
                    at, chosen = first + (last - first) * rng.random(), filters()
                    started = time.perf_counter()
                    as_of(at, **chosen)
                    latencies.append(time.perf_counter() - started)
                p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
                print(
                    f"{'as-of ' + label + ', ' + way:44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   "
                    f"({calls} calls in this process, no HTTP)",
                    flush=True,
                )


def main() -> None:
    args = parse_args()
    url = f"{args.pg}/{args.database}"
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "SCM_SECRET_KEY": os.environ.get("SCM_SECRET_KEY") or secrets.token_hex(32),
        "SCM_DATABASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    app = make_app(url)
    if not args.reuse:
        reset_database(args.pg, args.database)
        flask(env, "db", "upgrade")
        flask(env, "demo", "--no-tokens")
        print(f"loading {args.entries:,} ledger entries over {args.days} days", flush=True)
        started = time.perf_counter()
        start, step = load_history(url, entries=args.entries, items=args.items, days=args.days)
        timed("history loaded", started)
        started = time.perf_counter()
        taken = take_checkpoints(
            app, start=start, step=step, entries=args.entries, every=args.checkpoint_every
        )
        timed(f"{taken} checkpoints taken", started)
    token = flask(env, "tokens", "create", "demo-warehouse", "--name", "history bench").strip()
    rng = random.Random(16)
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM stock_balances), "
            "(SELECT count(*) FROM stock_checkpoints)"
        ).fetchone()
        asked = questions(conn, args.requests, rng)
    print(
        f"{counts[0]:,} ledger entries, {counts[1]:,} balances, {counts[2]} checkpoints; "
        f"PostgreSQL, gunicorn 2x4 gthread, one client, {os.cpu_count()} CPUs"
    )
    server = start_server(env, port)
    try:
        for label, paths in asked.items():
            if not (args.skip_offset_pages and "?page=" in label and "ledger" in label):
                measure(port, token, label, paths)
    finally:
        server.terminate()
        server.wait(timeout=30)
    full_scan_as_of(app, url, rng, max(5, args.requests // 10))


if __name__ == "__main__":
    main()
