"""Sign-in, and the runs page: the list, a live progress bar for a running run, and "run now"."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from core.auth import Principal, authenticate_password, current_principal, end_sessions, require_roles
from core.db import db
from core.security import sign_in_limits
from planning.runs import service as runs_service
from planning.runs.models import PlanningRun
from planning.web import web
from planning.web.listing import arg, page_of

read = require_roles(sessions=True)
act = require_roles("planner", sessions=True)


@web.app_context_processor
def _who():
    principal = current_user._get_current_object() if current_user else None
    signed_in = isinstance(principal, Principal)
    return {
        "principal": principal if signed_in else None,
        "can_act": signed_in and principal.has_any(("planner",)),
    }


@web.get("/login")
def login():
    return render_template("login.html", next=request.args.get("next", ""))


@web.post("/login")
@sign_in_limits
def login_post():
    user = authenticate_password(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        flash("Unknown user or wrong password.", "error")
        return render_template("login.html", next=request.form.get("next", "")), 401
    login_user(Principal(user, user.role_set))
    return redirect(same_site_path(request.form.get("next", "")) or landing_page(user.role_set))


def same_site_path(target: str) -> str | None:
    """`target` if it is a path on this site, else None (never send a user off-site after sign-in).

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so "/<tab>/evil" and
    "/<backslash>evil" are other sites to them: any control character or backslash is refused outright.
    """
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@web.post("/logout")
def logout():
    """Sign out: this session (and the user's others) can no longer be replayed, even by its cookie."""
    principal = current_user._get_current_object() if current_user else None
    if isinstance(principal, Principal):
        end_sessions(principal.user)
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("web.login"))


LANDING_PAGES = "takt_landing_pages"


def add_landing_page(app, role: str, endpoint: str) -> None:
    """Send a user of (confined) `role` to `endpoint` after sign-in, instead of the runs page."""
    app.extensions.setdefault(LANDING_PAGES, {})[role] = endpoint


def landing_page(roles) -> str:
    """Where a user with `roles` starts: its role's landing page, else the runs."""
    for role, endpoint in current_app.extensions.get(LANDING_PAGES, {}).items():
        if role in roles:
            return url_for(endpoint)
    return url_for("web.runs")


@web.get("/")
def home():
    return redirect(landing_page(current_principal().roles))


@web.get("/runs")
@read
def runs():
    status, trigger = arg("status"), arg("trigger")
    stmt = runs_service.runs_query(status=status or None, trigger=trigger or None)
    sorts = {"id": PlanningRun.id, "status": PlanningRun.status, "started_at": PlanningRun.started_at}
    listing = page_of(
        stmt,
        sorts=sorts,
        default="-id",
        tiebreak=PlanningRun.id,
        filters={"status": status, "trigger": trigger},
    )
    published = runs_service.published_run()
    active = runs_service.active_run()
    return render_template(
        "runs.html", lst=listing, published_id=published.id if published else None, active=active
    )


@web.post("/runs")
@act
def run_now():
    run = runs_service.request_run(trigger="api", user_id=current_principal().id)
    db.session.commit()
    flash(f"Run {run.id} queued: the scheduler starts it within seconds.", "ok")
    return redirect(url_for("web.runs"))


@web.get("/runs/<id:run_id>/progress")
@read
def run_progress(run_id: int):
    """The progress fragment htmx polls every second while a run is queued or running."""
    run = runs_service.get_run(run_id)
    if run.status in ("queued", "running"):
        return render_template("_progress.html", run=run)
    return "", 200, {"HX-Refresh": "true"}  # finished: reload the page to show its KPIs
