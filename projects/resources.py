"""Spreadsheet import and export for administrators (django-import-export), keyed by codes
so a re-import updates rather than duplicates. Every row is validated like a form, unknown
codes are errors, a code twice in one file is an error, and an import with any error saves
nothing.

Imports are built for files of tens of thousands of rows (projects.importfiles feeds a
file to a resource a batch at a time): the rows that already exist are fetched with one
query per batch, codes are looked up once per import (projects.importcolumns), and rows are
written in batches with their history and many-to-many links (projects.importwrites). The
database's check constraints are not asked row by row: each has the same rule in the
model's clean() or a field validator, which every row goes through, and the constraint
stays as the last guard.

Columns are named in the district's words, with their units (项目编号, 总投资（亿元）): the
header row of the templates, the exports and the preview. A file may also name a column by
its code, the field's name (code, total_investment), as the files made before did; in any
order, but each column once and none the import does not know. Cells are read as a clerk
writes them (projects.cells: 3.2亿, 32000万, 2026年6月14日).

The resources use the library's documented hooks and options only; what they need beyond
those is in projects.importkit, with tests that fail if the library changes it."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import cells
from .importcolumns import (
    ChapterKeysWidget,
    LinkField,
    LinkListWidget,
    ParentChapterWidget,
    StrictForeignKeyWidget,
    StrictManyToManyWidget,
    by_code,
    cell_widget,
    set_pending_links,
)
from .importfiles import import_file  # noqa: F401 (its callers import it from here)
from . import uploads
from .importkit import FileResult
from .importwrites import BatchWriter, read_links
from .models import (
    AnnualInvestment,
    Department,
    KeyProject,
    Milestone,
    Plan,
    PlanChapter,
    Project,
)

IMPORT_REASON = "spreadsheet import"


def _plain(value):
    return value.pk if isinstance(value, models.Model) else value


class KeyedRows:
    """How CodeKeyedResource finds rows by their key (Meta.import_id_fields: a code, or a
    project's code and a milestone's title, and so on): the saved rows that a batch names
    are read in one query before it, and a key named twice in a file is refused, the
    error naming the row that named it first."""

    def key_fields(self):
        return [self.fields[name] for name in self._meta.import_id_fields]

    def key_attributes(self):
        return [f.attribute for f in self.key_fields()]

    def row_key(self, row):
        """The key a row names, as plain values (a related row's primary key); None when
        the row names no valid key (its own error will say why)."""
        try:
            return tuple(_plain(f.clean(row)) for f in self.key_fields())
        except (KeyError, ValueError, ValidationError):
            return None

    def instance_key(self, instance):
        opts = self._meta.model._meta
        return tuple(getattr(instance, opts.get_field(a).attname) for a in self.key_attributes())

    def find_saved_rows(self, dataset):
        """The saved rows that a batch's keys name (one query), and their links (one query
        per many-to-many column)."""
        keys = set()
        if dataset.headers:
            for values in dataset:
                keys.add(self.row_key(dict(zip(dataset.headers, values, strict=False))))
        keys.discard(None)
        self.saved_rows = {}
        if keys:
            lookups = {
                f"{a}__in": {key[i] for key in keys} for i, a in enumerate(self.key_attributes())
            }
            for instance in self.get_queryset().filter(**lookups):
                self.saved_rows[self.instance_key(instance)] = instance
        pks = [instance.pk for instance in self.saved_rows.values()]
        read_links(self._meta.model, self.link_fields(), pks)

    def get_instance(self, instance_loader, row):
        return self.saved_rows.get(self.row_key(row))

    def refuse_a_key_named_before(self, instance, kwargs):
        """A row whose key an earlier row of the file named is an error of its key."""
        key = self.instance_key(instance)
        if None in key:
            return
        number = self.file_row(kwargs.get("row_number", 0), kwargs)
        first = self.first_row_of_key.setdefault(key, number)
        if first != number:
            columns = ", ".join(f.column_name for f in self.key_fields())
            raise ValidationError(
                {
                    self.key_attributes()[-1]: _(
                        "Row %(row)s of this file has the same %(columns)s."
                    )
                    % {"row": first, "columns": columns}
                }
            )


class CodeKeyedResource(KeyedRows, resources.ModelResource):
    """What every import here shares: rows validated like forms, found by their key with one
    query per batch, a key twice in a file refused, unchanged rows skipped, rows written in
    batches with their history and links, all or nothing; and `example`: one filled-in row
    for the downloadable template.

    After its helpers come the library's hooks, in the order its import workflow calls
    them. An instance serves one import (the admin makes one per request). Beyond the library's
    own, import_data takes `history_user` (recorded in the history), and from import_file,
    which feeds a file a batch of rows at a time, `continued` (the next batch of the same
    file) and `row_numbers` (each data row's number in the file)."""

    example = {}
    column_names = {}  # field name → the column's header, in the district's words
    amount_fields = ()  # the fields holding money, in 亿元
    text_columns = ()  # the fields whose template column is text (codes such as 3.10)
    write_batch_size = 500  # rows per INSERT or UPDATE statement

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name, field in self.fields.items():  # this instance's own copies
            field.column_name = self.column_names.get(name, field.column_name)
        self.history_user = None
        self.saved_rows = {}  # key → saved row, for the batch being imported
        self.first_row_of_key = {}  # key → the file's row that named it first, all batches
        self.writer = None

    @classmethod
    def for_scripts(cls):
        """This resource for a scripted load, which shows no preview: without the HTML
        diff of every row (the library's skip_html_diff option on a subclass)."""
        return resources.modelresource_factory(
            cls._meta.model, resource_class=cls, meta_options={"skip_html_diff": True}
        )

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        """The library's field for a model field, its cells read as a clerk writes them."""
        field = super().field_from_django_field(field_name, django_field, readonly)
        widget = cell_widget(django_field, amount=field_name in cls.amount_fields)
        if widget is not None:
            field.widget = widget
        return field

    def columns(self):
        """The import's fields, in the order of Meta.fields."""
        return [self.fields[name] for name in self._meta.fields]

    def import_names(self):
        """The names (codes) of the columns an import reads, in order."""
        return [name for name in self._meta.fields if not self.fields[name].readonly]

    def import_headers(self):
        """The columns an import reads, in order, as the header row names them."""
        return [self.fields[name].column_name for name in self.import_names()]

    def column_of(self, name):
        """The header of the column that a field (or its model field) is read from; the name
        itself for an error of none."""
        for field_name, field in self.fields.items():
            if name in (field_name, field.attribute):
                return field.column_name
        return name

    def read_headers(self, dataset):
        """Name the dataset's columns as the fields do (a column named by its code, or its
        header written with half-width brackets, becomes that header), and say what is
        wrong with them: a column not read by this import, one named twice, a key column
        missing. A column without a header is left alone."""
        known = {}
        for name, field in self.fields.items():
            known[cells.normalize(field.column_name)] = field.column_name
            known[cells.normalize(name).lower()] = field.column_name
        headers, problems = [], []
        for header in dataset.headers or []:
            text = cells.normalize(str(header or "")).lstrip("\ufeff")
            column = known.get(text, known.get(text.lower()))
            if column is None and text:
                problems.append(
                    _("The column “%(column)s” is not one this import reads.")
                    % {"column": uploads.shorten(header, 30)}
                )
            elif column is not None and column in headers:
                problems.append(_("The column “%(column)s” is twice in the file.") % {"column": column})
            headers.append(column if column is not None else header)
        if dataset.headers:
            dataset.headers = headers
        missing = [f.column_name for f in self.key_fields() if f.column_name not in headers]
        if missing and not problems:
            problems.append(
                _("The file needs the column %(columns)s: it says which row each line is.")
                % {"columns": "、".join(missing)}
            )
        if problems:
            problems.append(
                _("The columns this import reads: %(columns)s.")
                % {"columns": "、".join(self.import_headers())}
            )
        return problems

    def link_fields(self):
        return [f for f in self.columns() if isinstance(f.widget, LinkListWidget)]

    def code_fields(self):
        return [f for f in self.columns() if isinstance(f.widget, StrictForeignKeyWidget)]

    def get_queryset(self):
        related = [
            f.attribute for f in self.columns() if isinstance(f.widget, widgets.ForeignKeyWidget)
        ]
        return super().get_queryset().select_related(*related)

    def update_fields(self):
        """What a changed row's bulk update writes: its columns but the key, and the
        version."""
        concrete = {f.name for f in self._meta.model._meta.concrete_fields}
        key = set(self.key_attributes())
        names = [f.attribute for f in self.columns() if f.attribute in concrete - key]
        return names + (["version"] if "version" in concrete else [])

    @classmethod
    def get_result_class(cls):
        return FileResult

    @staticmethod
    def file_row(number, kwargs):
        """A data row's number in the file: the header is row 1, so the first data row is
        row 2, unless `row_numbers` (from import_file) gives each row's own."""
        lines = kwargs.get("row_numbers")
        return lines[number - 1] if lines else number + 1

    # --- the import workflow ---------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """All or nothing, in one transaction of ours around the library's run (told to use
        none: its own would add a savepoint per row): the rows are checked, the valid ones
        written in batches, and everything is rolled back on a dry run (so a preview has
        met the database too) or on any error, an invalid row included. Rows are numbered
        as the file numbers them."""
        kwargs["use_transactions"] = False
        problems = self.read_headers(dataset)
        if problems and not kwargs.get("continued"):
            result = self.get_result_class()()
            for problem in problems:
                result.add_error(ValueError(problem))
            return result
        self.writer = BatchWriter(
            self._meta.model,
            update_fields=self.update_fields(),
            link_fields=self.link_fields(),
            batch_size=self.write_batch_size,
        )
        with transaction.atomic():
            result = super().import_data(
                dataset, dry_run=False, raise_errors=raise_errors, **kwargs
            )
            try:
                with transaction.atomic():
                    written = self.writer.created + self.writer.updated
                    self.writer.write(user=self.history_user, reason=IMPORT_REASON)
                    self.after_write(written)
            except Exception as error:  # reported as the library reports a failed batch
                if raise_errors:
                    raise
                result.add_error(error)
            if dry_run or result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)
        result.number_rows(lambda number: self.file_row(number, kwargs))
        result.name_columns(self.column_of)
        return result

    def after_write(self, instances):
        """What follows from the rows just written (in the import's transaction)."""

    def before_import(self, dataset, **kwargs):
        if not kwargs.get("continued"):
            # A new import (not the next batch of a file): forget earlier lookups.
            for field in self.columns():
                if hasattr(field.widget, "cache"):
                    field.widget.cache.clear()
            self.first_row_of_key = {}
        self.history_user = kwargs.get("history_user")
        for field in self.code_fields():
            if dataset.headers and field.column_name in dataset.headers:
                field.widget.prefetch(dataset[field.column_name])
        self.find_saved_rows(dataset)

    def before_import_row(self, row, **kwargs):
        # An empty spreadsheet cell arrives as None; a text field wants "".
        opts = self._meta.model._meta
        for field in self.columns():
            try:
                model_field = opts.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if isinstance(model_field, (models.CharField, models.TextField)):
                if row.get(field.column_name, "") is None:
                    row[field.column_name] = ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.link_fields():  # the library reads these only after saving
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)
        self.refuse_a_key_named_before(instance, kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for field in self.columns():
            if isinstance(field.widget, LinkListWidget):
                if field.column_name not in row:
                    continue
                wanted = sorted(o.pk for o in field.clean(row))
                saved = sorted(o.pk for o in field.widget.current.get(original.pk, []))
                if wanted != saved:
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Like a form: field rules and the model's clean(). A related row found by its code
        exists, so it is not looked up again; the key is unique by the lookup of saved rows
        and the duplicate check; other unique rules (a department's name) are checked
        here."""
        errors = dict(import_validation_errors or {})
        if self.key_attributes()[-1] in errors:
            # The key of an earlier row of this file: that is the row's error, and what it
            # would change of that row says nothing more.
            raise ValidationError(errors)
        opts = self._meta.model._meta
        by_code = {f.attribute for f in self.code_fields()}
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

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None and hasattr(instance, "version"):
            instance.version += 1  # an editing form loaded before the import is now stale

    def do_instance_save(self, instance, is_create):
        self.writer.add(instance, is_create)  # written with its batch, in import_data

    def save_m2m(self, instance, row, **kwargs):
        # The links too are written with the batch.
        fields = [f for f in self.link_fields() if f.column_name in row]
        set_pending_links(instance, {f.attribute: list(f.clean(row)) for f in fields})

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
    column_names = {
        "slug": "单位代码",
        "name": "单位名称",
        "short_name": "单位简称",
        "name_en": "英文名称",
        "kind": "单位类型",
        "contact": "联系方式",
    }

    class Meta:
        model = Department
        import_id_fields = ["slug"]
        fields = ["slug", "name", "short_name", "name_en", "kind", "contact"]


class ProjectResource(CodeKeyedResource):
    lead_department = by_code("lead_department", Department, field="slug")
    # The umbrella entry's code (saved before, or in an earlier import); the model's rules
    # (not part of itself, no part of a part) are the row's errors.
    part_of = by_code("part_of", Project)
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
        "part_of": "",
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
    column_names = {
        "code": "项目编号",
        "name": "项目名称",
        "name_en": "英文名称",
        "category": "项目类别",
        "area": "所在片区",
        "stage": "项目阶段",
        "part_of": "所属总项目编号",
        "lead_department": "牵头单位代码",
        "partner_departments": "配合单位代码（以;分隔）",
        "leader": "包保领导",
        "contact_name": "项目联系人",
        "contact_phone": "联系电话",
        "start_date": "开工日期",
        "planned_completion": "计划建成日期",
        "total_investment": "总投资（亿元）",
        "chapters": "对应规划章节（以;分隔）",
        "description": "项目简介",
        "source_paragraph": "原文段落号",
        "source_sentence": "原文语句",
    }
    amount_fields = ("total_investment",)

    def after_write(self, instances):
        # A new project (or one whose category changed) gets its approvals checklist.
        from .services import approvals_fill

        codes = [instance.code for instance in instances]
        approvals_fill(projects=Project.objects.filter(code__in=codes), by=self.history_user)

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
            "part_of",
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


class ChangeReasonField(fields.Field):
    """A column read into the row's history record (the model's `_change_reason`, which
    Milestone.clean asks of a re-baseline); blank when exported, as it is no saved value."""

    def __init__(self, column):
        super().__init__(attribute="_change_reason", column_name=column, widget=widgets.CharWidget())

    def get_value(self, instance):
        return None


class MilestoneResource(CodeKeyedResource):
    project = by_code("project", Project)
    responsible_department = by_code("responsible_department", Department, field="slug")
    # A re-baseline (a new planned date for a saved milestone) is refused without a reason.
    change_reason = ChangeReasonField("change_reason")
    original_planned_date = fields.Field(
        attribute="original_planned_date", column_name="original_planned_date", readonly=True
    )
    example = {
        "project": "LW-TRA-001",
        "title": "主体工程开工",
        "planned_date": "2026-09-30",
        "forecast_date": "",
        "forecast_reason": "",
        "actual_date": "",
        "responsible_department": "housing-transport",
        "change_reason": "",
    }
    column_names = {
        "project": "项目编号",
        "title": "节点名称",
        "planned_date": "计划日期",
        "forecast_date": "预计完成日期",
        "forecast_reason": "预计日期调整原因",
        "actual_date": "实际完成日期",
        "responsible_department": "责任单位代码",
        "change_reason": "修改原因",
        "original_planned_date": "原计划日期",
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
            "change_reason",
            "original_planned_date",
        ]


class AnnualInvestmentResource(CodeKeyedResource):
    project = by_code("project", Project)
    example = {"project": "LW-TRA-001", "year": 2026, "planned": "3.2", "completed": "1.1"}
    column_names = {
        "project": "项目编号",
        "year": "年度",
        "planned": "计划投资（亿元）",
        "completed": "完成投资（亿元）",
        "corrected_by": "更正人",
        "correction_reason": "更正原因",
    }
    amount_fields = ("planned", "completed")

    class Meta:
        model = AnnualInvestment
        import_id_fields = ["project", "year"]
        fields = ["project", "year", "planned", "completed", "corrected_by", "correction_reason"]


class KeyProjectResource(CodeKeyedResource):
    """Which projects are district key projects of a year. Their annual plan is the
    project's planned investment for the year: the investments import carries it."""

    project = by_code("project", Project)
    example = {"project": "LW-TRA-001", "year": 2026}
    column_names = {"project": "项目编号", "year": "年度"}

    class Meta:
        model = KeyProject
        import_id_fields = ["project", "year"]
        fields = ["project", "year"]


class FileOrderMixin:
    """An `order` column that may be left empty: the row's place in the file (its row
    number), so an outline keeps the order of its rows. A file of some rows only gives
    their order."""

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        column = self.fields["order"].column_name
        if column in row and cells.is_empty(row[column]):
            row[column] = self.file_row(kwargs.get("row_number", 0), kwargs)


def plan_column():
    """A plan by its number (15 for the 15th Five-Year Plan)."""
    return by_code("plan", Plan, field="number")


class ChapterResource(FileOrderMixin, CodeKeyedResource):
    """A plan's outline: its chapters and sections, keyed by the plan's number and the
    chapter's code. A section's parent is named by its code in the same plan: a chapter
    saved before or one an earlier row of the file brings (new chapters are written
    parents first). The model's rules (PlanChapter.clean: a section's code starts with its
    parent's) are each row's errors."""

    plan = plan_column()
    parent = fields.Field(column_name="parent", attribute="parent", widget=ParentChapterWidget())
    text_columns = ("code", "parent")
    example = {
        "plan": 15,
        "code": "3.1",
        "title": "加快建设现代化产业体系",
        "parent": "3",
        "order": "",
        "paragraph_start": "",
        "paragraph_end": "",
        "title_is_official": "是",
        "calls_for_works": "是",
    }
    column_names = {
        "plan": "规划届次",
        "code": "章节编号",
        "title": "章节标题",
        "parent": "上级章节编号",
        "order": "排序（空：按行序）",
        "paragraph_start": "起始段落号",
        "paragraph_end": "结束段落号",
        "title_is_official": "标题为原文（是/否）",
        "calls_for_works": "需项目落实（是/否）",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["parent"].widget.plan_field = self.fields["plan"]

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance.plan_id is not None and instance.code:
                # The rows after it may name it as their parent.
                self.fields["parent"].widget.add(instance)

    class Meta:
        model = PlanChapter
        import_id_fields = ["plan", "code"]
        fields = [
            "plan",
            "code",
            "title",
            "parent",
            "order",
            "paragraph_start",
            "paragraph_end",
            "title_is_official",
            "calls_for_works",
        ]


# The kinds manage.py import_spreadsheet loads; other apps add theirs in AppConfig.ready().
RESOURCES = {
    "departments": DepartmentResource,
    "projects": ProjectResource,
    "milestones": MilestoneResource,
    "investments": AnnualInvestmentResource,
    "key-projects": KeyProjectResource,
    "chapters": ChapterResource,
}
