"""The seed letter's page on a 320 px screen, in English and Welsh: the page never scrolls
sideways (its long web addresses and email address wrap), the letterhead stacks, and the
letter's parts keep their order down the screen."""

from pathlib import Path

import pytest
from django.conf import settings

from correspondence.importers import import_letter
from correspondence.models import Letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "letter-2025-01-30-JH-PO-31-2025.txt"

# The page's width and the top of each part of the letter, in page order.
MEASURE = """() => {
  const top = (selector) => {
    const element = document.querySelector(selector);
    return element ? element.getBoundingClientRect().top + window.scrollY : null;
  };
  const letter = document.querySelector("[data-letter]").getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    letterRight: letter.right,
    parts: ["[data-letterhead]", "[data-references]", "[data-addressee]", "[data-date]",
            "[data-sign-off]", "[data-cc]", "[data-enclosures]", "[data-contact]"].map(top),
  };
}"""


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_seed_letter_fits_a_320_px_screen(browser_page, live_server, client, member, language):
    import_letter(text=SEED.read_text(encoding="utf-8"), source_name=SEED.name)
    letter = Letter.objects.get()
    client.force_login(member)
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 740})
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == language
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    assert measured["letterRight"] <= measured["innerWidth"] + 0.5, measured
    tops = measured["parts"]
    assert None not in tops, tops
    assert tops == sorted(tops), tops
