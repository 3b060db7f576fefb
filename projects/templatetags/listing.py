"""The list pages' active filters as chips (templates/_filters.html)."""

from dataclasses import dataclass

from django import forms, template

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
