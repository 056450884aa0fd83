from django.views.generic import TemplateView

from directory import forums
from search import services
from wrc.access import RoleRequiredMixin

# The first results of each kind; "show all" pages through one kind, PAGE_SIZE at a time (as
# many as the actions list shows).
PER_KIND_LIMIT = 10
PAGE_SIZE = 25


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
            limit=PAGE_SIZE if kinds else PER_KIND_LIMIT,
            kinds=kinds,
            forum=forum,
            page=self.request.GET.get("page") if kinds else 1,
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
