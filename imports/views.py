"""Bringing documents in through the browser: upload, review what was understood beside the
source, correct meeting notes, commit, and undo while nothing has changed since.

The list and the upload are for officials and the secretariat (members and outsiders get 403);
an import of a forum whose records the user does not keep is a 404, whoever asks. Nothing
changes in the records before the commit.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from directory.forms import new_record_forums
from imports import corrections, review, services
from imports.forms import ActionLineFormSet, AttendanceFormSet, ConfirmForm, UploadForm
from imports.models import DocumentImport
from wrc import access
from wrc.lib.importing import ImportFormatError

ROWS_PREFIX = "rows"
LINES_PREFIX = "lines"


class StaffOnlyMixin(access.RoleRequiredMixin):
    role_check = staticmethod(access.is_staff_role)


def import_for(user, pk) -> DocumentImport:
    """An import of a forum whose records ``user`` keeps; 404 for any other, and for members
    and outsiders, who keep no forum's records (an import shows every attendee)."""
    queryset = DocumentImport.objects.visible_to(user).select_related(
        "forum", "created_by", "committed_by", "undone_by"
    )
    return get_object_or_404(queryset, pk=pk)


class ImportListView(StaffOnlyMixin, ListView):
    template_name = "imports/import_list.html"
    context_object_name = "imports"
    paginate_by = 50

    def forums(self):
        return access.managed_forums(self.request.user).order_by("name")

    def chosen_forum(self):
        slug = self.request.GET.get("forum", "")
        return self.forums().filter(slug=slug).first() if slug else None

    def get_queryset(self):
        imports = DocumentImport.objects.visible_to(self.request.user).select_related(
            "forum", "created_by"
        )
        forum = self.chosen_forum()
        if forum is not None:
            imports = imports.filter(forum=forum)
        return imports.order_by("forum__name", "-created_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(forums=self.forums(), forum=self.chosen_forum(), **kwargs)


class UploadView(StaffOnlyMixin, FormView):
    form_class = UploadForm
    template_name = "imports/upload.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"forums": new_record_forums(self.request.user)}

    def get_initial(self):
        slug = self.request.GET.get("forum", "")
        forum = access.managed_forums(self.request.user).filter(slug=slug).first()
        return {"forum": forum} if forum else {}

    def form_valid(self, form):
        try:
            started = start_imports(self.request.user, form.cleaned_data)
        except UploadRefused as refusal:
            form.add_error("documents", refusal.message)
            if refusal.kind:
                form.data = form.data.copy()
                form.data["kind"] = refusal.kind
            return self.form_invalid(form)
        if len(started) == 1:
            return HttpResponseRedirect(started[0].get_absolute_url())
        messages.success(
            self.request,
            _("%(count)d documents are ready for review.") % {"count": len(started)},
        )
        forum = form.cleaned_data["forum"]
        return HttpResponseRedirect(f"{reverse('imports:list')}?forum={forum.slug}")


class UploadRefused(Exception):
    def __init__(self, message: str, kind: str = ""):
        self.message, self.kind = message, kind
        super().__init__(message)


def start_imports(user, cleaned: dict) -> list[DocumentImport]:
    """Keep each uploaded document for review, all or none: one refused file saves nothing."""
    started = []
    with transaction.atomic():
        for upload in cleaned["documents"]:
            data = upload.read()
            kind = cleaned.get("kind") or ""
            try:
                kind = kind or review.guess_kind(upload.name, data)
                started.append(
                    services.document_import_start(
                        user=user, forum=cleaned["forum"], kind=kind, name=upload.name, data=data
                    )
                )
            except ImportFormatError as error:
                transaction.set_rollback(True)
                raise UploadRefused(
                    _("“%(name)s”: %(problem)s Nothing was saved.")
                    % {"name": upload.name, "problem": ensure_stop(error)},
                    kind=cleaned.get("kind") or "",
                ) from error
    return started


def ensure_stop(error: ImportFormatError) -> str:
    text = str(error)
    return text if text.endswith((".", "!", "?")) else f"{text}."


# --- the review --------------------------------------------------------------------------------


class ReviewView(View):
    """Under review: what was understood beside the source, the corrections, the commit.
    Afterwards: what the import did, the record, and the undo."""

    def get(self, request, pk):
        document_import = import_for(request.user, pk)
        if document_import.status != DocumentImport.Status.REVIEWING:
            return render(request, "imports/import_done.html", done_context(document_import))
        return render_review(request, document_import)

    def post(self, request, pk):
        document_import = import_for(request.user, pk)
        if document_import.status != DocumentImport.Status.REVIEWING:
            messages.error(request, _("This import is no longer under review."))
            return HttpResponseRedirect(document_import.get_absolute_url())
        if document_import.kind != DocumentImport.Kind.MEETING:
            return HttpResponseRedirect(document_import.get_absolute_url())
        return save_corrections(request, document_import)


def posted_searches(data) -> dict:
    """What the reviewer searched the directory for, by row key."""
    searches = {}
    for name, value in data.items():
        if name.startswith(f"{ROWS_PREFIX}-") and name.endswith("-search") and value.strip():
            key = data.get(name.removesuffix("-search") + "-key", "")
            searches[key] = value
    return searches


def in_posted_order(rows: list, data) -> list:
    """The rows in the order the page listed them (the posted keys), for their candidates."""
    by_key = {row.key: row for row in rows}
    ordered = []
    for index in range(len(rows) + 1000):
        key = data.get(f"{ROWS_PREFIX}-{index}-key")
        if key is None:
            break
        ordered.append(by_key.get(key))
    return ordered


def save_corrections(request, document_import):
    preview = services.document_import_preview(document_import)
    rows = review.attendance_rows(preview.parsed, posted_searches(request.POST))
    rows_formset = AttendanceFormSet(
        request.POST,
        prefix=ROWS_PREFIX,
        rows=in_posted_order(rows, request.POST),
        groups=review.groups_of(preview.parsed),
    )
    lines_formset = ActionLineFormSet(request.POST, prefix=LINES_PREFIX)
    valid = rows_formset.is_valid() and lines_formset.is_valid()
    if "search" in request.POST or not valid:
        return render_review(
            request,
            document_import,
            preview=preview,
            rows=rows,
            rows_formset=rows_formset,
            lines_formset=lines_formset,
        )
    document_import.corrections = {
        "attendance": corrections.attendance_entries(
            [form.cleaned_data for form in rows_formset.forms]
        ),
        "actions": corrections.action_entries([form.cleaned_data for form in lines_formset.forms]),
    }
    document_import.save(update_fields=["corrections"])
    messages.success(
        request, _("Your corrections have been saved. Check them below before you import.")
    )
    return HttpResponseRedirect(document_import.get_absolute_url())


def row_initial(row) -> dict:
    parsed = row.row
    return {
        "key": row.key,
        "line": parsed.line,
        "text": parsed.as_written,
        "group": row.group,
        "status": parsed.status,
        "match": row.resolution.value,
    }


def action_lines(document_import, lines, parsed) -> list[dict]:
    """The lines not placed after the first agenda item (an action belongs to an item), and
    those already made actions, with the text to use."""
    chosen = {
        entry["line"]: entry["text"]
        for entry in (document_import.corrections or {}).get("actions") or []
    }
    texts = {line.number: line.text.strip() for line in lines}
    first_item = min((item.line for item in parsed.items if item.line), default=None)
    unplaced = {
        line.number
        for line in review.unplaced_lines(lines)
        if first_item is not None and line.number > first_item
    }
    numbers = sorted(unplaced | set(chosen))
    return [
        {
            "line": number,
            "make_action": number in chosen,
            "text": chosen.get(number) or texts.get(number, ""),
        }
        for number in numbers
    ]


def render_review(
    request, document_import, *, preview=None, rows=None, rows_formset=None, lines_formset=None
):
    preview = preview or services.document_import_preview(document_import)
    report = preview.report
    notices = report.notices if report is not None else getattr(preview.parsed, "notices", [])
    lines = review.source_lines(document_import, notices)
    is_meeting = document_import.kind == DocumentImport.Kind.MEETING
    if is_meeting and preview.parsed is not None:
        rows = rows if rows is not None else review.attendance_rows(preview.parsed)
        groups = review.groups_of(preview.parsed)
        rows_formset = rows_formset or AttendanceFormSet(
            prefix=ROWS_PREFIX,
            initial=[row_initial(row) for row in rows],
            rows=rows,
            groups=groups,
        )
        lines_formset = lines_formset or ActionLineFormSet(
            prefix=LINES_PREFIX, initial=action_lines(document_import, lines, preview.parsed)
        )
        for form, row in zip(rows_formset.forms, rows_formset.rows, strict=False):
            form.review_row = row
        line_texts = {line.number: line for line in lines}
        for form in lines_formset.forms:
            form.source_line = line_texts.get(
                form.initial.get("line") or _int(form["line"].value())
            )
    context = {
        "document_import": document_import,
        "forum": document_import.forum,
        "preview": preview,
        "parsed": preview.parsed,
        "error": preview.error,
        "lines": lines,
        "unplaced": review.unplaced_lines(lines),
        "general_notices": review.general_notices(notices),
        "changes": review.import_changes(report),
        "rows": rows or [],
        "grouped_rows": review.grouped_rows(rows or []),
        "rows_formset": rows_formset,
        "lines_formset": lines_formset,
        "formsets": [f for f in (rows_formset, lines_formset) if f is not None],
        "has_errors": any(
            f is not None and f.is_bound and not f.is_valid() for f in (rows_formset, lines_formset)
        ),
        "confirm_form": ConfirmForm(
            initial={"reviewed": review.corrections_digest(document_import)}
        ),
        "can_commit": preview.error is None,
    }
    return render(request, "imports/review.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def done_context(document_import, **extra) -> dict:
    return {
        "document_import": document_import,
        "forum": document_import.forum,
        "undo_refusal": review.undo_refusal(document_import)
        if document_import.status == DocumentImport.Status.COMMITTED
        else "",
        **extra,
    }


class CommitView(View):
    def post(self, request, pk):
        document_import = import_for(request.user, pk)
        form = ConfirmForm(request.POST)
        if not form.is_valid() or form.cleaned_data["reviewed"] != review.corrections_digest(
            document_import
        ):
            messages.error(
                request,
                _(
                    "The corrections changed since the page was shown. Check them again, "
                    "then import."
                ),
            )
            return HttpResponseRedirect(document_import.get_absolute_url())
        try:
            report = services.document_import_commit(document_import, user=request.user)
        except ImportFormatError as error:
            messages.error(
                request, _("Nothing was saved: %(problem)s") % {"problem": ensure_stop(error)}
            )
            return HttpResponseRedirect(document_import.get_absolute_url())
        messages.success(
            request,
            _("The document has been imported. %(summary)s")
            % {"summary": ensure_stop(ImportFormatError(None, report.summary()))},
        )
        return HttpResponseRedirect(document_import.get_absolute_url())


class UndoView(View):
    """A confirmation page, then the undo; it says why when the import cannot be undone."""

    template_name = "imports/undo_confirm.html"

    def get(self, request, pk):
        document_import = import_for(request.user, pk)
        return render(request, self.template_name, done_context(document_import))

    def post(self, request, pk):
        document_import = import_for(request.user, pk)
        try:
            services.document_import_undo(document_import, user=request.user)
        except services.UndoRefused as refusal:
            context = done_context(document_import, undo_refusal=refusal.message)
            return render(request, self.template_name, context)
        messages.success(
            request, _("The import has been undone: the records are as they were before it.")
        )
        return HttpResponseRedirect(document_import.get_absolute_url())


class DiscardView(View):
    template_name = "imports/discard_confirm.html"

    def get(self, request, pk):
        document_import = import_for(request.user, pk)
        return render(request, self.template_name, {"document_import": document_import})

    def post(self, request, pk):
        document_import = import_for(request.user, pk)
        if document_import.status != DocumentImport.Status.REVIEWING:
            messages.error(request, _("Only an import under review can be discarded."))
            return HttpResponseRedirect(document_import.get_absolute_url())
        services.document_import_discard(document_import, user=request.user)
        messages.success(
            request,
            _("“%(name)s” has been discarded; nothing was imported.")
            % {"name": document_import.source_name},
        )
        return HttpResponseRedirect(f"{reverse('imports:list')}?forum={document_import.forum.slug}")
