"""The scheduler's log: a job that found nothing to do logs at DEBUG only; one that did work, at INFO."""

import logging

from schedules.cli import _in_context, did_work


def test_a_job_with_nothing_to_do_logs_nothing_at_info(app, caplog):
    caplog.set_level(logging.DEBUG, logger="schedules.cli")
    for idle in ([], None, {"delivered": 0, "retrying": 0, "failed": 0}):
        _in_context(app, lambda idle=idle: idle)()
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert len([r for r in caplog.records if r.levelno == logging.DEBUG]) == 3


def test_a_job_that_did_work_logs_it_at_info_with_its_result(app, caplog):
    caplog.set_level(logging.INFO, logger="schedules.cli")

    def deliver_webhooks():
        return {"delivered": 2, "retrying": 0, "failed": 0}

    _in_context(app, deliver_webhooks)()
    (record,) = caplog.records
    assert record.levelno == logging.INFO and "deliver_webhooks" in record.getMessage()
    assert record.result == {"delivered": 2, "retrying": 0, "failed": 0}


def test_what_counts_as_work():
    assert did_work([object()]) and did_work({"failed": 1}) and did_work(object())
    assert not did_work([]) and not did_work(None) and not did_work({"delivered": 0})
