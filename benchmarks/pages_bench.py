"""How fast and how big are the workspace's pages with 100,000 orders? (A benchmark, not a test.)

Creates a PostgreSQL database afresh (`takt_pages_bench`), loads the demo company, then bulk-loads
`--orders` customer orders (one to three lines each), `--items` extra items with stock in every
warehouse, the planner's snapshot of all of it (built by takt itself) and two published runs whose plans
confirm every order (one delivery per line; purchases, production and transfers beside them; the newer
plan moves one promise in ten). Then it asks for every list page (first, deep, sorted, searched and
filtered), an order's explanation and the CSV downloads, `--repeat` times each, through the app's whole
HTTP stack in this process (Flask test client, signed in with a browser session), and prints the
server time p50/p99 and the size of each.

    python benchmarks/pages_bench.py --orders 100000
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stock_http import WAREHOUSES, reset_database  # noqa: E402

BATCH = 5000
PASSWORD = "bench-pass-1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=2000, help="extra items, with stock in each warehouse")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    parser.add_argument("--database", default="takt_pages_bench", help="dropped and recreated")
    parser.add_argument("--reuse", action="store_true", help="measure the database as a previous run left it")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def make_app(url: str):
    from app import create_app

    os.environ["SCM_DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    settings = {"METRICS_ENABLED": False, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False}
    return create_app(settings | {"SECRET_KEY": "pages-bench", "RATELIMIT_ENABLED": False})


def insert(table, rows: list[dict]) -> None:
    from core.db import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[start : start + BATCH])


def load_company(app, n_orders: int, n_items: int) -> None:
    """The demo, the extra items and their stock, and the orders (bulk inserts, not the services)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.auth import create_user
    from core.db import db
    from inventory.models import Item, Location, Region, StockBalance
    from orders.models import Customer, CustomerOrder, OrderLine

    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "--no-tokens"], catch_exceptions=False)
        create_user(username="bench-planner", roles=["planner"], password=PASSWORD)
        now = datetime.now(UTC)
        insert(Item.__table__, [_item(n, now) for n in range(n_items)])
        items = dict(db.session.execute(select(Item.sku, Item.id)).all())
        places = dict(
            db.session.execute(select(Location.code, Location.id).where(Location.code.in_(WAREHOUSES))).all()
        )
        held = set(db.session.execute(select(StockBalance.item_id, StockBalance.location_id)))
        insert(
            StockBalance.__table__,
            [
                {
                    "item_id": i,
                    "location_id": p,
                    "on_hand": 100 + i % 50,
                    "reserved": i % 7,
                    "updated_at": now,
                }
                for sku, i in items.items()
                for p in places.values()
                if sku.startswith("BENCH") and (i, p) not in held
            ],
        )
        customers = list(db.session.execute(select(Customer.id, Customer.region_id)))
        regions = list(db.session.scalars(select(Region.id)))
        demo_skus = [sku for sku in items if not sku.startswith("BENCH")]
        rng = random.Random(5)
        start = now.replace(minute=0, second=0, microsecond=0)
        orders, lines = [], []
        for n in range(n_orders):
            customer, region = rng.choice(customers)
            requested = start + timedelta(hours=rng.randrange(24, 24 * 50))
            orders.append(
                {
                    "id": 1_000_000 + n,
                    "number": f"BO-{n:06d}",
                    "customer_id": customer,
                    "channel": "b2b",
                    "region_id": region or rng.choice(regions),
                    "created_at": now,
                    "requested_at": requested,
                    "priority": 1 + n % 3,
                    "ship_complete": True,
                    "status": "confirmed",
                    "promised_at": requested + timedelta(hours=rng.choice((0, 0, 0, 30, 80))),
                    "updated_at": now,
                }
            )
            for k in range(1 + n % 3):
                sku = demo_skus[(n + k * 7) % len(demo_skus)]
                lines.append(
                    {
                        "order_id": 1_000_000 + n,
                        "line": str(k + 1),
                        "item_id": items[sku],
                        "quantity": 1 + (n + k) % 9,
                        "shipped_quantity": 0,
                    }
                )
        insert(CustomerOrder.__table__, orders)
        insert(OrderLine.__table__, lines)
        db.session.commit()


