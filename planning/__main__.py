"""Command line: `python -m planning solve SNAPSHOT.json -o PLAN.json [--time-limit S]` plans a snapshot;
`python -m planning generate --orders N [--skus ...] [--seed S] [--tight] > SNAPSHOT.json` makes one up;
`python -m planning verify SNAPSHOT.json PLAN.json [--json]` checks a plan (exit 1 when it is invalid, 2 when
the snapshot is malformed)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from planning import checker
from planning.scenarios import generate
from planning.solver import solve

PROGRESS_AFTER_S = 2.0


def _progress_printer(started: float):
    """Progress lines on stderr, only on a terminal and only once a run takes more than a moment."""
    if not sys.stderr.isatty():
        return None

    def show(message: str, cost: float) -> None:
        elapsed = time.monotonic() - started
        if elapsed >= PROGRESS_AFTER_S:
            sys.stderr.write(f"\r[{elapsed:6.1f} s] {message:<70}")
            sys.stderr.flush()

    return show


def _summary(plan: dict) -> str:
    kpis, solver = plan["kpis"], plan["solver"]
    return (
        f"orders={kpis['orders']} confirmed={kpis['confirmed']} on_time={kpis['on_time']} "
        f"cost={solver['objective']:.2f} status={solver['status']} seconds={solver['seconds']:.1f}"
    )


def run_solve(args: argparse.Namespace) -> int:
    with open(args.snapshot, encoding="utf-8") as f:
        snapshot = json.load(f)
    started = time.monotonic()
    plan = solve(snapshot, time_limit_s=args.time_limit, progress=_progress_printer(started))
    if sys.stderr.isatty() and time.monotonic() - started >= PROGRESS_AFTER_S:
        sys.stderr.write("\n")
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(plan, f, separators=(",", ":"))
    print(_summary(plan))
    return 0


def run_generate(args: argparse.Namespace) -> int:
    snapshot = generate(
        orders=args.orders,
        skus=args.skus,
        locations=args.locations,
        suppliers=args.suppliers,
        plants=args.plants,
        seed=args.seed,
        tight=args.tight,
    )
    json.dump(snapshot, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _report_text(report: dict) -> str:
    cost, kpis = report["cost"], report["kpis"]
    verdict = "valid" if report["valid"] else "INVALID"
    lines = [
        f"{verdict}: cost={cost['total']:.2f} (service={cost['service']:.2f} "
        f"supply={cost['supply']:.2f} holding={cost['holding']:.2f}) orders={kpis['orders']} "
        f"confirmed={kpis['confirmed']} on_time={kpis['on_time']} late={kpis['late']}"
    ]
    lines += [f"rule {v['rule']} {v['id']}: {v['message']}" for v in report["violations"]]
    return "\n".join(lines)


def run_verify(args: argparse.Namespace) -> int:
    try:
        report = checker.verify(_load(args.snapshot), _load(args.plan))
    except checker.SnapshotError as e:
        print("\n".join(["the snapshot breaks the contract:", *e.errors]), file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if args.json else _report_text(report))
    return 0 if report["valid"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planning", description="takt planner")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="plan a supply-plan/1 snapshot")
    solve_cmd.add_argument("snapshot", help="snapshot JSON file")
    solve_cmd.add_argument("-o", "--output", required=True, help="where to write the plan JSON")
    solve_cmd.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    gen_cmd = commands.add_parser(
        "generate", help="print a made-up supply-plan/1 snapshot (same seed, same one)"
    )
    gen_cmd.add_argument("--orders", type=int, default=50, help="customer orders (default 50)")
    gen_cmd.add_argument("--skus", type=int, default=20, help="items (default 20)")
    gen_cmd.add_argument("--locations", type=int, default=4, help="sites in all, plants included (default 4)")
    gen_cmd.add_argument("--suppliers", type=int, default=3, help="suppliers (default 3)")
    gen_cmd.add_argument("--plants", type=int, default=1, help="how many of the sites are plants (default 1)")
    gen_cmd.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    gen_cmd.add_argument("--tight", action="store_true", help="scarce supply")
    verify_cmd = commands.add_parser(
        "verify", help="check a plan against its snapshot and recompute its cost"
    )
    verify_cmd.add_argument("snapshot", help="snapshot JSON file")
    verify_cmd.add_argument("plan", help="plan JSON file")
    verify_cmd.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args(argv)
    run = {"generate": run_generate, "verify": run_verify}.get(args.command, run_solve)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
