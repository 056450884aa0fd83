"""The permission matrix: every URL of the project, for every role.

The URLs are enumerated from the resolver, so a new page cannot escape: it fails here until its
kwargs can be filled from the dataset below (url_values) and someone has decided who may use it
(ACCESS). Roles: anonymous, outsider (signed in, no role), forum
member, secretariat, official; and the member and the secretariat of a second forum (the board),
who get nothing of the first forum's records whatever their role allows.
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from correspondence.models import Letter
from imports.models import DocumentImport
from meetings.models import Meeting
from tests import factories

LOGIN_PREFIX = "/accounts/login/"
# Sub-trees of the URL conf that are not the product's pages: the admin has its own check below,
# i18n is Django's language switch.
SKIPPED_PREFIXES = ("admin/", "i18n/")

OK, DENIED = "ok", "denied"
# Who may use each URL. Every URL must be listed: a new page fails the matrix until someone has
# decided who may see it.
#   members: every role (forum members with the dataset's shared records);
#   staff: officials and the secretariat;   officials: officials only;
#   signed_in: anyone signed in, even without a role;   public: anyone, signed in or not.
ACCESS = {
    "home": "members",
    "meetings:list": "members",
    "meetings:detail": "members",
    "actions:list": "members",
    "actions:detail": "members",
    # Members see their own actions and update only those (the hidden action is not theirs).
    "actions:mine": "members",
    "actions:update": "members",
    "actions:export": "members",
    # Archives the action (its page and notes stay): those who keep the forum's records.
    "actions:remove": "staff",
    "hatecrime:plan_list": "members",
    "hatecrime:plan_detail": "members",
    "hatecrime:action_detail": "members",
    "hatecrime:plan_downloads": "members",
    "hatecrime:plan_export": "members",
    "hatecrime:plan_structure": "officials",
    "hatecrime:plan_edit": "officials",
    "hatecrime:plan_copy": "officials",
    "hatecrime:objective_add": "officials",
    "hatecrime:objective_edit": "officials",
    "hatecrime:objective_delete": "officials",
    "hatecrime:area_add": "officials",
    "hatecrime:area_edit": "officials",
    "hatecrime:area_delete": "officials",
    "hatecrime:action_add": "officials",
    "hatecrime:action_edit": "officials",
    "hatecrime:action_delete": "officials",
    "directory:organisation_list": "members",
    "directory:organisation_detail": "members",
    # People's pages show contact details: never to members, who were targeted by harassment.
    "directory:person_list": "staff",
    "directory:person_detail": "staff",
    "directory:organisation_add": "staff",
    "directory:organisation_edit": "staff",
    "directory:person_add": "staff",
    "directory:person_edit": "staff",
    # Merging deletes the duplicate: officials only.
    "directory:organisation_merge": "officials",
    # A forum's page lists its members by name (contact details for staff only); officials set
    # forums up, the forum's secretariat keeps its memberships.
    "directory:forum_list": "members",
    "directory:forum_detail": "members",
    "directory:forum_add": "officials",
    "directory:forum_edit": "officials",
    "directory:membership_add": "staff",
    "directory:membership_end": "staff",
    # Accounts: officials, and the secretariat of one of the person's forums (ACCOUNT_URLS).
    "directory:person_invite": "staff",
    "directory:person_deactivate": "staff",
    "directory:person_reactivate": "staff",
    # Removes someone's authenticator app and recovery codes (a lost phone): officials only.
    "directory:person_two_factor_reset": "officials",
    "correspondence:list": "members",
    "correspondence:detail": "members",
    "correspondence:enclosure": "members",
    "correspondence:compose": "staff",
    "correspondence:draft": "staff",
    "correspondence:draft_enclosure_add": "staff",
    "correspondence:draft_enclosure_remove": "staff",
    "correspondence:draft_preview": "staff",
    "correspondence:draft_send": "staff",
    "correspondence:outbox": "staff",
    "correspondence:outbox_letter": "staff",
    "correspondence:outbox_settle": "staff",
    "meetings:create": "staff",
    "meetings:edit": "staff",
    "meetings:edit_agenda": "staff",
    "meetings:edit_attendance": "staff",
    "meetings:edit_actions": "staff",
    "meetings:edit_previous_actions": "staff",
    "calendars:meeting_ics": "members",
    "calendars:meeting_invitations": "staff",
    "calendars:send_invitations": "staff",
    "calendars:my_calendar": "members",
    "calendars:regenerate_link": "members",
    "exports:meeting_notes_download": "members",
    "exports:meeting_notes_print": "members",
    "search:results": "members",
    # Reviewing an import shows every attendee and restricted letter text: those who keep the
    # forum's records.
    "imports:list": "staff",
    "imports:upload": "staff",
    "imports:review": "staff",
    "imports:commit": "staff",
    "imports:undo": "staff",
    "imports:discard": "staff",
    "logout": "signed_in",
    "login": "public",
    # Resetting never says whether an address has an account, so it is open to anyone.
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "password_reset_complete": "public",
    # An invitation link, like a reset link, is the credential: open to anyone.
    "invitation_accept": "public",
    "password_change": "signed_in",
    "password_change_done": "signed_in",
    # One's own two-step sign-in (directory/two_factor_views.py): anyone signed in may turn it
    # on; the second step and setting it up are where sign-in sends those who owe them.
    "two_factor:manage": "signed_in",
    "two_factor:verify": "signed_in",
    "two_factor:set_up": "signed_in",
    "two_factor:recovery_codes": "signed_in",
    "two_factor:recovery_codes_renew": "signed_in",
    "two_factor:turn_off": "signed_in",
    "accessibility": "public",
    # Public so the language can be switched on the sign-in page.
    "set_language": "public",
    # Calendar programs cannot sign in: the secret token in the address is the credential.
    "calendars:feed": "public",
}
ALLOWED_ROLES = {
    "public": {"anonymous", "outsider", "member", "secretariat", "official"},
    "signed_in": {"outsider", "member", "secretariat", "official"},
    "members": {"member", "secretariat", "official"},
    "staff": {"secretariat", "official"},
    "officials": {"official"},
}


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]


def walk(patterns, namespace="", prefix="", kwargs=()):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        names = tuple(kwargs) + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, route, names)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"The URL {route!r} has no name: name it so it can be tested."
            yield Route(namespace + pattern.name, names)


ROUTES = sorted(set(walk(get_resolver().url_patterns)), key=lambda r: r.name)
ROLES = ["anonymous", "outsider", "member", "secretariat", "official"]
# The member and the secretariat of the board: their role, but in the other forum.
BOARD_ROLES = {"board_member": "member", "board_secretariat": "secretariat"}


@pytest.fixture
def world(db, settings, tmp_path):
    """A small forum: what a member may see (shared) and what they may not (hidden)."""
    settings.MEDIA_ROOT = tmp_path
    # PBKDF2 is slow on purpose; five users per test would cost a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    forum = factories.ForumFactory()
    organisation = factories.OrganisationFactory(name="Race Equality First")
    me = factories.PersonFactory(full_name="Mina Member", organisation=organisation)
    other = factories.PersonFactory(
        full_name="Olu Other",
        email="olu.private@example.org",
        phone="07700 900123",
        organisation=organisation,
    )
    meeting = factories.MeetingFactory(forum=forum)
    item = factories.AgendaItemFactory(meeting=meeting, number=1)
    factories.AttendanceFactory(
        meeting=meeting, organisation=organisation, person=other, name=other.full_name
    )
    action = factories.ActionItemFactory(
        meeting=meeting, agenda_item=item, owner_person=me, owner_text=me.full_name
    )
    factories.ActionItemFactory(meeting=meeting, owner_person=other, owner_text=other.full_name)
    draft = factories.MeetingFactory(forum=forum, notes_status=Meeting.NotesStatus.DRAFT)
    draft_action = factories.ActionItemFactory(meeting=draft, owner_person=other)
    plan_action = factories.PlanActionLeadFactory(organisation=organisation).action
    letter = factories.LetterFactory(forum=forum, audience=Letter.Audience.ALL_MEMBERS)
    letter.recipient_people.add(other)
    enclosure = factories.EnclosureFactory(
        letter=letter, file=SimpleUploadedFile("toolkit.txt", b"Misinformation toolkit")
    )
    unshared = factories.LetterFactory(forum=forum, status=Letter.Status.DRAFT)
    unshared_enclosure = factories.EnclosureFactory(
        letter=unshared, file=SimpleUploadedFile("draft.txt", b"Draft, not for sharing")
    )
    # A copy of the letter whose sending is uncertain, for its sending page to settle.
    factories.LetterMailFactory(letter=letter, person=other, status="uncertain")
    users = {
        "anonymous": None,
        "outsider": factories.UserFactory(username="outsider"),
        "member": factories.member_user(person=me, username="member"),
        "secretariat": factories.secretariat_user(username="secretariat"),
        "official": factories.official_user(username="official"),
    }
    board = factories.ForumFactory(board=True)
    users["board_member"] = factories.member_user(forum=board, username="board_member")
    users["board_secretariat"] = factories.secretariat_user(
        forum=board, username="board_secretariat"
    )
    # Officials are people in the directory too (calendar, own actions); the secretariat's
    # person holds their secretariat membership.
    factories.PersonFactory(user=users["official"], organisation=None)
    # Another member, whose contact details the forum's page must not show to members.
    factories.MembershipFactory(forum=forum, person=other, organisation=None)
    # Meeting notes uploaded for review and not yet imported.
    document_import = DocumentImport.objects.create(
        forum=forum,
        kind=DocumentImport.Kind.MEETING,
        source_name="notes.txt",
        source_format="text",
        source_text="Wales Race Forum\n10:00 – 12:00, Monday 3rd March 2025\n\nAttendance\n"
        "Aled Roberts - Tai Pawb\n\nMeeting notes\n1. Welcome\nThe Chair welcomed members.\n",
    )
    shared = {
        "forum": forum,
        "document_import": document_import,
        "membership": me.memberships.get(forum=forum),
        "meeting": meeting,
        "action": action,
        "person": other,
        "organisation": organisation,
        "plan_action": plan_action,
        "letter": letter,
        "enclosure": enclosure,
        "draft_letter": unshared,
        "draft_enclosure": unshared_enclosure,
        "token": me.calendar_token,
    }
    hidden = shared | {
        "meeting": draft,
        "action": draft_action,
        "letter": unshared,
        "enclosure": unshared_enclosure,
    }
    return {
        "users": users,
        "other": other,
        "shared": url_values(**shared),
        "hidden": url_values(**hidden),
    }


# A forum's own pages: they take the forum's slug (other directory pages take an organisation's).
FORUM_URLS = ("forum_detail", "forum_edit", "membership_add", "membership_end")
# Changes to a person's account: for the secretariat of one of the person's forums, so the board's
# secretariat may not make them to a member of the first forum.
ACCOUNT_URLS = ("person_invite", "person_deactivate", "person_reactivate")

# Importing and exporting people, and choosing an organisation's main contact: contact details,
# for those who keep the records. An export is one forum's people, a page of that forum.
ACCESS |= {
    "directory:contacts_import": "staff",
    "directory:contacts_preview": "staff",
    "directory:contacts_commit": "staff",
    "directory:contacts_export": "staff",
    "directory:organisation_main_contact": "staff",
}
FORUM_URLS += ("contacts_export",)

# Progress returns on the delivery plan. Everyone who reads the plan sees what is due from
# them and the plan's roll-up; a return is written only by the contacts of the action's lead
# organisations (the dataset's member: their organisation leads the action), and reviewed by
# those who keep the plan's forum's records (with nothing submitted, review sends them back).
ALLOWED_ROLES["lead_contacts"] = {"member"}
ACCESS |= {
    "progress:due": "members",
    "progress:rollup": "members",
    "progress:return_edit": "lead_contacts",
    "progress:return_review": "staff",
}

# The audit record shows who signed in from where and who took contact details: officials only.
# Inviting the people ticked on the people list: those who keep records (each person is checked
# as on their own page; an empty choice sends nobody anything).
ACCESS |= {
    "directory:audit_list": "officials",
    "directory:people_invite": "staff",
}

# Archiving instead of deleting, and restoring from the archive (a record already in the state
# asked for sends the official back to its page): officials only. Deleting a letter: only a
# draft goes; the page says why any other letter stays. Those who keep the forum's records.
ACCESS |= {
    "directory:organisation_archive": "officials",
    "directory:organisation_restore": "officials",
    "directory:person_archive": "officials",
    "directory:person_restore": "officials",
    "meetings:archive": "officials",
    "meetings:restore": "officials",
    "correspondence:delete": "staff",
    "correspondence:draft_enclosure_remove_confirm": "staff",
}

# Pages that work on a letter still being written: they take a draft.
DRAFT_LETTER_URLS = (
    "correspondence:draft",
    "correspondence:draft_enclosure_add",
    "correspondence:draft_enclosure_remove",
    "correspondence:draft_enclosure_remove_confirm",
    "correspondence:draft_preview",
    "correspondence:draft_send",
)


def url_values(
    *,
    forum,
    membership,
    meeting,
    action,
    person,
    organisation,
    plan_action,
    letter,
    enclosure,
    draft_letter,
    draft_enclosure,
    token,
    document_import,
):
    """Values for URL kwargs, keyed "url name:kwarg", "namespace:kwarg" or "kwarg" (most specific
    first)."""
    objective, area = plan_action.area.objective, plan_action.area
    return {
        **{f"directory:{name}:slug": forum.slug for name in FORUM_URLS},
        "directory:membership_end:pk": membership.pk,
        "meetings:pk": meeting.pk,
        "actions:pk": action.pk,
        "directory:pk": person.pk,
        "correspondence:pk": letter.pk,
        "correspondence:enclosure:pk": enclosure.pk,
        "correspondence:enclosure:letter_pk": letter.pk,
        **{f"{name}:pk": draft_letter.pk for name in DRAFT_LETTER_URLS},
        "correspondence:draft_enclosure_remove:enclosure_pk": draft_enclosure.pk,
        "correspondence:draft_enclosure_remove_confirm:enclosure_pk": draft_enclosure.pk,
        "calendars:pk": meeting.pk,
        "exports:pk": meeting.pk,
        "imports:pk": document_import.pk,
        "hatecrime:objective_edit:pk": objective.pk,
        "hatecrime:objective_delete:pk": objective.pk,
        "hatecrime:area_edit:pk": area.pk,
        "hatecrime:area_delete:pk": area.pk,
        "hatecrime:plan_export:fmt": "csv",
        "actions:export:fmt": "csv",
        "slug": organisation.slug,
        "period": plan_action.plan.period,
        "reference": plan_action.reference,
        "token": token,
        # A link that is not (or no longer) valid: the page says so and offers a new one.
        "password_reset_confirm:uidb64": "MQ",
        "password_reset_confirm:token": "set-password",
        "invitation_accept:uidb64": "MQ",
        "invitation_accept:token": "set-password",
        "language": "en",
        "fmt": "md",
    }


def url_for(route, values):
    namespace = route.name.rpartition(":")[0]
    kwargs = {}
    for kwarg in route.kwargs:
        for key in (f"{route.name}:{kwarg}", f"{namespace}:{kwarg}", kwarg):
            if key in values:
                kwargs[kwarg] = values[key]
                break
        else:
            pytest.fail(
                f"Cannot fill <{kwarg}> of URL {route.name!r}: add '{route.name}:{kwarg}' or "
                f"'{namespace}:{kwarg}' to url_values() in tests/test_permissions.py"
            )
    return reverse(route.name, kwargs=kwargs)


def fetch(client, user, url):
    """GET the URL; for an action that only accepts POST, POST it (as its form would)."""
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def outcome(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(LOGIN_PREFIX + "?next="):
        return "login"
    if response.status_code in (403, 404):
        return DENIED
    if response.status_code in (200, 302):
        return OK
    if response.status_code == 400 and response.request["REQUEST_METHOD"] == "POST":
        return OK  # the empty form was refused as bad input: the access checks were passed
    return f"HTTP {response.status_code}"


def expected(route, role):
    assert route.name in ACCESS, (
        f"Decide who may use the new URL {route.name!r}: add it to ACCESS in "
        "tests/test_permissions.py"
    )
    if role in ALLOWED_ROLES[ACCESS[route.name]]:
        return OK
    return "login" if role == "anonymous" else DENIED


def test_the_matrix_covers_the_product_urls():
    names = {route.name for route in ROUTES}
    assert {"home", "login", "meetings:detail", "actions:list", "correspondence:detail"} <= names
    assert not {name for name in names if name.startswith("admin:")}
    stale = set(ACCESS) - names
    assert not stale, f"ACCESS names URLs that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_url_gives_each_role_what_it_may_have(client, world, route, role):
    url = url_for(route, world["shared"])
    response = fetch(client, world["users"][role], url)
    assert outcome(response) == expected(route, role), (url, response.status_code)
    assert_protective_headers(response, signed_in=role != "anonymous")
    if role == "member" and response.status_code == 200:
        body = b"".join(response) if response.streaming else response.content
        assert world["other"].email.encode() not in body, f"{url} shows another person's email"
        assert world["other"].phone.encode() not in body, f"{url} shows another person's phone"


def csp_directives(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_protective_headers(response, *, signed_in):
    """A strict Content-Security-Policy and a Permissions-Policy on every answer; nothing a
    signed-in person receives may be stored by the browser or a shared cache."""
    url = response.request["PATH_INFO"]
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives.get("script-src-attr", []), url
    assert "camera=()" in response["Permissions-Policy"], url
    if signed_in:
        cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= cache_control, (url, response.get("Cache-Control"))


# Keys of URLs that name a record of one forum. People, organisations and calendar tokens are
# shared between forums; a file format, a language or a password reset link names nothing.
UNSCOPED_KWARGS = {"fmt", "language", "token", "uidb64"}


def names_a_forum_record(route):
    if route.name.startswith("directory:"):
        return route.name.removeprefix("directory:") in FORUM_URLS + ACCOUNT_URLS
    return bool(set(route.kwargs) - UNSCOPED_KWARGS)


@pytest.mark.parametrize("role", sorted(BOARD_ROLES))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_the_other_forums_member_and_secretariat_get_nothing_of_this_forum(
    client, world, route, role
):
    """Whatever their role allows elsewhere, every page about one of the first forum's records
    is a 404 or a 403 to the board's member and secretariat; pages that name no record work
    as for their role."""
    url = url_for(route, world["shared"])
    response = fetch(client, world["users"][role], url)
    want = expected(route, BOARD_ROLES[role])
    if names_a_forum_record(route):
        want = DENIED
    assert outcome(response) == want, (url, response.status_code)


HIDDEN_ROUTES = [route for route in ROUTES if route.kwargs and ACCESS.get(route.name) == "members"]


@pytest.mark.parametrize("role", ["member", "secretariat", "official"])
@pytest.mark.parametrize("route", HIDDEN_ROUTES, ids=lambda r: r.name)
def test_records_not_shared_with_members_stay_hidden_from_them(client, world, route, role):
    """Draft meeting notes, their actions and letters not sent to the members: members get
    nothing, officials and the secretariat see them."""
    url = url_for(route, world["hidden"])
    restricted = url != url_for(route, world["shared"])
    want = DENIED if role == "member" and restricted else OK
    assert outcome(fetch(client, world["users"][role], url)) == want, url


def test_the_calendar_feed_answers_only_to_its_secret_token(client, world):
    assert client.get(reverse("calendars:feed", args=[world["shared"]["token"]])).status_code == 200
    assert client.get(reverse("calendars:feed", args=["not-the-token"])).status_code == 404


@pytest.mark.parametrize(
    "role, status", [("outsider", 302), ("member", 302), ("secretariat", 302), ("official", 200)]
)
def test_the_admin_is_for_officials_only(client, world, role, status):
    client.force_login(world["users"][role])
    response = client.get("/admin/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/admin/login/")


def test_the_admin_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


# Two-step sign-in ------------------------------------------------------------------------------

# What an account that owes its second step may still open: the pages of the second step itself,
# signing out and the language switch.
OPEN_BEFORE_SECOND_STEP = {
    "two_factor:verify",
    "two_factor:set_up",
    "two_factor:recovery_codes",
    "logout",
    "set_language",
}


@pytest.mark.parametrize("role", ["secretariat", "official"])
@pytest.mark.parametrize(
    "route",
    [route for route in ROUTES if route.name not in OPEN_BEFORE_SECOND_STEP],
    ids=lambda r: r.name,
)
def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(
    client, world, settings, route, role
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    url = url_for(route, world["shared"])
    response = fetch(client, world["users"][role], url)
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"].startswith(reverse("two_factor:set_up") + "?next="), url


# The outgoing mail page (outbox/views.py): every message to officials, their forums' to the
# secretariat; settling uncertain or failed messages with a reason, for the same people.
ACCESS |= {
    "outbox:list": "staff",
    "outbox:settle": "staff",
}
