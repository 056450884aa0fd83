"""Sortable lists: ``?sort=field`` or ``?sort=-field``, whitelisted per list.

A list view names the columns people may sort by and the database ordering each means; anything
else in ``sort`` is ignored (the default order applies), so the query string cannot order by an
arbitrary field. Header links keep the filters and return to page 1; the current column carries
``aria-sort``.
"""

from dataclasses import dataclass

SORT_PARAM = "sort"


@dataclass(frozen=True)
class Sort:
    key: str  # the column, as in the URL
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def parse_sort(value: str | None, allowed, default: str) -> Sort:
    """The sort ``value`` asks for if its column is in ``allowed``, else ``default``."""
    for candidate in (value or "", default):
        key = candidate.lstrip("-")
        if key in allowed:
            return Sort(key=key, descending=candidate.startswith("-"))
    raise ValueError(f"default sort {default!r} is not one of {sorted(allowed)}")


def ordering_for(sort: Sort, allowed) -> list[str]:
    """Database ordering for ``sort``: each field of its column, reversed when descending, and
    the primary key last so that pages do not overlap."""
    fields = allowed[sort.key]
    if isinstance(fields, str):
        fields = (fields,)
    ordering = []
    for name in fields:
        if sort.descending:
            name = name[1:] if name.startswith("-") else f"-{name}"
        ordering.append(name)
    return [*ordering, "-pk" if sort.descending else "pk"]


class SortableListMixin:
    """For ListView/FilterView: ``sort_fields = {"column": "field" or ("field", ...)}`` and
    ``default_sort = "column"`` or ``"-column"``. Call ``self.sorted(queryset)`` in
    ``get_queryset``."""

    sort_fields: dict = {}
    default_sort: str = ""

    @property
    def current_sort(self) -> Sort:
        return parse_sort(self.request.GET.get(SORT_PARAM), self.sort_fields, self.default_sort)

    def sorted(self, queryset):
        return queryset.order_by(*ordering_for(self.current_sort, self.sort_fields))

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_sort=self.current_sort, **kwargs)


def header_link(query, current: Sort, key: str) -> dict:
    """The link and aria-sort of column ``key``'s header. ``query`` is the request's QueryDict."""
    active = current.key == key
    next_sort = Sort(key=key, descending=active and not current.descending)
    query = query.copy()
    query[SORT_PARAM] = next_sort.param
    query.pop("page", None)
    if not active:
        aria = "none"
    else:
        aria = "descending" if current.descending else "ascending"
    return {"query": query.urlencode(), "aria_sort": aria, "active": active}
