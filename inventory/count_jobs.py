"""Large stock counts as jobs: a CSV of `sku,location,counted` stored at once, then applied in chunks.

`create_count_job` checks the file's shape (UTF-8, header, at most `max_rows` rows), stores it and
returns the job (202 over HTTP, the client polls it). `run_count_job` then checks every row against
the master data in bulk (one query for all skus, one for all locations): any refused row refuses the
whole count before anything moves, every refused row named with its reasons. Otherwise it posts the
counts chunk by chunk through `service.post_movements`: each chunk is one transaction that locks only
its own balances, so no lock is held longer than one chunk, and moves the job's progress
(`rows_applied`) in that same transaction. A chunk that cannot be applied (an item deactivated
meanwhile) rolls back whole and ends the job `failed`, the chunks before it applied. A job whose
process stopped resumes from its next chunk (`resume_stalled_count_jobs`, run by the scheduler).

Jobs run in one background thread of the web process that took the upload; with `COUNT_JOBS_INLINE`
(the tests) they run in the request, after its commit.
"""

import csv
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update

from core.db import db, utcnow
from core.errors import DomainError, Invalid
from inventory import service
from inventory.models import Item, Location, StockCountJob

log = logging.getLogger(__name__)
COLUMNS = ("sku", "location", "counted")
REPORTED_ROWS = 1000  # refused rows named in a job's report (all are counted)
STALLED_AFTER = timedelta(minutes=5)  # a running job without progress this long is resumed


def reference(job: StockCountJob) -> str:
    """The reference its movements carry in the ledger (`GET /ledger?reference=...`)."""
    return f"count-job-{job.id}"


def create_count_job(
    text: str, *, file_name: str, user_id: int, max_rows: int, chunk_rows: int, reason: str = "stock count"
) -> StockCountJob:
    """Store a count to apply in chunks of `chunk_rows` rows; 422 on a file that is not a count CSV,
    413 beyond `max_rows` rows."""
    reader = _reader(text)
    rows_total = sum(1 for _ in service._count_rows(reader, max_rows))
    if not rows_total:
        raise Invalid("file", "no rows")
    job = StockCountJob(
        file_name=file_name[:200],
        content=text,
        reason=reason,
        rows_total=rows_total,
        chunk_rows=chunk_rows,
        created_by_id=user_id,
    )
    db.session.add(job)
    db.session.flush()
    return job


def start_count_job(job_id: int) -> None:
    """Run a stored job: in this process's background thread (or here and now with `COUNT_JOBS_INLINE`)."""
    app = current_app._get_current_object()
    if app.config["COUNT_JOBS_INLINE"]:
        run_count_job(job_id)
        return
    runner = app.extensions.setdefault(
        "takt_count_jobs", ThreadPoolExecutor(max_workers=1, thread_name_prefix="count-job")
    )
    runner.submit(_run_in_app_context, app, job_id)


def run_count_job(job_id: int) -> StockCountJob | None:
    """Check and apply a job, committing once per chunk; None if another process runs it."""
    if not _claim(job_id):
        return None
    job = db.session.get(StockCountJob, job_id)
    rows = list(service._count_rows(_reader(job.content), job.rows_total))
    specs, refused = _checked(rows, reason=job.reason, reference=reference(job))
    if refused:
        return _finish(job, "refused", refused=refused)
    for start in range(job.rows_applied, len(specs), job.chunk_rows):
        chunk = specs[start : start + job.chunk_rows]
        try:
            service.post_movements(chunk, user_id=job.created_by_id)
        except DomainError as error:
            db.session.rollback()
            first, last = rows[start][0], rows[start + len(chunk) - 1][0]
            message = f"rows {first}-{last} not applied: {error.message}"
            return _finish(job, "failed", error=f"{message}; the {job.rows_applied} rows before them were")
        job.rows_applied += len(chunk)
        job.updated_at = utcnow()
        db.session.commit()
    return _finish(job, "done")


def resume_stalled_count_jobs() -> list[int]:
    """Run the jobs no process is running: queued a while ago, or running without progress for long."""
    stalled = utcnow() - STALLED_AFTER
    stmt = select(StockCountJob.id).where(
        or_(StockCountJob.status == "queued", StockCountJob.status == "running"),
        StockCountJob.updated_at < stalled,
    )
    resumed = [job_id for job_id in db.session.scalars(stmt).all() if run_count_job(job_id)]
    return resumed


def _reader(text: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = set(COLUMNS) - set(reader.fieldnames or ())
    except csv.Error as e:
        raise Invalid("file", f"row 1: {e}") from e
    if missing:
        raise Invalid(
            "file", f"CSV header must name sku, location, counted; missing {', '.join(sorted(missing))}"
        )
    return reader


def _claim(job_id: int) -> bool:
    """Mark the job running, unless another process is running it (progress within `STALLED_AFTER`)."""
    now = utcnow()
    claim = (
        update(StockCountJob)
        .where(
            StockCountJob.id == job_id,
            or_(
                StockCountJob.status == "queued",
                (StockCountJob.status == "running") & (StockCountJob.updated_at < now - STALLED_AFTER),
            ),
        )
        .values(status="running", started_at=now, updated_at=now)
    )
    claimed = db.session.execute(claim).rowcount == 1
    db.session.commit()
    return claimed


def _checked(rows: list[tuple[int, dict]], *, reason: str, reference: str) -> tuple[list[dict], dict]:
    """The rows as count movements, and the refused ones: {"row N": [reasons]} (all rows checked)."""
    active = dict(db.session.execute(select(Item.sku, Item.active)).all())
    locations = set(db.session.scalars(select(Location.code)))
    specs, refused = [], {}
    for row_number, row in rows:
        problems = _problems(row, active, locations)
        if problems:
            refused[f"row {row_number}"] = problems
            continue
        specs.append(
            {
                "kind": "count",
                "sku": row["sku"].strip(),
                "location": row["location"].strip(),
                "quantity": Decimal(row["counted"].strip()),
                "reason": reason,
                "reference_type": "count",
                "reference": reference,
            }
        )
    return specs, refused


def _problems(row: dict, active: dict[str, bool], locations: set[str]) -> list[str]:
    if any(service.NUL in value for value in row.values() if isinstance(value, str)):
        return ["must not contain a NUL character"]
    sku, location, counted = ((row.get(k) or "").strip() for k in COLUMNS)
    problems = []
    if sku not in active:
        problems.append(f"unknown sku {sku!r}")
    elif not active[sku]:
        problems.append(f"item {sku} is inactive: its stock does not move (reactivate it first)")
    if location not in locations:
        problems.append(f"unknown location {location!r}")
    problem = service._counted_problem(counted)
    return [*problems, problem] if problem else problems


def _finish(job: StockCountJob, status: str, *, refused: dict | None = None, error: str | None = None):
    job.status, job.error = status, error
    if refused:
        job.refused_rows = len(refused)
        job.refused = dict(list(refused.items())[:REPORTED_ROWS])
    job.content = None  # the file is kept only while the job may still resume
    job.updated_at = job.finished_at = utcnow()
    db.session.commit()
    log.info("count job %s %s: %s of %s rows applied", job.id, status, job.rows_applied, job.rows_total)
    return job


def _run_in_app_context(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_count_job(job_id)
        except Exception:
            log.exception("count job %s stopped; the scheduler resumes it", job_id)
        finally:
            db.session.remove()
