"""Importing a delivery or action plan from its text.

Plans come as the table of a word processor or PDF export under a free-text introduction: a
title and period ("Delivery Plan 2016-17", "Anti-racist Wales Action Plan 2024", "2023 to
2024"), headings that group the actions ("Objective 1 – …", "Delivery Area 1 – …", "Theme 2:
…", "A. Human rights and recognition"), as lines of their own or as rows of the table, and one
row per action. Rows are tab-separated or Markdown ("| a | b |", as Word tables arrive, with
several paragraphs of a cell joined by " <br> "). A header row ("Ref | Action | Lead | By
when | Progress | KPI", in any order) says what each column holds; a table without one is
"reference, text, leads". A row split by a page break continues on a row with an empty
reference; cells may hold HTML fragments.

Whatever the parser cannot place or has to guess (a line outside the plan's structure, a lead
split into organisations by heuristics, a reference the document does not give) becomes a
``Notice`` for the reviewer; what cannot be a plan (a table cut short, a row that does not fit
its table) is an ``ImportFormatError`` naming the line.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.models import Forum, Organisation, normalise_name
from directory.services import (
    FILLER,
    SPELLING_PATTERNS,
    known_organisation,
    organisation_ensure,
)
from hatecrime.models import (
    DeliveryArea,
    DeliveryPlan,
    Objective,
    PlanAction,
    PlanActionLead,
    PlanSection,
)
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    Notice,
    Piece,
    delete_rest,
    html_to_pieces,
    join_fragments,
    refuse_other_forum,
    render_pieces,
    run_import,
    squash,
    strip_markdown,
    sync_object,
)

try:
    from directory.naming import looks_like_job_title
except ImportError:  # pragma: no cover - the shared check is optional
    looks_like_job_title = None


# --- the plan's heading: title and period ---------------------------------------------------

YEAR = r"(?:19|20)\d{2}"
PERIOD_RANGE = re.compile(
    rf"(?<!\d)(?P<first>{YEAR})\s*(?:[-–—/]|\bto\b|\bi\b|\btan\b)\s*(?P<second>{YEAR}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
PERIOD_YEAR = re.compile(rf"(?<![\d/.-])(?P<first>{YEAR})(?![\d/.-])")
# Lines of a cover page that are not the plan's title.
COVER_LINE = re.compile(
    r"^(?:llywodraeth cymru|welsh government|mae'r ddogfen.*|mae’r ddogfen.*|"
    r"this document is also available.*|official.*|swyddogol.*|contents|cynnwys|©.*|"
    r"crown copyright.*|hawlfraint.*|isbn.*|wg\d+.*|"
    # A web page's furniture around its title (gov.wales, llyw.cymru).
    r"skip to main content|neidio i'r prif gynnwys?|neidio i’r prif gynnwys?|in this page|"
    r"ar y dudalen hon|current page.*|tudalen bresennol.*|download document.*|"
    r"lawrlwytho dogfen.*|this file may not be fully accessible.*|"
    r"mae'n bosibl na fydd y ffeil hon yn gwbl hygyrch.*|first published:?|last updated:?|"
    r"cyhoeddwyd gyntaf:?|diweddarwyd ddiwethaf:?|policy and strategy|polisi a strategaeth|"
    r"guidance|canllawiau|consultation|ymgynghoriad|research|ymchwil)$",
    re.IGNORECASE,
)
# Cover text a PDF export glues to other lines ("July 2016Mae’r ddogfen yma hefyd ar gael…").
COVER_ANYWHERE = re.compile(
    r"mae['’]r ddogfen (?:yma|hon)|this document is also available|crown copyright|"
    r"hawlfraint y goron|\bISBN\b",
    re.IGNORECASE,
)
# A page number or "Page 3 of 17" left between the rows of a table.
PAGE_NUMBER = re.compile(
    r"^(?:\d{1,3}|(?:page|tudalen)\s+\d{1,3}(?:\s+(?:of|o)\s+\d{1,3})?)$", re.IGNORECASE
)


def _is_cover(line: str) -> bool:
    text = squash(strip_markdown(line))
    return bool(COVER_LINE.match(text) or COVER_ANYWHERE.search(text))


# "First published: 7 February 2023": the year a plan without a period was published.
PUBLISHED = re.compile(
    r"^(?:first published|published|cyhoeddwyd(?: gyntaf)?)\b\W*(?P<rest>.*)$", re.IGNORECASE
)
WELSH_WORDS = {
    "cynllun", "cyflawni", "gweithredu", "strategaeth", "cymru", "ar", "gyfer", "troseddau",
    "casineb", "gwrth", "hiliol", "camau", "llywodraeth", "cydraddoldeb", "fframwaith", "a",
    "ac", "y", "yr", "i", "o", "cymunedau", "diweddariad",
}  # fmt: skip
PLAN_WORDS = re.compile(r"\b(?:plan|cynllun|update|diweddariad|strategy|strategaeth)\b", re.I)


def _period(line: str) -> str | None:
    """ "2016-17" from "Delivery Plan 2016-17"; "2022-25" from "2022–2025"; "2023-24" from
    "2023 to 2024"; "2024" from "Action Plan 2024"."""
    if match := PERIOD_RANGE.search(line):
        first, second = match["first"], match["second"]
        second = first[:2] + second if len(second) == 2 else second
        if int(second) > int(first):
            return f"{first}-{second[2:]}" if second[:2] == first[:2] else f"{first}-{second}"
    if match := PERIOD_YEAR.search(line):
        return match["first"]
    return None


def _without_period(line: str) -> str:
    text = PERIOD_RANGE.sub(" ", line)
    if text == line:
        text = PERIOD_YEAR.sub(" ", line, count=1)
    return re.sub(r"\s+([:,;])", r"\1", squash(text)).strip(" :–—-,")


def _looks_welsh(title: str) -> bool:
    words = re.findall(r"[a-zâêîôûŵŷ']+", title.lower())
    return bool(words) and sum(w in WELSH_WORDS for w in words) * 2 >= len(words)


# --- reading rows ---------------------------------------------------------------------------

RULE_CELL = re.compile(r"^:?-{3,}:?$")
REFERENCE = re.compile(
    r"^(?:[A-Z]{1,5}\s?[-.]?\s?)?\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?\*?\.?$|^[A-Z]\.?\d{1,3}[a-z]?$"
)
SEED_REFERENCE = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)$")
BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


@dataclass
class Row:
    line: int
    cells: list
    markdown: bool
    block: bool = False  # an action written as labelled fields (see ``block_row``)

    @property
    def filled(self) -> list:
        return [c for c in self.cells if _cell_text(c)]


def _cell_text(cell: str) -> str:
    return squash(re.sub(r"<[^>]+>", " ", cell.replace("**", "")))


def _markdown_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def _row(number: int, line: str) -> Row | None:
    """The line as a table row, or None if it is not one."""
    if line.lstrip().startswith("|") and line.count("|") >= 2:
        return Row(number, _markdown_cells(line), True)
    if "\t" in line:
        return Row(number, line.split("\t"), False)
    return None


def _is_rule(row: Row) -> bool:
    return row.markdown and all(RULE_CELL.match(c.strip()) for c in row.cells if c.strip())


# --- columns --------------------------------------------------------------------------------

# What a header cell says about its column, tried in this order ("Action owner" is a lead,
# "Action no." a reference, "Progress update" an update).
COLUMN_WORDS = [
    ("reference", r"^(?:ref|reference|no|number|#|action no|action number|id|cyf|cyfeirnod|rhif)$"),
    ("objective", r"^(?:strategic )?(?:objective|goal|aim|amcan|nod)s?$"),
    ("area", r"^(?:delivery area|area|theme|priority|priority area|workstream|strand|thema|"
     r"blaenoriaeth|maes cyflawni)s?$"),
    ("timescale", r"by when|timescale|time scale|deadline|timeframe|time frame|target date|"
     r"due|completion|^when$|^date$|erbyn pryd|amserlen|dyddiad"),
    ("update", r"progress|update|status|^rag\b|cynnydd|diweddariad|statws"),
    ("measure", r"measure|kpi|outcome|indicator|success|mesur|canlyniad|dangosydd"),
    ("lead", r"lead|responsib|owner|^who$|^by whom$|^organisation|^agency|^body|partner|"
     r"arweinydd|arweiniol|cyfrifol|sefydliad"),
    ("action", r"action|activity|activities|task|what we will do|commitment|description|"
     r"gweithred|cam gweithredu|camau"),
]  # fmt: skip
COLUMN_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in COLUMN_WORDS]


def _column_kind(heading: str) -> str | None:
    text = re.sub(r"\(s\)", "", _cell_text(heading).lower())
    text = squash(re.sub(r"[^\w#&/ ]+", " ", text)).strip()
    if not text or len(text) > 40:
        return None
    return next((kind for kind, pattern in COLUMN_PATTERNS if pattern.search(text)), None)


@dataclass
class Columns:
    """Which cell of a row holds what; ``extra`` maps other cells to their heading."""

    count: int
    kinds: dict  # kind -> index
    extra: dict  # index -> heading
    line: int | None = None  # the header row's line; None for "reference, text, leads"
    more_leads: list = field(default_factory=list)  # "Lead officer | Agency": both name leads

    @classmethod
    def from_header(cls, row: Row) -> "Columns | None":
        kinds, extra, more_leads = {}, {}, []
        for index, cell in enumerate(row.cells):
            kind = _column_kind(cell)
            if kind and kind not in kinds:
                kinds[kind] = index
            elif kind == "lead":
                more_leads.append(index)
            elif _cell_text(cell):
                extra[index] = _cell_text(cell)
        recognised = len(kinds)
        if "action" not in kinds or recognised < 2 or recognised < len(row.filled) / 2:
            return None
        if any(REFERENCE.match(_cell_text(c)) for c in row.cells):
            return None
        return cls(len(row.cells), kinds, extra, row.line, more_leads)

    @classmethod
    def positional(cls, count: int) -> "Columns":
        kinds = {"reference": 0, "action": 1, "lead": 2}
        extra = {i: f"Column {i + 1}" for i in range(3, count)}
        return cls(count, {k: v for k, v in kinds.items() if v < count}, extra)

    def cell(self, row: Row, kind: str) -> str:
        index = self.kinds.get(kind)
        value = row.cells[index] if index is not None and index < len(row.cells) else ""
        if kind == "lead":
            more = [row.cells[i] for i in self.more_leads if i < len(row.cells)]
            value = " <br> ".join(c for c in [value, *more] if _cell_text(c))
        return value


# --- actions written as blocks of labelled fields -------------------------------------------

# Web pages and accessible documents write an action as a block rather than a table row:
# "Action 3: ban …" (or "Action" on a line of its own), then each field's label on a line of
# its own ("How we will achieve it?", "When we will do it?", "Who will help achieve this?",
# "Lead", "UNCRDP") with its value, paragraphs or bullets, below it.
ACTION_START = re.compile(
    r"^(?:action|cam gweithredu|gweithred)(?:\s+(?P<reference>\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?))?"
    r"\s*(?:[:.–—-]\s*(?P<text>\S.*))?$",
    re.IGNORECASE,
)
# The questions such blocks use for labels, then the words of a table's header (COLUMN_WORDS).
BLOCK_WORDS = [
    ("action", r"^how (?:we|will|it)\b|^what (?:we|will) (?:do|deliver)\b|^steps?\b|^sut\b"),
    ("measure", r"impact|difference|^how we will know|^how will we know|effaith|gwahaniaeth"),
    ("timescale", r"^when\b|^erbyn pryd|^pryd\b"),
    ("lead", r"^who\b|^pwy\b"),
]  # fmt: skip
BLOCK_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in BLOCK_WORDS]
# A short label in capitals ("UNCRDP", "NEO", "KPI") names a field of its own.
ACRONYM_LABEL = re.compile(r"^[A-Z][A-Z0-9&+]{1,9}$")
BULLET = re.compile(r"^\s*(?:[-*•·▪●◦]|\d{1,2}[.)])\s+")
BLOCK_KINDS = ["reference", "action", "lead", "timescale", "measure", "update"]


def _plain_line(line: str) -> str:
    return squash(strip_markdown(line))


def _field_label(text: str) -> tuple[str | None, str, str] | None:
    """(kind, label, value on the same line) when ``text`` is a field's label ("Who will help
    achieve this?", "Lead:", "Timescale: 2024-25", "NEO"), or None for a line of a value."""
    if BULLET.match(text) or len(text) > 80:
        return None
    label, value = text, ""
    if ":" in text and not text.endswith(":"):
        label, value = (part.strip() for part in text.split(":", 1))
    bare = label.rstrip("?:").strip()
    if not bare or len(bare.split()) > 8 or bare.endswith("."):
        return None
    words = bare.lower()
    kind = next((k for k, pattern in BLOCK_PATTERNS if pattern.search(words)), None)
    kind = kind or _column_kind(bare)
    if kind in {"reference", "objective", "area"}:
        kind = None
    asked = label.endswith("?") or label.endswith(":") or bool(value)
    if kind and (asked or len(bare.split()) <= 4):
        return kind, bare, value
    if not value and (label.endswith("?") or ACRONYM_LABEL.match(bare)):
        return None, bare, ""
    return None


