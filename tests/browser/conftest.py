"""A live takt for the browser tests: a SQLite file with the demo company and one published plan,
served by werkzeug in a thread, with a stand-in scheduler thread executing queued runs."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from core.auth import create_token
from core.db import db
from core.models import User
from planning.runs import service as runs_service

SYSTEM_CHROMIUM = ("chromium", "chromium-browser")  # Debian's package: /usr/bin/chromium
NO_CHROMIUM = (
    "browser tests need Chromium: sudo apt-get install chromium (Debian), "
    "or .venv/bin/playwright install chromium, or set TAKT_CHROMIUM=/path/to/chromium"
)
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _execute_queued(app, stop: threading.Event) -> None:
    """What `flask schedules run` does for runs queued by hand (without planning the cycle)."""
    while not stop.wait(0.5):
        with app.app_context():
            queued = db.session.scalars(runs_service.runs_query(status="queued")).first()
            if queued is not None:
                runs_service.execute_run(queued.id)
            db.session.remove()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "takt.sqlite3"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "browser-tests",
            "SESSION_COOKIE_SECURE": False,  # the live server is plain http
            "PLANNING_RUN_BUDGET_SECONDS": 15,
            "PLANNING_SOLVER": "tests.planning_fakes:paced_real_solver",
        }
    )
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo"])
        run = runs_service.request_run(trigger="cli")
        db.session.commit()
        runs_service.execute_run(run.id)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, daemon=True),
        threading.Thread(target=_execute_queued, args=(live_app, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    stop.set()
    server.shutdown()
    for thread in threads:
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def api_token(live_app):
    """A bearer token of the demo planner, to check what the pages did through the API."""
    with live_app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "demo-planner"))
        _, secret = create_token(user=user, name="browser-test")
        db.session.commit()
        return secret


def _chromium(playwright) -> str | None:
    """The Chromium to drive: `TAKT_CHROMIUM`, else the system's, else the one Playwright installed."""
    configured = os.environ.get("TAKT_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    system = next((found for name in SYSTEM_CHROMIUM if (found := shutil.which(name))), None)
    if system:
        return system
    own = playwright.chromium.executable_path
    return own if own and Path(own).exists() else None


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = _chromium(playwright)
        if executable is None:
            pytest.skip(NO_CHROMIUM)
        chromium = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
