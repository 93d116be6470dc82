"""Where the planner's parts are planned: inline, in this machine's worker processes, or on a Dask cluster.

`solve(snapshot, executor=...)` hands its independent parts to one of these. Each takes the parts (plain
`supply-plan/1` snapshots), their sizes, a `time.monotonic()` deadline, progress and warm starts, returns one
plan per part, and writes where each was planned in the part's solver report (`planned_on`), which the run's
report lists. `executor_for(setting)` picks one from `SCM_PLANNER_CLUSTER`: empty (the default) is the local
process pool, `inline` plans in the calling process, and `tcp://host:8786` names a Dask scheduler.

On a cluster a part is one Dask task: its snapshot goes out, its plan comes back. A worker that dies costs
time, not the run: Dask gives its task to another worker, a task that fails (or whose workers keep dying) is
planned here, and a cluster that cannot be reached plans everything here. Tasks still running at the
deadline fall back on the best plan their worker published so far (a Dask `Variable` per part), else on an
unconfirmed plan, so the run keeps its budget. Dask cannot stop a running task: an abandoned one ends at its
own time limit, which never passes the run's deadline (wall clock; the cluster's clocks are assumed synced).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from planning.solver.parallel import MIN_PART_SECONDS, TASK_MARGIN_S, _share, run_parts
from planning.solver.part import plan_part, unplanned
from planning.solver.solve import default_workers

log = logging.getLogger(__name__)

Executor = Callable[..., list[dict]]
CONNECT_TIMEOUT_S = 10.0  # at most this (and a quarter of the time left) is spent reaching the scheduler
POLL_S = 0.25
PUBLISH_EVERY_S = 1.0  # a task publishes its best plan so far at most this often
CHECK_WORKERS_S = 2.0  # how often a run looks whether its cluster still has workers
WORKERLESS_S = 4.0  # a cluster without a worker this long: the parts not back yet are planned here
BEST_SO_FAR_WAIT_S = 1.0  # at the deadline, how long all the parts still out may take to be looked up
RESCUE_S = 1.5  # after it, how long first passes here may take for the parts that have no plan at all


def executor_for(setting: str | None) -> Executor:
    """The executor a setting names: "" → local worker processes, "inline", or a Dask scheduler address."""
    setting = (setting or "").strip()
    if not setting or setting == "local":
        return local_pool()
    if setting == "inline":
        return inline()
    return dask_cluster(setting)


def inline() -> Executor:
    """Every part planned in the calling process, one after another (tests, one-core machines)."""
    return _placed(partial(run_parts, workers=1), "inline")


def local_pool(workers: int | None = None) -> Executor:
    """The parts planned in this machine's worker processes (one per core, or `workers`)."""
    return _placed(partial(run_parts, workers=workers or default_workers()), "local")


def _placed(plan_parts: Callable[..., list[dict]], where: str) -> Executor:
    def placed(parts: list[dict], **kwargs) -> list[dict]:
        return [_planned_on(plan, where) for plan in plan_parts(parts, **kwargs)]

    return placed


def _planned_on(plan: dict, where: str) -> dict:
    plan["solver"]["planned_on"] = where
    return plan


def dask_cluster(address: str, *, fallback: Executor | None = None) -> Executor:
    """The parts planned on the Dask cluster whose scheduler is at `address`; what it cannot plan, here
    (`fallback`, by default this machine's worker processes)."""

    def plan_parts(parts: list[dict], *, sizes: list[int], deadline: float, **kwargs) -> list[dict]:
        local = fallback or local_pool()
        try:
            from distributed import Client
        except ImportError:
            log.warning("SCM_PLANNER_CLUSTER is set but distributed is not installed: planning here")
            return _where(local(parts, sizes=sizes, deadline=deadline, **kwargs), "local (no distributed)")
        timeout = max(1.0, min(CONNECT_TIMEOUT_S, (deadline - time.monotonic()) / 4))
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            log.warning("planner cluster %s unreachable (%s): planning here", address, error)
            reason = f"local (cluster {address} unreachable)"
            return _where(local(parts, sizes=sizes, deadline=deadline, **kwargs), reason)
        with client:
            return _ClusterRun(client, address, local, parts, sizes, deadline, **kwargs).plan_all()

    return plan_parts


def _where(plans: list[dict], where: str) -> list[dict]:
    return [_planned_on(plan, where) for plan in plans]


