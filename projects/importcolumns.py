"""Spreadsheet columns: values read as a clerk writes them (projects.cells), and columns
that name other rows by their codes: a foreign key by a code (a project's code, a
department's slug) and a many-to-many column as a list of codes. An unknown code is an
error of its column, never ignored, and each code is looked up once per import, not once
per row (the documented advice for ForeignKeyWidget in bulk imports)."""

from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, widgets

from . import cells
from .models import PlanChapter
from .uploads import shorten


class AmountWidget(widgets.DecimalWidget):
    """An amount in 亿元: 3.2, 3.2亿, 32000万 (cells.amount); written without trailing
    zeros (3.15, not 3.1500)."""

    def clean(self, value, row=None, **kwargs):
        return cells.amount(value)

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, Decimal) and not kwargs.get("force_native_type"):
            return format(value.normalize(), "f")
        return super().render(value, obj, **kwargs)


class FigureWidget(AmountWidget):
    """A number in its indicator's unit (cells.number): no 亿 or 万 to read."""

    def clean(self, value, row=None, **kwargs):
        return cells.number(value)


class WholeNumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        return cells.whole_number(value)


class DayWidget(widgets.DateWidget):
    """A date: 2026-06-14, 2026/6/14, 2026年6月14日 or a date cell (cells.date); written as
    2026-06-14."""

    def clean(self, value, row=None, **kwargs):
        return cells.date(value)


class ChoiceWidget(widgets.CharWidget):
    """A choice, by its code or by its name in Chinese or in English (约束性, binding);
    a shorter word (two characters or more) for one of the Chinese names, contained in it
    and in no other, is read too (累计 for 规划期内累计), and so is a name with more words
    (约束性指标). Anything else is refused, naming the choices; a choice is
    written as its code. The choices are the model field's: whether a choice is allowed
    stays the model's rule."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self._words = None

    def words(self):
        """{a word as normalized: its code}, and the Chinese names by code."""
        if self._words is None:
            self._words = self.read_words()
        return self._words

    def read_words(self):
        words, chinese = {}, {}
        with translation.override("zh-hans"):
            for code, label in self.choices:
                chinese[code] = cells.normalize(str(label))
        with translation.override("en"):
            for code, label in self.choices:
                words[cells.normalize(str(label)).lower()] = code
        for code in chinese:
            words[chinese[code]] = code
            words[cells.normalize(code).lower()] = code
        return words, chinese

    def clean(self, value, row=None, **kwargs):
        if cells.is_empty(value):
            return ""
        text = cells.normalize(value)
        words, chinese = self.words()
        code = words.get(text, words.get(text.lower()))
        if code is None:
            near = [
                c for c, name in chinese.items() if (len(text) > 1 and text in name) or name in text
            ]
            if len(near) == 1:
                code = near[0]
        if code is None:
            raise cells.NotReadable(
                _("“%(value)s” is not one of: %(choices)s")
                % {
                    "value": shorten(str(value).strip(), 20),
                    "choices": "、".join(str(label) for _code, label in self.choices),
                }
            )
        return code


class YesNoWidget(widgets.BooleanWidget):
    """Yes or no: 是 or 否 (also 1 or 0, TRUE or FALSE, a ticked Excel cell); empty is the
    field's default; anything else is refused (the library reads it as no)."""

    YES = {"是", "1", "true", "yes", "√"}
    NO = {"否", "0", "false", "no", "×"}

    def clean(self, value, row=None, **kwargs):
        if cells.is_empty(value):
            return None
        if isinstance(value, bool):
            return value
        text = cells.normalize(value).lower()
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise cells.NotReadable(
            _("“%(value)s” is not yes or no: write 是 or 否")
            % {"value": shorten(str(value).strip(), 20)}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "是" if value else "否"


def cell_widget(django_field, amount=False):
    """The widget that reads a model field's cells as a clerk writes them, or None for a
    field read as the library reads it (a text)."""
    if django_field.choices:
        return ChoiceWidget(django_field.choices)
    if isinstance(django_field, models.BooleanField):
        return YesNoWidget()
    if isinstance(django_field, models.DecimalField):
        return AmountWidget() if amount else FigureWidget()
    if isinstance(django_field, models.IntegerField):
        return WholeNumberWidget()
    if isinstance(django_field, models.DateField) and not isinstance(
        django_field, models.DateTimeField
    ):
        return DayWidget()
    return None

UNKNOWN = object()


def unknown(values):
    return ValueError(_("Unknown: %(values)s") % {"values": values})


def _code(value):
    """A code as typed, without spaces and in half-width characters."""
    return cells.normalize(value) if isinstance(value, str) else value


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a code. `prefetch` looks up a column's codes for a batch of rows in
    one query; a code not prefetched is looked up on its own, once."""

    def __init__(self, model, field="code", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.cache = {}

    def prefetch(self, values):
        values = [_code(v) for v in values]
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
        value = _code(value)
        if value not in self.cache:
            try:
                self.cache[value] = super().clean(value, row, **kwargs)
            except self.model.DoesNotExist:
                self.cache[value] = UNKNOWN
        found = self.cache[value]
        if found is UNKNOWN:
            raise unknown(value)
        return found


def by_code(column, model, field="code"):
    """A foreign key column holding the related row's code."""
    return fields.Field(
        column_name=column, attribute=column, widget=StrictForeignKeyWidget(model, field=field)
    )


class LinkListWidget(widgets.ManyToManyWidget):
    """A many-to-many column as a list of codes. Each distinct cell is looked up once per
    import. `current` holds the saved links of the rows being imported (read by the
    resource in one query per column), so comparing and previewing a row asks the
    database nothing."""

    related_select = ()  # what to fetch with each linked row to write its label

    def __init__(self, model, field="pk", separator=";", **kwargs):
        super().__init__(model, separator=separator, field=field, **kwargs)
        self.model, self.field, self.separator = model, field, separator  # ours to read
        self.cache = {}
        self.current = {}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "")
        if text not in self.cache:
            self.cache[text] = self.lookup(text)
        found, missing = self.cache[text]
        if missing:
            raise unknown(", ".join(missing))
        return found

    def codes(self, text):
        """The codes a cell lists, separated by ; (or a full-width ；)."""
        return [v for v in cells.normalize(text).split(self.separator) if v]

    def lookup(self, text):
        """(the rows the text names, the codes that name nothing)"""
        wanted = self.codes(text)
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
        if isinstance(value, list):  # the links an import row will write (LinkField)
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

    def lookup(self, text):
        found, missing = [], []
        for key in self.codes(text):
            try:
                found.append(PlanChapter.objects.select_related("plan").by_key(key))
            except PlanChapter.DoesNotExist:
                missing.append(key)
        return found, missing

    def saved_objects(self, manager):
        return manager.select_related("plan")

    def label(self, obj):
        return obj.key


