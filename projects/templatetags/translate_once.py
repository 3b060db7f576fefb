"""{% translate %} of a constant text translated once for each language: loaded after i18n,
it takes over {% translate %} (and {% trans %}) in the template that loads it. A constant
text (a literal, without filters, its message context if any a literal too) is the same
translation every time in a language, so it is translated at its first rendering in each
language and kept on the template's node; anything else is Django's {% translate %} as it
is. A project's page has some eighty such labels, each of which cost a lookup of the
literal, a translation and an escape at every request."""

from django import template
from django.template.base import Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

register = template.Library()


class ConstantTranslateNode(TranslateNode):
    """A TranslateNode of a constant text, whose rendering is kept for each language (and
    whether the context escapes, though a literal's translation is safe text either way)."""

    def render(self, context):
        key = (get_language(), context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            value = super().render(context)
            if self.asvar:
                value = context[self.asvar]
            self.rendered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def is_constant(node):
    text, message_context = node.filter_expression, node.message_context
    literal = (
        isinstance(text.var, Variable) and text.var.literal is not None and not text.var.lookups
    )
    constant_context = message_context is None or not (
        message_context.is_var or message_context.filters
    )
    return literal and not text.filters and constant_context


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    """{% translate %}, its constant texts translated once for each language."""
    node = do_translate(parser, token)
    if is_constant(node):
        node.__class__ = ConstantTranslateNode
        node.rendered = {}
    return node
