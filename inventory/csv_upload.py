"""A CSV upload over HTTP, read one way for every endpoint that takes one: a `text/csv` body or the
multipart form field `file`, UTF-8 (a byte-order mark is dropped)."""

from flask import request

from core.errors import Invalid

COUNT_CSV_BODY = {
    "required": True,
    "description": "A CSV of `sku,location,counted`: the body itself, or a multipart form field `file`.",
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": "sku,location,counted\nNB-14,WH-SH,12\n"},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
}


def csv_upload_text() -> str:
    """The uploaded CSV: a `text/csv` body, or the multipart field `file` (UTF-8, a BOM is dropped)."""
    if request.mimetype == "text/csv":
        raw, field = request.get_data(), "body"
    elif "file" in request.files:
        raw, field = request.files["file"].read(), "file"
    else:
        raise Invalid("file", "send the CSV as a text/csv body or as the multipart form field `file`")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid(field, "must be a UTF-8 CSV file") from e
