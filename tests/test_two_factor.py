"""Two-step sign-in: officials and the secretariat need an authenticator app after their
password; members may turn it on. Real sign-in through the Django test client, codes computed
from the device's key as an app would."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from directory import two_factor
from tests import factories
from tests.test_settings import PRODUCTION_ENV, print_setting, run_django

PASSWORD = "correct horse battery"  # what factories.UserFactory sets
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.fixture
def clock():
    """A clock that only moves when told: codes and the wait after wrong ones depend on it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code_of(device):
    """The code the person's app shows now."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def app_for(user):
    """An authenticator app already set up, with its recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return device, two_factor.recovery_codes_new(user)


def sign_in(client, user):
    """The first step: the password, as the sign-in form sends it."""
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 302, response.content.decode()
    return response


def enter_code(client, code, next_url=""):
    return client.post(reverse("two_factor:verify"), {"code": code, "next": next_url})


def signed_in_fully(client, user):
    """Past both steps (for tests about something else than the second step itself)."""
    device, _codes = app_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def redirect_path(response) -> str:
    return response["Location"].split("?")[0]


# Setting it up ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["official", "secretariat", "superuser"])
@pytest.mark.parametrize(
    "url",
    ["/", "/meetings/", "/directory/people/", "/accounts/password/", "/admin/", "/search/?q=x"],
)
def test_staff_without_an_app_are_sent_to_set_one_up_from_any_page(client, role, url):
    user = {
        "official": factories.official_user,
        "secretariat": factories.secretariat_user,
        "superuser": lambda: factories.UserFactory(is_superuser=True, is_staff=True),
    }[role]()
    sign_in(client, user)

    response = client.get(url)

    assert response.status_code == 302
    assert redirect_path(response) == reverse("two_factor:set_up")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_staff_who_must_set_it_up_can_still_sign_out_and_switch_language(client, official):
    sign_in(client, official)

    switched = client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    signed_out = client.post(reverse("logout"))

    assert redirect_path(switched) == "/"
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_set_up_page_shows_a_qr_code_and_the_secret_to_type_in(client, official):
    sign_in(client, official)

    response = client.get(reverse("two_factor:set_up"))

    body = response.content.decode()
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    assert re.search(r'<img class="wrc-qr-code" src="data:image/svg\+xml', body)
    assert two_factor.secret_text(device) in body
    assert "data:" in response["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    # Showing the page again keeps the same secret: an app scanned a moment ago still works.
    client.get(reverse("two_factor:set_up"))
    assert TOTPDevice.objects.filter(user=official).count() == 1


@pytest.mark.django_db
def test_the_qr_code_carries_the_secret_and_the_service_name(official, settings):
    settings.SITE_NAME = "Forum records"
    device = two_factor.pending_app_device(official)

    uri = two_factor.provisioning_uri(device)

    secret = two_factor.secret_text(device).replace(" ", "")
    assert uri.startswith("otpauth://totp/Forum%20records%3Aofficial?")
    assert f"secret={secret}" in uri and "issuer=Forum%20records" in uri


@pytest.mark.django_db
def test_a_code_from_the_app_confirms_it_and_shows_ten_recovery_codes_once(client, official, clock):
    sign_in(client, official)
    client.get(reverse("two_factor:set_up"))
    device = TOTPDevice.objects.get(user=official)

    confirmed = client.post(
        reverse("two_factor:set_up"), {"code": code_of(device), "next": "/meetings/"}
    )

    assert redirect_path(confirmed) == reverse("two_factor:recovery_codes")
    shown = client.get(confirmed["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    stored = StaticToken.objects.filter(device__user=official).values_list("token", flat=True)
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == 10
    assert sorted(codes) == sorted(stored)
    assert "I have saved these codes" in shown.content.decode()

    saved = client.post(reverse("two_factor:recovery_codes"), {"next": "/meetings/"})

    assert saved["Location"] == "/meetings/"
    assert client.get("/meetings/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    again = client.get(reverse("two_factor:recovery_codes"))
    assert redirect_path(again) == reverse("two_factor:manage")
    manage = client.get(again["Location"]).content.decode()
    assert "10 codes left" in manage and codes[0] not in manage


@pytest.mark.django_db
def test_a_wrong_code_does_not_confirm_the_app(client, official, clock):
    sign_in(client, official)
    client.get(reverse("two_factor:set_up"))
    device = TOTPDevice.objects.get(user=official)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor:set_up"), {"code": wrong})

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=official).exists()
    assert redirect_path(client.get("/")) == reverse("two_factor:set_up")


# Signing in ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_takes_the_password_then_a_code_from_the_app(client, official, clock):
    device, _codes = app_for(official)
    sign_in(client, official)

    asked = client.get("/meetings/")

    assert redirect_path(asked) == reverse("two_factor:verify")
    assert asked["Location"].endswith("?next=/meetings/")
    page = client.get(asked["Location"])
    assert page.status_code == 200 and "Enter your code" in page.content.decode()

    response = enter_code(client, code_of(device), next_url="/meetings/")

    assert response["Location"] == "/meetings/"
    assert client.get("/meetings/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_wrong_codes_in_a_row_must_wait(client, official, clock):
    device, _codes = app_for(official)
    sign_in(client, official)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"

    refused = enter_code(client, wrong)

    assert refused.status_code == 200
    assert "The code is not right" in refused.content.decode()
    assert redirect_path(client.get("/")) == reverse("two_factor:verify")

    # Straight after a wrong code even the right one waits: guessing gets slower and slower.
    clock.shift(0.5)
    throttled = enter_code(client, code_of(device))
    assert "Too many wrong codes" in throttled.content.decode()
    assert redirect_path(client.get("/")) == reverse("two_factor:verify")

    clock.shift(2)
    assert enter_code(client, code_of(device)).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_wait_doubles_with_each_wrong_code(client, official, clock):
    device, _codes = app_for(official)
    sign_in(client, official)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"
    for _attempt in range(4):
        enter_code(client, wrong)
        clock.shift(60)
    enter_code(client, wrong)  # the fifth: 16 seconds before another code is looked at

    clock.shift(10)
    assert "Too many wrong codes" in enter_code(client, code_of(device)).content.decode()
    clock.shift(10)
    assert enter_code(client, code_of(device)).status_code == 302


@pytest.mark.django_db
def test_the_second_step_is_only_for_those_past_the_first(client, official):
    app_for(official)

    wrong_password = client.post(
        reverse("login"), {"username": "official", "password": "not it"}, REMOTE_ADDR="192.0.2.5"
    )
    second_step = client.get(reverse("two_factor:verify"))

    assert wrong_password.status_code == 200
    assert "_auth_user_id" not in client.session
    assert second_step.status_code == 302
    assert redirect_path(second_step) == reverse("login")


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_the_page_says_how_many_are_left(client, official, clock):
    _device, codes = app_for(official)
    sign_in(client, official)

    # Typed as it might be copied from a printout: upper case, with a space.
    used = enter_code(client, f"{codes[0][:4].upper()} {codes[0][4:].upper()}", next_url="/")

    assert used["Location"] == "/"
    home = client.get("/").content.decode()
    assert "You used a recovery code. You have 9 recovery codes left." in home
    assert two_factor.recovery_codes_left(official) == 9
    assert "9 codes left" in client.get(reverse("two_factor:manage")).content.decode()

    client.post(reverse("logout"))
    sign_in(client, official)
    clock.shift(60)
    again = enter_code(client, codes[0])

    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()
    clock.shift(2)
    assert enter_code(client, codes[1]).status_code == 302


@pytest.mark.django_db
def test_someone_with_only_the_password_cannot_replace_the_app(client, official):
    device, _codes = app_for(official)
    sign_in(client, official)

    response = client.get(reverse("two_factor:set_up"))
    posted = client.post(reverse("two_factor:set_up"), {"code": "123456"})

    assert redirect_path(response) == reverse("two_factor:verify")
    assert redirect_path(posted) == reverse("two_factor:verify")
    assert list(TOTPDevice.objects.filter(user=official)) == [device]
    turn_off = client.post(reverse("two_factor:turn_off"))
    assert redirect_path(turn_off) == reverse("two_factor:verify")
    assert TOTPDevice.objects.filter(user=official).exists()


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, official):
    signed_in_fully(client, official)
    old = set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))

    response = client.post(reverse("two_factor:recovery_codes_renew"))

    shown = client.get(response["Location"]).content.decode()
    new = set(re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown))
    stored = set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert len(new) == 10 and new == stored
    assert not old & stored


