"""Spreadsheet files of any length imported through a resource (projects.resources) a
batch of rows at a time, in one transaction, with the errors listed by the row and column
the file shows. What `manage.py import_spreadsheet` and the import benchmark use."""

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import uploads


class FileError(Exception):
    """The file cannot be read as a spreadsheet at all."""


@dataclass
class FileImport:
    """What importing a file did (or, on a dry run or with errors, would have done)."""

    totals: dict = field(default_factory=lambda: defaultdict(int))
    errors: list = field(default_factory=list)  # (row, column, message); row 0: the file
    error_count: int = 0
    rows: int = 0
    dry_run: bool = False

    @property
    def ok(self):
        return not self.error_count

    def add_error(self, row, column, message, limit):
        self.error_count += 1
        if len(self.errors) < limit:
            self.errors.append((row, column, str(message)))


def read_rows(file, fmt):
    """The header and then each row of a CSV (UTF-8) or XLSX file (its first sheet), one at
    a time, so a large file is never held in memory whole; within the upload limits
    (uploads.py, with settings.IMPORT_MAX_ROWS and IMPORT_MAX_BYTES)."""
    limit = settings.IMPORT_MAX_ROWS
    try:
        if fmt not in ("csv", "xlsx"):
            raise FileError(_("Unknown file format %(format)s: use csv or xlsx.") % {"format": fmt})
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
        if size > settings.IMPORT_MAX_BYTES:
            raise FileError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.IMPORT_MAX_BYTES // 1_000_000}
            )
        if fmt == "xlsx":
            book = uploads.open_xlsx(file, max_rows=limit)
            rows = uploads.rows(book.active, max_rows=limit, width=settings.SPREADSHEET_MAX_COLUMNS)
        else:
            uploads.check_csv(file, max_rows=limit)  # refused before a row is imported
            rows = uploads.csv_rows(file, max_rows=limit)
        for _number, values in rows:
            yield values
    except uploads.UploadRefused as refusal:
        raise FileError(str(refusal)) from None


def import_file(resource, file, fmt, *, dry_run=False, user=None, batch_rows=2000, max_errors=200):
    """Import a CSV or XLSX file of any length into `resource`, a batch of rows at a time,
    in one transaction: every row is checked, and unless all are right (or on a dry run)
    nothing is saved. Memory holds one batch of rows, not the file. Errors give the row's
    number in the file (the header is row 1), blank lines counted."""
    outcome = FileImport(dry_run=dry_run)
    rows = read_rows(file, fmt)
    with transaction.atomic():
        try:
            headers = next(rows, None)
            if not headers or not any(headers):
                raise FileError(_("The file is empty."))
            headers = [str(h).strip() if h is not None else "" for h in headers]
            width = len(headers)
            batch, lines = tablib.Dataset(headers=headers), []
            for line, values in enumerate(rows, start=2):
                if not any(v not in (None, "") for v in values):
                    continue  # a blank line
                batch.append(list(values)[:width] + [None] * (width - len(values)))
                lines.append(line)
                if len(batch) == batch_rows:
                    _import_batch(resource, batch, lines, outcome, user, max_errors)
                    batch, lines = tablib.Dataset(headers=headers), []
            if len(batch) or not outcome.rows:
                _import_batch(resource, batch, lines, outcome, user, max_errors)
        except FileError as error:
            outcome.add_error(0, "", error, max_errors)
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
    return outcome


def _import_batch(resource, batch, lines, outcome, user, max_errors):
    result = resource.import_data(
        batch, history_user=user, continued=bool(outcome.rows), row_numbers=lines
    )
    outcome.rows += len(batch)
    for kind, count in Counter(row.import_type for row in result.rows).items():
        outcome.totals[kind] += count
    for row, name, message in result.problems():
        outcome.add_error(row, resource.column_of(name) if name else "", message, max_errors)
