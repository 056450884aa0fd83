"""Reading the documents the importers take (text in any encoding, Markdown, Word, PDF): the
text they yield and the clear refusals of files that are not such documents."""

import base64
import io
import time
import zipfile

import docx
import pytest
import weasyprint
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from PIL import Image
from pypdf import PdfWriter

from wrc.lib.documents import (
    DocumentError,
    SourceDocument,
    guess_document_kind,
    kind_mismatch_message,
    read_document_bytes,
    read_document_path,
)
from wrc.lib.importing import ImportFormatError

# --- building documents --------------------------------------------------------------------


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def numbering_root(document):
    return document.part.numbering_part.element


def style_num_id(document, style_name: str) -> str:
    style = document.styles[style_name]
    return style.element.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))


def abstract_of(document, num_id: str) -> str:
    for num in numbering_root(document).findall(qn("w:num")):
        if num.get(qn("w:numId")) == num_id:
            return num.find(qn("w:abstractNumId")).get(qn("w:val"))
    raise AssertionError(num_id)


def add_num(document, abstract_id: str, num_id: str, restart_at: int | None = None) -> None:
    override = (
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{restart_at}"/></w:lvlOverride>'
        if restart_at is not None
        else ""
    )
    numbering_root(document).append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}">'
            f'<w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        )
    )


def add_lettered_list(document, abstract_id: str, num_id: str, fmt: str, text: str) -> None:
    """A list definition of the kind Word writes for "a)" or "A." lists."""
    root = numbering_root(document)
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>'
        f'<w:lvlText w:val="(%2)"/><w:lvlJc w:val="left"/></w:lvl>'
        f"</w:abstractNum>"
    )
    root.find(qn("w:num")).addprevious(abstract)
    add_num(document, abstract_id, num_id)


def number_paragraph(paragraph, num_id: str, level: int = 0) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/>'
            f"</w:numPr>"
        )
    )


