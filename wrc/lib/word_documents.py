"""The finishing every Word export gets, whichever template or code drew its content.

python-docx starts from a US template (Letter paper, US English, a 2013 author "python-docx"), and
Word and LibreOffice read a table differently: Word sizes columns from each cell's width, while
LibreOffice follows the table's grid (``w:tblGrid``), which python-docx fills with equal columns.
``finish_document`` puts right what a template or a restyle in Word may have left:

- A4 paper (the house margins when the page was another size, the template's own otherwise);
- the document's language on the default run properties, every style and every run (en-GB, or
  cy-GB for Welsh: the tag Word itself writes for Welsh), so spelling and screen readers follow it;
- the product's own metadata: title, the forum as author, the time it was made, revision 1;
- every table on a fixed grid equal to its cells' widths (fitted to the page), rows that never
  split across a page and the heading row repeated on every page.

It works on the XML, so the same code finishes a docxtpl template and a document built in code.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

A4 = (Mm(210), Mm(297))
# As the PDFs print (``@page { margin: 2cm 2.2cm }``), so Word and PDF break pages alike.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(22), "right": Mm(22)}
WORD_LANGUAGES = {"en": "en-GB", "cy": "cy-GB"}
# Lengths in a table's XML are twentieths of a point; python-docx lengths are EMU.
EMU_PER_TWIP = 635
# The order the schema gives a table's properties: a new one goes before the first of those
# that follow it, or Word refuses the file.
TBL_PR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange",
)  # fmt: skip
RPR_AFTER_LANG = ("eastAsianLayout", "specVanish", "oMath", "rPrChange")
LANG_ATTRIBUTE = re.compile(rb'(<w:lang\b[^>]*?\bw:val=")[^"]*(")')


def word_language(language: str) -> str:
    """The language tag of a document in ``language`` ("en", "cy"; "both" opens in English)."""
    return WORD_LANGUAGES.get(language, WORD_LANGUAGES["en"])


def service_name() -> str:
    return settings.SITE_NAME or "Forum records"


def finish_document(
    document,
    *,
    title: str,
    author: str,
    language: str,
    subject: str = "",
    status: str = "",
    part_languages: Iterable[str] = (),
) -> None:
    """Set up ``document`` as described above. ``language`` is the document's ("en", "cy" or
    "both"); ``part_languages`` the language of each part of a document whose parts follow one
    another after page breaks (English notes, then Welsh), so each part is marked as its own."""
    set_a4(document)
    set_language(document, word_language(language))
    part_languages = list(part_languages)
    if len(part_languages) > 1:
        mark_parts(document, [word_language(lang) for lang in part_languages])
    set_metadata(
        document,
        title=title,
        author=author,
        language=word_language(language),
        subject=subject,
        status=status,
    )
    fix_tables(document)


def prepare_template(document) -> None:
    """What a template can hold already (a restyle in Word keeps it): A4, British English and
    tables on their grid. The metadata is the export's, so it is set when one is made."""
    set_a4(document)
    set_language(document, word_language("en"))
    fix_tables(document)


# Page -------------------------------------------------------------------------------------


def set_a4(document) -> None:
    for section in document.sections:
        width, height = A4
        landscape = section.orientation == WD_ORIENT.LANDSCAPE
        if landscape:
            width, height = height, width
        # Word stores the size in twips: A4 read back is a few hundred EMU off Mm(210).
        off = abs(section.page_width - width) > Mm(1) or abs(section.page_height - height) > Mm(1)
        if off:
            section.page_width, section.page_height = width, height
            for side, length in MARGINS.items():
                setattr(section, f"{side}_margin", length)


def usable_width(document) -> int:
    """The width between the margins of the first section, in twips."""
    section = document.sections[0]
    emu = section.page_width - section.left_margin - section.right_margin
    return int(emu / EMU_PER_TWIP)


# Language ---------------------------------------------------------------------------------


