"""Reading the documents the secretariat keeps (plain text, Markdown, Word .docx and PDF) into
the text lines every importer parses.

The format is decided by the file's content, not only its name: a Word document renamed .txt is
still read as Word, and an image or a spreadsheet is refused with a message saying what to send
instead. Text files are decoded from whatever encoding they were saved in (and the encoding is
named, so a wrong guess can be noticed). Word documents keep their headings, list numbers and
tables as Markdown, the layout the importers already read; PDFs lose their running headers,
footers and page numbers. Anything a library raises on a damaged file becomes a
``DocumentError``, which names the line when there is one.
"""

import codecs
import io
import logging
import math
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrc.lib.importing import ImportFormatError

# Lazy: formatted into messages in the language of the page that shows them.
ACCEPTED = gettext_lazy(".txt, .md, .docx or .pdf")
MARKDOWN_EXTENSIONS = {".md", ".markdown"}


class DocumentError(ImportFormatError):
    """The file cannot be read as a document: too large, damaged, or not a document at all.

    The message is a whole sentence that names the line itself when there is one, so that it
    can be shown on its own."""

    def __str__(self):
        return self.message


@dataclass
class SourceDocument:
    """A document as the importers read it: its text, and how that text was obtained."""

    name: str
    format: str  # "text", "markdown", "docx" or "pdf"
    encoding: str  # the encoding a text file was decoded from; "" for Word and PDF
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def describe(self) -> str:
        values = {"name": self.name, "encoding": self.encoding}
        if self.format == "docx":
            return _("%(name)s, Word document") % values
        if self.format == "pdf":
            return _("%(name)s, PDF") % values
        if self.format == "markdown":
            return _("%(name)s, Markdown read as %(encoding)s") % values
        return _("%(name)s, plain text read as %(encoding)s") % values


# --- entry points ----------------------------------------------------------------------------


def read_document_path(path) -> SourceDocument:
    """The document at ``path``; its size is checked before any of it is read."""
    name = os.path.basename(str(path))
    try:
        size = os.path.getsize(path)
        check_size(size, name)
        with open(path, "rb") as handle:
            # Read one byte past the limit, so a file that grew since it was measured is refused.
            data = handle.read(settings.IMPORT_MAX_BYTES + 1)
    except OSError as error:
        raise DocumentError(
            None, _("cannot read %(name)s: %(reason)s") % {"name": name, "reason": error.strerror}
        ) from error
    return read_document_bytes(data, name)


def read_document_bytes(data: bytes, name: str) -> SourceDocument:
    """The document held in ``data`` (an upload, or a file's content); ``name`` is its file
    name, used for messages and to tell Markdown from plain text."""
    check_size(len(data), name)
    if not data.strip():
        raise DocumentError(None, _("%(name)s is empty") % {"name": name})
    kind = sniff(data, name)
    if kind == "docx":
        text = read_docx(data, name)
        encoding = ""
    elif kind == "pdf":
        text = read_pdf(data, name)
        encoding = ""
    else:
        text, encoding = decode_text(data, name)
        text = normalise(text)
        check_control_characters(text, name)
    if kind in ("docx", "pdf"):
        # Extracted text has the blank runs of page breaks and empty paragraphs; a text file
        # keeps its own lines, so that a message's line number is the file's.
        text = tidy_blank_lines(text)
    text = text.rstrip("\n")
    check_line_lengths(text)
    return SourceDocument(name=name, format=kind, encoding=encoding, text=text)


# --- limits ----------------------------------------------------------------------------------


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{math.ceil(size / 1024)} KB"
    return _("%(count)d bytes") % {"count": size}


def check_size(size: int, name: str) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise DocumentError(
            None,
            _("%(name)s is %(size)s; the importer reads documents of up to %(limit)s")
            % {"name": name, "size": human_size(size), "limit": human_size(limit)},
        )


def check_line_lengths(text: str) -> None:
    limit = settings.IMPORT_MAX_LINE_CHARS
    if len(text) <= limit:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > limit:
            raise DocumentError(
                number,
                _(
                    "line %(line)d is %(length)s characters long; lines of up to %(limit)s "
                    "characters are read (the file may not be a text document)"
                )
                % {"line": number, "length": f"{len(line):,}", "limit": f"{limit:,}"},
            )


# --- telling formats apart -------------------------------------------------------------------

