"""Finding records by words: one engine for PostgreSQL (full text search, ranked, stemmed) and a
plain one for SQLite. Each kind of record is searched within what the user may see."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from directory.models import Organisation, OrganisationAlias
from hatecrime.models import DeliveryPlan, PlanAction
from meetings.models import AgendaItem, Meeting

MAX_TERMS = 10
SNIPPET_CHARS = 90
CONFIG = "english"


@dataclass
class ResultGroup:
    kind: str
    title: str
    count: int
    results: list = field(default_factory=list)


def search_terms(text: str) -> list[str]:
    """The words of ``text``, quotes and operators dropped, at most MAX_TERMS."""
    return re.findall(r"\w[\w'-]*", text or "")[:MAX_TERMS]


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


# PostgreSQL -------------------------------------------------------------------------------


def vector(*weighted):
    """A search vector over (field, weight) pairs: A for titles, B for the main text, C for
    the rest."""
    parts = [SearchVector(name, weight=weight, config=CONFIG) for name, weight in weighted]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


class FullTextEngine:
    """PostgreSQL full text search: stems words ("sharing" finds "share"), ranks by weight."""

    def __init__(self, text):
        self.query = SearchQuery(text, search_type="websearch", config=CONFIG)

    def ranked(self, queryset, weighted):
        document = vector(*weighted)
        return (
            queryset.annotate(document=document)
            .filter(document=self.query)
            .annotate(rank=SearchRank(document, self.query))
        )

    def items(self, queryset):
        return self.ranked(queryset, [("title", "A"), ("discussion", "B")])

    def meetings(self, queryset):
        document = vector(("title", "A"), ("venue", "C"))
        best_item = (
            self.items(AgendaItem.objects.filter(meeting=OuterRef("pk")))
            .order_by("-rank")
            .values("rank")[:1]
        )
        matching_items = self.items(AgendaItem.objects.all()).values("meeting")
        return (
            queryset.annotate(document=document)
            .filter(Q(document=self.query) | Q(pk__in=matching_items))
            .annotate(
                rank=SearchRank(document, self.query)
                + Coalesce(Subquery(best_item, output_field=FloatField()), Value(0.0))
            )
            .order_by("-rank", "-starts_at")
        )

    def actions(self, queryset):
        weighted = [("text", "A"), ("inline_text", "B"), ("owner_text", "C")]
        weighted.append(("completion_note", "C"))
        return self.ranked(queryset, weighted).order_by("-rank", "pk")

    def plan_actions(self, queryset):
        weighted = [("reference", "A"), ("text", "A"), ("progress_note", "B")]
        weighted.append(("leads_text", "C"))
        return self.ranked(queryset, weighted).order_by("-rank", "pk")

    def organisations(self, queryset):
        document = vector(("name", "A"), ("short_name", "A"))
        aliases = (
            OrganisationAlias.objects.annotate(document=vector(("alias", "B")))
            .filter(document=self.query)
            .values("organisation")
        )
        return (
            queryset.annotate(document=document)
            .filter(Q(document=self.query) | Q(pk__in=aliases))
            .annotate(rank=SearchRank(document, self.query))
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
    """The fallback: every word must appear somewhere in the record; no ranking."""

    def __init__(self, text):
        self.terms = search_terms(text)

    def items(self, queryset):
        return queryset.filter(every_term_in(["title", "discussion"], self.terms))

    def meetings(self, queryset):
        matching_items = self.items(AgendaItem.objects.all()).values("meeting")
        titles = every_term_in(["title", "venue"], self.terms)
        return queryset.filter(titles | Q(pk__in=matching_items)).order_by("-starts_at")

    def actions(self, queryset):
        fields = ["text", "inline_text", "owner_text", "completion_note"]
        return queryset.filter(every_term_in(fields, self.terms)).order_by("-pk")

    def plan_actions(self, queryset):
        fields = ["reference", "text", "progress_note", "leads_text"]
        return queryset.filter(every_term_in(fields, self.terms)).order_by("plan", "sort_major")

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
    results page shows of each row."""
    return {
        "meetings": engine.meetings(Meeting.objects.visible_to(user).select_related("forum")),
        "actions": engine.actions(
            ActionItem.objects.visible_to(user).select_related("meeting__forum")
        ),
        "plan_actions": engine.plan_actions(
            PlanAction.objects.filter(
                plan__in=DeliveryPlan.objects.visible_to(user)
            ).select_related("plan")
        ),
        "organisations": engine.organisations(Organisation.objects.all()),
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


def search(*, user, text: str, limit: int, kinds=None, forum=None) -> list[ResultGroup]:
    """Results grouped by kind, each group's count and its first ``limit`` rows; only the
    records of ``forum`` when one is given."""
    if not search_terms(text):
        return []
    engine = engine_for(text)
    groups = []
    for kind, queryset in kind_querysets(engine, user).items():
        if kinds and kind not in kinds:
            continue
        if forum is not None:
            queryset = in_forum(kind, queryset, forum)
        groups.append(ResultGroup(kind, KINDS[kind], queryset.count(), list(queryset[:limit])))
    meetings = next((g for g in groups if g.kind == "meetings"), None)
    if meetings and meetings.results:
        attach_matching_items(engine, meetings.results)
    return groups


def attach_matching_items(engine, meetings):
    """Each meeting's agenda items that match, for the "discussed under" line: one query."""
    by_meeting = {meeting.pk: meeting for meeting in meetings}
    for meeting in meetings:
        meeting.matching_items = []
    items = engine.items(AgendaItem.objects.filter(meeting__in=list(by_meeting)))
    for item in items.order_by("meeting", "number"):
        by_meeting[item.meeting_id].matching_items.append(item)


def snippet(text: str, terms) -> str:
    """A short piece of ``text`` around the first term found, terms marked, all escaped."""
    text = " ".join((text or "").split())
    stems = [re.escape(term[: max(4, len(term) - 3)]) for term in terms if term]
    if not text or not stems:
        return ""
    # The start of each word searched for, then the rest of the word: "sharing" marks "share".
    pattern = re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)
    found = pattern.search(text)
    start = max(0, found.start() - SNIPPET_CHARS // 2) if found else 0
    piece = text[start : start + SNIPPET_CHARS * 2]
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", piece)
    html = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS * 2 < len(text) else ""
    return mark_safe(prefix + html + suffix)
