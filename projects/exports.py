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
