"""Drafting letters: starting from an earlier letter, saving the draft with its cc list, enclosing.

Sending lives in correspondence.sending.
"""

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import Organisation

# What a new letter copies from the one it starts from; who it goes to and when are chosen anew.
COPIED_FIELDS = [
    "sender_name",
    "sender_titles_en",
    "sender_titles_cy",
    "organisation_en",
    "organisation_cy",
    "sender_address",
    "addressee",
    "subject_en",
    "subject_cy",
    "body_en",
    "body_cy",
    "closing_en",
    "closing_cy",
    "welsh_language_statement_en",
    "welsh_language_statement_cy",
    "restricted_note",
    "language_mode",
]


# The Welsh Language Standards require every letter to say that correspondence in Welsh is welcome,
# in both languages. A new letter starts with the Welsh Government's standard wording.
WELSH_LANGUAGE_STATEMENT_CY = (
    "Rydym yn croesawu derbyn gohebiaeth yn Gymraeg. Byddwn yn ateb gohebiaeth a dderbynnir yn "
    "Gymraeg yn Gymraeg ac ni fydd gohebu yn Gymraeg yn arwain at oedi."
)
WELSH_LANGUAGE_STATEMENT_EN = (
    "We welcome receiving correspondence in Welsh. Any correspondence received in Welsh will be "
    "answered in Welsh and corresponding in Welsh will not lead to a delay in responding."
)


def letter_templates(*, user):
    """Letters ``user`` may start a new one from (those they may read): imported letters (the
    ministerial letter) first."""
    imported_first = Case(
        When(source_document="", then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return Letter.objects.visible_to(user).order_by(imported_first, "-date", "reference")


def letter_initial_from(*, template: Letter | None) -> dict:
    """The compose form's starting values: the template's wording, today's date."""
    initial = {"date": timezone.localdate(), "audience": Letter.Audience.ALL_MEMBERS}
    if template is not None:
        initial.update({name: getattr(template, name) for name in COPIED_FIELDS})
        initial["cc_list"] = "\n".join(cc.as_written for cc in template.cc.all())
    # A blank letter, or one started from a letter without the statement, gets the standard one.
    initial["welsh_language_statement_en"] = (
        initial.get("welsh_language_statement_en") or WELSH_LANGUAGE_STATEMENT_EN
    )
    initial["welsh_language_statement_cy"] = (
        initial.get("welsh_language_statement_cy") or WELSH_LANGUAGE_STATEMENT_CY
    )
    return initial


def letter_save_draft(*, form, forum) -> Letter:
    """Save a valid compose form as a draft, replacing the draft's cc list.

    Raises wrc.editing.StaleEditError, writing nothing, when someone else saved the draft after
    the form was opened: the caller shows the form again with what changed.
    """
    with transaction.atomic():
        letter = form.save(commit=False)
        if letter.pk is None:
            letter.forum, letter.status = forum, Letter.Status.DRAFT
        else:
            form.claim_version()  # version opened → next, or StaleEditError
        letter.save()
        form.save_m2m()
        _replace_cc_list(letter, form.cleaned_data["cc_list"])
    return letter


def _replace_cc_list(letter: Letter, lines: list[str]) -> None:
    letter.cc.all().delete()
    CarbonCopy.objects.bulk_create(
        CarbonCopy(
            letter=letter,
            order=n,
            as_written=text,
            organisation=Organisation.objects.resolve(text),
        )
        for n, text in enumerate(lines)
    )


def enclosure_add(*, letter: Letter, form) -> Enclosure:
    enclosure = form.save(commit=False)
    enclosure.letter = letter
    enclosure.order = letter.enclosures.count()
    enclosure.save()
    return enclosure


def enclosure_remove(*, enclosure: Enclosure) -> None:
    """Remove an enclosure from a draft, and its file from storage."""
    file = enclosure.file
    enclosure.delete()
    if file:
        file.storage.delete(file.name)


def letter_delete_refusal(letter: Letter) -> str | None:
    """Why ``letter`` may not be deleted, or None for a draft, which may be."""
    if letter.status == Letter.Status.DRAFT:
        return None
    return str(
        _(
            "A letter that has left the drafts cannot be deleted: it is the record of what the "
            "forum was told, and its sending record says who received it and when."
        )
    )


def letter_delete_draft(*, letter: Letter) -> None:
    """Delete a draft with its cc list and enclosures, and the enclosures' files from storage.
    Refuses (ValueError) anything but a draft: see ``letter_delete_refusal``."""
    if reason := letter_delete_refusal(letter):
        raise ValueError(reason)
    files = [enclosure.file for enclosure in letter.enclosures.all() if enclosure.file]
    with transaction.atomic():
        # Conditional, so a draft sent meanwhile is never deleted.
        deleted, _rows = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).delete()
        if not deleted:
            raise ValueError(letter_delete_refusal(Letter(status=Letter.Status.SENT)))
    for file in files:
        file.storage.delete(file.name)