def _item(n: int, now: datetime) -> dict:
    return {
        "sku": f"BENCH-{n:05d}",
        "name": f"bench item {n}",
        "unit": "pcs",
        "kind": "finished",
        "holding_cost_per_day": 0,
        "active": True,
        "created_at": now,
        "updated_at": now,
        "whole_units": True,
        "decimals": 0,
    }


def publish_runs(app) -> tuple[int, int]:
    """Two published runs over the loaded orders, their plans made up (every order confirmed)."""
    from sqlalchemy import select

    from core.db import db
    from orders.models import Customer, CustomerOrder
    from planning.snapshot import build_snapshot

    with app.app_context():
        at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        started = time.perf_counter()
        snapshot = build_snapshot(at=at)
        print(f"snapshot: {len(snapshot['orders']):,} orders, built in {time.perf_counter() - started:.1f} s")
        whose = select(CustomerOrder.number, Customer.code).join(
            Customer, Customer.id == CustomerOrder.customer_id
        )
        customers = dict(db.session.execute(whose).all())
        ids = [
            _publish(snapshot, customers, at, shift=shift, published=at + timedelta(minutes=k))
            for k, shift in enumerate((0, 10))
        ]
        db.session.commit()
        return ids[0], ids[1]


def _publish(snapshot: dict, customers: dict, at: datetime, *, shift: int, published: datetime) -> int:
    from core.db import db
    from planning.runs.models import (
        PlannedConfirmation,
        PlannedDelivery,
        PlanningRun,
        ProductionProposal,
        PurchaseProposal,
        TransferProposal,
    )
    from planning.runs.publish import peg_inputs

    kpis = {
        "orders": len(snapshot["orders"]),
        "confirmed": len(snapshot["orders"]),
        "on_time": 0,
        "late": 0,
        "unconfirmed": 0,
        "broken_promises": 0,
    }
    costs = dict.fromkeys(("service", "purchasing", "production", "freight", "holding", "total"), 1.0)
    run = PlanningRun(
        trigger="cli",
        status="succeeded",
        plan_start=at,
        started_at=at,
        finished_at=published,
        published_at=published,
        snapshot=snapshot,
        kpis=kpis,
        costs=costs,
        peg_inputs=peg_inputs(snapshot),
        solver_report={},
    )
    db.session.add(run)
    db.session.flush()
    rng = random.Random(1)  # both plans alike but for the shift of one promise in ten
    confirmations, deliveries, purchases, transfers = [], [], [], []
    first_id = db.session.scalar(db.text("SELECT nextval('planned_confirmations_id_seq')")) + 1
    for n, order in enumerate(snapshot["orders"]):
        requested = datetime.fromisoformat(order["requested_at"])
        late = timedelta(hours=rng.choice((0, 0, 0, 0, 26, 75)) + (shift if n % 10 == 0 else 0))
        cid = first_id + n
        confirmations.append(
            {
                "id": cid,
                "run_id": run.id,
                "order_number": order["id"],
                "status": "confirmed",
                "promised_at": requested + late,
                "reason": "stock",
                "explanation": "from stock",
                "customer": customers[order["id"]],
                "requested_at": requested,
                "late_hours": late.total_seconds() / 3600,
                "previous_status": "confirmed" if shift else None,
                "previous_promised_at": requested + late - timedelta(hours=shift if n % 10 == 0 else 0)
                if shift
                else None,
                "promise_moved": bool(shift) and n % 10 == 0,
            }
        )
        for line in order["lines"]:
            source = WAREHOUSES[n % len(WAREHOUSES)]
            depart = requested + late - timedelta(hours=24)
            deliveries.append(
                {
                    "confirmation_id": cid,
                    "run_id": run.id,
                    "line": line["line"],
                    "sku": line["sku"],
                    "qty": line["qty"],
                    "from_location": source,
                    "mode": "road",
                    "depart_at": depart,
                    "arrive_at": requested + late,
                }
            )
            if n % 20 == 0:
                purchases.append(
                    {
                        "run_id": run.id,
                        "ref": f"PO-{n}",
                        "sku": line["sku"],
                        "qty": 50,
                        "supplier": "SUP-DG",
                        "location": source,
                        "order_at": at,
                        "receive_at": depart - timedelta(days=2),
                    }
                )
            if n % 10 == 5:
                transfers.append(
                    {
                        "run_id": run.id,
                        "ref": f"TR-{n}",
                        "sku": line["sku"],
                        "qty": 20,
                        "from_location": WAREHOUSES[(n + 1) % len(WAREHOUSES)],
                        "to_location": source,
                        "mode": "road",
                        "depart_at": depart - timedelta(days=3),
                        "arrive_at": depart - timedelta(days=1),
                    }
                )
    db.session.execute(
        db.text("SELECT setval('planned_confirmations_id_seq', :v)"), {"v": first_id + len(confirmations)}
    )
    insert(PlannedConfirmation.__table__, confirmations)
    insert(PlannedDelivery.__table__, deliveries)
    insert(PurchaseProposal.__table__, purchases)
    insert(TransferProposal.__table__, transfers)
    productions = [
        {
            "run_id": run.id,
            "ref": f"MO-{k}",
            "sku": "MN-24",
            "qty": 40,
            "resource": "PL-WH-MN",
            "start_at": at + timedelta(hours=8 * k),
            "end_at": at + timedelta(hours=8 * k + 6),
        }
        for k in range(2000)
    ]
    insert(ProductionProposal.__table__, productions)
    print(
        f"run {run.id}: {len(confirmations):,} confirmations, {len(deliveries):,} deliveries, "
        f"{len(purchases):,} purchases, {len(transfers):,} transfers, {len(productions):,} production orders"
    )
    return run.id


