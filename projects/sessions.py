"""Sessions in the database (Django's db backend: every app server reads the same ones),
with the session's row read by a query made once (rows_once()) rather than built and
compiled at every request: the session is read for every page, and building and compiling
its query cost more processor time than running it."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from .models import rows_once


class SessionStore(db.SessionStore):
    def load(self):
        """As Django's db backend loads a session (db.SessionStore.load): its data, or
        nothing (and no key) for no session or one expired."""
        Session = self.model
        found = self.session_key and rows_once(
            ("session data", Session._meta.label),
            lambda key, moment: Session.objects.filter(session_key=key)
            .filter(expire_date__gt=moment)
            .values_list("session_data", flat=True),
            self.session_key,
            timezone.now(),
        )
        if not found:
            self._session_key = None
            return {}
        return self.decode(found[0])