@dataclass
class Block:
    """One action written as labelled fields: (kind or None, label, value lines) each."""

    start: int  # index of its first line
    end: int  # index after its last line
    reference: str
    fields: list


# "1.1 We will publish …" with labelled fields ("Lead: …", "Timescale: …") below it.
NUMBERED_START = re.compile(
    r"^(?P<reference>\d{1,3}(?:\.\d{1,3}){1,2}[a-z]?)\.?\s+(?P<text>[A-Z‘'\"“].*)$"
)


def _action_start(line: str) -> dict | None:
    """{"reference", "text", "numbered"} when ``line`` can start an action block."""
    text = _plain_line(line)
    if re.match(r"^\s*[-*•·▪●◦]\s", line):
        return None
    if match := ACTION_START.match(text):
        return {"reference": match["reference"], "text": match["text"], "numbered": False}
    if match := NUMBERED_START.match(text):
        return {"reference": match["reference"], "text": match["text"], "numbered": True}
    return None


def _read_block(lines: list[str], index: int) -> Block | None:
    """The action block starting at ``lines[index]``, or None if no block starts there."""
    match = _action_start(lines[index])
    if match is None or _row(index + 1, lines[index]) is not None:
        return None
    fields = [["action", "Action", [match["text"]] if match["text"] else []]]
    position, end = index + 1, index + 1
    while position < len(lines):
        raw, text = lines[position], _plain_line(lines[position])
        if not text:
            position += 1
            continue
        if _row(position + 1, raw) is not None or _action_start(raw) is not None:
            break
        values = fields[-1][2]
        label = _field_label(text)
        # A label-like line straight under a label ("Partners" under "Lead") is its value.
        if label and (values or text.endswith("?") or label[2]):
            kind, name, value = label
            fields.append([kind, name, [value] if value else []])
        elif values and _heads_next_block(lines, position):
            break
        else:
            values.append(raw.strip())
        position += 1
        end = position
    labelled = len(fields) > 1 or (not match["text"] and fields[0][2])
    if match["numbered"]:
        # A numbered paragraph is an action only when fields a plan names follow it.
        labelled = any(kind for kind, _name, values in fields[1:] if values)
    if not labelled or not any(values for _kind, _name, values in fields):
        return None
    return Block(index, end, match["reference"] or "", fields)


def _heads_next_block(lines: list[str], position: int) -> bool:
    """Whether the lines from ``position`` to the next action block are all headings (a
    delivery area's title between two actions), not more of the field above."""
    if lines[position].lstrip().startswith("#"):
        return True
    for index in range(position, len(lines)):
        text = _plain_line(lines[index])
        if not text:
            continue
        if _action_start(lines[index]) is not None:
            return index > position
        heading = _heading(index + 1, text, lettered=True) or _plain_heading(index + 1, text)
        if heading is None:
            return False
    return False


def _value_cell(values: list[str]) -> str:
    """A field's lines as a cell: a paragraph each, bullets as list items."""
    parts = []
    for value in values:
        bullet = BULLET.match(value)
        parts.append(f"<li>{value[bullet.end() :]}" if bullet else value)
    return " <br> ".join(parts)


def block_row(block: Block, number: int) -> tuple["Row", "Columns"]:
    """The block as one row of a table whose header its labels make."""
    cells = {kind: [] for kind in BLOCK_KINDS}
    cells["reference"].append(block.reference)
    extra: dict = {}
    for kind, label, values in block.fields:
        if kind in cells and (kind != "update" or values):
            cells[kind].extend(values)
        else:
            extra.setdefault(label, []).extend(values)
    for kind in ("lead", "timescale"):
        # A bullet's full stop ends the sentence the bullets make, not the name or date.
        cells[kind] = [re.sub(r"(?<![A-Z])\.$", "", value) for value in cells[kind]]
    row_cells = [block.reference] + [_value_cell(cells[kind]) for kind in BLOCK_KINDS[1:]]
    row_cells += [_value_cell(values) for values in extra.values()]
    kinds = {kind: index for index, kind in enumerate(BLOCK_KINDS)}
    headings = {len(BLOCK_KINDS) + i: label for i, label in enumerate(extra)}
    columns = Columns(len(row_cells), kinds, headings, number)
    return Row(number, row_cells, False, block=True), columns


# --- headings -------------------------------------------------------------------------------