class ChaptersOfPlan:
    """Chapters named by their codes in the plan a row names (a chapter's parent, an
    indicator's chapters): `plan_field`, set by the resource, reads a row's plan; each
    plan's chapters are read once per import, in one query, into `cache` (emptied at
    each new import), and the chapters an import's rows bring are added to it as they are
    read (`add`)."""

    plan_field = None

    def row_plan(self, row):
        """The row's plan; None when its column has none (that column says what is wrong)."""
        try:
            return self.plan_field.clean(row)
        except (KeyError, ValueError):
            return None

    def chapter(self, plan, code):
        if ("plan", plan.pk) not in self.cache:
            self.cache[("plan", plan.pk)] = True
            for chapter in PlanChapter.objects.filter(plan=plan):
                chapter.plan = plan
                self.cache.setdefault((plan.pk, chapter.code), chapter)
        return self.cache.get((plan.pk, code))

    def add(self, chapter):
        """A chapter a row of the file brings, found by the rows after it."""
        self.cache[(chapter.plan_id, chapter.code)] = chapter


class ParentChapterWidget(ChaptersOfPlan, StrictForeignKeyWidget):
    """A chapter's parent by its code, in the row's plan: a chapter saved before, or one an
    earlier row of the same file brings (an outline lists a chapter before its sections)."""

    def __init__(self, **kwargs):
        super().__init__(PlanChapter, field="code", **kwargs)

    def prefetch(self, values):
        pass  # read a plan at a time (ChaptersOfPlan.chapter)

    def clean(self, value, row=None, **kwargs):
        code = _code(value)
        if code in (None, ""):
            return None
        plan = self.row_plan(row)
        if plan is None:
            return None
        found = self.chapter(plan, str(code))
        if found is None:
            raise ValueError(
                _(
                    "The plan has no chapter %(code)s, saved before or in an earlier row of "
                    "this file."
                )
                % {"code": code}
            )
        return found


class PlanChapterCodesWidget(ChaptersOfPlan, LinkListWidget):
    """Chapters as their codes in the row's plan, such as 3.1;4."""

    def __init__(self, **kwargs):
        super().__init__(PlanChapter, field="code", separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        plan = self.row_plan(row)
        if plan is None:
            return []
        found, missing = [], []
        for code in self.codes(str(value or "")):
            chapter = self.chapter(plan, code)
            if chapter is None:
                missing.append(code)
            else:
                found.append(chapter)
        if missing:
            raise unknown(", ".join(missing))
        return found


def set_pending_links(instance, links):
    """Remember on a row's instance the links its cells name ({attribute: [rows]}), to be
    written with its batch."""
    instance._import_links = links


def pending_links(instance):
    return getattr(instance, "_import_links", {})


class LinkField(fields.Field):
    """A many-to-many column (LinkListWidget). While a row is imported its value is the
    list of rows it will link to, so the preview shows the new links before they are
    written with the row's batch."""

    def __init__(self, column, widget):
        super().__init__(column_name=column, attribute=column, widget=widget, m2m_add=False)

    def get_value(self, instance):
        pending = pending_links(instance)
        if self.attribute in pending:
            return pending[self.attribute]
        if instance.pk is None:
            return None
        return super().get_value(instance)
