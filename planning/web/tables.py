"""The plan's tables as rows of plain values, shared by the pages and their CSV downloads."""

import csv
import io
from datetime import datetime

from core.formats import iso
from planning.runs.models import PlanningRun
from planning.runs.proposals import KINDS as PROPOSALS

TABS = ("confirmations", "procurement", "production", "distribution")

COLUMNS = {
    "confirmations": [
        ("order", "Order"),
        ("status", "Status"),
        ("promised_at", "Promised"),
        ("reason", "Waits for"),
        ("deliveries", "Deliveries"),
        ("explanation", "Explanation"),
    ],
} | {name: list(kind.columns) for name, kind in PROPOSALS.items()}
TAB_TABLES = {
    "confirmations": ("confirmations",),
    "procurement": ("purchases",),
    "production": ("productions",),
    "distribution": ("transfers", "deliveries"),
}


def _row(obj, kind: str) -> dict:
    return {key: getattr(obj, key, None) for key, _ in COLUMNS[kind]}


def table_rows(run: PlanningRun, kind: str) -> list[dict]:
    """The rows of one table of a run's plan."""
    if kind == "confirmations":
        return [
            {
                "order": c.order_number,
                "status": c.status,
                "promised_at": c.promised_at,
                "reason": c.reason,
                "deliveries": len(c.deliveries),
                "explanation": c.explanation,
            }
            for c in run.confirmations
        ]
    if PROPOSALS[kind].by_order:  # a delivery's ref is its order's number
        return [{**_row(d, kind), "ref": c.order_number} for c in run.confirmations for d in c.deliveries]
    return [_row(p, kind) for p in getattr(run, kind)]


# A spreadsheet runs a text cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if isinstance(value, datetime):
        return iso(value)
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text  # shown as text, never evaluated; numbers (a negative quantity) stay numbers
    return text


def table_csv(run: PlanningRun, tab: str) -> str:
    """A tab's tables as CSV (the distribution tab's transfers and deliveries with a `kind` column)."""
    out = io.StringIO()
    writer = csv.writer(out)
    kinds = TAB_TABLES[tab]
    keys = list(dict.fromkeys(key for kind in kinds for key, _ in COLUMNS[kind]))
    writer.writerow((["kind"] if len(kinds) > 1 else []) + keys)
    for kind in kinds:
        for row in table_rows(run, kind):
            writer.writerow(([kind] if len(kinds) > 1 else []) + [_cell(row.get(key)) for key in keys])
    return out.getvalue()