# Members ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_are_not_asked_to_set_it_up(client, member):
    sign_in(client, member)

    assert client.get("/").status_code == 200
    assert "Two-step sign-in is off" in client.get(reverse("two_factor:manage")).content.decode()


@pytest.mark.django_db
def test_a_member_can_turn_it_on_and_is_then_asked_for_a_code(client, member, clock):
    sign_in(client, member)
    client.get(reverse("two_factor:set_up"))
    device = TOTPDevice.objects.get(user=member)
    client.post(reverse("two_factor:set_up"), {"code": code_of(device)})
    client.post(reverse("two_factor:recovery_codes"))
    client.post(reverse("logout"))

    sign_in(client, member)
    asked = client.get("/")
    clock.shift(60)
    answered = enter_code(client, code_of(device))

    assert redirect_path(asked) == reverse("two_factor:verify")
    assert answered.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_member_can_turn_it_off(client, member):
    signed_in_fully(client, member)

    response = client.post(reverse("two_factor:turn_off"))

    assert redirect_path(response) == reverse("two_factor:manage")
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    client.post(reverse("logout"))
    sign_in(client, member)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_staff_cannot_turn_it_off_while_it_is_required(client, secretariat):
    signed_in_fully(client, secretariat)

    page = client.get(reverse("two_factor:manage")).content.decode()
    client.post(reverse("two_factor:turn_off"))

    assert "Turn off two-step sign-in" not in page
    assert TOTPDevice.objects.filter(user=secretariat).exists()


