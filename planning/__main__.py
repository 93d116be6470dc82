"""Command line: `python -m planning solve SNAPSHOT.json -o PLAN.json [--time-limit S]`."""

from __future__ import annotations

import argparse
import json
import sys
import time

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planning", description="takt planner")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="plan a supply-plan/1 snapshot")
    solve_cmd.add_argument("snapshot", help="snapshot JSON file")
    solve_cmd.add_argument("-o", "--output", required=True, help="where to write the plan JSON")
    solve_cmd.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args(argv)
    return run_solve(args)


if __name__ == "__main__":
    raise SystemExit(main())