# Words that name a level of grouping, with their rank: objectives hold areas.
LEVEL_WORDS = {
    "strategic objective": 0, "objective": 0, "goal": 0, "aim": 0, "outcome": 0, "amcan": 0,
    "nod": 0, "delivery area": 1, "priority area": 1, "area": 1, "theme": 1, "priority": 1,
    "workstream": 1, "strand": 1, "pillar": 1, "section": 1, "maes cyflawni": 1, "thema": 1,
    "blaenoriaeth": 1, "adran": 1,
}  # fmt: skip
LEVEL_WORD = "|".join(sorted((re.escape(w) for w in LEVEL_WORDS), key=len, reverse=True))
ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
WORDED = re.compile(
    rf"^(?P<word>{LEVEL_WORD})\s+(?P<label>\d{{1,2}}|[A-Z]|{ROMAN})(?![\w.])\.?\s*"
    r"(?:[:.–—-]\s*)?(?P<title>.*)$",
    re.IGNORECASE,
)
WORDED_UNLABELLED = re.compile(rf"^(?P<word>{LEVEL_WORD})\s*[:–—-]\s*(?P<title>\S.*)$", re.I)
LETTERED = re.compile(r"^(?P<label>[A-Z]|\d{1,2})[.):]\s+(?P<title>[A-Z‘'\"“].*)$")


@dataclass
class Heading:
    line: int
    kind: str  # the level word, "lettered" or "plain"
    label: str
    title: str

    @property
    def rank(self) -> int:
        return LEVEL_WORDS.get(self.kind, 2)

    @property
    def written_label(self) -> str:
        word = self.kind.title() if self.kind in LEVEL_WORDS else ""
        return squash(f"{word} {self.label}") if self.label else word


def _label_number(label: str) -> int | None:
    if label.isdigit():
        return int(label)
    if len(label) == 1 and label.isalpha() and label.upper() not in "IVX":
        return ord(label.upper()) - ord("A") + 1
    values = {"I": 1, "V": 5, "X": 10}
    if label and all(ch in values for ch in label.upper()):
        total = 0
        for ch, after in zip(label.upper(), label.upper()[1:] + " ", strict=True):
            value = values[ch]
            total += -value if after in values and values[after] > value else value
        return total
    return None


def _heading(number: int, text: str, *, lettered: bool) -> Heading | None:
    text = squash(strip_markdown(_cell_text(text)))
    if not text or len(text) > 200:
        return None
    if match := WORDED.match(text):
        word = match["word"].lower()
        return Heading(number, word, match["label"].upper(), squash(match["title"]))
    if match := WORDED_UNLABELLED.match(text):
        return Heading(number, match["word"].lower(), "", squash(match["title"]))
    if lettered and (match := LETTERED.match(text)) and not text.endswith("."):
        return Heading(number, "lettered", match["label"], squash(match["title"]))
    return None


def _plain_heading(number: int, text: str) -> Heading | None:
    """A short line with no label that reads as a heading ("Housing and accommodation")."""
    text = squash(strip_markdown(_cell_text(text)))
    words = text.split()
    if not words or len(words) > 14 or re.search(r"[.,;:]$", text) or not text[0].isupper():
        return None
    return Heading(number, "plain", "", text)


# --- what the parser builds -----------------------------------------------------------------


@dataclass
class ParsedAction:
    reference: str
    line: int
    fragments: list = field(default_factory=list)
    lead_parts: list = field(default_factory=list)
    timescale_parts: list = field(default_factory=list)
    update_parts: list = field(default_factory=list)
    measure_parts: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # heading -> list of parts
    generated: bool = False  # the document gives no reference; one was given in order
    lead_names: list = field(default_factory=list)  # organisations, as named
    lead_roles: list = field(default_factory=list)  # job titles named as leads

    @property
    def text(self) -> str:
        pieces: list[Piece] = []
        for fragment in self.fragments:
            more = html_to_pieces(_paragraphs(fragment))
            # A page break splits a paragraph (or bullet) in two: the halves are one.
            if pieces and more and pieces[-1].kind == more[0].kind:
                pieces[-1] = Piece(pieces[-1].kind, join_fragments(pieces[-1].text, more[0].text))
                more = more[1:]
            pieces.extend(more)
        return render_pieces(pieces)

    @property
    def leads(self) -> str:
        """The lead cell, a line per paragraph, the halves of a page break joined."""
        return _joined(self.lead_parts)

    @property
    def leads_text(self) -> str:
        return squash("; ".join(self.leads.splitlines()))

    @property
    def timescale(self) -> str:
        return _joined(self.timescale_parts)

    @property
    def update(self) -> str:
        return _joined(self.update_parts)

    @property
    def measure(self) -> str:
        return _joined(self.measure_parts)

    @property
    def extra_values(self) -> dict:
        values = {heading: _joined(parts) for heading, parts in self.extra.items()}
        return {heading: value for heading, value in values.items() if value}


def _paragraphs(fragment: str) -> str:
    """Paragraphs of a Word cell arrive joined by " <br> ": each is a paragraph."""
    return BREAK.sub("\n\n", fragment.replace("**", ""))


def _lines(fragment: str) -> list[str]:
    text = render_pieces(html_to_pieces(_paragraphs(fragment)))
    return [line[2:] if line.startswith("- ") else line for line in text.splitlines() if line]


def _joined(parts: list) -> str:
    lines = []
    for part in parts:
        more = _lines(part)
        if lines and more:
            lines[-1] = join_fragments(lines[-1], more.pop(0))
        lines.extend(more)
    return "\n".join(lines)


@dataclass
class ParsedArea:
    number: int
    title: str
    label: str = ""
    line: int | None = None
    actions: list = field(default_factory=list)
    implicit: bool = False  # the plan has no heading for it


@dataclass
class ParsedObjective:
    number: int
    title: str
    label: str = ""
    line: int | None = None
    areas: list = field(default_factory=list)


@dataclass
class ParsedPlan:
    title: str = ""
    title_cy: str = ""
    period: str = ""
    # The prose before the objectives, in order (``ParsedSection``).
    sections: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    # Lines not placed and guesses made, for the reviewer (wrc.lib.importing.Notice).
    notices: list = field(default_factory=list)
    has_updates: bool = False  # the document has a progress column

    def actions(self):
        return [a for o in self.objectives for area in o.areas for a in area.actions]

    def areas(self):
        return [area for o in self.objectives for area in o.areas]


# --- lead organisations ---------------------------------------------------------------------

ACRONYM = re.compile(r"^[A-Z][A-Za-z&]{1,11}$")
LIST_SEPARATOR = re.compile(r"\s*(?:,|/|(?<=\s)\+(?=\s)|;|\band\b|&)\s*", re.IGNORECASE)
HARD_SEPARATOR = re.compile(r"\s*(?:;|\n|^\s*[-•]\s+)\s*")
LEAD_FILLER = re.compile(
    rf"(?:{FILLER.pattern})|\bin partnership with\b|\bworking with\b|\bled by\b",
    re.IGNORECASE,
)
WITH_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<short>[A-Z][A-Za-z&]{1,11})\)$")
# Words that name a portfolio, not an organisation: "Ministry of Housing, Communities & Local
# Government" is one ministry, not three bodies.
PORTFOLIO_WORDS = {
    "housing", "communities", "community", "local", "government", "culture", "media", "sport",
    "education", "skills", "health", "social", "care", "services", "justice", "equality",
    "equalities", "energy", "environment", "rural", "affairs", "transport", "economy",
    "digital", "science", "innovation", "technology", "business", "industry", "work",
    "pensions", "employment", "food", "levelling", "up", "children", "families", "young",
    "people", "lifelong", "learning", "welsh", "language", "finance", "heritage", "tourism",
    "arts", "planning", "infrastructure", "security", "home", "wellbeing", "well", "being",
    "inclusion", "cohesion", "migration", "climate", "change", "the", "constitution", "trade",
    "development", "international", "net", "zero", "policing", "crime", "regeneration",
    "race", "faith", "belief", "religion", "gender", "disability", "diversity", "sexual",
    "orientation", "refugees", "asylum", "veterans", "armed", "forces", "safety", "poverty",
}  # fmt: skip
VAGUE_WORDS = {
    "partners", "all partners", "relevant partners", "key partners", "other partners",
    "stakeholders", "all stakeholders", "others", "all", "all members", "members", "tbc", "tbd",
    "n/a", "various", "everyone", "all organisations", "relevant organisations",
}  # fmt: skip
VAGUE = {normalise_name(w) for w in VAGUE_WORDS}
JOB_TITLE = re.compile(
    r"^(?:the\s+)?(?:(?:deputy|assistant|senior|chief|principal|acting|interim|regional)\s+)*"
    r"(?:head of|director|manager|officer|co-?ordinator|adviser|advisor|chair(?:person)?\b|"
    r"vice[- ]chair|chief executive|analyst|convenor|champion|team leader|"
    r"senior responsible owner|secretary\b(?! of state)|sro\b|policy lead)"
    r"|\b(?:officer|manager|director|co-?ordinator|lead|adviser|advisor|analyst|champion|"
    r"convenor|chair|head)s?$",
    re.IGNORECASE,
)