IMAGE_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
]
BINARY_SIGNATURES = [
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"MZ",  # Windows programs
    b"\x7fELF",
]
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def not_readable(name: str, what: str | None = None) -> DocumentError:
    if what:
        message = _(
            "%(name)s is %(what)s; it is not a document the importer reads: use %(accepted)s"
        )
    else:
        message = _("%(name)s is not a document the importer reads: use %(accepted)s")
    return DocumentError(None, message % {"name": name, "what": what, "accepted": ACCEPTED})


def sniff(data: bytes, name: str) -> str:
    """ "docx", "pdf", "markdown" or "text" from the content; refuses every other kind of file."""
    head = data[:1024]
    if data.startswith(ZIP_SIGNATURES):
        return sniff_zip(data, name)
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(OLE_SIGNATURE):
        raise DocumentError(
            None,
            _(
                "%(name)s is an older Word document (.doc) or another Office 97-2003 file, or a "
                "password-protected Office document; save it as .docx (without a password) or "
                "as .pdf and import that"
            )
            % {"name": name},
        )
    if head.lstrip().startswith(b"{\\rtf"):
        raise DocumentError(
            None,
            _("%(name)s is a Rich Text (.rtf) document; save it as .docx or .pdf and import that")
            % {"name": name},
        )
    for signature, image in IMAGE_SIGNATURES:
        if data.startswith(signature):
            raise not_readable(name, _("a %(type)s image") % {"type": image})
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise not_readable(name, _("a %(type)s image") % {"type": "WebP"})
    if data[4:8] == b"ftyp":
        raise not_readable(name, _("an image or video"))
    if any(data.startswith(signature) for signature in BINARY_SIGNATURES):
        raise not_readable(name)
    extension = os.path.splitext(name)[1].lower()
    return "markdown" if extension in MARKDOWN_EXTENSIONS else "text"


def sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError) as error:
        if name.lower().endswith(".docx"):
            raise damaged(name, _("a Word document"), error) from error
        raise not_readable(name, _("a damaged zip archive")) from error
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument.text" in mimetype:
        raise DocumentError(
            None,
            _("%(name)s is an OpenDocument text (.odt); save it as .docx or .pdf and import that")
            % {"name": name},
        )
    if "xl/workbook.xml" in names or b"opendocument.spreadsheet" in mimetype:
        raise not_readable(name, _("a spreadsheet"))
    if "ppt/presentation.xml" in names or b"opendocument.presentation" in mimetype:
        raise not_readable(name, _("a presentation"))
    raise not_readable(name, _("a zip archive"))


def damaged(name: str, what: str, error: Exception | None = None) -> DocumentError:
    detail = f" ({error})" if error and str(error) else ""
    return DocumentError(
        None,
        _("%(name)s could not be read as %(what)s; it may be damaged%(detail)s")
        % {"name": name, "what": what, "detail": detail},
    )


# --- plain text ------------------------------------------------------------------------------

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
]
# Encodings a file from Wales is most likely to be in when its bytes fit several: tried first, in
# this order, among the guesses that read the text equally well.
LIKELY_ENCODINGS = ["cp1252", "iso8859_14", "iso8859_15"]
# Welsh letters outside Latin-1 and Latin Extended-A: ẁ ẃ ẅ ỳ and their capitals.
WELSH_EXTRA = set("ẀẁẂẃẄẅỲỳ")
EXPECTED_PUNCTUATION = set("£€©®°·‘’‚“”„–—…•«»¡¿§¶±½¼¾‰†‡™′″")
# Icelandic and Faroese letters: in English and Welsh text they are almost always ŵ ŷ Ŵ Ŷ read
# with the wrong encoding (ISO-8859-14 puts the Welsh letters where Latin-1 has these).
UNLIKELY_LETTERS = set("ðþÐÞ")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text and the name of the encoding it was decoded from."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as error:
                line = data[: error.start].count(b"\n") + 1 if codec != "utf-16" else None
                raise DocumentError(
                    line,
                    _("%(name)s starts as %(encoding)s text but is not valid %(encoding)s")
                    % {"name": name, "encoding": label.upper()},
                ) from error
    if codec := utf16_without_bom(data):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guessed = guess_encoding(data)
    if guessed is None:
        raise not_readable(name)
    text, codec = guessed
    return text, encoding_label(codec)


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 saved without a byte order mark: text in Latin
    letters then has a zero byte in every other place, and none in the others."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.4 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.4 and odd < half * 0.05:
        return "utf-16-be"
    return None


