"""What every document importer shares: a format error that names its line, a report of what
changed, a field-by-field upsert that saves only real changes, and HTML-to-text cleaning.

Importers parse the whole document first (raising ``ImportFormatError``) and only then write,
inside one transaction, so a malformed file saves nothing.
"""

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


class ImportFormatError(Exception):
    """The document does not have the layout the importer expects."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        if not self.line:
            return self.message
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Notice:
    """Something a careful reader would check before the import is saved. ``line`` is the
    document's line number (1-based) when the notice is about one line. ``kind``:

    - "unplaced": a line the parser could not place (it is not in the records);
    - "guess": a reading worth checking (a row split by its shape, an owner not found);
    - "change": a record the import would change or remove;
    - "conflict": a field changed in the product since the last import, which is kept;
    - "info": for the record only; it does not hold the import back.
    """

    line: int | None
    message: str
    kind: str = "guess"

    @property
    def holds_back(self) -> bool:
        return self.kind != "info"

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message, "kind": self.kind}

    def __str__(self):
        if not self.line:
            return self.message
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    """Counts of records created, updated, unchanged and removed, by model."""

    label: str
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    # Organisations already resolved in this import, by normalised name.
    organisations: dict = field(default_factory=dict)
    # What the review shows and the command line prints before saving (see Notice).
    notices: list = field(default_factory=list)
    # The values earlier imports wrote (``imports.baselines.Baselines``), when the import runs
    # through the review; with them a re-import keeps what officials corrected since.
    baselines: object = None

    @property
    def points_to_review(self) -> list:
        return [notice for notice in self.notices if notice.holds_back]

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())
        )

    def summary(self) -> str:
        def part(word, counter):
            items = ", ".join(f"{n} {name}" for name, n in sorted(counter.items()) if n)
            return f"{word} {items}" if items else ""

        # After "would have" Welsh needs other forms of the verbs (the verb-noun).
        would_have = self.dry_run and self.changed
        if would_have:
            words = (
                pgettext("would have", "created"),
                pgettext("would have", "updated"),
                pgettext("would have", "removed"),
            )
        else:
            words = (
                pgettext("import summary", "created"),
                pgettext("import summary", "updated"),
                pgettext("import summary", "removed"),
            )
        parts = [
            part(words[0], self.created),
            part(words[1], self.updated),
            part(words[2], self.deleted),
        ]
        body = "; ".join(p for p in parts if p) or _("nothing changed")
        if would_have:
            body = _("[dry run, nothing saved] would have %(changes)s") % {"changes": body}
        return f"{self.label}: {body}"


def _label(model) -> str:
    return str(model._meta.verbose_name_plural)


def _differs(obj, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        # Compare ids, so that checking an unchanged row does not load the related row.
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _shown(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def sync_object(model, *, lookup: dict, values: dict, report: ImportReport):
    """Create or update one row so that it holds ``values``; save only the fields that differ.

    Saving nothing when nothing changed is what keeps a second import from adding history rows.
    With ``report.baselines``, a field the document did not change since the last import is
    left as it is now (an official may have corrected it), and a field both changed is kept
    and reported as a conflict; every change to an existing row is reported for review.
    """
    obj = model.objects.filter(**lookup).first()
    baselines = report.baselines
    if obj is None:
        obj = model(**{**lookup, **values})
        obj.save()
        report.created[_label(model)] += 1
        if baselines is not None:
            baselines.remember(obj, values)
        return obj
    written = baselines.written(obj) if baselines is not None else {}
    changed = []
    for name, value in values.items():
        if not _differs(obj, name, value):
            continue
        if name in written:
            if baselines.as_text(obj, name, value) == written[name]:
                continue  # the document says what it said: the record's value is a correction
            if baselines.as_text(obj, name, getattr(obj, name)) != written[name]:
                report.notices.append(
                    Notice(
                        None,
                        _(
                            "%(record)s: %(field)s was changed in the product since the last "
                            'import and is kept ("%(kept)s"); the document now says "%(new)s"'
                        )
                        % {
                            "record": obj,
                            "field": _field_label(model, name),
                            "kept": _shown(getattr(obj, name)),
                            "new": _shown(value),
                        },
                        "conflict",
                    )
                )
                continue
        changed.append(name)
    if baselines is not None:
        baselines.remember(obj, values)
    if not changed:
        report.unchanged[_label(model)] += 1
        return obj
    for name in changed:
        report.notices.append(
            Notice(
                None,
                _('%(record)s: %(field)s would change from "%(old)s" to "%(new)s"')
                % {
                    "record": obj,
                    "field": _field_label(model, name),
                    "old": _shown(getattr(obj, name)),
                    "new": _shown(values[name]),
                },
                "change",
            )
        )
        setattr(obj, name, values[name])
    update_fields = list(changed)  # a VersionedModel's save() adds and raises "version"
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        update_fields.append("updated_at")
    obj.save(update_fields=[model._meta.get_field(n).name for n in update_fields])
    report.updated[_label(model)] += 1
    return obj


def delete_rest(queryset, *, report: ImportReport):
    """Remove rows the document no longer has (for example surplus attendance rows). Through
    the review, rows added or corrected in the product since the last import are kept."""
    baselines = report.baselines
    for obj in queryset:
        if baselines is not None and not baselines.unchanged_since_import(obj):
            report.notices.append(
                Notice(
                    None,
                    _(
                        '%(label)s "%(record)s" is not in the document, but was added or '
                        "changed in the product since the last import, so it is kept"
                    )
                    % {"label": _label(queryset.model), "record": obj},
                    "conflict",
                )
            )
            continue
        report.notices.append(
            Notice(
                None,
                _('%(label)s "%(record)s" would be removed')
                % {"label": _label(queryset.model), "record": obj},
                "change",
            )
        )
        report.deleted[_label(queryset.model)] += 1
        obj.delete()


def run_import(work: Callable[[], ImportReport], *, dry_run: bool) -> ImportReport:
    """Run ``work`` in one transaction; roll it back when this is a dry run."""
    with transaction.atomic():
        report = work()
        report.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- text cleaning -------------------------------------------------------------------------

BLOCK_TAG = re.compile(r"</?(?:p|ul|ol|div|h[1-6]|table|tr)\b[^>]*>", re.IGNORECASE)
ITEM_TAG = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
BULLET_LINE = re.compile(r"^\s*(?:[-*•]|\d+\))\s+")


@dataclass
class Piece:
    """One paragraph ("p") or one bullet item ("li") of cleaned text."""

    kind: str
    text: str


def squash(text: str) -> str:
    return " ".join(text.split())


def html_to_pieces(fragment: str) -> list[Piece]:
    """Paragraphs and bullet items of an HTML (or plain) fragment, with tags removed."""
    text = BREAK_TAG.sub("\n", fragment)
    text = BLOCK_TAG.sub("\n\n", text)
    text = ITEM_TAG.sub("\n\n• ", text)
    text = ANY_TAG.sub("", text)
    text = html.unescape(text)
    pieces = []
    for block in re.split(r"\n\s*\n", text):
        lead, *items = block.split("•")
        if squash(lead):
            pieces.append(Piece("p", squash(lead)))
        pieces.extend(Piece("li", squash(item)) for item in items if squash(item))
    return pieces


def render_pieces(pieces: list[Piece]) -> str:
    """Plain text: a blank line between paragraphs, bullet items as consecutive "- " lines."""
    out = []
    for i, piece in enumerate(pieces):
        if i:
            both_items = piece.kind == "li" and pieces[i - 1].kind == "li"
            out.append("\n" if both_items else "\n\n")
        out.append(f"- {piece.text}" if piece.kind == "li" else piece.text)
    return "".join(out)


def join_fragments(first: str, second: str) -> str:
    """Join text split across a page break: a word broken after a hyphen ("2016-" + "17")
    joins without a space."""
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first or second
    if first.endswith("-") and not first.endswith(" -"):
        return first + second
    return f"{first} {second}"


def html_to_text(fragment: str) -> str:
    return render_pieces(html_to_pieces(fragment))


def strip_markdown(line: str) -> str:
    """A line without Markdown heading marks and bold/italic markers."""
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = line.replace("**", "").replace("__", "")
    return line.strip()


def ensure_object(model, *, lookup: dict, defaults: dict, report: ImportReport):
    """The row matching ``lookup``, created with ``defaults`` if missing and otherwise left as
    officials last edited it (directory records belong to them once they exist)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **defaults)
        obj.save()
        report.created[_label(model)] += 1
    return obj


