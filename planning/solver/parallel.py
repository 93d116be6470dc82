"""Planning independent parts side by side in worker processes, the time shared by size, small ones first
(but a part of more than half the batch before them: `start_order`).

Each part is handed over as a plain contract snapshot with its own time limit and comes back as a plan. A
part's limit is its share, by size, of the worker-seconds left among the parts not yet started; a part that
finishes early (proven optimal) leaves its time to the others. Each worker writes its part's best plan so far
to a file whenever it finds a better one (the first as soon as it has one): a part whose worker fails or
overruns (HiGHS does not always stop at its time limit) falls back on that plan, else (it was never started)
it is planned as unconfirmed (a valid plan: nothing promised, nothing bought), so the run
still returns a valid plan in time. Workers are separate processes (spawned, so a threaded caller is safe)
that die with the planner: they are stopped when planning ends, and on Linux they also die if the planner
itself is killed.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from planning.solver.part import bound_part, plan_part, status_of, unplanned

MIN_PART_SECONDS = 0.5
MAX_RESTARTS = 2
POLL_S = 1.0  # how often the parts under way are looked at for better plans (for progress)
TASK_MARGIN_S = 2.0  # a part's worker is asked to finish this long before the deadline
BIG_SHARE = 0.25  # of a batch's size, above which a part needs all the time (no second round in `solve`)
INLINE_WORK = 5_000  # parts this small in total are planned in this process: a worker costs more to start


def run_parts(
    parts: list[dict],
    *,
    sizes: list[int],
    deadline: float,
    workers: int,
    progress: Callable[..., None] | None = None,
    warm_starts: list[dict] | None = None,
    separate_bounds: frozenset[int] = frozenset(),
) -> list[dict]:
    """The plan of each part (in the order given), all returned by `deadline` (a time.monotonic() instant);
    `warm_starts` are the plans in force of the parts. The parts in `separate_bounds` have their bound
    proved by a worker of its own (`part.bound_part`) with all the time, beside the worker planning them
    (for parts fewer than the workers: a core that would be idle)."""
    tracker = _Tracker(len(parts), progress)
    warm = warm_starts or [None] * len(parts)
    if workers <= 1 or sum(sizes) <= INLINE_WORK:
        # one after another: small first, each done in a moment, and the big ones share what they leave (a
        # big part first took its share to the end, HiGHS a little past it, and a 1-order part after it was
        # left no time at all: its order unplanned, a plan dearer than the baseline's)
        queue = deque(sorted(range(len(parts)), key=sizes.__getitem__))
        plans = _plan_here(parts, sizes, warm, queue, deadline, tracker, until_deadline=False)
        return [plans[i] for i in range(len(parts))]
    queue = deque(start_order(sizes))
    tracker.phase(f"{len(parts)} parts in {workers} workers")
    with tempfile.TemporaryDirectory(prefix="takt-parts-") as folder:
        plans, bounds = _in_workers(
            parts, sizes, warm, queue, deadline, workers, tracker, folder, separate_bounds
        )
    for i, bound in bounds.items():
        report = plans[i]["solver"]
        report["bound"] = round(max(bound, report["bound"] or bound), 6)
        report["status"] = status_of(report["objective"], report["bound"])
    return plans


def start_order(sizes: list[int]) -> list[int]:
    """The order parts start in on the workers: small first, but a part that is more than half of the batch
    before them all (it needs all the time, and a core of its own from the start: takt's xlarge company is
    one network of 90,567 orders beside 9,618 small ones, which took 65 s of both workers before it
    started). (Planned one after another in one process, small parts go first: see `run_parts`.)"""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    if order and sizes[order[-1]] > sum(sizes) / 2:
        order.insert(0, order.pop())
    return order


def _in_workers(
    parts, sizes, warm, queue: deque, deadline: float, workers: int, tracker, folder: str, separate
) -> tuple[list[dict], dict[int, float]]:
    plans: dict[int, dict] = {}
    latest = [str(Path(folder) / f"part-{i}.json") for i in range(len(parts))]
    pool = _pool(workers)
    pending: dict[Future, int] = {}
    busy_until: dict[Future, float] = {}
    bounding: dict[Future, int] = {}  # the separate bounds under way
    bounds: dict[int, float] = {}
    for i in sorted(separate)[: max(0, workers - 1)]:
        limit = deadline - TASK_MARGIN_S - time.monotonic()
        if limit > MIN_PART_SECONDS:
            bounding[pool.submit(_bound_in_worker, parts[i], limit, f"{latest[i]}.bound")] = i
    restarts = 0
    seen: dict[int, int] = {}  # part -> the modification time of its best plan last read
    try:
        while queue or pending or bounding:
            while queue and len(pending) + len(bounding) < workers:
                i = queue.popleft()
                now = time.monotonic()
                taken = sum(max(0.0, until - now) for until in busy_until.values())
                waiting = sum(sizes[j] for j in queue) + sizes[i]
                limit = _share(sizes[i], waiting, deadline - TASK_MARGIN_S, workers, taken)
                try:
                    future = pool.submit(
                        _plan_in_worker, parts[i], limit, warm[i], latest[i], i in bounding.values()
                    )
                except BrokenProcessPool:
                    queue.appendleft(i)
                    break
                pending[future], busy_until[future] = i, now + limit
            if pool_broken(pool):
                # a worker died (killed, out of memory): its parts and the others under way start again in
                # a new pool, twice at most; then what is left is planned here
                queue.extendleft(sorted(pending.values(), key=lambda i: -sizes[i]))
                pending.clear()
                busy_until.clear()
                bounding.clear()  # (the parts' own bounds stand)
                _stop(pool)
                restarts += 1
                if restarts > MAX_RESTARTS:
                    break
                pool = _pool(workers)
                continue
            left = max(0.0, deadline - time.monotonic())
            finished, _ = wait([*pending, *bounding], timeout=min(left, POLL_S), return_when=FIRST_COMPLETED)
            if not finished:
                if time.monotonic() >= deadline:
                    break  # the deadline: what is still running is given up
                for i in pending.values():  # the parts under way: their best plans so far, when new
                    stamp = _stamp(latest[i])
                    if stamp is not None and stamp != seen.get(i) and (plan := _latest(latest[i])):
                        seen[i] = stamp
                        tracker.better(i, plan)
                continue
            for future in finished:
                if isinstance(future.exception(), BrokenProcessPool):
                    continue  # taken up again above
                if future in bounding:
                    i = bounding.pop(future)
                    if future.exception() is None:
                        bounds[i] = future.result()
                        tracker.bound(i, bounds[i])
                    continue
                i = pending.pop(future)
                busy_until.pop(future)
                plans[i] = _result(future, parts[i], _latest(latest[i]))
                tracker.done(i, plans[i])
    finally:
        _stop(pool)
    for i in separate:  # a bound still being improved at the deadline: the best it proved
        if i not in bounds and (proved := _latest(f"{latest[i]}.bound")) is not None:
            bounds[i] = proved
    fallback = {i: plan for i in range(len(parts)) if i not in plans and (plan := _latest(latest[i]))}
    plans.update(_plan_here(parts, sizes, warm, queue, deadline, tracker, until_deadline=True))
    for i in range(len(parts)):
        if i not in plans:
            plans[i] = fallback.get(i) or unplanned(
                parts[i], "not planned: the time limit ran out before this part was planned"
            )
    return [plans[i] for i in range(len(parts))], bounds


def _plan_here(
    parts, sizes, warm, queue: deque, deadline: float, tracker, *, until_deadline: bool
) -> dict[int, dict]:
    """The parts left in `queue` planned in this process, one after another, each with its share of the time
    left (`until_deadline`: only while a part would still get a useful share; else every one of them)."""
    plans = {}
    while queue and (not until_deadline or deadline - time.monotonic() > MIN_PART_SECONDS):
        i = queue.popleft()
        limit = _share(sizes[i], sum(sizes[j] for j in queue) + sizes[i], deadline, 1)
        plans[i] = plan_part(parts[i], time_limit_s=limit, warm_start=warm[i])
        tracker.done(i, plans[i])
    return plans


def _plan_in_worker(
    part: dict, limit: float, warm_start: dict | None, latest_path: str, bound_elsewhere: bool = False
) -> dict:
    """In a worker: plan the part; each better plan is written to `latest_path` as soon as it is found (a
    file, renamed into place: a worker killed while writing leaves nothing half-written)."""

    def keep(plan: dict) -> None:
        partial = f"{latest_path}.partial"
        Path(partial).write_text(json.dumps(plan))
        os.replace(partial, latest_path)

    return plan_part(
        part, time_limit_s=limit, warm_start=warm_start, better_plan=keep, bound_elsewhere=bound_elsewhere
    )


def _bound_in_worker(part: dict, limit: float, latest_path: str) -> float:
    """In a worker: the part's bound (`part.bound_part`), each better one written to `latest_path`."""

    def keep(bound: float) -> None:
        partial = f"{latest_path}.partial"
        Path(partial).write_text(json.dumps(bound))
        os.replace(partial, latest_path)

    return bound_part(part, time_limit_s=limit, better_bound=keep)


