"""The plan switch of the portfolio's pages (the dashboard, the portfolio, the overdue and
upcoming boards, chapters, departments, indicators): which plan a page shows (the current
plan, or ?plan=<number>) and the rows of that plan, so that the page, its figures and its
exports count the same rows.

A plan's projects are those linked to any of its chapters (projects.plans.plan_projects).
A project linked to no chapter of any plan is counted under the current plan only: it is
work going on now that nobody has placed in a plan yet (a new project, or one entered
before its chapters), a present concern rather than part of an earlier plan's record; the
earlier plans show exactly the projects linked to them. While no plan has begun, the pages
show every project and indicator."""

from dataclasses import dataclass

from django.db.models import Q

from .clock import today
from .models import Plan, Project, ProjectChapter, current_plan
from .plans import PlanChoice, choose_plan


@dataclass
class PlanSwitch:
    choice: PlanChoice
    current: Plan | None  # the plan in force today (or the latest ended one)
    on: object  # the day

    @property
    def plan(self):
        return self.choice.plan

    @property
    def form(self):
        return self.choice.form

    @property
    def is_current(self):
        return self.plan is None or (self.current is not None and self.plan.pk == self.current.pk)

    @property
    def state(self):
        return self.plan.state(self.on) if self.plan else None

    @property
    def state_label(self):
        return Plan.State(self.state).label if self.plan else ""

    @property
    def query(self):
        """"&plan=<number>" for links to the other switched pages while a plan is asked
        for (none for the current plan: the pages' default)."""
        return f"&plan={self.plan.number}" if self.choice.asked else ""

    @property
    def query_first(self):
        return f"?plan={self.plan.number}" if self.choice.asked else ""

    @property
    def covers_every_project(self):
        """The current plan while it is the only one: every chapter link is to one of its
        chapters, so every project is linked to it or to none, and counted. Its pages then
        read every project without asking which, in no query: the question was a hash of
        every chapter link, built again for each query that counts the plan's projects."""
        return self.is_current and [p.pk for p in self.choice.plans] == [self.plan.pk]

    @property
    def narrows(self):
        """Whether the plan's projects are fewer than every project (may be)."""
        return self.plan is not None and not self.covers_every_project

    def projects_q(self, prefix=""):
        """A Q for the rows whose project (reached by `prefix`, e.g. "project__") is the
        plan's; subqueries, no query of its own."""
        if not self.narrows:
            return Q()
        linked = ProjectChapter.objects.filter(chapter__plan=self.plan).values("project")
        q = Q(**{f"{prefix}pk__in": linked})
        if self.is_current:
            q |= ~Q(**{f"{prefix}pk__in": ProjectChapter.objects.values("project")})
        return q

    def projects(self, queryset=None):
        """The plan's projects among `queryset` (default every project)."""
        queryset = Project.objects.all() if queryset is None else queryset
        return queryset.filter(self.projects_q())

    def indicators(self, queryset):
        """The plan's indicators among `queryset`."""
        return queryset if self.plan is None else queryset.filter(plan=self.plan)

    def context(self):
        """What templates/_plan_switch.html shows."""
        return {"plan_switch": self}


def plan_switch(request, on=None):
    """The page's plan from request.GET, in one query (404 for a number of no plan)."""
    on = on or today()
    choice = choose_plan(request.GET, on)
    return PlanSwitch(choice=choice, current=current_plan(choice.plans, on), on=on)


class PlanSwitchMixin:
    """For the list pages (ListPageMixin + FilterView): self.plan_switch from ?plan=, and in
    the context for templates/_filters.html, which shows the switch in the filter form.
    get_queryset narrows its rows with self.plan_switch, so the exports follow."""

    def get(self, request, *args, **kwargs):
        self.plan_switch = plan_switch(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | self.plan_switch.context()
