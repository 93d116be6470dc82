"""Structured JSON logs (structlog over the standard library) and Prometheus metrics.

`/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (`SCM_METRICS_TOKEN`); without that
setting the web service serves no metrics to anyone (403). Under gunicorn set `PROMETHEUS_MULTIPROC_DIR`
(gunicorn.conf.py does) so that `/metrics` adds up every worker; the scheduler process serves its own
metrics on 127.0.0.1 (`flask schedules run --metrics-port`).
"""

import hmac
import logging
import os
import sys
import uuid

import structlog
from flask import current_app, g, request
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics


def configure_logging(level: str = "INFO", stream=None) -> None:
    """Every log line is one JSON object; context bound with structlog.contextvars is included."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def register_observability(app) -> None:
    if not app.testing:
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_bind_request_context)
    app.teardown_request(_unbind_request_context)
    if app.config.get("METRICS_ENABLED", True):
        _register_metrics(app)


def _bind_request_context() -> None:
    g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id, path=request.path, method=request.method)


def _unbind_request_context(_error: BaseException | None = None) -> None:
    """The request's fields leave the thread's log context with the request (else the thread's next logs,
    outside any request, carry them)."""
    structlog.contextvars.clear_contextvars()


def _require_metrics_token() -> None:
    """Guard `/metrics`: the request must carry the configured token (none configured: nobody may read)."""
    if request.path != "/metrics":
        return
    from core.auth import Unauthorized
    from core.errors import Forbidden

    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        raise Forbidden("metrics are off: set SCM_METRICS_TOKEN, then send 'Authorization: Bearer <token>'")
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), str(expected).encode()):
        raise Unauthorized("/metrics takes 'Authorization: Bearer <SCM_METRICS_TOKEN>'")


def _register_metrics(app) -> None:
    app.before_request(_require_metrics_token)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        GunicornInternalPrometheusMetrics(app, path="/metrics", group_by="url_rule")
    else:
        PrometheusMetrics(
            app, path="/metrics", registry=CollectorRegistry(auto_describe=True), group_by="url_rule"
        )
