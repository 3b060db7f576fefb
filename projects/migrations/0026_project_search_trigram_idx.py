"""Trigram indexes for the portfolio's text search (ProjectFilter.search), PostgreSQL only.

The search matches a typed text anywhere in a project's name, code or English name: a
LIKE '%…%' that a B-tree cannot answer, so every search read all projects (10,000
projects: 1.5 ms a query without a cased letter, 6 ms with one, and the page counts, then
lists). pg_trgm's GIN indexes answer it from the text's three-character pieces: 0.1 ms for
a rare text (EXPLAIN ANALYZE in the README's performance notes). The search compares as
typed when the text has no cased letter (numbers, Chinese), else in upper case, so each
column has an index of either form. A text of fewer than three characters has no piece
to look up, and is read as before. SQLite has no such index; its search is unchanged.
"""

from django.db import migrations

COLUMNS = ("name", "code", "name_en")


class RunOnPostgreSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL; nothing on another database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def index_sql(column, upper):
    name = f"project_{column}_{'upper_' if upper else ''}trgm_idx"
    expression = f"UPPER({column}::text)" if upper else f"({column}::text)"
    return (
        f"CREATE INDEX {name} ON projects_project USING gin ({expression} gin_trgm_ops)",
        f"DROP INDEX {name}",
    )


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0025_latest_report_last_submitted"),
    ]

    operations = [
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        RunOnPostgreSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop
        ),
        *(
            RunOnPostgreSQL(*index_sql(column, upper))
            for column in COLUMNS
            for upper in (False, True)
        ),
    ]