def guess_encoding(data: bytes) -> tuple[str, str] | None:
    """(text, codec) of the likeliest reading of bytes that are not UTF-8, or None for bytes
    that are not text in any encoding."""
    from charset_normalizer import from_bytes

    logging.getLogger("charset_normalizer").setLevel(logging.ERROR)
    matches = list(from_bytes(data))
    if not matches:
        return None
    best_chaos = min(match.chaos for match in matches)
    codecs_in_order = []
    for match in matches:
        if match.chaos <= best_chaos + 0.05:
            codecs_in_order.append(match.encoding)
    # charset-normalizer does not know Welsh, and reads its letters as Central European
    # (cp1250) as readily as Western: among readings that are equally good, prefer the ones
    # that hold only letters and punctuation English and Welsh text uses.
    candidates = [c for c in LIKELY_ENCODINGS if c not in codecs_in_order] + codecs_in_order
    candidates.sort(key=likely_rank)
    # Only the bytes above ASCII tell single-byte encodings apart, so they are scored on those
    # alone (a few kilobytes even in a large file).
    high = data.translate(None, ASCII_BYTES)
    scored = []
    for rank, codec in enumerate(candidates):
        try:
            if single_byte(codec):
                sample = high.decode(codec)
            else:
                sample = data[:262144].decode(codec, errors="ignore")
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((unexpected_characters(sample), rank, codec))
    for _score, _rank, codec in sorted(scored):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None


ASCII_BYTES = bytes(range(128))


def single_byte(codec: str) -> bool:
    return len(bytes(range(256)).decode(codec, errors="replace")) == 256


def likely_rank(codec: str) -> int:
    name = codecs.lookup(codec).name
    for index, likely in enumerate(LIKELY_ENCODINGS):
        if codecs.lookup(likely).name == name:
            return index
    return len(LIKELY_ENCODINGS)


def unexpected_characters(text: str) -> int:
    count = 0
    for char, times in Counter(text).items():
        if char.isascii() or char in EXPECTED_PUNCTUATION or char in WELSH_EXTRA:
            continue
        code = ord(char)
        if char in UNLIKELY_LETTERS or char in "×÷":
            count += times
        elif not (0xC0 <= code <= 0x17F or code in (0xA0, 0xAD)):
            count += times
    return count


def encoding_label(codec: str) -> str:
    """The usual name of an encoding ("windows-1252", "iso-8859-14", "utf-16-le")."""
    name = codecs.lookup(codec).name
    if match := re.fullmatch(r"cp(125\d)", name):
        return f"windows-{match[1]}"
    if name == "latin-1":
        return "iso-8859-1"
    if match := re.fullmatch(r"iso8859-(\d+)", name):
        return f"iso-8859-{match[1]}"
    return name.replace("_", "-")


# Line and page breaks of every kind become newlines; spaces that only stop a line break become
# spaces; characters that print as nothing are removed. Zero-width joiners (U+200C, U+200D) stay:
# they shape letters in Arabic-script and Indic names.
NORMALISE = str.maketrans(
    {
        "\f": "\n",
        "\v": "\n",
        "\x85": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\xa0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": None,
        "\u2060": None,
        "\ufeff": None,
        "\xad": None,
        "\u200e": None,
        "\u200f": None,
    }
)


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(NORMALISE)


CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
CONTROL_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()


def control_name(char: str) -> str:
    code = ord(char)
    if code < 32:
        return CONTROL_NAMES[code]
    return "DEL" if code == 0x7F else f"U+{code:04X}"


def check_control_characters(text: str, name: str) -> None:
    match = CONTROL.search(text)
    if match is None:
        return
    sample = text[:65536]
    if len(CONTROL.findall(sample)) > len(sample) / 20:
        raise not_readable(name)
    line = text.count("\n", 0, match.start()) + 1
    raise DocumentError(
        line,
        _(
            "line %(line)d holds a control character (%(name)s); the file may be damaged or not "
            "a text document"
        )
        % {"line": line, "name": control_name(match[0])},
    )


def tidy_blank_lines(text: str) -> str:
    """At most one blank line in a row, none at either end."""
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text).strip("\n")


def strip_controls(text: str) -> str:
    """Text from Word or a PDF without control characters, which extraction sometimes leaves
    behind (a PDF's private glyph codes) and which are never part of the document's words."""
    return CONTROL.sub("", normalise(text))


