"""Django's PostgreSQL backend, whose connections prepare the queries they run again, but
for text searches (settings.py says why the app prepares its queries)."""

from django.db.backends.postgresql import base


class Cursor(base.ServerBindingCursor):
    """Values bound apart from the SQL (as Django's with `server_side_binding`), and a text
    search (LIKE) never prepared: its best plan depends on the text, a rare text being found
    through the trigram indexes and a common one in the list's order. Prepared, it was
    planned once for any text, and that plan read the portfolio's 10,000 projects in order
    to find one (EXPLAIN ANALYZE of the portfolio's search: 0.5 ms planned for the text,
    3.7 ms planned for any)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and "LIKE " in query:  # ILIKE too
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = Cursor
        return params
