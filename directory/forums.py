"""The forums a user sees, as every list, its filter and the home page need them.

Lists name each row's forum and offer a "Forum" filter only to someone who sees more than one
forum: for everyone else the forum goes without saying. The filter is kept in the address as
``?forum=<slug>``, so a forum's page can link to "its" actions or letters.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Forum

FORUM_PARAM = "forum"


def visible_forums(user) -> list:
    """The forums ``user`` may see, by name: one query per request (cached on the user)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_wrc_visible_forums", None)
    if cached is None:
        cached = list(Forum.objects.visible_to(user).order_by("name"))
        user._wrc_visible_forums = cached
    return cached


def sees_several_forums(user) -> bool:
    return len(visible_forums(user)) > 1


def forum_from_query(request):
    """The visible forum that ``?forum=<slug>`` names, or None (unknown or not theirs)."""
    slug = request.GET.get(FORUM_PARAM, "")
    return next((f for f in visible_forums(request.user) if f.slug == slug), None)


def forums_for(request):
    if request is None:
        return Forum.objects.none()
    return Forum.objects.visible_to(request.user).order_by("name")


class ForumChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.local_name


class ForumChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ForumChoiceField


def forum_filter(field_name="forum", method=None):
    """A "Forum" filter by slug among the forums the request's user may see."""
    return ForumChoiceFilter(
        label=_("Forum"),
        field_name=field_name,
        method=method,
        queryset=forums_for,
        to_field_name="slug",
        empty_label=_("Any forum"),
    )


class ForumFilterMixin:
    """For a FilterSet with a ``forum`` filter: the select is shown only to someone who sees
    more than one forum. For others it stays as a hidden field, so ``?forum=`` from a forum's
    page still narrows the list and is kept by the filter form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not sees_several_forums(user):
            self.filters[FORUM_PARAM].extra["widget"] = forms.HiddenInput
