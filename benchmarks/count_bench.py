"""How long does a 100,000-row stock count take as a job? (A benchmark, not a test.)

Creates a PostgreSQL database afresh, loads the demo company plus `--items` extra items with stock at
each demo warehouse (received through takt, 5,000 lines a document), then uploads a count of `--rows`
rows to `POST /api/v1/counts/jobs` through the app's full HTTP stack (Flask test client, in this
process; the job runs in the app's background thread) and polls the job until it ends. Prints the
seconds to the 202, to the end, each chunk's seconds (one transaction, the longest any balance lock is
held), and whether every balance still equals the sum of its ledger entries.

    python benchmarks/count_bench.py --rows 100000
"""

import argparse
import io
import itertools
import os
import random
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from documents_bench import make_app  # noqa: E402
from stock_http import WAREHOUSES, percentile, reset_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=20_000, help="extra items: rows x warehouses balances")
    parser.add_argument("--database", default="takt_count_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def load_company(app, extra_items: int) -> tuple[str, list[str]]:
    """Migrate, load the demo and the extra items with 10 of each at every warehouse; return a
    warehouse token and the extra skus."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.auth import create_token
    from core.db import db
    from core.models import User
    from inventory import service
    from inventory.models import Item

    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "--no-tokens"], catch_exceptions=False)
        skus = [f"COUNT-{n:05d}" for n in range(extra_items)]
        db.session.add_all(Item(sku=sku, name=f"counted item {sku}") for sku in skus)
        user = db.session.scalar(select(User).where(User.username == "demo-warehouse"))
        secret = create_token(user=user, name="count bench")[1]
        db.session.commit()
        lines = (
            {"kind": "receipt", "sku": s, "location": w, "quantity": 10} for s in skus for w in WAREHOUSES
        )
        while document := list(itertools.islice(lines, 5000)):
            service.post_movements(document, user_id=user.id)
            db.session.commit()
    return secret, skus


def count_csv(skus: list[str], rows: int) -> str:
    rng = random.Random(2)
    places = itertools.islice(itertools.product(skus, WAREHOUSES), rows)
    return "sku,location,counted\n" + "".join(f"{s},{w},{rng.randint(0, 20)}\n" for s, w in places)


def run_job(app, token: str, text: str) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    data = {"file": (io.BytesIO(text.encode()), "count.csv")}
    started = time.perf_counter()
    response = client.post(
        "/api/v1/counts/jobs",
        data=data,
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        content_type="multipart/form-data",
    )
    accepted = time.perf_counter() - started
    print(f"202 after {accepted:.2f} s (HTTP {response.status_code}), job {response.get_json()['id']}")
    seen, chunk_times, last = 0, [], time.perf_counter()
    while True:
        job = client.get(response.headers["Location"], headers=headers).get_json()
        if job["rows_applied"] != seen:
            now = time.perf_counter()
            chunk_times.append(now - last)
            seen, last = job["rows_applied"], now
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    total = time.perf_counter() - started
    print(
        f"{job['status']}: {job['rows_applied']:,} of {job['rows_total']:,} rows in {total:.1f} s "
        f"({job['rows_applied'] / total:,.0f} rows/s), {job['chunk_rows']} rows a chunk"
    )
    if job["error"] or job["refused"]:
        print(job["error"], job["refused"])
    chunks = chunk_times[1:]  # the first includes the checks of every row before any chunk
    if chunks:
        print(
            f"chunks (one transaction each, seen by polling every 200 ms): "
            f"p50 {percentile(chunks, 0.5):.2f} s, "
            f"max {max(chunks):.2f} s; checks and first chunk {chunk_times[0]:.2f} s"
        )


def ledger_equals_balances(app) -> bool:
    from sqlalchemy import select

    from core.db import db
    from inventory import service
    from inventory.models import StockBalance

    with app.app_context():
        sums = service.ledger_sums()
        balances = db.session.execute(
            select(StockBalance.item_id, StockBalance.location_id, StockBalance.on_hand)
        )
        return all(sums.get((i, loc), 0) == on_hand for i, loc, on_hand in balances)


def main() -> None:
    args = parse_args()
    app = make_app(reset_database(args.pg, args.database))
    started = time.perf_counter()
    token, skus = load_company(app, args.items)
    print(
        f"PostgreSQL, {len(skus):,} items x {len(WAREHOUSES)} warehouses stocked in "
        f"{time.perf_counter() - started:.0f} s; {os.cpu_count()} CPUs"
    )
    run_job(app, token, count_csv(skus, args.rows))
    print(f"every balance equals the sum of its ledger entries: {ledger_equals_balances(app)}")


if __name__ == "__main__":
    main()
