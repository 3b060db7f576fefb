"""Sample supervision: coordination problems raised in the sample reports that are not on
track, and orders the planning office issued about the most overdue milestones and some of
those problems, at every step (awaiting a reply, some of them late; replied; urged; closed).
Labelled as sample data; dated relative to today and keyed to their milestone or problem,
so running it twice on the same day changes nothing. Behind manage.py load_demo."""

import datetime
import random

from django.conf import settings
from django.utils import timezone

from projects.demo import LABEL
from projects.models import CoordinationProblem, Department, Milestone, ProgressReport, User

from .models import OrderStep, SupervisionOrder

# Whose help the sample reports' problems (projects.demo.PROBLEMS) need.
HELPERS = {
    "规划条件": "planning",
    "用地移交": "planning",
    "资金拨付": "finance",
    "管线迁改": "urban-management",
    "施工许可": "housing-transport",
}
DAY = datetime.timedelta(days=1)


def moment(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(today, stats):
    departments = {d.slug: d for d in Department.objects.all()}
    manager = User.objects.filter(username="manager").first()
    editors = {u.department_id: u for u in User.objects.filter(username__startswith="editor-")}
    problems = load_problems(today, departments, editors, stats)
    load_orders(today, problems, manager, editors, stats)


def load_problems(today, departments, editors, stats):
    """A problem for each sample report of the last three months that is not on track."""
    since = (today.replace(day=1) - 90 * DAY).replace(day=1)
    reports = (
        ProgressReport.objects.filter(is_sample=True, period__gte=since)
        .exclude(health=ProgressReport.Health.GREEN)
        .exclude(problems="")
        .select_related("project")
        .order_by("project__code", "period")
    )
    made = []
    for report in reports:
        rng = random.Random(f"{report.project.code}{report.period}")
        slug = next((s for words, s in HELPERS.items() if words in report.problems), None)
        helper = departments.get(slug) if slug else None  # neighbours' complaints: unknown
        problem, created = CoordinationProblem.objects.get_or_create(
            report=report,
            is_sample=True,
            defaults={
                "description": report.problems,
                "help_department": helper,
                "urgency": rng.choice(list(CoordinationProblem.Urgency.values)),
                "raised_by": editors.get(report.project.lead_department_id),
                "raised_at": report.submitted_at,
            },
        )
        stats[f"sample coordination problems {'created' if created else 'unchanged'}"] += 1
        made.append(problem)
    return made


def load_orders(today, problems, manager, editors, stats):
    """Orders about the twenty most overdue milestones and every fifth problem with a
    department to help, at a step chosen by their age."""
    overdue = (
        Milestone.objects.overdue(on=today)
        .filter(is_sample=True)
        .select_related("project", "responsible_department")[:20]
    )
    subjects = [
        {"milestone": m, "project": m.project, "department": m.responsible_department}
        for m in overdue
        if m.responsible_department
    ]
    subjects += [
        {"problem": p, "project": p.report.project, "department": p.help_department}
        for p in problems[::5]
        if p.help_department
    ]
    for index, subject in enumerate(subjects):
        key = {"milestone": subject.get("milestone"), "problem": subject.get("problem")}
        if SupervisionOrder.objects.filter(is_sample=True, **key).exists():
            stats["sample supervision orders unchanged"] += 1
            continue
        make_order(index, subject, today, manager, editors)
        stats["sample supervision orders created"] += 1


def make_order(index, subject, today, manager, editors):
    rng = random.Random(index)
    age = rng.randint(3, 40)  # days since it was issued
    issued = today - age * DAY
    due = issued + settings.SUPERVISION_REPLY_DAYS * DAY
    milestone, problem = subject.get("milestone"), subject.get("problem")
    what = (
        f"{LABEL}节点“{milestone.title}”已逾期,请说明原因、采取的措施和新的完成日期。"
        if milestone
        else f"{LABEL}项目反映“{problem.description}”,请贵单位协助解决并反馈办理情况。"
    )
    order = SupervisionOrder.objects.create(
        project=subject["project"],
        milestone=milestone,
        problem=problem,
        department=subject["department"],
        request=what,
        level=rng.choice(["routine", "routine", "key", "leader"]),
        reply_due=due,
        issued_by=manager,
        issued_at=moment(issued, 9),
        is_sample=True,
    )
    steps = [
        OrderStep(
            order=order, kind="issued", by=manager, at=moment(issued, 9), text=what, reply_due=due
        )
    ]
    editor = editors.get(order.department_id)
    # Younger than its deadline: awaiting a reply. Older: most replied (some late), some
    # urged, some closed, some still waiting past the deadline.
    fate = "open" if due >= today else rng.choice(["replied", "late", "urged", "closed", "open"])
    if fate in ("replied", "late", "urged", "closed"):
        replied = due - rng.randint(0, 3) * DAY if fate != "late" else due + 2 * DAY
        replied = min(replied, today)
        steps.append(
            OrderStep(
                order=order,
                kind="replied",
                by=editor,
                at=moment(replied, 15),
                text=f"{LABEL}已召开协调会,正在加快推进。",
                reply_due=due,
            )
        )
        order.state, order.replied_at = "replied", moment(replied, 15)
    if fate == "urged":
        urged = min(order.replied_at.date() + 2 * DAY, today)
        order.reply_due = max(urged + settings.SUPERVISION_REPLY_DAYS * DAY, today)
        order.urge_count, order.state = 1, "open"
        steps.append(
            OrderStep(
                order=order,
                kind="urged",
                by=manager,
                at=moment(urged, 11),
                text=f"{LABEL}请给出明确的完成日期。",
                reply_due=order.reply_due,
            )
        )
    if fate == "closed":
        closed = min(order.replied_at.date() + 3 * DAY, today)
        order.state, order.closed_at = "closed", moment(closed, 16)
        steps.append(
            OrderStep(
                order=order,
                kind="closed",
                by=manager,
                at=order.closed_at,
                text=f"{LABEL}已落实,办结。",
            )
        )
        if problem is not None:
            problem.status, problem.resolution = "resolved", f"{LABEL}已落实,办结。"
            problem.resolved_by, problem.resolved_at = manager, order.closed_at
            problem.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    elif problem is not None:
        problem.status = "supervised"
        problem.save(update_fields=["status"])
    order.save()
    OrderStep.objects.bulk_create(steps)
