"""Bringing a forum's people in from a CSV or Excel file, checking each row before anything is
saved, exporting them again in the same columns, and one main contact per organisation."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from correspondence.models import Letter
from correspondence.sending import letter_recipients
from directory import contacts
from directory.models import Membership, Organisation, Person
from tests import factories

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("directory:contacts_import")
PREVIEW_URL = reverse("directory:contacts_preview")
COMMIT_URL = reverse("directory:contacts_commit")

HEADINGS = [
    "Name", "Job title", "Email", "Phone", "Organisation", "Role", "Forums",
    "Preferred language", "Main contact",
]  # fmt: skip


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def board(db):
    return factories.ForumFactory(board=True)


@pytest.fixture
def race_council(db):
    return factories.OrganisationFactory(name="Race Council Cymru", short_name="RCC")


@pytest.fixture
def uzo(race_council):
    return factories.PersonFactory(
        full_name="Uzo Iwobi", email="uzo@racecouncil.example", organisation=race_council
    )


def csv_bytes(rows, *, encoding="utf-8", delimiter=",", headings=HEADINGS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, headings=HEADINGS, above=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name="people.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


def preview_page(client, data, name="people.csv"):
    response = upload(client, data, name)
    assert response.status_code == 302 and response["Location"] == PREVIEW_URL, response.content
    return client.get(PREVIEW_URL)


def commit(client):
    page = client.get(PREVIEW_URL)
    token = re.search(rb'name="token" value="([^"]+)"', page.content)
    assert token, "the preview offers no import"
    return client.post(COMMIT_URL, {"token": token.group(1).decode()})


def counts():
    return (Person.objects.count(), Organisation.objects.count(), Membership.objects.count())


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def read_file(data: bytes, name="people.csv"):
    return contacts.read_contacts(data, name)


# The preview ---------------------------------------------------------------------------------


def test_the_preview_shows_new_matching_and_error_rows_and_saves_nothing(
    client, secretariat, forum, uzo
):
    client.force_login(secretariat)
    data = csv_bytes(
        [
            ["Siân Wyn", "Policy Officer", "sian@tai.example", "029 2000 0001", "Tai Pawb",
             "member", "Wales Race Forum", "Cymraeg", "yes"],
            ["Uzo Iwobi", "Chief Executive", "UZO@racecouncil.example", "", "Race Council Cymru",
             "", "", "", ""],
            ["", "Officer", "nobody@example.org", "", "", "", "", "", ""],
            ["Bad Address", "", "not-an-email", "", "", "", "", "", ""],
        ]
    )  # fmt: skip
    before = counts()
    page = preview_page(client, data)
    assert page.status_code == 200
    body = text_of(page)
    assert "New person" in body and "Tai Pawb" in body and "New organisation" in body
    assert "Matches by email" in body and "Uzo Iwobi" in body
    assert "Job title: “Chief Executive” (none before)" in body
    assert "Joins Wales Race Forum (Member)" in body
    assert "Row 4: There is no name." in body
    assert "Row 5: “not-an-email” is not a valid email address." in body
    assert "Import 2 people" in body
    assert counts() == before
    assert Person.objects.get(pk=uzo.pk).title_en == ""


def test_nothing_in_the_page_says_what_is_imported_but_the_token(client, secretariat, forum):
    """The rows stay on the server: the import form carries only the token that names them."""
    client.force_login(secretariat)
    page = preview_page(client, csv_bytes([["Aled Roberts", "", "", "", "", "", "", "", ""]]))
    form = page.content.decode().split('action="' + COMMIT_URL + '"')[1].split("</form>")[0]
    assert re.findall(r'type="hidden" name="(\w+)"', form) == ["csrfmiddlewaretoken", "token"]
    assert client.post(COMMIT_URL, {"token": "forged"}).status_code == 302
    assert not Person.objects.filter(full_name="Aled Roberts").exists()


def test_errors_are_reported_with_their_row_numbers(secretariat, forum, uzo):
    data = csv_bytes(
        [
            ["Ffion Hughes", "", "ffion@example.org", "", "", "", "", "Welsh", "maybe"],
            ["Ffion Hughes", "", "FFION@example.org", "", "", "", "", "", ""],
            ["Gareth Bale", "", "", "", "", "chief", "", "Klingon", ""],
            ["Nia Griffith", "", "", "", "Head of Policy", "", "", "", ""],
            ["Osian Jones", "", "", "", "", "", "", "", "yes"],
            ["Rhian Evans", "", "", "", "Race Council Cymru", "", "", "", "yes"],
            ["Tomos Rees", "", "", "", "Race Council Cymru", "", "", "", "yes"],
        ]
    )  # fmt: skip
    preview = contacts.preview(read_file(data), user=secretariat)
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert "neither yes nor no" in errors[2]
    assert "also on row 2" in errors[3]
    assert "not a role" in errors[4]
    assert "not a language" in " ".join(preview.rows[2].notes)
    assert "looks like a job title" in errors[5]
    assert "needs an organisation" in errors[6]
    assert errors[7] == ""
    assert "Row 7 is already the main contact" in errors[8]
    assert [row.status for row in preview.rows] == ["error"] * 5 + ["new", "error"]


def test_a_job_title_in_the_organisation_column_never_becomes_an_organisation(
    client, secretariat, forum
):
    client.force_login(secretariat)
    data = csv_bytes(
        [
            ["Nia Griffith", "", "", "", "Community Cohesion Co-ordinator", "", "", "", ""],
            ["Aled Roberts", "", "", "", "Tai Pawb", "", "", "", ""],
        ]
    )
    body = text_of(preview_page(client, data))
    assert "looks like a job title" in body
    commit(client)
    assert not Organisation.objects.filter(name__icontains="Co-ordinator").exists()
    assert not Person.objects.filter(full_name="Nia Griffith").exists()
    assert Person.objects.get(full_name="Aled Roberts").organisation.name == "Tai Pawb"


def test_a_forum_the_user_does_not_keep_is_an_error(secretariat, forum, board):
    data = csv_bytes(
        [
            ["Aled Roberts", "", "", "", "", "", "Hate and Community Tensions Board Cymru", "", ""],
            ["Bethan Morgan", "", "", "", "", "", "Wales Choir Forum", "", ""],
            ["Carys Lloyd", "", "", "", "", "observer", "wales race forum", "", ""],
        ]
    )  # fmt: skip
    rows = contacts.preview(read_file(data), user=secretariat).rows
    assert "You do not keep the records of Hate and Community Tensions" in rows[0].errors[0]
    assert "There is no forum called “Wales Choir Forum”" in rows[1].errors[0]
    assert rows[2].errors == [] and rows[2].memberships == [(forum, "observer")]


def test_the_forums_of_a_row_may_be_listed_together(official, forum, board):
    data = csv_bytes([["Carys Lloyd", "", "", "", "", "", "Wales Race Forum; HCTB", "", ""]])
    row = contacts.preview(read_file(data), user=official).rows[0]
    assert [f for f, _role in row.memberships] == [forum, board]


# Saving --------------------------------------------------------------------------------------


def test_importing_creates_people_organisations_and_memberships(
    client, secretariat, forum, race_council, uzo
):
    client.force_login(secretariat)
    data = csv_bytes(
        [
            ["Siân Wyn", "Policy Officer", "sian@tai.example", "029 2000 0001", "Tai Pawb",
             "member", "Wales Race Forum", "Cymraeg", "yes"],
            ["Uzo Iwobi", "Chief Executive", "uzo@racecouncil.example", "", "RCC", "chair",
             "Wales Race Forum", "", "yes"],
            ["Dafydd ap Gwyn", "", "", "", "Welsh Local Government Association (WLGA)", "",
             "", "English", ""],
            ["", "", "", "", "", "", "", "", ""],
            ["No Name Row", "", "bad@", "", "", "", "", "", ""],
        ]
    )  # fmt: skip
    preview_page(client, data)
    response = commit(client)
    assert response.status_code == 302 and response["Location"] == reverse("directory:person_list")
    message = text_of(client.get(response["Location"]))
    assert "2 people added" in message and "Row 6 had an error and was skipped" in message

    sian = Person.objects.get(email="sian@tai.example")
    assert (sian.full_name, sian.title_en, sian.phone, sian.preferred_language) == (
        "Siân Wyn", "Policy Officer", "029 2000 0001", "cy"
    )  # fmt: skip
    assert sian.organisation.name == "Tai Pawb" and sian.is_organisation_contact
    uzo.refresh_from_db()
    assert (uzo.title_en, uzo.is_organisation_contact) == ("Chief Executive", True)
    assert uzo.memberships.get(forum=forum).role == "chair"
    assert Person.objects.filter(full_name="Uzo Iwobi").count() == 1
    dafydd = Person.objects.get(full_name="Dafydd ap Gwyn")
    # Known spellings resolve to the canonical organisation, as the importers name it.
    assert dafydd.organisation.name == "Welsh Local Government Association"
    assert not Person.objects.filter(full_name="No Name Row").exists()
    assert sian.memberships.get(forum=forum).person == sian


def test_imported_members_receive_the_letters_to_all_members(client, secretariat, forum):
    letter = factories.LetterFactory(forum=forum, audience=Letter.Audience.ALL_MEMBERS)
    before = set(letter_recipients(letter=letter))
    client.force_login(secretariat)
    rows = [
        [f"Member {n} Jones", "", f"member{n}@org{n}.example", "", f"Organisation {n} Cymru",
         "", "Wales Race Forum", "", "yes"]
        for n in range(1, 6)
    ]  # fmt: skip
    preview_page(client, csv_bytes(rows))
    commit(client)
    added = set(letter_recipients(letter=letter)) - before
    assert {p.email for p in added} == {f"member{n}@org{n}.example" for n in range(1, 6)}


def test_a_windows_1252_csv_keeps_welsh_names(client, secretariat, forum):
    """Excel on Windows saves "CSV" in windows-1252 (which has â, ï and ô, but not ŵ or ŷ) and
    with semicolons where the comma is a decimal separator."""
    client.force_login(secretariat)
    data = csv_bytes(
        [
            ["Siân Wyn", "Swyddog Polisi", "sian@example.org", "", "Tîm Cymunedol Môn", "",
             "Wales Race Forum", "Cymraeg", ""],
            ["Gwenllïan Rhys", "", "gwen@example.org", "", "", "", "", "", ""],
            ["Siôn Ellis", "", "sion@example.org", "", "", "", "", "", ""],
        ],
        encoding="cp1252",
        delimiter=";",
    )  # fmt: skip
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    body = text_of(preview_page(client, data))
    assert "Siân Wyn" in body and "Gwenllïan Rhys" in body and "Tîm Cymunedol Môn" in body
    commit(client)
    assert set(Person.objects.values_list("full_name", flat=True)) >= {
        "Siân Wyn", "Gwenllïan Rhys", "Siôn Ellis"
    }  # fmt: skip
    assert Organisation.objects.filter(name="Tîm Cymunedol Môn").exists()


def test_a_utf8_csv_keeps_letters_outside_windows_1252(secretariat, forum):
    data = csv_bytes([["Siân Ŵyn", "", "", "", "", "", "", "", ""]], encoding="utf-8-sig")
    assert read_file(data).rows[0]["name"] == "Siân Ŵyn"


def test_an_xlsx_with_other_headings_in_another_order(client, secretariat, forum):
    """Headings in any order and their common variants; a title above them; extra columns are
    ignored and said so."""
    client.force_login(secretariat)
    headings = ["E-mail", "Full name", "Notes", "Organisation name", "Language", "Job title",
                "Main contact"]  # fmt: skip
    rows = [
        ["ffion@eyst.example", "Ffion Hughes", "met at conference", "EYST", "Welsh",
         "Youth Worker", True],
        ["liam@example.org", "Liam O'Brien", "", None, "en", None, None],
    ]  # fmt: skip
    data = xlsx_bytes(rows, headings=headings, above=[["Contacts for the forum"], []])
    contact_file = read_file(data, "contacts.xlsx")
    assert contact_file.format == "xlsx" and contact_file.ignored == ["Notes"]
    assert [r["line"] for r in contact_file.rows] == [4, 5]
    body = text_of(preview_page(client, data, "contacts.xlsx"))
    assert "Columns ignored" in body and "Notes" in body
    commit(client)
    ffion = Person.objects.get(email="ffion@eyst.example")
    assert (ffion.full_name, ffion.title_en, ffion.preferred_language) == (
        "Ffion Hughes", "Youth Worker", "cy"
    )  # fmt: skip
    assert ffion.is_organisation_contact and ffion.organisation is not None
    assert Person.objects.get(email="liam@example.org").organisation is None


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("people.csv", b"", "is empty"),
        ("people.csv", b"%PDF-1.7\n%binary", "not a spreadsheet the import reads"),
        ("people.xlsx", b"PK\x03\x04 not really a zip", "may be damaged"),
        ("people.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "older Excel"),
        ("people.csv", b"Organisation,Email\nTai Pawb,a@example.org\n", "has no “Name” column"),
        ("people.csv", b"Name,Email\n", "has headings but no people"),
        ("people.pdf", b"Name\nAled\n", "is not a CSV or Excel"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    client, secretariat, forum, name, data, message
):
    client.force_login(secretariat)
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in text_of(response)
    assert client.get(PREVIEW_URL)["Location"] == IMPORT_URL


def test_a_file_over_the_size_limit_is_refused(client, secretariat, forum, settings):
    settings.IMPORT_MAX_BYTES = 200
    client.force_login(secretariat)
    data = csv_bytes([[f"Person {n}", "", "", "", "", "", "", "", ""] for n in range(40)])
    assert len(data) > 200
    response = upload(client, data)
    assert response.status_code == 200 and "larger than" in text_of(response)


def test_a_word_document_uploaded_as_xlsx_is_refused(client, secretariat, forum):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    client.force_login(secretariat)
    response = upload(client, buffer.getvalue(), "people.xlsx")
    assert "is a Word document" in text_of(response)


# Exporting and importing again ---------------------------------------------------------------


def seeded_forum(forum, race_council, uzo):
    uzo.title_en, uzo.phone, uzo.is_organisation_contact = "Chief Executive", "+44 29 2000", True
    uzo.save()
    factories.MembershipFactory(forum=forum, person=uzo, organisation=None, role="chair")
    factories.MembershipFactory(forum=forum, organisation=race_council)
    colleague = factories.PersonFactory(
        full_name="Rhian Evans", email="", organisation=race_council, preferred_language="cy"
    )
    # Matched by name and organisation, with a capital outside ASCII.
    factories.MembershipFactory(
        forum=forum,
        organisation=None,
        person=factories.PersonFactory(full_name="Ŵyn Ôwen", email="", organisation=race_council),
    )
    tai = factories.OrganisationFactory(name="Tai Pawb")
    sian = factories.PersonFactory(full_name="Siân Wyn", email="sian@tai.example", organisation=tai)
    factories.MembershipFactory(forum=forum, person=sian, organisation=None)
    factories.PersonFactory(full_name="Not In Forum", organisation=tai)
    return {uzo, colleague, sian, Person.objects.get(full_name="Ŵyn Ôwen")}


def snapshot():
    return sorted(
        Person.objects.values_list(
            "pk", "full_name", "title_en", "email", "phone", "organisation", "preferred_language",
            "is_organisation_contact", "version",
        )
    ), counts()  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_file_imports_again_changing_nothing(
    client, secretariat, forum, race_council, uzo, fmt
):
    people = seeded_forum(forum, race_council, uzo)
    client.force_login(secretariat)
    response = client.get(reverse("directory:contacts_export", args=[forum.slug]), {"format": fmt})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert f'filename="wales-race-forum-contacts-{today}.{fmt}"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    exported = read_file(response.content, f"export.{fmt}")
    # The secretariat's own person is one of the forum's people too.
    people.add(secretariat.person)
    assert {row["name"] for row in exported.rows} == {p.full_name for p in people}
    uzo_row = next(row for row in exported.rows if row["name"] == "Uzo Iwobi")
    assert (uzo_row["role"], uzo_row["forums"], uzo_row["main_contact"]) == (
        "chair", "Wales Race Forum", "yes"
    )  # fmt: skip
    assert uzo_row["phone"] == "+44 29 2000"  # the formula guard is taken off again

    before = snapshot()
    body = text_of(preview_page(client, response.content, f"export.{fmt}"))
    assert "There is nothing to import" in body
    preview = contacts.preview(exported, user=secretariat)
    assert {row.status for row in preview.rows} == {"unchanged"}
    contacts.commit(exported, user=secretariat)
    assert snapshot() == before


def test_the_export_csv_is_safe_to_open_in_a_spreadsheet(client, official, forum):
    person = factories.PersonFactory(full_name="=HYPERLINK(1)", title_en="@SUM(A1)")
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    client.force_login(official)
    content = client.get(reverse("directory:contacts_export", args=[forum.slug])).content
    assert content.startswith("\ufeff".encode())
    assert b"'=HYPERLINK(1)" in content and b"'@SUM(A1)" in content
    workbook = load_workbook(
        io.BytesIO(
            client.get(
                reverse("directory:contacts_export", args=[forum.slug]), {"format": "xlsx"}
            ).content
        )
    )
    cells = [cell.value for cell in next(workbook.active.iter_rows(min_row=2))]
    assert cells[0] == "=HYPERLINK(1)" and workbook.active["A2"].data_type == "s"


def test_editing_an_exported_file_changes_only_what_was_edited(
    client, secretariat, forum, race_council, uzo
):
    seeded_forum(forum, race_council, uzo)
    client.force_login(secretariat)
    exported = read_file(
        client.get(reverse("directory:contacts_export", args=[forum.slug])).content
    )
    for row in exported.rows:
        if row["name"] == "Rhian Evans":
            row["email"], row["main_contact"] = "rhian@racecouncil.example", "yes"
    preview = contacts.preview(exported, user=secretariat)
    changed = [row for row in preview.rows if row.status == "update"]
    assert [row.name for row in changed] == ["Rhian Evans"]
    assert changed[0].matched_by == "name" and changed[0].replaces_contact == uzo
    contacts.commit(exported, user=secretariat)
    rhian = Person.objects.get(full_name="Rhian Evans")
    assert (rhian.email, rhian.is_organisation_contact) == ("rhian@racecouncil.example", True)
    uzo.refresh_from_db()
    assert not uzo.is_organisation_contact


# Who may ------------------------------------------------------------------------------------


def contact_urls(forum, organisation):
    return [
        ("get", IMPORT_URL),
        ("post", IMPORT_URL),
        ("get", PREVIEW_URL),
        ("post", COMMIT_URL),
        ("get", reverse("directory:contacts_export", args=[forum.slug])),
        ("post", reverse("directory:organisation_main_contact", args=[organisation.slug])),
    ]


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_members_and_outsiders_may_not_import_or_export(
    client, request, forum, race_council, uzo, who
):
    client.force_login(request.getfixturevalue(who))
    for method, url in contact_urls(forum, race_council):
        response = getattr(client, method)(url, {"main_contact": uzo.pk})
        assert response.status_code in (403, 404), (method, url)
    assert not uzo.is_organisation_contact
    uzo.refresh_from_db()
    assert not uzo.is_organisation_contact


def test_anonymous_visitors_are_sent_to_sign_in(client, forum, race_council):
    for method, url in contact_urls(forum, race_council):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_another_forums_secretariat_may_not_export_this_forums_people(client, forum, board):
    client.force_login(factories.secretariat_user(forum=board, username="board_secretariat"))
    url = reverse("directory:contacts_export", args=[forum.slug])
    assert client.get(url).status_code == 404
    assert client.get(reverse("directory:contacts_export", args=[board.slug])).status_code == 200


def test_the_import_page_offers_exports_of_the_forums_the_user_keeps(
    client, secretariat, forum, board
):
    client.force_login(secretariat)
    body = client.get(IMPORT_URL).content.decode()
    assert reverse("directory:contacts_export", args=[forum.slug]) in body
    assert reverse("directory:contacts_export", args=[board.slug]) not in body


def test_another_users_upload_in_the_session_is_not_imported(client, secretariat, official, forum):
    client.force_login(secretariat)
    upload(client, csv_bytes([["Aled Roberts", "", "", "", "", "", "", "", ""]]))
    client.force_login(official)  # a new session: the upload does not follow
    assert client.get(PREVIEW_URL)["Location"] == IMPORT_URL


# The main contact ----------------------------------------------------------------------------


def test_an_organisation_has_one_main_contact(client, secretariat, forum, race_council, uzo):
    rhian = factories.PersonFactory(full_name="Rhian Evans", organisation=race_council)
    client.force_login(secretariat)
    page = text_of(client.get(race_council.get_absolute_url()))
    assert "Main contact" in page and "Save main contact" in page
    url = reverse("directory:organisation_main_contact", args=[race_council.slug])

    client.post(url, {"main_contact": uzo.pk})
    client.post(url, {"main_contact": rhian.pk})
    assert list(race_council.people.filter(is_organisation_contact=True)) == [rhian]
    # Someone from another organisation cannot be chosen.
    stranger = factories.PersonFactory()
    client.post(url, {"main_contact": stranger.pk})
    stranger.refresh_from_db()
    assert not stranger.is_organisation_contact
    assert list(race_council.people.filter(is_organisation_contact=True)) == [rhian]
    client.post(url, {"main_contact": "none"})
    assert not race_council.people.filter(is_organisation_contact=True).exists()


def test_importing_a_main_contact_replaces_the_one_before(
    client, secretariat, forum, race_council, uzo
):
    contacts.main_contact_set(race_council, uzo)
    data = csv_bytes(
        [["Rhian Evans", "", "rhian@example.org", "", "Race Council Cymru", "", "", "", "yes"]]
    )
    row = contacts.preview(read_file(data), user=secretariat).rows[0]
    assert row.status == "new" and row.replaces_contact == uzo
    contacts.commit(read_file(data), user=secretariat)
    assert list(
        race_council.people.filter(is_organisation_contact=True).values_list("full_name", flat=True)
    ) == ["Rhian Evans"]
    client.force_login(secretariat)
    body = text_of(client.get(race_council.get_absolute_url()))
    assert re.search(r"Rhian Evans</a> <strong class=\"govuk-tag\">Main contact", body)


def test_members_see_no_main_contact_form(client, member, race_council, uzo):
    client.force_login(member)
    body = text_of(client.get(race_council.get_absolute_url()))
    assert "Save main contact" not in body and uzo.email not in body


def test_a_bare_title_gives_way_to_the_job_title_and_role_may_mean_the_post(secretariat, forum):
    both = read_file(
        b"Title,First name,Surname,Job title,Organisation\nDr,Aled,Roberts,Director,Tai Pawb\n"
    )
    assert both.ignored == ["Title"]
    assert (both.rows[0]["name"], both.rows[0]["title"]) == ("Aled Roberts", "Director")
    posts = read_file(
        b"Name,Role,Organisation\nNia Griffith,Policy Officer,WCVA\nAled Roberts,Director,EYST\n"
    )
    assert [row["title"] for row in posts.rows] == ["Policy Officer", "Director"]
    assert posts.notes and all(row["role"] == "" for row in posts.rows)
    roles = read_file(b"Name,Role\nNia Griffith,Chair\nAled Roberts,\n")
    assert roles.rows[0]["role"] == "Chair" and not roles.notes


def test_two_rows_for_one_person_in_the_directory_are_an_error(secretariat, forum, uzo):
    data = csv_bytes(
        [
            ["Uzo Iwobi", "", "", "", "Race Council Cymru", "", "", "", ""],
            ["Uzo I.", "", "uzo@racecouncil.example", "", "", "", "", "", ""],
        ]
    )
    rows = contacts.preview(read_file(data), user=secretariat).rows
    assert rows[0].person == uzo and rows[0].errors == []
    assert "Row 2 is the same person (Uzo Iwobi)" in rows[1].errors[0]


def test_headings_are_understood_from_the_words_they_use(secretariat, forum):
    contact_file = read_file(
        b"Name of organisation,Contact name,Email address (work),Telephone no.,Job title/role,"
        b"Language preference (English/Welsh),Notes\n"
        b"Tai Pawb,Aled Roberts,aled@taipawb.example,029 2000 0002,Director,Welsh,x\n"
    )
    assert contact_file.rows[0] | {"line": 0} == {
        "line": 0, "name": "Aled Roberts", "title": "Director", "email": "aled@taipawb.example",
        "phone": "029 2000 0002", "organisation": "Tai Pawb", "role": "", "forums": "",
        "language": "Welsh", "main_contact": "",
    }  # fmt: skip
    assert contact_file.ignored == ["Notes"]


def test_a_file_with_too_many_people_is_refused(settings):
    rows = [[f"Person {n}", "", "", "", "", "", "", "", ""] for n in range(contacts.MAX_ROWS + 1)]
    with pytest.raises(contacts.ContactFileError, match="split it into smaller files"):
        read_file(csv_bytes(rows))
    assert len(read_file(csv_bytes(rows[:-1])).rows) == contacts.MAX_ROWS


def test_a_main_contact_row_without_an_organisation_means_their_own(secretariat, forum, uzo):
    rhian = factories.PersonFactory(
        full_name="Rhian Evans", email="rhian@example.org", organisation=uzo.organisation
    )
    contacts.main_contact_set(uzo.organisation, uzo)
    data = csv_bytes([["Rhian Evans", "", "RHIAN@example.org", "", "", "", "", "", "yes"]])
    row = contacts.preview(read_file(data), user=secretariat).rows[0]
    assert row.person == rhian and row.replaces_contact == uzo
    assert row.changes == ["Becomes the main contact of Race Council Cymru"]  # not the email
    contacts.commit(read_file(data), user=secretariat)
    rhian.refresh_from_db()
    uzo.refresh_from_db()
    assert (rhian.email, rhian.is_organisation_contact, uzo.is_organisation_contact) == (
        "rhian@example.org", True, False
    )  # fmt: skip


def test_marking_a_person_as_main_contact_on_their_form_unmarks_the_one_before(client, secretariat):
    organisation = factories.OrganisationFactory(name="Cytun")
    before = factories.PersonFactory(organisation=organisation, is_organisation_contact=True)
    person = factories.PersonFactory(organisation=organisation, full_name="Aled Edwards")
    client.force_login(secretariat)
    page = client.get(reverse("directory:person_edit", args=[person.pk]))
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        {
            "full_name": person.full_name,
            "organisation": organisation.pk,
            "is_organisation_contact": "on",
            "opened_version": person.version,
            "preferred_language": person.preferred_language,
        }
    )
    response = client.post(reverse("directory:person_edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Person.objects.get(pk=person.pk).is_organisation_contact
    assert not Person.objects.get(pk=before.pk).is_organisation_contact
