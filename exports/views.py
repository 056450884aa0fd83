"""Downloads of meeting notes: Word, PDF, Markdown, and a page to print.

Access: whoever may see the meeting (``Meeting.objects.visible_to``): officials any meeting, the
secretariat those of their forums, forum members the approved notes of their forums (anything
else is a 404, as if it did not exist); a signed-in user with no role gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from exports import meeting_notes
from meetings.models import Meeting
from wrc import access


def meeting_for_export(request, pk: int, language: str) -> Meeting:
    if not access.has_any_role(request.user):
        raise PermissionDenied
    if language not in meeting_notes.LANGUAGES:
        raise Http404(_("Notes are available in English, Welsh or both."))
    visible = Meeting.objects.visible_to(request.user)
    return get_object_or_404(meeting_notes.meetings_for_export(visible), pk=pk)


@require_GET
def meeting_notes_download(request, pk: int, language: str, fmt: str):
    meeting = meeting_for_export(request, pk, language)
    if fmt not in meeting_notes.FORMATS:
        raise Http404(_("Notes can be downloaded as docx, pdf or md."))
    try:
        export = meeting_notes.export_meeting_notes(meeting, language=language, fmt=fmt)
    except meeting_notes.PdfUnavailable:
        message = _("PDF is not available on this server. Download the Word version or print.")
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Unapproved notes and restricted discussion must not linger in shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def meeting_notes_print(request, pk: int, language: str):
    meeting = meeting_for_export(request, pk, language)
    context = meeting_notes.html_context(meeting, language)
    return render(request, "exports/meeting_notes_print.html", context)
