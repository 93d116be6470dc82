"""Benchmark the planner (not a test): time, memory, validity, cost against the baseline, bound and gap.

    python benchmarks/plan_bench.py --sizes small,medium [--both | --tight] [--time-limit S] [--json OUT]
    python benchmarks/plan_bench.py --sizes networks2k --alone 60      # and the sum of each network alone
    python benchmarks/plan_bench.py --published ../shared/benchmarks/published [--time-limit S]
    python benchmarks/plan_bench.py --sizes networks2k --cluster tcp://host:8786   # parts on a Dask cluster

Scenarios come from ../shared/planning/generate.py (seed 1); `networks2k` and `networks8k` are 40 and 160
small networks (generate.py's small preset, seeds 1.., every other one tight) with their codes prefixed,
merged into one snapshot: independent networks in one batch. With `--alone S` each of those networks is also
planned alone with S seconds, and `vs_alone` is the batch's cost over the sum of theirs. `--published` plans
each case of a folder of published instances (`{"name", "optimum", "snapshot"}`) and prints cost/optimum.
The planner runs in its own process so its peak memory is measured (its worker processes included);
verify.py judges both the plan and the baseline's plan. With `--cluster ADDRESS` the parts are planned on the
Dask cluster whose scheduler is there (planning/executor.py): the same table, then where the parts ran (peak
memory is then this machine's only).
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
sys.path.insert(0, str(REPO))
from planning.solver.decompose import combined, prefixed, split  # noqa: E402

SHARED = Path(os.environ.get("TAKT_SHARED_DIR") or REPO.parent / "shared")
DEFAULT_LIMITS = {
    "small": 10,
    "medium": 120,
    "large": 300,
    "xlarge": 840,
    "networks2k": 120,
    "networks8k": 300,
}
NETWORKS = {"networks2k": 40, "networks8k": 160}
CLUSTER_VARIABLE = "TAKT_PLAN_BENCH_CLUSTER"  # how --cluster reaches the planning process
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
    "vs_alone",
)


def load_shared(name: str):
    """The contract's own generator or verifier from ../shared (the outside referee's yardstick)."""
    if not (SHARED / "planning" / f"{name}.py").exists():
        raise SystemExit(
            f"plan_bench needs the contract's {name}.py in {SHARED / 'planning'} (set TAKT_SHARED_DIR); "
            "without it, plan with `python -m planning generate` and `python -m planning verify`"
        )
    spec = importlib.util.spec_from_file_location(f"shared_{name}", SHARED / "planning" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(snapshot_path: str, plan_path: str, mode: str, time_limit: float) -> None:
    """Solve in this process and print seconds and peak memory as JSON."""
    from planning.executor import executor_for
    from planning.solver import solve, solve_baseline

    snapshot = json.loads(Path(snapshot_path).read_text())
    cluster = os.environ.get(CLUSTER_VARIABLE)
    started = time.monotonic()
    if mode == "baseline":
        plan = solve_baseline(snapshot)
    elif cluster:
        plan = solve(snapshot, time_limit_s=time_limit, executor=executor_for(cluster))
    else:
        plan = solve(snapshot, time_limit_s=time_limit)
    seconds = time.monotonic() - started
    Path(plan_path).write_text(json.dumps(plan))
    peak_mb = max(
        resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
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


def scenario(size: str, tight: bool) -> dict:
    """The snapshot of a benchmark scenario (see the module docstring)."""
    generate = load_shared("generate")

    def preset(name: str, seed: int, tight: bool) -> dict:
        orders, skus, locations, suppliers, plants = generate.PRESETS[name]
        return generate.generate(
            orders=orders,
            skus=skus,
            locations=locations,
            suppliers=suppliers,
            plants=plants,
            seed=seed,
            tight=tight,
        )

    if size in NETWORKS:
        seeds = range(1, NETWORKS[size] + 1)
        return combined([prefixed(preset("small", s, s % 2 == 0), f"N{s:03d}-") for s in seeds])
    return preset(size, 1, tight)


def bench(size: str, tight: bool, time_limit: float, alone: float | None = None) -> dict:
    verify = load_shared("verify").verify
    snapshot = scenario(size, tight)
    orders = len(snapshot["orders"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        snapshot_path = folder / "snapshot.json"
        snapshot_path.write_text(json.dumps(snapshot))
        measured, plan = run_worker(snapshot_path, "solve", time_limit, folder)
        _, baseline_plan = run_worker(snapshot_path, "baseline", time_limit, folder)
    report, baseline = verify(snapshot, plan), verify(snapshot, baseline_plan)
    cost, base_cost = report["cost"]["total"], baseline["cost"]["total"]
    bound = plan["solver"].get("bound")
    vs_alone = None
    if alone is not None and size in NETWORKS:
        vs_alone = round(cost / sum(planned_alone(part, alone) for part in split(snapshot)), 4)
    return {
        "scenario": size + ("-tight" if tight and size not in NETWORKS else ""),
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
        "gap": None if bound is None or not cost else round((cost - bound) / cost, 4),
        "vs_alone": vs_alone,
        "time_limit": time_limit,
        "violations": report["violations"][:3],
        "planned_on": places(plan["solver"]),
    }


def places(solver_report: dict) -> dict[str, int]:
    """How many parts were planned where (one entry when the snapshot was planned whole, in this process)."""
    counts: dict[str, int] = {}
    for place in solver_report.get("planned_on") or ["this process"]:
        counts[place] = counts.get(place, 0) + 1
    return counts


def planned_alone(part: dict, time_limit: float) -> float:
    """The cost of one network planned on its own (in this process, one worker)."""
    from planning.solver import solve

    return solve(part, time_limit_s=time_limit, workers=1)["solver"]["objective"]


def published(folder: Path, time_limit: float) -> list[dict]:
    """Each published case of `folder` planned and checked: cost over the proven optimum."""
    verify = load_shared("verify").verify
    rows = []
    print(
        f"{'case':>12}  {'valid':>6}  {'cost':>16}  {'optimum':>16}  {'ratio':>9}  {'bound/opt':>9}  {'s':>7}"
    )
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text())
        with tempfile.TemporaryDirectory() as tmp:
            snapshot_path = Path(tmp) / "snapshot.json"
            snapshot_path.write_text(json.dumps(case["snapshot"]))
            measured, plan = run_worker(snapshot_path, "solve", time_limit, Path(tmp))
        report = verify(case["snapshot"], plan)
        bound = plan["solver"].get("bound")
        row = {
            "case": case["name"],
            "valid": report["valid"],
            "cost": report["cost"]["total"],
            "optimum": case["optimum"],
            "ratio": report["cost"]["total"] / case["optimum"],
            "bound_ratio": None if bound is None else bound / case["optimum"],
            "seconds": measured["seconds"],
        }
        bound_text = "-" if row["bound_ratio"] is None else f"{row['bound_ratio']:.4f}"
        print(
            f"{row['case']:>12}  {row['valid']!s:>6}  {row['cost']:>16.3f}  {row['optimum']:>16.3f}  "
            f"{row['ratio']:>9.5f}  {bound_text:>9}  {row['seconds']:>7.1f}",
            flush=True,
        )
        rows.append(row)
    return rows


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
    parser.add_argument(
        "--alone", type=float, help="networks scenarios: also plan each network alone, S s each"
    )
    parser.add_argument("--published", help="a folder of published cases to plan instead of scenarios")
    parser.add_argument("--cluster", help="plan the parts on the Dask cluster whose scheduler is at ADDRESS")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cluster:
        os.environ[CLUSTER_VARIABLE] = args.cluster
    if args.worker:
        snapshot_path, plan_path, mode, limit = args.worker
        worker(snapshot_path, plan_path, mode, float(limit))
        return 0
    if args.published:
        rows = published(Path(args.published), args.time_limit or 300)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        return 0 if all(r["valid"] for r in rows) else 1
    variants = [True] if args.tight else [False, True] if args.both else [False]
    print("  ".join(f"{c:>12}" for c in COLUMNS), flush=True)
    rows = []
    for size in args.sizes.split(","):
        for tight in variants if size not in NETWORKS else [False]:
            row = bench(size, tight, args.time_limit or DEFAULT_LIMITS[size], args.alone)
            print_row(row)
            if args.cluster:
                where = ", ".join(f"{count} on {place}" for place, count in sorted(row["planned_on"].items()))
                print(f"{'':>12}  parts: {where}", flush=True)
            rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
