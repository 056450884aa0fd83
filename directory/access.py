"""Who may see and change what. Every view asks these questions; nothing else decides access.

Roles are Django groups. Superusers count as officials. A signed-in user with none of these
groups is an outsider and sees nothing.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

OFFICIALS = "Officials"
SECRETARIAT = "Secretariat"
MEMBERS = "Forum members"
GROUPS = (OFFICIALS, SECRETARIAT, MEMBERS)


def roles_of(user) -> frozenset:
    """The product roles of ``user``: a subset of {"official", "secretariat", "member"}."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_wrc_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = set()
    if user.is_superuser or OFFICIALS in names:
        roles.add("official")
    if SECRETARIAT in names:
        roles.add("secretariat")
    if MEMBERS in names:
        roles.add("member")
    user._wrc_roles = frozenset(roles)
    return user._wrc_roles


def is_official(user) -> bool:
    return "official" in roles_of(user)


def is_staff_role(user) -> bool:
    """Officials and the secretariat: they see every meeting, action and letter."""
    return bool({"official", "secretariat"} & roles_of(user))


def is_member(user) -> bool:
    return "member" in roles_of(user)


def has_any_role(user) -> bool:
    return bool(roles_of(user))


def can_see_contact_details(user) -> bool:
    """Email and phone of people: never shown to forum members, who were targeted by harassment."""
    return is_staff_role(user)


def person_of(user):
    return getattr(user, "person", None) if user is not None and user.is_authenticated else None


def require(check):
    """View decorator: 403 unless ``check(request.user)`` holds."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based view mixin: ``role_check`` is one of the functions above."""

    role_check = staticmethod(has_any_role)

    def dispatch(self, request, *args, **kwargs):
        if not type(self).role_check(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
