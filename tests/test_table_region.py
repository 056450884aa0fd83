"""The table_region tag: a table that scrolls inside its own labelled, focusable region."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

TABLE = (
    "{% table_region as caption_id %}"
    '<table><caption id="{{ caption_id }}">{{ name }}</caption></table>'
    "{% endtable_region %}"
)


def render(source, **context):
    request = RequestFactory().get("/")
    return Template("{% load wrc_tags %}" + source).render(Context({"request": request, **context}))


def regions(html):
    return re.findall(
        r'<div class="wrc-table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">'
        r'<table><caption id="([^"]*)">',
        html,
    )


def test_each_region_is_named_by_its_own_tables_caption():
    html = render("{% for name in names %}" + TABLE + "{% endfor %}", names=["Actions", "People"])
    found = regions(html)
    assert len(found) == 2
    assert all(labelledby == caption for labelledby, caption in found)
    assert found[0][0] != found[1][0], "two tables on one page share an id"
    assert html.count("</table></div>") == 2


def test_ids_stay_unique_across_the_includes_of_one_page(tmp_path, settings):
    (tmp_path / "part.html").write_text("{% load wrc_tags %}" + TABLE)
    settings.TEMPLATES = [
        settings.TEMPLATES[0] | {"DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    html = render('{% include "part.html" %}' + TABLE + '{% include "part.html" %}', name="x")
    ids = [labelledby for labelledby, _caption in regions(html)]
    assert len(ids) == 3 and len(set(ids)) == 3, ids


def test_a_region_can_be_named_by_a_heading_already_on_the_page():
    html = render(
        '<h2 id="sent">Sent</h2>{% table_region labelledby="sent" %}<table></table>'
        "{% endtable_region %}"
    )
    assert 'role="region" aria-labelledby="sent" tabindex="0"><table></table></div>' in html


def test_the_caption_id_is_escaped():
    html = render(
        "{% table_region labelledby=heading %}<table></table>{% endtable_region %}",
        heading='"><script>',
    )
    assert "<script>" not in html


def test_the_tag_says_how_it_is_used():
    with pytest.raises(TemplateSyntaxError, match="as NAME"):
        render("{% table_region caption %}<table></table>{% endtable_region %}")