def pdf_bytes(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


def png_bytes(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, format="PNG")
    return out.getvalue()


# --- Word ------------------------------------------------------------------------------------


@pytest.fixture
def meeting_docx():
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "OFFICIAL - running header"
    document.sections[0].footer.paragraphs[0].text = "Footer: page numbers live here"
    document.add_heading("Wales Race Forum", 0)
    document.add_paragraph("12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams")
    document.add_heading("Attendance", 1)
    document.add_paragraph("Jane Hutt MS - Cabinet Secretary for Social Justice")
    bold = document.add_paragraph().add_run("Meeting notes")
    bold.bold = True
    document.add_heading("Agenda items", 2)
    for title in ("Welcome and introductions", "Minutes of the last meeting", "Social media"):
        document.add_paragraph(title, style="List Number")
    document.add_paragraph("Members noted the update.")
    breaks = document.add_paragraph("Action: Secretariat to share the toolkit.")
    breaks.add_run().add_break()
    breaks.add_run("Action: Officials to write to members.")
    document.add_paragraph("First point raised", style="List Bullet")
    document.add_paragraph("Second point raised", style="List Bullet")
    return document


def test_word_headings_numbers_bullets_and_line_breaks(meeting_docx):
    source = read_document_bytes(docx_bytes(meeting_docx), "notes.docx")

    assert source.format == "docx" and source.encoding == ""
    assert source.lines[0] == "# Wales Race Forum"
    assert "# Attendance" in source.lines
    assert "## Agenda items" in source.lines
    assert "1. Welcome and introductions" in source.lines
    assert "2. Minutes of the last meeting" in source.lines
    assert "3. Social media" in source.lines
    assert "Meeting notes" in source.lines  # bold, but not a heading
    breaks = source.lines.index("Action: Secretariat to share the toolkit.")
    assert source.lines[breaks + 1] == "Action: Officials to write to members."
    assert "- First point raised" in source.lines and "- Second point raised" in source.lines
    # Headers and footers repeat on every page of the printout; they are not the notes.
    assert "running header" not in source.text and "Footer" not in source.text
    assert source.describe() == "notes.docx, Word document"


def test_word_numbering_restarts_and_continues_as_word_counts(meeting_docx):
    document = meeting_docx
    list_number = style_num_id(document, "List Number")
    abstract = abstract_of(document, list_number)
    # A second list on the same definition continues the count unless it restarts it.
    add_num(document, abstract, "91")
    add_num(document, abstract, "92", restart_at=1)
    continued = document.add_paragraph("Continues the agenda")
    number_paragraph(continued, "91")
    restarted = document.add_paragraph("Starts a new list")
    number_paragraph(restarted, "92")
    following = document.add_paragraph("Next in the new list")
    number_paragraph(following, "92")
    add_lettered_list(document, "71", "93", "lowerLetter", "%1)")
    for text in ("Option one", "Option two"):
        number_paragraph(document.add_paragraph(text), "93")
    number_paragraph(document.add_paragraph("A sub-point"), "93", level=1)
    number_paragraph(document.add_paragraph("Option three"), "93")
    add_lettered_list(document, "72", "94", "upperLetter", "%1.")
    number_paragraph(document.add_paragraph("Annex"), "94")

    lines = read_document_bytes(docx_bytes(document), "notes.docx").lines

    assert "4. Continues the agenda" in lines
    assert "1. Starts a new list" in lines
    assert "2. Next in the new list" in lines
    assert ["a) Option one", "b) Option two", "(i) A sub-point", "c) Option three"] == [
        line for line in lines if line.endswith(("one", "two", "sub-point", "three"))
    ]
    assert "A. Annex" in lines


def test_word_tables_become_markdown_rows_with_merges_and_paragraphs():
    document = docx.Document()
    document.add_paragraph("Delivery Plan 2016-17")
    table = document.add_table(rows=4, cols=3)
    for column, text in enumerate(("Ref", "Action", "Lead | partner")):
        table.cell(0, column).text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "Objective 1 – Prevention"
    table.cell(2, 0).text = "1.1"
    table.cell(2, 1).text = "Deliver training to staff."
    table.cell(2, 1).add_paragraph("Report on attendance.")
    table.cell(2, 2).text = "Welsh Government"
    table.cell(3, 0).text = "1.2"
    table.cell(3, 1).text = "Publish guidance."
    table.cell(2, 2).merge(table.cell(3, 2))
    document.add_paragraph("After the table")

    lines = read_document_bytes(docx_bytes(document), "plan.docx").lines
    start = lines.index("| Ref | Action | Lead \\| partner |")

    assert lines[start + 1] == "| --- | --- | --- |"
    assert lines[start + 2] == "| Objective 1 – Prevention |"
    assert (
        lines[start + 3] == "| 1.1 | Deliver training to staff. <br> Report on attendance. "
        "| Welsh Government |"
    )
    # The lead merged down two rows is the lead of both actions.
    assert lines[start + 4] == "| 1.2 | Publish guidance. | Welsh Government |"
    assert lines.index("Delivery Plan 2016-17") < start < lines.index("After the table")


def test_word_document_is_recognised_by_content_not_name(meeting_docx):
    source = read_document_bytes(docx_bytes(meeting_docx), "notes.txt")
    assert source.format == "docx"
    assert "# Attendance" in source.lines


def test_damaged_word_documents_are_refused_without_a_traceback(meeting_docx):
    data = docx_bytes(meeting_docx)
    with pytest.raises(DocumentError, match="damaged"):
        read_document_bytes(data[: len(data) // 2], "notes.docx")

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(DocumentError, match="could not be read as a Word document"):
        read_document_bytes(broken.getvalue(), "notes.docx")


# --- files that are not documents ------------------------------------------------------------


def test_a_zip_that_is_not_a_word_document_is_refused():
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("notes.txt", "Present: everyone")
    with pytest.raises(DocumentError) as error:
        read_document_bytes(archive_bytes.getvalue(), "notes.zip")
    assert "is not a document the importer reads: use .txt, .md, .docx or .pdf" in str(error.value)
    assert isinstance(error.value, ImportFormatError) and error.value.line is None

    spreadsheet = io.BytesIO()
    with zipfile.ZipFile(spreadsheet, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError, match="a spreadsheet"):
        read_document_bytes(spreadsheet.getvalue(), "plan.docx")


def test_an_image_is_refused_even_when_named_as_text():
    with pytest.raises(DocumentError) as error:
        read_document_bytes(png_bytes(), "notes.txt")
    assert "PNG image" in error.value.message
    assert "not a document the importer reads" in error.value.message


def test_old_word_and_opendocument_files_are_refused_with_what_to_send():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    with pytest.raises(DocumentError, match=r"older Word document \(\.doc\).*save it as \.docx"):
        read_document_bytes(ole, "notes.doc")
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(DocumentError, match=r"OpenDocument text \(\.odt\)"):
        read_document_bytes(odt.getvalue(), "notes.odt")


# --- PDF -------------------------------------------------------------------------------------

RUNNING = """
<style>
  @page { size: A4; margin: 2.5cm;
    @top-center { content: "Wales Race Forum – meeting notes (draft)"; }
    @bottom-center { content: "Page " counter(page) " of " counter(pages); } }
  section { page-break-after: always; }
</style>
"""


def test_pdf_pages_in_order_without_running_headers_footers_and_page_numbers():
    sections = [
        "<h1>Wales Race Forum</h1><h2>Present</h2><p>Jane Hutt MS</p><p>Race Equality First</p>",
        "<h2>1. Welcome and introductions</h2><p>The Chair welcomed everyone to the meeting.</p>"
        "<p>Action: Secretariat to share the Misinformation toolkit.</p>",
        "<h2>2. Social media</h2><p>Members described abuse received online since January.</p>",
        "<h2>Summary of actions</h2><p>Secretariat to circulate the toolkit by April.</p>",
    ]
    html = RUNNING + "".join(f"<section>{body}</section>" for body in sections)

    source = read_document_bytes(pdf_bytes(html), "notes.pdf")

    assert source.format == "pdf"
    assert "Wales Race Forum – meeting notes (draft)" not in source.text
    assert "Page" not in source.text and " of 4" not in source.text
    order = [
        "Present",
        "The Chair welcomed everyone to the meeting.",
        "2. Social media",
        "Summary of actions",
    ]
    positions = [source.lines.index(line) for line in order]
    assert positions == sorted(positions)
    assert "Action: Secretariat to share the Misinformation toolkit." in source.lines


def test_a_pdf_without_a_text_layer_is_refused():
    png = base64.b64encode(png_bytes((800, 1100))).decode()
    scanned = pdf_bytes(f'<img src="data:image/png;base64,{png}" style="width: 100%">')
    with pytest.raises(DocumentError, match="This PDF has no text layer"):
        read_document_bytes(scanned, "scan.pdf")

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    blank = io.BytesIO()
    writer.write(blank)
    with pytest.raises(DocumentError, match="it looks scanned"):
        read_document_bytes(blank.getvalue(), "blank.pdf")


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes("<p>Dear all, this is a letter.</p>")))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(DocumentError, match="password-protected PDF"):
        read_document_bytes(locked.getvalue(), "letter.pdf")


def test_a_damaged_pdf_is_refused_without_a_traceback():
    data = pdf_bytes("<p>The Chair welcomed everyone to the meeting of the forum.</p>")
    with pytest.raises(DocumentError):
        read_document_bytes(data[:200], "notes.pdf")


# --- text ------------------------------------------------------------------------------------

WELSH_NOTES = (
    "Nodiadau’r cyfarfod – Fforwm Hil Cymru\n"
    "Yn bresennol: Siân Jones, Gwenllïan Huws, Dafydd ap Siôn\n"
    "Roedd y drafodaeth am y cynllun yn werthfawr â’r aelodau.\n"
)


@pytest.mark.parametrize(
    "codec, named",
    [
        ("utf-8", "utf-8"),
        ("cp1252", "windows-1252"),
        # Without bytes 0x80-0x9F, Latin-1 is read exactly as windows-1252 (as web browsers do).
        ("latin-1", "windows-1252"),
    ],
)
def test_text_encodings_are_detected_and_named(codec, named):
    text = WELSH_NOTES if codec != "latin-1" else WELSH_NOTES.replace("’", "'").replace("–", "-")
    source = read_document_bytes(text.encode(codec), "nodiadau.txt")
    assert source.text == text.strip("\n")
    assert source.encoding == named
    assert source.describe() == f"nodiadau.txt, plain text read as {named}"


def test_welsh_letters_outside_latin_1_are_read_from_the_celtic_encoding():
    text = "Cofnodion y grŵp\nYn bresennol: Dŵr Cymru, Gŵyl y Gwanwyn, Tŷ Hywel, ŷd a mêl\n"
    source = read_document_bytes(text.encode("iso8859-14"), "cofnodion.txt")
    assert source.text == text.strip("\n")
    assert source.encoding == "iso-8859-14"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_unicode_with_and_without_a_byte_order_mark(codec):
    text = "Cofnodion y grŵp\nYn bresennol: Tŷ Hywel, ŷd, â’r\n"
    source = read_document_bytes(text.encode(codec), "cofnodion.md")
    assert source.text == text.strip("\n")
    assert source.format == "markdown"
    assert source.encoding.startswith(codec[:5].replace("-s", ""))
    if codec == "utf-16":
        assert source.encoding == "utf-16"


def test_line_ends_page_breaks_and_invisible_characters_are_normalised():
    raw = (
        "Present\r\nJane\u00a0Hutt\rApologies\x0cPage two\x0bAction:\u200b share the "
        "tool\u00adkit\ufeff\n"
    )
    source = read_document_bytes(raw.encode("utf-8"), "notes.txt")
    assert source.lines == [
        "Present",
        "Jane Hutt",
        "Apologies",
        "Page two",
        "Action: share the toolkit",
    ]


def test_a_nul_byte_is_refused_naming_its_line():
    data = b"Present\nJane Hutt\n\nApologies\x00 Race Equality First\n"
    with pytest.raises(DocumentError) as error:
        read_document_bytes(data, "notes.txt")
    assert error.value.line == 4
    assert str(error.value).startswith("line 4 holds a control character (NUL)")
    assert "may be damaged or not a text document" in str(error.value)


def test_random_binary_data_is_not_a_document():
    data = bytes(range(256)) * 40
    with pytest.raises(DocumentError, match="not a document the importer reads"):
        read_document_bytes(data, "notes.txt")


def test_a_line_longer_than_the_limit_is_refused_naming_it():
    data = b"Present\nJane Hutt\n" + b"x" * 1_000_000 + b"\nApologies\n"
    with pytest.raises(DocumentError) as error:
        read_document_bytes(data, "notes.txt")
    assert error.value.line == 3
    assert "line 3 is 1,000,000 characters long" in str(error.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, settings):
    huge = tmp_path / "notes.txt"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB long, nothing written
    started = time.monotonic()
    with pytest.raises(DocumentError) as error:
        read_document_path(huge)
    assert time.monotonic() - started < 0.5
    assert "notes.txt is 50 MB" in str(error.value) and "up to 10 MB" in str(error.value)

    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(DocumentError, match="up to 1000 bytes"):
        read_document_bytes(b"Present\n" * 200, "notes.txt")
    small = tmp_path / "small.txt"
    small.write_bytes(b"Present\nJane Hutt\n")
    assert read_document_path(small).lines == ["Present", "Jane Hutt"]


def test_a_missing_file_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="cannot read missing.txt"):
        read_document_path(tmp_path / "missing.txt")