@pytest.mark.django_db
def test_without_the_requirement_staff_sign_in_with_a_password_alone(client, official, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    sign_in(client, official)

    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_secretariat_account_with_no_forum_is_not_staff_and_not_asked(client):
    former = factories.UserFactory(groups=["Secretariat"])
    sign_in(client, former)

    assert not two_factor.is_required(former)
    assert client.get(reverse("two_factor:manage")).status_code == 200


# An official's reset ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_official_resets_another_persons_second_step(client, official, secretariat):
    person = secretariat.person
    app_for(secretariat)
    other = client_class_for(client)
    signed_in_fully(other, secretariat)
    assert other.get("/").status_code == 200
    signed_in_fully(client, official)

    page = client.get(reverse("directory:person_detail", args=[person.pk])).content.decode()
    confirm = client.get(reverse("directory:person_two_factor_reset", args=[person.pk]))
    response = client.post(reverse("directory:person_two_factor_reset", args=[person.pk]))

    assert reverse("directory:person_two_factor_reset", args=[person.pk]) in page
    assert (
        confirm.status_code == 200 and "They have an authenticator app" in confirm.content.decode()
    )
    assert redirect_path(response) == person.get_absolute_url()
    assert "has been reset" in client.get(response["Location"]).content.decode()
    assert not TOTPDevice.objects.filter(user=secretariat).exists()
    assert not StaticDevice.objects.filter(user=secretariat).exists()
    # Their open session no longer counts as verified: they set up an app again.
    assert redirect_path(other.get("/")) == reverse("two_factor:set_up")


def client_class_for(client):
    """A second browser."""
    return type(client)()


@pytest.mark.django_db
def test_an_official_cannot_reset_their_own_this_way(client, official):
    factories.PersonFactory(user=official, organisation=None)
    signed_in_fully(client, official)
    url = reverse("directory:person_two_factor_reset", args=[official.person.pk])

    page = client.get(official.person.get_absolute_url()).content.decode()

    assert url not in page
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=official).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "secretariat"])
def test_only_officials_reach_the_reset(client, request, official, role):
    someone = request.getfixturevalue(role)
    signed_in_fully(client, someone)
    app_for(official)
    person = factories.PersonFactory(user=official, organisation=None)
    url = reverse("directory:person_two_factor_reset", args=[person.pk])

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=official).exists()
    assert StaticToken.objects.filter(device__user=official).count() == 10


# Settings --------------------------------------------------------------------------------------


def test_production_always_requires_it(tmp_path):
    env = PRODUCTION_ENV | {"MFA_REQUIRED_FOR_STAFF": "false"}
    assert print_setting(tmp_path, env, "settings.MFA_REQUIRED_FOR_STAFF") == "True"


def test_the_embedded_defaults_do_not_require_it_with_debug(tmp_path):
    assert print_setting(tmp_path, {}, "settings.MFA_REQUIRED_FOR_STAFF") == "False"
    assert print_setting(tmp_path, {"DEBUG": "false"}, "settings.MFA_REQUIRED_FOR_STAFF") == "True"


def test_the_deploy_check_is_still_clean(tmp_path):
    result = run_django(
        tmp_path, PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
