import pytest

from tests import factories

pytest_plugins = ["tests.worker"]


@pytest.fixture
def official(db):
    return factories.official_user(username="official")


@pytest.fixture
def secretariat(db):
    return factories.secretariat_user(username="secretariat")


@pytest.fixture
def member(db):
    return factories.member_user(username="member")


@pytest.fixture
def outsider(db):
    return factories.UserFactory(username="outsider")
