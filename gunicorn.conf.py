"""gunicorn settings for takt: `gunicorn -c gunicorn.conf.py wsgi:app`. Override with GUNICORN_* env vars.

Without a real `SCM_SECRET_KEY` the workers refuse to boot, and gunicorn stops.
Metrics: every worker writes to PROMETHEUS_MULTIPROC_DIR and `/metrics` adds them up; the
directory is emptied at start and a dead worker's files are marked dead.
"""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(b)s", "ms": %(M)s}'
preload_app = False

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "takt-prometheus"))


def on_starting(server):
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def post_worker_init(worker):
    """Refuse to serve without a real SCM_SECRET_KEY (the error says how to set one)."""
    from core.config import require_secret_key

    require_secret_key(worker.wsgi.config)


def child_exit(server, worker):
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
