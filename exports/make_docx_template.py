"""Build the editable Word template for meeting notes: exports/templates/exports/meeting_notes.docx.

The .docx is committed, and the secretariat may restyle it in Word (fonts, spacing, a logo) as long
as the ``{{ … }}`` and ``{%p … %}`` tags stay; this script rebuilds the plain version from scratch:

    .venv/bin/python exports/make_docx_template.py

The tags are docxtpl's (Jinja2): ``{%p %}`` replaces its whole paragraph, ``{%tr %}`` its table row.
The context is ``parts``: one ``exports.meeting_notes.NotesPart`` per language.
"""

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent / "templates" / "exports" / "meeting_notes.docx"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project's packages import

from wrc.lib.word_documents import A4, MARGINS, prepare_template  # noqa: E402

# Welsh Government documents are set in Arial; Word substitutes a metric twin where it is missing.
FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
STYLE_SIZES = {"Normal": 12, "Title": 20, "Heading 1": 16, "Heading 2": 14, "List Bullet": 12}
# The columns fill the 16.6 cm between A4's house margins (``wrc.lib.word_documents``).
SUMMARY_COLUMNS = (
    ("part.labels.number", "row.number", Cm(1.5)),
    ("part.labels.action_item", "row.text", Cm(7.5)),
    ("part.labels.owner", "row.owner", Cm(3.8)),
    ("part.labels.deadline", "row.deadline", Cm(3.8)),
)


def set_font(style, size):
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = BLACK
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    # Headings in the default template follow the theme font; pin them to the house font.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def page_setup(document):
    """A4 with the house margins, as every export is finished (``finish_document``)."""
    for section in document.sections:
        section.page_width, section.page_height = A4
        for side, length in MARGINS.items():
            setattr(section, f"{side}_margin", length)


def jinja_value(expression):
    return "{{ " + expression + " }}"


def tag(document, text):
    """A paragraph that holds only a docxtpl block tag; it disappears when rendered."""
    document.add_paragraph(text)


def add_heading_block(document):
    tag(document, "{%p if not loop.first %}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    tag(document, "{%p endif %}")
    document.add_paragraph("{{ part.heading }}", style="Title")
    when = document.add_paragraph()
    when.add_run("{{ part.when }}").bold = True
    tag(document, "{%p if part.draft %}")
    document.add_paragraph().add_run("{{ part.labels.draft }}").italic = True
    tag(document, "{%p endif %}")


def add_attendance(document):
    document.add_heading("{{ part.labels.attendance }}", level=1)
    document.add_paragraph().add_run("{{ part.labels.attendance_columns }}").bold = True
    add_attendance_rows(document, "part.attendance")
    for key in ("apologies", "absent"):
        tag(document, f"{{%p if part.{key} %}}")
        document.add_heading(f"{{{{ part.labels.{key} }}}}", level=1)
        add_attendance_rows(document, f"part.{key}")
        tag(document, "{%p endif %}")


def add_attendance_rows(document, rows: str):
    """Rows as paragraphs; a group's heading ("Welsh Government officials") in bold."""
    tag(document, f"{{%p for row in {rows} %}}")
    tag(document, "{%p if row.is_group %}")
    document.add_paragraph().add_run("{{ row }}").bold = True
    tag(document, "{%p else %}")
    document.add_paragraph("{{ row }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")


def add_items(document):
    document.add_heading("{{ part.labels.meeting_notes }}", level=1)
    tag(document, "{%p for item in part.items %}")
    document.add_heading("{{ item.number }}. {{ item.title }}", level=2)
    tag(document, "{%p for line in item.lines %}")
    tag(document, "{%p if line.bullet %}")
    document.add_paragraph("{{ line.text }}", style="List Bullet")
    tag(document, "{%p else %}")
    document.add_paragraph("{{ line.text }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p for action in item.actions %}")
    action = document.add_paragraph()
    action.add_run("{{ part.labels.action }}").bold = True
    action.add_run(" {{ action }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")


def add_summary(document):
    document.add_heading("{{ part.labels.summary }}", level=1)
    table = document.add_table(rows=4, cols=len(SUMMARY_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, loop_start, body, loop_end = table.rows
    # Repeat the header row on every page the table runs over.
    header._tr.get_or_add_trPr().append(header._tr.makeelement(qn("w:tblHeader"), {}))
    for index, (label, value, width) in enumerate(SUMMARY_COLUMNS):
        header.cells[index].paragraphs[0].add_run(jinja_value(label)).bold = True
        body.cells[index].paragraphs[0].add_run(jinja_value(value))
        for row in table.rows:
            row.cells[index].width = width
    loop_start.cells[0].paragraphs[0].add_run("{%tr for row in part.actions %}")
    loop_end.cells[0].paragraphs[0].add_run("{%tr endfor %}")


def build() -> Document:
    document = Document()
    for name, size in STYLE_SIZES.items():
        set_font(document.styles[name], size)
    page_setup(document)
    tag(document, "{%p for part in parts %}")
    add_heading_block(document)
    add_attendance(document)
    add_items(document)
    add_summary(document)
    tag(document, "{%p endfor %}")
    prepare_template(document)
    return document


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    build().save(TARGET)
    print(f"Wrote {TARGET}")
