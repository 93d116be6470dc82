"""The planner's workspace: server-rendered pages (Jinja + htmx) signed in with a browser session.

Pages take the session cookie (API views never do); every form is CSRF-protected. Anyone signed in
reads; only planners (and admins) act. An unauthenticated page request is sent to `/login`.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from core.auth import RoleRequired, Unauthorized
from core.errors import DomainError
from core.formats import hours_text, moment_text, parse_time, quantity_text

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)
csrf = CSRFProtect()


def init_web(app) -> None:
    """Register the pages and CSRF protection (checked on the pages only: `WTF_CSRF_CHECK_DEFAULT` is off)."""
    csrf.init_app(app)
    from planning.web import browse, chart_pages, pages, plan_pages  # noqa: F401  (routes)

    app.register_blueprint(web)


def serve_pages(blueprint: Blueprint) -> None:
    """Make `blueprint` a set of pages: forms CSRF-checked, a missing sign-in sent to `/login`, and every
    refusal an error page (the workspace's own pages, and any other package's, e.g. the supplier portal)."""

    @blueprint.before_request
    def _check_csrf():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()

    @blueprint.errorhandler(Unauthorized)
    def _sign_in_first(error):
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))

    @blueprint.errorhandler(RoleRequired)
    def _forbidden(error):
        return render_template("error.html", title="Not allowed", message=error.message), 403

    @blueprint.errorhandler(CSRFError)
    def _csrf_failed(error):
        return render_template("error.html", title="Form expired", message=error.description), 400

    @blueprint.errorhandler(HTTPException)
    def _http_error(error):
        return render_template("error.html", title=error.name, message=error.description), error.code

    @blueprint.errorhandler(DomainError)
    def _refused(error):
        return render_template("error.html", title="Refused", message=error.message), error.status


serve_pages(web)


@web.app_template_filter("when")
def _when(moment) -> str:
    """An instant as every page writes it: `2026-11-22 08:00` (UTC); ISO text from a snapshot too."""
    return moment_text(parse_time(moment) if isinstance(moment, str) else moment)


@web.app_template_filter("num")
def _num(value) -> str:
    return quantity_text(value)


@web.app_template_filter("money")
def _money(value) -> str:
    """A cost: whole when it is, else to the cent (`7,000.50`)."""
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


@web.app_template_filter("qty")
def _qty(value, item=None) -> str:
    """A quantity with its item's decimals (an item counted in whole units prints none)."""
    return quantity_text(value, getattr(item, "decimals", None))


@web.app_template_filter("hours")
def _hours(value) -> str:
    return hours_text(value)


@web.app_template_filter("duration")
def _duration(delta) -> str:
    return hours_text(delta.total_seconds() / 3600) if delta is not None else ""
