"""Spreadsheet import and export for administrators (django-import-export), keyed by codes
so a re-import updates rather than duplicates. Every row is validated like a form, unknown
codes are errors, a code twice in one file is an error, and an import with any error saves
nothing.

Imports are built for files of tens of thousands of rows: the rows that already exist are
fetched with one query per batch (KeyedInstanceLoader), codes are looked up once per
import, and rows are written in batches with their history (simple-history's bulk
functions) and many-to-many links. The database's check constraints are not asked row by
row: each has the same rule in the model's clean() or a field validator, which every row
goes through, and the constraint stays as the last guard."""

import copy
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from indicators.models import Indicator, IndicatorValue

from .importcolumns import (
    ChapterKeysWidget,
    LinkField,
    LinkListWidget,
    StrictForeignKeyWidget,
    StrictManyToManyWidget,
    by_code,
)
from .importfiles import import_file  # noqa: F401 (its callers import it from here)
from .models import AnnualInvestment, Department, Milestone, Project

IMPORT_REASON = "spreadsheet import"


def _bulk_create(instances, model, *, batch_size, **history):
    model.objects.bulk_create(instances, batch_size=batch_size)


def _bulk_update(instances, model, fields, *, batch_size, **history):
    model.objects.bulk_update(instances, fields, batch_size=batch_size)


def _plain(value):
    return value.pk if isinstance(value, models.Model) else value


