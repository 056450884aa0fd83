"""The outbox page: every message the product sends, for officials and the secretariat, and
settling by hand the ones that are uncertain or failed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from directory import audit
from directory.models import Forum
from outbox import services
from outbox.filters import OutgoingMailFilter
from outbox.forms import SettleForm
from outbox.models import OutgoingMail
from wrc import access

PAGE_SIZE = 25
SETTLEABLE = (OutgoingMail.Status.UNCERTAIN, OutgoingMail.Status.FAILED)


def _visible(request):
    """The messages the user may see; 403 for anyone who keeps no forum's records."""
    if not access.is_staff_role(request.user):
        raise PermissionDenied
    return OutgoingMail.objects.visible_to(request.user)


@require_GET
def outbox_list(request):
    mails = _visible(request).select_related("forum", "person", "resolved_by")
    filtered = OutgoingMailFilter(request.GET, queryset=mails, request=request)
    page = Paginator(filtered.qs.order_by("-queued_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "filter": filtered,
        "page_obj": page,
        "mails": page.object_list,
        "settleable": SETTLEABLE,
        "settle_form": SettleForm(),
        "query": request.GET.urlencode(),
    }
    return render(request, "outbox/outbox_list.html", context)


@require_POST
def outbox_settle(request):
    """Confirm as sent, or send again, the ticked uncertain or failed messages, with a reason."""
    visible = _visible(request)
    back = reverse("outbox:list")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    if query:
        back = f"{back}?{query}"
    form = SettleForm(request.POST)
    ids = [int(value) for value in request.POST.getlist("mail") if value.isdigit()]
    if not form.is_valid() or not ids:
        if not ids:
            messages.error(request, _("Tick the messages to settle."))
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    chosen = visible.filter(pk__in=ids, status__in=SETTLEABLE)
    forums = set(chosen.values_list("forum_id", flat=True))
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action == SettleForm.CONFIRM:
        count = services.confirm_sent(chosen, user=request.user, reason=reason)
        done = ngettext(
            "%(n)s message confirmed as sent.", "%(n)s messages confirmed as sent.", count
        )
    else:
        count = services.resend(chosen, user=request.user, reason=reason)
        done = ngettext(
            "%(n)s message is queued to be sent again: the worker sends it when it is reachable.",
            "%(n)s messages are queued to be sent again: the worker sends them when it is "
            "reachable.",
            count,
        )
    if count:
        audit.record(
            audit.Kind.OUTBOX_SETTLED,
            actor=request.user,
            forum=Forum.objects.filter(pk=forums.pop()).first() if len(forums) == 1 else None,
            detail=f"{action} {count}: {reason}",
            request=request,
        )
        messages.success(request, done % {"n": count})
    else:
        messages.error(request, _("None of the ticked messages is uncertain or failed any more."))
    return redirect(back)
