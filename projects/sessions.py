"""Sessions in the database (Django's db backend: every app server reads the same ones),
with the session's row read by SQL compiled once rather than at every request: the
session is read for every page, and building and compiling its query cost more processor
time than running it."""

from django.contrib.sessions.backends import db
from django.db import connections
from django.utils import timezone

from .models import kept_sql

# Compiled with these, run with the session's key and the time of the request.
KEY, MOMENT = "0" * 32, timezone.now()


class SessionStore(db.SessionStore):
    def _session_data(self):
        """The session's data as stored, or None for no session (or one expired)."""
        Session = self.model
        using, sql, params = kept_sql(
            ("session-data", Session._meta.label),
            lambda: Session.objects.filter(session_key=KEY)
            .filter(expire_date__gt=MOMENT)
            .values_list("session_data"),
        )
        connection = connections[using]
        if len(params) != 2 or params[0] != KEY:  # the key, then the moment, and nothing else
            raise RuntimeError(f"unexpected parameters of the session's query: {params!r}")
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                (self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())),
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def load(self):
        """As Django's db backend loads a session (db.SessionStore.load)."""
        data = self._session_data() if self.session_key else None
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)
