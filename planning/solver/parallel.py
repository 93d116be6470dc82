"""Planning independent parts side by side in worker processes, the time shared by size, small ones first.

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

from planning.solver.part import plan_part, unplanned

MIN_PART_SECONDS = 0.5
MAX_RESTARTS = 2
POLL_S = 1.0  # how often the parts under way are looked at for better plans (for progress)
TASK_MARGIN_S = 2.0  # a part's worker is asked to finish this long before the deadline
INLINE_WORK = 5_000  # parts this small in total are planned in this process: a worker costs more to start


def run_parts(
    parts: list[dict],
    *,
    sizes: list[int],
    deadline: float,
    workers: int,
    progress: Callable[..., None] | None = None,
    warm_starts: list[dict] | None = None,
) -> list[dict]:
    """The plan of each part (in the order given), all returned by `deadline` (a time.monotonic() instant);
    `warm_starts` are the plans in force of the parts."""
    queue = deque(sorted(range(len(parts)), key=lambda i: sizes[i]))
    tracker = _Tracker(len(parts), progress)
    warm = warm_starts or [None] * len(parts)
    if workers <= 1 or sum(sizes) <= INLINE_WORK:
        plans = _plan_here(parts, sizes, warm, queue, deadline, tracker, until_deadline=False)
        return [plans[i] for i in range(len(parts))]
    tracker.phase(f"{len(parts)} parts in {workers} workers")
    with tempfile.TemporaryDirectory(prefix="takt-parts-") as folder:
        return _in_workers(parts, sizes, warm, queue, deadline, workers, tracker, folder)


def _in_workers(
    parts, sizes, warm, queue: deque, deadline: float, workers: int, tracker, folder: str
) -> list[dict]:
    plans: dict[int, dict] = {}
    latest = [str(Path(folder) / f"part-{i}.json") for i in range(len(parts))]
    pool = _pool(workers)
    pending: dict[Future, int] = {}
    busy_until: dict[Future, float] = {}
    restarts = 0
    seen: dict[int, int] = {}  # part -> the modification time of its best plan last read
    try:
        while queue or pending:
            while queue and len(pending) < workers:
                i = queue.popleft()
                now = time.monotonic()
                taken = sum(max(0.0, until - now) for until in busy_until.values())
                waiting = sum(sizes[j] for j in queue) + sizes[i]
                limit = _share(sizes[i], waiting, deadline - TASK_MARGIN_S, workers, taken)
                try:
                    future = pool.submit(_plan_in_worker, parts[i], limit, warm[i], latest[i])
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
                _stop(pool)
                restarts += 1
                if restarts > MAX_RESTARTS:
                    break
                pool = _pool(workers)
                continue
            left = max(0.0, deadline - time.monotonic())
            finished, _ = wait(pending, timeout=min(left, POLL_S), return_when=FIRST_COMPLETED)
            if not finished:
                if time.monotonic() >= deadline:
                    break  # the deadline: what is still running is given up
                for i in pending.values():  # the parts under way: their best plans so far, when new
                    stamp = _stamp(latest[i])
                    if stamp is not None and stamp != seen.get(i) and (plan := _latest_plan(latest[i])):
                        seen[i] = stamp
                        tracker.better(i, plan)
                continue
            for future in finished:
                if isinstance(future.exception(), BrokenProcessPool):
                    continue  # taken up again above
                i = pending.pop(future)
                busy_until.pop(future)
                plans[i] = _result(future, parts[i], _latest_plan(latest[i]))
                tracker.done(i, plans[i])
    finally:
        _stop(pool)
    fallback = {i: plan for i in range(len(parts)) if i not in plans and (plan := _latest_plan(latest[i]))}
    plans.update(_plan_here(parts, sizes, warm, queue, deadline, tracker, until_deadline=True))
    for i in range(len(parts)):
        if i not in plans:
            plans[i] = fallback.get(i) or unplanned(
                parts[i], "not planned: the time limit ran out before this part was planned"
            )
    return [plans[i] for i in range(len(parts))]


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


def _plan_in_worker(part: dict, limit: float, warm_start: dict | None, latest_path: str) -> dict:
    """In a worker: plan the part; each better plan is written to `latest_path` as soon as it is found (a
    file, renamed into place: a worker killed while writing leaves nothing half-written)."""

    def keep(plan: dict) -> None:
        partial = f"{latest_path}.partial"
        Path(partial).write_text(json.dumps(plan))
        os.replace(partial, latest_path)

    return plan_part(part, time_limit_s=limit, warm_start=warm_start, better_plan=keep)


def _stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _latest_plan(path: str) -> dict | None:
    """The best plan a worker wrote for its part, if it got that far."""
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
