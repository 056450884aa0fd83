from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from calendars import ics, services
from meetings.models import Meeting
from outbox.models import OutgoingMail
from wrc import access

ICS_TYPE = "text/calendar; charset=utf-8"


def meeting_for_user(request, pk) -> Meeting:
    """The meeting if the user may see it (404 otherwise), with what the invitation shows."""
    meetings = (
        Meeting.objects.diary_visible_to(request.user)
        .select_related("forum")
        .prefetch_related("items")
    )
    return get_object_or_404(meetings, pk=pk)


def meeting_for_secretariat(request, pk) -> Meeting:
    """The meeting if the user keeps its forum's records: 404 unseen, 403 seen but not theirs."""
    meeting = meeting_for_user(request, pk)
    access.require_manage_forum(request.user, meeting.forum_id)
    return meeting


def ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_ics(request, pk):
    meeting = meeting_for_user(request, pk)
    content = ics.meeting_download(meeting, language=request.LANGUAGE_CODE)
    day = timezone.localtime(meeting.starts_at, ics.LONDON)
    return ics_response(content, f"meeting-{day:%Y-%m-%d}.ics")


@require_GET
def meeting_invitations(request, pk):
    meeting = meeting_for_secretariat(request, pk)
    rows = services.invitation_progress(meeting)
    sent = sum(1 for _person, mail in rows if mail and mail.status == OutgoingMail.Status.SENT)
    context = {"meeting": meeting, "rows": rows, "sent_count": sent, "total": len(rows)}
    return render(request, "calendars/meeting_invitations.html", context)


@require_POST
def send_invitations(request, pk):
    meeting = meeting_for_secretariat(request, pk)
    if services.invitations_send(meeting=meeting):
        messages.success(
            request,
            _(
                "The invitations are being sent. "
                "People already sent this version are not sent it again."
            ),
        )
    else:
        messages.warning(
            request,
            _("The messages are queued and will be sent when the worker is reachable again."),
        )
    return redirect("calendars:meeting_invitations", pk=meeting.pk)


@require_GET
def my_calendar(request):
    if not access.has_any_role(request.user):
        raise PermissionDenied
    person = access.person_of(request.user)
    feed_url = ""
    if person is not None:
        path = reverse("calendars:feed", args=[person.calendar_token])
        feed_url = request.build_absolute_uri(path)
    context = {"person": person, "feed_url": feed_url}
    return render(request, "calendars/my_calendar.html", context)


@require_POST
def regenerate_link(request):
    person = access.person_of(request.user)
    if person is None or not access.has_any_role(request.user):
        raise PermissionDenied
    services.calendar_token_regenerate(person=person)
    messages.success(
        request,
        _("Your calendar has a new address. The old address no longer works: subscribe again."),
    )
    return redirect("calendars:my_calendar")


@login_not_required
@never_cache
@require_GET
def feed(request, token):
    # Calendar clients cannot sign in: the secret token in the address is the credential.
    person = services.feed_person(token)
    if person is None:
        raise Http404
    response = HttpResponse(services.personal_feed(person), content_type=ICS_TYPE)
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    # Keep the secret address out of logs and referrers of anything the feed links to.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
