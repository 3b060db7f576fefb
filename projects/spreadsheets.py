"""The admin's spreadsheet tools: django-import-export's import (with its preview of what
will be created, changed, skipped and every error by row) and export, plus a template per
kind: the columns and one example row."""

import io

from django.http import HttpResponse
from django.urls import path
from import_export.admin import ImportExportMixin
from openpyxl import Workbook


class SpreadsheetAdminMixin(ImportExportMixin):
    import_export_change_list_template = "admin/liwan_change_list.html"

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
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]()
        headers = resource.import_headers()
        book = Workbook()
        sheet = book.active
        sheet.title = self.model._meta.model_name
        sheet.append(headers)
        sheet.append([resource.example.get(h, "") for h in headers])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.model._meta.model_name}-template.xlsx"'
        )
        return response
