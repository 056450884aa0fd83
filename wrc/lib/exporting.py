"""Writing an export to a file or to a command's standard output."""


def write_export(text: str, *, output: str | None, command) -> None:
    """Write ``text`` to the file ``output`` (UTF-8), or to the command's stdout."""
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        command.stderr.write(f"Wrote {output}")
    else:
        command.stdout.write(text, ending="")
