"""One JSON error shape for everything: `{code, status, message, errors}`.

Domains raise `DomainError` subclasses; this module turns them, validation errors and HTTP errors
into that shape. Nothing reaches a client as an HTML page.
"""

import logging

from flask import jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refused business action: carries its HTTP status, a machine code and field errors."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, errors: dict | None = None, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.details = details
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Input that passes the schema but not a business rule (unknown reference, bad combination)."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, reason: str, **details):
        super().__init__(f"{field}: {reason}", errors={"json": {field: [reason]}}, **details)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def error_body(status: int, name: str, message: str, errors: dict | None = None, **extra) -> dict:
    body = {"code": status, "status": name, "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def _domain_error(error: DomainError):
    body = error_body(error.status, error.code, error.message, error.errors, **error.details)
    return jsonify(body), error.status


# The one machine-readable `status` per HTTP status, the same whether a domain or the framework refused:
# a missing route and a missing order are both `not_found`; a body the schema refuses and a reference the
# service refuses are both `invalid`.
STATUS_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def status_name(code: int, fallback: str = "") -> str:
    return STATUS_NAMES.get(code) or fallback.lower().replace(" ", "_")


def _plain_message(error: HTTPException, errors) -> str:
    """What went wrong, in words that name it: werkzeug's stock texts ("The browser (or proxy) sent a
    request that this server could not understand.") say nothing a client can act on."""
    if error.code == 400 and request.mimetype == "application/json" and request.get_json(silent=True) is None:
        return "the body is not valid JSON (look for a missing quote, comma or bracket)"
    if error.code == 422 and errors:
        return "invalid input: " + "; ".join(_named(errors))
    return {400: "the request could not be read", 404: "nothing here: check the path"}.get(
        error.code, error.name.lower()
    )


def _named(errors: dict, prefix: str = "") -> list[str]:
    """`lines[3].quantity: must be a number`: each field error with where it is."""
    named = []
    for key, value in errors.items():
        path = key if not prefix else f"{prefix}[{key}]" if str(key).isdigit() else f"{prefix}.{key}"
        if isinstance(value, dict):
            named += _named(value, path)
        else:
            named.append(f"{path}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return named


def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message")
    if not message or message == type(error).description:
        message = _plain_message(error, _by_field(errors))
    response = jsonify(error_body(error.code, status_name(error.code, error.name), message, errors))
    response.status_code = error.code
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    response.headers.update(headers)
    return response


def _by_field(errors) -> dict:
    """Field errors without their location level (`json`, `query`, `files`)."""
    if not isinstance(errors, dict):
        return {}
    flat = {}
    for value in errors.values():
        flat.update(value if isinstance(value, dict) else {})
    return flat


def _validation_error(error: ValidationError):
    errors = {"json": error.messages}
    message = "invalid input: " + "; ".join(_named(_by_field(errors)))
    return jsonify(error_body(422, "invalid", message, errors)), 422


def _unexpected_error(error: Exception):
    if isinstance(error, OperationalError):
        log.exception("database unavailable")
        return jsonify(error_body(503, "unavailable", "the database is unavailable, retry")), 503
    log.exception("unhandled error")
    return _http_error(InternalServerError())


def register_error_handlers(app) -> None:
    """Route every error through the one shape (replacing flask-smorest's own HTTP error handler)."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(Exception, _unexpected_error)
