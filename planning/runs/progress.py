"""A running run's progress, kept in the executing process and written to its row about once a second.

The solver reports when it has news (`progress(phase, best_cost, bound=..., parts_done=..., parts_total=...)`)
and may go a long while without any (inside one long model solve, or while worker processes plan the
parts). So the callback only records the news in memory, and a heartbeat thread writes the latest state
with the elapsed time to the run's row every second, on a connection of its own in autocommit: one short
`UPDATE` each time, so it holds no lock between beats. Its writes are guarded by `status = 'running'`: once
the run is finished (the final progress is written with the new status, in the same transaction) a late
beat changes nothing. On SQLite a beat waits (busy timeout) while the executing session holds the write
lock (building the snapshot, publishing) and goes through as soon as it is released; a beat that fails is
logged and the next one tries again.
"""

import logging
import threading
import time

from sqlalchemy import update
from sqlalchemy.engine import Engine

from planning.runs.models import PlanningRun

log = logging.getLogger(__name__)
EVERY_S = 1.0


class LiveProgress:
    """Phase, best cost, bound and parts of a run, with its elapsed seconds; `beating()` writes them."""

    def __init__(self, engine: Engine, run_id: int, *, phase: str = "snapshot", every_s: float = EVERY_S):
        self.engine, self.run_id, self.every_s = engine, run_id, every_s
        self.started = time.monotonic()
        self._state: dict = {"phase": phase}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def set(self, phase: str, **values) -> None:
        """A new phase; the values given replace the ones kept (a value of None removes it)."""
        with self._lock:
            merged = {**self._state, "phase": phase, **values}
            self._state = {k: v for k, v in merged.items() if v is not None}

    def report(self, phase: str, best_cost: float | None = None, **details) -> None:
        """The solver's callback: what it says replaces what was kept, what it leaves out stays (a best
        cost of None is no news)."""
        self.set(phase, **details, **({} if best_cost is None else {"best_cost": best_cost}))

    def current(self) -> dict:
        with self._lock:
            return {**self._state, "elapsed_s": self.elapsed()}

    def write(self) -> bool:
        """Write the current state to the row if the run is still running; whether a row was changed."""
        with self.engine.connect() as connection:
            result = connection.execute(
                update(PlanningRun)
                .where(PlanningRun.id == self.run_id, PlanningRun.status == "running")
                .values(progress=self.current())
            )
            connection.commit()
            return result.rowcount > 0

    def start(self) -> "LiveProgress":
        self._thread = threading.Thread(target=self._beat, name=f"run-{self.run_id}-progress", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating (a beat in flight finishes or is left to fail: a finished run is not written)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5 * self.every_s)

    def __enter__(self) -> "LiveProgress":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _beat(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                if not self.write():
                    return  # the run is no longer running
            except Exception:
                log.warning("progress of run %s not written this second", self.run_id, exc_info=True)
