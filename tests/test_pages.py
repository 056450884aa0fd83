"""Every page renders, with its real content, for each role that may see it."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from correspondence.models import Letter
from directory.templatetags.wrc_tags import meeting_when, paragraphs
from meetings.models import Attendance, Meeting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    meeting = factories.MeetingFactory(
        starts_at=datetime.datetime(2025, 3, 17, 12, 0, tzinfo=timezone.get_current_timezone()),
        ends_at=datetime.datetime(2025, 3, 17, 13, 0, tzinfo=timezone.get_current_timezone()),
    )
    item = factories.AgendaItemFactory(
        meeting=meeting,
        number=1,
        title="Welcome and Introductions",
        discussion="CSSJTCW welcomed everyone.\n\n- First update\n- Second <b>update</b>",
    )
    factories.ActionItemFactory(
        meeting=meeting,
        agenda_item=item,
        number=1,
        text="Share the Misinformation Toolkit with Forum members.",
        inline_text="Secretariat to share the Misinformation toolkit.",
        owner_text="Secretariat",
        deadline_text="As soon as possible",
    )
    organisation = factories.OrganisationFactory(name="Race Equality First")
    factories.AttendanceFactory(meeting=meeting, organisation=organisation, order=1)
    factories.AttendanceFactory(
        meeting=meeting,
        organisation=None,
        as_written="Jane Hutt MS - Cabinet Secretary",
        name="Jane Hutt MS",
        organisation_text="Cabinet Secretary",
        order=0,
    )
    factories.AttendanceFactory(
        meeting=meeting,
        organisation=None,
        as_written="Travelling Ahead",
        organisation_text="Travelling Ahead",
        status=Attendance.Status.APOLOGIES,
    )
    return meeting


@pytest.fixture
def plan_action():
    lead = factories.OrganisationFactory(name="Welsh Local Government Association")
    action = factories.PlanActionFactory(
        reference="4.12",
        text="We will fund the hate crime report centre.\n\n- one\n- two",
        area__title_en="Supporting Victims",
        area__objective__title_en="Prevention",
    )
    factories.PlanActionLeadFactory(action=action, organisation=lead)
    return action


@pytest.fixture
def letter():
    letter = factories.LetterFactory(
        reference="JH/PO/31/2025",
        body_cy="Rwy'n ysgrifennu i roi gwybod i chi.",
        restricted_note="This link is not to be shared on social media.",
    )
    factories.CarbonCopyFactory(letter=letter, as_written="WCVA")
    factories.EnclosureFactory(letter=letter, title="Draft Misinformation toolkit")
    return letter


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_sign_in_page_is_public_and_unbranded(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Wales Race Forum" in body
    assert "GOV.UK" not in body
    assert "Skip to main content" in body
    assert 'action="/i18n/setlang/"' in body


def test_a_bad_password_shows_an_error_summary(client, official):
    response = client.post(reverse("login"), {"username": "official", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "There is a problem" in body


def test_a_good_password_signs_in_and_lands_on_home(client, official):
    response = client.post(
        reverse("login"), {"username": "official", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_accessibility_statement_is_public(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "Accessibility statement" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_outsider_is_refused_every_page(client, outsider, meeting):
    assert get(client, outsider, reverse("home")).status_code == 403
    assert get(client, outsider, reverse("meetings:list")).status_code == 403


def test_home_shows_my_open_actions_next_meeting_letters_and_plan(client, member, plan_action):
    person = member.person
    factories.ActionItemFactory(owner_person=person, text="Contact Head of Sanctuary Policy.")
    factories.ActionItemFactory(
        owner_person=person, text="Already done.", status=ActionItem.Status.DONE
    )
    factories.MeetingFactory(
        starts_at=timezone.now() + datetime.timedelta(days=30), title="June forum"
    )
    factories.LetterFactory(subject_en="Support for social media misinformation")
    body = get(client, member, reverse("home")).content.decode()
    assert "Contact Head of Sanctuary Policy." in body
    assert "Already done." not in body
    assert "June forum" in body
    assert "Support for social media misinformation" in body
    assert "Objective" in body and "Prevention" in body


def test_the_navigation_depends_on_the_role(client, official, member):
    official_body = get(client, official, reverse("home")).content.decode()
    member_body = get(client, member, reverse("home")).content.decode()
    assert reverse("directory:person_list") in official_body
    assert reverse("admin:index") in official_body
    assert reverse("directory:person_list") not in member_body
    assert reverse("admin:index") not in member_body
    assert "Sign out" in member_body


@pytest.mark.parametrize("role", ["official", "secretariat", "member"])
def test_the_meeting_is_laid_out_like_the_notes(client, request, role, meeting):
    user = request.getfixturevalue(role)
    body = get(client, user, reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams" in body
    assert "Jane Hutt MS" in body and "Race Equality First" in body
    assert "Apologies" in body and "Travelling Ahead" in body
    assert "1. Welcome and Introductions" in body
    assert "<li>Second &lt;b&gt;update&lt;/b&gt;</li>" in body
    assert "Action: Secretariat to share the Misinformation toolkit." in body
    assert "Summary of Actions" in body
    assert "Share the Misinformation Toolkit with Forum members." in body
    assert "As soon as possible" in body


def test_members_do_not_see_draft_notes(client, member, official):
    draft = factories.MeetingFactory(notes_status=Meeting.NotesStatus.DRAFT, title="Draft forum")
    assert get(client, member, reverse("meetings:detail", args=[draft.pk])).status_code == 404
    assert "Draft forum" not in get(client, member, reverse("meetings:list")).content.decode()
    assert "Draft forum" in get(client, official, reverse("meetings:list")).content.decode()


def test_the_meetings_list_counts_meetings(client, secretariat, meeting):
    body = get(client, secretariat, reverse("meetings:list")).content.decode()
    assert "Meetings (1)" in body
    assert meeting.get_absolute_url() in body


def test_the_actions_list_filters_by_status_and_keeps_filters_in_links(client, official):
    meeting = factories.MeetingFactory()
    factories.ActionItemFactory.create_batch(
        30, meeting=meeting, status=ActionItem.Status.OPEN, text="Open thing"
    )
    factories.ActionItemFactory(meeting=meeting, status=ActionItem.Status.DONE, text="Done thing")
    body = get(client, official, reverse("actions:list") + "?status=open").content.decode()
    assert "Actions (30)" in body
    assert "Done thing" not in body
    assert "?status=open&amp;page=2" in body


def test_the_actions_list_filters_overdue_and_by_owner(client, official):
    today = timezone.localdate()
    factories.ActionItemFactory(text="Late one", due_date=today - datetime.timedelta(days=3))
    factories.ActionItemFactory(text="Future one", due_date=today + datetime.timedelta(days=90))
    factories.ActionItemFactory(text="Convenor one", owner_text="Regional Convenor (North Wales)")
    overdue = get(client, official, reverse("actions:list") + "?due=overdue").content.decode()
    assert "Late one" in overdue and "Future one" not in overdue
    owner = get(client, official, reverse("actions:list") + "?owner=convenor").content.decode()
    assert "Convenor one" in owner and "Late one" not in owner


def test_the_action_page_shows_source_owner_deadline_and_overdue(client, secretariat):
    organisation = factories.OrganisationFactory(name="BAWSO")
    action = factories.ActionItemFactory(
        owner_text="Bawso",
        owner_organisation=organisation,
        deadline_text="By June 2025",
        due_date=datetime.date(2025, 6, 30),
    )
    body = get(client, secretariat, action.get_absolute_url()).content.decode()
    assert "By June 2025" in body and "Monday 30 June 2025" in body
    assert "BAWSO" in body and "Bawso" in body
    assert "Overdue" in body
    assert str(action.meeting) in body


def test_members_see_only_actions_they_may(client, member):
    hidden = factories.ActionItemFactory(
        meeting=factories.MeetingFactory(notes_status=Meeting.NotesStatus.DRAFT)
    )
    mine = factories.ActionItemFactory(
        meeting=hidden.meeting, owner_person=member.person, text="My own action"
    )
    assert get(client, member, hidden.get_absolute_url()).status_code == 404
    assert get(client, member, mine.get_absolute_url()).status_code == 200
    assert "My own action" in get(client, member, reverse("actions:list")).content.decode()


@pytest.mark.parametrize("role", ["official", "secretariat", "member"])
def test_the_delivery_plan_pages(client, request, role, plan_action):
    user = request.getfixturevalue(role)
    plan = plan_action.plan
    listing = get(client, user, reverse("hatecrime:plan_list")).content.decode()
    assert plan.get_absolute_url() in listing
    detail = get(client, user, plan.get_absolute_url()).content.decode()
    assert "Prevention" in detail and "Supporting Victims" in detail
    assert "We will fund the hate crime report centre." in detail
    assert "Welsh Local Government Association" in detail
    page = get(client, user, reverse("hatecrime:action_detail", args=[plan.slug, "4.12"]))
    body = page.content.decode()
    assert "Action 4.12" in body and "<li>two</li>" in body
    assert "Welsh Local Government Association" in body


def test_the_organisation_page_shows_plan_leads_actions_and_meetings(client, member, meeting):
    organisation = Attendance.objects.get(organisation__name="Race Equality First").organisation
    factories.PersonFactory(organisation=organisation, email="secret@example.org")
    plan_action = factories.PlanActionFactory(reference="2.3", text="We will train staff.")
    factories.PlanActionLeadFactory(action=plan_action, organisation=organisation)
    factories.ActionItemFactory(
        meeting=meeting, owner_organisation=organisation, text="Report back on training."
    )
    body = get(client, member, organisation.get_absolute_url()).content.decode()
    assert "2.3" in body and "We will train staff." in body
    assert "Report back on training." in body
    assert meeting.get_absolute_url() in body
    assert "secret@example.org" not in body
    listing = get(client, member, reverse("directory:organisation_list")).content.decode()
    assert organisation.get_absolute_url() in listing


def test_people_pages_are_for_officials_and_secretariat_only(client, official, member):
    person = factories.PersonFactory(full_name="Alex Jones", email="alex@example.org", phone="029")
    assert get(client, member, reverse("directory:person_list")).status_code == 403
    assert get(client, member, person.get_absolute_url()).status_code == 403
    assert (
        "alex@example.org"
        in get(client, official, reverse("directory:person_list")).content.decode()
    )
    body = get(client, official, person.get_absolute_url()).content.decode()
    assert "Alex Jones" in body and "alex@example.org" in body and "029" in body


@pytest.mark.parametrize("role", ["official", "secretariat", "member"])
def test_the_letter_pages(client, request, role, letter):
    user = request.getfixturevalue(role)
    listing = get(client, user, reverse("correspondence:list")).content.decode()
    assert "JH/PO/31/2025" in listing
    body = get(client, user, letter.get_absolute_url()).content.decode()
    assert "Support for social media misinformation" in body
    assert "Cabinet Secretary for Social Justice" in body
    assert "I am writing to let you know" in body
    assert "Rwy&#x27;n ysgrifennu" in body
    assert "govuk-warning-text" in body and "not to be shared on social media" in body
    assert "WCVA" in body and "Draft Misinformation toolkit" in body


def test_members_do_not_see_draft_letters(client, member):
    draft = factories.LetterFactory(status=Letter.Status.DRAFT)
    assert get(client, member, draft.get_absolute_url()).status_code == 404


def test_enclosures_download_only_for_those_who_may_see_the_letter(
    client, member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sent = factories.EnclosureFactory()
    sent.file.save("toolkit.pdf", ContentFile(b"%PDF-1.4 toolkit"))
    draft = factories.EnclosureFactory(letter__status=Letter.Status.DRAFT)
    draft.file.save("draft.pdf", ContentFile(b"%PDF-1.4 draft"))
    client.force_login(member)
    url = reverse("correspondence:enclosure", args=[sent.letter_id, sent.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 toolkit"
    hidden = reverse("correspondence:enclosure", args=[draft.letter_id, draft.pk])
    assert client.get(hidden).status_code == 404


def test_the_admin_is_for_officials_only(client, official, secretariat, meeting):
    assert get(client, official, reverse("admin:index")).status_code == 200
    change = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    body = get(client, official, change).content.decode()
    assert "Welcome and Introductions" in body
    client.logout()
    assert get(client, secretariat, reverse("admin:index")).status_code == 302
    assert get(client, secretariat, change).status_code == 302


PROJECT_MODEL_LABELS = [model._meta.label for model in factories.project_models()]


def test_every_project_model_is_in_the_admin():
    unregistered = [
        model._meta.label
        for model in factories.project_models()
        if not admin.site.is_registered(model)
    ]
    assert not unregistered, f"models missing from the admin: {unregistered}"


@pytest.fixture
def a_row_of_every_model(meeting, plan_action, letter):
    """At least one row per model, and a second delivery plan, so related-object filters (which
    the admin hides when there is only one choice) have choices to offer."""
    factories.DeliveryPlanFactory(period="2025-26")
    for name in dir(factories):
        factory_class = getattr(factories, name)
        if name.endswith("Factory") and name != "UserFactory" and hasattr(factory_class, "_meta"):
            factory_class()


@pytest.mark.parametrize("label", PROJECT_MODEL_LABELS)
def test_every_admin_list_searches_and_filters(
    client, official, secretariat, label, a_row_of_every_model
):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{label} admin has no search"
    assert model_admin.list_filter, f"{label} admin has no filters"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    assert get(client, official, url + "?q=x").status_code == 200
    changelist = get(client, official, url).context["cl"]
    first_filter = changelist.filter_specs[0]
    # The first choice that is not "All"; a filter the admin cannot apply redirects to ?e=1.
    choice = next(c for c in first_filter.choices(changelist) if not c["selected"])
    filtered = client.get(url + choice["query_string"])
    assert filtered.status_code == 200, choice["query_string"]
    assert filtered.context["cl"].get_filters_params()

    client.logout()
    assert get(client, secretariat, url).status_code == 302


def test_paragraphs_turns_plain_text_into_escaped_paragraphs_and_lists():
    html = paragraphs("One\nline <script>\n\n- a\n- b & c\nAfter")
    assert html == (
        "<p>One line &lt;script&gt;</p>\n<ul><li>a</li><li>b &amp; c</li></ul>\n<p>After</p>"
    )


def test_meeting_when_writes_times_as_the_notes_do():
    meeting = Meeting(
        starts_at=datetime.datetime(2025, 6, 9, 10, 30, tzinfo=timezone.get_current_timezone()),
        ends_at=datetime.datetime(2025, 6, 9, 12, 0, tzinfo=timezone.get_current_timezone()),
        venue="Cardiff Bay",
    )
    assert meeting_when(meeting) == "10:30 am – 12:00 pm, Monday 9th June 2025 – Cardiff Bay"


def test_the_language_switch_works_before_signing_in(client):
    response = client.post(reverse("set_language"), {"language": "cy", "next": reverse("login")})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert response.cookies["django_language"].value == "cy"


def test_refusals_and_missing_pages_use_the_product_layout(client, member):
    refused = get(client, member, reverse("directory:person_list"))
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.content.decode()
    missing = client.get("/meetings/999999/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


def test_the_compiled_styles_carry_no_gov_uk_typeface_or_font_files(settings):
    static = settings.BASE_DIR / "static"
    css = (static / "css" / "wrc.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "Arial" in css
    assert not [p for p in static.rglob("*") if p.suffix in {".woff", ".woff2"}]
    assert (static / "js" / "govuk-frontend.min.js").exists()


def test_invalid_filters_are_explained_and_do_not_hide_everything(client, official):
    factories.ActionItemFactory(text="Still listed")
    body = get(client, official, reverse("actions:list") + "?status=nonsense").content.decode()
    assert "Select a valid choice" in body
    assert "Still listed" in body
