"""Importing ministerial letters of the shapes real ones come in: a First Minister's letter, a
letter in Welsh only, a bilingual letter with the Welsh first, a letter to one Member of the
Senedd, a letter with no reference, a reply quoting the other side's reference, and a Word
document. Each is archived with the audience it was written to, and a letter to one person is
seen by that person and the forum's staff only."""

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse

from correspondence.importers import import_letter, parse_date, parse_letter
from correspondence.models import Letter
from tests import factories
from wrc.lib.importing import ImportFormatError

LETTERS = Path(__file__).parent / "documents" / "letters"
JANE_HUTT_CY = "Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol, y Trefnydd a'r Prif Chwip"
JANE_HUTT_EN = "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip"


def text_of(name: str) -> str:
    return (LETTERS / name).read_text(encoding="utf-8")


def imported(name: str, forum, text: str | None = None):
    report = import_letter(text=text or text_of(name), source_name=name, forum=forum)
    return Letter.objects.get(source_document=name), report


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n") if body else []


def test_a_first_ministers_letter_to_the_forums_members(forum):
    letter, report = imported("first-minister-FM-05433-16.txt", forum)
    assert letter.reference == "FM -/05433/16"
    assert letter.their_reference == ""
    assert letter.date == datetime.date(2016, 9, 9)
    assert letter.sender_name == "Y Gwir Anrh/Rt Hon Rhian Pritchard AS/MS"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == (
        "Prif Weinidog Cymru",
        "First Minister of Wales",
    )
    assert letter.addressee == "Wales Race Forum members"
    assert letter.salutation_en == "Dear colleagues,"
    assert letter.subject_en == "The Race Equality Action Plan: next steps"
    body = paragraphs(letter.body_en)
    assert len(body) == 4
    assert body[0].startswith("Thank you for the time so many of you gave")
    assert body[-1].startswith("I would welcome the Forum's views on the consultation draft")
    assert "CF99 1SN" in letter.sender_address and "CF99 1SN" not in letter.body_en
    assert letter.welsh_language_statement_cy.startswith("Rydym yn croesawu")
    assert (letter.subject_cy, letter.body_cy) == ("", "")
    assert [c.as_written for c in letter.cc.all()] == [
        "Race Council Cymru",
        "Welsh Local Government Association",
    ]
    assert [e.title for e in letter.enclosures.all()] == [
        "Race Equality Action Plan – consultation draft"
    ]
    assert (letter.audience, letter.status) == (Letter.Audience.ALL_MEMBERS, "archived")
    assert not letter.recipient_people.exists()
    assert report.notices == []


def test_a_letter_in_welsh_only_fills_the_welsh_fields_and_leaves_the_english_empty(forum):
    letter, _report = imported("welsh-only-DR-0456-25.txt", forum)
    assert letter.reference == "DR/0456/25"
    assert letter.date == datetime.date(2025, 2, 14)
    assert letter.sender_name == "Dafydd Rhys AS/MS"
    assert letter.sender_titles_cy == "Y Gweinidog Partneriaeth Gymdeithasol"
    assert letter.sender_titles_en == "Minister for Social Partnership"
    assert letter.addressee == "Aelodau Fforwm Hil Cymru"
    assert (letter.salutation_cy, letter.closing_cy) == ("Annwyl bawb,", "Yn gywir,")
    assert letter.subject_cy == "Cyllid ar gyfer grwpiau cymunedol yn 2025-26"
    body = paragraphs(letter.body_cy)
    assert len(body) == 3 and body[0].startswith("Diolch i chi am eich gwaith")
    for english in ("salutation_en", "subject_en", "body_en", "closing_en"):
        assert getattr(letter, english) == "", english
    assert [c.as_written for c in letter.cc.all()] == ["Cyngor Hil Cymru"]
    assert [e.title for e in letter.enclosures.all()] == ["Canllawiau'r grant cymunedol 2025-26"]
    # "Aelodau Fforwm Hil Cymru" are the forum's members, in Welsh.
    assert letter.audience == Letter.Audience.ALL_MEMBERS
    assert letter.is_welsh_only and letter.subject == letter.subject_cy
    assert str(letter) == "DR/0456/25 – Cyllid ar gyfer grwpiau cymunedol yn 2025-26"


