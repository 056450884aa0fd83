import pytest
from django.utils import translation

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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost a third of a second per password by design; the suite makes thousands of
    accounts. Outside the tests the settings keep Django's default hasher (PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """A page requested in Welsh leaves Welsh active in the thread (LocaleMiddleware activates a
    language and nothing deactivates it); each test starts in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def second_step_not_required(settings):
    """Most tests sign staff in with force_login and no authenticator app; tests of two-step
    sign-in (tests/test_two_factor.py) turn the requirement on."""
    settings.MFA_REQUIRED_FOR_STAFF = False