# --- Word ------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
# Parts of a paragraph whose text is not the paragraph's own: deleted text, drawings and text
# boxes (whose text Word stores twice, once for old readers), field instructions.
SKIPPED_IN_PARAGRAPH = {
    W + "del",
    W + "moveFrom",
    W + "drawing",
    W + "pict",
    W + "object",
    W + "instrText",
    W + "delText",
    MC + "AlternateContent",
    W + "rPr",
    W + "pPr",
    W + "footnoteReference",
    W + "endnoteReference",
    W + "commentReference",
}
# Word's uncompressed document.xml for a 10 MB file is rarely above 100 MB; a larger one is a
# zip made to exhaust memory, not a document.
MAX_DOCUMENT_XML_BYTES = 200 * 1024 * 1024


def read_docx(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise damaged(name, _("a Word document"))
        import docx

        document = docx.Document(io.BytesIO(data))
        return strip_controls(WordReader(document).text())
    except DocumentError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged file may fail anywhere in the libraries
        raise damaged(name, _("a Word document"), error) from error


def w_val(element, tag: str, attribute: str = "val") -> str | None:
    if element is None:
        return None
    child = element.find(W + tag)
    if child is None:
        return None
    return child.get(W + attribute)


class WordNumbering:
    """The numbers Word shows before list paragraphs, computed from numbering.xml the way Word
    counts: per abstract list, continuing across lists that share one unless a list restarts it
    (``startOverride``), and restarting deeper levels when a higher level is numbered."""

    def __init__(self, document):
        self.nums = {}  # numId -> (abstractNumId, {ilvl: startOverride}, {ilvl: lvl element})
        self.abstracts = {}  # abstractNumId -> {ilvl: lvl element}
        self.abstract_links = {}  # abstractNumId -> numbering style id it takes its levels from
        self.style_links = {}  # numbering style id -> abstractNumId that defines it
        self.counters = {}  # abstractNumId -> [count or None] * 9
        self.started = set()  # (numId, ilvl) whose startOverride has been applied
        self.styles = document.styles.element
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        for abstract in root.findall(W + "abstractNum"):
            abstract_id = abstract.get(W + "abstractNumId")
            self.abstracts[abstract_id] = {
                lvl.get(W + "ilvl", "0"): lvl for lvl in abstract.findall(W + "lvl")
            }
            if (link := w_val(abstract, "numStyleLink")) is not None:
                self.abstract_links[abstract_id] = link
            if (link := w_val(abstract, "styleLink")) is not None:
                self.style_links[link] = abstract_id
        for num in root.findall(W + "num"):
            overrides, levels = {}, {}
            for override in num.findall(W + "lvlOverride"):
                ilvl = override.get(W + "ilvl", "0")
                start = w_val(override, "startOverride")
                if start is not None:
                    overrides[ilvl] = int(start)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = lvl
            self.nums[num.get(W + "numId")] = (w_val(num, "abstractNumId"), overrides, levels)

    def level(self, num_id: str, ilvl: str):
        abstract_id, _overrides, levels = self.nums[num_id]
        if ilvl in levels and levels[ilvl].find(W + "numFmt") is not None:
            return levels[ilvl]
        abstract_id = self.style_links.get(self.abstract_links.get(abstract_id), abstract_id)
        return self.abstracts.get(abstract_id, {}).get(ilvl)

    def counter_key(self, num_id: str) -> str:
        abstract_id = self.nums[num_id][0]
        return self.style_links.get(self.abstract_links.get(abstract_id), abstract_id)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The label ("3. ", "a) ", "- ") of the next paragraph of list ``num_id`` at level
        ``ilvl``, counting it; None when the paragraph shows no label."""
        if num_id not in self.nums or num_id == "0":
            return None
        key = self.counter_key(num_id)
        counters = self.counters.setdefault(key, [None] * 9)
        lvl = self.level(num_id, str(ilvl))
        if lvl is None:
            return None
        overrides = self.nums[num_id][1]
        if str(ilvl) in overrides and (num_id, ilvl) not in self.started:
            self.started.add((num_id, ilvl))
            counters[ilvl] = overrides[str(ilvl)] - 1
        if counters[ilvl] is None:
            counters[ilvl] = self.start(num_id, ilvl) - 1
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            restart = w_val(self.level(num_id, str(deeper)), "lvlRestart")
            restart_after = deeper if restart is None else int(restart)
            if restart_after and ilvl < restart_after:
                counters[deeper] = None
        number_format = w_val(lvl, "numFmt") or "decimal"
        if number_format == "bullet":
            return "- "
        if number_format == "none":
            return None
        template = w_val(lvl, "lvlText")
        if template is None:
            template = f"%{ilvl + 1}."
        legal = lvl.find(W + "isLgl") is not None

        def number(match):
            index = int(match[1]) - 1
            if index > ilvl:
                return ""
            value = counters[index]
            if value is None:
                value = self.start(num_id, index)
            own = w_val(self.level(num_id, str(index)), "numFmt") or "decimal"
            return format_number(value, "decimal" if legal and index < ilvl else own)

        text = re.sub(r"%(\d)", number, template).strip()
        return f"{text} " if text else None

    def start(self, num_id: str, ilvl: int) -> int:
        value = w_val(self.level(num_id, str(ilvl)), "start")
        return int(value) if value is not None else 1

    def paragraph_numbering(self, paragraph_element, style_id: str | None):
        """(numId, ilvl) of a paragraph, from its own properties or its style's."""
        num_id = ilvl = None
        ppr = paragraph_element.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        if numpr is not None:
            num_id, ilvl = w_val(numpr, "numId"), w_val(numpr, "ilvl")
        seen = set()
        while num_id is None and style_id and style_id not in seen:
            seen.add(style_id)
            style = self.style(style_id)
            if style is None:
                break
            style_numpr = style.find(f"{W}pPr/{W}numPr")
            if style_numpr is not None:
                num_id = w_val(style_numpr, "numId")
                ilvl = ilvl if ilvl is not None else w_val(style_numpr, "ilvl")
            style_id = w_val(style, "basedOn")
        if num_id is None or num_id == "0":
            return None
        return num_id, min(int(ilvl or 0), 8)

    def style(self, style_id: str):
        for style in self.styles.findall(W + "style"):
            if style.get(W + "styleId") == style_id:
                return style
        return None


def format_number(value: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, remainder = divmod(value - 1, 26)
            letters = chr(ord("a") + remainder) + letters
        return letters.upper() if number_format == "upperLetter" else letters
    if number_format in ("lowerRoman", "upperRoman"):
        roman = to_roman(value)
        return roman if number_format == "upperRoman" else roman.lower()
    if number_format == "decimalZero":
        return f"{value:02d}"
    if number_format == "ordinal":
        suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10)
        return f"{value}{suffix or 'th'}"
    return str(value)


def to_roman(value: int) -> str:
    if value <= 0:
        return str(value)
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = ""
    for number, numeral in numerals:
        while value >= number:
            out += numeral
            value -= number
    return out


class WordReader:
    """A Word document's body as text lines: paragraphs separated by a blank line, list items
    and table rows on consecutive lines (the layout ``render_pieces`` writes)."""

    def __init__(self, document):
        self.document = document
        self.numbering = WordNumbering(document)
        self.style_names = {}
        self.heading_levels = {}
        for style in document.styles.element.findall(W + "style"):
            style_id = style.get(W + "styleId")
            self.style_names[style_id] = (w_val(style, "name") or "").strip()
        self.blocks = []  # (kind, text): kind is "p", "li" or "table"

    def text(self) -> str:
        body = self.document.element.body
        self.read_container(body)
        out = []
        for i, (kind, text) in enumerate(self.blocks):
            if i:
                together = kind == "li" and self.blocks[i - 1][0] == "li"
                out.append("\n" if together else "\n\n")
            out.append(text)
        return "".join(out)

    def read_container(self, element) -> None:
        for child in element:
            if child.tag == W + "p":
                self.read_paragraph(child)
            elif child.tag == W + "tbl":
                self.read_table(child)
            elif child.tag in (W + "sdt", W + "customXml"):
                content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
                if content is not None:
                    self.read_container(content)

    def paragraph_style(self, paragraph) -> str | None:
        return w_val(paragraph.find(W + "pPr"), "pStyle")

    def heading_level(self, paragraph, style_id: str | None) -> int | None:
        outline = w_val(paragraph.find(W + "pPr"), "outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return min(int(outline) + 1, 6)
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            name = self.style_names.get(style_id, "")
            if name.lower() == "title":
                return 1
            if match := HEADING_STYLE.match(name):
                return max(1, min(int(match[1]), 6))
            style = self.numbering.style(style_id)
            outline = w_val(style.find(W + "pPr"), "outlineLvl") if style is not None else None
            if outline is not None and outline.isdigit() and int(outline) < 9:
                return min(int(outline) + 1, 6)
            style_id = w_val(style, "basedOn") if style is not None else None
        return None

    def paragraph_parts(self, paragraph) -> tuple[str | None, str, int | None]:
        """(list label, text, heading level) of one paragraph."""
        style_id = self.paragraph_style(paragraph)
        hidden = paragraph.find(f"{W}pPr/{W}rPr/{W}vanish") is not None
        text = paragraph_text(paragraph)
        numbering = self.numbering.paragraph_numbering(paragraph, style_id)
        label = self.numbering.label(*numbering) if numbering and not hidden else None
        if hidden and not text.strip():
            return None, "", None
        return label, text, self.heading_level(paragraph, style_id)

    def read_paragraph(self, paragraph) -> None:
        label, text, level = self.paragraph_parts(paragraph)
        lines = [line.strip() for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if label:
            lines[0] = label + lines[0]
        if level:
            self.blocks.append(("p", "#" * level + " " + " ".join(lines)))
        elif label:
            self.blocks.append(("li", "\n".join(lines)))
        else:
            self.blocks.append(("p", "\n".join(lines)))

    def cell_text(self, cell) -> str:
        parts = []
        for child in cell.iter(W + "p"):
            if child.getparent() is not cell and child.getparent().tag not in (
                W + "sdtContent",
                W + "tc",
                W + "customXml",
            ):
                continue
            label, text, _level = self.paragraph_parts(child)
            for line in text.split("\n"):
                line = line.strip()
                if line:
                    parts.append((label or "") + line)
                    label = None
        return " <br> ".join(part.replace("|", "\\|") for part in parts)

    def read_table(self, table) -> None:
        rows = []
        above = {}  # grid column -> text of the cell that a vertical merge continues
        for tr in table.iter(W + "tr"):
            if nearest_table(tr) is not table:
                continue
            cells = []
            column = 0
            skipped = w_val(tr.find(W + "trPr"), "gridBefore")
            column += int(skipped) if skipped and skipped.isdigit() else 0
            for tc in tr.iter(W + "tc"):
                if nearest_table(tc) is not table:
                    continue
                tcpr = tc.find(W + "tcPr")
                span_value = w_val(tcpr, "gridSpan")
                span = int(span_value) if span_value and span_value.isdigit() else 1
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if vmerge is not None and vmerge.get(W + "val", "continue") == "continue":
                    text = above.get(column, "")
                else:
                    text = self.cell_text(tc)
                above[column] = text
                cells.append(text)
                column += span
            if any(cells):
                rows.append(cells)
        if not rows:
            return
        if len(rows) == 1 and len(rows[0]) == 1:
            # A one-cell table is a box drawn round text, not a table.
            self.blocks.append(("p", rows[0][0].replace(" <br> ", "\n").replace("\\|", "|")))
            return
        rule = ["---"] * len(rows[0])
        lines = [markdown_row(rows[0]), markdown_row(rule)]
        lines += [markdown_row(cells) for cells in rows[1:]]
        self.blocks.append(("table", "\n".join(lines)))


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def nearest_table(element):
    parent = element.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent


def paragraph_text(paragraph) -> str:
    """A paragraph's visible text, in order, with manual line breaks as newlines."""
    out = []

    def walk(element):
        for child in element:
            tag = child.tag
            if tag in SKIPPED_IN_PARAGRAPH:
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "sym":
                code = child.get(W + "char") or ""
                out.append(symbol_character(code))
            else:
                walk(child)

    walk(paragraph)
    return "".join(out)


def symbol_character(code: str) -> str:
    """A Word symbol (Wingdings bullets and the like, stored as private-use codes) as text: a
    bullet for symbol-font glyphs, the character itself otherwise."""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:
        return "•"
    return chr(value)


# --- PDF -------------------------------------------------------------------------------------

MIN_CHARACTERS_PER_PAGE = 20
PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:page|tudalen|tud\.?)\s*)?\d{1,4}(?:\s*(?:of|o|/)\s*\d{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)
MARGIN_LINES = 2
# Running headers and footers are short; a longer line is body text even when it repeats.
RUNNING_MAX_CHARS = 120


def read_pdf(data: bytes, name: str) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # A PDF locked only against editing opens with an empty password in every viewer,
            # and its text can be read; one that asks for a password cannot.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as error:
                raise encrypted(name) from error
            if not opened:
                raise encrypted(name)
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except FileNotDecryptedError as error:
        raise encrypted(name) from error
    except Exception as error:  # noqa: BLE001 - a damaged file may fail anywhere in the library
        raise damaged(name, _("a PDF"), error) from error
    if not pages:
        raise damaged(name, _("a PDF"))
    pages = [strip_controls(page) for page in pages]
    visible = sum(len("".join(page.split())) for page in pages)
    if visible < MIN_CHARACTERS_PER_PAGE * len(pages):
        raise DocumentError(
            None,
            _(
                "This PDF has no text layer (it looks scanned); the importer needs a PDF with "
                "selectable text, or the document as .docx or .txt"
            ),
        )
    page_lines = remove_running_lines([page.split("\n") for page in pages])
    return "\n".join("\n".join(lines) for lines in page_lines)


def encrypted(name: str) -> DocumentError:
    return DocumentError(
        None,
        _(
            "%(name)s is a password-protected PDF; save a copy without the password (or the "
            "document as .docx or .txt) and import that"
        )
        % {"name": name},
    )


def margin_indexes(lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:MARGIN_LINES] + filled[-MARGIN_LINES:]))


