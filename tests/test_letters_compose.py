"""Composing, previewing and sending letters, and the outbox, through the browser-facing views."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from correspondence.models import CarbonCopy, Enclosure, Letter
from outbox.models import OutgoingMail
from tests import factories

Status = OutgoingMail.Status
REASON = {"reason": "Checked with the mail server log"}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def ministerial_letter(db):
    letter = factories.LetterFactory(
        reference="JH/PO/31/2025",
        subject_en="Support for social media misinformation",
        body_en="I am writing to let you know we stand in solidarity with you.",
        welsh_language_statement_en="We welcome receiving correspondence in Welsh.",
        welsh_language_statement_cy="Rydym yn croesawu derbyn gohebiaeth yn Gymraeg.",
        restricted_note="Not to be shared on social media.",
        source_document="letter-2025-01-30-JH-PO-31-2025.txt",
    )
    factories.CarbonCopyFactory(letter=letter, order=0, as_written="WCVA")
    factories.CarbonCopyFactory(letter=letter, order=1, as_written="WLGA")
    return letter


def draft_to(people, **kwargs) -> Letter:
    letter = factories.LetterFactory(
        status=Letter.Status.DRAFT, audience=Letter.Audience.PEOPLE, **kwargs
    )
    letter.recipient_people.set(people)
    return letter


def compose_data(**overrides) -> dict:
    data = {
        "reference": "JH/PO/40/2025",
        "date": "2025-03-01",
        "sender_name": "Jane Hutt AS/MS",
        "sender_titles_en": "Cabinet Secretary for Social Justice",
        "organisation_en": "Welsh Government",
        "subject_en": "An update for forum members",
        "body_en": "Thank you for your work.",
        "salutation_en": "Dear all,",
        "closing_en": "Yours sincerely,",
        "language_mode": "both",
        "audience": "all_members",
        "cc_list": "WCVA\n\nWLGA\n",
    }
    data.update(overrides)
    return data


def docx_bytes(part="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(part, "<document/>")
    return buffer.getvalue()


# Who may use these pages -----------------------------------------------------------------------


def page_urls(letter):
    delivery = factories.LetterMailFactory(
        letter=factories.LetterFactory(status=Letter.Status.SENT), status=Status.UNCERTAIN
    )
    return {
        "get": [
            reverse("correspondence:compose"),
            reverse("correspondence:draft", args=[letter.pk]),
            reverse("correspondence:draft_preview", args=[letter.pk]),
            reverse("correspondence:outbox"),
            reverse("correspondence:outbox_letter", args=[delivery.letter_id]),
        ],
        "post": [
            reverse("correspondence:draft_send", args=[letter.pk]),
            reverse("correspondence:draft_enclosure_add", args=[letter.pk]),
            reverse("correspondence:outbox_settle", args=[delivery.letter_id]),
        ],
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    urls = page_urls(draft_to([factories.PersonFactory()]))
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_and_outsiders_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    urls = page_urls(draft_to([factories.PersonFactory()]))
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url).status_code == 403, url
    assert not OutgoingMail.objects.exclude(status=Status.UNCERTAIN).exists()


def post_targets():
    """A draft (with an enclosure, a cc and a recipient) and a letter being sent (with a failed and
    an uncertain delivery): every sending URL's arguments, by URL name."""
    draft = draft_to([factories.PersonFactory()], reference="POST/1")
    factories.CarbonCopyFactory(letter=draft, as_written="WCVA")
    enclosure = factories.EnclosureFactory(letter=draft)
    sent = sent_letter([Status.FAILED, Status.UNCERTAIN])
    return {
        "compose": [],
        "draft": [draft.pk],
        "draft_enclosure_add": [draft.pk],
        "draft_enclosure_remove": [draft.pk, enclosure.pk],
        "draft_preview": [draft.pk],
        "draft_send": [draft.pk],
        "outbox": [],
        "outbox_letter": [sent.pk],
        "outbox_settle": [sent.pk],
    }


