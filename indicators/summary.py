"""What the portfolio's pages show of the indicators (chapter figures, chapter pages, the
dashboard). The projects app reaches the indicators through this module only."""

from collections import defaultdict

from .models import Indicator
from .progress import Status

# Statuses the dashboard lists as off track.
OFF_TRACK = (
    Status.NEEDS_ACCELERATION,
    Status.LIMITED_PROGRESS,
    Status.MOVING_AWAY,
    Status.FINAL_NOT_MET,
)


def indicators_by_chapter(plan_ids):
    """{chapter id: ids of the indicators linked to that chapter itself} for the chapters
    of these plans, in one query."""
    found = defaultdict(set)
    for chapter_id, indicator_id in Indicator.chapters.through.objects.filter(
        planchapter__plan__in=plan_ids
    ).values_list("planchapter_id", "indicator_id"):
        found[chapter_id].add(indicator_id)
    return found


def for_chapters(chapters, year):
    """(indicator, assessment in `year`, status label) for each indicator linked to any of
    these chapters, in two queries."""
    indicators = Indicator.objects.for_progress().filter(chapters__in=chapters).distinct()
    return [(i, a, Status(a.status).label) for i in indicators for a in [i.assess(year)]]


def off_track(year):
    """(indicator, assessment, status label) for each indicator off track in `year`, and
    how many indicators there are in all, in two queries."""
    assessed = [(i, i.assess(year)) for i in Indicator.objects.for_progress()]
    behind = [(i, a, Status(a.status).label) for i, a in assessed if a.status in OFF_TRACK]
    return behind, len(assessed)
