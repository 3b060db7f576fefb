"""Tables out as files: CSV streamed row by row, XLSX written in one pass.

Every file the app writes (these lists, the department workbook, the admin's exports and
import templates) writes its cells through csv_cell() or xlsx_row(), so that no text is
ever read as a formula (OWASP, CSV injection): in CSV a text that begins with =, +, -, @,
a tab or a carriage return gets a leading apostrophe (unless it is a plain number, such as
-1.5); in XLSX every text is a string cell, whatever it begins with. Numbers stay numbers. A control character that rows may already
hold (other than tab and line breaks) is written as U+FFFD, which XLSX can carry."""

import csv
import datetime
import inspect
import io
import re
from decimal import Decimal

import tablib
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django_tables2 import A
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")  # as the admin's exports write numbers
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value):
    """A text with its control characters (other than tab and line breaks) as U+FFFD."""
    return CONTROL_CHARACTERS.sub("\ufffd", value)


def csv_cell(value):
    """A value for a CSV cell: a text that a spreadsheet would take for a formula is
    prefixed with an apostrophe."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def xlsx_row(sheet, values):
    """Cells for sheet.append() in a write-only workbook: every text a string cell."""
    return [_text_cell(sheet, v) if isinstance(v, str) else v for v in values]


def _text_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=clean_text(value))
    cell.data_type = "s"  # openpyxl takes a text beginning with = for a formula
    return cell


def xlsx_bytes(rows, title="Sheet1", text_columns=()):
    """A one-sheet workbook of `rows` (header first), as bytes. The columns numbered in
    `text_columns` (from 0) are formatted as text, so what a clerk types there stays as
    typed (Excel would read a section's code 3.10 as the number 3.1)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index in text_columns:
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class CSV(base_formats.CSV):
    """The admin's CSV export (and import), its cells through csv_cell()."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=[csv_cell(h) for h in dataset.headers or []])
        for row in dataset:
            safe.append([csv_cell(v) for v in row])
        return super().export_data(safe, **kwargs)


class XLSX(base_formats.XLSX):
    """The admin's XLSX export (and import), written by xlsx_bytes()."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes([dataset.headers or [], *dataset], title=dataset.title or "Sheet1")


# A streamed CSV is sent in pieces of about this many characters: one piece a row made a
# 15,000-row export 15,002 writes to the socket (and as many WSGI iterations).
CSV_CHUNK_CHARS = 64 * 1024


def csv_response(filename, rows):
    """Stream `rows` (an iterable of sequences, header first) as a CSV download, in pieces
    of about CSV_CHUNK_CHARS characters (memory stays bounded by one piece)."""

    def chunks():
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so Excel opens UTF-8 Chinese correctly
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(map(csv_cell, row))
            if buffer.tell() >= CSV_CHUNK_CHARS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename, rows, title="Sheet1"):
    """Write `rows` (header first) to a one-sheet workbook and return it as a download."""
    response = HttpResponse(xlsx_bytes(rows, title=title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(export_format, filename, rows, title="Sheet1"):
    if export_format == "csv":
        return csv_response(filename, rows)
    return xlsx_response(filename, rows, title=title)


def export_table(export_format, filename, table, title="Sheet1"):
    """Every row of a configured table (all pages, in the table's order), as CSV or XLSX;
    a queryset as the table's exported() has it read."""
    records = table.data.data
    if hasattr(records, "iterator"):
        records = table.exported(records).iterator(chunk_size=2000)
    return export_response(export_format, filename, table_values(table, records), title=title)


def table_values(table, records):
    """What table.as_values() gives (a header, then each row's export values), over
    `records` as they come (a queryset's .iterator(): a large export never holds every row
    in memory).

    An adapter, not the library's own loop: as_values() works out every cell afresh
    (resolving the accessor and inspecting the signature of the column's value method),
    which makes the 10,000-row overdue export seven times slower (see README, Performance).
    Here each column's way of getting its value is worked out once, by django-tables2's
    documented rules; tests/projects/test_exports.py checks the result against as_values()
    for every table and rule, and fails if the library changes them."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    yield [force_str(c.header, strings_only=True) for c in columns]
    getters = None
    for record in records:
        if getters is None:
            getters = [_getter(table, c, type(record)) for c in columns]
        yield [get(record) for get in getters]


# The types that force_str(value, strings_only=True) returns as they are (str as such,
# the others as protected types): most cells, passed on without the call.
AS_THEY_ARE = frozenset(
    {str, int, float, type(None), Decimal, datetime.date, datetime.datetime, datetime.time}
)


def _getter(table, bound_column, model):
    """A function record -> export value for one column, by django-tables2's rules: the
    model's display value for a field with choices, else the accessor's value; None when
    empty; else what the table's value_<name>() (or render_<name>()) method makes of it,
    given `value` and/or `record`; then as force_str(strings_only=True) leaves it. Columns
    are plain Columns (whose own value is the value)."""
    column = bound_column.column
    accessor = A(bound_column.accessor)
    *path, last = accessor.bits
    display = getattr(accessor.get_field(model), "choices", None) and f"get_{last}_display"
    method = bound_column.value  # value_<name>, else render_<name>, else the column's
    if getattr(method, "__self__", None) is not table:
        method = None
    resolve = _resolver(path, last, display)
    call = _caller(method) if method else None
    empty = column.empty_values

    def get(record):
        value = resolve(record)
        if value in empty:
            return None
        if call is not None:
            value = call(value, record)
        return value if type(value) in AS_THEY_ARE else force_str(value, strings_only=True)

    return get


def _resolver(path, last, display):
    """A function record -> the accessor's value (None past an empty relation)."""
    if not path and not display:
        return lambda record: getattr(record, last, None)

    def resolve(record):
        target = record
        for part in path:
            target = getattr(target, part, None)
            if target is None:
                return None
        if display:
            return getattr(target, display)()
        return getattr(target, last, None)

    return resolve


def _caller(method):
    """A function (value, record) -> method called with those of the two it takes."""
    wants = set(inspect.signature(method).parameters)
    if {"value", "record"} <= wants:
        return lambda value, record: method(value=value, record=record)
    if "value" in wants:
        return lambda value, record: method(value=value)
    if "record" in wants:
        return lambda value, record: method(record=record)
    return lambda value, record: method()
