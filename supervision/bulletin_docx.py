"""The monthly bulletin as a Word document (python-docx), ready for a leader's signature:
the title, the issuing body and date, each section as a Word table with a header row that
repeats on every page, and a signature block. Written in the site's language
(settings.LANGUAGE_CODE, Chinese) whoever asks, as the digest is.

Chinese needs its own font: Word picks the font of CJK text from the East Asian slot of a
run's fonts (w:rFonts w:eastAsia), which python-docx's font.name does not set, and the
default template's headings name theme fonts that win over any name given. Each style used
is given SimSun (宋体) for the body and SimHei (黑体) for headings, in every slot, and its
theme fonts are removed. Word and LibreOffice read these names (LibreOffice substitutes a
Chinese font it has when SimSun is not installed)."""

import io
import re

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from projects import formatting
from projects.exports import clean_text

from . import bulletin as figures

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, HEADING_FONT = "SimSun", "SimHei"
TEXT_WIDTH = Mm(160)  # A4 less the margins
DIGIT = Mm(2)  # a digit at the tables' 9 points, with room; a Chinese character is two
PADDING = 3  # a cell's left and right margins, in digits
WIDE = re.compile("[\u2e80-\uffff]")  # Chinese characters and full-width punctuation
NARROW_RUN = re.compile("[^\\s\u2e80-\uffff]+")  # a run of letters, digits and signs
# What XML 1.0 cannot carry beyond the control characters clean_text() replaces: lone
# surrogates and the two non-characters U+FFFE and U+FFFF.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def safe(value):
    """A text a document can hold: control characters (and what XML cannot carry) as
    U+FFFD, as the app's other files write them (projects/exports.py). Nothing is a
    formula in Word, so a text beginning with = stays as it is."""
    return NOT_XML.sub("\ufffd", clean_text(str(value)))


def _set_fonts(style, name, size=None, bold=None):
    font = style.font
    font.name = name
    font.color.rgb = RGBColor(0, 0, 0)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), name)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def _document():
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    styles = document.styles
    _set_fonts(styles["Normal"], BODY_FONT, size=12)
    _set_fonts(styles["Title"], HEADING_FONT, size=20, bold=False)
    _set_fonts(styles["Heading 1"], HEADING_FONT, size=15, bold=False)
    _set_fonts(styles["Table Grid"], BODY_FONT, size=9)
    # The default Title has a coloured rule under it; an official document has none.
    borders = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if borders is not None:
        styles["Title"].element.pPr.remove(borders)
    return document


def _paragraph(document, text, align=None, bold=False, color=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(safe(text))
    run.bold = bold
    if color:
        run.font.color.rgb = color
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _row_property(row, name):
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _repeat_header(row):
    """Mark a table row as its header: Word repeats it on each page the table runs over."""
    _row_property(row, "w:tblHeader")


def _keep_whole(row):
    """A row is not split across two pages."""
    _row_property(row, "w:cantSplit")


def _units(text):
    """How wide a text reads, in digits: a Chinese character is about two."""
    return sum(2 if WIDE.match(char) else 1 for char in text)


def _unbreakable(text):
    """The narrowest a cell can be without breaking a number or a code (a Chinese text
    breaks between any two characters; three to a line at least)."""
    runs = [len(run) for run in NARROW_RUN.findall(text)]
    return max(runs + [6 if WIDE.search(text) else 0])


def _column_widths(table):
    """Widths for the table's columns across the text width, alike in Word and LibreOffice:
    each column first gets what its numbers and codes need not to break, then a share of
    the rest in proportion to what its longest cell would take on one line."""
    columns = list(zip(table.headers, *table.rows, strict=True))
    need = [max(_unbreakable(str(text)) for text in column) + PADDING for column in columns]
    want = [max(_units(str(text)) for text in column) + PADDING for column in columns]
    available = TEXT_WIDTH / DIGIT
    extra = [max(w - n, 0) for w, n in zip(want, need, strict=True)]
    spare = max(available - sum(need), 0)
    scale = min(spare / sum(extra), 1) if sum(extra) else 0
    units = [n + e * scale for n, e in zip(need, extra, strict=True)]
    return [int(TEXT_WIDTH * u / sum(units)) for u in units]


def _table(document, table):
    document.add_heading(safe(table.title), level=1)
    if table.note:
        _paragraph(document, table.note)
    if not table.rows:
        _paragraph(document, table.empty)
        return
    widths = _column_widths(table)
    word = document.add_table(rows=1, cols=len(table.headers))
    word.style = document.styles["Table Grid"]
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    for column, width in zip(word.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice reads
    header = word.rows[0]
    _repeat_header(header)
    for cell, text, width in zip(header.cells, table.headers, widths, strict=True):
        cell.width = width  # each cell's, which Word reads
        cell.paragraphs[0].add_run(safe(text)).bold = True
    for row in table.rows:
        added = word.add_row()
        _keep_whole(added)
        for cell, value, width in zip(added.cells, row, widths, strict=True):
            cell.width = width
            cell.text = safe(value)


def build(bulletin, on):
    """The document's bytes."""
    with translation.override(settings.LANGUAGE_CODE):
        period = bulletin.period
        document = _document()
        if bulletin.sample:
            _paragraph(document, sample_warning(), bold=True, color=RGBColor(0xC0, 0, 0))
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
