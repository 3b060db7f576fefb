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
import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import AnnualInvestment, Department, KeyProject, Milestone, PlanChapter, Project

IMPORT_REASON = "spreadsheet import"


class LinkListWidget(widgets.ManyToManyWidget):
    """A many-to-many column as a list of codes. Each cell's value is looked up once per
    import; a value that matches nothing is an error, not ignored. `current` holds the
    links of the rows being imported (fetched by the instance loader in one query), so
    comparing and previewing a row asks the database nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = {}
        self.current = {}

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

    def saved_objects(self, manager):
        return manager.all()

    def label(self, obj):
        return str(getattr(obj, self.field))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, list):  # what an import row will set (LinkField)
            objects = value
        elif value.instance.pk in self.current:
            objects = self.current[value.instance.pk]
        else:
            objects = self.saved_objects(value)
        return self.separator.join(self.label(o) for o in objects)


class StrictManyToManyWidget(LinkListWidget):
    """Related rows by a code field (departments by slug, say)."""


class ChapterKeysWidget(LinkListWidget):
    """Chapters as their keys, such as 14-4.1;14-5.2."""

    related_select = ("plan",)

    def __init__(self, **kwargs):
        super().__init__(PlanChapter, separator=";", **kwargs)

    def _lookup(self, text):
        found, missing = [], []
        for key in [k.strip() for k in text.split(self.separator) if k.strip()]:
            try:
                found.append(PlanChapter.objects.select_related("plan").by_key(key))
            except PlanChapter.DoesNotExist:
                missing.append(key)
        return found, missing

    def saved_objects(self, manager):
        return manager.select_related("plan")

    def label(self, obj):
        return obj.key


class LinkField(fields.Field):
    """A many-to-many column (LinkListWidget). While a row is imported its value is the
    list of rows it will link to, so the preview shows the new links before they are
    written with the row's batch."""

    def __init__(self, column, widget):
        super().__init__(column_name=column, attribute=column, widget=widget, m2m_add=False)

    def get_value(self, instance):
        pending = getattr(instance, "_import_links", {})
        if self.attribute in pending:
            return pending[self.attribute]
        if instance.pk is None:
            return None
        return super().get_value(instance)


UNKNOWN = object()


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a code; an unknown code is an error. Each code is looked up once
    per import (the cache is emptied before every import), not once per row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = {}

    def prefetch(self, values):
        """Look up every code of a column at once (one query for a batch of rows)."""
        wanted = {v for v in values if v not in (None, "") and v not in self.cache}
        if not wanted:
            return
        found = {
            str(getattr(obj, self.field)): obj
            for obj in self.model.objects.filter(**{f"{self.field}__in": {str(v) for v in wanted}})
        }
        for value in wanted:
            self.cache[value] = found.get(str(value), UNKNOWN)

    def clean(self, value, row=None, **kwargs):
        if value not in self.cache:
            try:
                self.cache[value] = super().clean(value, row, **kwargs)
            except self.model.DoesNotExist:
                self.cache[value] = UNKNOWN
        found = self.cache[value]
        if found is UNKNOWN:
            raise ValueError(_("Unknown: %(values)s") % {"values": value})
        return found


def by_code(column, model, field="code"):
    """A foreign key column holding the related row's code."""
    return fields.Field(
        column_name=column, attribute=column, widget=StrictForeignKeyWidget(model, field=field)
    )


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
            bulk_create_with_history,
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
            bulk_update_with_history,
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
        fields = ["project", "year", "planned", "completed", "corrected_by", "correction_reason"]


class KeyProjectResource(CodeKeyedResource):
    project = by_code("project", Project)
    example = {"project": "LW-TRA-001", "year": 2026, "planned": "3.2"}

    class Meta:
        model = KeyProject
        import_id_fields = ["project", "year"]
        fields = ["project", "year", "planned"]


# The kinds manage.py import_spreadsheet loads; other apps add theirs in AppConfig.ready().
RESOURCES = {
    "departments": DepartmentResource,
    "projects": ProjectResource,
    "milestones": MilestoneResource,
    "investments": AnnualInvestmentResource,
    "key-projects": KeyProjectResource,
}


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
    a time, so a large file is never held in memory whole."""
    if fmt == "xlsx":
        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise FileError(_("This is not an Excel workbook (.xlsx).")) from None
        rows = book.active.iter_rows(values_only=True)
    elif fmt == "csv":
        rows = csv.reader(io.TextIOWrapper(file, encoding="utf-8-sig", newline=""))
    else:
        raise FileError(_("Unknown file format %(format)s: use csv or xlsx.") % {"format": fmt})
    try:
        yield from rows
    except (UnicodeDecodeError, csv.Error):
        raise FileError(_("This is not a UTF-8 CSV file.")) from None


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
        batch, dry_run=False, user=user, continued=bool(outcome.rows), row_numbers=lines
    )
    outcome.rows += len(batch)
    for kind, count in result.totals.items():
        outcome.totals[kind] += count
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    for error in result.base_errors:
        outcome.add_error(0, "", error.error, max_errors)
    for number, errors in result.row_errors():
        for error in errors:
            outcome.add_error(number, "", error.error, max_errors)
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            for message in messages:
                column = "" if name == NON_FIELD_ERRORS else columns.get(name, name)
                outcome.add_error(invalid.number, column, message, max_errors)