def _stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _latest(path: str):
    """What a worker last wrote for its part (its best plan, or bound), if it got that far."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent)


def pool_broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))


def _share(size: int, waiting: int, deadline: float, workers: int, taken: float = 0.0) -> float:
    """A part's time limit: its share by size of the worker-seconds left for the parts not yet started (those
    running have `taken` of them), never more than the time left, and a little time even when it is late."""
    left = deadline - time.monotonic()
    free = max(0.0, left * workers - taken)
    return max(min(MIN_PART_SECONDS, left), min(left, free * size / max(1, waiting)))


def _result(future: Future, part: dict, fallback: dict | None) -> dict:
    try:
        plan = future.result()
    except Exception as error:  # a worker that failed: its best plan so far, else left unconfirmed
        return fallback or unplanned(part, f"not planned: its worker failed ({type(error).__name__})")
    if fallback is not None and fallback["solver"]["objective"] < plan["solver"]["objective"]:
        return fallback
    return plan


class _Tracker:
    """Progress over the parts: how many are done, and the cost and bound of the best plans so far (of the
    parts done and of those under way that have written one)."""

    def __init__(self, total: int, progress: Callable[..., None] | None) -> None:
        self.total, self.progress = total, progress
        self.count = 0
        self.best: dict[int, dict] = {}  # part -> its solver report

    def phase(self, phase: str) -> None:
        if self.progress is not None:
            self.progress(phase, None, parts_done=self.count, parts_total=self.total)

    def done(self, part: int, plan: dict) -> None:
        self.count += 1
        self.best[part] = plan["solver"]
        self._tell(f"{self.count} of {self.total} parts planned")

    def bound(self, part: int, bound: float) -> None:
        known = self.best.get(part)
        if known is not None and bound > (known["bound"] or 0.0):
            self.best[part] = {**known, "bound": bound}
            self._tell(f"{self.count} of {self.total} parts planned, a bound proved")

    def better(self, part: int, plan: dict) -> None:
        known = self.best.get(part)
        if known is None or plan["solver"]["objective"] < known["objective"] - 1e-9:
            self.best[part] = plan["solver"]
            self._tell(f"{self.count} of {self.total} parts planned, {len(self.best)} with a plan so far")

    def _tell(self, phase: str) -> None:
        if self.progress is None:
            return
        bounds = [r["bound"] for r in self.best.values()]
        complete = len(self.best) == self.total and None not in bounds
        self.progress(
            phase,
            sum(r["objective"] for r in self.best.values()),
            bound=sum(bounds) if complete else None,
            parts_done=self.count,
            parts_total=self.total,
        )


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now, whatever they are doing (a part given up at the deadline keeps running else)."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=2)
        if process.is_alive():  # stopped or deaf to SIGTERM
            process.kill()
            process.join(timeout=2)


def _die_with_parent() -> None:
    """In a worker: die when the planning process dies (Linux); ignore Ctrl-C (the parent stops us)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
