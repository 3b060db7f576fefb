"""The monthly bulletin as a Word document (python-docx), ready for a leader's signature:
the title, the issuing body and date, each section as a Word table with a header row that
repeats on every page, and a signature block. Written in the site's language
(settings.LANGUAGE_CODE, Chinese) whoever asks, as the digest is. The Word helpers (Chinese
fonts, tables, safe text) are projects/documents.py."""

import io

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from projects import formatting
from projects.documents import DOCX_TYPE, WARNING_RED, safe  # noqa: F401 (DOCX_TYPE: views)
from projects.documents import add_paragraph as _paragraph
from projects.documents import add_table as _table
from projects.documents import new_document as _document

from . import bulletin as figures


def build(bulletin, on):
    """The document's bytes."""
    with translation.override(settings.LANGUAGE_CODE):
        period = bulletin.period
        document = _document()
        if bulletin.sample:
            _paragraph(document, sample_warning(), bold=True, color=WARNING_RED)
        title = document.add_heading(safe(title_for(period)), level=0)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(
            document,
            f"{issuer()}　{formatting.document_date(on)}",
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _paragraph(document, coverage(period))
        for table in figures.tables(bulletin):
            _table(document, table)
        document.add_paragraph()
        for line in (_("Signed and issued by: ____________"), _("Date: ______________")):
            _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def issuer():
    return _("Liwan District Development and Reform Bureau")


def title_for(period):
    return _("Liwan District major projects monthly bulletin (%(month)s)") % {"month": period.label}


def sample_warning():
    return _(
        "Sample data: the figures of this bulletin include sample data, not the district's. "
        "Do not issue it."
    )


def coverage(period):
    """What the bulletin covers, in a sentence."""
    as_at = formats.date_format(period.as_at, "DATE_FORMAT")
    return _(
        "This bulletin covers %(month)s as at %(as_at)s: the reports on %(reporting)s, due by "
        "%(due)s; milestones and supervision orders as they stood at the end of %(as_at)s; "
        "the year-to-date investment of %(year)s as the ledger stands today."
    ) % {
        "month": period.label,
        "as_at": as_at,
        "reporting": figures.month_label(period.reporting_month),
        "due": formats.date_format(period.report_due, "DATE_FORMAT"),
        "year": period.year,
    }


def filename(period):
    return f"liwan-bulletin-{period.slug}.docx"
