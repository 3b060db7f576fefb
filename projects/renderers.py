"""How forms are rendered: by the project's template engine (FORM_RENDERER), so that
templates/django/forms/ can override a widget's template, and with the commonest widgets
written here in Python. A filter form has some 200 options; its select template, even with
the options written in place, cost a list page more than its rows; the report form's twenty
inputs and text boxes, each a template with an include, cost it 4 ms. The markup is the
templates', byte for byte (tests/test_renderers.py renders both ways); a select the template
alone can write (an option with a template of its own, a label that is not text) is left to
it."""

from html import escape as html_escape

from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Django's templates of these widgets are each django/forms/widgets/input.html alone.
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
}  # fmt: skip


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return input_(context["widget"])
        if template_name == TEXTAREA:
            return textarea(context["widget"])
        if template_name == SELECT:
            html = select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def esc(value):
    """conditional_escape(value), the same text, but plain text escaped without Django's
    lazy-string checks (html.escape is what Django's escape runs): a list page escapes
    some thousand values."""
    if type(value) is str:
        return html_escape(value)
    return conditional_escape(value)


def html(value):
    """{{ value }}, autoescaped."""
    return esc(str(value))


def text(value):
    """{{ value|stringformat:'s' }}, autoescaped."""
    return value if isinstance(value, SafeData) else html_escape("%s" % (value,))


def attributes(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {html(name)}" if value is True else f' {html(name)}="{text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_(widget):
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{text(widget["value"])}"'
    return mark_safe(
        f'<input type="{html(widget["type"])}" name="{html(widget["name"])}"{value}'
        f"{attributes(widget['attrs'])}>"
    )


def textarea(widget):
    """django/forms/widgets/textarea.html."""
    value = html(widget["value"]) if widget["value"] else ""
    return mark_safe(
        f'<textarea name="{html(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def select(widget):
    """templates/django/forms/widgets/select.html, or None when only it can say."""
    parts = [f'<select name="{html(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{html(group_name)}">')
        for option in options:
            label = option["label"]
            if option["template_name"] != OPTION or not isinstance(label, (str, Promise)):
                return None
            parts.append(
                f'\n  <option value="{text(option["value"])}"{attributes(option["attrs"])}>'
                f"{html(label)}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))