def test_the_page_of_a_welsh_only_letter_shows_the_welsh(forum, client):
    letter, _report = imported("welsh-only-DR-0456-25.txt", forum)
    client.force_login(factories.secretariat_user(forum=forum))
    page = client.get(letter.get_absolute_url()).content.decode()
    assert '<h1 class="govuk-heading-l" lang="cy">Cyllid ar gyfer grwpiau cymunedol' in page
    assert "Diolch i chi am eich gwaith dros y flwyddyn ddiwethaf" in page
    assert "Annwyl bawb," in page
    listing = client.get(reverse("correspondence:list")).content.decode()
    assert "Cyllid ar gyfer grwpiau cymunedol yn 2025-26</a>" in listing


def test_a_welsh_first_bilingual_letter_puts_each_version_in_its_own_fields(forum):
    letter, _report = imported("welsh-first-JH-PO-112-2025.txt", forum)
    assert letter.reference == "JH/PO/112/2025"
    assert letter.date == datetime.date(2025, 3, 12)  # "Dydd Mercher, 12 Mawrth 2025"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == (JANE_HUTT_CY, JANE_HUTT_EN)
    assert (letter.salutation_cy, letter.salutation_en) == ("Annwyl bawb,", "Dear all,")
    assert (letter.closing_cy, letter.closing_en) == ("Yn gywir,", "Yours sincerely,")
    assert letter.subject_cy == "Diwrnod Rhyngwladol Dileu Gwahaniaethu ar sail Hil"
    assert letter.subject_en == "International Day for the Elimination of Racial Discrimination"
    welsh, english = paragraphs(letter.body_cy), paragraphs(letter.body_en)
    assert len(welsh) == 2 and len(english) == 2
    assert welsh[0].startswith("Ar 21 Mawrth byddwn yn nodi")
    assert english[0].startswith("On 21 March we will mark")
    assert "Jane Hutt" not in letter.body_cy and "Dear all" not in letter.body_cy
    assert [c.as_written for c in letter.cc.all()] == ["WCVA"]
    assert letter.audience == Letter.Audience.ALL_MEMBERS


def test_a_letter_to_one_member_of_the_senedd_is_archived_for_her_alone(forum):
    carys = factories.PersonFactory(full_name="Carys Bowen", organisation=None)
    letter, report = imported("to-one-member-of-the-senedd-MA-JH-1234-24.txt", forum)
    assert letter.reference == "MA/JH/1234/24"
    assert letter.date == datetime.date(2025, 1, 30)  # "30/01/2025"
    assert letter.addressee == "Carys Bowen MS"
    assert letter.addressee_address.splitlines() == [
        "Chair, Equality and Social Justice Committee",
        "Senedd Cymru",
        "Cardiff Bay",
        "Cardiff",
        "CF99 1SN",
    ]
    assert letter.salutation_en == "Dear Carys,"
    assert letter.subject_en == "The Wales Race Forum and your Committee's inquiry"
    assert len(paragraphs(letter.body_en)) == 3
    assert letter.sender.full_name == "Jane Hutt"
    assert (letter.audience, letter.status) == (Letter.Audience.PEOPLE, Letter.Status.ARCHIVED)
    assert list(letter.recipient_people.all()) == [carys]
    assert not letter.recipient_organisations.exists()
    assert not letter.mails.exists()
    assert report.notices == []


def test_a_letter_with_no_reference_is_signed_by_an_official(forum):
    name = "no-reference-communities-division.txt"
    letter, _report = imported(name, forum)
    assert (letter.reference, letter.their_reference) == ("", "")
    assert letter.date == datetime.date(2025, 3, 5)
    assert letter.sender_name == "Huw Morgan"
    assert letter.sender_titles_en == "Deputy Director, Communities Division"
    assert letter.sender_titles_cy == "Dirprwy Gyfarwyddwr, yr Is-adran Cymunedau"
    assert letter.addressee == "Wales Race Forum members"
    assert (letter.salutation_en, letter.closing_en) == ("Dear Forum members,", "Kind regards,")
    assert letter.subject_en == "Arrangements for the meeting on 17 March"
    assert [e.title for e in letter.enclosures.all()] == [
        "Agenda for the meeting on 17 March 2025",
        "Notes of the meeting on 9 December 2024",
    ]
    assert letter.audience == Letter.Audience.ALL_MEMBERS
    # Known by its forum, date and subject: importing it again changes nothing.
    report = import_letter(text=text_of(name), source_name=name, forum=forum)
    assert "nothing changed" in report.summary()
    assert Letter.objects.count() == 1


