"""The planner's workspace pages: signed in with a password, read by every role, acted on by planners."""

import csv
import io
import re

import pytest

from app import create_app
from core import auth
from core.auth import create_user
from core.db import db
from core.security import limiter
from planning.runs import service as runs_service
from planning.runs.models import PlanningRun, PurchaseProposal
from tests.release_fixtures import load_demo, publish_greedy_run

ROLES = ("warehouse", "planner", "scheduler", "admin")


@pytest.fixture
def runs(seed):
    """Two published runs over the demo data: (older, newer)."""
    planner = seed(load_demo)
    return seed(publish_greedy_run, user_id=planner), seed(publish_greedy_run, user_id=planner)


def csrf_token(client, url="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


@pytest.fixture
def sign_in(client, seed):
    def sign(role: str):
        name = f"{role}-user"
        seed(lambda: create_user(username=name, roles=[role], password="s3cret-pass"))
        response = client.post(
            "/login", data={"username": name, "password": "s3cret-pass", "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 302
        return client

    return sign


def pages(run_id: int) -> list[str]:
    return [
        "/runs",
        f"/runs/{run_id}",
        *(f"/runs/{run_id}?tab={tab}" for tab in ("procurement", "production", "distribution")),
        f"/runs/{run_id}/gantt",
        f"/runs/{run_id}/stock",
        f"/runs/{run_id}/changes",
        f"/runs/{run_id}/orders/SO-1001",
        "/orders",
        "/orders/SO-1001",
        "/stock",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(sign_in, runs, role):
    client = sign_in(role)
    for url in pages(runs[1]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert ("Release selected" in response.get_data(as_text=True)) == (
            role in ("planner", "admin") and "tab=" in url
        ), url


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client):
    response = client.get("/runs")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/runs")


def test_a_wrong_password_does_not_sign_in(client, seed):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    response = client.post(
        "/login", data={"username": "pat", "password": "wrong", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 401
    assert client.get("/runs").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example/runs",
        "javascript:alert(1)",
        "evil.example",
        "/\r/evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, seed, target):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    response = client.post(
        "/login",
        data={"username": "pat", "password": "right-one", "next": target, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/runs"


def test_sign_in_returns_to_the_page_on_this_site_that_asked_for_it(client, seed):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    response = client.post(
        "/login",
        data={
            "username": "pat",
            "password": "right-one",
            "next": "/orders?q=SO-1",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/orders?q=SO-1"


def _sign_in_as(client, username, password):
    form = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=form)


def test_failed_sign_ins_to_one_account_are_limited_with_retry_after(client, seed):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    seed(lambda: create_user(username="sam", roles=["planner"], password="right-two"))
    for _ in range(5):
        assert _sign_in_as(client, "pat", "guess").status_code == 401
    refused = _sign_in_as(client, "pat", "right-one")  # even the right password waits now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.get("/runs").status_code == 302
    assert _sign_in_as(client, "PAT ", "guess").status_code == 429  # the same account, spelt otherwise
    assert _sign_in_as(client, "sam", "right-two").status_code == 302  # another account is not locked


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "3 per minute")
    for name in ("ann", "bob", "cat"):
        assert _sign_in_as(client, name, "guess").status_code == 401
    refused = _sign_in_as(client, "dan", "guess")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other_address = app.test_client()
    form = {"username": "eve", "password": "guess", "csrf_token": csrf_token(other_address)}
    response = other_address.post("/login", data=form, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 401


def _fail_sign_in_via_proxy(client, forwarded_for: str) -> int:
    form = {"username": "nobody", "password": "guess", "csrf_token": csrf_token(client)}
    return client.post("/login", data=form, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_a_forwarded_address_is_ignored_unless_proxies_are_trusted(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "2 per minute")
    assert [_fail_sign_in_via_proxy(client, f"10.0.0.{i}") for i in range(3)] == [401, 401, 429]


def test_behind_a_trusted_proxy_each_client_address_is_limited_alone(app, db_session, database_url):
    behind_proxy = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_PROXY_HOPS": 1,
            "SIGN_IN_LIMIT_PER_ADDRESS": "2 per minute",
        }
    )
    limiter.reset()
    client = behind_proxy.test_client()
    try:
        assert [_fail_sign_in_via_proxy(client, "10.0.0.1") for _ in range(3)] == [401, 401, 429]
        assert _fail_sign_in_via_proxy(client, "10.0.0.2") == 401
    finally:
        with behind_proxy.app_context():
            db.engine.dispose()


def test_successful_sign_ins_are_not_counted_against_the_limit(client, seed):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    for _ in range(8):
        assert _sign_in_as(client, "pat", "right-one").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/runs")})


def test_an_unknown_user_costs_the_same_password_hash_check_as_a_wrong_password(client, seed, monkeypatch):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    checked = []
    real_check = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda *a: checked.append(a[0]) or real_check(*a))
    assert _sign_in_as(client, "pat", "wrong").status_code == 401
    assert _sign_in_as(client, "nobody", "wrong").status_code == 401
    assert len(checked) == 2
    assert checked[1].split("$")[0] == checked[0].split("$")[0]  # the same hash method and cost


def test_the_session_cookie_is_http_only_and_same_site_lax(client, seed):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    response = client.post(
        "/login", data={"username": "pat", "password": "right-one", "csrf_token": csrf_token(client)}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_is_secure_unless_the_deployment_turns_it_off(client, seed, app, monkeypatch):
    seed(lambda: create_user(username="pat", roles=["planner"], password="right-one"))
    form = {"username": "pat", "password": "right-one"}
    response = client.post("/login", data={**form, "csrf_token": csrf_token(client)})
    assert "; Secure" in response.headers["Set-Cookie"]
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", False)
    other = app.test_client()
    response = other.post("/login", data={**form, "csrf_token": csrf_token(other)})
    assert response.status_code == 302 and "Secure" not in response.headers["Set-Cookie"]


def test_a_session_cookie_cannot_be_replayed_after_signing_out(sign_in, app):
    client = sign_in("planner")
    stolen = client.get_cookie("session").value
    assert client.get("/runs").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/runs")})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/runs")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_signing_in_again_after_signing_out_works(sign_in, client):
    sign_in("planner")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/runs")})
    response = client.post(
        "/login",
        data={"username": "planner-user", "password": "s3cret-pass", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302 and client.get("/runs").status_code == 200


@pytest.mark.parametrize("url", ["/login", "/api/v1/health", "/api/v1/openapi.json"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy  # no inline scripts on the pages


def test_the_pages_have_no_inline_event_handlers(sign_in, runs):
    client = sign_in("planner")
    for url in pages(runs[1]):
        assert not re.search(r"\son[a-z]+=", client.get(url).get_data(as_text=True)), url


def test_a_session_cookie_does_not_open_the_api(sign_in):
    assert sign_in("planner").get("/api/v1/planning/runs").status_code == 401


def test_a_planner_releases_ticked_purchases_from_the_procurement_tab(sign_in, runs):
    client = sign_in("planner")
    url = f"/runs/{runs[1]}?tab=procurement"
    response = client.post(
        f"/runs/{runs[1]}/release",
        data={"kind": "purchases", "ref": ["PO-P1", "PO-P2"], "csrf_token": csrf_token(client, url)},
        headers={"Referer": url},
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Released 2: PO-" in page
    assert len(re.findall(r'value="PO-P\d" disabled', page)) == 2


@pytest.mark.parametrize("role", ["warehouse", "scheduler"])
def test_only_planners_release_from_the_pages(sign_in, runs, role):
    client = sign_in(role)
    response = client.post(
        f"/runs/{runs[1]}/release", data={"all": "1", "csrf_token": csrf_token(client, "/runs")}
    )
    assert response.status_code == 403


def test_a_form_without_its_csrf_token_is_refused(sign_in, runs):
    response = sign_in("planner").post(f"/runs/{runs[1]}/release", data={"all": "1"})
    assert response.status_code == 400


def test_releasing_the_whole_plan_twice_is_refused_the_second_time(sign_in, runs):
    client = sign_in("planner")
    data = {"all": "1", "csrf_token": csrf_token(client, "/runs")}
    assert client.post(f"/runs/{runs[1]}/release", data=data).status_code == 302
    again = client.post(f"/runs/{runs[1]}/release", data=data)
    assert again.status_code == 409 and "already released" in again.get_data(as_text=True)


def test_a_superseded_plan_cannot_be_released_and_says_which_run_is_in_force(sign_in, runs):
    client = sign_in("planner")
    older, newer = runs
    assert "Approve and release" not in client.get(f"/runs/{older}").get_data(as_text=True)
    response = client.post(
        f"/runs/{older}/release", data={"all": "1", "csrf_token": csrf_token(client, "/runs")}
    )
    assert response.status_code == 409 and f"superseded by run {newer}" in response.get_data(as_text=True)


def test_run_now_queues_a_run_for_the_scheduler(sign_in):
    client = sign_in("planner")
    response = client.post("/runs", data={"csrf_token": csrf_token(client, "/runs")})
    assert response.status_code == 302
    page = client.get("/runs").get_data(as_text=True)
    assert "queued: the scheduler starts it" in page and 'hx-trigger="every 1s"' in page


def test_the_progress_fragment_shows_elapsed_seconds_phase_best_cost_bound_and_parts(sign_in, seed):
    client = sign_in("warehouse")
    progress = {"phase": "2 of 5 parts planned", "elapsed_s": 12.4, "best_cost": 7000.5, "bound": 5000}
    run_id = seed(lambda: _running_run(progress | {"parts_done": 2, "parts_total": 5}))
    fragment = client.get(f"/runs/{run_id}/progress").get_data(as_text=True)
    assert 'data-status="running"' in fragment and 'hx-trigger="every 1s"' in fragment
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()
    assert (
        text
        == "running · 2 of 5 parts planned · 12 s of 40 s · best cost 7,000.50 · bound 5,000 · 2 of 5 parts"
    )


def test_the_progress_fragment_of_a_queued_run_has_no_budget_yet(sign_in, seed):
    client = sign_in("warehouse")
    run_id = seed(lambda: runs_service.request_run(trigger="api").id)
    fragment = client.get(f"/runs/{run_id}/progress").get_data(as_text=True)
    assert re.sub(r"<[^>]+>", "", fragment).strip() == "queued"


def _running_run(progress: dict) -> int:
    run = PlanningRun(trigger="api", status="running", time_budget_s=40, progress=progress)
    db.session.add(run)
    db.session.flush()
    return run.id


def test_a_table_downloads_as_csv(sign_in, runs):
    response = sign_in("warehouse").get(f"/runs/{runs[1]}/procurement.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("ref,supplier,sku,location,quantity") and lines[1].startswith("PO-P1,")


def test_a_csv_download_escapes_cells_a_spreadsheet_would_run_as_formulas(sign_in, runs, seed):
    def plant_formulas():
        query = db.select(PurchaseProposal).where(PurchaseProposal.run_id == runs[1])
        proposal = db.session.scalars(query.order_by(PurchaseProposal.id)).first()
        proposal.supplier, proposal.sku = '=HYPERLINK("http://evil.example")', "@SUM(A1)"
        proposal.location = "+cmd|' /C calc'!A0"
        return proposal.ref

    ref = seed(plant_formulas)
    response = sign_in("warehouse").get(f"/runs/{runs[1]}/procurement.csv")
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    row = rows[ref]
    assert row["supplier"] == '\'=HYPERLINK("http://evil.example")'
    assert row["sku"] == "'@SUM(A1)" and row["location"] == "'+cmd|' /C calc'!A0"
    assert float(row["quantity"]) > 0  # numbers stay numbers


def test_an_orders_explanation_shows_its_promise_and_the_supply_behind_it(sign_in, runs):
    page = sign_in("warehouse").get(f"/runs/{runs[1]}/orders/SO-1001").get_data(as_text=True)
    assert "Supply behind the promise" in page and ("on hand at" in page or "Not confirmed" in page)


def test_an_order_missing_from_the_plan_is_a_404_page(sign_in, runs):
    response = sign_in("warehouse").get(f"/runs/{runs[1]}/orders/SO-NOPE")
    assert response.status_code == 404 and "<!doctype html>" in response.get_data(as_text=True)


def test_the_runs_page_of_an_empty_database_invites_a_first_run(sign_in):
    page = sign_in("planner").get("/runs").get_data(as_text=True)
    assert "No runs yet." in page and 'id="run-now"' in page
