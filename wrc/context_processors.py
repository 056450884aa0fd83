from django.conf import settings

from directory import access


def product(request):
    """Names and the signed-in user's roles, for the header and navigation."""
    user = getattr(request, "user", None)
    return {
        "FORUM_NAME": settings.FORUM_NAME,
        "user_roles": access.roles_of(user) if user is not None else frozenset(),
    }
