"""/timeline/: the portfolio's open milestones of the next twelve months on a time axis,
grouped by lead department or by chapter of the plan shown, with the portfolio's filters
and plan switch. At most MAX_ROWS milestones (the page says when there are more), in a
fixed number of queries whatever the number of rows."""

import datetime
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from .clock import today
from .filters import PortfolioFilter
from .models import Milestone, PlanChapter, Project, ProjectChapter
from .plan_switch import plan_switch
from .timeline import draw

WINDOW_DAYS = 365
MAX_ROWS = 200
GROUPINGS = ("department", "chapter")


def label(milestone):
    return f"{milestone.project.code} {milestone.title}"


@login_required
def timeline(request):
    on = today()
    switch = plan_switch(request, on)
    group_by = request.GET.get("group") if request.GET.get("group") in GROUPINGS else GROUPINGS[0]
    projects = switch.projects(Project.objects.for_portfolio(on=on))
    filterset = PortfolioFilter(request.GET, queryset=projects, request=request)
    end = on + datetime.timedelta(days=WINDOW_DAYS)
    milestones = (
        Milestone.objects.open()
        .filter(
            Q(planned_date__range=(on, end)) | Q(forecast_date__range=(on, end)),
            project__in=filterset.qs.values("pk"),
        )
        .select_related("project__lead_department")
        # The nearest first: the cap keeps the nearest MAX_ROWS.
        .order_by("planned_date", "project__code", "pk")
    )
    total = milestones.count()
    shown = list(milestones[:MAX_ROWS])
    for milestone in shown:
        milestone.timeline_label = label(milestone)
    if group_by == "chapter":
        groups = by_chapter(shown, switch.plan)
    else:
        groups = by_department(shown)
    charts = [
        (
            f"timeline-{index}",
            title,
            draw(
                sorted(rows, key=lambda m: (m.planned_date, m.project.code, m.pk)),
                start=on,
                end=end,
                on=on,
                title=_("Milestones of the next twelve months: %(group)s") % {"group": title},
            ),
        )
        for index, (title, rows) in enumerate(groups, start=1)
    ]
    context = {
        "filter": filterset,
        "group_by": group_by,
        "charts": charts,
        "total": total,
        "shown": len(shown),
        "capped": total > len(shown),
        "start": on,
        "end": end,
    } | switch.context()
    return render(request, "projects/timeline.html", context)


def by_department(milestones):
    """[(department name, milestones)] by department name, "no lead department" last."""
    groups = {}
    for m in milestones:
        department = m.project.lead_department
        title = str(department) if department else _("no lead department")
        groups.setdefault((department is None, title), []).append(m)
    return [(title, groups[key]) for key in sorted(groups) for _none, title in [key]]


def by_chapter(milestones, plan):
    """[(chapter, milestones)] by the top-level chapters of `plan` (every plan while none is
    shown) that the milestones' projects serve, in the plan's order; a project serving
    several chapters is under each. Two queries: the projects' links, the chapters' titles."""
    projects = {m.project_id for m in milestones}
    links = ProjectChapter.objects.filter(project__in=projects)
    if plan is not None:
        links = links.filter(chapter__plan=plan)
    tops = defaultdict(set)  # project -> {(plan, top code)}
    for project_id, plan_id, code in links.values_list(
        "project_id", "chapter__plan_id", "chapter__code"
    ):
        tops[project_id].add((plan_id, code.split(".")[0]))
    wanted = {top for found in tops.values() for top in found}
    chapters = {}
    if wanted:
        query = Q()
        for plan_id, code in wanted:
            query |= Q(plan_id=plan_id, code=code)
        for chapter in PlanChapter.objects.filter(query).select_related("plan"):
            chapters[(chapter.plan_id, chapter.code)] = chapter
    groups = defaultdict(list)
    nowhere = []
    for m in milestones:
        found = [chapters[t] for t in tops.get(m.project_id, ()) if t in chapters]
        if not found:
            nowhere.append(m)
        for chapter in found:
            groups[chapter].append(m)
    ordered = sorted(groups, key=lambda c: (c.plan.number, c.order, c.code))
    result = [(f"{c.plan.short_name} {c.code} {c.title}", groups[c]) for c in ordered]
    if nowhere:
        result.append((_("no chapter of this plan"), nowhere))
    return result