def _is_job_title(text: str) -> bool:
    if looks_like_job_title is not None:
        return bool(looks_like_job_title(text))
    return bool(JOB_TITLE.search(text))


@dataclass
class LeadReading:
    names: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    guessed: bool = False  # a list read from separators, or separators read as one name
    vague: list = field(default_factory=list)


def _is_known(name: str) -> bool:
    """Whether the directory or the list of known organisations has this name ("Ethnic
    Minorities and Youth Support Team (EYST)" by its name or its acronym)."""
    names = [name]
    if match := WITH_ACRONYM.match(name):
        names += [match["name"], match["short"]]
    return any(
        known_organisation(n) is not None or Organisation.objects.resolve(n) is not None
        for n in names
    )


def _covered_by_known(text: str) -> list[str] | None:
    """The known organisations a text without separators is made of ("Welsh Government
    SportWales"), or None if anything else is left."""
    from directory.services import _fold

    folded, found = _fold(text), []
    for _length, pattern, known in SPELLING_PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span()
            found.append((start, known.name))
            folded = folded[:start] + " " * (end - start) + folded[end:]
    if len(found) < 2 or re.search(r"[a-z0-9]", folded):
        return None
    return [name for _start, name in sorted(found)]


def _standalone(piece: str) -> bool:
    """Whether a piece of a list can be an organisation by itself ("WLGA", "Police") rather
    than part of a name's own list ("Communities" in "Ministry of Housing, Communities & …")."""
    words = re.findall(r"[a-z]+", piece.lower())
    if not piece[:1].isupper() and not piece[:1].isdigit():
        return False
    return not words or not all(w in PORTFOLIO_WORDS for w in words)


