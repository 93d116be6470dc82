"""The pages' shared kit: a page blueprint (session sign-in, CSRF on every post, errors as pages) and
the form helpers every domain's pages use alike — the idempotency key drawn into a form, a posted
quantity read like the API reads one, and the pages' script (`static/pages.js`: Enter moves a
scanner's form on).

A domain's pages are a `page_blueprint` in its own `web/` package; they call the domain's services, so
a page books stock exactly as the API does. A post that changes anything is `@page_write`: committed
once, keyed by the form's `idempotency_key` (a double submit or a retry replays the first answer, a
303 to its result), rolled back on any error.
"""

import uuid
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from marshmallow import Schema, ValidationError

from core.auth import RoleRequired, Unauthorized
from core.errors import DomainError
from core.tables import number_from_text
from core.transaction import transactional

KEY_FIELD = "idempotency_key"
LOGIN_ENDPOINT = "web.login"  # the sign-in page (the planner's workspace draws it)

kit = Blueprint(
    "kit", __name__, template_folder="templates", static_folder="static", static_url_path="/kit-assets"
)
_csrf = CSRFProtect()


@dataclass(frozen=True)
class FormField:
    """A field of a scanner's form (`_scan_form.html`), in scanning order."""

    name: str
    label: str
    kind: str = "code"  # code (scanned: Enter moves on) | quantity | text (optional, skipped by Enter)


def page_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of pages: its own templates, CSRF checked on every post, sign-in and refusals as pages."""
    blueprint = Blueprint(name, import_name, template_folder="templates", **options)
    blueprint.before_request(_check_csrf)
    blueprint.register_error_handler(Unauthorized, _sign_in_first)
    blueprint.register_error_handler(RoleRequired, _forbidden)
    blueprint.register_error_handler(CSRFError, _csrf_failed)
    return blueprint


def _check_csrf():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        _csrf.protect()


def _sign_in_first(error):
    return redirect(url_for(LOGIN_ENDPOINT, next=request.full_path.rstrip("?")))


def _forbidden(error):
    return render_template("error.html", title="Not allowed", message=error.message), 403


def _csrf_failed(error):
    return render_template("error.html", title="Form expired", message=error.description), 400


def page_write(refused):
    """Commit a page's post once, keyed by its form's idempotency key (428 without one); a refusal (the
    service's 409/422, a schema's 422) rolls back and is answered by `refused(error, status)`: the form
    again with the reason, nothing booked and the key still unused."""

    def decorator(view):
        once = transactional(key_required=True, form_field=KEY_FIELD)(view)

        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return once(*args, **kwargs)
            except (Unauthorized, RoleRequired):
                raise
            except DomainError as error:
                return refused(error, error.status)
            except ValidationError as error:
                return refused(error, 422)

        return wrapper

    return decorator


@kit.app_template_global()
def new_idempotency_key() -> str:
    """A fresh key for a form drawn now: its submits (and their retries) share it."""
    return uuid.uuid4().hex


def load_form(schema: Schema, form, *, numbers: tuple[str, ...] = ()) -> dict:
    """Load a posted form with an API schema (empty fields left out; `numbers` read as numbers), so a
    page refuses exactly what the API refuses."""
    data = {name: value.strip() for name, value in form.items() if value.strip() and name != KEY_FIELD}
    data.pop("csrf_token", None)
    for name in numbers:
        if name in data:
            data[name] = number_from_text(data[name])
    return schema.load(data)


def refusal(error: Exception) -> tuple[str, dict[str, str]]:
    """A refused post as the page shows it: one sentence, and each field's reason by field name."""
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        fields = {name: _reason(reasons) for name, reasons in messages.items()}
        return "; ".join(f"{name}: {reason}" for name, reason in fields.items()), fields
    assert isinstance(error, DomainError)
    fields = {}
    for located in (error.errors or {}).values():
        fields |= {name: _reason(reasons) for name, reasons in located.items()}
    return error.message, fields


def _reason(reasons) -> str:
    if isinstance(reasons, dict):
        return "; ".join(_reason(value) for value in reasons.values())
    return "; ".join(str(r) for r in reasons) if isinstance(reasons, list | tuple) else str(reasons)
