"""Writing an export to a file or to a command's standard output, and HTML to PDF."""


def write_export(text: str, *, output: str | None, command) -> None:
    """Write ``text`` to the file ``output`` (UTF-8), or to the command's stdout."""
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        command.stderr.write(f"Wrote {output}")
    else:
        command.stdout.write(text, ending="")


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing: the PDF cannot be made here."""


def html_to_pdf(html: str) -> bytes:
    """``html`` as a PDF through WeasyPrint; ``PdfUnavailable`` when its libraries are missing."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango/HarfBuzz not installed on this machine
        raise PdfUnavailable(str(error)) from error
    return HTML(string=html).write_pdf()
