"""Writing an export to a file or to a command's standard output, cells that spreadsheets
cannot misread, and HTML to a tagged PDF."""


def write_export(text: str, *, output: str | None, command) -> None:
    """Write ``text`` to the file ``output`` (UTF-8), or to the command's stdout."""
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        command.stderr.write(f"Wrote {output}")
    else:
        command.stdout.write(text, ending="")


# The spreadsheet's "Text" number format: what is typed into the cell stays as typed.
TEXT_FORMAT = "@"


def spreadsheet_safe(value):
    """Stop a cell that starts like a formula being run by a spreadsheet (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing: the PDF cannot be made here."""


# PDF/UA-1 (ISO 14289): a tagged PDF whose structure tree gives screen readers the headings,
# lists and tables, with the language from ``<html lang>`` and the title from ``<title>``,
# which the viewer shows in place of the file name.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF through WeasyPrint; ``PdfUnavailable`` when its libraries are
    missing. ``html`` must carry ``<html lang>`` and a ``<title>``: PDF/UA requires both."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango/HarfBuzz not installed on this machine
        raise PdfUnavailable(str(error)) from error
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