def letter_rows() -> dict:
    """Every row a sending URL could change, as plain values."""
    models = [
        Letter,
        Letter.recipient_people.through,
        Letter.recipient_organisations.through,
        OutgoingMail,
        Enclosure,
        CarbonCopy,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_the_refusal_test_covers_every_sending_url():
    from correspondence import urls_sending

    assert {pattern.name for pattern in urls_sending.urlpatterns} == set(SENDING_URL_NAMES)


SENDING_URL_NAMES = [
    "compose",
    "draft",
    "draft_enclosure_add",
    "draft_enclosure_remove",
    "draft_preview",
    "draft_send",
    "outbox",
    "outbox_letter",
    "outbox_settle",
]


@pytest.mark.parametrize("name", SENDING_URL_NAMES)
@pytest.mark.parametrize("who", ["member", "outsider"])
def test_a_post_by_a_member_or_an_outsider_is_refused_and_changes_nothing(
    client, db, request, who, name
):
    args = post_targets()[name]
    draft = Letter.objects.get(reference="POST/1")
    data = compose_data(
        reference="POST/1",
        subject_en="Changed by someone not allowed to",
        opened_version=draft.version,
        title="Smuggled",
        file=SimpleUploadedFile("smuggled.pdf", PDF),
        action="resend_failed",
        reason="Smuggled",
    )
    before = letter_rows()
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse(f"correspondence:{name}", args=args), data)

    assert response.status_code in (403, 404)
    assert letter_rows() == before
    assert "Changed by someone not allowed to" not in response.content.decode()


@pytest.mark.parametrize("who", ["official", "secretariat"])
def test_officials_and_the_secretariat_can_use_every_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    urls = page_urls(draft_to([factories.PersonFactory()]))
    for url in urls["get"]:
        assert client.get(url).status_code == 200, url


def test_one_click_changes_only_accept_post(client, secretariat):
    client.force_login(secretariat)
    for url in page_urls(draft_to([factories.PersonFactory()]))["post"]:
        assert client.get(url).status_code == 405, url


def test_a_sent_letter_is_no_longer_a_draft_to_edit(client, secretariat):
    client.force_login(secretariat)
    letter = factories.LetterFactory(status=Letter.Status.SENT)
    assert client.get(reverse("correspondence:draft", args=[letter.pk])).status_code == 404


# Composing -------------------------------------------------------------------------------------


def test_the_ministerial_letter_is_offered_first_as_a_starting_point(
    client, secretariat, ministerial_letter
):
    factories.LetterFactory(reference="LATER/1", subject_en="A later letter", date="2025-06-01")
    client.force_login(secretariat)
    response = client.get(reverse("correspondence:compose"))
    content = response.content.decode()
    assert content.index("JH/PO/31/2025") < content.index("LATER/1")


def test_composing_from_a_letter_copies_its_wording_and_cc_list(
    client, secretariat, ministerial_letter
):
    client.force_login(secretariat)
    response = client.get(reverse("correspondence:compose"), {"from": ministerial_letter.pk})
    form = response.context["form"]
    assert form.initial["subject_en"] == "Support for social media misinformation"
    assert form.initial["welsh_language_statement_cy"].startswith("Rydym yn croesawu")
    assert form.initial["restricted_note"] == "Not to be shared on social media."
    assert form.initial["cc_list"] == "WCVA\nWLGA"
    assert "reference" not in form.initial


def test_a_blank_letter_starts_with_the_welsh_language_statement_in_both_languages(
    client, secretariat
):
    client.force_login(secretariat)
    response = client.get(reverse("correspondence:compose"), {"blank": "1"})
    form = response.context["form"]
    assert form["welsh_language_statement_cy"].value() == (
        "Rydym yn croesawu derbyn gohebiaeth yn Gymraeg. Byddwn yn ateb gohebiaeth a dderbynnir "
        "yn Gymraeg yn Gymraeg ac ni fydd gohebu yn Gymraeg yn arwain at oedi."
    )
    assert form["welsh_language_statement_en"].value() == (
        "We welcome receiving correspondence in Welsh. Any correspondence received in Welsh will "
        "be answered in Welsh and corresponding in Welsh will not lead to a delay in responding."
    )
    content = response.content.decode()
    assert "Rydym yn croesawu derbyn gohebiaeth yn Gymraeg." in content
    assert "We welcome receiving correspondence in Welsh." in content