def refuse_other_forum(model, *, lookup: dict, forum, what: str) -> None:
    """Records identified without their forum (a letter by reference, a plan by period) stay in
    the forum that holds them: importing one into another forum is refused, not a move."""
    existing = model.objects.filter(**lookup).exclude(forum=forum).select_related("forum").first()
    if existing is not None:
        raise ImportFormatError(
            None,
            _('%(what)s is a record of "%(holder)s", not of "%(forum)s"')
            % {"what": what, "holder": existing.forum.name, "forum": forum.name},
        )


def add_forum_arguments(parser, *, create_forum: bool = False, narrow: bool = False) -> None:
    """``--forum NAME`` (and ``--create-forum``) for commands that create or read one forum's
    records; ``narrow`` for exports, where it only narrows what is exported."""
    parser.add_argument(
        "--forum",
        metavar="NAME",
        help=(
            "Only this forum's records (English or Welsh name, short name or slug)"
            if narrow
            else "The forum the records belong to (English or Welsh name, short name or slug); "
            "required when there are several forums"
        ),
    )
    if create_forum:
        parser.add_argument(
            "--create-forum",
            action="store_true",
            help="Create the forum named by --forum if there is none of that name",
        )


def forum_from_arguments(name: str | None, *, create: bool = False, can_create: bool = False):
    """The forum ``--forum`` names (see ``directory.services.forum_choose``), or a
    ``CommandError`` listing the forums; ``can_create`` when the command has --create-forum."""
    from django.core.management.base import CommandError

    from directory.services import ForumChoiceError, forum_choose

    if create and not name:
        raise CommandError("--create-forum needs --forum NAME.")
    try:
        return forum_choose(name=name, create=create)
    except ForumChoiceError as error:
        if not error.unknown:
            hint = " Name it with --forum NAME."
        else:
            hint = " Use --create-forum to create it." if can_create else ""
        raise CommandError(f"{error}{hint}") from error