class _ClusterRun:
    """One run's parts on a cluster: submitted small first, watched until done or the deadline; those the
    cluster fails on are planned here, side by side with the rest."""

    def __init__(self, client, address, local, parts, sizes, deadline, progress=None, warm_starts=None):
        self.client, self.address, self.local = client, address, local
        self.parts, self.sizes, self.deadline, self.progress = parts, sizes, deadline, progress
        self.warm = warm_starts or [None] * len(parts)
        self.run = uuid.uuid4().hex[:12]
        self.plans: dict[int, dict] = {}
        self.here: dict[Future, list[int]] = {}  # parts being planned here after the cluster failed on them
        self.checked_at, self.workerless_since = time.monotonic(), None
        self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="takt-local-parts")
        self.queue = deque(sorted(range(len(parts)), key=lambda i: sizes[i]))  # small parts first
        self.submitted: list = []
        self.returned = threading.Event()  # set whenever a part comes back from the cluster

    def plan_all(self) -> list[dict]:
        slots = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        if not slots:
            log.warning("planner cluster %s has no workers: planning here", self.address)
            kwargs = {"progress": self.progress, "warm_starts": self.warm}
            plans = self.local(self.parts, sizes=self.sizes, deadline=self.deadline, **kwargs)
            return _where(plans, f"local (cluster {self.address} has no workers)")
        self._tell(f"{len(self.parts)} parts on the cluster ({slots} worker threads)")
        try:
            self._watch(slots)
        finally:
            self.threads.shutdown(wait=False, cancel_futures=True)
        return [self.plans[i] for i in range(len(self.parts))]

    def _submit(self, slots: int, pending: dict, busy_until: dict) -> None:
        """Keep `slots` parts in flight, small first. A part's limit is set as it is handed over, as in this
        machine's pool: its share by size of the cluster's worker-seconds left among the parts not started,
        so time a finished part did not use goes to the next; never past the deadline (the task also caps
        it by the wall clock)."""
        while self.queue and len(pending) < slots:
            i = self.queue.popleft()
            now = time.monotonic()
            taken = sum(max(0.0, until - now) for until in busy_until.values())
            waiting = sum(self.sizes[j] for j in self.queue) + self.sizes[i]
            limit = _share(self.sizes[i], waiting, self.deadline - TASK_MARGIN_S, slots, taken)
            wall_deadline = time.time() + (self.deadline - TASK_MARGIN_S - now)
            key = f"takt-part-{self.run}-{i}"
            future = self.client.submit(
                plan_on_worker, self.parts[i], limit, wall_deadline, self.warm[i], f"{key}-best", key=key
            )
            future.add_done_callback(lambda _: self.returned.set())
            pending[future], busy_until[future] = i, now + limit
            self.submitted.append(future)

    def _watch(self, slots: int) -> None:
        pending: dict = {}  # future -> part
        busy_until: dict = {}  # future -> when its part's limit ends
        while (self.queue or pending or self.here) and time.monotonic() < self.deadline:
            self._submit(slots, pending, busy_until)
            for future in [f for f in pending if f.done()]:
                i = pending.pop(future)
                busy_until.pop(future)
                self._finished_on_cluster(future, i)
            for future in [f for f in self.here if f.done()]:
                for i, plan in zip(self.here.pop(future), future.result(), strict=True):
                    self.plans[i] = _planned_on(plan, "local (after the cluster failed)")
                self._tell(f"{len(self.plans)} of {len(self.parts)} parts planned")
            if (pending or self.queue) and self._workers_lost():
                log.warning("planner cluster %s has lost its workers: planning the rest here", self.address)
                self._plan_here([*pending.values(), *self.queue])
                pending.clear()
                busy_until.clear()
                self.queue.clear()
            self._wait_for_one()
        self.client.cancel(self.submitted)
        looked_until = time.monotonic() + BEST_SO_FAR_WAIT_S
        for future in list(self.here):  # planning here ends at the same deadline: its plans, just after it
            with contextlib.suppress(Exception):
                plans = future.result(timeout=max(0.01, looked_until - time.monotonic()))
                for i, plan in zip(self.here.pop(future), plans, strict=True):
                    self.plans[i] = _planned_on(plan, "local (after the cluster failed)")
        missing = []
        for future, i in pending.items():  # the deadline: the best plan a worker published, else a first pass
            plan = best_so_far(self.client, f"{future.key}-best", max(0.01, looked_until - time.monotonic()))
            if plan:
                self.plans[i] = _planned_on(plan, f"cluster {self.address} (best so far at the deadline)")
            else:
                missing.append(i)
        self._rescue([*missing, *(i for parts in self.here.values() for i in parts), *self.queue])

    def _rescue(self, indexes: list[int]) -> None:
        """Parts with no plan at the deadline (a task Dask gave to another worker after its first died,
        queued behind that worker's own and started too late to publish a plan): a first pass here,
        smallest first, each its share by size of `RESCUE_S` (what a pass does not reach in it stays
        unconfirmed). CI saw a killed worker's part come back with all 40 orders unconfirmed."""
        until = time.monotonic() + RESCUE_S
        waiting = sorted(indexes, key=self.sizes.__getitem__)
        for n, i in enumerate(waiting):
            left = until - time.monotonic()
            if left < MIN_PART_SECONDS / 2:
                self.plans[i] = self._unplanned(i)
                continue
            log.warning("part %s has no plan at the deadline: a first pass here", i)
            share = left * self.sizes[i] / sum(self.sizes[j] for j in waiting[n:])
            plan = plan_part(self.parts[i], time_limit_s=max(MIN_PART_SECONDS / 2, share))
            self.plans[i] = _planned_on(plan, "local (first pass at the deadline)")

    def _wait_for_one(self) -> None:
        """Until a part comes back (a freed worker gets the next part at once), a moment at most."""
        self.returned.wait(POLL_S)
        self.returned.clear()

    def _finished_on_cluster(self, future, i: int) -> None:
        if future.status == "finished":
            self.plans[i] = future.result()
            self._tell(f"{len(self.plans)} of {len(self.parts)} parts planned")
            return
        error = type(future.exception()).__name__ if future.status == "error" else future.status
        log.warning("part %s failed on the cluster (%s): planning it here", i, error)
        self._plan_here([i])

    def _plan_here(self, indexes: list[int]) -> None:
        """Plan these parts on this machine, beside what the cluster still plans (until the deadline)."""
        parts = [self.parts[i] for i in indexes]
        # done well before the deadline (twice a cluster task's margin): the run waits only a moment for them,
        # and on a loaded machine a part planned here overran its share by seconds (HiGHS, a busy pool) and
        # every part left to this machine came back unplanned
        deadline = self.deadline - 2 * TASK_MARGIN_S
        plan_here = partial(self.local, sizes=[self.sizes[i] for i in indexes], deadline=deadline)
        task = self.threads.submit(plan_here, parts, warm_starts=[self.warm[i] for i in indexes])
        self.here[task] = indexes

    def _workers_lost(self) -> bool:
        """The cluster has had no worker (or no answer) for `WORKERLESS_S`; looked at every few seconds."""
        now = time.monotonic()
        if now - self.checked_at < CHECK_WORKERS_S:
            return False
        self.checked_at = now
        try:
            workers = self.client.scheduler_info()["workers"]
        except (OSError, TimeoutError):
            workers = {}
        if workers:
            self.workerless_since = None
            return False
        self.workerless_since = self.workerless_since or now
        return now - self.workerless_since >= WORKERLESS_S

    def _unplanned(self, i: int) -> dict:
        plan = unplanned(self.parts[i], "not planned: the time limit ran out before this part was planned")
        return _planned_on(plan, "not planned (deadline)")

    def _tell(self, phase: str) -> None:
        if self.progress is None:
            return
        best = [plan["solver"]["objective"] for plan in self.plans.values()]
        self.progress(phase, sum(best) if best else None, parts_done=len(best), parts_total=len(self.parts))


