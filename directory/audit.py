"""The audit record: who signed in (or failed to), who was invited, who changed two-step sign-in,
who exported contact details and who sent a letter, with when and from which address.

People in the forums were targeted by harassment, so officials must be able to see who did what
with their data. ``record`` is called where each thing happens; sign-in, failed sign-in and
signing out come from Django's auth signals (connected in directory/apps.py). The address is
the client's as ``wrc.lib.client_ip`` works it out behind the trusted proxies. A failed sign-in
keeps the username tried: Django hands the signal its credentials with the password masked,
and only the username is read from them. The page listing the record is for officials only.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.views.generic import ListView

from directory.models import AuditEvent
from wrc import access
from wrc.lib.client_ip import client_ip

Kind = AuditEvent.Kind
PAGE_SIZE = 50
_DETAIL_LENGTH = AuditEvent._meta.get_field("detail").max_length
_NAME_LENGTH = AuditEvent._meta.get_field("actor_name").max_length


def _address(request) -> str | None:
    if request is None:
        return None
    return client_ip(request) or None


def _signed_in(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record(kind, *, actor=None, subject=None, forum=None, detail="", request=None) -> AuditEvent:
    """Keep one event. ``actor`` is the account that did it (none for a failed sign-in),
    ``subject`` the person it was done to, ``forum`` the forum whose records it concerns."""
    actor = _signed_in(actor)
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor.get_username()[:_NAME_LENGTH] if actor is not None else "",
        subject=subject,
        forum=forum,
        detail=str(detail)[:_DETAIL_LENGTH],
        ip_address=_address(request),
    )


# Django's auth signals -------------------------------------------------------------------------


def signed_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, actor=user, request=request)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Only the username: the credentials hold the password (masked by Django, never read here).
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    record(Kind.SIGN_IN_FAILED, detail=username or "", request=request)


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGN_OUT, actor=user, request=request)


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(signed_in, dispatch_uid="wrc-audit-sign-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="wrc-audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="wrc-audit-sign-out")


# The officials' page ---------------------------------------------------------------------------


class AuditListView(ListView):
    """Newest first, a page of 50, optionally one kind. Officials only: the record shows who
    signed in from where, which is itself personal data."""

    template_name = "directory/audit_list.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if not access.is_official(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        return kind if kind in Kind.values else ""

    def get_queryset(self):
        events = AuditEvent.objects.select_related("subject", "forum")
        if self.kind():
            events = events.filter(kind=self.kind())
        return events.order_by("-at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=Kind.choices, kind=self.kind(), **kwargs)


# The admin -------------------------------------------------------------------------------------
