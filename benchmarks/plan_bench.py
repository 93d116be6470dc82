"""Benchmark the planner on generated scenarios (not a test): time, memory, validity, cost vs the baseline.

    python benchmarks/plan_bench.py --sizes small,medium [--both | --tight] [--time-limit S] [--json OUT]

Each scenario comes from ../shared/planning/generate.py (seed 1); the planner runs in its own process so its
peak memory is measured; verify.py judges both the plan and the baseline's plan.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAKT_SHARED_DIR") or REPO.parent / "shared")
DEFAULT_LIMITS = {"small": 10, "medium": 19, "large": 110, "xlarge": 840}
COLUMNS = (
    "scenario",
    "orders",
    "seconds",
    "peak_mb",
    "valid",
    "cost",
    "baseline",
    "ratio",
    "on_time",
    "bound",
    "gap",
)


def load_shared(name: str):
    spec = importlib.util.spec_from_file_location(f"shared_{name}", SHARED / "planning" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(snapshot_path: str, plan_path: str, mode: str, time_limit: float) -> None:
    """Solve in this process and print seconds and peak memory as JSON."""
    sys.path.insert(0, str(REPO))
    from planning.solver import solve, solve_baseline

    snapshot = json.loads(Path(snapshot_path).read_text())
    started = time.monotonic()
    plan = solve(snapshot, time_limit_s=time_limit) if mode == "solve" else solve_baseline(snapshot)
    seconds = time.monotonic() - started
    Path(plan_path).write_text(json.dumps(plan))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def run_worker(snapshot_path: Path, mode: str, time_limit: float, folder: Path) -> tuple[dict, dict]:
    plan_path = folder / f"{mode}.json"
    command = [
        sys.executable,
        __file__,
        "--worker",
        str(snapshot_path),
        str(plan_path),
        mode,
        str(time_limit),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]), json.loads(plan_path.read_text())


def bench(size: str, tight: bool, time_limit: float) -> dict:
    generate, verify = load_shared("generate"), load_shared("verify").verify
    orders, skus, locations, suppliers, plants = generate.PRESETS[size]
    snapshot = generate.generate(
        orders=orders, skus=skus, locations=locations, suppliers=suppliers, plants=plants, seed=1, tight=tight
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        snapshot_path = folder / "snapshot.json"
        snapshot_path.write_text(json.dumps(snapshot))
        measured, plan = run_worker(snapshot_path, "solve", time_limit, folder)
        _, baseline_plan = run_worker(snapshot_path, "baseline", time_limit, folder)
    report, baseline = verify(snapshot, plan), verify(snapshot, baseline_plan)
    cost, base_cost = report["cost"]["total"], baseline["cost"]["total"]
    bound = plan["solver"].get("bound")
    return {
        "scenario": size + ("-tight" if tight else ""),
        "size": size,
        "tight": tight,
        "orders": orders,
        "seconds": round(measured["seconds"], 2),
        "peak_mb": round(measured["peak_mb"], 1),
        "valid": report["valid"],
        "baseline_valid": baseline["valid"],
        "cost": round(cost, 2),
        "baseline": round(base_cost, 2),
        "ratio": round(cost / base_cost, 4) if base_cost else 1.0,
        "on_time": round(report["kpis"]["on_time"] / orders, 4),
        "status": plan["solver"]["status"],
        "bound": None if bound is None else round(bound, 2),
        "gap": None if not bound or not cost else round((cost - bound) / cost, 4),
        "time_limit": time_limit,
        "violations": report["violations"][:3],
    }


def print_row(row: dict) -> None:
    cells = [str(row[c]) if row[c] is not None else "-" for c in COLUMNS]
    print("  ".join(f"{cell:>12}" for cell in cells), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium", help="comma-separated: small,medium,large,xlarge")
    variant = parser.add_mutually_exclusive_group()
    variant.add_argument("--tight", action="store_true", help="only the tight variants")
    variant.add_argument("--both", action="store_true", help="normal and tight variants")
    parser.add_argument("--time-limit", type=float, help="seconds per scenario (default by size)")
    parser.add_argument("--json", help="write the rows as JSON to this file")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        snapshot_path, plan_path, mode, limit = args.worker
        worker(snapshot_path, plan_path, mode, float(limit))
        return 0
    variants = [True] if args.tight else [False, True] if args.both else [False]
    print("  ".join(f"{c:>12}" for c in COLUMNS), flush=True)
    rows = []
    for size in args.sizes.split(","):
        for tight in variants:
            row = bench(size, tight, args.time_limit or DEFAULT_LIMITS[size])
            print_row(row)
            rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
