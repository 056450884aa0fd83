"""Build the editable Word template for delivery plan reports: delivery_plan.docx, beside this file.

The .docx is committed; the secretariat may restyle it in Word (fonts, spacing, a logo) as long as
the ``{{ … }}``, ``{%p … %}`` and ``{%tr … %}`` tags stay. This script rebuilds the plain version:

    .venv/bin/python hatecrime/templates/hatecrime/reports/build_delivery_plan_docx.py

It follows the meeting notes template (exports/make_docx_template.py) and reuses its font and tag
helpers, so the two kinds of document look alike. The context is
``hatecrime.reports.document_context``: title, subtitle, lead, the introduction's sections
(heading and paragraphs), and objectives → areas → actions.
"""

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm

TARGET = Path(__file__).resolve().parent / "delivery_plan.docx"
ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project's packages import

from exports.make_docx_template import STYLE_SIZES, page_setup, set_font, tag  # noqa: E402
from wrc.lib.word_documents import prepare_template  # noqa: E402

COLUMNS = (
    ("Ref", Cm(1.5)),
    ("Action", Cm(10.5)),
    ("Lead organisations", Cm(4.6)),
)


def add_title(document):
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph().add_run("{{ subtitle }}").bold = True
    tag(document, "{%p if lead %}")
    document.add_paragraph().add_run("Actions led by {{ lead }}").italic = True
    tag(document, "{%p endif %}")


def add_introduction(document):
    """Each section's heading (a note such as "This document is also available in Welsh"
    has none), then its paragraphs."""
    tag(document, "{%p for section in introduction %}")
    tag(document, "{%p if section.heading %}")
    document.add_heading("{{ section.heading }}", level=1)
    tag(document, "{%p endif %}")
    tag(document, "{%p for paragraph in section.paragraphs %}")
    document.add_paragraph("{{ paragraph }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")


def add_actions_table(document):
    table = document.add_table(rows=4, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, loop_start, body, loop_end = table.rows
    # Repeat the header row on every page the table runs over.
    header._tr.get_or_add_trPr().append(header._tr.makeelement(qn("w:tblHeader"), {}))
    for index, (label, width) in enumerate(COLUMNS):
        header.cells[index].paragraphs[0].add_run(label).bold = True
        for row in table.rows:
            row.cells[index].width = width
    body.cells[0].paragraphs[0].add_run("{{ action.ref }}")
    # An action runs to several paragraphs; each becomes a paragraph of the cell.
    text = body.cells[1]
    text.paragraphs[0].add_run("{%p for paragraph in action.paragraphs %}")
    text.add_paragraph("{{ paragraph }}")
    text.add_paragraph("{%p endfor %}")
    body.cells[2].paragraphs[0].add_run("{{ action.leads }}")
    loop_start.cells[0].paragraphs[0].add_run("{%tr for action in area.actions %}")
    loop_end.cells[0].paragraphs[0].add_run("{%tr endfor %}")


def build() -> Document:
    document = Document()
    for name, size in STYLE_SIZES.items():
        set_font(document.styles[name], size)
    page_setup(document)
    add_title(document)
    add_introduction(document)
    tag(document, "{%p for objective in objectives %}")
    document.add_heading("{{ objective.heading }}", level=1)
    tag(document, "{%p for area in objective.areas %}")
    document.add_heading("{{ area.heading }}", level=2)
    add_actions_table(document)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if not objectives %}")
    document.add_paragraph("No actions.")
    tag(document, "{%p endif %}")
    prepare_template(document)
    return document


if __name__ == "__main__":
    build().save(TARGET)
    print(f"Wrote {TARGET}")