def test_the_standard_statement_is_the_one_in_the_ministerial_letter():
    from django.conf import settings

    from correspondence import services

    seed = (settings.BASE_DIR / "data/seeds/letter-2025-01-30-JH-PO-31-2025.txt").read_text()
    assert services.WELSH_LANGUAGE_STATEMENT_CY in seed
    assert services.WELSH_LANGUAGE_STATEMENT_EN in seed


def test_saving_a_composed_letter_makes_a_draft_with_its_cc_list(client, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("correspondence:compose"), compose_data())
    letter = Letter.objects.get(reference="JH/PO/40/2025")
    assert response.status_code == 302
    assert response["Location"] == reverse("correspondence:draft", args=[letter.pk])
    assert letter.status == Letter.Status.DRAFT
    assert [cc.as_written for cc in letter.cc.all()] == ["WCVA", "WLGA"]


def test_a_compose_error_is_explained_and_keeps_what_was_typed(
    client, secretariat, ministerial_letter
):
    client.force_login(secretariat)
    data = compose_data(reference="JH/PO/31/2025", audience="people", body_en="My long text.")
    response = client.post(reverse("correspondence:compose"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reference" in errors
    assert errors["recipient_people"] == ["Choose at least one person to send to."]
    assert "My long text." in response.content.decode()
    assert Letter.objects.count() == 1


def test_editing_a_draft_keeps_it_a_draft_and_replaces_its_cc_list(client, official):
    letter = draft_to([factories.PersonFactory()], reference="X/1")
    factories.CarbonCopyFactory(letter=letter, as_written="Old")
    client.force_login(official)
    url = reverse("correspondence:draft", args=[letter.pk])
    opened = opened_form(client, letter)
    data = compose_data(reference="X/1", cc_list="Wales TUC")
    data.update(opened_version=opened["opened_version"], opened_snapshot=opened["opened_snapshot"])
    response = client.post(url, data)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.subject_en == "An update for forum members"
    assert [cc.as_written for cc in letter.cc.all()] == ["Wales TUC"]
    assert letter.status == Letter.Status.DRAFT


def opened_form(client, letter) -> dict:
    """What the draft page's form holds when opened now, as it would be posted back: the
    hidden version and snapshot included."""
    form = client.get(reverse("correspondence:draft", args=[letter.pk])).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value is None:
            continue
        if isinstance(value, list):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_a_draft_saved_by_someone_else_meanwhile_is_not_overwritten(client, official, secretariat):
    from django.test import Client

    letter = draft_to([factories.PersonFactory()], reference="X/2", body_en="Original body.")
    factories.CarbonCopyFactory(letter=letter, as_written="WCVA")
    url = reverse("correspondence:draft", args=[letter.pk])
    other = Client()
    other.force_login(official)
    client.force_login(secretariat)
    b_data = opened_form(client, letter)  # B opens the draft first
    a_data = opened_form(other, letter)
    a_data["subject_en"] = "Subject changed by A"
    assert other.post(url, a_data).status_code == 302

    b_data.update(body_en="Body typed by B.", cc_list="WCVA\nWLGA")
    response = client.post(url, b_data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "This record has changed since you opened it" in content
    changes = {change.name: change for change in response.context["form"].stale_changes}
    assert set(changes) == {"subject_en"}
    assert changes["subject_en"].now == "Subject changed by A"
    assert "Body typed by B." in content and "WLGA" in content  # B's input is kept
    letter.refresh_from_db()
    assert (letter.subject_en, letter.body_en) == ("Subject changed by A", "Original body.")
    assert [cc.as_written for cc in letter.cc.all()] == ["WCVA"]

    # Saving again, having seen the changes, is a deliberate overwrite.
    form = response.context["form"]
    b_data.update({name: form[name].value() for name in ("opened_version", "opened_snapshot")})
    assert client.post(url, b_data).status_code == 302
    letter.refresh_from_db()
    assert letter.body_en == "Body typed by B."
    assert [cc.as_written for cc in letter.cc.all()] == ["WCVA", "WLGA"]


def test_a_cc_list_changed_meanwhile_is_shown_in_what_changed(client, official, secretariat):
    from django.test import Client

    letter = draft_to([factories.PersonFactory()], reference="X/3")
    url = reverse("correspondence:draft", args=[letter.pk])
    other = Client()
    other.force_login(official)
    client.force_login(secretariat)
    b_data = opened_form(client, letter)
    assert other.post(url, opened_form(other, letter) | {"cc_list": "Wales TUC"}).status_code == 302

    response = client.post(url, b_data | {"body_en": "B's new body."})

    assert "B&#x27;s new body." in response.content.decode()
    changes = {change.name: change for change in response.context["form"].stale_changes}
    assert changes["cc_list"].now == "Wales TUC"
    assert [cc.as_written for cc in letter.cc.all()] == ["Wales TUC"]


def test_a_draft_sent_meanwhile_is_not_saved_over(client, secretariat):
    from correspondence import sending
    from correspondence.forms import LetterComposeForm
    from correspondence.services import letter_save_draft
    from wrc.editing import StaleEditError

    letter = draft_to([factories.PersonFactory()], reference="X/4")
    client.force_login(secretariat)
    data = opened_form(client, letter) | {"subject_en": "Typed while it was being sent"}
    form = LetterComposeForm(data, instance=letter)
    assert form.is_valid()  # checked before the letter was sent...
    sending.letter_send(letter=letter)

    with pytest.raises(StaleEditError):  # ...but the save itself is refused
        letter_save_draft(form=form, forum=letter.forum)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING
    assert letter.subject_en != "Typed while it was being sent"


# Enclosures ------------------------------------------------------------------------------------


def enclose(client, letter, name, content, title="Toolkit"):
    url = reverse("correspondence:draft_enclosure_add", args=[letter.pk])
    return client.post(url, {"title": title, "file": SimpleUploadedFile(name, content)})


def test_a_pdf_is_enclosed(client, secretariat):
    letter = draft_to([factories.PersonFactory()])
    client.force_login(secretariat)
    response = enclose(client, letter, "toolkit.pdf", PDF)
    assert response.status_code == 302
    enclosure = letter.enclosures.get()
    assert enclosure.title == "Toolkit"
    assert enclosure.file.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("toolkit.pdf", b"MZ\x90\x00 a program", "is not a real PDF"),
        ("toolkit.docx", b"PK\x03\x04 not really a zip", "is not a real Word document"),
        ("toolkit.docx", None, "is not a real Word document"),  # a ZIP, but not a Word package
        ("notes.txt", b"\xff\xfe\x00binary", "is not a real plain text"),
        ("setup.exe", b"MZ", "exe files cannot be enclosed"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_lost(
    client, secretariat, name, content, message
):
    letter = draft_to([factories.PersonFactory()], subject_en="Kept subject")
    kept = factories.EnclosureFactory(letter=letter, title="Already enclosed")
    client.force_login(secretariat)
    content = docx_bytes(part="xl/workbook.xml") if content is None else content

    response = enclose(client, letter, name, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(letter.enclosures.all()) == [kept]
    assert "Kept subject" in response.content.decode()
    letter.refresh_from_db()
    assert letter.subject_en == "Kept subject"


def test_a_real_word_document_is_accepted(client, secretariat):
    letter = draft_to([factories.PersonFactory()])
    client.force_login(secretariat)
    assert enclose(client, letter, "toolkit.docx", docx_bytes()).status_code == 302
    assert letter.enclosures.count() == 1


def test_a_file_that_is_too_large_is_refused_with_its_size(client, secretariat, settings):
    settings.ENCLOSURE_MAX_BYTES = 1024 * 1024
    letter = draft_to([factories.PersonFactory()])
    client.force_login(secretariat)
    response = enclose(client, letter, "big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "The file is 2.0 MB; enclosures must be at most 1.0 MB." in response.content.decode()
    assert not Enclosure.objects.exists()


def test_an_enclosure_can_be_removed_from_a_draft(client, secretariat):
    letter = draft_to([factories.PersonFactory()])
    client.force_login(secretariat)
    enclose(client, letter, "toolkit.pdf", PDF)
    enclosure = letter.enclosures.get()
    url = reverse("correspondence:draft_enclosure_remove", args=[letter.pk, enclosure.pk])
    assert client.post(url).status_code == 302
    assert not letter.enclosures.exists()
    assert not enclosure.file.storage.exists(enclosure.file.name)


# Preview and send ------------------------------------------------------------------------------


def test_the_preview_shows_the_letter_as_the_chosen_recipient_receives_it(client, secretariat):
    english = factories.PersonFactory(full_name="Ann Jones", email="ann@example.org")
    welsh = factories.PersonFactory(
        full_name="Aled Roberts", email="aled@example.org", preferred_language="cy"
    )
    no_email = factories.PersonFactory(full_name="Nobody Reachable", email="")
    letter = draft_to(
        [english, welsh, no_email],
        body_cy="Corff Cymraeg y llythyr.",
        language_mode="preferred",
    )
    client.force_login(secretariat)
    url = reverse("correspondence:draft_preview", args=[letter.pk])

    response = client.get(url, {"person": welsh.pk})

    content = response.content.decode()
    assert "Annwyl Aled Roberts," in content and "Corff Cymraeg y llythyr." in content
    assert "Dear Aled Roberts," not in content
    assert "aled@example.org" in content and "ann@example.org" not in content
    assert "Nobody Reachable" in content  # named as not receiving it
    assert "Send to 2 recipients" in content
    english_view = client.get(url, {"person": english.pk}).content.decode()
    assert "Dear Ann Jones," in english_view and "Annwyl" not in english_view


def test_sending_queues_one_copy_per_recipient_and_opens_the_outbox(client, secretariat):
    recipients = factories.PersonFactory.create_batch(3)
    letter = draft_to([*recipients, factories.PersonFactory(email="")])
    client.force_login(secretariat)

    response = client.post(reverse("correspondence:draft_send", args=[letter.pk]))

    assert response["Location"] == reverse("correspondence:outbox_letter", args=[letter.pk])
    assert set(OutgoingMail.objects.values_list("kind", "letter", "person", "status")) == {
        ("letter", letter.pk, person.pk, Status.QUEUED) for person in recipients
    }
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING
    again = client.post(reverse("correspondence:draft_send", args=[letter.pk]))
    assert again.status_code == 404
    assert OutgoingMail.objects.count() == 3


@pytest.mark.parametrize(
    ("empty", "language"),
    [
        ({"welsh_language_statement_en": ""}, "in English"),
        ({"welsh_language_statement_cy": "  "}, "in Welsh"),
    ],
)
def test_a_letter_without_the_welsh_language_statement_is_not_sent(
    client, secretariat, empty, language
):
    letter = draft_to(factories.PersonFactory.create_batch(2), **empty)
    client.force_login(secretariat)
    preview_url = reverse("correspondence:draft_preview", args=[letter.pk])

    preview = client.get(preview_url).content.decode()
    response = client.post(reverse("correspondence:draft_send", args=[letter.pk]), follow=True)

    message = f"Add the Welsh language statement {language} before sending"
    assert message in preview
    assert 'action="{}"'.format(reverse("correspondence:draft_send", args=[letter.pk])) not in (
        preview
    )
    assert response.redirect_chain == [(preview_url, 302)]
    assert response.content.decode().count(message) == 1
    assert not OutgoingMail.objects.exists()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


# The outbox ------------------------------------------------------------------------------------


def sent_letter(statuses) -> Letter:
    letter = factories.LetterFactory(status=Letter.Status.SENDING)
    organisation = factories.OrganisationFactory()
    for status in statuses:
        factories.LetterMailFactory(
            letter=letter,
            person=factories.PersonFactory(organisation=organisation),
            status=status,
            reason="550 Mailbox unavailable" if status == Status.FAILED else "",
        )
    return letter


def letter_mails(letter):
    return OutgoingMail.objects.filter(letter=letter)


def test_the_outbox_counts_each_status_and_lists_problems_first(client, secretariat):
    letter = sent_letter([Status.SENT, Status.SENT, Status.FAILED, Status.UNCERTAIN, Status.QUEUED])
    client.force_login(secretariat)

    response = client.get(reverse("correspondence:outbox_letter", args=[letter.pk]))

    assert response.context["counts"] == {
        "queued": 1, "sending": 0, "sent": 2, "failed": 1, "uncertain": 1,
    }  # fmt: skip
    order = [m.status for m in response.context["mails"]]
    assert order == ["failed", "uncertain", "queued", "sent", "sent"]
    content = response.content.decode()
    assert "550 Mailbox unavailable" in content
    assert 'http-equiv="refresh"' in content  # still sending: the page keeps itself up to date
    # Only what can be settled can be ticked.
    ticked = re.findall(r'name="mails" value="(\d+)"', content)
    assert sorted(map(int, ticked)) == sorted(
        letter_mails(letter).filter(status__in=["failed", "uncertain"]).values_list("pk", flat=True)
    )
    outbox = client.get(reverse("correspondence:outbox")).content.decode()
    assert "2 / 5" in outbox


def test_the_status_fragment_says_when_sending_is_over(client, secretariat):
    letter = sent_letter([Status.SENT, Status.FAILED])
    client.force_login(secretariat)
    url = reverse("correspondence:outbox_letter", args=[letter.pk])
    response = client.get(url, {"fragment": "status"})
    content = response.content.decode()
    assert content.startswith('<div data-pending="false"')
    assert "<html" not in content


def test_a_letter_whose_last_copy_was_not_marked_is_shown_sent(client, secretariat):
    letter = sent_letter([Status.SENT, Status.FAILED])  # still "sending", nothing pending
    client.force_login(secretariat)
    client.get(reverse("correspondence:outbox_letter", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def settle(client, letter, action, mails=(), follow=False, **data):
    url = reverse("correspondence:outbox_settle", args=[letter.pk])
    data = {"action": action, "mails": [m.pk for m in mails], **REASON, **data}
    return client.post(url, data, follow=follow)


def test_resend_to_failed_queues_only_the_failed_copies_with_the_reason(client, secretariat):
    letter = sent_letter([Status.SENT, Status.FAILED, Status.FAILED, Status.UNCERTAIN])
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.SENT)
    client.force_login(secretariat)

    response = settle(client, letter, "resend_failed")

    assert response.status_code == 302
    assert sorted(letter_mails(letter).values_list("status", flat=True)) == sorted(
        [Status.SENT, Status.QUEUED, Status.QUEUED, Status.UNCERTAIN]
    )
    queued = letter_mails(letter).filter(status=Status.QUEUED)
    assert not queued.exclude(reason="").exists()
    assert set(queued.values_list("resolved_by", "resolution")) == {
        (secretariat.pk, REASON["reason"])
    }
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING


def test_the_ticked_uncertain_copies_are_confirmed_or_sent_again(client, secretariat):
    letter = sent_letter([Status.UNCERTAIN, Status.UNCERTAIN, Status.UNCERTAIN])
    first, second, third = letter_mails(letter).order_by("pk")
    client.force_login(secretariat)

    settle(client, letter, "confirm", [first])
    settle(client, letter, "resend", [second])

    statuses = dict(letter_mails(letter).values_list("pk", "status"))
    assert statuses == {first.pk: Status.SENT, second.pk: Status.QUEUED, third.pk: Status.UNCERTAIN}
    first.refresh_from_db()
    assert (first.resolved_by, first.resolution) == (secretariat, REASON["reason"])
    page = client.get(reverse("correspondence:outbox_letter", args=[letter.pk])).content.decode()
    assert REASON["reason"] in page


def test_every_uncertain_copy_is_confirmed_in_one_go(client, secretariat):
    letter = sent_letter([Status.UNCERTAIN] * 4 + [Status.FAILED])
    client.force_login(secretariat)
    page = client.get(reverse("correspondence:outbox_letter", args=[letter.pk])).content.decode()
    assert "Record all 4 uncertain copies as arrived" in page

    response = settle(client, letter, "confirm_uncertain", follow=True)

    assert "Recorded 4 copies as arrived." in response.content.decode()
    counts = letter_mails(letter).status_counts()
    assert (counts["sent"], counts["failed"], counts["uncertain"]) == (4, 1, 0)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"action": "confirm_uncertain", "reason": ""}, "Give the reason"),
        ({"action": "confirm", "mails": []}, "Tick the copies this is about."),
    ],
)
def test_settling_without_a_reason_or_a_choice_changes_nothing(client, secretariat, data, error):
    letter = sent_letter([Status.UNCERTAIN, Status.FAILED])
    client.force_login(secretariat)

    response = settle(client, letter, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert sorted(letter_mails(letter).values_list("status", flat=True)) == ["failed", "uncertain"]


def test_another_letters_copy_cannot_be_settled_from_this_one(client, secretariat):
    letter = sent_letter([Status.UNCERTAIN])
    other = sent_letter([Status.UNCERTAIN])
    client.force_login(secretariat)

    response = settle(client, letter, "confirm", letter_mails(other), follow=True)

    assert "nothing changed" in response.content.decode()
    assert letter_mails(other).get().status == Status.UNCERTAIN


def test_outbox_buttons_need_the_csrf_token(secretariat):
    from django.test import Client

    letter = sent_letter([Status.FAILED])
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    response = settle(client, letter, "resend_failed")
    assert response.status_code == 403
    assert letter_mails(letter).get().status == Status.FAILED


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_the_outbox_page_makes_the_same_queries_however_many_recipients(
    client, secretariat, django_assert_max_num_queries, rows
):
    letter = sent_letter([Status.SENT] * rows)
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.SENT)
    client.force_login(secretariat)
    url = reverse("correspondence:outbox_letter", args=[letter.pk])
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("correspondence:outbox")).status_code == 200


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_the_preview_makes_the_same_queries_however_many_recipients(
    client, secretariat, django_assert_max_num_queries, rows
):
    organisation = factories.OrganisationFactory()
    letter = draft_to(factories.PersonFactory.create_batch(rows, organisation=organisation))
    client.force_login(secretariat)
    url = reverse("correspondence:draft_preview", args=[letter.pk])
    # One of them is the second-factor check of every signed-in request (directory.two_factor).
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_starting_from_an_unknown_letter_is_a_404(client, secretariat, value):
    client.force_login(secretariat)
    assert client.get(reverse("correspondence:compose"), {"from": value}).status_code == 404


def test_a_recipient_gets_at_most_one_copy_of_a_letter(db):
    from correspondence import sending

    letter = draft_to(factories.PersonFactory.create_batch(1))
    sending.letter_send(letter=letter)
    first = letter_mails(letter).get()
    # Queued again (a double click that got past the draft check): the key holds it once.
    sending.outbox.queue_many([sending._mail(letter, first.person, None)])
    assert letter_mails(letter).count() == 1
    # The same person may still receive another letter.
    other = draft_to([first.person])
    sending.letter_send(letter=other)
    assert OutgoingMail.objects.filter(person=first.person).count() == 2


def test_the_outbox_heading_counts_its_letters(client, secretariat):
    for _ in range(3):
        sent_letter([Status.SENT, Status.FAILED])
    draft_to([factories.PersonFactory()])  # a draft is listed apart, not counted
    client.force_login(secretariat)
    content = client.get(reverse("correspondence:outbox")).content.decode()
    assert '<h1 class="govuk-heading-l">Outbox (3 letters)</h1>' in content
    OutgoingMail.objects.all().delete()
    sent_letter([Status.QUEUED])
    content = client.get(reverse("correspondence:outbox")).content.decode()
    assert "Outbox (1 letter)</h1>" in content


def test_the_outbox_list_makes_the_same_queries_with_1_10_or_50_letters(
    client, secretariat, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(secretariat)
    url = reverse("correspondence:outbox")
    statuses = [Status.SENT, Status.FAILED, Status.UNCERTAIN]
    sent_letter(statuses)
    client.get(url)  # caches filled once per process are not the page's own queries
    with CaptureQueriesContext(connection) as one_letter:
        assert "Outbox (1 letter)" in client.get(url).content.decode()
    for total in (10, 50):
        while Letter.objects.count() < total:
            sent_letter(statuses)
        with django_assert_max_num_queries(len(one_letter)):
            response = client.get(url)
        assert f"Outbox ({total} letters)" in response.content.decode()
