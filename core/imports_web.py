"""The master-data pages: each importable kind listed, exported (CSV, xlsx) and imported from a file —
checked first (a dry run: every refused row with its field and reason, nothing changed), then applied
all or nothing. The same `core.imports.run_import` as `POST /api/v1/imports/<kind>`."""

from itertools import islice

from flask import redirect, render_template, request, url_for
from sqlalchemy import func, select

from core.auth import current_principal, require_roles
from core.db import db
from core.errors import DomainError
from core.imports import ImportRefused, export_rows, get_importer, importers, run_import
from core.imports_api import check_may_import, export_response, uploaded_table
from core.pages import page_blueprint, page_write, refusal

data = page_blueprint("data", __name__, url_prefix="/data")
read = require_roles(sessions=True)
SHOWN = 50


@data.get("/")
@read
def kinds():
    principal = current_principal()
    listed = [(i, principal.has_any(i.editors)) for i in importers().values()]
    return render_template("data.html", listed=listed)


def _page(kind: str, status: int = 200, **shown):
    importer = get_importer(kind)
    total = db.session.scalar(select(func.count()).select_from(importer.rows().order_by(None).subquery()))
    rows = list(islice(export_rows(importer), SHOWN))
    may_import = current_principal().has_any(importer.editors)
    page = render_template(
        "data_kind.html", importer=importer, rows=rows, total=total, may_import=may_import, **shown
    )
    return page, status


@data.get("/<kind>")
@read
def records(kind: str):
    """The first records, the export links and the import form."""
    done = {k: request.args.get(k, type=int) for k in ("created", "updated")}
    return _page(kind, imported=done if done["created"] is not None else None)


@data.get("/<kind>/export.<fmt>")
@read
def export(kind: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        return render_template("error.html", title="Not found", message=f"no export as {fmt}"), 404
    return export_response(kind, fmt)


@data.post("/<kind>/check")
@read
def check(kind: str):
    """The dry run (htmx swaps its report under the form): every refused row, nothing changed."""
    importer = get_importer(kind)
    try:
        check_may_import(importer)
        report = run_import(importer, uploaded_table(importer), dry_run=True)
    except DomainError as error:
        failed = refusal(error)[0]
        return render_template("_import_report.html", importer=importer, failed=failed), error.status
    finally:
        db.session.rollback()
    return render_template("_import_report.html", importer=importer, report=report)


def _refused(error, status):
    kind = request.view_args["kind"]
    report = error.details.get("report") if isinstance(error, ImportRefused) else None
    return _page(kind, status, report=report, failed=None if report else refusal(error)[0])


@data.post("/<kind>/import")
@read
@page_write(_refused)
def apply(kind: str):
    """Apply the file, all or nothing; 303 to the list saying what was created and updated."""
    importer = get_importer(kind)
    check_may_import(importer)
    report = run_import(importer, uploaded_table(importer), dry_run=False)
    return redirect(
        url_for("data.records", kind=kind, created=report["created"], updated=report["updated"]), 303
    )
