"""Records in English and Welsh: each record page tells staff what is written in one language
only, and a letter or meeting notes marked "publish bilingually" are not sent or approved until
both languages are complete, unless someone records why they go in one language."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from correspondence import sending
from correspondence.models import Letter
from meetings.models import Meeting
from outbox.models import OutgoingMail
from tests import factories
from tests.test_meeting_editing import page_data
from wrc.lib import bilingual

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    """The text of the missing-language summary on a page ("" when there is none)."""
    content = response.content.decode()
    start = content.find("data-bilingual-summary")
    if start == -1:
        return ""
    return " ".join(content[start : content.index("</div>", start)].split())


# Letters ----------------------------------------------------------------------------------------


def draft_letter(**kwargs) -> Letter:
    person = factories.PersonFactory(email="reader@example.org")
    kwargs = {"status": Letter.Status.DRAFT, "audience": Letter.Audience.PEOPLE, **kwargs}
    letter = factories.LetterFactory(**kwargs)
    letter.recipient_people.set([person])
    return letter


def welsh_complete(**kwargs) -> dict:
    return {
        "subject_cy": "Cefnogaeth ynghylch camwybodaeth",
        "body_cy": "Rwy'n ysgrifennu i roi gwybod i chi ein bod yn sefyll gyda chi.",
        "sender_titles_cy": "Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol",
        **kwargs,
    }


def test_the_missing_fields_of_a_letter_are_listed_per_language():
    letter = draft_letter(subject_cy="", body_cy="", body_en="English body")
    gaps = bilingual.missing(letter)
    assert gaps.welsh == ["subject", "body", "sender's titles"]
    assert gaps.english == []
    letter.subject_en, letter.subject_cy = "", "Pwnc"
    gaps = bilingual.missing(letter)
    assert gaps.english == ["subject"] and "subject" not in gaps.welsh


def test_the_letter_page_shows_staff_what_is_missing_and_members_nothing(client, official, member):
    letter = draft_letter(status=Letter.Status.SENT, audience=Letter.Audience.ALL_MEMBERS)
    client.force_login(official)
    text = summary(client.get(letter.get_absolute_url()))
    assert "Welsh missing: subject, body, sender&#x27;s titles" in text
    assert "English missing" not in text

    client.force_login(member)
    response = client.get(letter.get_absolute_url())
    assert response.status_code == 200 and summary(response) == ""


def test_a_complete_letter_not_marked_shows_no_summary(client, official):
    letter = draft_letter(**welsh_complete())
    client.force_login(official)
    assert summary(client.get(letter.get_absolute_url())) == ""


def test_a_letter_not_marked_is_sent_in_one_language_as_before():
    letter = draft_letter()
    assert not sending.letter_send_problems(letter).refusals
    assert sending.letter_send(letter=letter).count == 1
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING and letter.monolingual_reason == ""


def test_a_letter_marked_bilingual_is_refused_while_welsh_is_missing():
    letter = draft_letter(publish_bilingually=True, **welsh_complete(body_cy=""))
    problems = sending.letter_send_problems(letter)
    (refusal,) = problems.refusals
    assert "Welsh missing: body." in refusal and problems.overridable
    with pytest.raises(ValidationError):
        sending.letter_send(letter=letter)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert not OutgoingMail.objects.filter(letter=letter).exists()


def test_a_letter_marked_bilingual_is_sent_once_both_languages_are_complete():
    letter = draft_letter(publish_bilingually=True, **welsh_complete())
    assert not sending.letter_send_problems(letter).refusals
    assert sending.letter_send(letter=letter).count == 1


def test_a_reason_does_not_overrule_other_refusals():
    letter = draft_letter(publish_bilingually=True, welsh_language_statement_cy="")
    with pytest.raises(ValidationError):
        sending.letter_send(letter=letter, monolingual_reason="Urgent")
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT and letter.monolingual_reason == ""


def test_the_secretariat_sends_in_english_only_with_a_reason_recorded(client, secretariat):
    letter = draft_letter(publish_bilingually=True)
    client.force_login(secretariat)
    preview = client.get(reverse("correspondence:draft_preview", args=[letter.pk]))
    content = preview.content.decode()
    assert "Welsh missing: subject, body" in content
    assert 'name="monolingual_reason"' in content  # the send form asks for the reason

    url = reverse("correspondence:draft_send", args=[letter.pk])
    client.post(url, {"monolingual_reason": "  "})  # no reason: refused
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT

    response = client.post(url, {"monolingual_reason": "The statement is due today."})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING
    assert letter.monolingual_reason == "The statement is due today."
    assert letter.monolingual_by == secretariat and letter.monolingual_at is not None
    assert OutgoingMail.objects.filter(letter=letter).count() == 1

    page = client.get(letter.get_absolute_url())
    assert "The statement is due today." in summary(page)
    history = page.content.decode()[page.content.decode().index('id="history"') :]
    assert "The statement is due today." in history


def test_the_publish_bilingually_mark_is_set_on_the_draft_form(client, secretariat):
    letter = draft_letter()
    client.force_login(secretariat)
    url = reverse("correspondence:draft", args=[letter.pk])
    page = client.get(url)
    assert 'name="publish_bilingually"' in page.content.decode()


# Meetings ---------------------------------------------------------------------------------------


@pytest.fixture
def draft_meeting(db):
    meeting = factories.MeetingFactory(notes_status=Meeting.NotesStatus.DRAFT)
    factories.AgendaItemFactory(
        meeting=meeting, number=1, title="Welcome", title_cy="Croeso", discussion=""
    )
    factories.AgendaItemFactory(
        meeting=meeting, number=3, title="Hate crime", title_cy="Troseddau casineb"
    )
    return meeting


def approve(client, meeting, **changes):
    url = reverse("meetings:edit", args=[meeting.pk])
    data = page_data(client.get(url)) | {"notes_status": "approved"} | changes
    return client.post(url, data)


def test_the_meeting_page_says_which_item_lacks_welsh(client, official, draft_meeting):
    client.force_login(official)
    text = summary(client.get(draft_meeting.get_absolute_url()))
    assert "Welsh missing: summary of item 3" in text
    assert "item 1" not in text


def test_notes_not_marked_are_approved_as_before(client, secretariat, draft_meeting):
    client.force_login(secretariat)
    assert approve(client, draft_meeting).status_code == 302
    draft_meeting.refresh_from_db()
    assert draft_meeting.notes_status == Meeting.NotesStatus.APPROVED


def test_notes_marked_bilingual_are_not_approved_while_welsh_is_missing(
    client, secretariat, draft_meeting
):
    client.force_login(secretariat)
    response = approve(client, draft_meeting, publish_bilingually="on")
    assert response.status_code == 200
    assert "Welsh missing: summary of item 3." in response.content.decode()
    draft_meeting.refresh_from_db()
    assert draft_meeting.notes_status == Meeting.NotesStatus.DRAFT

    draft_meeting.items.filter(number=3).update(discussion_cy="Trafododd y fforwm yr eitem.")
    assert approve(client, draft_meeting, publish_bilingually="on").status_code == 302
    draft_meeting.refresh_from_db()
    assert draft_meeting.notes_status == Meeting.NotesStatus.APPROVED
    assert draft_meeting.publish_bilingually and draft_meeting.monolingual_reason == ""


def test_notes_are_approved_in_english_only_with_the_reason_recorded(
    client, secretariat, draft_meeting
):
    client.force_login(secretariat)
    reason = "The Welsh translation follows next week."
    response = approve(client, draft_meeting, publish_bilingually="on", one_language_reason=reason)
    assert response.status_code == 302
    draft_meeting.refresh_from_db()
    assert draft_meeting.notes_status == Meeting.NotesStatus.APPROVED
    assert draft_meeting.monolingual_reason == reason
    assert draft_meeting.monolingual_by == secretariat

    page = client.get(draft_meeting.get_absolute_url()).content.decode()
    assert reason in page[page.index("data-bilingual-summary") :]
    assert reason in page[page.index('id="history"') :]


# Delivery plans ---------------------------------------------------------------------------------


def test_the_plan_page_lists_what_lacks_welsh_and_the_plan_edit_form_sets_the_mark(
    client, official
):
    action = factories.PlanActionFactory(reference="2.1", text_cy="")
    plan = action.plan
    plan.title_cy = "Cynllun cyflawni"
    plan.save()
    section = factories.PlanSectionFactory(
        plan=plan, heading_cy="Grŵp Cynghori Annibynnol", text_cy=""
    )
    client.force_login(official)
    text = summary(client.get(plan.get_absolute_url()))
    assert "action 2.1" in text
    assert "text of introduction section 1" in text
    assert "heading of introduction section 1" not in text

    url = reverse("hatecrime:plan_edit", args=[plan.slug])
    page = client.get(url)
    assert 'name="publish_bilingually"' in page.content.decode()
    data = page_data(page) | {"sections-0-id": str(section.pk), "publish_bilingually": "on"}
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.publish_bilingually
    assert "To be published in English and Welsh." in summary(client.get(plan.get_absolute_url()))
