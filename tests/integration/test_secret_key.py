"""No fixed secret key: the web service and the scheduler refuse to start without a real one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from core.config import MissingSecretKey, require_secret_key

ROOT = Path(__file__).resolve().parents[2]


def _environment(tmp_path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SCM_SECRET_KEY", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        FLASK_APP="wsgi",
        SCM_DATABASE_URL=f"sqlite:///{tmp_path}/takt.sqlite3",
        SCM_METRICS_ENABLED="false",
        GUNICORN_BIND="127.0.0.1:0",
        GUNICORN_WORKERS="1",
    )
    env.update(settings)
    return env


def _refused(command: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run `command`, which must exit by itself (a process that starts serving is killed and fails)."""
    try:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[0]} started without a secret key")


def test_an_app_has_no_secret_key_unless_one_is_set(monkeypatch):
    monkeypatch.delenv("SCM_SECRET_KEY", raising=False)
    assert create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"] is None


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me", "short-key", 10**40])
def test_a_missing_or_weak_key_is_refused_with_how_to_set_one(key):
    with pytest.raises(MissingSecretKey, match="export SCM_SECRET_KEY="):
        require_secret_key({"SECRET_KEY": key})


def test_a_random_key_is_accepted():
    require_secret_key({"SECRET_KEY": "k" * 8 + "0123456789abcdef0123456789abcdef"})


def test_the_scheduler_refuses_to_start_without_a_secret_key(tmp_path):
    command = [sys.executable, "-m", "flask", "schedules", "run", "--metrics-port", "0", "--no-plan-at-start"]
    done = _refused(command, _environment(tmp_path))
    assert done.returncode != 0 and "SCM_SECRET_KEY" in done.stderr


def _gunicorn() -> list[str]:
    return [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "wsgi:app"]


def test_the_web_service_refuses_to_start_without_a_secret_key(tmp_path):
    env = _environment(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
    done = _refused(_gunicorn(), env)
    assert done.returncode != 0 and "SCM_SECRET_KEY is not set" in done.stderr


def test_the_web_service_refuses_a_known_development_key(tmp_path):
    env = _environment(
        tmp_path, SCM_SECRET_KEY="dev-only-change-me", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus")
    )
    done = _refused(_gunicorn(), env)
    assert done.returncode != 0 and "SCM_SECRET_KEY" in done.stderr
