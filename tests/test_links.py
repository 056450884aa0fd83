"""Every link a signed-in user is shown leads somewhere that works for them.

Starting from the home page with the seed documents loaded, follow the product's own links
(a few per URL name, so the walk stays quick) and check none is broken or forbidden: a page
must not offer what the user may not open.
"""

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from directory.models import Organisation, OwnerRole
from tests import factories

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
# Links that leave the product's pages or are static assets.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/")
VISITS_PER_URL_NAME = 2


@pytest.fixture
def seeded(db):
    call_command("load_seed_documents", verbosity=0)


def member_of_seed_forum():
    organisation = Organisation.objects.get(short_name="NWREN")
    person = factories.PersonFactory(organisation=organisation)
    OwnerRole.objects.get(name="Regional Convenor (North Wales)").holders.add(person)
    return factories.member_user(person=person, username="walker-member")


def walk(client, start="/"):
    seen_names = Counter()
    visited, broken = set(), []
    queue = deque([(start, "start")])
    while queue:
        url, source = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            broken.append((url, source, "no such URL"))
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if seen_names[name] >= VISITS_PER_URL_NAME:
            continue
        seen_names[name] += 1
        response = client.get(url)
        if response.status_code != 200:
            broken.append((url, source, response.status_code))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(SKIP_PREFIXES) and href not in visited:
                queue.append((href, url))
    return seen_names, broken


@pytest.mark.parametrize("role", ["official", "secretariat", "member"])
def test_every_link_shown_works(client, seeded, role):
    if role == "member":
        user = member_of_seed_forum()
    else:
        user = getattr(factories, f"{role}_user")(username=f"walker-{role}")
    client.force_login(user)
    seen, broken = walk(client)
    assert not broken, broken
    # The walk really reached the product's main pages.
    for name in ("meetings:detail", "actions:detail", "hatecrime:action_detail"):
        assert seen[name], (name, sorted(seen))
    assert seen["exports:meeting_notes_download"] and seen["calendars:meeting_ics"]
    staff_pages = ("correspondence:compose", "correspondence:outbox", "meetings:edit")
    for name in staff_pages:
        assert bool(seen[name]) == (role != "member"), (name, role)
