from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django_tables2.views import SingleTableMixin

from .exports import FORMATS, export_table


class ListPageMixin(LoginRequiredMixin, SingleTableMixin):
    """A filtered, sorted, paginated table (with django-filter's FilterView) that also
    exports as ?_export=csv or ?_export=xlsx: every filtered row in the table's order.
    A page number past the end shows the last page."""

    table_pagination = {"per_page": 50}
    strict = False  # a filter value that is not a choice is ignored, and the page says so
    export_name = "export"

    def get(self, request, *args, **kwargs):
        export = request.GET.get("_export")
        if export is not None and export not in FORMATS:
            return HttpResponseBadRequest(_("Unknown export format; use csv or xlsx."))
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context, **kwargs):
        export = self.request.GET.get("_export")
        if export:
            return export_table(export, self.export_name, context["table"], title=self.export_name)
        return super().render_to_response(context, **kwargs)


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, by a view that has counted them with
    something it reads anyway (the overdue board's count by department), rather than one
    more query over the same rows."""

    def __init__(self, object_list, per_page, *args, count, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.known_count = count

    @property
    def count(self):
        return self.known_count
