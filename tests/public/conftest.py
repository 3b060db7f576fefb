"""A database of real (not sample) data full of what the public view must never show, and
the public URLs found in the URL configuration."""

import datetime
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import IndicatorValue
from projects.models import AnnualInvestment, CoordinationProblem, ProgressReport
from projects.roles import Role
from supervision.services import order_issue

from ..conftest import (
    TODAY,
    make_chapter,
    make_department,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
    make_user,
)

PUBLIC_NAMESPACES = ("public", "public_api")

# Every string below is in the database and must appear in no public response.
SECRETS = {
    "department contact": "联系人甲 020-81234567",
    "contact name": "王联系人",
    "contact phone": "13812345678",
    "landline": "020-81234567",
    "leader": "李区领导",
    "description": "内部描述不公开",
    "narrative": "月报正文不公开",
    "problems": "需协调的问题不公开",
    "next steps": "下一步计划不公开",
    "review comment": "审核意见不公开",
    "coordination problem": "协调问题描述不公开",
    "resolution": "协调问题解决情况不公开",
    "order request": "督办要求不公开",
    "editor's user name": "zhang-editor-secret",
    "editor's full name": "张编辑员",
    "manager's user name": "li-manager-secret",
    "correction reason": "投资更正理由不公开",
    "corrected by": "更正人赵某",
    "indicator note": "指标备注不公开",
    "value note": "数值说明不公开",
    "department value": "777.77",
    "returned report's percent": "93%",
    "milestone forecast reason": "预测理由不公开",
    "sample project": "示例项目不公开",
    "sample project code": "LW-SMP-001",
    "project with sample rows": "含示例行的项目",
}


def public_url_names(patterns=None, namespace=""):
    """(name, its URL's keyword arguments) of every URL in the public namespaces."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if namespace.split(":")[0] in PUBLIC_NAMESPACES:
                yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def public_urls(world):
    """Every public URL for the objects of `world`, with query strings worth trying."""
    found = []
    for name, kwargs in public_url_names():
        values = {"code": world["project"].code}
        url = reverse(name, kwargs={key: values[key] for key in kwargs})
        found.append(url)
        if name.endswith(":projects"):
            found += [f"{url}?chapter={world['chapter'].key}", f"{url}?stage=construction"]
    return found


@pytest.fixture
def secret_world(frozen_today):
    """The current plan (the 15th, in force on TODAY) with real data and every secret."""
    plan = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    chapter = make_chapter(plan, "3", title="现代化基础设施")
    section = make_chapter(plan, "3.1", title="综合交通")
    department = make_department(name="区交通局", contact=SECRETS["department contact"])
    editor = make_user(Role.EDITOR, department=department, username=SECRETS["editor's user name"])
    editor.first_name = SECRETS["editor's full name"]
    editor.save()
    manager = make_user(Role.MANAGER, username=SECRETS["manager's user name"])
    project = make_project(
        code="LW-TRA-001",
        name="荔湾大道改造",
        name_en="Liwan Avenue works",
        lead_department=department,
        stage="construction",
        leader=SECRETS["leader"],
        contact_name=SECRETS["contact name"],
        contact_phone=SECRETS["contact phone"],
        description=SECRETS["description"],
        total_investment=Decimal("12.5"),
        source_sentence="推进荔湾大道改造。",
    )
    project.chapters.add(section)
    make_milestone(
        project,
        TODAY - datetime.timedelta(days=3),
        forecast_date=TODAY + datetime.timedelta(days=30),
        forecast_reason=SECRETS["milestone forecast reason"],
        responsible_department=department,
    )
    accepted = make_report(
        project,
        datetime.date(2026, 4, 1),
        percent_complete=40,
        narrative=SECRETS["narrative"],
        problems=SECRETS["problems"],
        next_steps=SECRETS["next steps"],
        author=editor,
        status=ProgressReport.Status.ACCEPTED,
        review_comment=SECRETS["review comment"],
        reviewed_by=manager,
        investment_completed_month=Decimal("1.5"),
        investment_completed_ytd=Decimal("3"),
    )
    make_report(
        project,
        datetime.date(2026, 5, 1),
        percent_complete=93,
        author=editor,
        status=ProgressReport.Status.RETURNED,
        review_comment=SECRETS["review comment"],
        reviewed_by=manager,
    )
    CoordinationProblem.objects.create(
        report=accepted,
        description=SECRETS["coordination problem"],
        resolution=SECRETS["resolution"],
        help_department=department,
        raised_by=editor,
    )
    AnnualInvestment.objects.create(
        project=project,
        year=2026,
        planned=Decimal("6"),
        completed=Decimal("2"),
        corrected_by=SECRETS["corrected by"],
        correction_reason=SECRETS["correction reason"],
    )
    order_issue(
        by=manager,
        project=project,
        department=department,
        request=SECRETS["order request"],
        level="routine",
        reply_due=TODAY + datetime.timedelta(days=7),
    )
    sample = make_project(
        code=SECRETS["sample project code"], name=SECRETS["sample project"], is_sample=True
    )
    sample.chapters.add(chapter)
    mixed = make_project(code="LW-MIX-001", name=SECRETS["project with sample rows"])
    mixed.chapters.add(chapter)
    make_milestone(mixed, TODAY, is_sample=True)
    indicator = make_indicator(
        plan=plan,
        code="GDP",
        name="地区生产总值",
        target_year=2030,
        baseline_year=2025,
        baseline_value=Decimal("1000"),
        target_value=Decimal("1500"),
        note=SECRETS["indicator note"],
        responsible_department=department,
    )
    indicator.chapters.add(chapter)
    IndicatorValue.objects.create(
        indicator=indicator,
        year=2025,
        value=Decimal("1100"),
        source=IndicatorValue.Source.OFFICIAL,
        source_title="2025年统计公报",
        source_url="https://www.lw.gov.cn/tjgb/2025",
        note=SECRETS["value note"],
        entered_by=editor,
    )
    IndicatorValue.objects.create(
        indicator=indicator,
        year=2026,
        value=Decimal("777.77"),
        source=IndicatorValue.Source.DEPARTMENT,
        note=SECRETS["value note"],
        entered_by=editor,
    )
    return {
        "plan": plan,
        "chapter": chapter,
        "section": section,
        "project": project,
        "indicator": indicator,
        "department": department,
    }
