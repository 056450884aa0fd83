"""Finding records by words: one engine for PostgreSQL (full text search, ranked, stemmed) and a
plain one for SQLite. Each kind of record is searched within what the user may see."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, FloatField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from directory.models import Organisation, OrganisationAlias
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import AgendaItem, Meeting
from search import vectors

MAX_TERMS = 10
SNIPPET_CHARS = 90


@dataclass
class ResultGroup:
    kind: str
    title: str
    count: int
    results: list = field(default_factory=list)
    # The page of this kind's results shown (its links page through the rest).
    page_obj: Page | None = None


def search_terms(text: str) -> list[str]:
    """The words of ``text``, quotes and operators dropped, at most MAX_TERMS."""
    return re.findall(r"\w[\w'-]*", text or "")[:MAX_TERMS]


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


# PostgreSQL -------------------------------------------------------------------------------


class FullTextEngine:
    """PostgreSQL full text search over each record's stored ``search_vector`` (see
    ``search.vectors``): stems English words ("sharing" finds "share"), finds Welsh words as
    written, ranks by weight, and matches the stored, GIN-indexed vectors instead of parsing
    every row's text for every search."""

    def __init__(self, text):
        # The English words stemmed, or every word as written (Welsh text is stored unstemmed):
        # a record matches when either reading of the whole query does.
        english = SearchQuery(text, search_type="websearch", config=vectors.ENGLISH)
        welsh = SearchQuery(text, search_type="websearch", config=vectors.WELSH)
        self.query = english | welsh

    def ranked(self, queryset):
        return queryset.filter(search_vector=self.query).annotate(
            rank=SearchRank(F("search_vector"), self.query)
        )

    def items(self, queryset):
        return self.ranked(queryset)

    def meetings(self, queryset):
        # The best rank among the meeting's few items, matched row by row (FILTER) rather than
        # through the index: one index scan per meeting costs more than reading its items.
        best_item = (
            AgendaItem.objects.filter(meeting=OuterRef("pk"))
            .values("meeting")
            .annotate(
                best=Max(
                    SearchRank(F("search_vector"), self.query),
                    filter=Q(search_vector=self.query),
                )
            )
            .values("best")
        )
        matching_items = AgendaItem.objects.filter(search_vector=self.query).values("meeting")
        return (
            queryset.filter(Q(search_vector=self.query) | Q(pk__in=matching_items))
            .annotate(
                rank=SearchRank(F("search_vector"), self.query)
                + Coalesce(Subquery(best_item, output_field=FloatField()), Value(0.0))
            )
            .order_by("-rank", "-starts_at", "pk")
        )

    def actions(self, queryset):
        return self.ranked(queryset).order_by("-rank", "pk")

    def plan_actions(self, queryset):
        return self.ranked(queryset).order_by("-rank", "pk")

    def organisations(self, queryset):
        # Aliases are few (a handful per organisation) and have no stored vector.
        aliases = (
            OrganisationAlias.objects.annotate(
                document=SearchVector("alias", config=vectors.ENGLISH)
            )
            .filter(document=self.query)
            .values("organisation")
        )
        return (
            queryset.filter(Q(search_vector=self.query) | Q(pk__in=aliases))
            .annotate(rank=SearchRank(F("search_vector"), self.query))
            .order_by("-rank", "name")
        )


# SQLite -------------------------------------------------------------------------------------


def every_term_in(fields, terms) -> Q:
    """Each term in at least one of ``fields`` (case-insensitive substring)."""
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    return condition


class SimpleEngine:
    """The fallback: every word must appear somewhere in the record, in its English or its
    Welsh text; no ranking."""

    def __init__(self, text):
        self.terms = search_terms(text)

    def items(self, queryset):
        fields = ["title", "discussion", "title_cy", "discussion_cy"]
        return queryset.filter(every_term_in(fields, self.terms))

    def meetings(self, queryset):
        matching_items = self.items(AgendaItem.objects.all()).values("meeting")
        titles = every_term_in(["title", "venue"], self.terms)
        return queryset.filter(titles | Q(pk__in=matching_items)).order_by("-starts_at", "pk")

    def actions(self, queryset):
        fields = ["text", "inline_text", "owner_text", "completion_note"]
        return queryset.filter(every_term_in(fields, self.terms)).order_by("-pk")

    def plan_actions(self, queryset):
        fields = ["reference", "text", "text_cy", "progress_note", "leads_text"]
        matches = queryset.filter(every_term_in(fields, self.terms))
        return matches.order_by("plan", "sort_major", "sort_minor", "pk")

    def organisations(self, queryset):
        aliases = OrganisationAlias.objects.filter(every_term_in(["alias"], self.terms))
        names = every_term_in(["name", "short_name"], self.terms)
        return queryset.filter(names | Q(pk__in=aliases.values("organisation"))).order_by("name")


