"""Composing, previewing and sending letters, and the outbox: officials and the secretariat only.

Forum members get a 403 on every page here: drafts and delivery lists name recipients and
their addresses, which members never see. The secretariat works on the letters of the forums
whose records they keep: another forum's letter is a 404, or a 403 when they may read it (it
was sent to them).
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, Value, When, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from correspondence import sending, services
from correspondence.emails import letter_context, letter_message
from correspondence.forms import EnclosureForm, LetterComposeForm, SettleForm
from correspondence.models import Enclosure, Letter
from directory import audit
from directory.forms import new_record_forums
from directory.models import Organisation
from outbox.models import OutgoingMail
from wrc import access
from wrc.editing import StaleEditError

staff_only = access.require(access.is_staff_role)


def _letter_for(request, pk, **filters) -> Letter:
    """A letter the user may work on: 404 if they may not see it, 403 if they may see it but
    do not keep the records of its forum."""
    letter = get_object_or_404(Letter.objects.visible_to(request.user).filter(**filters), pk=pk)
    access.require_manage_forum(request.user, letter.forum_id)
    return letter


def _draft_for(request, pk) -> Letter:
    return _letter_for(request, pk, status=Letter.Status.DRAFT)


# Composing -------------------------------------------------------------------------------------


@staff_only
def compose(request):
    """Pick a letter to start from, then fill in the new one; saving makes a draft."""
    template = None
    templates = services.letter_templates(user=request.user)
    if "from" in request.GET:
        if not request.GET["from"].isdigit():
            raise Http404("No such letter to start from.")
        template = get_object_or_404(templates, pk=request.GET["from"])
    forums = new_record_forums(request.user)
    if request.method == "POST":
        form = LetterComposeForm(request.POST, forums=forums)
        if form.is_valid():
            letter = services.letter_save_draft(form=form, forum=form.cleaned_data["forum"])
            messages.success(request, _("Draft saved. Add enclosures, then preview it."))
            return redirect("correspondence:draft", pk=letter.pk)
    else:
        initial = services.letter_initial_from(template=template)
        chosen = forums.filter(slug=request.GET.get("forum", "")).first()
        if chosen is not None:  # ?forum=<slug>, from a forum's page
            initial["forum"] = chosen
        form = LetterComposeForm(initial=initial, forums=forums)
    context = {
        "form": form,
        "template": template,
        "templates": templates.only("pk", "reference", "subject_en", "date"),
        "show_form": template is not None or request.GET.get("blank") or request.method == "POST",
    }
    return render(request, "correspondence/compose.html", context)


@staff_only
def draft(request, pk):
    letter = _draft_for(request, pk)
    if request.method == "POST":
        form = LetterComposeForm(request.POST, instance=letter)
        if form.is_valid():
            try:
                services.letter_save_draft(form=form, forum=letter.forum)
            except StaleEditError:  # saved by someone else between the check and the save
                form.refuse_stale()
            else:
                messages.success(request, _("Draft saved."))
                return redirect("correspondence:draft", pk=letter.pk)
        # Show what is in the database above the form, not the refused input.
        letter = _draft_for(request, pk)
    else:
        form = LetterComposeForm(instance=letter)
    return _render_draft(request, letter, form=form, enclosure_form=EnclosureForm())


def _render_draft(request, letter, *, form, enclosure_form, status=200):
    context = {
        "letter": letter,
        "form": form,
        "enclosure_form": enclosure_form,
        "enclosures": letter.enclosures.all(),
    }
    return render(request, "correspondence/compose_draft.html", context, status=status)


@staff_only
@require_POST
def enclosure_add(request, pk):
    """Enclose one file; a refused file is reported and the draft is left as it was."""
    letter = _draft_for(request, pk)
    enclosure_form = EnclosureForm(request.POST, request.FILES)
    if enclosure_form.is_valid():
        enclosure = services.enclosure_add(letter=letter, form=enclosure_form)
        messages.success(request, _("“%(title)s” enclosed.") % {"title": enclosure.title})
        return redirect("correspondence:draft", pk=letter.pk)
    form = LetterComposeForm(instance=letter)
    return _render_draft(request, letter, form=form, enclosure_form=enclosure_form, status=400)


@staff_only
@require_POST
def enclosure_remove(request, pk, enclosure_pk):
    letter = _draft_for(request, pk)
    enclosure = get_object_or_404(Enclosure, letter=letter, pk=enclosure_pk)
    services.enclosure_remove(enclosure=enclosure)
    messages.success(request, _("“%(title)s” removed.") % {"title": enclosure.title})
    return redirect("correspondence:draft", pk=letter.pk)


# Preview and send ------------------------------------------------------------------------------


# The preview shows the email as sent, and email clients need its style attributes; scripts stay
# as strict as everywhere else.
@csp_update({"style-src-attr": [UNSAFE_INLINE]})
@staff_only
def preview(request, pk):
    """The letter exactly as one chosen recipient will receive it."""
    letter = _draft_for(request, pk)
    recipients = list(sending.letter_recipients(letter=letter).order_by("full_name"))
    with_email = [person for person in recipients if person.email]
    chosen = next((p for p in with_email if str(p.pk) == request.GET.get("person")), None)
    chosen = chosen or (with_email[0] if with_email else None)
    context = {
        "letter": letter,
        "recipients": with_email,
        "without_email": [person for person in recipients if not person.email],
        "chosen": chosen,
        "problems": sending.letter_send_problems(letter),
    }
    if chosen is not None:
        language = chosen.preferred_language
        prefetch_related_objects([letter], "enclosures")  # read once for both renderings
        context["email"] = letter_context(
            letter=letter, person=chosen, email=chosen.email, preferred=language
        )
        # The subject and text the outbox will send, from the same builder.
        message = letter_message(
            letter=letter, person=chosen, email=chosen.email, language=language, with_files=False
        )
        context["subject"], context["plain_text"] = message.subject, message.text
    return render(request, "correspondence/compose_preview.html", context)


@staff_only
@require_POST
def send(request, pk):
    letter = _draft_for(request, pk)
    reason = request.POST.get("monolingual_reason", "")
    try:
        queued = sending.letter_send(letter=letter, user=request.user, monolingual_reason=reason)
    except ValidationError as error:
        if error.messages != sending.letter_send_problems(letter):  # those the preview explains
            messages.error(request, " ".join(error.messages))
        return redirect("correspondence:draft_preview", pk=letter.pk)
    audit.record(
        audit.Kind.LETTER_SENT,
        actor=request.user,
        forum=letter.forum,
        detail=str(letter),
        request=request,
    )
    count = queued.count
    if queued.dispatched is False:
        # Queued in the outbox all the same: the sweeper hands the copies to the worker.
        text = ngettext(
            "The letter is queued for %(count)s recipient and will be sent when the worker is "
            "reachable again.",
            "The letter is queued for %(count)s recipients and will be sent when the worker is "
            "reachable again.",
            count,
        )
        messages.warning(request, text % {"count": count})
    else:
        text = ngettext(
            "The letter is being sent to %(count)s recipient.",
            "The letter is being sent to %(count)s recipients.",
            count,
        )
        messages.success(request, text % {"count": count})
    return redirect("correspondence:outbox_letter", pk=letter.pk)


# The outbox ------------------------------------------------------------------------------------


def _counted(queryset):
    """One query: each letter with its number of copies in every status."""
    letter_rows = Q(mails__kind=OutgoingMail.Kind.LETTER)
    counts = {
        f"n_{status}": Count("mails", filter=letter_rows & Q(mails__status=status))
        for status in OutgoingMail.Status.values
    }
    return queryset.annotate(n_all=Count("mails", filter=letter_rows), **counts)


@staff_only
def outbox(request):
    # Only the letters of forums whose records the user keeps: those are theirs to send.
    theirs = Letter.objects.editable_by(request.user)
    letters = _counted(theirs.exclude(status=Letter.Status.DRAFT)).filter(n_all__gt=0)
    drafts = theirs.filter(status=Letter.Status.DRAFT)
    context = {"letters": letters.order_by("-sent_at", "-pk"), "drafts": drafts.order_by("-pk")}
    return render(request, "correspondence/outbox.html", context)


# Problems first: those are what the secretariat has to act on.
STATUS_ORDER = Case(
    *(
        When(status=status, then=Value(n))
        for n, status in enumerate(["failed", "uncertain", "sending", "queued", "sent"])
    ),
    output_field=IntegerField(),
)
SETTLEABLE = (OutgoingMail.Status.FAILED, OutgoingMail.Status.UNCERTAIN)


@staff_only
def outbox_letter(request, pk):
    return _render_outbox_letter(request, _letter_for(request, pk), settle_form=SettleForm())


def _render_outbox_letter(request, letter, *, settle_form, status=200):
    mails = sending.letter_mails(letter)
    counts = mails.status_counts()
    pending = counts[OutgoingMail.Status.QUEUED] + counts[OutgoingMail.Status.SENDING] > 0
    if not pending and letter.status == Letter.Status.SENDING:
        # Nothing left to send, but the last copy's worker stopped before marking the letter
        # and the sweeper has not caught up yet: the page shows it as it is.
        if sending.letter_mark_sent(letter_id=letter.pk):
            letter.status = Letter.Status.SENT
    rows = list(
        mails.select_related("person__organisation", "resolved_by").order_by(
            STATUS_ORDER, "person__full_name", "pk"
        )
    )
    copy_ids = {row.payload.get("copy_to") for row in rows} - {None}
    copies = Organisation.objects.in_bulk(copy_ids) if copy_ids else {}
    for row in rows:
        row.copy_to = copies.get(row.payload.get("copy_to"))
        row.settleable = row.status in SETTLEABLE
    context = {
        "letter": letter,
        "mails": rows,
        "counts": counts,
        "total": sum(counts.values()),
        "pending": pending,
        "settle_form": settle_form,
    }
    if request.GET.get("fragment") == "status":  # the page's own refresh while sending
        return render(request, "correspondence/outbox_status.html", context)
    return render(request, "correspondence/outbox_letter.html", context, status=status)


@staff_only
@require_POST
def outbox_settle(request, pk):
    """Settle the letter's failed or uncertain copies by hand: the ticked ones or all of them,
    recorded as arrived or sent again, with the reason given."""
    letter = _letter_for(request, pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        return _render_outbox_letter(request, letter, settle_form=form, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    mails = sending.letter_mails(letter)
    chosen = mails.filter(pk__in=form.cleaned_data["mails"])
    settle = {"letter": letter, "user": request.user, "reason": reason}
    if action == SettleForm.CONFIRM:
        count = sending.letter_confirm_sent(mails=chosen, **settle)
    elif action == SettleForm.CONFIRM_UNCERTAIN:
        count = sending.letter_confirm_sent(mails=mails, **settle)
    elif action == SettleForm.RESEND:
        count = sending.letter_resend(mails=chosen, **settle)
    else:
        count = sending.letter_resend_failed(**settle)
    if not count:
        messages.info(request, _("None of them was still uncertain or failed: nothing changed."))
    elif action in (SettleForm.CONFIRM, SettleForm.CONFIRM_UNCERTAIN):
        text = ngettext(
            "Recorded %(count)s copy as arrived.", "Recorded %(count)s copies as arrived.", count
        )
        messages.success(request, text % {"count": count})
    else:
        text = ngettext(
            "Sending again to %(count)s recipient.", "Sending again to %(count)s recipients.", count
        )
        messages.success(request, text % {"count": count})
    return redirect("correspondence:outbox_letter", pk=letter.pk)
