"""The admin's spreadsheet tools: django-import-export's import (with its preview of what
will be created, changed, skipped and every error by row) and export, plus a template per
kind: the columns and one example row.

An uploaded file is checked against the upload limits (uploads.py) before the library reads
it, and waits for its confirmation in the database (PreviewStorage), never on disk."""

import functools
import io
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import BaseStorage

from . import exports, uploads


class PreviewStorage(BaseStorage):
    """An uploaded file between its preview and its confirmation, in the database cache
    "import-previews" (settings.CACHES): every worker finds it, no temporary folder keeps a
    copy, confirming deletes it and an unconfirmed one lapses."""

    @property
    def _cache(self):
        return caches["import-previews"]

    def _key(self):
        return f"preview-{self.name}"

    def save(self, data):
        if not self.name:
            self.name = uuid4().hex
        self._cache.set(self._key(), data)

    def read(self):
        return self._cache.get(self._key())

    def remove(self):
        self._cache.delete(self._key())

    def exists(self):
        return self._cache.has_key(self._key())


class BoundedImportForm(ImportForm):
    """The import form, refusing a file beyond the upload limits before it is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats

    def clean(self):
        data = super().clean()
        upload, chosen = data.get("import_file"), data.get("format")
        if upload is None or chosen in (None, ""):
            return data
        if upload.size > settings.WORKBOOK_MAX_BYTES:
            self.add_error(
                "import_file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.WORKBOOK_MAX_BYTES // 1_000_000},
            )
            return data
        binary = self.import_formats[int(chosen)]().is_binary()
        try:
            upload.seek(0)
            if binary:
                uploads.check_xlsx(upload, max_rows=settings.ADMIN_IMPORT_MAX_ROWS)
            else:
                text = io.BytesIO(upload.read())  # at most WORKBOOK_MAX_BYTES
                for _row in uploads.csv_rows(text, max_rows=settings.ADMIN_IMPORT_MAX_ROWS):
                    pass
        except uploads.UploadRefused as refusal:
            self.add_error("import_file", str(refusal))
        finally:
            upload.seek(0)
        return data


class PreviewConfirmForm(ConfirmImportForm):
    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not PreviewStorage(name=name).exists():
            raise forms.ValidationError(_("This preview has lapsed; upload the file again."))
        return name


class ColumnsExportForm(SelectableFieldsExportForm):
    """The export's choice of columns, each by its header (项目编号) and its code."""

    def _get_field_label(self, resource, field_name):
        return f"{column_names(resource)[field_name]} ({field_name})"


@functools.cache
def column_names(resource_class):
    """{field name: header} as an instance of the resource names its columns."""
    return {name: field.column_name for name, field in resource_class().fields.items()}


class SpreadsheetAdminMixin(ImportExportMixin):
    import_export_change_list_template = "admin/liwan_change_list.html"
    import_template_name = "admin/liwan_import.html"
    formats = [exports.CSV, exports.XLSX]  # cells written as exports.py writes them
    import_form_class = BoundedImportForm
    confirm_form_class = PreviewConfirmForm
    export_form_class = ColumnsExportForm

    def import_action(self, request, **kwargs):
        """The import page, with the columns the import reads (by header and code). A file
        refused before its preview answers 400, as the department workbook does."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        resource = self.get_import_resource_classes(request)[0]()
        context["import_columns"] = [
            (resource.fields[name].column_name, name) for name in resource.import_names()
        ]
        form = context.get("form")
        if request.method == "POST" and form is not None and form.errors:
            response.status_code = 400
        return response

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "template/",
                self.admin_site.admin_view(self.template_view),
                name="%s_%s_template" % info,
            )
        ]
        return extra + super().get_urls()

    def get_import_data_kwargs(self, request, **kwargs):
        # The administrator is recorded in the history of every row the import writes.
        kwargs = super().get_import_data_kwargs(request=request, **kwargs)
        return kwargs | {"history_user": request.user}

    def template_view(self, request):
        """An XLSX with the import's columns and one example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]()
        names = resource.import_names()
        rows = [resource.import_headers(), [resource.example.get(n, "") for n in names]]
        text = [i for i, name in enumerate(names) if name in resource.text_columns]
        response = HttpResponse(
            exports.xlsx_bytes(rows, title=str(self.model._meta.verbose_name), text_columns=text),
            content_type=exports.XLSX_TYPE,
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.model._meta.model_name}-template.xlsx"'
        )
        return response
