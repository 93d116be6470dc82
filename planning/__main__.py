"""Command line: `python -m planning solve SNAPSHOT.json -o PLAN.json [--time-limit S]` and
`python -m planning generate --orders N [--skus ...] [--seed S] [--tight] > SNAPSHOT.json`."""

from __future__ import annotations

import argparse
import json
import sys
import time

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
    args = parser.parse_args(argv)
    return run_generate(args) if args.command == "generate" else run_solve(args)


if __name__ == "__main__":
    raise SystemExit(main())
