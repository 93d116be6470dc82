"""One JSON error shape for everything: `{code, status, message, errors}`.

Domains raise `DomainError` subclasses; this module turns them, validation errors and HTTP errors
into that shape. Nothing reaches a client as an HTML page.
"""

import logging

from flask import jsonify
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


def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description
    response = jsonify(error_body(error.code, error.name, message, errors))
    response.status_code = error.code
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    response.headers.update(headers)
    return response


def _validation_error(error: ValidationError):
    return jsonify(error_body(422, "Unprocessable Entity", "invalid input", {"json": error.messages})), 422


def _unexpected_error(error: Exception):
    if isinstance(error, OperationalError):
        log.exception("database unavailable")
        return jsonify(error_body(503, "Service Unavailable", "the database is unavailable, retry")), 503
    log.exception("unhandled error")
    return _http_error(InternalServerError())


def register_error_handlers(app) -> None:
    """Route every error through the one shape (replacing flask-smorest's own HTTP error handler)."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(Exception, _unexpected_error)
