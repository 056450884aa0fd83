"""Every page, for every role, passes axe-core's WCAG 2.2 AA rules in a real Chromium.

axe-core is vendored (tests/browser/vendor/axe.min.js), so no Node is needed at test time. Every
page of the URL × role matrix is checked at 320 and 1280 px in English and Welsh, on the walk it
shares with the narrow-screen test (tests/browser/pages.py). The main pages are also checked for
what axe cannot judge: a unique, descriptive title, ``aria-current`` on the navigation item of
the page's section, and the language of the language switch.
"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from actions.models import ActionItem
from correspondence.models import Letter
from directory.models import Membership, Organisation, OwnerRole, Person
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import Meeting
from tests import factories
from tests.browser.pages import DESKTOP, describe_violations, new_context, run_axe
from tests.test_permissions import world  # noqa: F401  (the matrix's dataset, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
# Targets too small or too close together (WCAG 2.2, 2.5.8) show on a phone's narrow screen.
PHONE = {"width": 360, "height": 740}


class Checker:
    """Visits pages as one user and collects every problem, so one run reports them all."""

    def __init__(self, browser, base_url, role, viewport=None):
        self.context = new_context(browser, viewport)
        self.page = self.context.new_page()
        self.base_url, self.role = base_url, role
        self.problems, self.titles = [], {}

    def sign_in(self, username):
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_text(re.compile("Signed in as"))).to_be_visible()

    def visit(self, path, nav=None, status=200, names=()):
        response = self.page.goto(f"{self.base_url}{path}")
        where = f"{self.role} {path}"
        if response.status != status:
            self.problems.append(f"{where}: status {response.status}, expected {status}")
            return
        self.check(where, nav, names)

    def check(self, where, nav=None, names=(), language="en"):
        found = run_axe(self.page)
        self.problems += describe_violations(where, found)
        title = found["title"]
        with translation.override(language):
            site = settings.SITE_NAME or str(translation.gettext("Forum records"))
        suffix = f" – {site}"
        if not title.endswith(suffix) or title == f"{site}{suffix}":
            self.problems.append(f"{where}: title {title!r} does not name the page")
        for name in names:
            if name not in title:
                self.problems.append(f"{where}: title {title!r} does not name {name!r}")
        if self.titles.setdefault(title, found["path"]) != found["path"]:
            self.problems.append(f"{where}: title {title!r} is also {self.titles[title]}")
        if found["current"] != ([nav] if nav else []):
            self.problems.append(f"{where}: aria-current on {found['current']}, expected {nav}")
        if found["lang"] != language:
            self.problems.append(f"{where}: the page's lang is {found['lang']!r}")
        # The switch offers the other language, named in that language and marked up as such.
        switch = ("en", "English") if language == "cy" else ("cy", "Cymraeg")
        if (found["switchLang"], found["switchText"]) != switch:
            self.problems.append(
                f"{where}: the language switch is {found['switchText']!r} "
                f"with lang {found['switchLang']!r}"
            )

    def close(self):
        self.context.close()


SECRETARIAT_SHARED_PAGES = {"/", "/actions/mine/", "/calendar/mine/"}


@pytest.fixture
def seeded(db):
    call_command("load_seed_documents", verbosity=0)
    organisation = Organisation.objects.get(short_name="NWREN")
    person = factories.PersonFactory(organisation=organisation, full_name="Nia Roberts")
    OwnerRole.objects.get(name="Regional Convenor (North Wales)").holders.add(person)
    return {
        "official": factories.official_user(username="olwen", first_name="Olwen"),
        "secretariat": factories.secretariat_user(username="sian", first_name="Siân"),
        "member": factories.member_user(person=person, username="nia"),
        "member_action": ActionItem.objects.filter(owner_role__holders=person).first(),
        "organisation": organisation,
    }


def pages_for(role, seeded):
    """(path, navigation item, what the title must name) for every main page ``role`` opens."""
    meeting = Meeting.objects.order_by("starts_at").last()
    action = seeded["member_action"] if role == "member" else ActionItem.objects.first()
    plan = DeliveryPlan.objects.get()
    plan_action = PlanAction.objects.filter(plan=plan).order_by("reference").first()
    letter = Letter.objects.get()
    organisation = seeded["organisation"]
    forum = meeting.forum
    pages = [
        ("/", "Home"),
        ("/actions/mine/", "My actions"),
        ("/meetings/", "Meetings"),
        (meeting.get_absolute_url(), "Meetings", str(meeting)),
        ("/actions/", "Actions"),
        (action.get_absolute_url(), "Actions", f"Action {action.number} – {meeting}"),
        ("/plan/", "Delivery plan"),
        (plan.get_absolute_url(), "Delivery plan", plan.period),
        (plan_action.get_absolute_url(), "Delivery plan", plan_action.reference),
        ("/directory/organisations/", "Organisations"),
        (organisation.get_absolute_url(), "Organisations", organisation.name),
        ("/directory/forums/", "Forums"),
        (forum.get_absolute_url(), "Forums", forum.name),
        ("/letters/", "Letters"),
        (letter.get_absolute_url(), "Letters", letter.subject_en),
        ("/search/?q=hate+crime", "Search", "hate crime"),
        ("/calendar/mine/", None),
        ("/accessibility/", None),
    ]
    if role == "secretariat":
        # The secretariat sees the same list and reading pages as officials (checked above);
        # keep those that change with the role, to keep the check quick.
        pages = [page for page in pages if page[0] in SECRETARIAT_SHARED_PAGES or len(page) > 2]
    if role in ("member", "official"):
        pages.append(
            (f"{action.get_absolute_url()}update/", "Actions", f"{action.number} – {meeting}")
        )
    if role != "member":
        person = Person.objects.filter(organisation=organisation).first()
        edit = f"/meetings/{meeting.pk}/edit/"
        pages += [
            ("/directory/people/", "People"),
            (person.get_absolute_url(), "People", person.full_name),
            ("/letters/compose/", "Letters"),
            ("/letters/outbox/", "Letters"),
            ("/meetings/new/", "Meetings"),
            (edit, "Meetings", str(meeting)),
            (f"{edit}agenda/", "Meetings", str(meeting)),
            (f"{edit}attendance/", "Meetings", str(meeting)),
            (f"{edit}actions/", "Meetings", str(meeting)),
            (f"{edit}previous-actions/", "Meetings", str(meeting)),
            (f"/calendar/meetings/{meeting.pk}/invitations/", "Meetings", str(meeting)),
        ]
    if role == "official":
        membership = Membership.objects.current().filter(forum=forum).first()
        manage = f"/plan/manage/{plan.period}/"
        pages += [
            (f"{manage}structure/", "Delivery plan"),
            (f"{manage}edit/", "Delivery plan"),
            (f"{manage}objectives/add/", "Delivery plan"),
            (f"{manage}actions/add/", "Delivery plan"),
            (
                f"{manage}actions/{plan_action.reference}/edit/",
                "Delivery plan",
                plan_action.reference,
            ),
            ("/directory/add/organisation/", "Organisations"),
            (f"{organisation.get_absolute_url()}edit/", "Organisations", organisation.name),
            ("/directory/add/person/", "People"),
            (f"{person.get_absolute_url()}edit/", "People", person.full_name),
            ("/directory/add/forum/", "Forums"),
            (f"{forum.get_absolute_url()}edit/", "Forums", forum.name),
            (f"{forum.get_absolute_url()}members/add/", "Forums", forum.name),
            (
                f"{forum.get_absolute_url()}members/{membership.pk}/end/",
                "Forums",
                forum.name,
            ),
        ]
    return pages


def test_every_main_page_passes_axe_for_every_role(browser, live_server, seeded):
    problems = []

    visitor = Checker(browser, live_server.url, "signed out")
    visitor.visit("/accessibility/")
    visitor.page.goto(f"{live_server.url}/accounts/login/")
    visitor.page.get_by_role("button", name="Sign in").click()
    expect(visitor.page.locator(".govuk-error-summary")).to_be_visible()
    visitor.check("signed out /accounts/login/ with an error")
    visitor.page.get_by_role("button", name="Cymraeg").click()
    visitor.check("signed out /accounts/login/ in Welsh", language="cy")
    problems += visitor.problems
    visitor.close()

    # Officials, who see the most pages, are checked on a phone; the others on a desktop.
    for role, viewport in (("official", PHONE), ("secretariat", DESKTOP), ("member", DESKTOP)):
        checker = Checker(browser, live_server.url, role, viewport)
        checker.sign_in(seeded[role].username)
        for path, nav, *names in pages_for(role, seeded):
            checker.visit(path, nav, names=names)
        checker.visit("/no-such-page/", status=404)
        if role == "member":
            checker.visit("/letters/compose/", nav="Letters", status=403)
        problems += checker.problems
        checker.close()

    assert not problems, "\n".join(problems)


def test_an_error_summary_is_announced_and_links_to_the_field(browser, live_server, official):
    checker = Checker(browser, live_server.url, "official")
    checker.sign_in(official.username)
    page = checker.page
    page.goto(f"{live_server.url}/meetings/new/")
    # The start is required; leave it empty.
    page.fill("input[name=venue]", "Cathays Park, Cardiff")
    page.get_by_role("button", name="Create the meeting").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # Announced: the summary is an alert, takes focus and the title says there is an error.
    expect(summary.get_by_role("alert")).to_have_count(1)
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    # Linked: each error takes the user to its field.
    link = summary.get_by_role("link", name="This field is required.")
    expect(link).to_have_attribute("href", "#id_starts_at")
    link.click()
    expect(page.locator("#id_starts_at")).to_be_focused()
    expect(page.locator("#id_starts_at")).to_have_attribute("aria-invalid", "true")
    checker.check("official /meetings/new/ with an error", "Meetings")
    checker.close()
    assert not checker.problems, "\n".join(checker.problems)


def test_every_page_of_the_matrix_passes_axe_in_both_languages_at_both_widths(matrix_walk):
    assert matrix_walk.loaded, "no page answered in HTML"
    problems = matrix_walk.axe
    assert not problems, f"{len(problems)} axe violations:\n" + "\n".join(problems)
