"""Suppliers on takt at scale: 30,000 suppliers with 10 open purchase orders each. (A benchmark, not a test.)

Creates the PostgreSQL database `takt_supplier_bench` afresh (migrations), then bulk-loads with COPY: the
suppliers, an offer each, their open purchase orders (one line each) and what the suppliers said about them
(40% awaiting an answer, 45% accepted, 10% rescheduled, 5% with a proposal pending; a ship notice under way
for a tenth of the accepted), and two published
plans proposing two purchases from every supplier (the forecast and its changes). Then, through the app's
full HTTP stack (Flask test client, in this process), prints p50/p99 of:
- a supplier's portal page (`GET /portal`, signed in), for sampled suppliers;
- one supplier's forecast (`GET /api/v1/supplier/forecast`, bearer token);
and the planning snapshot's build time without and with the suppliers' answers applied to the purchase
receipts (the same database; "without" unsubscribes `suppliers.receipts.apply_supplier_answers`).

    python benchmarks/supplier_bench.py                 # 30,000 suppliers x 10 orders
    python benchmarks/supplier_bench.py --suppliers 2000 --requests 50
"""

import argparse
import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stock_http import percentile, reset_database  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
LOCATIONS = 10
ITEMS = 2000
PASSWORD = "bench-portal-pass"
# what the suppliers said (%): a tenth rescheduled (split in two, the second part two days late); a ship
# notice under way for a tenth of the accepted orders
ANSWERS = ("awaiting", "accepted", "confirmed", "proposed")
ANSWER_WEIGHTS = (40, 45, 10, 5)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=30_000)
    parser.add_argument("--orders", type=int, default=10, help="open purchase orders per supplier")
    parser.add_argument("--sampled", type=int, default=40, help="suppliers signed in to measure")
    parser.add_argument("--requests", type=int, default=200, help="requests per measured endpoint")
    parser.add_argument("--snapshots", type=int, default=3, help="snapshot builds each way")
    parser.add_argument("--database", default="takt_supplier_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def make_app(url: str):
    """The app on `url`, with a secret key (the portal's sign-in form is CSRF-protected)."""
    from app import create_app

    os.environ["SCM_DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({"METRICS_ENABLED": False, "SECRET_KEY": secrets.token_hex(16)})


def copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY `rows` into `table` (one bulk statement); return how many."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as pipe:
        for row in rows:
            pipe.write_row(row)
            count += 1
    return count


def master_data(app) -> int:
    """Regions, locations and items through takt's services; an admin; return the admin's id."""
    from core import auth
    from core.db import db
    from inventory import service as inventory_service

    with app.app_context():
        inventory_service.save_region("bench", {"name": "Bench"})
        for n in range(LOCATIONS):
            inventory_service.save_location(
                f"WH-{n}", {"name": f"WH {n}", "kind": "warehouse", "region_code": "bench"}
            )
        for n in range(ITEMS):
            inventory_service.save_item(f"PART-{n:05d}", {"name": f"part {n}", "kind": "material"})
        admin = auth.create_user(username="bench-admin", roles=["admin"]).id
        db.session.commit()
        return admin


def bulk_load(app, args, admin: int) -> dict:
    """COPY the suppliers, offers, open orders, answers, ship notices and two plans' proposals."""
    from core.db import db

    rng = random.Random(19)
    counts = {}
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            with connection.cursor() as cur:
                item_ids = [r[0] for r in cur.execute("SELECT id FROM items ORDER BY id").fetchall()]
                location_ids = [r[0] for r in cur.execute("SELECT id FROM locations ORDER BY id").fetchall()]
                n = args.suppliers
                counts["suppliers"] = copy(
                    cur,
                    "suppliers",
                    ("id", "code", "name", "active", "created_at", "updated_at"),
                    ((s, f"S{s:06d}", f"Supplier {s}", True, NOW, NOW) for s in range(1, n + 1)),
                )
                sells = {
                    s: (item_ids[s % len(item_ids)], location_ids[s % len(location_ids)])
                    for s in range(1, n + 1)
                }
                counts["supply_offers"] = copy(
                    cur,
                    "supply_offers",
                    (
                        "id",
                        "supplier_id",
                        "item_id",
                        "location_id",
                        "lead_time_hours",
                        "unit_cost",
                        "order_cost",
                        "min_qty",
                        "created_at",
                        "updated_at",
                    ),
                    ((s, s, *sells[s], 72, 5, 10, 0, NOW, NOW) for s in range(1, n + 1)),
                )
                orders = [(s * args.orders + k, s) for s in range(1, n + 1) for k in range(args.orders)]
                due = {po: NOW + timedelta(days=1 + po % 40) for po, _ in orders}
                counts["purchase_orders"] = copy(
                    cur,
                    "purchase_orders",
                    (
                        "id",
                        "number",
                        "supplier_id",
                        "location_id",
                        "status",
                        "source",
                        "ordered_at",
                        "receive_at",
                        "released_at",
                        "created_by_id",
                        "created_at",
                        "updated_at",
                    ),
                    (
                        (
                            po,
                            f"PO-B{po:08d}",
                            s,
                            sells[s][1],
                            "released",
                            "manual",
                            NOW,
                            due[po],
                            NOW,
                            admin,
                            NOW,
                            NOW,
                        )
                        for po, s in orders
                    ),
                )
                copy(
                    cur,
                    "purchase_order_lines",
                    ("id", "purchase_order_id", "line_no", "item_id", "qty", "qty_received", "unit_cost"),
                    ((po, po, 1, sells[s][0], 100, 0, 5) for po, s in orders),
                )
                answers = dict(
                    zip(
                        (po for po, _ in orders),
                        rng.choices(ANSWERS, ANSWER_WEIGHTS, k=len(orders)),
                        strict=True,
                    )
                )
                counts["supplier_orders"] = copy(
                    cur,
                    "supplier_orders",
                    (
                        "purchase_order_id",
                        "supplier_id",
                        "status",
                        "sent_at",
                        "answered_at",
                        "moved_hours",
                        "confirmed",
                        "rescheduled",
                    ),
                    (
                        (
                            po,
                            s,
                            answers[po],
                            NOW,
                            None if answers[po] == "awaiting" else NOW,
                            48.0 if answers[po] == "confirmed" else 0.0,
                            answers[po] in ("accepted", "confirmed"),
                            answers[po] == "confirmed",
                        )
                        for po, s in orders
                    ),
                )
                deliveries = []
                for po, _ in orders:
                    if answers[po] == "accepted":
                        deliveries.append((po, 1, 100, due[po]))
                    elif answers[po] == "confirmed":  # split in two, the second two days late
                        deliveries += [(po, 1, 60, due[po]), (po, 1, 40, due[po] + timedelta(days=2))]
                counts["confirmed_deliveries"] = copy(
                    cur,
                    "supplier_confirmed_deliveries",
                    ("purchase_order_id", "line_no", "qty", "arrive_at"),
                    deliveries,
                )
                shipped = [(po, s) for po, s in orders if answers[po] == "accepted" and po % 10 == 0]
                counts["inbound_shipments"] = copy(
                    cur,
                    "inbound_shipments",
                    (
                        "id",
                        "number",
                        "supplier_id",
                        "purchase_order_id",
                        "status",
                        "carrier",
                        "tracking_ref",
                        "shipped_at",
                        "arrive_at",
                        "created_by_id",
                        "created_at",
                    ),
                    (
                        (po, f"ASN-B{po:08d}", s, po, "announced", "DHL", f"T{po}", NOW, due[po], admin, NOW)
                        for po, s in shipped
                    ),
                )
                copy(
                    cur,
                    "inbound_shipment_lines",
                    ("shipment_id", "line_no", "qty"),
                    ((po, 1, 50) for po, _ in shipped),
                )
                for table in (
                    "suppliers",
                    "supply_offers",
                    "purchase_orders",
                    "purchase_order_lines",
                    "inbound_shipments",
                ):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                counts["purchase_proposals"] = _plans(cur, rng, n, sells)
            connection.commit()
            connection.autocommit = True
            with connection.cursor() as cur:
                cur.execute("ANALYZE")  # as autovacuum would after a bulk load: the planner's statistics
        finally:
            connection.close()
    return counts


def _plans(cur, rng, suppliers: int, sells: dict) -> int:
    """Two published runs, the later in force, proposing two purchases from every supplier each."""
    total = 0
    for run_id, published in ((1, NOW - timedelta(hours=2)), (2, NOW)):
        cur.execute(
            "INSERT INTO planning_runs (id, trigger, status, created_at, published_at) "
            "VALUES (%s, 'api', 'succeeded', %s, %s)",
            (run_id, published, published),
        )
        skus = {}
        rows = []
        for s in range(1, suppliers + 1):
            item, location = sells[s]
            skus.setdefault(item, f"PART-{(item - 1):05d}")
            for k in range(2):
                at = NOW + timedelta(days=rng.randint(1, 50))
                rows.append(
                    (
                        run_id,
                        f"P{s}-{k}",
                        skus[item],
                        rng.randint(10, 500),
                        f"S{s:06d}",
                        f"WH-{(location - 1)}",
                        at - timedelta(days=3),
                        at,
                    )
                )
        total += copy(
            cur,
            "purchase_proposals",
            ("run_id", "ref", "sku", "qty", "supplier", "location", "order_at", "receive_at"),
            rows,
        )
    cur.execute("SELECT setval(pg_get_serial_sequence('planning_runs', 'id'), 2)")
    return total


def portal_users(app, sampled: list[int]) -> list[tuple[str, str]]:
    """A portal user (one password hash for all) and a token per sampled supplier: [(username, token)]."""
    from werkzeug.security import generate_password_hash

    from core import auth
    from core.db import db
    from suppliers import access

    shared = generate_password_hash(PASSWORD)
    users = []
    with app.app_context():
        for s in sampled:
            user = access.add_supplier_user(supplier=f"S{s:06d}", username=f"clerk-{s}")
            user.password_hash = shared
            users.append((user.username, auth.create_token(user=user)[1]))
        db.session.commit()
    return users


def measure(label: str, call, requests: int) -> list[float]:
    timings = []
    for i in range(requests):
        started = time.perf_counter()
        status = call(i)
        timings.append(time.perf_counter() - started)
        assert status == 200, (label, status)
    p50, p99 = percentile(timings, 0.5) * 1000, percentile(timings, 0.99) * 1000
    print(f"{label:34} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({requests} requests)")
    return timings


def measure_pages(app, users: list[tuple[str, str]], requests: int) -> None:
    import re

    clients = []
    for username, _ in users:
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
        ).group(1)
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.status_code
        clients.append(client)
    for client in clients:  # warm every code path once
        client.get("/portal")
    measure(
        "portal page GET /portal", lambda i: clients[i % len(clients)].get("/portal").status_code, requests
    )
    api = app.test_client()
    tokens = [{"Authorization": f"Bearer {token}"} for _, token in users]
    measure(
        "forecast GET /api/v1/supplier/forecast",
        lambda i: api.get("/api/v1/supplier/forecast", headers=tokens[i % len(tokens)]).status_code,
        requests,
    )
    measure(
        "forecast CSV /api/v1/supplier/forecast.csv",
        lambda i: api.get("/api/v1/supplier/forecast.csv", headers=tokens[i % len(tokens)]).status_code,
        requests // 4,
    )


def measure_snapshot(app, builds: int) -> None:
    from planning.snapshot import PURCHASE_RECEIPT_ADJUSTERS, build_snapshot

    adjusters = app.extensions[PURCHASE_RECEIPT_ADJUSTERS]
    seconds = {"without": [], "with": []}
    with app.app_context():
        for _ in range(builds):
            for way in ("without", "with"):
                app.extensions[PURCHASE_RECEIPT_ADJUSTERS] = [] if way == "without" else adjusters
                started = time.perf_counter()
                snapshot = build_snapshot(at=NOW)
                seconds[way].append(time.perf_counter() - started)
                receipts = len(snapshot["receipts"])
                print(
                    f"snapshot {way:7} the suppliers' answers: "
                    f"{seconds[way][-1]:6.2f} s, {receipts:,} receipts"
                )
    app.extensions[PURCHASE_RECEIPT_ADJUSTERS] = adjusters
    _time_the_adjustment(app, builds)
    without, with_ = min(seconds["without"]), min(seconds["with"])
    print(
        f"snapshot build (best of {builds}): without {without:.2f} s, with {with_:.2f} s: "
        f"{100 * (with_ / without - 1):+.1f}%"
    )


def _time_the_adjustment(app, builds: int) -> None:
    """The suppliers' share alone (steadier than two whole builds on a shared machine): the purchase
    receipts as procurement lists them, then the same rewritten by the suppliers' answers."""
    from procurement import service as procurement_service
    from suppliers.receipts import apply_supplier_answers

    listed, applied = [], []
    with app.app_context():
        for _ in range(builds):
            started = time.perf_counter()
            rows = procurement_service.snapshot_receipts(at=NOW)
            listed.append(time.perf_counter() - started)
            started = time.perf_counter()
            apply_supplier_answers(rows)
            applied.append(time.perf_counter() - started)
    print(
        f"purchase receipts listed in {min(listed):.2f} s, the suppliers' answers applied in "
        f"{min(applied):.2f} s (best of {builds})"
    )


def main() -> None:
    args = parse_args()
    app = make_app(reset_database(args.pg, args.database))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    started = time.perf_counter()
    admin = master_data(app)
    counts = bulk_load(app, args, admin)
    print(f"PostgreSQL, loaded in {time.perf_counter() - started:.0f} s; {os.cpu_count()} CPUs")
    print(", ".join(f"{table} {n:,}" for table, n in counts.items()))
    sampled = random.Random(7).sample(range(1, args.suppliers + 1), args.sampled)
    users = portal_users(app, sampled)
    measure_pages(app, users, args.requests)
    measure_snapshot(app, args.snapshots)


if __name__ == "__main__":
    main()
