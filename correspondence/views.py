import os

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView
from django_filters.views import FilterView

from correspondence.filters import LetterFilter
from correspondence.models import Enclosure, Letter
from correspondence.services import letter_delete_refusal
from wrc import access
from wrc.access import RoleRequiredMixin, has_any_role, require
from wrc.lib.sorting import SortableListMixin


class LetterListView(RoleRequiredMixin, SortableListMixin, FilterView):
    template_name = "correspondence/letter_list.html"
    context_object_name = "letters"
    paginate_by = 25
    filterset_class = LetterFilter
    strict = False
    sort_fields = {
        "date": ("date", "reference"),
        "reference": "reference",
        "subject": ("subject_en", "subject_cy"),
        "sender": ("sender_name", "date"),
        "status": ("status", "date"),
    }
    default_sort = "-date"

    def get_queryset(self):
        return self.sorted(Letter.objects.visible_to(self.request.user).select_related("forum"))


class LetterDetailView(RoleRequiredMixin, DetailView):
    template_name = "correspondence/letter_detail.html"
    context_object_name = "letter"

    def get_queryset(self):
        return (
            Letter.objects.visible_to(self.request.user)
            .select_related("forum", "sender")
            .prefetch_related("cc", "enclosures", "recipient_people", "recipient_organisations")
        )

    def get_context_data(self, **kwargs):
        user, letter = self.request.user, self.object
        can_manage = access.can_manage_forum(user, letter.forum_id)
        return super().get_context_data(
            can_write_from=access.is_staff_role(user),
            can_manage=can_manage,
            delete_refusal=letter_delete_refusal(letter) if can_manage else None,
            **kwargs,
        )


@require(has_any_role)
def enclosure_download(request, letter_pk, pk):
    """An enclosure's file, only to someone who may see its letter: enclosures can be restricted."""
    letter = get_object_or_404(Letter.objects.visible_to(request.user), pk=letter_pk)
    enclosure = get_object_or_404(Enclosure, letter=letter, pk=pk)
    if not enclosure.file:
        raise Http404("This enclosure has no file.")
    try:
        handle = enclosure.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The enclosure's file is missing.") from error
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(enclosure.file.name))
