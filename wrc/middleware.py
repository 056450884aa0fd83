"""Headers and session lifetimes that apply to every page."""

import time

from django.conf import settings
from django.utils.cache import patch_cache_control

from wrc import access

# How often a signed-in session's inactivity clock is pushed back: each push writes the session.
SESSION_REFRESH_SECONDS = 60
SEEN_KEY = "wrc_seen"


def session_seconds(user) -> int:
    """Officials and the secretariat see every contact detail: a working day of inactivity ends
    their session. Members' sessions last ``SESSION_MEMBER_SECONDS``."""
    roles = access.roles_of(user)
    if user.is_staff or roles & {"official", "secretariat"}:
        return settings.SESSION_STAFF_SECONDS
    return settings.SESSION_MEMBER_SECONDS


def session_expiry_refresh(session, user) -> None:
    session.set_expiry(session_seconds(user))
    session[SEEN_KEY] = int(time.time())


def session_expiry_on_sign_in(sender, request, user, **kwargs):
    """Connected to ``user_logged_in`` (directory/apps.py): the lifetime is right from the first
    page, which then saves nothing."""
    if request is not None and hasattr(request, "session"):
        session_expiry_refresh(request.session, user)


class SessionExpiryMiddleware:
    """Signed-in sessions end after a period of inactivity that depends on the role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            seen = request.session.get(SEEN_KEY, 0)
            if int(time.time()) - seen >= SESSION_REFRESH_SECONDS:
                session_expiry_refresh(request.session, request.user)
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Nothing a signed-in person sees is kept by the browser or a shared cache (shared office
    computers, proxies); no page may use the camera, microphone or location."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