def running_key(line: str) -> str:
    return " ".join(line.split()).lower()


def numberless_key(line: str) -> str | None:
    """The line with its numbers blanked, for running lines that carry the page number; None
    for lines of numbers alone other than page numbers (such as table references)."""
    key = running_key(line)
    if len(key) > RUNNING_MAX_CHARS:
        return None
    if PAGE_NUMBER.match(key):
        return "<page number>"
    if not re.search(r"[^\W\d_]", key) or not re.search(r"\d", key):
        return None
    return re.sub(r"\d+", "#", key)


def remove_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Pages without the headers, footers and page numbers that repeat on most of them."""
    if len(pages) < 2:
        return [[line for line in lines if not is_lone_page_number(line, lines)] for lines in pages]
    needed = max(2, math.ceil(len(pages) * 0.6))
    exact, numberless = Counter(), Counter()
    for lines in pages:
        margins = [lines[i] for i in margin_indexes(lines)]
        exact.update({running_key(line) for line in margins})
        numberless.update({key for line in margins if (key := numberless_key(line))})
    kept = []
    for lines in pages:
        margins = set(margin_indexes(lines))
        kept.append(
            [
                line
                for i, line in enumerate(lines)
                if i not in margins
                or (
                    exact[running_key(line)] < needed
                    and numberless[numberless_key(line) or ""] < needed
                )
            ]
        )
    return kept


def is_lone_page_number(line: str, lines: list[str]) -> bool:
    """A one-page PDF's "Page 1" (or "1 of 1") at its top or bottom."""
    filled = [candidate for candidate in lines if candidate.strip()]
    if not filled or line not in (filled[0], filled[-1]):
        return False
    return bool(re.match(r"^\s*(?:page|tudalen)\s*1(?:\s*(?:of|o)\s*1)?\s*$", line, re.I))


