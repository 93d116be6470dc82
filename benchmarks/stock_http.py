"""How fast does the stock ledger take movements over HTTP? (A benchmark, not a test.)

Starts a real gunicorn server (`gunicorn.conf.py`) on a PostgreSQL database it creates afresh,
loads the demo company, then lets N keep-alive clients post random receipts, issues and transfers
for a while, and after that the same clients call a trivial authenticated GET (`/api/v1/me`) for
as long. Prints requests/s and p50/p99 latency of both, and their ratio: how much of the server's
capacity a movement costs compared with authentication plus routing alone; and the `pgbench` ceiling of
the same database at as many clients (what PostgreSQL alone commits a second). Loopback traffic only.

    python benchmarks/stock_http.py --clients 16 --seconds 20

The clients run in this process (threads), on the same machine as the server and the database.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from inventory.demo import BOTH, FINISHED  # noqa: E402

WAREHOUSES = ("WH-BJ", "WH-SH", "WH-GZ", "WH-CD", "WH-TJ")
SKUS = [sku for sku, _ in FINISHED + BOTH]


@dataclass
class Tally:
    """What one phase measured: latencies of completed requests and counts per status."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, status: int) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database", default="takt_bench", help="PostgreSQL database, dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")))
    return parser.parse_args()


def reset_database(pg: str, name: str) -> str:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{pg}/{name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def start_server(env: dict, port: int) -> subprocess.Popen:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not come up")


def random_movement(rng: random.Random) -> dict:
    kind = rng.choices(("receipt", "issue", "transfer"), weights=(4, 3, 3))[0]
    movement = {"kind": kind, "sku": rng.choice(SKUS), "quantity": rng.randint(1, 5)}
    if kind == "transfer":
        movement["from_location"], movement["to_location"] = rng.sample(WAREHOUSES, 2)
    else:
        movement["location"] = rng.choice(WAREHOUSES)
    return movement


def client_loop(port: int, token: str, post: bool, until: float, tally: Tally, seed: int) -> None:
    """One keep-alive client sending requests back to back until `until`."""
    rng, conn = random.Random(seed), http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while time.monotonic() < until:
        started = time.perf_counter()
        if post:
            keyed = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            conn.request("POST", "/api/v1/movements", body=json.dumps(random_movement(rng)), headers=keyed)
        else:
            conn.request("GET", "/api/v1/me", headers=headers)
        response = conn.getresponse()
        response.read()
        tally.add(time.perf_counter() - started, response.status)
    conn.close()


def run_phase(port: int, token: str, *, post: bool, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    threads = [
        threading.Thread(target=client_loop, args=(port, token, post, started + seconds, tally, n))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(label: str, tally: Tally, elapsed: float) -> float:
    rate = len(tally.latencies) / elapsed
    p50, p99 = percentile(tally.latencies, 0.50) * 1000, percentile(tally.latencies, 0.99) * 1000
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(f"{label:18} {rate:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({statuses})")
    return rate


def statements_per_movement(env: dict, token: str, *, movements: int = 20) -> float:
    """SQL statements one `POST /movements` sends, counted in-process on the same database."""
    from sqlalchemy import event

    from app import create_app
    from core.db import db

    os.environ["SCM_DATABASE_URL"] = env["SCM_DATABASE_URL"]
    app, sent, rng = create_app({"METRICS_ENABLED": False}), [], random.Random(0)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
        client = app.test_client()
        for _ in range(movements):
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
            client.post("/api/v1/movements", json=random_movement(rng), headers=headers)
        db.engine.dispose()
    return len(sent) / movements


def pgbench_ceiling(url: str, *, clients: int, seconds: float) -> float:
    """Small write transactions a second PostgreSQL itself commits on this database (`pgbench`'s TPC-B-like
    script at `clients` clients, scale 1): the physical ceiling the movements are compared with. Its tables
    are dropped afterwards."""
    quiet = {"check": True, "capture_output": True, "text": True}
    subprocess.run(["pgbench", "-i", "-q", "-s", "1", url], **quiet)
    try:
        threads = str(min(clients, os.cpu_count() or 1))
        done = subprocess.run(
            ["pgbench", "-n", "-c", str(clients), "-j", threads, "-T", str(round(seconds)), url], **quiet
        )
    finally:
        subprocess.run(["pgbench", "-i", "-I", "d", url], **quiet)
    return float(next(line for line in done.stdout.splitlines() if line.startswith("tps = ")).split()[2])


def main() -> None:
    args = parse_args()
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "SCM_SECRET_KEY": os.environ.get("SCM_SECRET_KEY") or secrets.token_hex(32),
        "SCM_DATABASE_URL": reset_database(args.pg, args.database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    flask(env, "db", "upgrade")
    flask(env, "demo", "--no-tokens")
    token = flask(env, "tokens", "create", "demo-warehouse", "--name", "benchmark").strip()
    statements = statements_per_movement(env, token)
    ceiling = pgbench_ceiling(
        env["SCM_DATABASE_URL"].replace("+psycopg", ""), clients=args.clients, seconds=args.seconds
    )
    server = start_server(env, port)
    try:
        print(
            f"{args.clients} clients, {args.seconds:g} s per phase, gunicorn {args.workers}x{args.threads} "
            f"gthread, PostgreSQL, {os.cpu_count()} CPUs"
        )
        posts, post_time = run_phase(port, token, post=True, clients=args.clients, seconds=args.seconds)
        gets, get_time = run_phase(port, token, post=False, clients=args.clients, seconds=args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    movement_rate = report("POST /movements", posts, post_time)
    print(f"{'  of which applied':18} {posts.statuses.get(201, 0) / post_time:8.1f} movements/s (201)")
    get_rate = report("GET /me", gets, get_time)
    print(f"movements/s : GET/s = {movement_rate / get_rate:.2f}")
    print(
        f"pgbench (TPC-B-like, {args.clients} clients): {ceiling:.0f} transactions/s; movements/s : that = "
        f"{movement_rate / ceiling:.2f}"
    )
    print(f"SQL statements per movement (BEGIN and COMMIT not counted): {statements:.1f}")


if __name__ == "__main__":
    main()
