"""Every page fits a phone's screen: at 320 and 375 CSS pixels wide, in English and in Welsh, the
page itself never scrolls sideways.

The pages are those of the URL × role matrix (tests/test_permissions.py: its URLs, its dataset and
its roles), with the seed documents (the real delivery plan, meeting notes and letter, whose long
tables and words are what overflow a phone) loaded into the matrix's forum and their pages walked
too. A wide table may scroll inside its own labelled region, which is allowed: only the page's own
width is measured (``document.documentElement.scrollWidth`` against ``window.innerWidth``). When a
page is too wide, the failure names it and the widest elements that stick out past the screen's
edge, outside any region that scrolls by itself.

One Chromium serves the whole walk; each role and language has one context, signed in once. Every
role is walked in English; in Welsh (whose words are longer) every role but the secretariat,
whose pages are the officials' (ENGLISH_ONLY_ROLES).
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import Length
from django.test import Client

from actions.models import ActionItem
from correspondence.models import Letter
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import Meeting
from tests.browser.conftest import CHROMIUM_ARGS
from tests.test_permissions import (
    ACCESS,
    ALLOWED_ROLES,
    ROLES,
    ROUTES,
    url_for,
    world,  # noqa: F401  (the matrix's dataset, as a fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The narrowest phone in common use (an iPhone SE of the first generation, and 400 % zoom of a
# 1280 px window) and the most common one.
WIDTHS = (320, 375)
LANGUAGES = ("en", "cy")
HEIGHT = 740
# Answers that are pages: the page itself, and the pages that refuse it.
PAGE_STATUSES = (200, 403, 404)
# Those who keep the records also see the records not shared with members.
STAFF_ROLES = ALLOWED_ROLES["staff"]
# Walked in English only, to keep the walk within a few minutes: the secretariat's pages are the
# officials' templates (walked in both languages) with fewer links, and the records not shared
# with members are shown by the same templates as the shared ones.
ENGLISH_ONLY_ROLES = {"secretariat"}

# The page's width, and the elements that stick out past the right edge of the screen (or the
# left), outside any element that clips or scrolls them: the widest first, each as a short
# selector with the start of its text.
MEASURE = """() => {
  const limit = window.innerWidth;
  // Whether an ancestor that clips or scrolls holds the element in: only ancestors on the way
  // to its containing block count (an absolutely positioned element escapes a scrolling
  // region that is not positioned, and then widens the page).
  const clipped = (element) => {
    let position = getComputedStyle(element).position;
    for (let parent = element.parentElement; parent && parent !== document.body;
         parent = parent.parentElement) {
      if (position === "fixed") return false;
      const style = getComputedStyle(parent);
      if (position === "absolute" && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      position = style.position;
    }
    return false;
  };
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    for (const cls of element.classList) name += "." + cls;
    const text = (element.innerText || element.value || "").trim().replace(/\\s+/g, " ");
    return `${name} (${Math.round(element.getBoundingClientRect().width)} px` +
      `${text ? ", \\"" + text.slice(0, 60) + "\\"" : ""})`;
  };
  const offending = [];
  const scrollWidth = document.documentElement.scrollWidth;
  // Only a page that is too wide is searched for the culprits (the search is slow on long ones).
  for (const element of scrollWidth > limit ? document.body.querySelectorAll("*") : []) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > limit + 0.5 || box.left < -0.5) && !clipped(element)) {
      offending.push([box.width, element]);
    }
  }
  offending.sort((a, b) => b[0] - a[0]);
  return {
    scrollWidth,
    innerWidth: limit,
    lang: document.documentElement.lang,
    offending: offending.slice(0, 3).map(([, element]) => describe(element)),
  };
}"""


def pages_for(role):
    """The matrix's URLs that the role may open."""
    for route in ROUTES:
        if route.name in ACCESS and role in ALLOWED_ROLES[ACCESS[route.name]]:
            yield route


def fill_url(route, values):
    """The URL of the route from a dataset, or None for a route the matrix cannot fill yet (its
    own test reports that)."""
    try:
        return url_for(route, values)
    except pytest.fail.Exception:
        return None


