"""Sample data: a living portfolio around the real plan data, so a new user sees overdue
milestones, reports of every colour and investment figures at first start.

Everything written here is sample data and says so: the is_sample flag on each row,
"【示例数据】" in every text, "(示例)" in every demo user's name. It is generated
from today (projects.clock.today) with a random generator seeded by each project's code,
so running it twice on the same day changes nothing.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import plandata, services
from .clock import today as get_today
from .models import (
    AnnualInvestment,
    Approval,
    Department,
    KeyProject,
    Milestone,
    ProgressReport,
    Project,
    User,
)
from .roles import Role, ensure_roles
from .upsert import set_links, upsert

DEMO_PASSWORD = "liwan-demo-2026"
LABEL = "【示例数据】"
REASON = "sample data"

# Which department leads a project of each category (sample assignment, not the plan's).
LEAD_BY_CATEGORY = {
    "culture": "culture-tourism",
    "health_pharma": "stic",
    "transport": "housing-transport",
    "education": "education",
    "healthcare": "health",
    "industry": "stic",
    "commerce": "stic",
    "finance": "drc",
    "urban_renewal": "housing-transport",
    "infrastructure": "data",
    "ecology": "water",
    "innovation": "stic",
    "social": "civil-affairs",
}
PARTNER_BY_CATEGORY = {
    "transport": ["planning"],
    "urban_renewal": ["planning", "drc"],
    "ecology": ["ecology"],
    "commerce": ["market-regulation"],
    "culture": ["drc"],
}

MILESTONES = {
    "transport": [
        "工程可行性研究报告批复",
        "初步设计批复",
        "征地拆迁完成",
        "主体工程开工",
        "主体结构贯通",
        "竣工验收",
        "建成通车",
    ],
    "urban_renewal": [
        "片区策划方案批复",
        "改造实施方案表决通过",
        "拆迁补偿协议签约",
        "复建安置区开工",
        "融资地块出让",
        "复建安置房交付",
    ],
    "default": [
        "项目立项批复",
        "可行性研究报告批复",
        "用地规划许可",
        "施工许可",
        "主体工程开工",
        "主体工程完工",
        "竣工验收",
        "投入使用",
    ],
}
FORECAST_REASONS = [
    "征地拆迁进度滞后",
    "设计方案调整",
    "审批手续办理中",
    "资金到位延迟",
    "施工场地移交延迟",
    "管线迁改协调中",
]
PROBLEMS = [
    "需协调规划条件调整",
    "需协调用地移交",
    "需协调资金拨付",
    "需协调管线迁改",
    "需协调施工许可办理",
    "需协调周边居民诉求",
]
STAGE_WEIGHTS = [
    (Project.Stage.CONSTRUCTION, 50),
    (Project.Stage.PRELIMINARY, 25),
    (Project.Stage.RESERVE, 10),
    (Project.Stage.COMPLETED, 9),
    (Project.Stage.SUSPENDED, 4),
    (Project.Stage.CANCELLED, 2),
]


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def add_months(day, months):
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


@transaction.atomic
def load():
    """Load the plan's portfolio, then the sample portfolio. Returns a Counter of what
    happened."""
    stats = plandata.load()
    load_portfolio(get_today(), stats)
    return stats


def load_portfolio(today, stats):
    """The demo users and the sample portfolio around the plan's projects; returns the
    departments by slug and the editors by department, for what other apps add beside it."""
    departments = {d.slug: d for d in Department.objects.all()}
    editors = load_users(departments, stats)
    for project in Project.objects.order_by("code"):
        load_project(project, departments, editors, today, stats)
    return departments, editors


def load_users(departments, stats):
    """One demo user per role, an editor per department; returns the editors by department."""
    ensure_roles(Group, Permission)
    groups = {g.name: g for g in Group.objects.all()}
    people = [
        ("admin", "管理员(示例)", Role.ADMINISTRATOR, None, True),
        ("manager", "规划管理员(示例)", Role.MANAGER, departments["drc"], False),
        ("viewer", "查阅用户(示例)", Role.VIEWER, None, False),
    ] + [
        (f"editor-{slug}", f"{d.short_name or d.name}填报员(示例)", Role.EDITOR, d, False)
        for slug, d in sorted(departments.items())
    ]
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow by design
    editors = {}
    for username, name, role, department, staff in people:
        user, status = upsert(
            User,
            {"username": username},
            {
                "first_name": name,
                "email": f"{username}@example.invalid",  # a reserved domain: never delivered
                "department": department,
                "is_staff": staff,
                "is_active": True,
            },
            on_create=lambda new: setattr(new, "password", password),
        )
        set_links(user.groups, [groups[role.value]])
        stats[f"demo users {status}"] += 1
        if role == Role.EDITOR:
            editors[department.pk] = user
    return editors


def load_project(project, departments, editors, today, stats):
    rng = random.Random(project.code)
    stage = rng.choices([s for s, _w in STAGE_WEIGHTS], [w for _s, w in STAGE_WEIGHTS])[0]
    if stage == Project.Stage.RESERVE:
        start = today + datetime.timedelta(days=rng.randint(60, 400))
        completion = start + datetime.timedelta(days=rng.randint(700, 1800))
    elif stage == Project.Stage.COMPLETED:
        completion = today - datetime.timedelta(days=rng.randint(30, 400))
        start = completion - datetime.timedelta(days=rng.randint(700, 1500))
    else:
        start = today - datetime.timedelta(days=rng.randint(150, 1600))
        completion = max(
            start + datetime.timedelta(days=rng.randint(900, 2200)),
            today + datetime.timedelta(days=90),
        )
    lead = departments[LEAD_BY_CATEGORY[project.category]]
    project, status = upsert(
        Project,
        {"pk": project.pk},
        {
            "lead_department": lead,
            "stage": stage,
            "start_date": start,
            "planned_completion": completion,
            "total_investment": money(rng.uniform(1.5, 90)),
            "leader": "区领导(示例)",
            "contact_name": "项目联系人(示例)",
            "contact_phone": "020-0000%04d" % rng.randint(0, 9999),
            "description": f"{LABEL}负责单位、阶段、日期和投资额均为示例数据,并非区政府公布的数据。",
            "is_sample": True,
        },
        reason=REASON,
    )
    stats[f"sample projects {status}"] += 1
    partners = [departments[s] for s in PARTNER_BY_CATEGORY.get(project.category, [])]
    set_links(project.partner_departments, partners)

    milestones = load_milestones(project, rng, stage, today, departments, stats)
    load_approvals(project, stage, today, stats)
    if stage in (Project.Stage.RESERVE, Project.Stage.CANCELLED):
        return
    investments = load_investments(project, rng, today, stats)
    load_reports(project, rng, stage, today, milestones, investments, editors.get(lead.pk), stats)
    load_key_years(project, stage, investments, today, stats)


def load_approvals(project, stage, today, stats):
    """The project's checklist of pre-construction approvals (services.approvals_fill), its
    lines sample data: all in hand for a project under way or done (dated before its start);
    for one in preliminary works the first lines in hand, one under review, the rest to do;
    for one in reserve only the first. Numbers are marked (示例)."""
    services.approvals_fill(projects=Project.objects.filter(pk=project.pk), is_sample=True)
    rng = random.Random(f"{project.code}:approvals")
    # Its sample lines, and the lines nobody has touched (made by the plan's loader).
    untouched = Q(version=1, state=Approval.State.PENDING, number="", issued_on=None)
    lines = list(
        Approval.objects.filter(Q(is_sample=True) | untouched, project=project)
        .select_related("kind")
        .order_by("kind__order", "pk")
    )
    if stage in (Project.Stage.CONSTRUCTION, Project.Stage.COMPLETED, Project.Stage.SUSPENDED):
        in_hand, applied = len(lines), 0
    elif stage == Project.Stage.PRELIMINARY:
        in_hand, applied = rng.randint(1, max(1, len(lines) - 2)), 1
    elif stage == Project.Stage.RESERVE:
        in_hand, applied = 1, 0
    else:
        in_hand, applied = 0, 0
    last = min(project.start_date or today, today) - datetime.timedelta(days=10)
    for index, approval in enumerate(lines):
        values = {"number": "", "issued_on": None, "note": "", "is_sample": True}
        if index < in_hand:
            issued = last - datetime.timedelta(days=30 * (len(lines) - index) + rng.randint(0, 20))
            values = {
                "state": Approval.State.IN_HAND,
                "number": f"荔{approval.kind.code[:2].upper()}〔{issued.year}〕{rng.randint(1, 99)}号(示例)",
                "issued_on": issued,
                "note": "",
                "is_sample": True,
            }
        elif index < in_hand + applied:
            values |= {"state": Approval.State.APPLIED, "note": f"{LABEL}已提交申请,审批中。"}
        else:
            values |= {"state": Approval.State.PENDING}
        _obj, status = upsert(Approval, {"pk": approval.pk}, values, reason=REASON)
        stats[f"sample approvals {status}"] += 1


def monthly_investment(project, period):
    """The sample month's completed investment and the year to date for a report of
    `period`, by the ledger's rule (ProgressReport.clean_investment): the year to date is
    the sum of the year's months so far. Each month's amount is drawn from the project's
    code and the month alone, so a later day never changes a month already reported."""
    base = float(project.total_investment or 0) / 60  # about five years' spend a month

    def amount(month):
        draw = random.Random(f"{project.code}:{period.year}-{month:02d}").uniform(0.4, 1.6)
        return money(base * draw)

    months = [amount(m) for m in range(1, period.month + 1)]
    return months[-1], sum(months, Decimal(0))


def load_key_years(project, stage, investments, today, stats):
    """Some projects under way with a plan for the year are district key projects
    (区重点项目) of this year and last; their annual plan is that planned investment."""
    for year in (today.year - 1, today.year):
        if (
            stage != Project.Stage.CONSTRUCTION
            or year not in investments
            or random.Random(f"{project.code}:key:{year}").random() >= 0.6
        ):
            continue
        _obj, status = upsert(
            KeyProject,
            {"project": project, "year": year},
            {"is_sample": True},
            reason=REASON,
        )
        stats[f"sample key projects {status}"] += 1


def load_milestones(project, rng, stage, today, departments, stats):
    titles = MILESTONES.get(project.category, MILESTONES["default"])
    span = (project.planned_completion - project.start_date).days
    planned_dates = [
        project.start_date
        + datetime.timedelta(days=round(span * (i + 1) / len(titles)) - rng.randint(0, 20))
        for i in range(len(titles))
    ]
    # About a third of the projects are behind: their latest one or two due milestones are
    # still open. A suspended project has stopped at its first open milestone.
    past = [i for i, day in enumerate(planned_dates) if day < today]
    if stage == Project.Stage.SUSPENDED:
        stuck = len(past)
    elif stage != Project.Stage.COMPLETED and rng.random() < 0.35:
        stuck = rng.choice([1, 1, 2])
    else:
        stuck = 0
    first_open = len(past) - stuck
    rows = []
    for i, (title, planned) in enumerate(zip(titles, planned_dates, strict=True)):
        forecast = reason = actual = None
        if planned < today and i < first_open:
            delay = rng.choice([-10, -3, 0, 0, 5, 14, 30, 75])  # some done late
            actual = min(planned + datetime.timedelta(days=delay), today)
        elif planned < today:
            if rng.random() < 0.5:  # overdue and re-forecast
                forecast = today + datetime.timedelta(days=rng.randint(10, 150))
                reason = rng.choice(FORECAST_REASONS)
        elif rng.random() < 0.15:  # not due yet, but expected to slip
            forecast = planned + datetime.timedelta(days=rng.randint(15, 120))
            reason = rng.choice(FORECAST_REASONS)
        # Some open milestones were re-baselined: their first plan was earlier. A rng of
        # their own, so the rest of the sample stays as it was.
        original = planned
        rebaseline = random.Random(f"{project.code} {title}")
        if actual is None and rebaseline.random() < 0.2:
            earlier = planned - datetime.timedelta(days=rebaseline.randint(30, 240))
            original = max(earlier, project.start_date)
        responsible = project.lead_department
        if "规划" in title or "用地" in title:
            responsible = departments["planning"]
        milestone, status = upsert(
            Milestone,
            {"project": project, "title": title},
            {
                "planned_date": planned,
                "original_planned_date": original,
                "forecast_date": forecast,
                "forecast_reason": f"{LABEL}{reason}" if reason else "",
                "actual_date": actual,
                "responsible_department": responsible,
                "is_sample": True,
            },
            reason=REASON,
        )
        stats[f"sample milestones {status}"] += 1
        rows.append(milestone)
    return rows


def load_investments(project, rng, today, stats):
    last_year = min(project.planned_completion.year, today.year)
    years = list(range(project.start_date.year, last_year + 1))
    per_year = project.total_investment / max(
        len(range(project.start_date.year, project.planned_completion.year + 1)), 1
    )
    year_elapsed = (today.timetuple().tm_yday) / 365
    rows = {}
    for year in years:
        planned = money(float(per_year) * rng.uniform(0.7, 1.3))
        if year < today.year:
            completed = money(float(planned) * rng.uniform(0.7, 1.1))
        else:
            completed = money(float(planned) * year_elapsed * rng.uniform(0.55, 1.15))
        rows[year], status = upsert(
            AnnualInvestment,
            {"project": project, "year": year},
            {"planned": planned, "completed": completed, "is_sample": True},
            reason=REASON,
        )
        stats[f"sample investments {status}"] += 1
    return rows


def load_reports(project, rng, stage, today, milestones, investments, author, stats):
    this_month = today.replace(day=1)
    first = max(project.start_date.replace(day=1), add_months(this_month, -12))
    last = add_months(this_month, -1)
    if stage == Project.Stage.COMPLETED:
        last = min(last, project.planned_completion.replace(day=1))
    if rng.random() < 0.15:  # this department has not reported last month yet
        last = add_months(last, -1)
    worst_overdue = max((m.days_overdue(on=today) for m in milestones), default=0)
    # Most departments report what the milestones say; some stay green regardless.
    says_green_anyway = rng.random() < 0.3
    span = max((project.planned_completion - project.start_date).days, 1)
    # Not after today's first moment: a later run the same day must write the same time.
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0)))
    period = first
    percent = 0
    while period <= last:
        progress = (add_months(period, 1) - project.start_date).days / span
        if stage == Project.Stage.COMPLETED and period == last:
            percent = 100
        else:  # never going backwards
            percent = max(percent, min(99, round(progress * 100 * rng.uniform(0.8, 1.05))))
        late_in_life = period >= add_months(last, -3)
        if says_green_anyway or not late_in_life or worst_overdue == 0:
            health = (
                ProgressReport.Health.GREEN if rng.random() < 0.85 else ProgressReport.Health.AMBER
            )
        elif worst_overdue > 90:
            health = ProgressReport.Health.RED
        else:
            health = ProgressReport.Health.AMBER
        problems = "" if health == ProgressReport.Health.GREEN else f"{LABEL}{rng.choice(PROBLEMS)}"
        month_amount, ytd = monthly_investment(project, period)
        submitted = timezone.make_aware(
            datetime.datetime.combine(add_months(period, 1), datetime.time(10))
            + datetime.timedelta(days=rng.randint(0, 8))
        )
        # The office has reviewed all but a project's last report of the past two months;
        # those wait in its queue, a few sent back to be fixed.
        if period < last or period < add_months(this_month, -2):
            review = {"status": ProgressReport.Status.ACCEPTED, "review_comment": ""}
        elif rng.random() < 0.1:
            review = {
                "status": ProgressReport.Status.RETURNED,
                "review_comment": f"{LABEL}请补充本月完成投资的依据和下月节点安排。",
            }
        else:
            review = {"status": ProgressReport.Status.SUBMITTED, "review_comment": ""}
        reviewed = None if review["status"] == ProgressReport.Status.SUBMITTED else min(
            submitted + datetime.timedelta(days=2), now
        )
        _obj, status = upsert(
            ProgressReport,
            {"project": project, "period": period},
            review
            | {
                "reviewed_at": reviewed,
                "health": health,
                "percent_complete": percent,
                "narrative": f"{LABEL}{period:%Y年%m月}按计划推进各项工作,完成形象进度约{percent}%。",
                "problems": problems,
                "next_steps": f"{LABEL}继续推进下一节点工作。",
                "investment_completed_month": month_amount,
                "investment_completed_ytd": ytd,
                "author": author,
                "submitted_at": min(submitted, now),
                "is_sample": True,
            },
            reason=REASON,
        )
        stats[f"sample reports {status}"] += 1
        period = add_months(period, 1)
