"""What the browser checks share: axe-core, and the walk over every page of the URL × role matrix.

axe-core is vendored (tests/browser/vendor/axe.min.js), so no Node is needed at test time. It is
added to each document as an init script (Chromium runs those outside the page's
Content-Security-Policy), so the pages are checked under the policy they are served with.

The walk visits the pages of the URL × role matrix (tests/test_permissions.py: its URLs, its
dataset and its roles), with the seed documents (the real delivery plan, meeting notes and letter,
whose long tables and words are what overflow a phone) loaded into the matrix's forum. Every page
is loaded once per role and language and then checked by each of the walk's checks, so the
narrow-screen and the axe tests share one walk (matrix_walk in conftest.py).
"""

from dataclasses import dataclass, field
from pathlib import Path

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
from tests.test_permissions import ACCESS, ALLOWED_ROLES, ROLES, ROUTES, url_for

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  // A navigation item is the "page" itself, or "true" for the pages within its section.
  const current = (a) => a.getAttribute("aria-current") === (
    a.pathname === location.pathname ? "page" : "true") ? "" : " (wrong aria-current)";
  const languageSwitch = document.querySelector("button[name=language]");
  return {
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(" ")),
    })),
    title: document.title,
    path: location.pathname + location.search,
    lang: document.documentElement.lang,
    current: [...document.querySelectorAll(".govuk-service-navigation a[aria-current]")].map(
      (a) => a.textContent.trim() + current(a)),
    switchLang: languageSwitch && languageSwitch.getAttribute("lang"),
    switchText: languageSwitch && languageSwitch.textContent.trim(),
  };
}"""

DESKTOP = {"width": 1280, "height": 800}
HEIGHT = 740
LANGUAGES = ("en", "cy")
# Answers that are pages: the page itself, and the pages that refuse it.
PAGE_STATUSES = (200, 403, 404)
# Those who keep the records also see the records not shared with members.
STAFF_ROLES = ALLOWED_ROLES["staff"]
# Walked in English only, to keep the walk within a few minutes: the secretariat's pages are the
# officials' templates (walked in both languages) with fewer links, and the records not shared
# with members are shown by the same templates as the shared ones.
ENGLISH_ONLY_ROLES = {"secretariat"}


def new_context(browser, viewport=None, **options):
    """A browser context whose documents all have axe-core loaded."""
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/London", viewport=viewport or DESKTOP, **options
    )
    context.set_default_timeout(10_000)
    context.add_init_script(script=AXE_SOURCE)
    return context


def run_axe(page):
    """axe-core's WCAG 2.2 AA violations on the loaded page, with what the page says of itself
    (title, path, language, current navigation item, language switch)."""
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def describe_violations(where, found):
    """One line per violated rule: where, the rule, its impact and the offending selectors."""
    return [
        f"{where}: {violation['id']} ({violation['impact']}) "
        f"{'; '.join(violation['targets'][:5])}"
        f"{' …' if len(violation['targets']) > 5 else ''} {violation['help']}"
        for violation in found["violations"]
    ]


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


# The matrix walk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A loaded page of the walk."""

    role: str
    name: str  # the URL's name in the matrix
    url: str
    language: str

    def where(self, width):
        return f"{self.role} {self.name} {self.url} at {width} px in {self.language}"


def routes_for(role):
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


def seed_values(world):
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
    for route in routes_for(role):
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


def signed_in_context(browser, live_server, client, user, language, viewport):
    """A browser context signed in as the user (the test client's session, so the sign-in form
    is not filled once per role and language) with the language chosen."""
    context = new_context(browser, viewport)
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


def walk(browser, live_server, world, viewport, checks):
    """Loads every page of the matrix for every role (in both languages but for
    ENGLISH_ONLY_ROLES) at the viewport, and calls each ``check(page, visit)`` on it; returns
    how many pages were loaded."""
    datasets = [world["shared"], seed_values(world), world["hidden"]]
    loaded = 0
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
            context = signed_in_context(browser, live_server, client, user, language, viewport)
            page = context.new_page()
            for name, url in addresses(role, role_datasets):
                if not is_page(client, url, language):
                    continue
                page.goto(f"{live_server.url}{url}")
                loaded += 1
                visit = Visit(role, name, url, language)
                for check in checks:
                    check(page, visit)
            context.close()
    return loaded


# The widths the walk checks ------------------------------------------------------------------

# The narrowest phone in common use (an iPhone SE of the first generation, and 400 % zoom of a
# 1280 px window) and the most common one: the page must never scroll sideways at either.
NARROW_WIDTHS = (320, 375)
# axe runs at the narrowest phone and at a desktop, in both languages. The two are where the
# layout differs (GOV.UK Frontend's breakpoints are at 641 and 769 px: the service navigation
# folds into a menu button, tables and summary lists change shape, targets shrink against
# their neighbours), and axe only judges what is rendered, so neither width stands for the
# other. 375 px has the 320 px layout (no breakpoint between them) and is measured for width
# only: a third axe run per page would add a minute or more to the walk for nothing new.
AXE_WIDTHS = (320, 1280)


@dataclass
class WalkResults:
    loaded: int = 0
    too_wide: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)


def check_widths_and_axe(results):
    """The walk's check: at each width, the page's width (NARROW_WIDTHS) and axe (AXE_WIDTHS),
    each page loaded once."""

    def check(page, visit):
        for width in sorted(set(NARROW_WIDTHS) | set(AXE_WIDTHS)):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            where = visit.where(width)
            if width in NARROW_WIDTHS:
                found = page.evaluate(MEASURE)
                if found["lang"] != visit.language:
                    results.too_wide.append(f"{where}: served in {found['lang']!r}")
                if found["scrollWidth"] > found["innerWidth"]:
                    results.too_wide.append(
                        f"{where}: the page is {found['scrollWidth']} px wide; sticking out: "
                        f"{'; '.join(found['offending']) or 'nothing measurable'}"
                    )
            if width in AXE_WIDTHS:
                results.axe += describe_violations(where, run_axe(page))

    return check


def walk_matrix(browser, live_server, world):
    """Every page of the matrix, measured at NARROW_WIDTHS and checked by axe at AXE_WIDTHS."""
    results = WalkResults()
    narrowest = {"width": min(NARROW_WIDTHS), "height": HEIGHT}
    results.loaded = walk(browser, live_server, world, narrowest, [check_widths_and_axe(results)])
    return results
