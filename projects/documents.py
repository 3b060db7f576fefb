"""Word documents (python-docx) the app writes: the monthly bulletin, a plan's assessment.
One home for what makes them read as the district's documents: A4, Chinese fonts, tables
whose header row repeats on every page and whose rows do not split, safe text.

Chinese needs its own font: Word picks the font of CJK text from the East Asian slot of a
run's fonts (w:rFonts w:eastAsia), which python-docx's font.name does not set, and the
default template's headings name theme fonts that win over any name given. Each style used
is given SimSun (宋体) for the body and SimHei (黑体) for headings, in every slot, and its
theme fonts are removed. Word and LibreOffice read these names (LibreOffice substitutes a
Chinese font it has when SimSun is not installed).

A table here is any object with `title`, `headers`, `rows` (lists of cells, each written as
its str()), `note` and `empty`; and optionally `sources`, numbered notes written under it
(python-docx has no footnotes)."""

import re

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .exports import clean_text

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, HEADING_FONT = "SimSun", "SimHei"
A4 = (Mm(210), Mm(297))
TEXT_WIDTH = Mm(160)  # A4 less the margins, upright
DIGIT = Mm(2)  # a digit at the tables' 9 points, with room; a Chinese character is two
PADDING = 3  # a cell's left and right margins, in digits
WIDE = re.compile("[\u2e80-\uffff]")  # Chinese characters and full-width punctuation
NARROW_RUN = re.compile("[^\\s\u2e80-\uffff]+")  # a run of letters, digits and signs
# What XML 1.0 cannot carry beyond the control characters clean_text() replaces: lone
# surrogates and the two non-characters U+FFFE and U+FFFF.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
WARNING_RED = RGBColor(0xC0, 0, 0)


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


def new_document():
    """An empty A4 document with the Chinese styles: Normal, Title, Heading 1 and 2, Table
    Grid."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = A4
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    styles = document.styles
    _set_fonts(styles["Normal"], BODY_FONT, size=12)
    _set_fonts(styles["Title"], HEADING_FONT, size=20, bold=False)
    _set_fonts(styles["Heading 1"], HEADING_FONT, size=15, bold=False)
    _set_fonts(styles["Heading 2"], HEADING_FONT, size=13, bold=False)
    _set_fonts(styles["Table Grid"], BODY_FONT, size=9)
    # The default Title has a coloured rule under it; an official document has none.
    borders = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if borders is not None:
        styles["Title"].element.pPr.remove(borders)
    return document


def add_paragraph(document, text, align=None, bold=False, color=None, size=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(safe(text))
    run.bold = bold
    if color:
        run.font.color.rgb = color
    if size:
        run.font.size = Pt(size)
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


def turn_pages(document, landscape):
    """Go on on a new page, A4 turned sideways (for a wide table) or upright again."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = A4
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    return section


def _text_width(document):
    section = document.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def _column_widths(table, text_width=TEXT_WIDTH):
    """Widths for the table's columns across the text width, alike in Word and LibreOffice:
    each column first gets what its numbers and codes need not to break, then a share of
    the rest in proportion to what its longest cell would take on one line."""
    columns = list(zip(table.headers, *table.rows, strict=True))
    need = [max(_unbreakable(str(text)) for text in column) + PADDING for column in columns]
    want = [max(_units(str(text)) for text in column) + PADDING for column in columns]
    available = text_width / DIGIT
    extra = [max(w - n, 0) for w, n in zip(want, need, strict=True)]
    spare = max(available - sum(need), 0)
    scale = min(spare / sum(extra), 1) if sum(extra) else 0
    units = [n + e * scale for n, e in zip(need, extra, strict=True)]
    return [int(text_width * u / sum(units)) for u in units]


def add_table(document, table, level=1):
    """The table under its heading (at `level`), its note before it, its sources after."""
    document.add_heading(safe(table.title), level=level)
    if table.note:
        add_paragraph(document, table.note)
    if not table.rows:
        add_paragraph(document, table.empty)
        return
    widths = _column_widths(table, _text_width(document))
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
    sources = getattr(table, "sources", ())
    if sources:
        add_paragraph(document, _("Sources:"), bold=True, size=9)
    for source in sources:
        add_paragraph(document, source, size=9)
