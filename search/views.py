from django.views.generic import TemplateView

from directory import forums
from directory.access import RoleRequiredMixin
from search import services

# The first results of each kind; "show all" lists up to ONE_KIND_LIMIT of one kind.
PER_KIND_LIMIT = 10
ONE_KIND_LIMIT = 200


class SearchView(RoleRequiredMixin, TemplateView):
    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        text = self.request.GET.get("q", "").strip()[:200]
        kind = self.request.GET.get("kind", "")
        kinds = [kind] if kind in services.KINDS else None
        forum = forums.forum_from_query(self.request)
        groups = services.search(
            user=self.request.user,
            text=text,
            limit=ONE_KIND_LIMIT if kinds else PER_KIND_LIMIT,
            kinds=kinds,
            forum=forum,
        )
        return super().get_context_data(
            forum=forum,
            forum_choices=forums.visible_forums(self.request.user),
            query=text,
            kind=kinds[0] if kinds else "",
            kind_title=services.KINDS.get(kind, ""),
            groups=groups,
            total=sum(group.count for group in groups),
            terms=services.search_terms(text),
            full_text=services.uses_full_text_search(),
            **kwargs,
        )
