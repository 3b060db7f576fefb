"""A department editor reports on their project and updates a milestone, in the browser."""

import datetime
import re

from playwright.sync_api import expect

from projects.models import Milestone, ProgressReport

from ..conftest import TODAY, make_milestone, make_project
from .conftest import sign_in


def test_an_editor_reports_marks_a_milestone_done_and_is_refused_elsewhere(
    page, frozen_today, editor_a, department_b
):
    project = make_project(
        code="LW-TRA-101",
        name="荔湾路改造",
        lead_department=editor_a.department,
        stage="construction",
    )
    milestone = make_milestone(
        project,
        TODAY - datetime.timedelta(days=3),
        title="主体结构封顶",
        responsible_department=editor_a.department,
    )
    other = make_project(code="LW-CUL-201", name="别人的项目", lead_department=department_b)

    sign_in(page, editor_a)
    # They land on their to-do: the month's report and the overdue milestone wait there.
    expect(page).to_have_url(re.compile(r"/todo/$"))
    expect(page.locator("#reports-2026-05")).to_contain_text(project.code)
    expect(page.locator("#overdue")).to_contain_text(milestone.title)
    expect(page.locator(".topbar .badge")).to_have_text("2")

    # Their department's page lists their project; open it.
    page.goto("/departments/")
    page.get_by_role("link", name=editor_a.department.name).click()
    page.get_by_role("link", name=project.code, exact=True).click()
    expect(page.locator("h1")).to_contain_text(project.name)

    # The month's report, at risk.
    page.get_by_role("link", name="填报月度进度报告").click()
    expect(page.locator("#id_period")).to_have_value("2026-05")
    page.locator("#id_health").select_option("amber")
    page.locator("#id_percent_complete").fill("35")
    page.locator("#id_narrative").fill("主体结构施工中，雨季影响进度。")
    page.get_by_role("button", name="提交报告").click()
    # Back at the report saved, the confirmation beside it.
    expect(page).to_have_url(re.compile(rf"/projects/{project.code}/#report-2026-05$"))
    expect(page.locator(".messages")).to_contain_text("2026-05进度报告已保存。")
    report = page.locator("#reports article.report").first
    expect(report).to_contain_text("2026-05")
    expect(report.locator(".health-amber")).to_have_text("有风险")
    expect(report).to_contain_text("主体结构施工中，雨季影响进度。")
    expect(page.locator("#summary .reported .health")).to_have_text("有风险")  # reported

    # The milestone, done the day before.
    row = page.locator("#milestones tr", has_text=milestone.title)
    expect(row.locator(".overdue")).to_have_text("3")  # days overdue
    row.get_by_role("link", name="更新").click()
    page.locator("#id_actual_date").fill("2026-06-14")
    page.get_by_role("button", name="标记完成").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.code}/#milestone-{milestone.pk}$"))
    expect(page.locator("#milestones .row-notes")).to_contain_text("节点已更新。")
    row = page.locator("#milestones tr", has_text=milestone.title)
    expect(row).to_contain_text("2026-06-14")  # the actual date, ISO as every date
    expect(row.locator(".overdue")).to_have_count(0)
    expect(row.locator(".done-mark")).to_be_visible()  # done now, and no more to update
    expect(row.get_by_role("link", name="更新")).to_have_count(0)

    saved = ProgressReport.objects.get(project=project)
    assert (saved.period, saved.health, saved.percent_complete, saved.author) == (
        datetime.date(2026, 5, 1),
        ProgressReport.Health.AMBER,
        35,
        editor_a,
    )
    assert Milestone.objects.get(pk=milestone.pk).actual_date == datetime.date(2026, 6, 14)

    # Another department's project: its report form is refused.
    response = page.goto(f"/projects/{other.code}/reports/new/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("无权操作")
    assert not other.reports.exists()
