"""The one place the app asks what day it is.

Overdue, slip, "due soon", the demo data and the reporting calendar all read today()
so that tests can fix the date (time_machine) and get the same answer everywhere.
"""

from django.utils import timezone


def today():
    """Today's date in the district's time zone (settings.TIME_ZONE)."""
    return timezone.localdate()
