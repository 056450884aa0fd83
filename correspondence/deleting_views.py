"""Deleting from a draft letter, each after a page that says what goes: the draft itself with
its cc list and enclosures, or one enclosure and its file. A letter that has left the drafts
is never deleted: the page says why (``services.letter_delete_refusal``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from correspondence import services
from correspondence.models import Enclosure, Letter
from wrc import access


def _letter_for(request, pk, **filters) -> Letter:
    """404 for a letter the user may not see, 403 for one whose forum's records they do not
    keep."""
    if not access.is_staff_role(request.user):
        raise PermissionDenied
    letter = get_object_or_404(Letter.objects.visible_to(request.user).filter(**filters), pk=pk)
    access.require_manage_forum(request.user, letter.forum_id)
    return letter


def letter_delete(request, pk):
    letter = _letter_for(request, pk)
    refusal = services.letter_delete_refusal(letter)
    if request.method == "POST" and refusal is None:
        services.letter_delete_draft(letter=letter)
        name = letter.reference or letter.subject_en
        messages.success(
            request, _("The draft %(reference)s has been deleted.") % {"reference": name}
        )
        return redirect("correspondence:outbox")
    context = {
        "letter": letter,
        "refusal": refusal,
        "enclosures": list(letter.enclosures.all()),
        "cc_count": letter.cc.count(),
    }
    # Asking to delete a letter that may not be deleted is refused, with the reason.
    status = 403 if request.method == "POST" else 200
    return render(request, "correspondence/letter_confirm_delete.html", context, status=status)


def enclosure_remove_confirm(request, pk, enclosure_pk):
    """The page before an enclosure leaves a draft; its button posts to
    ``correspondence:draft_enclosure_remove``, which removes it and its file."""
    letter = _letter_for(request, pk, status=Letter.Status.DRAFT)
    enclosure = get_object_or_404(Enclosure, letter=letter, pk=enclosure_pk)
    context = {"letter": letter, "enclosure": enclosure}
    return render(request, "correspondence/enclosure_confirm_remove.html", context)
