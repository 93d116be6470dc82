"""One planning cycle at a real company's size: 100,000 open orders. (A benchmark, not a test.)

Creates a PostgreSQL database afresh (`--database`, default `takt_cycle_bench`), loads the generated
company (`flask demo --size xlarge`: timed), subscribes a local webhook receiver to every order's
confirmations, then plans one run through the scheduler's own path (`schedules.service.plan_current_cycle`:
the cycle's run queued, then executed under the planning lock, as `flask schedules run` does) and delivers
the webhooks as the scheduler's delivery job does (`deliver_webhooks`, called back to back until none is
due). Prints each phase: the snapshot from the database, storing it (and the warm start from the plan in
force), the solve, the publish (fence, plan tables, every order's confirmation and its outbox event, commit),
the webhook fan-out (at most `--fan-out-s` seconds: its rate and what is left pending), and the process's
peak memory (RSS; the solver's worker processes apart).

    python benchmarks/cycle_bench.py --size xlarge --budget 600      # the production budget
    python benchmarks/cycle_bench.py --budget 240 --runs 2            # a second run: warm start, fewer events

`--budget` is the run's whole time budget (`SCM_PLANNING_RUN_BUDGET_SECONDS`; the solver gets 75% of it).
"""

import argparse
import json
import os
import resource
import sys
import time
from contextlib import contextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stock_http import reset_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="xlarge", help="small, medium, large or xlarge")
    parser.add_argument("--budget", type=float, default=600.0, help="the run's budget in seconds")
    parser.add_argument("--runs", type=int, default=1, help="runs one after the other (2: the warm start)")
    parser.add_argument("--fan-out-s", type=float, default=120.0, help="deliver webhooks this long at most")
    parser.add_argument("--database", default="takt_cycle_bench", help="dropped and recreated")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    return parser.parse_args()


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


class Phases:
    """Seconds of each phase of the runs, taken around the functions the scheduler's path calls."""

    def __init__(self):
        self.marks: dict[str, float] = {}
        self.rows: list[tuple[str, float]] = []

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()

    def span(self, label: str, start: str, end: str) -> None:
        self.rows.append((label, self.marks[end] - self.marks[start]))

    @contextmanager
    def timing(self, label: str):
        started = time.perf_counter()
        yield
        self.rows.append((label, time.perf_counter() - started))


def instrument(phases: Phases) -> None:
    """Mark when the snapshot starts and ends and when the solver starts and ends (wrapping the functions
    the run looks up when it executes; the run itself is not changed)."""
    from planning import snapshot
    from planning.runs import service

    build, configured = snapshot.build_snapshot, service.configured_solver

    def timed_snapshot(**kwargs):
        phases.mark("snapshot")
        result = build(**kwargs)
        phases.mark("snapshot_done")
        return result

    def timed_solver():
        solve = configured()

        def timed_solve(*args, **kwargs):
            phases.mark("solve")
            plan = solve(*args, **kwargs)
            phases.mark("solve_done")
            return plan

        return timed_solve

    snapshot.build_snapshot, service.configured_solver = timed_snapshot, timed_solver


class CountingRequests:
    """Stands in for the receiver's list of requests: counts them and the orders they name (100,000
    requests kept whole would weigh on this process's memory)."""

    def __init__(self):
        self.count, self.orders = 0, set()

    def append(self, request: dict) -> None:
        self.count += 1
        self.orders.add(request["json"]["data"]["order"])


def load(app, size: str, receiver_url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.db import db
    from core.models import User
    from planning.webhooks import service as webhooks

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(
            args=["demo", "--no-tokens", "--size", size], catch_exceptions=False
        )
        print(result.output.strip().splitlines()[0])
        print(f"load: {time.perf_counter() - started:.1f} s (generating the company included)")
        planner = db.session.scalar(select(User).where(User.username == "demo-planner"))
        webhooks.create_subscription(url=receiver_url, customer=None, channel=None, user_id=planner.id)
        db.session.commit()


def plan_one_run(app, phases: Phases, number: int) -> dict:
    from schedules import service as schedules_service

    with app.app_context():
        phases.mark("run")
        run = schedules_service.plan_current_cycle()
        phases.mark("run_done")
        report = {
            "run": run.id,
            "status": run.status,
            "error": run.error,
            "budget_s": run.time_budget_s,
            "run_s": run.seconds,
            "orders": len((run.snapshot or {}).get("orders") or []),
            "kpis": run.kpis,
            "solver": {
                k: (run.solver_report or {}).get(k) for k in ("status", "objective", "bound", "seconds")
            },
        }
    phases.span(f"run {number}: snapshot from the database", "snapshot", "snapshot_done")
    phases.span(f"run {number}: store snapshot, warm start", "snapshot_done", "solve")
    phases.span(f"run {number}: solve", "solve", "solve_done")
    phases.span(f"run {number}: publish (to commit)", "solve_done", "run_done")
    phases.span(f"run {number}: whole run", "run", "run_done")
    return report


def fan_out(app, phases: Phases, receiver, number: int, *, within_s: float) -> dict:
    from sqlalchemy import func, select

    from core.db import db
    from planning.webhooks.models import WebhookDelivery
    from schedules import service as schedules_service

    totals = {"delivered": 0, "retrying": 0, "failed": 0}
    started = time.perf_counter()
    with app.app_context(), phases.timing(f"run {number}: webhook fan-out"):
        while time.perf_counter() - started < within_s:
            counts = schedules_service.deliver_webhooks()
            for key, value in counts.items():
                totals[key] += value
            if not any(counts.values()):
                break
        pending = db.session.scalar(
            select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")
        )
    rate = totals["delivered"] / (time.perf_counter() - started)
    return totals | {
        "per_s": round(rate),
        "received": receiver.requests.count,
        "orders": len(receiver.requests.orders),
        "pending": pending,
    }


def print_phases(rows: list[tuple[str, float]]) -> None:
    print(f"\n{'phase':45} {'seconds':>9}")
    for label, seconds in rows:
        print(f"{label:45} {seconds:9.1f}", flush=True)


def main() -> None:
    args = parse_args()
    os.environ["SCM_PLANNING_RUN_BUDGET_SECONDS"] = str(args.budget)
    os.environ["SCM_PLANNING_INTERVAL_MINUTES"] = "1"  # each run its own cycle
    url = reset_database(args.pg, args.database)
    from documents_bench import make_app

    from tests.webhook_receiver import Receiver

    app = make_app(url)
    app.config.update(WEBHOOK_ALLOW_PRIVATE_TARGETS=True, PLANNING_RUN_BUDGET_SECONDS=args.budget)
    phases = Phases()
    instrument(phases)
    with Receiver() as receiver:
        receiver.requests = CountingRequests()
        load(app, args.size, receiver.url)
        print(f"peak RSS after loading: {peak_mb():.0f} MB")
        for number in range(1, args.runs + 1):
            if number > 1:
                time.sleep(max(0.0, 61 - time.time() % 60))  # the next cycle (a minute long here)
            report = plan_one_run(app, phases, number)
            print(json.dumps(report))
            print(f"peak RSS after run {number}: {peak_mb():.0f} MB")
            print_phases(phases.rows[-5:])
            print(json.dumps(fan_out(app, phases, receiver, number, within_s=args.fan_out_s)))
    print_phases(phases.rows)
    children = peak_mb(resource.RUSAGE_CHILDREN)
    print(f"peak RSS: this process {peak_mb():.0f} MB, solver processes (largest) {children:.0f} MB")


if __name__ == "__main__":
    main()