# --- what kind of document is it ------------------------------------------------------------


@dataclass(frozen=True)
class Sign:
    """Something a kind of document usually has; counted once however often it appears."""

    pattern: re.Pattern
    weight: int


def heading(words: str) -> re.Pattern:
    """A line that is only ``words`` (a heading), or starts with ``words`` and a colon, allowing
    Markdown marks, bullets and a trailing colon."""
    return re.compile(
        rf"^[ \t#*_>•-]*(?:{words})[ \t*_]*(?::.*|[ \t*_]*)$", re.IGNORECASE | re.MULTILINE
    )


def cell(words: str) -> re.Pattern:
    """A table cell (Markdown "|" or tab-separated) or line that is only ``words``."""
    return re.compile(
        rf"(?:^|\||\t)[ \t*_]*(?:{words})[ \t*_:]*(?=\||\t|$)", re.IGNORECASE | re.MULTILINE
    )


def line_start(words: str) -> re.Pattern:
    return re.compile(rf"^[ \t#*_>•-]*(?:{words})", re.IGNORECASE | re.MULTILINE)


SIGNS = {
    "meeting": [
        Sign(heading(r"present|attendance|attendees|in attendance|those present"), 3),
        Sign(heading(r"yn bresennol|presennol|yn mynychu|mynychwyr"), 3),
        Sign(heading(r"apologies|apologies for absence"), 3),
        Sign(heading(r"ymddiheuriadau|ymddiheuriadau am absenoldeb"), 3),
        Sign(line_start(r"action\s*(?:point)?s?\s*:|actions? arising|summary of actions"), 3),
        Sign(line_start(r"cam(?:au)? gweithredu\s*:|crynodeb o(?:'r)? gamau gweithredu"), 3),
        Sign(heading(r"minutes|meeting notes|notes of (?:the )?meeting|minutes of .*"), 2),
        Sign(heading(r"cofnodion|cofnodion .*|nodiadau(?:'r| y)? cyfarfod.*"), 2),
        Sign(heading(r"agenda|agenda items?|rhaglen|eitemau'r agenda"), 1),
        Sign(heading(r"(?:any other business|aob|unrhyw fater arall)"), 2),
        Sign(line_start(r"(?:date of (?:the )?next meeting|dyddiad y cyfarfod nesaf)"), 2),
        Sign(re.compile(r"\bthe chair (?:welcomed|thanked|noted)\b", re.I), 2),
        Sign(re.compile(r"\b(?:croesawodd|diolchodd) y cadeirydd\b", re.I), 2),
    ],
    "plan": [
        Sign(re.compile(r"\bdelivery plan\b", re.IGNORECASE), 3),
        Sign(re.compile(r"\bcynllun cyflawni\b", re.IGNORECASE), 3),
        Sign(line_start(r"(?:objective|amcan)\s+\d+\b|strategic objectives?\b"), 3),
        Sign(line_start(r"(?:delivery area|maes cyflawni)\s+\d+\b"), 3),
        Sign(heading(r"action plan|cynllun gweithredu|.* action plan"), 2),
        Sign(cell(r"leads?|lead (?:organisations?|partners?|officers?|bod(?:y|ies))|arweinydd"), 3),
        Sign(cell(r"arweinwyr|arweiniol|corff arweiniol|sefydliad arweiniol"), 3),
        Sign(cell(r"timescales?|timeframes?|target dates?|amserlen|amserlenni"), 3),
        Sign(cell(r"milestones?|outcomes?|measures? of success|cerrig milltir|canlyniadau"), 1),
        Sign(cell(r"actions?|camau gweithredu|gweithred(?:oedd)?"), 1),
    ],
    "letter": [
        Sign(line_start(r"dear\s+\S"), 3),
        Sign(line_start(r"annwyl\s+\S"), 3),
        Sign(line_start(r"yours (?:sincerely|faithfully)|kind regards|best wishes"), 3),
        Sign(line_start(r"(?:yr eiddoch )?yn gywir|cofion(?: cynnes| gorau)?\b"), 3),
        Sign(line_start(r"(?:ein cyf\s*/\s*)?our ref\b|(?:eich cyf\s*/\s*)?your ref\b"), 3),
        Sign(line_start(r"ein cyf(?:eirnod)?\b|eich cyf(?:eirnod)?\b"), 3),
        Sign(re.compile(r"\bI am writing\b|\bI write\b|\brwy'n ysgrifennu\b", re.IGNORECASE), 1),
        Sign(line_start(r"(?:cc|enc(?:losures?|s)?)\s*[.:]"), 1),
    ],
}
# Agenda items "1. Welcome", "Item 2", "2.1 The Chair ..." on several lines.
AGENDA_NUMBER = re.compile(
    r"^[ \t#*]*(?:(?:item|eitem)\s+\d+\b|\d{1,2}\.(?:\d{1,2}\.?)?\s+\S)", re.I | re.M
)
MINIMUM_SCORE = 5


