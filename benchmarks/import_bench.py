"""How long do imports take? (A benchmark, not a test.)

Creates a PostgreSQL database afresh with the demo company, then through the app's full HTTP stack
(Flask test client, in this process) imports `--items` items and `--orders` orders of `--lines` lines
each, as CSV and as xlsx: a dry run first, then the apply, then the same file again (every record an
update). Prints the seconds of each, the rows per second, and the seconds of each export.

    python benchmarks/import_bench.py --items 5000 --orders 2000
"""

import argparse
import io
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from documents_bench import make_app  # noqa: E402
from stock_http import reset_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--database", default="takt_import_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def planner_token(app) -> str:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.auth import create_token
    from core.db import db
    from core.models import User

    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "--no-tokens"], catch_exceptions=False)
        user = db.session.scalar(select(User).where(User.username == "demo-admin"))
        secret = create_token(user=user, name="import bench")[1]
        db.session.commit()
    return secret


def items_csv(count: int) -> bytes:
    rows = ["sku,name,unit,kind,holding_cost_per_day"]
    rows += [f"IMP-{n:06d},imported item {n},pcs,finished,0.01" for n in range(count)]
    return ("\n".join(rows) + "\n").encode()


def orders_csv(count: int, lines: int) -> bytes:
    rows = ["number,customer,requested_at,priority,line,sku,qty"]
    for n in range(count):
        for line in range(1, lines + 1):
            rows.append(f"SO-IMP-{n:06d},C-JD,2027-03-{1 + n % 28:02d}T12:00:00Z,2,{line},NB-14,{line}")
    return ("\n".join(rows) + "\n").encode()


def as_xlsx(content: bytes) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for number, line in enumerate(content.decode().splitlines()):
        cells = line.split(",")
        sheet.append(cells if number == 0 else [_typed(cell) for cell in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(cell: str):
    try:
        return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell


def timed_import(client, token, kind, content, name, *, dry_run) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/imports/{kind}{'?dry_run=true' if dry_run else ''}",
        data={"file": (io.BytesIO(content), name)},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    seconds = time.perf_counter() - started
    report = response.get_json()
    assert response.status_code == 200 and not report["errors"], report
    return seconds, report


def main() -> None:
    args = parse_args()
    app = make_app(reset_database(args.pg, args.database))
    token = planner_token(app)
    client = app.test_client()
    files = {
        "items": items_csv(args.items),
        "orders": orders_csv(args.orders, args.lines),
    }
    print(f"items: {args.items} rows; orders: {args.orders} orders x {args.lines} lines")
    for kind, content in files.items():
        for fmt, body in (("csv", content), ("xlsx", as_xlsx(content))):
            rows = content.count(b"\n") - 1
            for step, dry in (("dry run", True), ("apply", False), ("again (updates)", False)):
                seconds, report = timed_import(client, token, kind, body, f"{kind}.{fmt}", dry_run=dry)
                what = f"{report['created']} new, {report['updated']} updated"
                print(f"{kind:6} {fmt:4} {step:16} {seconds:7.2f} s  {rows / seconds:8,.0f} rows/s  ({what})")
            if fmt == "csv":  # the xlsx round updates what the csv one created
                continue
        for fmt in ("csv", "xlsx"):
            started = time.perf_counter()
            response = client.get(
                f"/api/v1/exports/{kind}?format={fmt}", headers={"Authorization": f"Bearer {token}"}
            )
            size = len(response.data)
            print(f"{kind:6} export {fmt:4} {time.perf_counter() - started:7.2f} s  {size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
