"""Two-step sign-in: a code from an authenticator app after the password (django-otp).

Officials, the secretariat and superusers see every contact detail of people who were targeted
by online harassment, so while ``MFA_REQUIRED_FOR_STAFF`` is on they must have the second step:
after their password, a staff account with no authenticator app can reach only the page that
sets one up (and signing out). Members may turn it on for themselves. Anyone who has it must
give a code before their session counts as verified (``user.is_verified()``); until then every
page sends them to the second step.

Setting it up gives ten single-use recovery codes (django-otp's static device) for a lost phone.
Wrong codes slow down (django-otp's throttling doubles the wait after each one). An official can
reset someone's second step; they then set it up again at their next sign-in.
"""

import logging
from base64 import b32encode
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrc import access

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Pages an account that still owes its second step may reach: the second step, setting it up,
# the recovery codes that setting up shows, signing out and the language switch.
OPEN_BEFORE_SECOND_STEP = frozenset(
    {
        "two_factor:verify",
        "two_factor:set_up",
        "two_factor:recovery_codes",
        "logout",
        "set_language",
    }
)
logger = logging.getLogger(__name__)


def is_required(user) -> bool:
    """Must ``user`` have the second step? Officials, the secretariat (while the secretariat of
    a forum), superusers and accounts that may use the admin, while the setting is on."""
    if not settings.MFA_REQUIRED_FOR_STAFF or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or access.is_staff_role(user)


def app_device(user) -> TOTPDevice | None:
    """The confirmed authenticator app of ``user``, if they have set one up."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def has_second_step(user) -> bool:
    return app_device(user) is not None


def is_verified(user) -> bool:
    """Has this session passed the second step? (OTPMiddleware adds ``is_verified``.)"""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def owes_second_step(user) -> bool:
    """Signed in with a password but not yet through the second step they have."""
    return user.is_authenticated and not is_verified(user) and has_second_step(user)


def pending_app_device(user) -> TOTPDevice:
    """The app being set up: the same secret however often the set-up page is shown, until a
    code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// address a QR code carries, with the service's name as the issuer so the
    app shows which account the codes are for."""
    issuer = (settings.SITE_NAME or settings.FORUM_NAME).replace(":", "")
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{params}"


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The QR code as an SVG data: address for an <img> (the CSP allows data: images)."""
    return segno.make(provisioning_uri(device), error="m").svg_data_uri(scale=5, border=4)


def normalised(code: str) -> str:
    """What the person typed, without the spaces and dashes apps and printouts put in."""
    return "".join(code.split()).replace("-", "").lower()


def app_confirm(device: TOTPDevice, code: str) -> bool:
    """Confirm the app being set up with a code from it. The app replaces any earlier one."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalised(code)):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    logger.info("User %s set up two-step sign-in", device.user_id)
    return True


def recovery_codes_new(user) -> list[str]:
    """Ten new recovery codes; any earlier ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code at the second step: the device that accepted it, or why not."""

    device: object = None
    throttled: bool = False

    @property
    def accepted(self) -> bool:
        return self.device is not None

    @property
    def recovery_code_used(self) -> bool:
        return isinstance(self.device, StaticDevice)


def code_check(user, code: str) -> CodeCheck:
    """Six digits are a code from the app; anything else is tried as a recovery code, which is
    used up when it works. Each kind of device keeps its own count of wrong codes."""
    code = normalised(code)
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        devices = [
            device
            for device in devices_for_user(user, confirmed=True, for_verify=True)
            if isinstance(device, kind)
        ]
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        for device in allowed:
            if device.verify_token(code):
                return CodeCheck(device=device)
    if devices and not allowed:
        return CodeCheck(throttled=True)
    return CodeCheck()


def second_step_remove(user) -> int:
    """Remove the app and the recovery codes of ``user``: they set them up again at their next
    sign-in. Open sessions lose their verification (the device they were verified by is gone)."""
    removed = 0
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
    return removed


def second_step_reset(*, user, by) -> int:
    """An official resets another person's second step."""
    removed = second_step_remove(user)
    logger.info("Two-step sign-in of user %s reset by user %s", user.pk, by.pk)
    return removed


def set_up_message() -> str:
    return _("Set up two-step sign-in to continue: your account can see people's contact details.")


class TwoFactorMiddleware:
    """Until a signed-in person has passed the second step they have (or set it up where it is
    required), every page sends them there. Placed after the authentication, OTP and
    login-required middleware, so only signed-in accounts reach it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if has_second_step(user):
            return redirect_to_login(request.get_full_path(), reverse("two_factor:verify"))
        if is_required(user):
            return redirect_to_login(request.get_full_path(), reverse("two_factor:set_up"))
        return None
