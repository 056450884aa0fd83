from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directory import forums
from wrc import access


def product(request):
    """Names, and whether the signed-in user has a role, for the header and navigation."""
    user = getattr(request, "user", None)
    return {
        "FORUM_NAME": settings.FORUM_NAME,
        "SITE_NAME": settings.SITE_NAME or _("Forum records"),
        # What the navigation and the pages' shared parts offer, decided here rather than by
        # the templates re-reading the roles (wrc.access holds the rules).
        "has_role": user is not None and access.has_any_role(user),
        "can_keep_records": lambda: user is not None and access.is_staff_role(user),
        "is_official": lambda: user is not None and access.is_official(user),
        # Called only by the templates that ask (lists name each row's forum when it does).
        "several_forums": lambda: forums.sees_several_forums(user),
    }
