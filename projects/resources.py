"""Spreadsheet import and export for administrators (django-import-export), keyed by codes
so a re-import updates rather than duplicates. Every row is validated like a form
(clean_model_instances), unknown codes are errors, and an import with any error saves
nothing (the library's transaction)."""

from django.db import models, transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from indicators.models import Indicator, IndicatorValue

from .models import AnnualInvestment, Department, Milestone, PlanChapter, Project


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but a value that matches nothing is an error, not ignored.
    Each cell's value is looked up once per import."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = {}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "")
        if text not in self.cache:
            self.cache[text] = self._lookup(text)
        found, missing = self.cache[text]
        if missing:
            raise ValueError(_("Unknown: %(values)s") % {"values": ", ".join(missing)})
        return found

    def _lookup(self, text):
        wanted = [v.strip() for v in text.split(self.separator) if v.strip()]
        found = list(self.model.objects.filter(**{f"{self.field}__in": wanted}))
        missing = sorted(set(wanted) - {str(getattr(o, self.field)) for o in found})
        return found, missing


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a code; an unknown code is an error. Each code is looked up once
    per import (the cache is emptied before every import), not once per row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = {}

    def clean(self, value, row=None, **kwargs):
        if value in self.cache:
            return self.cache[value]
        try:
            found = super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(_("Unknown: %(values)s") % {"values": value}) from None
        self.cache[value] = found
        return found


class ChapterKeysWidget(widgets.ManyToManyWidget):
    """Chapters as their keys, such as 14-4.1;14-5.2 (a many-to-many field, so the library
    sets it after saving the row). Each key is looked up once per import."""

    def __init__(self, **kwargs):
        super().__init__(PlanChapter, separator=";", **kwargs)
        self.cache = {}

    def clean(self, value, row=None, **kwargs):
        chapters, missing = [], []
        for key in [k.strip() for k in str(value or "").split(self.separator) if k.strip()]:
            if key not in self.cache:
                try:
                    self.cache[key] = PlanChapter.objects.select_related("plan").by_key(key)
                except PlanChapter.DoesNotExist:
                    self.cache[key] = None
            if self.cache[key] is None:
                missing.append(key)
            else:
                chapters.append(self.cache[key])
        if missing:
            raise ValueError(_("Unknown: %(values)s") % {"values": ", ".join(missing)})
        return chapters

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(c.key for c in value.select_related("plan"))


def by_code(column, model, field="code"):
    """A foreign key column holding the related row's code."""
    return fields.Field(
        column_name=column, attribute=column, widget=StrictForeignKeyWidget(model, field=field)
    )


class CodeKeyedResource(resources.ModelResource):
    """What every import here shares: rows validated like forms, unchanged rows skipped,
    all or nothing, and `example`: one filled-in row for the downloadable template."""

    example = {}

    def import_headers(self):
        """The columns an import reads, in order."""
        return [field.column_name for field in self.get_import_fields()]

    def before_import(self, dataset, **kwargs):
        for field in self.fields.values():
            if hasattr(field.widget, "cache"):
                field.widget.cache.clear()
        return super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        # An empty spreadsheet cell arrives as None; a text field wants "".
        for model_field in self._meta.model._meta.fields:
            if isinstance(model_field, (models.CharField, models.TextField)):
                if model_field.name in row and row[model_field.name] is None:
                    row[model_field.name] = ""

    def import_data(self, dataset, dry_run=False, **kwargs):
        # The library rolls back on exceptions; roll back on invalid rows too, so a
        # confirmed import is whole even if the data changed since its preview.
        with transaction.atomic():
            result = super().import_data(dataset, dry_run=dry_run, **kwargs)
            if result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)
        return result

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class DepartmentResource(CodeKeyedResource):
    example = {
        "slug": "drc",
        "name": "广州市荔湾区发展和改革局",
        "short_name": "区发展改革局",
        "name_en": "Liwan District Development and Reform Bureau",
        "kind": "bureau",
        "contact": "",
    }

    class Meta:
        model = Department
        import_id_fields = ["slug"]
        fields = ["slug", "name", "short_name", "name_en", "kind", "contact"]


class ProjectResource(CodeKeyedResource):
    lead_department = by_code("lead_department", Department, field="slug")
    partner_departments = fields.Field(
        column_name="partner_departments",
        attribute="partner_departments",
        widget=StrictManyToManyWidget(Department, field="slug", separator=";"),
        m2m_add=False,
    )
    chapters = fields.Field(
        column_name="chapters", attribute="chapters", widget=ChapterKeysWidget(), m2m_add=False
    )
    example = {
        "code": "LW-TRA-099",
        "name": "示例道路工程",
        "name_en": "Example road",
        "category": "transport",
        "area": "south",
        "stage": "preliminary",
        "lead_department": "housing-transport",
        "partner_departments": "planning;drc",
        "leader": "",
        "contact_name": "",
        "contact_phone": "",
        "start_date": "2026-03-01",
        "planned_completion": "2028-12-31",
        "total_investment": "12.5",
        "chapters": "14-4.1",
        "description": "",
        "source_paragraph": "",
        "source_sentence": "",
    }

    class Meta:
        model = Project
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "name_en",
            "category",
            "area",
            "stage",
            "lead_department",
            "partner_departments",
            "leader",
            "contact_name",
            "contact_phone",
            "start_date",
            "planned_completion",
            "total_investment",
            "chapters",
            "description",
            "source_paragraph",
            "source_sentence",
        ]


class MilestoneResource(CodeKeyedResource):
    project = by_code("project", Project)
    responsible_department = by_code("responsible_department", Department, field="slug")
    example = {
        "project": "LW-TRA-001",
        "title": "主体工程开工",
        "planned_date": "2026-09-30",
        "forecast_date": "",
        "forecast_reason": "",
        "actual_date": "",
        "responsible_department": "housing-transport",
    }

    class Meta:
        model = Milestone
        import_id_fields = ["project", "title"]
        fields = [
            "project",
            "title",
            "planned_date",
            "forecast_date",
            "forecast_reason",
            "actual_date",
            "responsible_department",
        ]


class AnnualInvestmentResource(CodeKeyedResource):
    project = by_code("project", Project)
    example = {"project": "LW-TRA-001", "year": 2026, "planned": "3.2", "completed": "1.1"}

    class Meta:
        model = AnnualInvestment
        import_id_fields = ["project", "year"]
        fields = ["project", "year", "planned", "completed"]


class IndicatorValueResource(CodeKeyedResource):
    indicator = by_code("indicator", Indicator)
    example = {"indicator": "I14-02", "year": 2025, "value": "1450", "note": "统计公报"}

    class Meta:
        model = IndicatorValue
        import_id_fields = ["indicator", "year"]
        fields = ["indicator", "year", "value", "note"]
