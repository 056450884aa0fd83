"""Every page fits a phone's screen: at 320 and 375 CSS pixels wide, in English and in Welsh, the
page itself never scrolls sideways.

The pages are those of the URL × role matrix, walked once for this test and the axe test
(tests/browser/pages.py). A wide table may scroll inside its own labelled region, which is
allowed: only the page's own width is measured (``document.documentElement.scrollWidth`` against
``window.innerWidth``). When a page is too wide, the failure names it and the widest elements
that stick out past the screen's edge, outside any region that scrolls by itself.
"""

import pytest

from tests.test_permissions import world  # noqa: F401  (the matrix's dataset, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_fits_a_narrow_screen_in_both_languages(matrix_walk):
    assert matrix_walk.loaded, "no page answered in HTML"
    problems = matrix_walk.too_wide
    assert not problems, f"{len(problems)} pages too wide for a phone:\n" + "\n".join(problems)