def test_a_reply_keeps_both_references_and_an_unknown_addressee_is_reported(forum):
    letter, report = imported("your-ref-our-ref-JH-PO-58-2025.txt", forum)
    assert (letter.reference, letter.their_reference) == ("JH/PO/58/2025", "EMW/2025/07")
    assert letter.date == datetime.date(2025, 2, 20)
    assert letter.addressee == "Ms Amara Okafor"
    assert letter.addressee_address.splitlines()[:2] == [
        "Chief Executive",
        "Ethnic Minorities and Youth Support Team Wales",
    ]
    assert letter.salutation_en == "Dear Ms Okafor,"
    assert [c.as_written for c in letter.cc.all()] == ["Wales Race Forum secretariat"]
    # Not in the directory: nobody is linked, so only the forum's staff can see it.
    assert letter.audience == Letter.Audience.PEOPLE
    assert not letter.recipient_people.exists()
    assert [(n.line, n.kind) for n in report.notices] == [(10, "guess")]
    assert "Ms Amara Okafor" in report.notices[0].message


def test_an_addressee_added_to_the_directory_is_linked_on_the_next_import(forum):
    name = "your-ref-our-ref-JH-PO-58-2025.txt"
    imported(name, forum)
    amara = factories.PersonFactory(full_name="Amara Okafor")
    letter, report = imported(name, forum)
    assert list(letter.recipient_people.all()) == [amara]
    assert report.notices == []


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("30 January 2025", datetime.date(2025, 1, 30)),
        ("30 Ionawr 2025", datetime.date(2025, 1, 30)),
        ("30/01/2025", datetime.date(2025, 1, 30)),
        ("30ain Ionawr 2025", datetime.date(2025, 1, 30)),
        ("Dydd Iau, 30 Ionawr 2025", datetime.date(2025, 1, 30)),
        ("4 o Fawrth 2025", datetime.date(2025, 3, 4)),
        ("Dyddiad/Date: 3 Fehefin 2024", datetime.date(2024, 6, 3)),
        ("21 Dachwedd 2024", datetime.date(2024, 11, 21)),
        ("9 Fedi 2016", datetime.date(2016, 9, 9)),
        ("1af Ragfyr 2023", datetime.date(2023, 12, 1)),
        ("12 Mawrth 2025 / 12 March 2025", datetime.date(2025, 3, 12)),
        ("Thursday 30 January 2025", datetime.date(2025, 1, 30)),
        ("January 30, 2025", datetime.date(2025, 1, 30)),
    ],
)
def test_dates_in_english_and_welsh(written, date):
    assert parse_date(written, 1) == date


def test_a_sentence_with_a_date_in_it_is_not_the_date():
    assert parse_date("The meeting on 30 January 2025 was cancelled.", 1) is None
    with pytest.raises(ImportFormatError, match=r'line 7: "31 Chwefror 2025" is not a date'):
        parse_date("31 Chwefror 2025", 7)


def test_reference_forms():
    seed = text_of("welsh-only-DR-0456-25.txt")
    for line, ours, theirs in [
        ("Ref: WRF/2025/03", "WRF/2025/03", ""),
        ("Reference: WRF/2025/03", "WRF/2025/03", ""),
        ("Cyf: WRF/2025/03", "WRF/2025/03", ""),
        ("Ein cyf/Our ref: MA/JH/1234/24", "MA/JH/1234/24", ""),
        ("Our ref/Ein cyf: FM -/05433/16", "FM -/05433/16", ""),
        ("Eich cyf/Your ref: P-05-712 Ein cyf/Our ref: FM -/05433/16", "FM -/05433/16", "P-05-712"),
    ]:
        parsed = parse_letter(seed.replace("Ein cyf/Our ref: DR/0456/25", line))
        assert (parsed.reference, parsed.their_reference) == (ours, theirs), line


