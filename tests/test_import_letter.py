import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import Organisation, Person

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "letter-2025-01-30-JH-PO-31-2025.txt"


def run(*args, **kwargs):
    out = StringIO()
    call_command("import_letter", *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def letter(db):
    run(str(SEED))
    return Letter.objects.get()


def snapshot():
    counts = {
        m.__name__: m.objects.count() for m in (Letter, CarbonCopy, Enclosure, Organisation, Person)
    }
    counts["history"] = Letter.history.count()
    counts["versions"] = list(Letter.objects.values_list("version", flat=True))
    return counts


def test_it_imports_the_letter_heading(letter):
    assert letter.reference == "JH/PO/31/2025"
    assert letter.date == datetime.date(2025, 1, 30)
    assert letter.sender_name == "Jane Hutt AS/MS"
    assert letter.sender.full_name == "Jane Hutt"
    assert (
        letter.sender_titles_en == "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip"
    )
    assert letter.sender_titles_cy == (
        "Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol, y Trefnydd a'r Prif Chwip"
    )
    assert letter.addressee == "Wales Race Forum Members"
    assert letter.salutation_en == "Dear all,"
    assert letter.subject_en == "Support for social media misinformation"
    assert letter.closing_en == "Yours sincerely,"
    # Written to all members, and sent outside this service: archived, never sent again.
    assert letter.audience == Letter.Audience.ALL_MEMBERS
    assert letter.status == Letter.Status.ARCHIVED
    assert not letter.mails.exists()
    assert letter.forum.name == "Wales Race Forum"


def test_the_body_holds_only_the_letters_paragraphs_in_order(letter):
    paragraphs = letter.body_en.split("\n\n")
    assert paragraphs[0].startswith("Over recent weeks, we have seen an increase")
    assert paragraphs[1] == (
        "I am writing to let you know we stand in solidarity with you and the communities you "
        "work with."
    )
    assert paragraphs[4] == "Wales Hate Support Centre"
    assert paragraphs[-1] == (
        "Please continue to keep my officials informed of any further direct targeting of your "
        "important work using the mailbox cohesion@gov.wales"
    )
    assert len(paragraphs) == 15
    # The sentence cut by the letterhead block is whole again.
    assert (
        "available to download from the Welsh Government's asset service website: "
        "https://assets.service.gov.wales/?tag=Mae+Casineb+yn+Brifo+Cymru+%2F+Hate+Hurts+Wales. "
        "Please note"
    ) in letter.body_en
    assert paragraphs.index("Misinformation toolkit") < paragraphs.index("For The Record")
    for outside in (
        "CF99 1SN",
        "Cardiff Bay",
        "0300 0604400",
        "Rydym yn croesawu",
        "We welcome receiving correspondence in Welsh",
        "**",
        "](#)",
    ):
        assert outside not in letter.body_en


def test_the_letterhead_and_welsh_language_statement_are_kept_apart(letter):
    assert letter.sender_address.splitlines()[:3] == [
        "Bae Caerdydd • Cardiff Bay",
        "Caerdydd • Cardiff",
        "CF99 1SN",
    ]
    assert "0300 0604400" in letter.sender_address
    assert "Gohebiaeth.Jane.Hutt@llyw.cymru" in letter.sender_address
    assert letter.welsh_language_statement_en.startswith("We welcome receiving correspondence")
    assert letter.welsh_language_statement_cy.startswith("Rydym yn croesawu derbyn gohebiaeth")


def test_the_restricted_sharing_note_keeps_its_link(letter):
    assert letter.restricted_note == (
        "https://assets.service.gov.wales/?tag=Mae+Casineb+yn+Brifo+Cymru+%2F+Hate+Hurts+Wales\n"
        "Please note that this link is not to be shared on social media or on websites and is "
        "for stakeholder use only."
    )


def test_cc_rows_resolve_to_organisations_and_the_enclosure_is_listed(letter):
    cc = [(c.as_written, c.organisation.name) for c in letter.cc.order_by("order")]
    assert cc == [
        ("WCVA", "Wales Council for Voluntary Action"),
        ("WLGA", "Welsh Local Government Association"),
        ("Wales TUC", "Wales TUC"),
        ("Police & Crime Commissioners", "Police and Crime Commissioners"),
    ]
    enclosures = list(letter.enclosures.all())
    assert [e.title for e in enclosures] == ["Draft Misinformation toolkit"]
    assert not enclosures[0].file


def test_a_second_import_changes_nothing(letter):
    before = snapshot()
    assert "nothing changed" in run(str(SEED))
    assert snapshot() == before


def test_a_dry_run_reports_and_saves_nothing(db):
    output = run(str(SEED), dry_run=True)
    assert "dry run" in output and "1 letters" in output
    assert Letter.objects.count() == 0 and Person.objects.count() == 0


def line_of(text, wanted):
    """The number of the line holding ``wanted``, in the text as the importer reads the file
    (the document reader may tidy runs of blank lines)."""
    try:
        from wrc.lib.documents import read_document_bytes
    except ImportError:
        read = text
    else:
        read = read_document_bytes(text.encode("utf-8"), "letter.txt").text
    return read.splitlines().index(wanted) + 1


def write(tmp_path, text):
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_letter_without_a_reference_is_known_by_its_forum_date_and_subject(db, tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("Ein cyf/Our ref: JH/PO/31/2025", "")
    path = write(tmp_path, text)
    run(path)
    letter = Letter.objects.get()
    assert (letter.reference, letter.date) == ("", datetime.date(2025, 1, 30))
    assert letter.subject_en == "Support for social media misinformation"
    before = snapshot()
    assert "nothing changed" in run(path)
    assert snapshot() == before
    # Two letters without a reference are two letters, whatever their subjects.
    run(write(tmp_path, text.replace("30 January 2025", "6 February 2025")))
    assert sorted(Letter.objects.values_list("reference", "date")) == [
        ("", datetime.date(2025, 1, 30)),
        ("", datetime.date(2025, 2, 6)),
    ]


def test_a_document_that_is_not_a_letter_is_refused(db, tmp_path):
    text = "Wales Race Forum\n\nAttendees\n\nJane Hutt MS (Chair)\n\nApologies\n\nNone.\n"
    with pytest.raises(CommandError, match=r"line 3|not a letter") as error:
        run(write(tmp_path, text))
    assert "Nothing was saved" in str(error.value) or "not" in str(error.value)
    assert Letter.objects.count() == 0


def test_a_letter_without_a_date_or_closing_is_refused(letter, tmp_path):
    before = snapshot()
    text = SEED.read_text(encoding="utf-8")
    undated = text.replace("30 January 2025", "")
    with pytest.raises(CommandError, match=rf"line {line_of(undated, 'Dear all,')}: no date"):
        run(write(tmp_path, undated))
    with pytest.raises(CommandError, match=r"no closing"):
        run(write(tmp_path, text.replace("Yours sincerely,", "")))
    impossible = text.replace("30 January 2025", "31 February 2025")
    line = line_of(impossible, "31 February 2025")
    with pytest.raises(CommandError, match=rf"line {line}: \"31 February 2025\" is not a date"):
        run(write(tmp_path, impossible))
    assert snapshot() == before
