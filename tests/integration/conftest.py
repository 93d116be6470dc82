"""Service-level tests run inside an app context on the rolled-back test session."""

import pytest

from tests.factories import make_user


@pytest.fixture
def session(app, db_session):
    with app.app_context():
        yield db_session


@pytest.fixture
def user_id(session) -> int:
    return make_user("warehouse").id