def seed_values(world):  # noqa: F811
    """The seed documents, loaded into the matrix's forum, as values for the matrix's URLs: the
    real plan, meeting and letter (the records with the most in them), in place of the
    dataset's short made-up ones. A seed may land on a made-up record (the notes of a meeting
    on the same day update it): then that record is the seed's."""
    shared = world["shared"]
    call_command("load_seed_documents", forum=shared["directory:forum_detail:slug"], verbosity=0)
    meeting = Meeting.objects.annotate(rows=Count("attendance")).order_by("-rows", "pk").first()
    action = ActionItem.objects.filter(meeting=meeting).order_by("number").first()
    letter = Letter.objects.annotate(length=Length("body_en")).order_by("-length", "pk").first()
    plan = DeliveryPlan.objects.annotate(rows=Count("actions")).order_by("-rows", "pk").first()
    # The action with the most lead organisations: the widest row of the plan.
    plan_action = (
        PlanAction.objects.filter(plan=plan)
        .order_by(Length("leads_text").desc(), "reference")
        .first()
    )
    values = dict(shared)
    values |= {key: meeting.pk for key in ("meetings:pk", "calendars:pk", "exports:pk")}
    values |= {"actions:pk": action.pk, "correspondence:pk": letter.pk}
    values |= {
        "period": plan.slug,
        "reference": plan_action.reference,
        "hatecrime:objective_edit:pk": plan_action.area.objective.pk,
        "hatecrime:area_edit:pk": plan_action.area.pk,
    }
    return values


def addresses(role, datasets):
    """(URL name, URL) for every page of the role in every dataset, each URL once; the pages it
    may not open and a page that does not exist, for the pages that refuse."""
    seen = set()
    for route in pages_for(role):
        for values in datasets:
            url = fill_url(route, values)
            if url and url not in seen:
                seen.add(url)
                yield route.name, url
    refused = [
        route
        for route in ROUTES
        if route.name in ACCESS and not route.kwargs
        if role not in ALLOWED_ROLES[ACCESS[route.name]]
    ]
    if refused:
        yield refused[0].name, fill_url(refused[0], datasets[0])
    yield "a page that does not exist", "/no-such-page/"


def is_page(client, url, language):
    """Whether the URL answers with an HTML page (not a redirect, a download or a refused POST);
    asked in-process, so the browser never starts a download."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    return response.status_code in PAGE_STATUSES and response.get("Content-Type", "").startswith(
        "text/html"
    )


@pytest.fixture
def browser(chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test body still
    # talks to the database synchronously, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def signed_in_context(browser, live_server, client, user, language):
    """A browser context signed in as the user (the test client's session, so the sign-in form
    is not filled once per role and language) with the language chosen."""
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": WIDTHS[0], "height": HEIGHT},
    )
    context.set_default_timeout(10_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
    if user is not None:
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        )
    context.add_cookies([cookie | {"url": live_server.url} for cookie in cookies])
    return context


def too_wide(page, where, language):
    """Problems found on the loaded page at each width."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        found = page.evaluate(MEASURE)
        if found["lang"] != language:
            problems.append(f"{where}: served in {found['lang']!r}, not {language!r}")
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(
                f"{where} at {width} px in {language}: the page is {found['scrollWidth']} px "
                f"wide; sticking out: {'; '.join(found['offending']) or 'nothing measurable'}"
            )
    return problems


def test_every_page_fits_a_narrow_screen_in_both_languages(
    browser,
    live_server,
    world,  # noqa: F811
):
    datasets = [world["shared"], seed_values(world), world["hidden"]]
    problems, checked = [], 0
    for role in ROLES:
        user = world["users"][role]
        client = Client()
        if user is not None:
            client.force_login(user)
        for language in LANGUAGES:
            if language != "en" and role in ENGLISH_ONLY_ROLES:
                continue
            # The records not shared with members: for those who see them, in English.
            role_datasets = datasets if role in STAFF_ROLES and language == "en" else datasets[:2]
            context = signed_in_context(browser, live_server, client, user, language)
            page = context.new_page()
            for name, url in addresses(role, role_datasets):
                if not is_page(client, url, language):
                    continue
                page.goto(f"{live_server.url}{url}")
                checked += 1
                problems += too_wide(page, f"{role} {name} {url}", language)
            context.close()
    assert checked, "no page answered in HTML"
    assert not problems, f"{len(problems)} pages too wide for a phone:\n" + "\n".join(problems)
