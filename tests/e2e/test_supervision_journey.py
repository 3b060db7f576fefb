"""Supervision in the browser: a manager issues an order from the overdue board; the
department's editor finds it on their to-do and replies with a new forecast; the manager
closes it."""

import datetime

from playwright.sync_api import expect

from projects.models import Milestone
from supervision.models import SupervisionOrder

from ..conftest import TODAY, make_milestone, make_project
from .conftest import sign_in, sign_out


def test_a_manager_issues_an_order_the_editor_replies_the_manager_closes_it(
    page, frozen_today, manager, editor_a
):
    department = editor_a.department
    project = make_project(code="LW-TRA-401", name="芳村大道改造", lead_department=department)
    milestone = make_milestone(
        project,
        TODAY - datetime.timedelta(days=45),
        title="管线迁改完成",
        responsible_department=department,
    )

    # The manager acts on the row of the overdue board.
    sign_in(page, manager)
    page.goto("/milestones/overdue/")
    row = page.locator("table.data tbody tr", has_text="管线迁改完成")
    row.get_by_role("link", name="督办").click()
    expect(page.locator("h1")).to_have_text("下发督办单")
    # Proposed: the responsible department, a week to reply, the request in words.
    expect(page.locator("#id_department option:checked")).to_have_text(department.name)
    expect(page.locator("#id_reply_due")).to_have_value("2026-06-22")
    expect(page.locator("#id_request")).to_contain_text("已逾期45天")
    page.locator("#id_level").select_option(label="重点督办")
    page.get_by_role("button", name="下发").click()
    expect(page.locator(".messages")).to_contain_text("已下发至")
    expect(page.locator(".flag").first).to_have_text("待反馈")
    order = SupervisionOrder.objects.get()
    sign_out(page)

    # The editor lands on their to-do, where the order waits, and replies from it.
    sign_in(page, editor_a)
    expect(page.locator("h1")).to_contain_text("待办")
    waiting = page.locator("#orders")
    expect(waiting).to_contain_text("芳村大道改造")
    waiting.get_by_role("link", name="LW-TRA-401 芳村大道改造").click()
    expect(page).to_have_url(f"{page.url.split('/supervision')[0]}/supervision/{order.pk}/")
    page.locator("#reply textarea").fill("已协调供电部门，预计6月底完成迁改。")
    page.locator("#reply input[type=date]").fill("2026-06-30")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator(".messages")).to_contain_text("反馈已报送")
    expect(page.locator("#steps")).to_contain_text("已协调供电部门")
    milestone.refresh_from_db()
    assert milestone.forecast_date == datetime.date(2026, 6, 30)
    sign_out(page)

    # The manager sees the reply awaiting close-out and closes the order.
    sign_in(page, manager)
    page.goto("/todo/")
    page.locator("#close-out").get_by_role("link").first.click()
    page.locator("#close textarea").fill("已落实，同意办结。")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.locator(".flag").first).to_have_text("已办结")
    expect(page.locator("#steps li")).to_have_count(3)
    order.refresh_from_db()
    assert order.state == "closed"
    assert Milestone.objects.get().forecast_reason == "已协调供电部门，预计6月底完成迁改。"