def _pieces(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` between list separators."""
    spans, start = [], 0
    for match in LIST_SEPARATOR.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _separator(text: str, before: tuple, after: tuple) -> str:
    return text[before[1] : after[0]].strip().lower()


def _read_chunk(text: str, reading: LeadReading) -> list[str]:
    text = squash(text).strip(" .,-–")
    if not text:
        return []
    if _is_known(text) or normalise_name(text) in VAGUE:
        return [text]
    # Brackets: an acronym or a team belongs to the name before it ("Welsh Government (Equality
    # Team)"); a list or a collaboration inside them names more leads.
    names = []

    def bracket(match):
        inner = match[1].strip()
        if (
            LEAD_FILLER.search(inner)
            or LIST_SEPARATOR.search(inner)
            or (_is_known(inner) and not ACRONYM.match(inner))
        ):
            names.append(LEAD_FILLER.sub(",", inner))
            return ","
        return match[0]

    text = re.sub(r"\s*\(([^()]*)\)", bracket, text)
    text = LEAD_FILLER.sub(",", text)
    if _one_unit(text):
        return [text]
    groups = _grouped(text, _pieces(text), reading)
    result = []
    for start, end in groups:
        piece = squash(text[start:end]).strip(" .,-–")
        if piece:
            result.extend(_covered_by_known(piece) or [piece])
    for inner in names:
        result.extend(_read_chunk(inner, reading))
    return result


# The last word of a part of an organisation: "WG Equality and Human Rights Division" is one
# division, not "WG Equality" and "Human Rights Division".
UNIT_WORD = re.compile(
    r"\b(?:division|directorate|team|unit|branch|department|office|secretariat|"
    r"is-adran|cyfarwyddiaeth|tîm|tim|uned|adran|swyddfa)$",
    re.IGNORECASE,
)


def _one_unit(text: str) -> bool:
    """Whether ``text`` names one team or division whose name has an "and" in it: only "and"
    or "&" separate its words, its last word names a unit, and its parts are not known
    organisations each ("Welsh Government and Home Office" stays two)."""
    text = squash(text).strip(" .,-–")
    if not UNIT_WORD.search(text) or re.search(r"[,;/+]", text):
        return False
    parts = [p for p in re.split(r"\s+(?:and|&|a|ac)\s+", text) if p]
    return len(parts) > 1 and not all(_is_known(p) for p in parts)


def _grouped(text: str, spans: list, reading: LeadReading) -> list[tuple[int, int]]:
    """Join the pieces that make one name: a known organisation whose name contains a
    separator, and a name's own list ("Department for Culture, Media and Sport")."""
    groups, i = [], 0
    while i < len(spans):
        for j in range(len(spans) - 1, i, -1):  # the longest known run first
            if _is_known(text[spans[i][0] : spans[j][1]]):
                groups.append((spans[i][0], spans[j][1]))
                i = j + 1
                break
        else:
            groups.append(spans[i])
            i += 1
    index = 0
    while index < len(groups):
        piece = text[groups[index][0] : groups[index][1]].strip()
        if _standalone(piece) or _is_known(piece) or len(groups) == 1:
            index += 1
            continue
        reading.guessed = True
        if index == 0:
            groups[0:2] = [(groups[0][0], groups[1][1])]
            continue
        first, last = index - 1, index
        if _separator(text, groups[index - 1], groups[index]) == ",":
            # "A, B & C": the series runs to the piece after its "and".
            while last + 1 < len(groups):
                last += 1
                if _separator(text, groups[last - 1], groups[last]) in {"and", "&"}:
                    break
        groups[first : last + 1] = [(groups[first][0], groups[last][1])]
        index = first
    return groups


def read_leads(text: str) -> LeadReading:
    """The organisations (and job titles) a lead cell names. One organisation unless the text
    shows a list; known organisations decide where the text is ambiguous."""
    reading = LeadReading()
    chunks = [c for c in HARD_SEPARATOR.split(text) if c and c.strip()]
    for chunk in chunks:
        names = _read_chunk(chunk, reading)
        # Names on lines (or bullets) of their own are a list as written; one line read as
        # several organisations, some of them unknown, is a reading to check.
        if len(names) > 1 and not all(_is_known(name) for name in names):
            reading.guessed = True
        for name in names:
            key = normalise_name(name)
            if not key:
                continue
            if key in VAGUE:
                reading.vague.append(name)
            elif not _is_known(name) and _is_job_title(name):
                reading.roles.append(name)
            elif key not in {normalise_name(n) for n in reading.names}:
                known = known_organisation(name)
                # Under its own name: an acronym ("EHRC") is its short name, not an alias.
                reading.names.append(known.name if known else name)
    return reading


# --- the parser -----------------------------------------------------------------------------


@dataclass
class _Event:
    """A line of the plan's body: a heading, a table row or other text."""

    line: int
    heading: Heading | None = None
    row: Row | None = None
    text: str = ""
    columns: "Columns | None" = None  # the fields of an action written as a block


class _PlanParser:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.plan = ParsedPlan()
        self.objective = self.area = self.action = None
        self.columns: Columns | None = None
        self.table_rows = 0
        self.references: set = set()
        self.levels: dict = {}
        self.column_values: dict = {}  # the objective or area a column last named
        self.generated_notices: list = []  # references given in order (see ``parse``)

    def notice(self, line, message, kind="guess"):
        self.plan.notices.append(Notice(line, message, kind))

    # The body ---------------------------------------------------------------------------

    def events(self, start: int) -> list[_Event]:
        events = []
        index = start - 1
        while index + 1 < len(self.lines):
            index += 1
            raw, number = self.lines[index], index + 1
            if not raw.strip():
                continue
            if PAGE_NUMBER.match(raw.strip()):
                continue  # page furniture of a PDF export, not the plan's
            if (block := _read_block(self.lines, index)) is not None:
                row, columns = block_row(block, number)
                events.append(_Event(number, row=row, columns=columns))
                index = block.end - 1
                continue
            row = _row(number, raw)
            if row is not None and _is_rule(row):
                continue
            if row is not None and len(row.filled) == 0:
                continue
            if row is not None and len({_cell_text(c) for c in row.filled}) == 1:
                # A heading row: the first cell alone, or a merged cell repeated across the row.
                only = row.filled[0]
                # (Word writes a cell merged across the row as one cell.)
                merged = len(row.cells) == 1 or len(row.filled) == len(row.cells) > 1
                heading = _heading(number, only, lettered=True)
                if heading is not None and (merged or _cell_text(row.cells[0])):
                    events.append(_Event(number, heading=heading))
                    continue
                if merged and (plain := _plain_heading(number, only)):
                    events.append(_Event(number, heading=plain))
                    continue
            if row is not None:
                events.append(_Event(number, row=row))
                continue
            heading = _heading(number, raw, lettered=True) or _plain_heading(number, raw)
            events.append(_Event(number, heading=heading, text=raw.strip()))
        return [e for e in events if e.heading or e.row or e.text]

    def assign_levels(self, events: list[_Event]) -> None:
        """Which kinds of heading are objectives and which are areas: the outer kind (by its
        word, then by which comes first) holds the inner one; one kind alone is the areas."""
        kinds: list[Heading] = []
        for event in events:
            heading = event.heading
            if heading and heading.kind != "plain" and heading.kind not in [k.kind for k in kinds]:
                kinds.append(heading)
        ordered = sorted(kinds, key=lambda h: (h.rank, kinds.index(h)))
        if len(ordered) == 1:
            only = ordered[0]
            self.levels = {only.kind: "objective" if only.rank == 0 else "area"}
        elif ordered:
            self.levels = {ordered[0].kind: "objective", ordered[1].kind: "area"}
        has_area_level = "area" in self.levels.values()
        if not has_area_level:
            self.levels["plain"] = "area"

    def parse(self, start: int) -> None:
        events = self.events(start)
        self.assign_levels(events)
        for position, event in enumerate(events):
            if event.row is not None and event.columns is not None:
                self.finish_table()
                self.columns, self.table_rows = event.columns, 0
                self.table_row(event.row)
            elif event.row is not None:
                self.row(event.row, events, position)
            elif event.heading is not None and self.heading_placed(event, events, position):
                continue
            else:
                self.stray_text(event, events, position)
        self.finish_table()
        actions = self.plan.actions()
        if actions and all(action.generated for action in actions):
            # A plan that numbers none of its actions: numbering them in order is no guess.
            for notice in self.generated_notices:
                notice.kind = "info"

    def heading_placed(self, event, events, position) -> bool:
        heading = event.heading
        level = self.levels.get(heading.kind)
        if heading.kind == "plain" and (level is None or not self.before_table(events, position)):
            return False
        if level is None:
            written = squash(event.text or heading.title)
            message = _(
                'heading "%(heading)s" kept out of the structure (a third level of headings)'
            ) % {"heading": written}
            self.notice(event.line, message, "unplaced")
            return True
        if event.text and self.table_rows:
            self.finish_table()  # a heading between tables ends the one above it
        following = events[position + 1] if position + 1 < len(events) else None
        if (
            heading.kind == "plain"
            and "objective" not in self.levels.values()
            and following is not None
            and following.heading is not None
            and following.heading.kind == "plain"
            and following.text
        ):
            level = "objective"  # "Neighbourhoods and places" over "Travel": a theme's areas
        title = heading.title or self.title_below(events, position)
        if level == "objective":
            self.start_objective(heading, title)
        else:
            self.start_area(heading, title)
        return True

    def title_below(self, events, position) -> str:
        """ "Theme 2" on a line of its own, its title on the next."""
        following = events[position + 1] if position + 1 < len(events) else None
        if following and following.text and not following.row and not following.heading:
            plain = _plain_heading(following.line, following.text)
            if plain is not None:
                following.text = ""  # placed
                return plain.title
        return ""

    def before_table(self, events, position) -> bool:
        for event in events[position + 1 :]:
            if event.row is not None:
                return True
            if event.heading is None or event.text == "":
                return False
        return False

    def stray_text(self, event, events, position) -> None:
        if not event.text:
            return
        inside = (
            self.columns is not None
            and self.table_rows
            and any(e.row is not None for e in events[position + 1 : position + 2])
        )
        if inside and not (event.heading and event.heading.kind != "plain"):
            expected = self.columns.count
            raise ImportFormatError(
                event.line,
                _(
                    'unrecognised row "%(row)s" in the middle of a table of %(count)s columns '
                    "(expected an objective, a delivery area or an action such as "
                    '"4.12<TAB>text<TAB>leads")'
                )
                % {"row": squash(event.text)[:60], "count": expected},
            )
        self.notice(event.line, _('not part of the plan\'s table, not imported: "%(text)s"')
                    % {"text": squash(event.text)[:80]}, "unplaced")  # fmt: skip

    # Structure --------------------------------------------------------------------------

    def start_objective(self, heading: Heading, title: str) -> None:
        number = _label_number(heading.label) or len(self.plan.objectives) + 1
        existing = next((o for o in self.plan.objectives if o.number == number), None)
        if existing is not None and existing.title == title:
            self.objective, self.area, self.action = existing, None, None
            return
        if existing is not None:
            number = max(o.number for o in self.plan.objectives) + 1
        self.objective = ParsedObjective(number, title, heading.written_label, heading.line)
        self.plan.objectives.append(self.objective)
        self.area = self.action = None

    def start_area(self, heading: Heading, title: str) -> None:
        if self.objective is None and "objective" in self.levels.values():
            raise ImportFormatError(
                heading.line,
                _('delivery area "%(title)s" before any objective')
                % {"title": squash(heading.title)},
            )
        objective = self.objective or self.implicit_objective()
        number = _label_number(heading.label) or len(self.plan.areas()) + 1
        existing = next((a for a in objective.areas if a.number == number), None)
        if existing is not None and existing.title == title:
            self.area, self.action = existing, None
            return
        if existing is not None or number in [a.number for a in objective.areas]:
            number = max(a.number for a in self.plan.areas()) + 1
        self.area = ParsedArea(number, title, heading.written_label, heading.line)
        objective.areas.append(self.area)
        self.action = None

    def implicit_objective(self) -> ParsedObjective:
        if not self.plan.objectives:
            self.plan.objectives.append(ParsedObjective(1, self.plan.title))
            self.notice(None, _("the plan has no objectives: its areas are kept under one "
                        "objective with the plan's title"), "info")  # fmt: skip
        self.objective = self.plan.objectives[-1]
        return self.objective

    def area_for_action(self, line: int, reference: str) -> ParsedArea:
        if self.area is not None:
            return self.area
        if self.objective is not None:
            # Actions straight under an objective: the objective is their area too.
            objective = self.objective
            if objective.areas:
                return objective.areas[-1]
            self.area = ParsedArea(objective.number, objective.title, objective.label, line)
            objective.areas.append(self.area)
            self.notice(
                line,
                _(
                    'objective %(number)s "%(title)s" has no delivery areas: its actions are '
                    "kept in one area of the same title"
                )
                % {"number": objective.number, "title": objective.title},
                "info",
            )
            return self.area
        if "objective" in self.levels.values() or "area" in self.levels.values():
            if any(k != "plain" for k in self.levels):
                if reference:
                    message = _("action %(reference)s before any delivery area") % {
                        "reference": reference
                    }
                else:
                    message = _("action an action before any delivery area")
                raise ImportFormatError(line, message)
        objective = self.implicit_objective()
        self.area = ParsedArea(1, self.plan.title, implicit=True)
        objective.areas.append(self.area)
        self.notice(None, _("the plan has no headings grouping its actions: they are kept in "
                    "one area with the plan's title"), "info")  # fmt: skip
        return self.area

    # Tables -----------------------------------------------------------------------------

    def finish_table(self) -> None:
        if self.columns is not None and self.columns.line and not self.table_rows:
            raise ImportFormatError(
                self.columns.line,
                _("a table header with no rows under it: the table is cut short"),
            )
        self.columns, self.table_rows = None, 0

    def row(self, row: Row, events, position) -> None:
        header = Columns.from_header(row)
        if header is not None:
            # A header repeated on a new page starts the next part of the table; a header
            # straight after a header is a table with no rows.
            self.finish_table()
            self.columns, self.table_rows, self.column_values = header, 0, {}
            return
        if self.columns is None:
            if not REFERENCE.match(_cell_text(row.cells[0])) and _cell_text(row.cells[0]):
                raise self.unrecognised(row)
            self.columns = Columns.positional(len(row.cells))
        self.table_row(row)

    def unrecognised(self, row: Row) -> ImportFormatError:
        return ImportFormatError(
            row.line,
            _(
                'unrecognised row "%(row)s" (expected a header row, an objective, a delivery '
                'area or an action such as "4.12<TAB>text<TAB>leads")'
            )
            % {"row": squash(" ".join(_cell_text(c) for c in row.cells))[:60]},
        )

    def table_row(self, row: Row) -> None:
        columns = self.columns
        if len(row.cells) < columns.count and (columns.line or len(row.cells) < 2):
            raise ImportFormatError(
                row.line,
                _(
                    "a row of %(cells)s cells in a table of %(count)s columns: the table is cut "
                    "short or a cell is missing"
                )
                % {"cells": len(row.cells), "count": columns.count},
            )
        for kind, start in (("objective", self.start_objective), ("area", self.start_area)):
            # "Objective | Action | …": a new value starts a new objective (a merged cell
            # repeats its value on every row it spans).
            value = _cell_text(columns.cell(row, kind))
            if value and self.column_values.get(kind) != value:
                self.column_values[kind] = value
                heading = _heading(row.line, value, lettered=True)
                heading = heading or Heading(row.line, "plain", "", value)
                self.levels.setdefault(heading.kind, kind)
                start(heading, heading.title or value)
        reference = _cell_text(columns.cell(row, "reference")).rstrip(".")
        text = columns.cell(row, "action")
        if not reference and not row.block and self.is_continuation(row, text):
            self.continue_action(row)
            return
        if reference and not REFERENCE.match(reference):
            if columns.line is None:
                raise self.unrecognised(row)
            self.notice(row.line, _('"%(reference)s" kept as the reference of an action; it '
                        "does not look like one") % {"reference": reference})  # fmt: skip
        if not _cell_text(text):
            if reference:
                raise ImportFormatError(
                    row.line, _("action %(reference)s has no text") % {"reference": reference}
                )
            raise self.unrecognised(row)
        self.new_action(row, reference[:20], text)

    def is_continuation(self, row: Row, text: str) -> bool:
        if self.action is None:
            if self.columns.line is None or not _cell_text(text):
                raise ImportFormatError(row.line, _("a continuation row with no action before it"))
            return False
        if self.columns.line is None:
            return True  # "reference, text, leads": an empty reference is a page break
        plain = _cell_text(text)
        if not plain:
            return True  # more leads or dates for the action above
        if "reference" not in self.columns.kinds:
            return False  # no references: every row with text is an action
        # An unnumbered row is the action above carried over a page break when it goes on
        # mid-sentence; otherwise it is an action the plan did not number.
        previous = _cell_text(self.action.fragments[-1]) if self.action.fragments else ""
        return plain[0].islower() or not re.search(r"[.!?:)”\"]$", previous)

    def continue_action(self, row: Row) -> None:
        action, columns = self.action, self.columns
        action.fragments.append(columns.cell(row, "action"))
        action.lead_parts.append(columns.cell(row, "lead"))
        action.timescale_parts.append(columns.cell(row, "timescale"))
        action.update_parts.append(columns.cell(row, "update"))
        action.measure_parts.append(columns.cell(row, "measure"))
        for index, heading in columns.extra.items():
            cell = row.cells[index] if index < len(row.cells) else ""
            action.extra.setdefault(heading, []).append(cell)
        for index in range(columns.count, len(row.cells)):
            if _cell_text(row.cells[index]):
                action.extra.setdefault(f"Column {index + 1}", []).append(row.cells[index])
                self.notice(row.line, _("action %(reference)s: a cell beyond the table's "
                            "%(count)s columns, kept as column %(column)s")
                            % {"reference": action.reference, "count": columns.count,
                               "column": index + 1})  # fmt: skip

    def new_action(self, row: Row, reference: str, text: str) -> None:
        area = self.area_for_action(row.line, reference)
        generated = not reference
        if generated:
            reference = self.generated_reference(area)
            notice = Notice(row.line, _("the document gives this action no reference: it is "
                            "%(reference)s, in the order of the plan")
                            % {"reference": reference})  # fmt: skip
            self.plan.notices.append(notice)
            self.generated_notices.append(notice)
        elif match := SEED_REFERENCE.match(reference):
            numbers = {area.number, self.objective.number if self.objective else area.number}
            if self.columns.line is None and int(match["major"]) not in numbers:
                raise ImportFormatError(
                    row.line,
                    _("action %(reference)s is listed under delivery area %(number)s")
                    % {"reference": reference, "number": area.number},
                )
        if reference in self.references:
            raise ImportFormatError(
                row.line, _("action %(reference)s appears twice") % {"reference": reference}
            )
        self.references.add(reference)
        self.action = ParsedAction(reference, row.line, generated=generated)
        self.action.extra = {}
        area.actions.append(self.action)
        self.table_rows += 1
        self.continue_action(row)
        if _cell_text(self.columns.cell(row, "update")):
            self.plan.has_updates = True

    def generated_reference(self, area: ParsedArea) -> str:
        if area.implicit:
            pattern = "{n}"  # a plan with no groups numbers its actions 1, 2, 3…
        else:
            prefix = area.label.split()[-1] if area.label else str(area.number)
            pattern = prefix + ".{n}"
        n = len(area.actions) + 1
        while pattern.format(n=n) in self.references:
            n += 1
        return pattern.format(n=n)


def _body_start(lines: list[str]) -> int | None:
    """The first line of the plan's structure: the first table row, with the headings (and
    blank lines) right above it."""
    first = None
    for index, line in enumerate(lines):
        row = _row(index + 1, line)
        if (row is not None and not _is_rule(row) and row.filled) or (
            row is None and _read_block(lines, index) is not None
        ):
            first = index
            break
    if first is None:
        return None
    title = next(
        (i for i, line in enumerate(lines) if strip_markdown(line)
         and not _is_cover(line)),
        first,
    )  # fmt: skip
    start, below_is_heading = first, True
    # Above blocks of labelled fields, the headings are plain lines (a theme, then an area).
    plain_allowed = 2 if _row(first + 1, lines[first]) is None else 0
    for index in range(first - 1, title, -1):
        line = lines[index]
        if not line.strip():
            continue
        if _heading(index + 1, line, lettered=True) is not None:
            start, below_is_heading = index, True
        elif plain_allowed and _plain_heading(index + 1, line) and not _is_cover(line):
            start, below_is_heading, plain_allowed = index, True, plain_allowed - 1
        elif below_is_heading and _plain_heading(index + 1, line) and _heading_above(lines, index):
            start, below_is_heading = index, False  # the title under "Theme 2"
        elif _plain_heading(index + 1, line) and line.lstrip().startswith("#"):
            start, below_is_heading = index, True
        else:
            break
    return start


def _heading_above(lines: list[str], index: int) -> bool:
    above = next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)
    if above is None:
        return False
    heading = _heading(above + 1, lines[above], lettered=True)
    return heading is not None and not heading.title


# --- the introduction: the prose sections before the objectives ----------------------------

# "This document is also available in Welsh", in either language: a note to the reader that
# the introduction keeps, the Welsh wording as the Welsh text of the same note.
AVAILABLE_IN = re.compile(
    r"this document is (?:also )?available in \w+\.?|"
    r"mae['’]r ddogfen (?:yma|hon) (?:hefyd )?ar gael yn \w+\.?",
    re.IGNORECASE,
)
AVAILABLE_IN_WELSH = re.compile(r"^mae['’]r ddogfen", re.IGNORECASE)
CONTENTS = {"contents", "cynnwys", "table of contents", "tabl cynnwys"}
# A contents entry: a heading and its page ("Introduction ..... 3").
CONTENTS_ENTRY = re.compile(r"^(?P<entry>.*?\S)(?:\s*\.{2,}\s*|\s+)\d{1,3}$")
MONTH_YEAR = re.compile(
    rf"^(?:january|february|march|april|may|june|july|august|september|october|november|"
    rf"december|ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|"
    rf"tachwedd|rhagfyr)\s+{YEAR}$",
    re.IGNORECASE,
)
# Cover text worth a reviewer's glance when it is left out: the edition's date and numbers.
PUBLICATION_DETAILS = re.compile(r"©|copyright|hawlfraint|\bisbn\b|\bWG\d+", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;…”\"')]$")
INTRO_BULLET = re.compile(r"^\s*(?:[-*•·▪●◦]|\(?[a-z0-9]{1,2}[.)])\s+", re.IGNORECASE)
# Lines of a cover or web page around the introduction that say nothing of the plan.
FURNITURE = re.compile(
    r"^(?:page \d+|tudalen \d+|\d{1,3}|current page.*|tudalen bresennol.*|last updated:?.*|"
    r"diweddarwyd ddiwethaf:?.*)$",
    re.IGNORECASE,
)


@dataclass
class ParsedSection:
    """One section of the introduction: its heading ("" for a note before any heading) and
    its paragraphs and list items (``Piece``), in English and, where the plan gives it, Welsh."""

    line: int | None
    heading: str = ""
    pieces: list = field(default_factory=list)
    pieces_cy: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return render_pieces(self.pieces)

    @property
    def text_cy(self) -> str:
        return render_pieces(self.pieces_cy)


def _words(text: str) -> tuple:
    return tuple(re.findall(r"\w+", text.lower()))


def _split_glued(line: str) -> list[str]:
    """A PDF export's cover line with the availability note glued on ("July 2016Mae’r ddogfen
    yma hefyd ar gael yn Gymraeg.This document is also available in Welsh.") as its parts."""
    parts, position = [], 0
    for match in AVAILABLE_IN.finditer(line):
        parts += [line[position : match.start()], match.group()]
        position = match.end()
    parts.append(line[position:])
    return [part.strip() for part in parts if part.strip()] or [line]


def _heading_like(raw: str, text: str) -> bool:
    """A line that may be a heading: marked up as one, or short with no sentence's end."""
    if raw.lstrip().startswith("#") or re.fullmatch(r"\*\*[^*]+\*\*:?", raw.strip()):
        return True
    if re.match(r"^\s*[-*•·▪●◦]\s", raw) or len(text) > 90 or len(text.split()) > 12:
        return False
    if re.search(r"[.!?;]\s", text):  # a sentence ends inside it
        return False
    return (
        bool(re.match(r"^[\w‘'\"“(]", text))
        and text[:1] == text[:1].upper()
        and (not SENTENCE_END.search(text) or text.endswith("?"))
    )


def _is_title(text: str, title_words: set) -> bool:
    return _words(text) in title_words or _words(_without_period(text)) in title_words


class _IntroductionReader:
    """Reads the lines above the plan's structure into sections. A heading is a line marked
    as one, or a short line with no sentence's end followed by prose (so a signature's name
    and job title stay lines of their section). Title lines, the cover's furniture and a
    table of contents are left out; what is left out that is not the title or a page number
    becomes a notice, so nothing goes unseen."""

    def __init__(self, lines: list[str], document: list[str], plan: ParsedPlan):
        self.plan = plan
        self.document = [_words(strip_markdown(line)) for line in document]
        self.items = []  # (line number, raw text, plain text)
        for number, raw in enumerate(lines, start=1):
            for part in _split_glued(raw) if AVAILABLE_IN.search(raw) else [raw]:
                self.items.append((number, part, squash(strip_markdown(part))))
        self.title_words = {_words(plan.title), _words(plan.title_cy)} - {()}
        self.sections: list[ParsedSection] = []

    def read(self) -> list[ParsedSection]:
        contents_until = -1
        for index, (number, raw, text) in enumerate(self.items):
            if not text or index <= contents_until:
                continue
            if text.lower().rstrip(":") in CONTENTS:
                contents_until = self._contents_end(index)
                continue
            if self._left_out(index, number, text):
                continue
            if AVAILABLE_IN.fullmatch(text):
                self._availability(number, text)
            elif _heading_like(raw, text) and (
                self._prose_follows(index) or self._in_title_block()
            ):
                # Under the title, a heading with no prose below is the plan's subtitle.
                self.sections.append(ParsedSection(number, re.sub(r"^\*\*|\*\*:?$", "", text)))
            else:
                self._add_line(index, number, raw, text)
        return [s for s in self.sections if s.heading or s.pieces or s.pieces_cy]

    def _in_title_block(self) -> bool:
        return all(self._is_note(section) for section in self.sections)

    def _left_out(self, index: int, number: int, text: str) -> bool:
        started = any(section.heading for section in self.sections)
        if _is_title(text, self.title_words):
            return True
        words = set(_words(_without_period(text)))
        if (
            self._in_title_block()
            and len(words) > 1
            and any(words <= set(t) for t in self.title_words)
        ):
            return True  # the title again, split over lines ("Framework for Action")
        if not started and _period(text) and PLAN_WORDS.search(text) and len(text) < 100:
            return True  # "Delivery Plan 2016-17" under the title
        if FURNITURE.match(text) or PAGE_NUMBER.match(text):
            return True
        if match := PUBLISHED.match(text):
            if not match["rest"]:  # the date is on the next line
                self.items[index + 1 : index + 2] = [
                    (n, "", "") for n, _r, _t in self.items[index + 1 : index + 2]
                ]
            return True
        if (COVER_LINE.match(text) or COVER_ANYWHERE.search(text) or MONTH_YEAR.match(text)) and (
            not AVAILABLE_IN.fullmatch(text)
        ):
            if PUBLICATION_DETAILS.search(text) or MONTH_YEAR.match(text):
                self.plan.notices.append(
                    Notice(
                        number,
                        _('"%(text)s" is cover text: not kept in the introduction')
                        % {"text": text[:80]},
                        "info",
                    )
                )
            return True
        return False

    def _contents_end(self, index: int) -> int:
        """The index of the table of contents' last entry: entries are headings the document
        gives again further on, or lines ending in a page number."""
        end = index
        for position in range(index + 1, len(self.items)):
            number, _raw, text = self.items[position]
            if not text:
                continue
            entry = CONTENTS_ENTRY.match(text)
            words = _words(entry["entry"] if entry else text)
            again = words in self.document[number:]
            if not (entry or (again and _heading_like(text, text))):
                break
            end = position
        return end

    def _prose_follows(self, index: int) -> bool:
        below = next(((r, t) for _n, r, t in self.items[index + 1 :] if t), None)
        following = self.items[index + 1][2] if index + 1 < len(self.items) else ""
        if re.match(r"^[a-z]", following):
            return False  # the line goes on below: a paragraph wrapped, not a heading
        return below is not None and not (
            _heading_like(*below) and not AVAILABLE_IN.fullmatch(below[1])
        )

    def _current(self, number: int) -> ParsedSection:
        if not self.sections or self._is_note(self.sections[-1]):
            self.sections.append(ParsedSection(number))
        return self.sections[-1]

    @staticmethod
    def _is_note(section: ParsedSection) -> bool:
        return not section.heading and all(AVAILABLE_IN.fullmatch(p.text) for p in section.pieces)

    def _availability(self, number: int, text: str) -> None:
        """The note in each language, as one headless section of its own."""
        last = self.sections[-1] if self.sections else None
        if last is None or not self._is_note(last) or not (last.pieces or last.pieces_cy):
            last = ParsedSection(number)
            self.sections.append(last)
        pieces = last.pieces_cy if AVAILABLE_IN_WELSH.match(text) else last.pieces
        pieces.append(Piece("p", text))

    def _add_line(self, index: int, number: int, raw: str, text: str) -> None:
        section = self._current(number)
        pieces = section.pieces
        if bullet := INTRO_BULLET.match(raw):
            pieces.append(Piece("li", squash(strip_markdown(raw[bullet.end() :]))))
            return
        previous = pieces[-1] if pieces else None
        # A paragraph wrapped over lines: the line right above ends mid-sentence and this one
        # goes on in lower case.
        if (
            previous is not None
            and index > 0
            and self.items[index - 1][2]
            and not SENTENCE_END.search(previous.text)
            and re.match(r"^[a-z(£\d]", text)
        ):
            pieces[-1] = Piece(previous.kind, join_fragments(previous.text, text))
        else:
            pieces.append(Piece("p", text))


def _introduction(lines: list[str], document: list[str], plan: ParsedPlan) -> list:
    """The sections above the plan's structure, in order."""
    return _IntroductionReader(lines, document, plan).read()


def _parse_header(lines: list[str], plan: ParsedPlan, document: list[str]) -> None:
    candidates = [
        (number, squash(strip_markdown(line)))
        for number, line in enumerate(lines, start=1)
        if strip_markdown(line) and not _is_cover(line)
    ]
    if not candidates:
        raise ImportFormatError(None, _("no title before the plan's table: this is not a plan"))
    title_line, title = candidates[0]
    period = _period(title)
    if period:
        title = _without_period(title)
        if not title and len(candidates) > 1:
            title = candidates[1][1]
    else:
        # The period on a line of its own ("Delivery Plan 2016-17"): a span of years first,
        # then a year on a line that names the plan.
        short = [text for _n, text in candidates[1:8] if len(text) < 100]
        period = (
            next((_period(t) for t in short if PERIOD_RANGE.search(t)), None)
            or next((_period(t) for t in short if PLAN_WORDS.search(t) and _period(t)), None)
            or _published_year(lines)
        )
    if not period:
        raise ImportFormatError(
            title_line,
            _(
                'no period (such as "Delivery Plan 2016-17", "2023 to 2024" or "2024") in the '
                'plan\'s heading "%(heading)s"'
            )
            % {"heading": title[:60]},
        )
    plan.title, plan.period = title[:255], period
    plan.title_cy = plan.title if _looks_welsh(plan.title) else ""
    plan.sections = _introduction(lines, document, plan)


def _published_year(lines: list[str]) -> str | None:
    """The year of "First published: 7 February 2023" (or the date on the line below), for a
    plan whose title gives no period (a web page of a plan that runs until it is replaced)."""
    for index, line in enumerate(lines):
        if match := PUBLISHED.match(squash(strip_markdown(line))):
            below = next((squash(x) for x in lines[index + 1 : index + 3] if x.strip()), "")
            for text in (match["rest"], below):
                if found := PERIOD_YEAR.search(text):
                    return found["first"]
    return None


def _read_all_leads(plan: ParsedPlan) -> None:
    for action in plan.actions():
        if not action.leads_text:
            continue
        reading = read_leads(action.leads)
        action.lead_names, action.lead_roles = reading.names, reading.roles
        where, written = action.line, action.leads_text
        if reading.guessed:
            names = "; ".join(reading.names) or _("none")
            plan.notices.append(
                Notice(
                    where,
                    _(
                        'action %(reference)s: lead "%(lead)s" read as %(count)s '
                        "organisation(s): %(names)s"
                    )
                    % {
                        "reference": action.reference,
                        "lead": written,
                        "count": len(reading.names),
                        "names": names,
                    },
                )  # fmt: skip
            )
        for role in reading.roles:
            plan.notices.append(
                Notice(
                    where,
                    _(
                        'action %(reference)s: "%(role)s" is a job title, kept as '
                        "written, not as an organisation"
                    )
                    % {"reference": action.reference, "role": role},
                )  # fmt: skip
            )
        for vague in reading.vague:
            plan.notices.append(
                Notice(
                    where,
                    _('action %(reference)s: "%(lead)s" names no organisation, kept as written')
                    % {"reference": action.reference, "lead": vague},
                )  # fmt: skip
            )


def parse_delivery_plan(text: str) -> ParsedPlan:
    """The plan's structure; raises ``ImportFormatError`` naming the line of the first problem."""
    lines = text.splitlines()
    start = _body_start(lines)
    if start is None:
        raise ImportFormatError(None, _("no table of actions: this is not a delivery plan"))
    parser = _PlanParser(lines)
    _parse_header(lines[:start], parser.plan, lines)
    parser.parse(start)
    if not parser.plan.actions():
        raise ImportFormatError(None, _("the plan has no actions: this is not a delivery plan"))
    _read_all_leads(parser.plan)
    return parser.plan


# --- saving ---------------------------------------------------------------------------------

STATUS_WORDS = [
    (PlanAction.Status.NOT_STARTED, r"not (?:yet )?started|not begun"),
    (PlanAction.Status.DISCONTINUED, r"discontinued|withdrawn|stopped|cancelled|no longer"),
    (PlanAction.Status.COMPLETE, r"complete|completed|achieved|done|delivered|closed"),
    (PlanAction.Status.IN_PROGRESS, r"in progress|ongoing|on track|underway|under way|started"),
]


def status_from_update(update: str) -> str | None:
    """The progress an update's first words give ("Complete – published in May"), if any."""
    opening = update.lower()[:40]
    for status, words in STATUS_WORDS:
        if re.match(rf"^\W*(?:status\W+)?(?:{words})\b", opening):
            return status
    return None


def _sync_leads(action: PlanAction, organisations: list, report: ImportReport) -> None:
    wanted = [organisation.pk for organisation in organisations]
    current = list(action.lead_links.order_by("order").values_list("organisation_id", flat=True))
    if current == wanted:
        return
    action.lead_links.all().delete()
    PlanActionLead.objects.bulk_create(
        PlanActionLead(action=action, organisation_id=pk, order=i) for i, pk in enumerate(wanted)
    )
    counter = report.updated if current else report.created
    counter["plan action leads"] += len(wanted) if not current else 1


def existing_plan(parsed: ParsedPlan, forum) -> DeliveryPlan | None:
    """The forum's plan the document is: same period, same title (spelling aside)."""
    key = normalise_name(parsed.title)
    for plan in DeliveryPlan.objects.filter(forum=forum, period=parsed.period):
        if normalise_name(plan.title_en) == key:
            return plan
    return None


def refuse_incomplete(plan: DeliveryPlan, parsed: ParsedPlan) -> list[Notice]:
    """Refuse a document that lacks a whole objective or area, or most of the actions, the
    stored plan has: importing it would leave the plan half-replaced. The few stored actions it
    lacks otherwise are kept, and named in the notices returned."""
    new_references = {action.reference for action in parsed.actions()}
    new_areas = {(o.number, a.number) for o in parsed.objectives for a in o.areas}
    stored = list(plan.actions.order_by("sort_major", "sort_minor"))
    missing = [a.reference for a in stored if a.reference not in new_references]
    gaps = []
    for objective in plan.objectives.prefetch_related("areas__actions"):
        references = {a.reference for area in objective.areas.all() for a in area.actions.all()}
        if objective.number not in {o.number for o in parsed.objectives} and (
            not references or not references & new_references
        ):
            gaps.append(
                _('objective %(number)s "%(title)s"')
                % {"number": objective.number, "title": objective.title_en}
            )
            continue
        for area in objective.areas.all():
            area_refs = {a.reference for a in area.actions.all()}
            if (objective.number, area.number) not in new_areas and (
                not area_refs or not area_refs & new_references
            ):
                gaps.append(
                    _('delivery area %(number)s "%(title)s"')
                    % {"number": area.number, "title": area.title_en}
                )
    if stored and len(missing) * 2 > len(stored):
        gaps.append(_("%(missing)s of its %(count)s actions (%(references)s)")
                    % {"missing": len(missing), "count": len(stored),
                       "references": ", ".join(missing[:8])
                       + (", …" if len(missing) > 8 else "")})  # fmt: skip
    if gaps:
        raise ImportFormatError(
            None,
            _(
                "the stored plan %(title)s %(period)s has %(gaps)s, which this document lacks; "
                "import the whole plan (nothing was replaced)"
            )
            % {"title": plan.title_en, "period": plan.period, "gaps": ", ".join(gaps)},
        )
    return [
        Notice(
            None,
            _("action %(reference)s is in the stored plan but not in this document: kept")
            % {"reference": reference},
            "info",
        )
        for reference in missing
    ]


def save_delivery_plan(parsed: ParsedPlan, *, source_name: str, report: ImportReport, forum=None):
    forum = forum or Forum.default()
    refuse_other_forum(
        DeliveryPlan,
        lookup={"period": parsed.period, "title_en": parsed.title},
        forum=forum,
        what=_("The delivery plan %(title)s %(period)s")
        % {"title": parsed.title, "period": parsed.period},
    )
    plan = existing_plan(parsed, forum)
    if plan is not None:
        report.notices.extend(refuse_incomplete(plan, parsed))
    values = {
        "forum": forum,
        "title_en": plan.title_en if plan else parsed.title,
        "source_document": source_name,
    }
    if parsed.title_cy:
        values["title_cy"] = parsed.title_cy
    plan = sync_object(
        DeliveryPlan,
        lookup={"pk": plan.pk} if plan else {"forum": forum, "period": parsed.period,
                                              "title_en": parsed.title},
        values=values,
        report=report,
    )  # fmt: skip
    save_sections(plan, parsed, report=report)
    for objective in parsed.objectives:
        saved_objective = sync_object(
            Objective,
            lookup={"plan": plan, "number": objective.number},
            values={"title_en": objective.title[:255], "label": objective.label},
            report=report,
        )
        for area in objective.areas:
            saved_area = sync_object(
                DeliveryArea,
                lookup={"objective": saved_objective, "number": area.number},
                values={"title_en": area.title[:255], "label": area.label},
                report=report,
            )
            for action in area.actions:
                save_action(plan, saved_area, action, parsed=parsed, report=report)
    return plan


def _section_match(stored: list, section: ParsedSection) -> PlanSection | None:
    """The stored section the document's ``section`` is: the same heading, or for a section
    without one (and the introduction kept before sections had headings) the same text."""
    heading, text = normalise_name(section.heading), normalise_name(section.text)
    for candidate in stored:
        if heading and normalise_name(candidate.heading_en) == heading:
            return candidate
    for candidate in stored:
        if normalise_name(candidate.text_en) == text and (not candidate.heading_en or not heading):
            return candidate
    return None


def save_sections(plan: DeliveryPlan, parsed: ParsedPlan, *, report: ImportReport) -> None:
    """The introduction's sections as the document has them, in its order. A stored section
    is matched by heading (or by text), so a second import changes nothing and the Welsh an
    official added stays; a stored section the document no longer has is removed, with a
    notice (its history keeps it)."""
    stored = list(plan.sections.all())
    welsh_document = bool(parsed.title_cy) and parsed.title_cy == parsed.title
    for position, section in enumerate(parsed.sections):
        match = _section_match(stored, section)
        if match is not None:
            stored.remove(match)
        values = {
            "position": position,
            "heading_en": section.heading[:255],
            "text_en": section.text,
        }
        if section.pieces_cy:
            values["text_cy"] = section.text_cy
        if welsh_document:
            values |= {"heading_cy": section.heading[:255], "text_cy": section.text}
        sync_object(
            PlanSection,
            lookup={"pk": match.pk} if match else {"plan": plan, "position": position,
                                                   "heading_en": section.heading[:255]},
            values=values,
            report=report,
        )  # fmt: skip
    delete_rest(PlanSection.objects.filter(pk__in=[s.pk for s in stored]), report=report)


def save_action(plan, area, action: ParsedAction, *, parsed: ParsedPlan, report: ImportReport):
    values = {
        "area": area,
        "text": action.text,
        "leads_text": action.leads_text,
        "timescale": action.timescale,
        "measure": action.measure,
        "extra": action.extra_values,
    }
    if parsed.has_updates:
        # Only a document with a progress column says anything about progress.
        values["progress_note"] = action.update
        if status := status_from_update(action.update):
            values["status"] = status
    saved = sync_object(
        PlanAction,
        lookup={"plan": plan, "reference": action.reference},
        values=values,
        report=report,
    )
    organisations = []
    for name in action.lead_names:
        organisation = organisation_ensure(name=name, report=report)
        if organisation not in organisations:
            organisations.append(organisation)
    _sync_leads(saved, organisations, report)


def import_delivery_plan(
    *, text: str, source_name: str = "", dry_run: bool = False, forum=None
) -> ImportReport:
    """Parse, then save in one transaction (rolled back on a dry run). The plan belongs to
    ``forum``, the forum that monitors it (the first forum by default)."""
    parsed = parse_delivery_plan(text)
    label = _("Delivery plan %(period)s (%(count)s actions)") % {
        "period": parsed.period,
        "count": len(parsed.actions()),
    }

    def write():
        report = ImportReport(label)
        report.notices.extend(parsed.notices)
        save_delivery_plan(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
