"""Lists in the workspace, paged, searched, sorted and filtered in the database: one helper for every table.

A page reads its table's state from the query string (`page`, `per`, `q`, `sort`, with `-` for descending,
and the page's own filters), asks the database for one page of rows and the count of the filtered set,
and links to the other pages and sort orders by rewriting the same query string. Two tables on one page
keep their states apart with a prefix (`transfers.page=2`). The CSV of a list is the whole filtered set,
in the same order, streamed from the database in batches.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import Response, request, stream_with_context, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.sql.elements import ColumnElement

from core.db import db, search_words
from core.fields import api_name
from core.formats import iso
from core.tables import safe_cell

PER_PAGE = 50
MAX_PER_PAGE = 200
STREAM_BATCH = 1000


@dataclass
class Listing:
    """One page of a list and what it takes to link to the others."""

    rows: list
    total: int
    page: int
    per: int
    sort: str
    q: str
    prefix: str = ""
    filters: dict = field(default_factory=dict)
    sortable: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per))

    @property
    def first(self) -> int:
        return min(self.total, (self.page - 1) * self.per + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per)

    def arg(self, name: str) -> str:
        return self.prefix + name

    def url(self, **changes) -> str:
        """This page's URL with some of this table's arguments changed (None drops one)."""
        args = request.args.to_dict()
        for name, value in changes.items():
            key = self.prefix + name
            if value is None or value == "":
                args.pop(key, None)
            else:
                args[key] = value
        if "page" not in changes and any(name != "page" for name in changes):
            args.pop(self.prefix + "page", None)  # a new search, sort or filter starts on page 1
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def sort_url(self, key: str) -> str:
        """Sort by `key`, ascending first, descending when it is already ascending."""
        return self.url(sort=f"-{key}" if self.sort == key else key)

    def sorted_by(self, key: str) -> str:
        """`asc`, `desc` or "" for a header's arrow."""
        return "asc" if self.sort == key else "desc" if self.sort == f"-{key}" else ""

    def hidden_args(self, *own: str) -> list[tuple[str, str]]:
        """The query string's other arguments, kept as hidden fields by a search or filter form."""
        mine = {self.prefix + name for name in (*own, "page", "q")}
        return [(key, value) for key, value in request.args.items() if key not in mine]


def arg(name: str, prefix: str = "") -> str:
    return (request.args.get(prefix + name) or "").strip()


def ordered(stmt: Select, sorts: dict[str, ColumnElement], sort: str, tiebreak: ColumnElement) -> Select:
    """`stmt` ordered by the sort key (`-key`: descending), then by `tiebreak` so pages never overlap."""
    column = sorts[sort.lstrip("-")]
    descending = sort.startswith("-")
    first = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return stmt.order_by(None).order_by(first, tiebreak.desc() if descending else tiebreak.asc())


def chosen_sort(sorts: dict, default: str, prefix: str = "") -> str:
    sort = arg("sort", prefix)
    return sort if sort.lstrip("-") in sorts else default


def page_of(
    stmt: Select,
    *,
    sorts: dict[str, ColumnElement],
    default: str,
    tiebreak: ColumnElement,
    search: Sequence[ColumnElement] = (),
    prefix: str = "",
    filters: dict | None = None,
    entities: bool = True,
    per: int = PER_PAGE,
) -> Listing:
    """One page of `stmt` as the query string asks (page, per, q, sort), with the filtered set's count."""
    q = arg("q", prefix)
    stmt = search_words(stmt, search, q)
    keys = stmt.with_only_columns(tiebreak).order_by(None)  # joins nothing filters or sorts by drop out
    total = db.session.scalar(select(func.count()).select_from(keys.subquery()))
    per = min(MAX_PER_PAGE, max(1, _int(arg("per", prefix), per)))
    pages = max(1, -(-total // per))
    page = min(pages, max(1, _int(arg("page", prefix), 1)))
    sort = chosen_sort(sorts, default, prefix)
    # the page's keys first (an index walk), then its rows: what they show is worked out for them alone
    ids = list(db.session.scalars(ordered(keys, sorts, sort, tiebreak).limit(per).offset((page - 1) * per)))
    result = db.session.execute(ordered(stmt, sorts, sort, tiebreak).where(tiebreak.in_(ids)))
    rows = list(result.unique().scalars()) if entities else list(result.mappings())
    return Listing(rows, total, page, per, sort, q, prefix, filters or {}, tuple(sorts))


def _int(text: str, default: int) -> int:
    return int(text) if text.isdigit() and len(text) < 9 else default


def cell(value) -> str:
    """A CSV cell: times in ISO 8601 UTC, text that a spreadsheet would run as a formula escaped."""
    if isinstance(value, datetime):
        return iso(value)
    if value is None:
        return ""
    # (a text a spreadsheet would run as a formula is escaped; numbers, a negative quantity, stay numbers)
    return str(safe_cell(value))


def csv_response(filename: str, header: Sequence[str], rows: Callable[[], Iterable[Sequence]]) -> Response:
    """A streamed CSV download: `rows()` is read lazily, one batch of lines sent at a time; the header in the
    API's names (`quantity`, never `qty`)."""

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([api_name(key) for key in header])
        for i, row in enumerate(rows(), 1):
            writer.writerow([cell(v) for v in (row.values() if hasattr(row, "values") else row)])
            if i % STREAM_BATCH == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def streamed(stmt: Select, *, entities: bool = True) -> Iterable:
    """Every row of `stmt`, fetched from the database in batches (never the whole set in memory)."""
    result = db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH))
    return result.scalars() if entities else result.mappings()
