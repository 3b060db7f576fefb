"""{% url %} of a constant address reversed once: loaded, it takes over {% url %} in the
template that loads it. An address named by a literal, with no arguments and not kept
`as` a variable (the menu's dozen and a half links atop every page), is the same at every
rendering for the same script prefix, URLconf and current application, so it is reversed
at its first rendering for those and kept on the template's node; anything else is
Django's {% url %} as it is."""

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf

register = template.Library()


class ConstantURLNode(URLNode):
    def render(self, context):
        try:  # as Django's URLNode finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (get_script_prefix(), get_urlconf(), current_app, context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            value = self.rendered[key] = super().render(context)
        return value


@register.tag("url")
def url(parser, token):
    """{% url %}, its constant addresses reversed once for each script prefix."""
    node = django_url(parser, token)
    name = node.view_name
    literal = isinstance(name.var, str)  # a quoted name; a variable's is a Variable
    if literal and not name.filters and not node.args and not node.kwargs and not node.asvar:
        node.__class__ = ConstantURLNode
        node.rendered = {}
    return node
