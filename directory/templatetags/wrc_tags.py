"""Template helpers shared by every page."""

import datetime
import itertools

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wrc import access
from wrc.lib.history import history_of
from wrc.lib.sorting import header_link

register = template.Library()


def _html_blocks(text: str):
    """Yield escaped <p>/<ul> blocks: blank lines separate paragraphs, "- " lines are bullets."""
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush_paragraph():
        if paragraph:
            yield "<p>" + " ".join(conditional_escape(line) for line in paragraph) + "</p>"
            paragraph.clear()

    def flush_bullets():
        if bullets:
            items = "".join(f"<li>{conditional_escape(b)}</li>" for b in bullets)
            yield f"<ul>{items}</ul>"
            bullets.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("- ", "• ", "* ")):
            yield from flush_paragraph()
            bullets.append(line[2:].strip())
        elif not line:
            yield from flush_paragraph()
            yield from flush_bullets()
        else:
            yield from flush_bullets()
            paragraph.append(line)
    yield from flush_paragraph()
    yield from flush_bullets()


@register.filter(is_safe=True)
def paragraphs(text):
    """Plain text from the notes as HTML paragraphs and bullet lists, every piece escaped."""
    if not text:
        return ""
    return mark_safe("\n".join(_html_blocks(str(text))))


def _clock(value: datetime.datetime, with_meridiem: bool) -> str:
    clock = dateformat.format(value, "g:i")
    if not with_meridiem:
        return clock
    # Outside the f-string, where makemessages cannot see them.
    meridiem = _("am") if value.hour < 12 else _("pm")
    return f"{clock} {meridiem}"


def time_not_recorded() -> str:
    """What is shown instead of a time for a meeting whose notes give only its date."""
    return _("time not recorded")


def meeting_times(meeting) -> str:
    """The times as the notes write them ("12:00 – 1:00 pm"); "time not recorded" when the
    notes gave none (the stored midnight is a placeholder, never a time to show)."""
    if not meeting.time_recorded:
        return time_not_recorded()
    starts = timezone.localtime(meeting.starts_at)
    if not meeting.ends_at:
        return _clock(starts, True)
    ends = timezone.localtime(meeting.ends_at)
    same_half = (starts.hour < 12) == (ends.hour < 12)
    return f"{_clock(starts, not same_half)} – {_clock(ends, True)}"


@register.simple_tag
def meeting_when(meeting):
    """When and where, as the notes write it.

    For example "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams", or "Monday 17th March
    2025 (time not recorded) – Via Teams" when the notes gave only the date.
    """
    day = formats.date_format(timezone.localtime(meeting.starts_at), "NOTES_DATE_FORMAT")
    if meeting.time_recorded:
        parts = [f"{meeting_times(meeting)}, {day}"]
    else:
        parts = [f"{day} ({time_not_recorded()})"]
    where = meeting_where(meeting)
    if where:
        parts.append(where)
    return " – ".join(parts)


def meeting_where(meeting) -> str:
    """Meeting.where in the reader's language ("Via Teams", "Drwy Teams")."""
    if meeting.venue and meeting.online_platform:
        return _("%(venue)s and via %(platform)s") % {
            "venue": meeting.venue,
            "platform": meeting.online_platform,
        }
    if meeting.online_platform:
        return _("Via %(platform)s") % {"platform": meeting.online_platform}
    return meeting.venue


@register.simple_tag
def meeting_day_and_time(meeting):
    """The day and the start, as invitations write it: "Monday 17 March 2025, 12:00", or
    "Monday 17 March 2025 (time not recorded)". Uses the active time zone."""
    starts = timezone.localtime(meeting.starts_at)
    day = formats.date_format(starts, "WEEKDAY_DATE_FORMAT")
    if not meeting.time_recorded:
        return f"{day} ({time_not_recorded()})"
    return f"{day}, {formats.time_format(starts, 'TIME_FORMAT')}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with ``changes`` applied: keeps filters when paging."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.inclusion_tag("includes/status_tag.html")
