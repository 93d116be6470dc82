"""Where the contract's own referee is found: `shared/` beside the repository, or `TAKT_SHARED_DIR`."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    override = os.environ.get("TAKT_SHARED_DIR")
    return Path(override) if override else REPOSITORY.parent / "shared"


def shared_present() -> bool:
    return (shared_dir() / "planning" / "verify.py").is_file()


def load_shared(name: str):
    """A module of shared/planning (verify, generate), loaded from its file, never copied into takt."""
    path = shared_dir() / "planning" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"takt_crosscheck_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def shared_verify():
    return load_shared("verify").verify


@pytest.fixture(scope="session")
def shared_generate():
    return load_shared("generate").generate