def test_source_document_lines_split_its_text():
    source = SourceDocument(name="a.txt", format="text", encoding="utf-8", text="one\n\ntwo")
    assert source.lines == ["one", "", "two"]


# --- what kind of document ------------------------------------------------------------------

NOTES_EN = """Wales Race Forum
12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams
Present
Jane Hutt MS - Cabinet Secretary for Social Justice
Race Equality First
Apologies
Diverse Cymru
1. Welcome and introductions
The Chair welcomed everyone and noted the apologies received.
Action: Secretariat to share the Misinformation toolkit.
2. Anti-racist Wales Action Plan update
Officials updated members on the Delivery Plan.
3. Any other business
None.
"""

NOTES_CY = """Fforwm Hil Cymru – Cofnodion
Yn bresennol
Jane Hutt AS
Ymddiheuriadau
Cymru Amrywiol
1. Croeso a chyflwyniadau
Croesawodd y Cadeirydd bawb i'r cyfarfod.
Cam gweithredu: Yr Ysgrifenyddiaeth i rannu'r pecyn cymorth.
2. Unrhyw fater arall
"""

PLAN_EN = """Tackling Hate Crimes and Incidents: Framework for Action
Delivery Plan 2016-17
Objective 1 – Prevention
| Ref | Action | Lead | Timescale |
| --- | --- | --- | --- |
| 1.1 | Raise awareness of hate crime reporting | Welsh Government | March 2017 |
| 1.2 | Deliver training in schools | Local authorities | Ongoing |
"""

