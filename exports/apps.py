"""The documents officials publish, made from the records.

Meeting notes (and in time plan reports) leave the product as Word documents, PDFs, Markdown and
printed pages that must look like what the Welsh Government already sends out. Keeping the Word
templates, the PDF/print HTML and the renderers in one app means one place decides that layout,
one place owns the fonts and templates it needs, and the record apps stay free of file formats.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")