def kind_scores(text: str) -> dict[str, int]:
    text = normalise(text)
    scores = {
        kind: sum(sign.weight for sign in signs if sign.pattern.search(text))
        for kind, signs in SIGNS.items()
    }
    if len(AGENDA_NUMBER.findall(text)) >= 3:
        scores["meeting"] += 1
    return scores


def guess_document_kind(text: str) -> str | None:
    """ "meeting", "plan" or "letter" when the signs of one kind clearly outweigh the others (at
    least twice the runner-up's score); None when the text is short on signs or mixed."""
    scores = kind_scores(text)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, score), (_runner_up, second) = ranked[0], ranked[1]
    if score >= MINIMUM_SCORE and score >= 2 * second:
        return best
    return None


def kind_phrase(kind: str) -> str:
    phrases = {
        "meeting": _("meeting notes"),
        "plan": _("a delivery plan"),
        "letter": _("a letter"),
    }
    if kind not in phrases:
        raise ValueError(f"unknown document kind {kind!r}")
    return phrases[kind]


def kind_mismatch_message(expected: str, text: str) -> str | None:
    """A warning when ``text`` looks clearly like another kind of document than ``expected``
    ("meeting", "plan" or "letter"); None when it looks like that kind or the guess is unsure."""
    expected_phrase = kind_phrase(expected)
    guessed = guess_document_kind(text)
    if guessed is None or guessed == expected:
        return None
    return _("This looks like %(found)s, not %(expected)s.") % {
        "found": kind_phrase(guessed),
        "expected": expected_phrase,
    }
