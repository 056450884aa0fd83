"""Sign-in throttling on top of django-axes.

Axes locks out a (username, address) pair after ``AXES_FAILURE_LIMIT`` wrong passwords, so a
stranger elsewhere cannot lock a member out. Axes has one failure limit for every lock-out
parameter, so the wider limit per address across usernames (against password spraying) is
counted here, from the attempts axes already records.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Wrong passwords from the request's address in the cool-off window, whatever the username."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            # The lock-out page explains this case differently: no one account is at fault.
            request.wrc_address_locked = True
            return True
        return False
