"""Guards on every request's input, checked before any view reads it.

- Size: no body may exceed `MAX_CONTENT_LENGTH` (`SCM_MAX_CONTENT_LENGTH`), whether it says its length
  or streams it chunked (werkzeug stops reading at the limit); a view marked `@body_limit(SETTING)`
  gets that setting's smaller limit. Too large: 413 naming the limit.
- NUL characters: a string with one (a JSON value or key, a query or form field, a path segment, a
  header) is refused with 422 naming where it is: PostgreSQL cannot store it, and no takt value needs it.
- Depth: a JSON body nested deeper than `MAX_JSON_DEPTH` is a 400 (it would exhaust the parser).
"""

import json

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from core.errors import DomainError, error_body

MAX_JSON_DEPTH = 64
NUL = "\x00"


class BadInput(DomainError):
    """Input refused before any view: 422 naming the field (by location), or 400 when it cannot be read."""

    status = 422
    code = "invalid"

    def __init__(self, location: str, field: str, reason: str, *, status: int = 422):
        super().__init__(f"{location} {field}: {reason}", errors={location: {field: [reason]}})
        self.status = status
        if status == 400:
            self.code = "bad_request"


def body_limit(setting: str):
    """Give a view a body limit of its own: the value of config `setting` (at most `MAX_CONTENT_LENGTH`)."""

    def decorator(view):
        view.body_limit_setting = setting
        return view

    return decorator


def register_guards(app) -> None:
    app.before_request(_limit_body)
    app.before_request(_refuse_malformed_input)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def _limit_body() -> None:
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    setting = getattr(method, "body_limit_setting", None)
    if setting:
        limits = (current_app.config[setting], current_app.config["MAX_CONTENT_LENGTH"])
        request.max_content_length = min(limit for limit in limits if limit is not None)


def _too_large(error: RequestEntityTooLarge):
    limit = request.max_content_length
    message = f"the request body is larger than {limit} bytes" if limit else "the request body is too large"
    body = error_body(413, "too_large", message, max_bytes=limit)
    return current_app.json.response(body), 413


def _refuse_malformed_input() -> None:
    for name, value in request.headers.items():
        if NUL in value:
            raise BadInput("headers", name, "must not contain a NUL character")
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and NUL in value:
            raise BadInput("path", name, "must not contain a NUL character")
    _refuse_nul_fields("query", request.args)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _refuse_nul_fields("form", request.form)
        for name, upload in request.files.items(multi=True):
            if NUL in (upload.filename or ""):
                raise BadInput("files", name, "the file name must not contain a NUL character")
    if request.is_json:
        _check_json_body()


def _refuse_nul_fields(location: str, fields) -> None:
    for name, value in fields.items(multi=True):
        name, value = name or "", value or ""  # a multipart part may come without either
        if NUL in name or NUL in value:
            raise BadInput(location, name.replace(NUL, "\\x00"), "must not contain a NUL character")


def _check_json_body() -> None:
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        body = json.loads(data)
    except RecursionError:
        raise BadInput("json", "body", f"nested deeper than {MAX_JSON_DEPTH} levels", status=400) from None
    except ValueError:
        return  # not JSON at all: each view answers that as it always has
    _walk_json(body)


def _walk_json(body) -> None:
    """Refuse a string with NUL (naming its path) or nesting deeper than `MAX_JSON_DEPTH`; no recursion."""
    stack = [(body, "body", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput("json", "body", f"nested deeper than {MAX_JSON_DEPTH} levels", status=400)
        if isinstance(value, str):
            if NUL in value:
                raise BadInput("json", path.removeprefix("body."), "must not contain a NUL character")
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    raise BadInput("json", path, "a key must not contain a NUL character")
                stack.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
