"""Log lines are JSON objects carrying the context bound for the current run or request."""

import io
import json
import logging

import structlog

from core.observability import configure_logging


def test_a_log_line_is_json_with_the_bound_run_id():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", stream=stream)
        with structlog.contextvars.bound_contextvars(run_id=42):
            logging.getLogger("planning.runs.service").info("planning run started")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["event"] == "planning run started"
    assert line["run_id"] == 42 and line["level"] == "info"
