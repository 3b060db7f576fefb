"""A plan's assessment as a Word document: a draft the planning office edits into its report
(十四五规划实施情况总结评估). Chinese (the site's language, whoever asks): the title, the
issuing body and date, the opening paragraphs, then each section under its numbered heading
with its tables; each table's sources numbered under it ("来源"). A sample-data warning tops
it when the assessment reads sample data. Word helpers: documents.py."""

import io

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from . import assessment as figures
from .documents import WARNING_RED, add_paragraph, add_table, new_document, safe, turn_pages

CHINESE_NUMBERS = "一二三四五六七八九十"


def section_heading(number, title):
    if (translation.get_language() or "").startswith("zh") and number <= len(CHINESE_NUMBERS):
        return f"{CHINESE_NUMBERS[number - 1]}、{title}"
    return f"{number}. {title}"


def build(plan, on):
    """The document's bytes, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        found = figures.build(plan, on)
        document = new_document()
        if found.sample:
            add_paragraph(document, figures.sample_warning(), bold=True, color=WARNING_RED)
        heading = document.add_heading(safe(figures.title(found)), level=0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_paragraph(
            document,
            f"{issuer()}　{formats.date_format(on, 'DATE_FORMAT')}",
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        for line in figures.introduction(found):
            add_paragraph(document, line)
        for number, section in enumerate(found.sections, 1):
            document.add_heading(safe(section_heading(number, section.title)), level=1)
            for line in section.paragraphs:
                add_paragraph(document, line)
            for table in section.tables:
                if table.wide:  # the indicators' figures by year: on a page turned sideways
                    turn_pages(document, landscape=True)
                add_table(document, table, level=2)
                if table.wide:
                    turn_pages(document, landscape=False)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def issuer():
    return _("Liwan District Development and Reform Bureau")


def filename(plan):
    return f"liwan-plan-{plan.number}-assessment.docx"
