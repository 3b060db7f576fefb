"""{% url %} of a constant address kept for each script prefix (projects/templatetags/
url_once.py) writes what Django's {% url %} writes: under another script prefix, escaping
or not, with arguments, into a variable, and for names that are not constant."""

from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

TEMPLATE = """{% load LIBRARY %}{% url 'projects:portfolio' %}|{% url "home" %}
{% url 'projects:detail' code %}|{% url name %}|{% url 'projects:overdue' as there %}{{ there }}
{% autoescape off %}{% url 'projects:portfolio' %}{% endautoescape %}
{% for n in three %}{% url 'projects:chapters' %}{% endfor %}"""


TEMPLATES = {}  # one template for each library, as the loader keeps one: its nodes kept


def render(library, prefix="/"):
    template = TEMPLATES.get(library)
    if template is None:
        template = TEMPLATES[library] = engines["django"].from_string(
            TEMPLATE.replace("LIBRARY", library)
        )
    set_script_prefix(prefix)
    try:
        return template.render({"code": "LW-TRA-1", "name": "projects:plans", "three": [1, 2]})
    finally:
        clear_script_prefix()


def test_the_same_as_djangos_url_under_each_script_prefix():
    expected = render("")
    assert "/projects/" in expected and "/projects/LW-TRA-1/" in expected
    # A second rendering (kept), then under another prefix, then the first again.
    assert render("url_once") == expected
    assert render("url_once") == expected
    assert render("url_once", "/liwan/") == render("", "/liwan/") != expected
    assert render("url_once") == expected


def test_a_constant_address_is_kept_and_others_are_not():
    from projects.templatetags.url_once import ConstantURLNode

    template = engines["django"].from_string(TEMPLATE.replace("LIBRARY", "url_once"))
    from django.template.defaulttags import URLNode

    urls = template.template.nodelist.get_nodes_by_type(URLNode)
    kept = [node.view_name.var for node in urls if isinstance(node, ConstantURLNode)]
    assert kept == ["projects:portfolio", "home", "projects:portfolio", "projects:chapters"]
    assert len(urls) == 7
