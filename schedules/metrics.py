"""The scheduler's own Prometheus metrics, served by the scheduler process."""

from prometheus_client import Gauge, Histogram, start_http_server

LAST_SUCCESS = Gauge("takt_planning_last_success_timestamp_seconds", "When the last planning run succeeded")
RUN_DURATION = Histogram(
    "takt_planning_run_duration_seconds",
    "Planning run duration",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200),
)
ORDERS_PLANNED = Gauge("takt_planning_orders_planned", "Orders planned by the last successful run")
ON_TIME_RATE = Gauge("takt_planning_on_time_rate", "Share of planned orders promised on time (last run)")
RUNS = Gauge("takt_planning_runs_finished", "Runs finished by this scheduler process", ["status"])


def observe_run(run) -> None:
    """Record a finished run."""
    RUNS.labels(status=run.status).inc()
    if run.seconds is not None:
        RUN_DURATION.observe(run.seconds)
    if run.status == "succeeded":
        LAST_SUCCESS.set(run.finished_at.timestamp())
        kpis = run.kpis or {}
        orders = kpis.get("orders") or 0
        ORDERS_PLANNED.set(orders)
        ON_TIME_RATE.set((kpis.get("on_time") or 0) / orders if orders else 1.0)


def serve(port: int) -> None:
    start_http_server(port, addr="127.0.0.1")