def best_so_far(client, name: str, timeout: float) -> dict | None:
    """The plan a part's task published last to the Dask `Variable` `name` (None if none, or if the task
    returned: it deletes its own), and the variable deleted."""
    from distributed import Variable

    best = Variable(name, client=client)
    try:
        return json.loads(best.get(timeout=timeout))
    except (TimeoutError, OSError):
        return None
    finally:
        with contextlib.suppress(TimeoutError, OSError):
            best.delete()


def plan_on_worker(
    part: dict, limit: float, wall_deadline: float, warm_start: dict | None, best_name: str
) -> dict:
    """On a Dask worker: plan one part, its limit capped by the run's deadline; each better plan is published
    (at most once a second) to the Dask `Variable` `best_name`, what the run falls back on if this task
    does not come back in time."""
    from distributed import Variable, get_worker

    limit = max(MIN_PART_SECONDS, min(limit, wall_deadline - time.time()))
    best = Variable(best_name)
    published = [0.0]

    def publish(plan: dict) -> None:
        # as JSON text: a value a Variable holds goes through msgpack, which hands lists back as tuples (a
        # plan whose lines are tuples reads as one without lines)
        now = time.monotonic()
        if now - published[0] >= PUBLISH_EVERY_S:
            published[0] = now
            best.set(json.dumps(plan))

    plan = plan_part(part, time_limit_s=limit, warm_start=warm_start, better_plan=publish)
    plan["solver"]["planned_on"] = f"cluster {get_worker().address}"
    with contextlib.suppress(TimeoutError, OSError):  # returned: nobody falls back on it now
        best.delete()
    return plan
