"""The one place where the spreadsheet imports lean on what django-import-export does but
does not document. The resources (projects.resources) use documented hooks and options
only; whatever they need beyond those is here, and tests/projects/test_importkit.py fails
if the installed library stops doing any of it.

What is leaned on (django-import-export 4.4):

1. A Result numbers the rows it reports 1, 2, 3 … in the order of the dataset: an invalid
   row's `number`, an error row's `number` and its errors' `number`. The admin's preview
   shows an invalid row's `number` and, for a row's errors, the line `row_errors()` gives.
2. `Result.base_errors` holds the errors of the import as a whole (the admin's preview
   lists them) and `append_base_error()` adds one.
3. `InvalidRow.error_dict` maps each field name to its messages in the order they arose.
4. Each resource instance has its own copies of the declared fields and their widgets
   (the library's Resource.__init__ deep-copies them), so the per-import state our widgets
   keep (the codes looked up, the links read) and the column names an instance gives its
   fields belong to it alone.
5. `Result.append_invalid_row(number, row, validation_error)` records each invalid row,
   its `values` in the order of `diff_headers` (a column missing from the file as "---").
6. The export form (SelectableFieldsExportForm) labels each field's checkbox with
   `_get_field_label(resource, field_name)` (projects.spreadsheets names it in Chinese).
"""

from django.core.exceptions import NON_FIELD_ERRORS
from import_export.results import Error, Result

NO_COLUMN = ""  # the label of a row's error that is of no one column


class FileResult(Result):
    """An import's result with its rows numbered as the file numbers them (the header is
    row 1), and its problems listed the same way whatever kind they are."""

    def number_rows(self, file_row):
        """Renumber the reported rows: `file_row(n)` is the file's number for the n-th
        data row of the dataset."""
        for row in self.invalid_rows:
            row.number = file_row(row.number)
        for row in self.error_rows:
            row.number = file_row(row.number)
            for error in row.errors:
                error.number = row.number

    def append_invalid_row(self, number, row, validation_error):
        """As the library does, but an empty cell and a column the file does not have are
        shown empty, not as None or ---."""
        super().append_invalid_row(number, row, validation_error)
        self.invalid_rows[-1].values = tuple(
            "" if row.get(header) is None else row.get(header) for header in self.diff_headers
        )

    def name_columns(self, column_of):
        """Give each invalid row, for the preview, its errors by the header of their column
        (`column_of(field name)`) and its cells each with whether it is wrong:
        `errors_by_column` [(header, [message, …])] and `cells` [(value, wrong)]."""
        for invalid in self.invalid_rows:
            invalid.errors_by_column = [
                (NO_COLUMN if name == NON_FIELD_ERRORS else column_of(name), messages)
                for name, messages in invalid.error_dict.items()
            ]
            wrong = {header for header, _messages in invalid.errors_by_column}
            invalid.cells = [
                (value, header in wrong)
                for header, value in zip(self.diff_headers, invalid.values, strict=True)
            ]

    def row_errors(self):
        # The library counts its list of rows, which is not the file's numbering.
        return [(row.errors[0].number, row.errors) for row in self.rows if row.errors]

    def add_error(self, error):
        """Report an error of the import as a whole (a batch the database refused)."""
        self.append_base_error(Error(error))

    def problems(self):
        """Every problem as (row, field name, message): row 0 for the import as a whole,
        and no field name for a problem of the whole row."""
        for error in self.base_errors:
            yield 0, None, error.error
        for number, errors in self.row_errors():
            for error in errors:
                yield number, None, error.error
        for invalid in self.invalid_rows:
            for name, messages in invalid.error_dict.items():
                for message in messages:
                    yield invalid.number, None if name == NON_FIELD_ERRORS else name, message