class KeyedInstanceLoader(BaseInstanceLoader):
    """Finds the rows of a dataset that already exist with one query (and one per
    many-to-many column for their current links), by their key: a code, or a project's
    code and a milestone's title, and so on."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {}
        if not dataset or not dataset.headers:
            return
        keys = set()
        for values in dataset:
            key = resource.row_key(dict(zip(dataset.headers, values, strict=False)))
            if key is not None:
                keys.add(key)
        if not keys:
            return
        attributes = resource.key_attributes()
        lookups = {f"{a}__in": {key[i] for key in keys} for i, a in enumerate(attributes)}
        for instance in resource.get_queryset().filter(**lookups):
            self.instances[resource.instance_key(instance)] = instance
        resource.fetch_current_links([i.pk for i in self.instances.values()])

    def get_instance(self, row):
        return self.instances.get(self.resource.row_key(row))


class FileRowResult(Result):
    """Row errors numbered as in the file (the library's own count starts at the first data
    row)."""

    def row_errors(self):
        return [(row.errors[0].number, row.errors) for row in self.rows if row.errors]


class CodeKeyedResource(resources.ModelResource):
    """What every import here shares: rows validated like forms, found by their key with one
    query per batch, a key twice in a file refused, unchanged rows skipped, rows written in
    batches with their history and links, all or nothing; and `example`: one filled-in row
    for the downloadable template."""

    example = {}

    def __init__(self, *args, html_diff=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not html_diff:
            # Scripted loads show no preview: skip drawing a diff of every row.
            self._meta = copy.copy(self._meta)
            self._meta.skip_html_diff = True
        self.history_user = None
        self.rows_by_key = {}

    def import_headers(self):
        """The columns an import reads, in order."""
        return [field.column_name for field in self.get_import_fields()]

    # --- finding rows by their key ---------------------------------------------------

    def key_attributes(self):
        return [self.fields[name].attribute for name in self.get_import_id_fields()]

    def row_key(self, row):
        """The key a row names, as plain values (a related row's primary key); None when
        the row names no valid key (its own error will say why)."""
        try:
            return tuple(
                _plain(self.fields[name].clean(row)) for name in self.get_import_id_fields()
            )
        except (KeyError, ValueError, ValidationError):
            return None

    def instance_key(self, instance):
        opts = self._meta.model._meta
        return tuple(getattr(instance, opts.get_field(a).attname) for a in self.key_attributes())

    def get_queryset(self):
        related = [
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, widgets.ForeignKeyWidget)
        ]
        return super().get_queryset().select_related(*related)

    def link_fields(self):
        return [f for f in self.get_import_fields() if isinstance(f.widget, LinkListWidget)]

    def fetch_current_links(self, pks):
        """Read the saved links of these rows, one query per many-to-many column."""
        for import_field in self.link_fields():
            through, source, target = self._through(import_field.attribute)
            current = import_field.widget.current
            for pk in pks:
                current[pk] = []
            target_name = target.removesuffix("_id")
            select = [target_name] + [
                f"{target_name}__{name}"
                for name in getattr(import_field.widget, "related_select", ())
            ]
            for link in through.objects.filter(**{f"{source}__in": pks}).select_related(*select):
                current[getattr(link, source)].append(getattr(link, target_name))

    def _through(self, attribute):
        relation = self._meta.model._meta.get_field(attribute)
        through = relation.remote_field.through
        source = through._meta.get_field(relation.m2m_field_name()).attname
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        return through, source, target

    # --- one import ------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        if not kwargs.get("continued"):
            # A new import (not the next batch of a file): forget earlier lookups.
            for import_field in self.fields.values():
                if hasattr(import_field.widget, "cache"):
                    import_field.widget.cache.clear()
            self.rows_by_key = {}
        for import_field in self.link_fields():
            import_field.widget.current.clear()
        for import_field in self.get_import_fields():
            if isinstance(import_field.widget, StrictForeignKeyWidget):
                if dataset.headers and import_field.column_name in dataset.headers:
                    import_field.widget.prefetch(dataset[import_field.column_name])
        self.history_user = kwargs.get("user")
        return super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        # An empty spreadsheet cell arrives as None; a text field wants "".
        for model_field in self._meta.model._meta.fields:
            if isinstance(model_field, (models.CharField, models.TextField)):
                if model_field.name in row and row[model_field.name] is None:
                    row[model_field.name] = ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for import_field in self.link_fields():  # the library reads these only after saving
            if import_field.column_name in row:
                try:
                    import_field.clean(row)
                except ValueError as error:
                    errors[import_field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)
        key = self.instance_key(instance)
        if None in key:
            return
        number = self.file_row(kwargs.get("row_number", 0), kwargs)
        first = self.rows_by_key.setdefault(key, number)
        if first != number:
            columns = ", ".join(
                self.fields[name].column_name for name in self.get_import_id_fields()
            )
            raise ValidationError(
                {
                    self.key_attributes()[-1]: _(
                        "Row %(row)s of this file has the same %(columns)s."
                    )
                    % {"row": first, "columns": columns}
                }
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for import_field in self.get_import_fields():
            if isinstance(import_field.widget, LinkListWidget):
                if import_field.column_name not in row:
                    continue
                wanted = sorted(o.pk for o in import_field.clean(row))
                saved = sorted(o.pk for o in import_field.widget.current.get(original.pk, []))
                if wanted != saved:
                    return False
            elif import_field.get_value(instance) != import_field.get_value(original):
                return False
        return True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Like a form: field rules and the model's clean(). A related row found by its code
        exists, so it is not looked up again; the key is unique by the loader and the
        duplicate check; other unique rules (a department's name) are checked here."""
        errors = dict(import_validation_errors or {})
        opts = self._meta.model._meta
        by_code = {
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, StrictForeignKeyWidget)
        }
        for name in by_code - errors.keys():
            model_field = opts.get_field(name)
            if getattr(instance, model_field.attname) is None and not model_field.blank:
                errors[name] = [ValidationError(model_field.error_messages["blank"], code="blank")]
        try:
            instance.full_clean(
                exclude=errors.keys() | by_code, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            key = set(self.key_attributes())
            for constraint in opts.constraints:
                if (
                    isinstance(constraint, models.UniqueConstraint)
                    and set(constraint.fields) != key
                ):
                    try:
                        constraint.validate(self._meta.model, instance)
                    except ValidationError as error:
                        # A rule on one column is that column's error.
                        if len(constraint.fields) == 1:
                            errors.setdefault(constraint.fields[0], []).append(error)
                        else:
                            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    # --- writing in batches ----------------------------------------------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create and hasattr(instance, "version"):
            instance.version += 1  # an editing form loaded before the import is now stale
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        # Links are written with their batch (bulk_create, bulk_update).
        instance._import_links = {
            f.attribute: list(f.clean(row)) for f in self.link_fields() if f.column_name in row
        }

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(
            bulk_create_with_history if self.keeps_history() else _bulk_create,
            self.create_instances,
            (),
            batch_size,
            using_transactions or not dry_run,
            raise_errors,
            result,
        )

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        now, names = timezone.now(), self.auto_now_fields()  # bulk_update leaves auto_now alone
        for instance in self.update_instances:
            for name in names:
                setattr(instance, name, now)
        self._write_batch(
            bulk_update_with_history if self.keeps_history() else _bulk_update,
            self.update_instances,
            (self.get_bulk_update_fields(),),
            batch_size,
            using_transactions or not dry_run,
            raise_errors,
            result,
        )

    def _write_batch(self, write, instances, args, batch_size, may_write, raise_errors, result):
        """Write a batch with its history (`write`: one of simple-history's bulk functions),
        then its links; an error is the import's, as the library reports its own."""
        if not instances or not may_write:
            return
        try:
            write(
                instances,
                self._meta.model,
                *args,
                batch_size=batch_size,
                default_user=self.history_user,
                default_change_reason=IMPORT_REASON,
            )
            self.save_links(instances)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            instances.clear()

    def keeps_history(self):
        try:
            get_history_manager_for_model(self._meta.model)
        except NotHistoricalModelError:
            return False  # departments
        return True

    def auto_now_fields(self):
        return [
            f.name for f in self._meta.model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]

    def get_bulk_update_fields(self):
        concrete = {f.name for f in self._meta.model._meta.concrete_fields}
        names = [
            f.attribute
            for f in self.get_import_fields()
            if f.attribute in concrete and f.attribute not in self.key_attributes()
        ]
        extra = self.auto_now_fields() + (["version"] if "version" in concrete else [])
        return names + [name for name in extra if name not in names]

    def save_links(self, instances):
        """Make each row's many-to-many links what its cells say: one query to read the
        saved links of the batch, one to delete, one to insert, per column."""
        for import_field in self.link_fields():
            attribute = import_field.attribute
            wanted = {
                i.pk: {o.pk for o in i._import_links[attribute]}
                for i in instances
                if attribute in getattr(i, "_import_links", {})
            }
            if not wanted:
                continue
            through, source, target = self._through(attribute)
            saved, stale = defaultdict(set), []
            links = through.objects.filter(**{f"{source}__in": wanted}).values_list(
                "pk", source, target
            )
            for pk, owner, other in links:
                if other in wanted[owner]:
                    saved[owner].add(other)
                else:
                    stale.append(pk)
            if stale:
                through.objects.filter(pk__in=stale).delete()
            through.objects.bulk_create(
                through(**{source: owner, target: other})
                for owner, others in wanted.items()
                for other in others - saved[owner]
            )
            for instance in instances:
                if attribute in getattr(instance, "_import_links", {}):
                    import_field.widget.current[instance.pk] = instance._import_links[attribute]

    def import_data(self, dataset, dry_run=False, **kwargs):
        # The library rolls back on exceptions; roll back on invalid rows too, so a
        # confirmed import is whole even if the data changed since its preview.
        with transaction.atomic():
            result = super().import_data(dataset, dry_run=dry_run, **kwargs)
            if result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)
        # The library counts data rows; people look for the row Excel shows.
        for row in result.invalid_rows:
            row.number = self.file_row(row.number, kwargs)
        for row in result.error_rows:
            row.number = self.file_row(row.number, kwargs)
            for error in row.errors:
                error.number = row.number
        return result

    def get_result_class(self):
        return FileRowResult

    @staticmethod
    def file_row(number, kwargs):
        """A data row's number in the file: the header is row 1, so the first data row is
        row 2, unless `row_numbers` (from import_file) gives each row's own."""
        lines = kwargs.get("row_numbers")
        return lines[number - 1] if lines else number + 1

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = KeyedInstanceLoader
        use_bulk = True
        batch_size = 500


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
    partner_departments = LinkField(
        "partner_departments", StrictManyToManyWidget(Department, field="slug", separator=";")
    )
    chapters = LinkField("chapters", ChapterKeysWidget())
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


RESOURCES = {
    "departments": DepartmentResource,
    "projects": ProjectResource,
    "milestones": MilestoneResource,
    "investments": AnnualInvestmentResource,
    "indicator-values": IndicatorValueResource,
}
