"""The list pages' active filters as chips (templates/_filters.html)."""

from dataclasses import dataclass

from django import forms, template
from django.template.loader import get_template
from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()

PAGE = "page"  # the tables' page parameter (ListPageMixin sets no prefix)


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str  # this page without the filter, the others and the sorting kept
    understood: bool = True


@register.simple_tag(takes_context=True)
def active_filters(context, *shown_forms):
    """A chip for each filter the page's address sets to something other than its default,
    in the forms' order. Its link drops that one parameter (and the page number: the rows
    change) and keeps every other. Reads the forms as the view has already checked them: no
    query (a department or chapter chosen was fetched when the filter was checked)."""
    request = context["request"]
    chips = []
    for form in shown_forms:
        if not form:
            continue
        errors = form.errors  # checks the form, if the view has not
        cleaned = getattr(form, "cleaned_data", {})
        for bound in form:
            raw = request.GET.get(bound.html_name, "").strip()
            if not raw or raw == str(bound.initial if bound.initial is not None else ""):
                continue
            query = request.GET.copy()
            query.pop(bound.html_name, None)
            query.pop(PAGE, None)
            understood = bound.name not in errors
            chips.append(
                Chip(
                    label=bound.label,
                    value=shown_value(bound.field, cleaned.get(bound.name), raw)
                    if understood
                    else raw,
                    remove_url=f"?{query.urlencode()}" if query else request.path,
                    understood=understood,
                )
            )
    return chips


def shown_value(field, value, raw):
    """The filter's value as its select shows it (a department's name, not its number)."""
    if isinstance(field, forms.ModelChoiceField):
        return raw if value is None else field.label_from_instance(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(raw, raw))
    return raw


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """The <thead> of a list's table (templates/_table.html), written in Python: the
    header cells, each sortable one linking to the page sorted by it (django-tables2's
    querystring_replace) and the sorted one marked (_sort_mark.html). Through the template
    its fourteen cells cost a page more than most of its rows' markup; the markup is the
    same."""
    query = dict(context["request"].GET)
    field = table.prefixed_order_by_field
    cells = []
    for column in table.columns:
        th = f"\n    <th {column.attrs['th'].as_html()}"
        header = conditional_escape(column.header)
        if column.is_ordered:
            descending = column.order_by_alias.is_descending
            th += f' aria-sort="{"descending" if descending else "ascending"}"'
        if column.orderable:
            if field not in ("", None):
                query[field] = column.order_by_alias.next
            href = escape("?" + urlencode(query, doseq=True))
            mark = sort_mark(descending) if column.is_ordered else ""
            cells.append(f'{th}><a href="{href}">{header}{mark}</a></th>')
        else:
            cells.append(f"{th}>{header}</th>")
    return mark_safe(
        f"\n<thead {table.attrs['thead'].as_html()}>\n  <tr>{''.join(cells)}\n  </tr>\n</thead>\n"
    )


def sort_mark(descending):
    return get_template("_sort_mark.html").render({"descending": descending})
