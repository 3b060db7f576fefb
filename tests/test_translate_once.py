"""{% translate %} of a constant text kept for each language (projects/templatetags/
translate_once.py) writes what Django's {% translate %} writes, in each language, escaping
or not, with a message context, into a variable, and for texts that are not constant."""

import pytest
from django.template import engines
from django.utils import translation

TEMPLATE = """{% load i18n LIBRARY %}
{% translate "Milestones" %}|{% trans "stage" %}|{% translate "done" context "milestone" %}
{% translate "planned date" as label %}{{ label }}|{% translate "No milestones yet." noop %}
{% translate "100% <done>" %}|{% translate "stage"|upper %}|{% translate word %}
{% translate word context kind %}|{% autoescape off %}{% translate "Milestones" %}{% endautoescape %}
{% for n in three %}{% translate "action" %}{% endfor %}"""


TEMPLATES = {}  # one template for each library, as the loader keeps one: its nodes kept


def render(library, language, **context):
    template = TEMPLATES.get(library)
    if template is None:
        template = TEMPLATES[library] = engines["django"].from_string(
            TEMPLATE.replace("LIBRARY", library)
        )
    with translation.override(language):
        return template.render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_as_djangos_translate(language):
    context = {"word": "<b>stage</b>", "kind": "milestone", "three": [1, 2, 3]}
    expected = render("", language, **context)
    assert render("translate_once", language, **context) == expected
    # A second rendering (kept), then the other language, then this one again.
    assert render("translate_once", language, **context) == expected
    other = "en" if language == "zh-hans" else "zh-hans"
    assert render("translate_once", other, **context) == render("", other, **context)
    assert render("translate_once", language, word="done", kind="x", three=[]) == render(
        "", language, word="done", kind="x", three=[]
    )


def test_a_constant_text_is_kept_and_a_variable_one_is_not():
    from projects.templatetags.translate_once import ConstantTranslateNode

    template = engines["django"].from_string(
        '{% load i18n translate_once %}{% translate "stage" %}{% translate word %}'
        '{% translate "stage"|upper %}'
    )
    nodes = list(template.template.nodelist)[1:]
    assert [isinstance(node, ConstantTranslateNode) for node in nodes] == [True, False, False]
    with translation.override("zh-hans"):
        zh = template.render({"word": "stage"})
    with translation.override("en"):
        en = template.render({"word": "stage"})
    assert en == "stagestageSTAGE"
    assert zh != en
