"""Imports and exports over HTTP: `POST /imports/<kind>` (CSV or xlsx; `dry_run` checks only) and
`GET /exports/<kind>` (CSV or xlsx), for every kind a domain declares (`core.imports.Importer`)."""

from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api import Blueprint
from core.auth import RoleRequired, current_principal
from core.errors import Invalid
from core.guards import body_limit
from core.imports import export_rows, get_importer, importers, run_import
from core.tables import CSV, XLSX, csv_lines, read_rows, xlsx_bytes

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1",
    description="Master data and orders in and out as CSV or Excel (.xlsx): check, apply all or none, export",
)

UPLOAD = {
    "required": True,
    "description": "the file: as a multipart field `file`, or as the whole body: `text/csv`, or an .xlsx "
    f"workbook as `{XLSX}`. The first row names the columns as the API names the fields (`GET /imports` "
    "lists them); each row below is one record (an order: one row per line).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        CSV: {"schema": {"type": "string"}},
    },
}


class ImportArgsSchema(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "check every row and report, change nothing"}
    )


class RowErrorSchema(Schema):
    row = fields.Integer(
        required=True, metadata={"description": "as a spreadsheet numbers it (2: first under the header)"}
    )
    field = fields.String(required=True, metadata={"description": "the column (empty: the row as a whole)"})
    reason = fields.String(required=True)


class ImportReportSchema(Schema):
    dry_run = fields.Boolean(required=True)
    applied = fields.Boolean(required=True, metadata={"description": "true: every record was saved"})
    rows = fields.Integer(required=True)
    records = fields.Integer(
        required=True, metadata={"description": "records in the rows (an order: its lines' rows)"}
    )
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)


class ImportKindSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    key = fields.List(fields.String(), required=True)
    editors = fields.List(fields.String(), required=True)


class ExportArgsSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


def check_may_import(importer) -> None:
    if not current_principal().has_any(importer.editors):
        raise RoleRequired(f"importing {importer.name} requires role {' or '.join(importer.editors)}")


def uploaded_table(importer) -> list[dict]:
    """The posted file's rows (multipart `file`, or the body itself)."""
    upload = request.files.get("file")
    if upload is not None:
        content, name, mimetype = upload.read(), upload.filename or "", upload.mimetype
    elif request.mimetype in (CSV, XLSX, "application/octet-stream", "text/plain"):
        content, name, mimetype = request.get_data(), "", request.mimetype
    else:
        raise Invalid("file", f"send the file as a multipart field 'file' or as a {CSV} or xlsx body")
    return read_rows(content, name=name, mimetype=mimetype, max_rows=current_app.config["IMPORT_MAX_ROWS"])


@blp.route("/imports")
class ImportKinds(MethodView):
    @blp.requires()
    @blp.response(200, ImportKindSchema(many=True))
    def get(self):
        """What can be imported and exported, with each file's columns."""
        return [
            {
                "name": i.name,
                "title": i.title,
                "columns": i.columns,
                "key": list(i.key),
                "editors": list(i.editors),
            }
            for i in importers().values()
        ]


@blp.route("/imports/<kind>")
class Import(MethodView):
    @blp.requires()
    @blp.writes(idempotent=True)
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.doc(requestBody=UPLOAD)
    @blp.response(200, ImportReportSchema)
    @blp.errors(404, 413, 422)
    @body_limit("IMPORT_MAX_BYTES")
    def post(self, args, kind):
        """Import a CSV or xlsx file: every row is checked as the API checks a request, then all are saved
        or none. `dry_run=true` reports each refused row (row, field, reason) and changes nothing; without
        it a refused row refuses the file (422 listing every row in `rows`)."""
        importer = get_importer(kind)
        check_may_import(importer)
        return run_import(importer, uploaded_table(importer), dry_run=args["dry_run"])


@blp.route("/exports/<kind>")
class Export(MethodView):
    @blp.requires()
    @blp.arguments(ExportArgsSchema, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv")
    @blp.alt_response(200, success=True, content_type=XLSX, schema={"type": "string", "format": "binary"})
    @blp.errors(404)
    def get(self, args, kind):
        """Every record as a file with the import's columns (re-importable as it is)."""
        return export_response(kind, args["format"])


def export_response(kind: str, fmt: str) -> Response:
    """The export of `kind` as a download: CSV streamed, xlsx built whole."""
    importer = get_importer(kind)
    columns = importer.columns
    disposition = {"Content-Disposition": f'attachment; filename="{importer.name}.{fmt}"'}
    if fmt == "xlsx":
        body = xlsx_bytes(columns, export_rows(importer), title=importer.title)
        return Response(body, mimetype=XLSX, headers=disposition)
    lines = stream_with_context(csv_lines(columns, export_rows(importer)))
    return Response(lines, mimetype=CSV, headers=disposition)
