"""How fast are quotes, and does the next run keep the promises held? (A benchmark, not a test.)

    python benchmarks/quote_bench.py --sizes medium,large [--clients 8] [--quotes 800] [--holds 200]

For each size, takt's own generated scenario (`planning.scenarios`, the medium and large presets: 2,000
orders x 300 skus x 10 sites and 10,000 x 2,000 x 30), moved to today, is planned by the solver (the plan in
force) and published into a fresh PostgreSQL database (`--database`): its regions, sites, items and one
customer per region are loaded, the run stored and its residual built as a publish builds it (timed, and
its size). Then a real gunicorn (`gunicorn.conf.py`, 2 workers x 4 threads) answers N concurrent clients:
first `--quotes` plain quotes, then `--holds` held ones, prospective orders drawn like the scenario's own
(a random order's region, lines, priority and ship-complete, wanted as far ahead). p50/p99 latency of each.

Accuracy: the next run's snapshot is the same network with every promise the first plan gave now a
`confirmed_promise_at` (as the database would carry them) plus the held orders with theirs; the solver plans
it from the plan in force (as a run does) and we count the held promises kept (promised no later than held,
to the second) and how much later the others are.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

from stock_http import free_port, reset_database, start_server  # noqa: E402

from planning.scenarios import generate  # noqa: E402
from planning.solver import solve  # noqa: E402

PRESETS = {"medium": (2_000, 300, 10, 20, 3), "large": (10_000, 2_000, 30, 60, 6)}
LIMITS = {"medium": 60, "large": 120}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="medium,large")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--quotes", type=int, default=800, help="plain quotes per size")
    parser.add_argument("--holds", type=int, default=200, help="held quotes per size")
    parser.add_argument("--time-limit", type=float, help="solver seconds (default: medium 60, large 120)")
    parser.add_argument("--database", default="takt_quote_bench")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    return parser.parse_args()


# -- the scenario, moved to today ---------------------------------------------------------------------------


def _shift_time(text: str | None, delta: timedelta) -> str | None:
    if text is None:
        return None
    return (datetime.fromisoformat(text) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def moved_to_today(snapshot: dict) -> dict:
    """The snapshot moved by whole days so that it starts today (calendars keep their weekdays' hours)."""
    start = datetime.fromisoformat(snapshot["plan_start"])
    delta = timedelta(days=(datetime.now(UTC).date() - start.date()).days)
    snapshot["plan_start"] = _shift_time(snapshot["plan_start"], delta)
    for receipt in snapshot.get("receipts") or []:
        receipt["arrive_at"] = _shift_time(receipt["arrive_at"], delta)
    for order in snapshot["orders"]:
        for name in ("created_at", "requested_at", "confirmed_promise_at"):
            order[name] = _shift_time(order.get(name), delta)
    for resource in snapshot.get("resources") or []:
        for day in resource.get("calendar") or []:
            day["date"] = (datetime.fromisoformat(day["date"]) + delta).strftime("%Y-%m-%d")
    return snapshot


# -- the database: what a quote looks up, and the plan published -----------------------------------------


def publish_into(url: str, snapshot: dict, plan: dict) -> dict:
    """Load the network's records, store the run and build its residual; return the figures and a token."""
    os.environ["SCM_DATABASE_URL"] = url
    from app import create_app
    from core import auth
    from core.db import db, utcnow
    from inventory import service as inventory_service
    from orders import service as orders_service
    from planning.runs.events import PlanPublished
    from planning.runs.models import PlanningRun
    from quotes import service as quotes_service

    app = create_app()
    with app.app_context():
        for region in snapshot["regions"]:
            inventory_service.save_region(region["code"], {"name": region["code"]})
            orders_service.save_customer(
                f"C-{region['code']}", {"name": "bench", "region_code": region["code"]}
            )
        for loc in snapshot["locations"]:
            fields = {"name": loc["code"], "kind": loc["kind"], "region_code": loc["region"]}
            inventory_service.save_location(loc["code"], fields)
        for item in snapshot["items"]:
            inventory_service.save_item(item["sku"], {"name": item.get("name") or item["sku"]})
        seller = auth.create_user(username="bench-sales", roles=["sales"])
        _, token = auth.create_token(user=seller)
        now = utcnow()
        run = PlanningRun(
            trigger="cli",
            status="succeeded",
            plan_start=datetime.fromisoformat(snapshot["plan_start"]),
            started_at=now,
            finished_at=now,
            published_at=now,
            snapshot=snapshot,
        )
        db.session.add(run)
        db.session.flush()
        started = time.perf_counter()
        row = quotes_service.store_residual(PlanPublished(run=run, plan=plan))
        build_s = time.perf_counter() - started
        size = len(json.dumps(row.document))
        db.session.commit()
        db.engine.dispose()
    return {"token": token, "residual_build_s": build_s, "residual_bytes": size}


# -- the clients ------------------------------------------------------------------------------------------


def prospective(rng: random.Random, snapshot: dict, hold: bool) -> dict:
    template = rng.choice(snapshot["orders"])
    ahead = datetime.fromisoformat(template["requested_at"]) - datetime.fromisoformat(snapshot["plan_start"])
    wanted = datetime.now(UTC) + max(ahead, timedelta(0))
    body = {
        "customer": f"C-{template['region']}",
        "requested_at": wanted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "priority": template["priority"],
        "ship_complete": template.get("ship_complete") is not False,
        "lines": [{"sku": line["sku"], "qty": line["qty"]} for line in template["lines"]],
    }
    return body | {"hold": True} if hold else body


def run_phase(port: int, token: str, snapshot: dict, *, clients: int, count: int, hold: bool) -> dict:
    latencies, answers, statuses, lock = [], [], {}, threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n * 7919 + hold)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(count // clients):
            body = prospective(rng, snapshot, hold)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if hold:
                headers["Idempotency-Key"] = f"bench-{n}-{i}-{secrets.token_hex(4)}"
            started = time.perf_counter()
            conn.request("POST", "/api/v1/quotes", body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            answer = json.loads(response.read() or b"{}")
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                answers.append((body, answer))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "answers": answers,
        "statuses": statuses,
        "seconds": time.perf_counter() - started,
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


# -- accuracy -----------------------------------------------------------------------------------------------


def next_snapshot(snapshot: dict, plan: dict, held: list[tuple[dict, dict]]) -> dict:
    """The network as the next run finds it: the plan's promises given, the held orders added."""
    promised = {
        c["order_id"]: c.get("promised_at") for c in plan["confirmations"] if c["status"] == "confirmed"
    }
    orders = [
        dict(o, confirmed_promise_at=promised.get(o["id"]) or o.get("confirmed_promise_at"))
        for o in snapshot["orders"]
    ]
    for body, answer in held:
        orders.append(
            {
                "id": answer["order"],
                "region": body["customer"][2:],
                "created_at": snapshot["plan_start"],
                "requested_at": body["requested_at"],
                "priority": body["priority"],
                "ship_complete": body["ship_complete"],
                "confirmed_promise_at": answer["promised_at"],
                "lines": [
                    {"line": str(i), "sku": line["sku"], "qty": line["qty"]}
                    for i, line in enumerate(body["lines"], start=1)
                ],
            }
        )
    return dict(snapshot, orders=orders)


def accuracy(plan: dict, held: list[tuple[dict, dict]]) -> dict:
    answers = {c["order_id"]: c for c in plan["confirmations"]}
    kept, later, unconfirmed = 0, [], 0
    for _, answer in held:
        now = answers[answer["order"]]
        if now["status"] != "confirmed":
            unconfirmed += 1
            continue
        hours = datetime.fromisoformat(now["promised_at"]) - datetime.fromisoformat(answer["promised_at"])
        hours = hours.total_seconds() / 3600
        if hours <= 1 / 3600:
            kept += 1
        else:
            later.append(hours)
    return {"held": len(held), "kept": kept, "later_hours": later, "unconfirmed": unconfirmed}


def bench(size: str, args: argparse.Namespace) -> None:
    orders, skus, locations, suppliers, plants = PRESETS[size]
    snapshot = moved_to_today(
        generate(orders=orders, skus=skus, locations=locations, suppliers=suppliers, plants=plants, seed=1)
    )
    limit = args.time_limit or LIMITS[size]
    started = time.perf_counter()
    plan = solve(snapshot, time_limit_s=limit)
    print(
        f"\n== {size}: {orders} orders, {skus} skus, {locations} sites; plan in force in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    url = reset_database(args.pg, args.database).replace("postgresql://", "postgresql+psycopg://")
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "SCM_SECRET_KEY": secrets.token_hex(32),
        "SCM_DATABASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    published = publish_into(url, snapshot, plan)
    print(
        f"residual: built in {published['residual_build_s'] * 1000:.0f} ms, "
        f"{published['residual_bytes'] / 1e6:.2f} MB of JSON",
        flush=True,
    )
    server = start_server(env, port)
    try:
        # each worker loads the residual on its first quote: timed apart, not in the steady state
        first = run_phase(
            port, published["token"], snapshot, clients=args.clients, count=2 * args.clients, hold=False
        )
        quotes = run_phase(
            port, published["token"], snapshot, clients=args.clients, count=args.quotes, hold=False
        )
        holds = run_phase(
            port, published["token"], snapshot, clients=args.clients, count=args.holds, hold=True
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"warm-up ({len(first['latencies'])} quotes; each worker's first loads the residual): "
        f"slowest {max(first['latencies']) * 1000:.0f} ms"
    )
    for label, phase in (("quotes", quotes), ("held quotes", holds)):
        quotable = sum(1 for _, a in phase["answers"] if a.get("quotable"))
        times = phase["latencies"]
        print(
            f"{label:12} {len(times)} at {args.clients} clients: {len(times) / phase['seconds']:.1f}/s, "
            f"p50 {percentile(times, 0.5):.1f} ms, p99 {percentile(times, 0.99):.1f} ms; "
            f"statuses {phase['statuses']}; quotable {quotable}",
            flush=True,
        )
    held = [(b, a) for b, a in holds["answers"] if a.get("held")]
    started = time.perf_counter()
    again = solve(next_snapshot(snapshot, plan, held), time_limit_s=limit, warm_start=plan)
    result = accuracy(again, held)
    later = result["later_hours"]
    share = result["kept"] / result["held"] if result["held"] else float("nan")
    median, worst = (statistics.median(later), max(later)) if later else (0.0, 0.0)
    print(
        f"next run ({time.perf_counter() - started:.0f} s): {result['kept']} of {result['held']} held "
        f"promises kept ({share:.1%}); later: {len(later)} (median {median:.1f} h, max {worst:.1f} h); "
        f"unconfirmed: {result['unconfirmed']}",
        flush=True,
    )


def main() -> None:
    args = parse_args()
    print(f"{os.cpu_count()} CPUs; gunicorn.conf.py defaults; {args.clients} clients")
    for size in args.sizes.split(","):
        bench(size, args)


if __name__ == "__main__":
    main()
