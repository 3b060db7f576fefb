"""Uploaded spreadsheets, read within limits whatever the file holds.

An XLSX is a zip of XML parts: a few kilobytes can unpack to gigabytes, declare a million
rows, or hold one cell of 300 MB. Before openpyxl reads anything, open_xlsx() checks the
archive's directory (the unpacked size of every part) and streams through each sheet and
the shared strings with an XML parser that refuses entities and DTDs (defusedxml), counting
rows, cells per row and strings, and stopping at the first limit passed. Only then is the
workbook opened (read-only), and rows() stops at any cell longer than the limit. CSV files
are read row by row with the same limits. Every refusal is an UploadRefused whose text says
why, for the person who sent the file; none echoes the file's content.

The limits are settings (README, Security): SPREADSHEET_MAX_UNCOMPRESSED_BYTES,
SPREADSHEET_MAX_COLUMNS, SPREADSHEET_MAX_CELL_CHARS, and the rows of each path
(WORKBOOK_MAX_ROWS, IMPORT_MAX_ROWS)."""

import csv
import io
import logging
import re
import zipfile

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

log = logging.getLogger("liwan.uploads")

SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
STRINGS_PART = "xl/sharedStrings.xml"
MAX_PARTS = 500  # a workbook of a few sheets has a few dozen


class UploadRefused(Exception):
    """The file cannot be read within the limits, or cannot be read at all."""


def _mb(n):
    return f"{n / 1_000_000:,.0f}"


def open_xlsx(file, *, max_rows):
    """The workbook in `file` (bytes or a binary file), read-only, once its parts have been
    checked against the limits; UploadRefused otherwise."""
    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(file)
    check_xlsx(file, max_rows=max_rows)
    try:
        file.seek(0)
        return load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged file can raise almost anything in openpyxl
        log.info("unreadable workbook", exc_info=True)
        raise damaged() from None


def check_xlsx(file, *, max_rows):
    """Check an XLSX's parts against the limits without opening it as a workbook."""
    try:
        archive = zipfile.ZipFile(file)
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_("This is not an Excel workbook (.xlsx).")) from None
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused(
            _(
                "The workbook unpacks to %(size)s MB; at most %(limit)s MB is read. "
                "Keep only the sheets and rows to import."
            )
            % {"size": _mb(unpacked), "limit": _mb(settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES)}
        )
    names = {part.filename for part in parts}
    strings = 0
    if STRINGS_PART in names:
        strings = _scan_strings(archive, max_rows * settings.SPREADSHEET_MAX_COLUMNS)
    for name in sorted(n for n in names if SHEET_PART.match(n)):
        _scan(archive, name, max_rows, strings)


def _parse(archive, name):
    """(event, element) of a part, started and ended; entities and DTDs refused."""
    try:
        with archive.open(name) as stream:
            yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except (DefusedXmlException, SyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise damaged() from None


def _local(tag):
    return tag.rpartition("}")[2]


def _scan(archive, name, max_rows, strings):
    """Count a sheet's rows (by their numbers too: a row numbered 1,048,576 counts as that
    many) and each row's cells, and check that every shared-string cell names one of the
    `strings`, without building the sheet."""
    rows = cells = 0
    shared = False
    for event, element in _parse(archive, name):
        tag = _local(element.tag)
        if event == "start" and tag == "row":
            rows, cells = rows + 1, 0
            number = element.get("r")
            if number is not None and not number.isdigit():
                raise damaged()
            if max(rows, int(number or 0)) > max_rows + 1:  # the header row and max_rows
                raise too_many_rows(max_rows)
        elif event == "start" and tag == "c":
            cells += 1
            shared = element.get("t") == "s"
            if cells > settings.SPREADSHEET_MAX_COLUMNS:
                raise too_many_columns()
        elif event == "end" and tag in ("v", "t"):
            text = element.text or ""
            if len(text) > settings.SPREADSHEET_MAX_CELL_CHARS:
                raise too_long_cell()
            if tag == "v" and shared and not (text.isdigit() and int(text) < strings):
                raise damaged()
        elif event == "end" and tag == "row":
            element.clear()


def _scan_strings(archive, most):
    """The shared strings: at most `most` of them, none longer than a cell may be."""
    count, length = 0, 0
    for event, element in _parse(archive, STRINGS_PART):
        tag = _local(element.tag)
        if event == "start" and tag == "si":
            count, length = count + 1, 0
            if count > most:
                raise UploadRefused(_("This workbook holds more text than a sheet can use."))
        elif event == "end" and tag == "t":
            length += len(element.text or "")
            if length > settings.SPREADSHEET_MAX_CELL_CHARS:
                raise too_long_cell()
        elif event == "end" and tag == "si":
            element.clear()
    return count


def rows(sheet, *, max_rows, width):
    """(row number as the spreadsheet shows it, values) for each row of a read-only sheet
    after its header row, at most `width` cells each."""
    try:
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=width, max_row=max_rows + 1), start=1
        ):
            check_cells(values)
            yield number, values
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - as in open_xlsx
        log.info("unreadable sheet", exc_info=True)
        raise damaged() from None


def csv_rows(file, *, max_rows):
    """(line number, values) of a UTF-8 CSV file (a byte stream), within the limits. The
    stream is left open for its owner."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        for number, values in enumerate(csv.reader(text), start=1):
            if number > max_rows + 1:
                raise too_many_rows(max_rows)
            if len(values) > settings.SPREADSHEET_MAX_COLUMNS:
                raise too_many_columns()
            check_cells(values)
            yield number, values
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise too_long_cell() from None
        raise UploadRefused(_("This is not a UTF-8 CSV file.")) from None
    except UnicodeDecodeError:
        raise UploadRefused(_("This is not a UTF-8 CSV file.")) from None
    finally:
        text.detach()


def check_csv(file, *, max_rows):
    """Read a CSV file through once against the limits (cheap: no row is kept), so that a
    file beyond them is refused before any of it is imported; then back to its start."""
    try:
        for _row in csv_rows(file, max_rows=max_rows):
            pass
    finally:
        file.seek(0)


def check_cells(values):
    for value in values:
        if isinstance(value, str) and len(value) > settings.SPREADSHEET_MAX_CELL_CHARS:
            raise too_long_cell()


def damaged():
    return UploadRefused(_("This workbook is damaged and cannot be read."))


def too_many_rows(max_rows):
    return UploadRefused(
        _("The sheet has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{max_rows:,}"}
    )


def too_many_columns():
    return UploadRefused(
        _("A row has more than %(limit)s cells; use the columns of the template.")
        % {"limit": settings.SPREADSHEET_MAX_COLUMNS}
    )


def too_long_cell():
    return UploadRefused(
        _("A cell holds more than %(limit)s characters.")
        % {"limit": f"{settings.SPREADSHEET_MAX_CELL_CHARS:,}"}
    )


def shorten(value, limit=40):
    """A cell's value for a message: never the whole of a long one."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