def test_an_interleaved_bilingual_letter_is_split_paragraph_by_paragraph(forum):
    text = """Jane Hutt AS/MS
Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol, y Trefnydd a'r Prif Chwip
Cabinet Secretary for Social Justice, Trefnydd and Chief Whip

Ein cyf/Our ref: JH/PO/77/2025

Aelodau Fforwm Hil Cymru / Wales Race Forum Members

2 Ebrill 2025

Annwyl bawb / Dear all,

Adolygiad o'r Cynllun / Review of the Plan

Hoffwn ddiolch i chi am eich sylwadau ar yr adolygiad, a fydd yn cael eu trafod yn y cyfarfod nesaf.

I would like to thank you for your comments on the review, to be discussed at the next meeting.

Bydd yr adroddiad terfynol ar gael ym mis Mehefin.

The final report will be available in June.

Yn gywir / Yours sincerely,

Jane Hutt AS/MS
"""
    letter, _report = imported("interleaved.txt", forum, text)
    assert (letter.salutation_cy, letter.salutation_en) == ("Annwyl bawb", "Dear all,")
    assert (letter.closing_cy, letter.closing_en) == ("Yn gywir", "Yours sincerely,")
    assert (letter.subject_cy, letter.subject_en) == ("Adolygiad o'r Cynllun", "Review of the Plan")
    assert paragraphs(letter.body_cy)[1] == "Bydd yr adroddiad terfynol ar gael ym mis Mehefin."
    assert paragraphs(letter.body_en)[1] == "The final report will be available in June."
    assert letter.audience == Letter.Audience.ALL_MEMBERS


def test_a_letter_to_another_body_is_not_shown_to_the_forums_members(forum):
    text = text_of("first-minister-FM-05433-16.txt").replace(
        "To: Wales Race Forum members", "To: Members of the Equality and Social Justice Committee"
    )
    letter, report = imported("to-committee.txt", forum, text)
    assert letter.audience == Letter.Audience.PEOPLE
    assert not letter.recipient_people.exists()
    assert any("only the forum's staff" in notice.message for notice in report.notices)


def test_not_a_letter_and_a_letter_without_a_body_are_refused(db):
    with pytest.raises(ImportFormatError, match=r"line 3: .*meeting notes"):
        parse_letter("Wales Race Forum\n\nAttendees\nJane Hutt MS (Chair)\n\nAction points\n")
    with pytest.raises(ImportFormatError, match=r"line 1: this is not a letter"):
        parse_letter("Some thoughts on the plan.\n\nMore thoughts.\n")
    empty = "Ein cyf/Our ref: X/1\n\n1 May 2025\n\nDear all,\n\nA subject\n\nYours sincerely,\n"
    with pytest.raises(ImportFormatError, match=r"line 9: the letter has no body"):
        parse_letter(empty)
    assert Letter.objects.count() == 0


def test_lines_that_are_not_placed_are_reported_not_dropped():
    text = text_of("welsh-only-DR-0456-25.txt").replace(
        "Aelodau Fforwm Hil Cymru\n", "Aelodau Fforwm Hil Cymru\n\n14 Chwefror 2025\n\nPreifat\n"
    )
    parsed = parse_letter(text)
    assert [(n.line, n.kind) for n in parsed.notices] == [(14, "unplaced")]
    assert "Preifat" in parsed.notices[0].message


# --- who can read an archived letter -------------------------------------------------------


def test_a_letter_to_one_person_is_visible_to_that_person_and_the_forums_staff_only(
    forum, client, member, official
):
    carys = factories.PersonFactory(
        full_name="Carys Bowen", organisation=member.person.organisation
    )
    carys_user = factories.member_user(person=carys, forum=forum, username="carys")
    to_carys, _report = imported("to-one-member-of-the-senedd-MA-JH-1234-24.txt", forum)
    to_everyone, _report = imported("first-minister-FM-05433-16.txt", forum)
    staff = factories.secretariat_user(forum=forum, username="staff")
    other_forum = factories.secretariat_user(
        forum=factories.ForumFactory(board=True), username="board-staff"
    )

    def visible(user):
        return set(Letter.objects.visible_to(user))

    assert visible(carys_user) == {to_carys, to_everyone}
    # Another member, even of Carys's own organisation, sees only the letter to all members.
    assert visible(member) == {to_everyone}
    assert visible(staff) == {to_carys, to_everyone}
    assert visible(official) == {to_carys, to_everyone}
    assert visible(other_forum) == set()

    client.force_login(member)
    assert client.get(to_carys.get_absolute_url()).status_code == 404
    assert "MA/JH/1234/24" not in client.get(reverse("correspondence:list")).content.decode()
    client.force_login(carys_user)
    page = client.get(to_carys.get_absolute_url()).content.decode()
    assert "The Wales Race Forum and your Committee&#x27;s inquiry" in page
    assert "Carys Bowen" in page


