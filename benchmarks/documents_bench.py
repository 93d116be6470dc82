"""How long does a big stock document take in one request? (A benchmark, not a test.)

Creates a PostgreSQL database afresh, loads the demo company plus `--items` extra items, then posts,
through the app's full HTTP stack (Flask test client, in this process), a receipt of `--lines` lines
and a transfer of as many lines as one `POST /movements/batch` each, and prints the seconds each
took and the SQL statements it sent. Each document moves stock on `--lines` different balances
where there are that many (items x warehouses), so the work is per line, not per repeated balance.

    python benchmarks/documents_bench.py --lines 5000
"""

import argparse
import itertools
import os
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stock_http import WAREHOUSES, reset_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--items", type=int, default=1000, help="extra items, so lines hit distinct balances")
    parser.add_argument("--database", default="takt_documents_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def make_app(url: str):
    from app import create_app

    os.environ["SCM_DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({"METRICS_ENABLED": False})


def load_company(app, extra_items: int) -> tuple[str, list[str]]:
    """Migrate, load the demo and the extra items; return a warehouse token and every sku."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.auth import create_token
    from core.db import db
    from core.models import User
    from inventory.models import Item

    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "--no-tokens"], catch_exceptions=False)
        db.session.add_all(Item(sku=f"BENCH-{n:05d}", name=f"bench item {n}") for n in range(extra_items))
        user = db.session.scalar(select(User).where(User.username == "demo-warehouse"))
        secret = create_token(user=user, name="documents bench")[1]
        skus = list(db.session.scalars(select(Item.sku).where(Item.active.is_(True)).order_by(Item.sku)))
        db.session.commit()
    return secret, skus


def receipt_lines(skus: list[str], lines: int) -> list[dict]:
    places = itertools.cycle(itertools.product(skus, WAREHOUSES))
    return [
        {"kind": "receipt", "sku": sku, "location": where, "quantity": 10, "reference_type": "purchase_order"}
        for sku, where in itertools.islice(places, lines)
    ]


def transfer_lines(skus: list[str], lines: int) -> list[dict]:
    """Transfers that only move what the receipt put there (1 of its 10 per line)."""
    pairs = itertools.cycle((a, b) for a, b in zip(WAREHOUSES, WAREHOUSES[1:] + WAREHOUSES[:1], strict=True))
    places = itertools.cycle(itertools.product(skus, WAREHOUSES))
    moves = []
    for (sku, _), (source, target) in zip(itertools.islice(places, lines), pairs, strict=False):
        moves.append(
            {"kind": "transfer", "sku": sku, "from_location": source, "to_location": target, "quantity": 1}
        )
    return moves


def post_document(app, token: str, label: str, movements: list[dict]) -> None:
    from sqlalchemy import event

    from core.db import db

    sent = []
    with app.app_context():
        listener = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        response = app.test_client().post(
            "/api/v1/movements/batch", json={"movements": movements}, headers=headers
        )
        seconds = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", listener)
    status, lines = response.status_code, len(movements)
    print(f"{label:10} {lines:6d} lines   {seconds:6.2f} s   {len(sent):5d} SQL statements   HTTP {status}")
    if response.status_code != 201:
        print(response.get_json())


def main() -> None:
    args = parse_args()
    app = make_app(reset_database(args.pg, args.database))
    token, skus = load_company(app, args.items)
    places = f"{len(skus)} items x {len(WAREHOUSES)} warehouses"
    print(f"PostgreSQL, {places}, {os.cpu_count()} CPUs, one request per document")
    post_document(app, token, "receipt", receipt_lines(skus, args.lines))
    post_document(app, token, "transfer", transfer_lines(skus, args.lines))


if __name__ == "__main__":
    main()