def set_lang(rpr, tag: str) -> None:
    """``w:lang`` of a run's (or a style's) properties, in the place the schema gives it. The
    East Asian and complex-script languages follow, so no US or Japanese leftover remains."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        following = [rpr.find(qn(f"w:{name}")) for name in RPR_AFTER_LANG]
        following = [element for element in following if element is not None]
        if following:
            following[0].addprevious(lang)
        else:
            rpr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), tag)


def get_or_add_rpr(parent):
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        # A run's properties come first; a paragraph mark's come after the paragraph's others.
        if parent.tag == qn("w:pPr"):
            change = parent.find(qn("w:pPrChange"))
            change.addprevious(rpr) if change is not None else parent.append(rpr)
        else:
            parent.insert(0, rpr)
    return rpr


def set_language(document, tag: str) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    set_lang(get_or_add_rpr(run_defaults), tag)
    for lang in styles.iter(qn("w:lang")):
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), tag)
    # Runs that name a language of their own (text pasted into the template in Word).
    for lang in document.element.body.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), tag)
        theme_lang.attrib.pop(qn("w:eastAsia"), None)
    # Word 2010's copy of the styles, which Word reads in preference when it is there.
    for part in document.part.package.iter_parts():
        if part.partname == "/word/stylesWithEffects.xml":
            part._blob = LANG_ATTRIBUTE.sub(rb"\g<1>" + tag.encode() + rb"\g<2>", part.blob)


def page_break_paragraph(element) -> bool:
    return element.tag == qn("w:p") and any(
        br.get(qn("w:type")) == "page" for br in element.iter(qn("w:br"))
    )


def mark_parts(document, tags: list[str]) -> None:
    """Mark every run of each part with that part's language; the parts are the stretches of
    the body between page-break paragraphs. Left alone when they do not match ``tags``."""
    parts: list[list] = [[]]
    for element in document.element.body:
        if page_break_paragraph(element):
            parts.append([])
        else:
            parts[-1].append(element)
    if len(parts) != len(tags):
        return
    for elements, tag in zip(parts, tags, strict=True):
        for element in elements:
            for run in element.iter(qn("w:r")):
                set_lang(get_or_add_rpr(run), tag)
            for paragraph_properties in element.iter(qn("w:pPr")):
                set_lang(get_or_add_rpr(paragraph_properties), tag)


# Metadata ---------------------------------------------------------------------------------


def set_metadata(document, *, title, author, language, subject="", status="") -> None:
    """The document's own properties in place of the template's (python-docx's 2013 "generated
    by python-docx"): it was made now, by the forum's service, and has not been revised."""
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
    properties = document.core_properties
    properties.title = title[:255]
    properties.subject = subject[:255]
    properties.author = author[:255]
    properties.last_modified_by = author[:255]
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.content_status = status
    properties.language = language
    properties.identifier = ""
    properties.created = properties.modified = now
    properties.revision = 1
    for part in document.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = app_properties(part.blob, author)
    drop_thumbnail(document)


def app_properties(blob: bytes, company: str) -> bytes:
    """The extended properties without the template's "Microsoft Macintosh Word"."""
    from xml.sax.saxutils import escape

    values = {"Application": service_name(), "Company": company}
    for name, value in values.items():
        element = f"<{name}>{escape(value)}</{name}>".encode()
        pattern = rf"<{name}>[^<]*</{name}>|<{name}/>".encode()
        blob = re.sub(pattern, lambda _match, element=element: element, blob)
    return blob


def drop_thumbnail(document) -> None:
    """The template's preview is a picture of a blank page: better none than a wrong one."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)


# Tables -----------------------------------------------------------------------------------


def fix_tables(document) -> None:
    text_width = usable_width(document)
    for table in document.element.body.iter(qn("w:tbl")):
        fix_table(table, text_width)


def tbl_pr_child(tbl_pr, name: str):
    """The child ``name`` of a table's properties, added in its schema place when missing."""
    child = tbl_pr.find(qn(f"w:{name}"))
    if child is not None:
        return child
    child = OxmlElement(f"w:{name}")
    later = TBL_PR_ORDER[TBL_PR_ORDER.index(name) + 1 :]
    for element in tbl_pr:
        if element.tag in {qn(f"w:{other}") for other in later}:
            element.addprevious(child)
            return child
    tbl_pr.append(child)
    return child


def cell_span(tc) -> int:
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    return int(span.get(qn("w:val"))) if span is not None else 1


def cell_width(tc) -> int | None:
    """The cell's width in twips, when it gives one in twips (not a percentage or "auto")."""
    width = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    if width is None or width.get(qn("w:type"), "dxa") != "dxa":
        return None
    value = width.get(qn("w:w"))
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def table_rows(tbl):
    return tbl.findall(qn("w:tr"))


def row_cells(tr):
    return tr.findall(qn("w:tc"))


def column_widths(tbl, text_width: int) -> list[int]:
    """Each grid column's width: from the first cell that spans it alone, else the grid's
    own, else an equal share of what is left; all scaled down to the page when too wide."""
    grid = tbl.find(qn("w:tblGrid"))
    grid_cols = grid.findall(qn("w:gridCol")) if grid is not None else []
    count = max(
        [len(grid_cols)] + [sum(cell_span(tc) for tc in row_cells(tr)) for tr in table_rows(tbl)]
    )
    widths: list[int | None] = [None] * count
    for tr in table_rows(tbl):
        position = 0
        for tc in row_cells(tr):
            span = cell_span(tc)
            if span == 1 and widths[position] is None:
                widths[position] = cell_width(tc)
            position += span
    for index, col in enumerate(grid_cols):
        if widths[index] is None and (value := col.get(qn("w:w"))) and value.isdigit():
            widths[index] = int(value) or None
    known = sum(width for width in widths if width)
    unknown = [index for index, width in enumerate(widths) if not width]
    share = max((text_width - known) // len(unknown), 567) if unknown else 0  # at least 1 cm
    filled = [width or share for width in widths]
    total = sum(filled)
    if total > text_width:
        filled = [width * text_width // total for width in filled]
    return filled


def fix_table(tbl, text_width: int) -> None:
    widths = column_widths(tbl, text_width)
    if not widths:
        return
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        grid = OxmlElement("w:tblGrid")
        tbl.find(qn("w:tblPr")).addnext(grid)
    for col in grid.findall(qn("w:gridCol")):
        grid.remove(col)
    for width in widths:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(width))
        grid.append(col)

    tbl_pr = tbl.find(qn("w:tblPr"))
    table_width = tbl_pr_child(tbl_pr, "tblW")
    table_width.set(qn("w:w"), str(sum(widths)))
    table_width.set(qn("w:type"), "dxa")
    # Fixed: both programs take the grid as it is rather than fitting columns to the text.
    tbl_pr_child(tbl_pr, "tblLayout").set(qn("w:type"), "fixed")

    rows = table_rows(tbl)
    headed = [tr for tr in rows if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
    header_rows = headed or rows[:1]
    for tr in rows:
        position = 0
        for tc in row_cells(tr):
            span = cell_span(tc)
            tc.width = sum(widths[position : position + span]) * EMU_PER_TWIP
            position += span
        row_properties = tr.get_or_add_trPr()
        if row_properties.find(qn("w:cantSplit")) is None:
            row_properties.append(OxmlElement("w:cantSplit"))
        if tr in header_rows and row_properties.find(qn("w:tblHeader")) is None:
            row_properties.append(OxmlElement("w:tblHeader"))