def pages(run: int, order: str) -> list[str]:
    plan = f"/runs/{run}"
    return [
        "/runs",
        "/orders",
        "/orders?page=1000",
        "/orders?sort=-promised_at",
        "/orders?sort=customer&page=50",
        "/orders?q=BO-09999",
        "/orders?late=yes&status=confirmed",
        "/orders?sku=NB-14&sort=-requested_at",
        "/stock",
        "/stock?sort=-free&page=100",
        "/stock?q=BENCH-019",
        plan,
        f"{plan}?page=1500",
        f"{plan}?sort=-late_hours",
        f"{plan}?late=yes&q=C-JD",
        f"{plan}?tab=procurement",
        f"{plan}?tab=production",
        f"{plan}?tab=distribution",
        f"{plan}?tab=distribution&deliveries.page=2000&deliveries.sort=-depart_at",
        f"{plan}/changes",
        f"{plan}/changes?page=100&sort=-hours",
        f"{plan}/orders/{order}",
        f"/orders/{order}",
        "/api/v1/orders?page=1000",
        "/api/v1/planning/runs",
    ]


def measure(client, url: str, repeat: int, headers: dict | None = None) -> tuple[float, float, int, int]:
    times, size, status = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        size, status = len(response.get_data()), response.status_code
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))], size, status


def main() -> None:
    args = parse_args()
    if args.reuse:
        app = make_app(f"{args.pg}/{args.database}")
        with app.app_context():
            from core.db import db
            from planning.runs.models import PlanningRun

            newer = db.session.scalar(db.select(db.func.max(PlanningRun.id)))
    else:
        app = make_app(reset_database(args.pg, args.database))
        started = time.perf_counter()
        load_company(app, args.orders, args.items)
        _, newer = publish_runs(app)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
    print(f"PostgreSQL, {os.cpu_count()} CPUs, {args.repeat} requests per page")
    with app.app_context():
        from core.auth import create_token
        from core.db import db
        from core.models import User

        user = db.session.scalar(db.select(User).where(User.username == "bench-planner"))
        token = create_token(user=user, name="pages bench")[1]
        db.session.commit()
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed_in = client.post(
        "/login", data={"username": "bench-planner", "password": PASSWORD, "csrf_token": csrf}
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    print(f"{'page':72} {'p50 ms':>8} {'p99 ms':>8} {'KB':>8}  HTTP")
    order = f"BO-{args.orders // 2:06d}"
    for url in pages(newer, order):
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else None
        api = app.test_client()  # the API never takes the session cookie: a client of its own
        p50, p99, size, status = measure(api if headers else client, url, args.repeat, headers)
        print(f"{url:72} {p50:8.0f} {p99:8.0f} {size / 1024:8.1f}  {status}")
    for url in ("/orders.csv", f"/runs/{newer}/confirmations.csv"):
        p50, _, size, status = measure(client, url, 1)
        print(f"{url:72} {p50:8.0f} {'(whole)':>8} {size / 1024:8.0f}  {status}")


if __name__ == "__main__":
    main()