# Both ----------------------------------------------------------------------------------------


def engine_for(text):
    return FullTextEngine(text) if uses_full_text_search() else SimpleEngine(text)


KINDS = {
    "meetings": _("Meetings"),
    "actions": _("Actions"),
    "plan_actions": _("Delivery plan actions"),
    "organisations": _("Organisations"),
}


def kind_querysets(engine, user) -> dict:
    """Each kind's matches among the records ``user`` may see, best first, with what the
    results page shows of each row. Archived records are left out, as from every list: their
    pages stay, reached from what links to them."""
    return {
        "meetings": engine.meetings(
            Meeting.objects.visible_to(user).active().select_related("forum")
        ),
        "actions": engine.actions(
            ActionItem.objects.visible_to(user).active().select_related("meeting__forum")
        ),
        "plan_actions": engine.plan_actions(
            PlanAction.objects.filter(
                plan__in=DeliveryPlan.objects.visible_to(user)
            ).select_related("plan")
        ),
        "organisations": engine.organisations(Organisation.objects.active()),
    }


def in_forum(kind, queryset, forum):
    """``queryset`` of ``kind`` narrowed to the records of ``forum``: its meetings and their
    actions, the plans it monitors or that are shared with it, and its member organisations."""
    if kind == "meetings":
        return queryset.filter(forum=forum)
    if kind == "actions":
        return queryset.filter(meeting__forum=forum)
    if kind == "plan_actions":
        shared = DeliveryPlan.shared_with.through.objects.filter(forum=forum)
        return queryset.filter(Q(plan__forum=forum) | Q(plan__in=shared.values("deliveryplan")))
    members = forum.memberships.exclude(organisation=None).values("organisation")
    return queryset.filter(pk__in=members)


def search(*, user, text: str, limit: int, kinds=None, forum=None, page=1) -> list[ResultGroup]:
    """Results grouped by kind, each group's count and its ``page`` of ``limit`` rows; only the
    records of ``forum`` when one is given. Two queries a kind (count and page) and one for the
    meetings' matching items, however many records match."""
    if not search_terms(text):
        return []
    engine = engine_for(text)
    groups = []
    for kind, queryset in kind_querysets(engine, user).items():
        if kinds and kind not in kinds:
            continue
        if forum is not None:
            queryset = in_forum(kind, queryset, forum)
        page_obj = Paginator(queryset, limit).get_page(page)
        rows = list(page_obj.object_list)
        groups.append(ResultGroup(kind, KINDS[kind], page_obj.paginator.count, rows, page_obj))
    terms = search_terms(text)
    for group in groups:
        if group.kind == "meetings" and group.results:
            attach_matching_items(engine, group.results, terms)
        if group.kind == "plan_actions":
            for action in group.results:
                action.matching_text = matching_text(terms, action.text, action.text_cy)
    return groups


def attach_matching_items(engine, meetings, terms):
    """Each meeting's agenda items that match, for the "discussed under" line: one query."""
    by_meeting = {meeting.pk: meeting for meeting in meetings}
    for meeting in meetings:
        meeting.matching_items = []
    items = engine.items(AgendaItem.objects.filter(meeting__in=list(by_meeting)))
    for item in items.order_by("meeting", "number"):
        item.matching_title = matching_text(terms, item.title, item.title_cy)
        item.matching_text = matching_text(terms, item.discussion, item.discussion_cy)
        by_meeting[item.meeting_id].matching_items.append(item)


def matching_text(terms, english: str, welsh: str) -> str:
    """The English text, or the Welsh when only it has a word searched for: what a record
    found by its Welsh shows."""
    if (
        welsh
        and not term_pattern(terms).search(english or "")
        and term_pattern(terms).search(welsh)
    ):
        return welsh
    return english or welsh


def term_pattern(terms):
    """The start of each word searched for, then the rest of the word: "sharing" matches
    "share"."""
    stems = [re.escape(term[: max(4, len(term) - 3)]) for term in terms if term]
    return re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)


def snippet(text: str, terms) -> str:
    """A short piece of ``text`` around the first term found, terms marked, all escaped."""
    text = " ".join((text or "").split())
    if not text or not any(terms):
        return ""
    pattern = term_pattern(terms)
    found = pattern.search(text)
    start = max(0, found.start() - SNIPPET_CHARS // 2) if found else 0
    piece = text[start : start + SNIPPET_CHARS * 2]
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", piece)
    html = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS * 2 < len(text) else ""
    return mark_safe(prefix + html + suffix)