PLAN_CY = """Mynd i'r Afael â Throseddau a Digwyddiadau Casineb
Cynllun Cyflawni 2016-17
Amcan 1 – Atal
Cam gweithredu\tArweinydd\tAmserlen
Codi ymwybyddiaeth o adrodd troseddau casineb\tLlywodraeth Cymru\tMawrth 2017
"""

LETTER_EN = """Jane Hutt AS/MS
Cabinet Secretary for Social Justice
Our ref: JH/PO/31/2025
Wales Race Forum Members
30 January 2025
Dear all,
Support for social media misinformation
I am writing to let you know we stand in solidarity with you, and to support the goals of
our Anti-racist Wales Action Plan.
Yours sincerely,
Jane Hutt AS/MS
"""

LETTER_CY = """Ein cyf: JH/PO/32/2025
Aelodau Fforwm Hil Cymru
3 Chwefror 2025
Annwyl bawb,
Rwy'n ysgrifennu atoch i ddiolch am eich gwaith.
Yn gywir,
Jane Hutt AS/MS
"""


@pytest.mark.parametrize(
    "text, kind",
    [
        (NOTES_EN, "meeting"),
        (NOTES_CY, "meeting"),
        (PLAN_EN, "plan"),
        (PLAN_CY, "plan"),
        (LETTER_EN, "letter"),
        (LETTER_CY, "letter"),
    ],
)
def test_guess_document_kind(text, kind):
    assert guess_document_kind(text) == kind


def test_no_guess_without_clear_signs():
    assert guess_document_kind("Some thoughts on the forum's work this year.") is None
    # Signs of two kinds in equal measure: no confident guess.
    assert guess_document_kind("Dear members,\nPresent\nApologies\nYours sincerely,") is None


def test_kind_mismatch_message():
    assert kind_mismatch_message("meeting", LETTER_EN) == (
        "This looks like a letter, not meeting notes."
    )
    assert kind_mismatch_message("letter", PLAN_EN) == (
        "This looks like a delivery plan, not a letter."
    )
    assert kind_mismatch_message("meeting", NOTES_CY) is None
    assert kind_mismatch_message("plan", "A few words.") is None
    with pytest.raises(ValueError):
        kind_mismatch_message("minutes", NOTES_EN)


def test_word_and_pdf_text_feed_the_kind_guess(meeting_docx):
    source = read_document_bytes(docx_bytes(meeting_docx), "notes.docx")
    assert guess_document_kind(source.text) == "meeting"
    letter = read_document_bytes(
        pdf_bytes("".join(f"<p>{line}</p>" for line in LETTER_EN.splitlines())), "letter.pdf"
    )
    assert guess_document_kind(letter.text) == "letter"