def action_status(action, today=None):
    """An action's status as a tag with words (never colour alone), and "Overdue" when it is."""
    return {"action": action, "overdue": action.is_overdue(today)}


# Pages whose address lies outside the section they belong to in the navigation.
NAV_SECTION_OF = {
    "directory:organisation_add": "directory:organisation_list",
    "directory:person_add": "directory:person_list",
    "directory:forum_add": "directory:forum_list",
    "calendars:meeting_invitations": "meetings:list",
}


@register.filter
def nav_current(request, prefix):
    """aria-current for the navigation item whose section the page belongs to: "page" on the
    item's own page, "true" on the pages within its section."""
    path = request.path
    if path == prefix:
        return mark_safe(' aria-current="page"')
    match = request.resolver_match
    section = NAV_SECTION_OF.get(match.view_name) if match else None
    if prefix != "/" and path.startswith(prefix) or section and reverse(section) == prefix:
        return mark_safe(' aria-current="true"')
    return ""


@register.filter
def keeps_records_of(user, forum):
    """``{% if user|keeps_records_of:meeting.forum_id %}``: may the user change the records of
    that forum (a Forum or its id)? Links to pages they would be refused are not shown."""
    return access.can_manage_forum(user, forum)


@register.inclusion_tag("includes/history.html")
def history_panel(record):
    """Who changed ``record``, when, and what: the history panel on every record's page."""
    entries, more = history_of(record)
    return {"entries": entries, "more": more}


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, key, label, numeric=False):
    """A sortable column header: a link that sorts by ``key`` (keeping the filters) and
    aria-sort on the current column. The view uses ``wrc.lib.sorting.SortableListMixin``."""
    link = header_link(context["request"].GET, context["current_sort"], key)
    return {"label": label, "numeric": numeric, **link}


@register.filter
def page_links(page_obj):
    """The pages a list links to: the first, the last and two either side of the current one,
    with ``Paginator.ELLIPSIS`` between. A link to every page was 401 links at 10,000 actions,
    a tenth of the actions list's time (issue 13)."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


def _next_table_caption_id(context) -> str:
    """An id for the next table's caption, unique within the page (counted on the request, which
    every include and inclusion tag of one page shares)."""
    request = getattr(context, "request", None) or context.get("request")
    if request is None:
        return f"wrc-table-caption-{next(_captions_without_request)}"
    request.wrc_table_captions = getattr(request, "wrc_table_captions", 0) + 1
    return f"wrc-table-caption-{request.wrc_table_captions}"


_captions_without_request = itertools.count(1)


class TableRegionNode(template.Node):
    def __init__(self, nodelist, variable=None, labelledby=None):
        self.nodelist, self.variable, self.labelledby = nodelist, variable, labelledby

    def render(self, context):
        if self.labelledby is not None:
            labelledby = self.labelledby.resolve(context)
        else:
            labelledby = _next_table_caption_id(context)
        with context.push({self.variable: labelledby} if self.variable else {}):
            table = self.nodelist.render(context)
        return format_html(
            '<div class="wrc-table-scroll" role="region" aria-labelledby="{}" tabindex="0">'
            "{}</div>",
            labelledby,
            mark_safe(table),
        )


@register.tag
def table_region(parser, token):
    """A table that scrolls sideways inside its own region when it is wider than the screen, so
    the page itself never does (a phone, or 400 % zoom). The region is named by the table's
    caption and takes keyboard focus, so it can be scrolled with the arrow keys:

        {% table_region as caption_id %}
          <table class="govuk-table"><caption id="{{ caption_id }}" …>…</caption>…</table>
        {% endtable_region %}

    ``{% table_region labelledby="some-heading" %}`` names it by an element that is already on
    the page instead (a table without a caption of its own).
    """
    bits = token.split_contents()
    variable = labelledby = None
    if len(bits) == 3 and bits[1] == "as":
        variable = bits[2]
    elif len(bits) == 2 and bits[1].startswith("labelledby="):
        labelledby = parser.compile_filter(bits[1].removeprefix("labelledby="))
    else:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes 'as NAME' (the caption's id) or 'labelledby=ID'"
        )
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(nodelist, variable, labelledby)
