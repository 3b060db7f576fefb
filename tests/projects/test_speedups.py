from django_tables2 import utils

from projects.speedups import remembered_signature


class Table:
    def render_name(self, value, record):
        return value

    def value_name(self, record, **kwargs):
        return record


def test_remembered_signatures_match_the_librarys():
    table = Table()
    for fn in (table.render_name, Table.render_name, table.value_name, lambda value: value, len):
        assert remembered_signature(fn) == remembered_signature(fn)
    assert remembered_signature(table.render_name) == (("value", "record"), None)
    assert remembered_signature(Table.render_name) == (("self", "value", "record"), None)
    assert remembered_signature(table.value_name) == (("record",), "kwargs")


def test_it_is_installed():
    assert utils.signature is remembered_signature
