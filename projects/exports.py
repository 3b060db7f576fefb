"""Tables out as files: CSV streamed row by row, XLSX written in one pass."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value):
        return value


def csv_response(filename, rows):
    """Stream `rows` (an iterable of sequences, header first) as a CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so Excel opens UTF-8 Chinese correctly
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename, rows, title="Sheet1"):
    """Write `rows` (header first) to a one-sheet workbook and return it as a download."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(export_format, filename, rows, title="Sheet1"):
    if export_format == "csv":
        return csv_response(filename, rows)
    return xlsx_response(filename, rows, title=title)


def export_table(export_format, filename, table, title="Sheet1"):
    """Every row of a configured table (all pages, in the table's order), as CSV or XLSX."""
    records = table.data.data
    if hasattr(records, "iterator"):
        records = records.iterator(chunk_size=2000)
    return export_response(export_format, filename, table_values(table, records), title=title)


def table_values(table, records):
    """Like Table.as_values(), but over `records` as they come (a queryset's .iterator()),
    so a large export never holds every row in memory."""
    from django.utils.encoding import force_str
    from django_tables2.rows import BoundRow

    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    yield [force_str(c.header, strings_only=True) for c in columns]
    for record in records:
        row = BoundRow(record, table=table)
        yield [force_str(row.get_cell_value(c.name), strings_only=True) for c in columns]
