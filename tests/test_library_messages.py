"""The messages of the libraries we ship that their own zh-hans catalogues lack or get wrong
are translated in ours (liwan_projects/library_messages.py names them): each is still a
msgid of its library, and each reads in Chinese."""

import ast
import re
from functools import cache
from pathlib import Path

import django
import django_filters
import import_export
import pytest
from django.conf import settings
from django.utils import translation

MODULE = settings.BASE_DIR / "liwan_projects" / "library_messages.py"
LIBRARIES = {
    "IMPORT_EXPORT": [Path(import_export.__file__).parent],
    "IMPORT_EXPORT_PLURALS": [Path(import_export.__file__).parent],
    "DJANGO_FILTER": [Path(django_filters.__file__).parent],
    "DJANGO": [Path(django.__file__).parent / "contrib" / p for p in ("admin", "auth")],
    "DJANGO_PLURALS": [Path(django.__file__).parent / "contrib" / p for p in ("admin", "auth")],
}


def named_messages():
    """(list name, msgid, msgid_plural or None) for each message the module names."""
    found = []
    for node in ast.parse(MODULE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            for call in node.value.elts:
                args = [a.value for a in call.args]
                found.append((node.targets[0].id, args[0], args[1] if len(args) > 1 else None))
    return found


@cache
def library_texts(folder):
    """Every string constant of a library's Python (adjacent literals joined, as the parser
    joins them) and the text of its templates."""
    strings, templates = set(), []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
    for path in folder.rglob("*.html"):
        templates.append(path.read_text(encoding="utf-8"))
    return strings, "\n".join(templates)


MESSAGES = named_messages()


def test_the_module_names_the_messages():
    assert len(MESSAGES) > 50
    assert {name for name, _m, _p in MESSAGES} == set(LIBRARIES)


@pytest.mark.parametrize("where, msgid, plural", MESSAGES, ids=[m for _w, m, _p in MESSAGES])
def test_each_is_still_a_message_of_its_library(where, msgid, plural):
    # The history's note of an imported row is the library's "%s through import_export"
    # filled in before it is translated.
    wanted = "%s through import_export" if msgid.endswith(" through import_export") else msgid
    # In a template, %(len)s is written {{ len }}.
    in_template = re.sub(r"%\((\w+)\)s", r"{{ \1 }}", wanted)
    for folder in LIBRARIES[where]:
        strings, templates = library_texts(folder)
        if wanted in strings or in_template in templates:
            return
    pytest.fail(f"{msgid!r} is no longer a message of {where}")


@pytest.mark.parametrize("where, msgid, plural", MESSAGES, ids=[m for _w, m, _p in MESSAGES])
def test_each_reads_in_chinese(where, msgid, plural):
    with translation.override("zh-hans"):
        shown = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
    assert shown != msgid and any("\u4e00" <= c <= "\u9fff" for c in shown), (msgid, shown)


def test_the_garbled_heading_of_the_import_preview_is_corrected():
    heading, finished = MESSAGES[0][1], MESSAGES[2][1]  # (not literals: not msgids of ours)
    with translation.override("zh-hans"):
        assert translation.gettext(heading) == "以下各行有错误，未导入任何数据"
        assert (
            translation.gettext(finished).format(1, 2, 0, 3, "节点")
            == "导入完成：新增 1 条，更新 2 条，删除 0 条，无变化 3 条（节点）。"
        )


def test_the_admins_own_close_is_not_the_orders_close():
    """Our supervision order's Close button (办结) no longer answers for Django admin's own
    Close link (关闭, on a page the user may only view)."""
    close = "Close"  # (not a literal: not a msgid of ours)
    with translation.override("zh-hans"):
        assert translation.gettext(close) == "关闭"
        assert translation.pgettext("supervision order", close) == "办结"
