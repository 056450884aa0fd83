"""Who may see and change what. Every view asks these questions; nothing else decides access.

Roles are Django groups. Superusers count as officials. A signed-in user with none of these
groups is an outsider and sees nothing.

Roles say what someone may do; forum memberships say where. Officials act in every forum. The
secretariat acts in the forums where their person holds a current secretariat membership, and
nowhere else. A member sees what is shared with members of the forums they (or their
organisation) currently belong to, and the actions they own wherever they are.
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q

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
    """Officials and the secretariat: the roles that keep records and see contact details.
    A secretariat account counts only while it is the secretariat of some forum; which forums'
    records they may keep is ``forum_scope(user)``."""
    roles = roles_of(user)
    if "official" in roles:
        return True
    return "secretariat" in roles and bool(forum_scope(user).staff)


def is_member(user) -> bool:
    return "member" in roles_of(user)


def has_any_role(user) -> bool:
    return bool(roles_of(user))


def can_see_contact_details(user) -> bool:
    """Email and phone of people: never shown to forum members, who were targeted by harassment."""
    return is_staff_role(user)


def person_of(user):
    return getattr(user, "person", None) if user is not None and user.is_authenticated else None


@dataclass(frozen=True)
class ForumScope:
    """The forums a user acts in: ``staff`` as secretariat (or official), ``member`` as a member.
    ``every_forum`` for officials, who act in every forum present and future."""

    every_forum: bool = False
    staff: frozenset = frozenset()
    member: frozenset = frozenset()

    def can_manage(self, forum_id) -> bool:
        return self.every_forum or forum_id in self.staff

    def can_see(self, forum_id) -> bool:
        return self.every_forum or forum_id in self.staff or forum_id in self.member


def forum_scope(user) -> ForumScope:
    """Worked out once per request (cached on the user object): one query for memberships."""
    cached = getattr(user, "_wrc_forum_scope", None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    if "official" in roles:
        scope = ForumScope(every_forum=True)
    else:
        scope = _membership_scope(person_of(user), roles) if roles else ForumScope()
    if user is not None and user.is_authenticated:
        user._wrc_forum_scope = scope
    return scope


def _membership_scope(person, roles) -> ForumScope:
    from directory.models import Membership, MembershipRole

    if person is None:
        return ForumScope()
    belongs = Q(person_id=person.pk)
    if person.organisation_id:
        belongs |= Q(organisation_id=person.organisation_id)
    rows = Membership.objects.current().filter(belongs).values_list("forum_id", "role", "person_id")
    staff, member = set(), set()
    for forum_id, role, person_id in rows:
        member.add(forum_id)
        if "secretariat" in roles and person_id == person.pk and role == MembershipRole.SECRETARIAT:
            staff.add(forum_id)
    return ForumScope(staff=frozenset(staff), member=frozenset(member))


def can_manage_forum(user, forum) -> bool:
    """May ``user`` change the records of ``forum`` (a Forum or its id)?"""
    return forum_scope(user).can_manage(getattr(forum, "pk", forum))


def require_manage_forum(user, forum) -> None:
    """403 unless ``user`` may change the records of ``forum``. Call it on a record the user
    may see (found through ``visible_to``, else 404): seeing is not changing."""
    if not can_manage_forum(user, forum):
        raise PermissionDenied


def managed_forums(user):
    """The forums whose records ``user`` keeps: what a new meeting or letter may belong to."""
    from directory.models import Forum

    return Forum.objects.filter(managed_forums_q(user, "pk"))


def managed_forums_q(user, field="forum") -> Q:
    """A filter for records (through ``field``) in forums the user manages."""
    scope = forum_scope(user)
    if scope.every_forum:
        return Q()
    return Q(**{f"{field}__in": scope.staff})


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
