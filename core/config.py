"""Configuration: defaults here, then `SCM_*` environment variables, then the test dict."""

import os

DEFAULTS = {
    # signs browser sessions: no default, the web service and the scheduler refuse to start without one
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file under the instance folder
    # test each pooled connection before use, so a database restart costs no failed request
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "API_TITLE": "takt",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",  # served from the swagger-ui-bundle package
    "API_SPEC_OPTIONS": {
        "info": {"description": "takt: stock ledger, master data and two-hourly supply planning."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
    "METRICS_TOKEN": None,  # /metrics takes "Authorization: Bearer <token>"; unset: nobody reads it
    "MAX_PAGE_SIZE": 1000,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # any request body, chunked ones included (413 beyond)
    "SQLITE_BUSY_TIMEOUT_MS": 30000,
    "COUNT_CSV_MAX_BYTES": 2 * 1024 * 1024,  # a stock count upload (413 beyond)
    "COUNT_CSV_MAX_ROWS": 5000,  # rows of one count: all are posted in one transaction (413 beyond)
    # the scheduler checkpoints every balance once this many ledger entries came since the last checkpoint
    # (stock as of an instant reads at most about this many entries), looking every so many seconds
    "STOCK_CHECKPOINT_EVERY_ENTRIES": 50_000,
    "STOCK_CHECKPOINT_POLL_SECONDS": 300,
    # a count uploaded as a job (POST /counts/jobs): applied in chunks, one transaction each
    "COUNT_JOB_MAX_BYTES": 16 * 1024 * 1024,
    "COUNT_JOB_MAX_ROWS": 500_000,
    "COUNT_JOB_CHUNK_ROWS": 5000,
    "COUNT_JOBS_INLINE": False,  # run a job in its request after the commit (tests), not in a thread
    # a master-data or order import (CSV or xlsx): checked and applied in one transaction (413 beyond)
    "IMPORT_MAX_BYTES": 8 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 5000,  # one request: 12-60 s on a loaded 2-core machine (import_bench.py)
    "PO_OVER_RECEIPT_TOLERANCE": 0.0,  # fraction of a PO line that may be received beyond it
    "PLANNING_INTERVAL_MINUTES": 120,
    "PLANNING_RUN_BUDGET_SECONDS": 600,
    "PLANNING_SIMULATE_MAX_BYTES": 5_000_000,
    "PLANNING_SIMULATIONS_PER_USER": 3,  # what-ifs a user may have queued or running at once (429 beyond)
    "PLANNING_QUEUE_POLL_SECONDS": 5,
    # a stopped scheduler waits this long for a job still working (a run publishing) before it leaves it
    "SCHEDULER_STOP_GRACE_SECONDS": 10,
    "WEBHOOK_MAX_ATTEMPTS": 25,  # with backoff capped at an hour: about a day of retries
    "WEBHOOK_TIMEOUT_SECONDS": 5,
    "WEBHOOK_POLL_SECONDS": 5,
    # webhooks to private, loopback or link-local addresses (an internal receiver): off, a guard against SSRF
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
    "SESSION_COOKIE_HTTPONLY": True,  # browser sessions are for the planner's pages
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,  # sent over HTTPS only; `make run`'s plain-http demo turns it off
    "WTF_CSRF_CHECK_DEFAULT": False,  # CSRF is checked on the pages only (planning/web), never on the API
    # failed sign-ins allowed per account and per client address (flask-limiter syntax), then 429
    "SIGN_IN_LIMIT_PER_ACCOUNT": "5 per minute;20 per hour",
    "SIGN_IN_LIMIT_PER_ADDRESS": "20 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; share a store (redis://...) across instances
    "TRUSTED_PROXY_HOPS": 0,  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    # import path of solve(snapshot, *, time_limit_s, progress, warm_start)
    "PLANNING_SOLVER": "planning.solver:solve",
    # where the default solver plans its parts: "" (this machine's worker processes), "inline", or a Dask
    # scheduler's address (tcp://host:8786; needs the `cluster` extra, else planned here)
    "PLANNER_CLUSTER": "",
}


SECRET_KEY_MIN_LENGTH = 32
KNOWN_WEAK_KEYS = {"dev-only-change-me", "dev", "secret", "changeme", "change-me"}


class MissingSecretKey(RuntimeError):
    """The process would serve or schedule without a real `SCM_SECRET_KEY`."""


def require_secret_key(config) -> None:
    """Refuse to go on without a real secret key (it signs the browser sessions); say how to set one."""
    key = config.get("SECRET_KEY")
    # (an all-digit key would be read from the environment as a number, which cannot sign)
    if isinstance(key, str) and len(key) >= SECRET_KEY_MIN_LENGTH and key not in KNOWN_WEAK_KEYS:
        return
    raise MissingSecretKey(
        f"SCM_SECRET_KEY is not set or too weak (at least {SECRET_KEY_MIN_LENGTH} characters, not all "
        "digits): it signs browser sessions, and with a known key anyone could sign in as anyone. Set the "
        "same random key for every web instance and the scheduler, e.g. "
        "export SCM_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
    )


def normalise_database_url(url: str) -> str:
    """Make a PostgreSQL URL use the psycopg 3 driver; leave others unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(app, test_config: dict | None) -> None:
    """Fill `app.config` from defaults, the environment and `test_config`, in that order."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("SCM")
    if test_config:
        app.config.from_mapping(test_config)
    url = app.config["DATABASE_URL"]
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "takt.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
