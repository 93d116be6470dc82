"""Count jobs at the service level: a job whose process stopped resumes from its next chunk."""

from datetime import timedelta

from core.db import utcnow
from inventory import count_jobs
from inventory.models import StockCountJob
from tests.factories import balance_of, post, stock_at


def test_a_stalled_job_resumes_from_its_next_chunk_without_applying_a_chunk_twice(session, user_id):
    for n in range(1, 6):
        stock_at(f"SKU-{n}", "WH-1", 10, user_id=user_id)
    text = "sku,location,counted\n" + "".join(f"SKU-{n},WH-1,{n}\n" for n in range(1, 6))
    job = count_jobs.create_count_job(text, file_name="c.csv", user_id=user_id, max_rows=10, chunk_rows=2)
    # its process recorded the first chunk (SKU-1, SKU-2) as applied and stopped; SKU-1 moved on since
    post("count", "SKU-1", 1, user_id=user_id, location="WH-1")
    post("receipt", "SKU-1", 4, user_id=user_id, location="WH-1")
    job.status, job.rows_applied, job.updated_at = "running", 2, utcnow() - timedelta(minutes=10)
    session.flush()
    assert count_jobs.resume_stalled_count_jobs() == [job.id]
    job = session.get(StockCountJob, job.id)
    assert (job.status, job.rows_applied, job.content) == ("done", 5, None)
    assert [balance_of(f"SKU-{n}", "WH-1").on_hand for n in range(1, 6)] == [5, 10, 3, 4, 5]


def test_a_job_another_process_is_running_is_left_to_it(session, user_id):
    stock_at("SKU-1", "WH-1", 10, user_id=user_id)
    job = count_jobs.create_count_job(
        "sku,location,counted\nSKU-1,WH-1,1\n", file_name="c.csv", user_id=user_id, max_rows=10, chunk_rows=2
    )
    job.status, job.updated_at = "running", utcnow()
    session.flush()
    assert count_jobs.resume_stalled_count_jobs() == []
    assert count_jobs.run_count_job(job.id) is None
    assert balance_of("SKU-1", "WH-1").on_hand == 10