# --- a Word document ----------------------------------------------------------------------


def word_letter() -> bytes:
    """A letter as a Word document: one paragraph a line, the subject as a heading."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in [
        "Jane Hutt AS/MS",
        JANE_HUTT_CY,
        JANE_HUTT_EN,
        "Llywodraeth Cymru",
        "Welsh Government",
        "Ein cyf/Our ref: JH/PO/201/2025",
        "Carys Bowen MS",
        "Chair, Equality and Social Justice Committee",
        "Senedd Cymru",
        "28 Ebrill 2025",
        "Annwyl Carys,",
    ]:
        document.add_paragraph(line)
    document.add_heading("Ymchwiliad y Pwyllgor i hiliaeth mewn gwasanaethau cyhoeddus", 2)
    document.add_paragraph(
        "Diolch am eich llythyr dyddiedig 3 Ebrill yn gofyn am dystiolaeth gan aelodau Fforwm "
        "Hil Cymru ar gyfer ymchwiliad y Pwyllgor."
    )
    document.add_paragraph(
        "Rwyf wedi gofyn i'm swyddogion anfon crynodeb o waith y Fforwm at glerc y Pwyllgor "
        "erbyn diwedd mis Mai."
    )
    for line in ["Yn gywir,", "Jane Hutt AS/MS", JANE_HUTT_CY, JANE_HUTT_EN]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_letter_from_a_word_document(forum):
    documents = pytest.importorskip("wrc.lib.documents")
    text = documents.read_document_bytes(word_letter(), "llythyr.docx").text
    carys = factories.PersonFactory(full_name="Carys Bowen")
    letter, report = imported("llythyr.docx", forum, text)
    assert letter.reference == "JH/PO/201/2025"
    assert letter.date == datetime.date(2025, 4, 28)
    assert letter.sender_name == "Jane Hutt AS/MS"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == (JANE_HUTT_CY, JANE_HUTT_EN)
    assert letter.addressee == "Carys Bowen MS"
    assert letter.addressee_address.splitlines() == [
        "Chair, Equality and Social Justice Committee",
        "Senedd Cymru",
    ]
    assert letter.salutation_cy == "Annwyl Carys,"
    assert letter.subject_cy == "Ymchwiliad y Pwyllgor i hiliaeth mewn gwasanaethau cyhoeddus"
    assert len(paragraphs(letter.body_cy)) == 2
    assert (letter.subject_en, letter.body_en, letter.salutation_en) == ("", "", "")
    assert letter.audience == Letter.Audience.PEOPLE
    assert list(letter.recipient_people.all()) == [carys]
    assert report.notices == []


# --- letters imported before letters were archived ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_letters_imported_before_are_archived_and_only_those_to_all_members_stay_so():
    from tests.test_migrations import migrate

    old = migrate([("correspondence", "0002_delivery")])
    try:
        forum = old.get_model("directory", "Forum").objects.create(
            name="Wales Race Forum", slug="wales-race-forum"
        )
        Letter_ = old.get_model("correspondence", "Letter")
        common = {"forum": forum, "date": datetime.date(2025, 1, 30), "status": "sent"}
        seed = Letter_.objects.create(
            reference="JH/PO/31/2025",
            addressee="Wales Race Forum Members",
            salutation_en="Dear all,",
            source_document="letter-2025-01-30-JH-PO-31-2025.txt",
            **common,
        )
        to_one = Letter_.objects.create(
            reference="MA/JH/1234/24",
            addressee="Carys Bowen MS",
            salutation_en="Dear Carys,",
            source_document="to-carys.txt",
            **common,
        )
        composed = Letter_.objects.create(reference="X/1", salutation_en="Dear Carys,", **common)
        new = migrate(None)
        rows = {
            row.pk: (row.status, row.audience)
            for row in new.get_model("correspondence", "Letter").objects.all()
        }
        assert rows == {
            seed.pk: ("archived", "all_members"),
            to_one.pk: ("archived", "people"),
            composed.pk: ("sent", "all_members"),  # sent from here: its outbox rows are the record
        }
    finally:
        migrate(None)
