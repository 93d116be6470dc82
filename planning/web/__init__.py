"""The planner's workspace: server-rendered pages (Jinja + htmx) signed in with a browser session.

Pages take the session cookie (API views never do); every form is CSRF-protected. Anyone signed in
reads; only planners (and admins) act. An unauthenticated page request is sent to `/login`.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from core.auth import RoleRequired, Unauthorized
from core.errors import DomainError

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)
csrf = CSRFProtect()


def init_web(app) -> None:
    """Register the pages and CSRF protection (checked on the pages only: `WTF_CSRF_CHECK_DEFAULT` is off)."""
    csrf.init_app(app)
    from planning.web import browse, pages, plan_pages  # noqa: F401  (routes)

    app.register_blueprint(web)


@web.before_request
def _check_csrf():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@web.errorhandler(Unauthorized)
def _sign_in_first(error):
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


@web.errorhandler(RoleRequired)
def _forbidden(error):
    return render_template("error.html", title="Not allowed", message=error.message), 403


@web.errorhandler(CSRFError)
def _csrf_failed(error):
    return render_template("error.html", title="Form expired", message=error.description), 400


@web.errorhandler(HTTPException)
def _http_error(error):
    return render_template("error.html", title=error.name, message=error.description), error.code


@web.errorhandler(DomainError)
def _refused(error):
    return render_template("error.html", title="Refused", message=error.message), error.status


@web.app_template_filter("when")
def _when(moment) -> str:
    return moment.strftime("%d %b %H:%M") if moment else "—"


@web.app_template_filter("num")
def _num(value) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
