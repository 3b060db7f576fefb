"""After a save the project page comes back at what was saved: the changed row in view with
its confirmation beside it, on a phone's screen, however long the page."""

import datetime
import re

from django.utils import translation
from playwright.sync_api import expect

from projects.models import Milestone, ProgressReport

from ..conftest import TODAY, make_milestone, make_project, make_report
from .conftest import sign_in, sign_out

DAYS = datetime.timedelta
PHONE = {"width": 390, "height": 844}


def zh(text, **values):
    """A message as the page says it (in Chinese, the default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(text) % values if values else translation.gettext(text)


def test_after_each_save_the_changed_row_and_its_confirmation_are_in_view(
    page, frozen_today, editor_a, manager
):
    department = editor_a.department
    project = make_project(
        code="LW-TRA-601",
        name="荔湾路改造",
        lead_department=department,
        stage="construction",
        total_investment=12,
    )
    # A long page: fifteen milestones (the first five done) and a year of reports.
    milestones = [
        make_milestone(
            project,
            TODAY + DAYS(days=20 * n - 200),
            title=f"第{n}号节点",
            responsible_department=department,
            actual_date=TODAY + DAYS(days=20 * n - 200) if n <= 5 else None,
        )
        for n in range(1, 16)
    ]
    for month in range(1, 13):
        make_report(project, datetime.date(2025, month, 1), narrative=f"{month}月进展。" * 20)
    make_report(project, datetime.date(2026, 3, 1), narrative="三月进展。")
    page.set_viewport_size(PHONE)

    sign_in(page, editor_a)
    page.goto(project.get_absolute_url())
    expect(page.locator("#summary")).to_be_in_viewport()  # where it stands, first
    expect(page.locator("#summary .next")).to_contain_text("第10号节点")  # due today

    # A done milestone is marked done and offers no update; an overdue one does.
    done = page.locator(f"#milestone-{milestones[0].pk}")
    expect(done.locator(".done-mark")).to_be_visible()
    expect(done.get_by_role("link", name="更新")).to_have_count(0)

    # Mark an overdue milestone done.
    overdue = milestones[8]  # planned 20 days ago
    page.locator(f"#milestone-{overdue.pk}").get_by_role("link", name="更新").click()
    page.locator("#id_actual_date").fill("2026-06-14")
    page.get_by_role("button", name="标记完成").click()
    expect(page).to_have_url(re.compile(rf"#milestone-{overdue.pk}$"))
    row = page.locator(f"#milestone-{overdue.pk}")
    note = page.locator(f"#milestone-{overdue.pk} + tr .row-notes")  # right under the row
    expect(note).to_have_text(zh("The milestone is updated."))
    expect(note).to_be_in_viewport()
    expect(row.locator(".done-mark")).to_be_in_viewport()
    expect(page.locator("h1")).not_to_be_in_viewport()  # the page came back at the row
    expect(page.locator("main > .messages")).to_have_count(0)  # said once, there
    assert Milestone.objects.get(pk=overdue.pk).actual_date == datetime.date(2026, 6, 14)

    # The month's report.
    page.get_by_role("link", name="填报月度进度报告").click()
    page.locator("#id_percent_complete").fill("45")
    page.locator("#id_narrative").fill("五月完成路面铺装。")
    page.get_by_role("button", name="提交报告").click()
    expect(page).to_have_url(re.compile(r"#report-2026-05$"))
    report = page.locator("#report-2026-05")
    note = report.locator(".row-notes")
    expect(note).to_have_text(zh("The report for %(month)s is saved.", month="2026-05"))
    expect(note).to_be_in_viewport()
    expect(report).to_contain_text("五月完成路面铺装。")  # open, what was saved in view
    expect(page.locator("h1")).not_to_be_in_viewport()
    # The older reports are folded: their line shows, their text does not.
    expect(page.locator("#report-2025-06 summary")).to_be_visible()
    expect(page.locator("#report-2025-06").get_by_text("6月进展。", exact=False)).to_be_hidden()
    sign_out(page)

    # A manager returns March's report, further down among those awaiting review.
    sign_in(page, manager)
    page.goto(project.get_absolute_url())
    march = page.locator("#report-2026-03")
    march.locator("input[name=comment]").fill("请补充三月的投资完成情况。")
    march.get_by_role("button", name="退回").click()
    expect(page).to_have_url(re.compile(r"#report-2026-03$"))
    note = march.locator(".row-notes")
    expect(note).to_have_text(zh("Your review is saved."))
    expect(note).to_be_in_viewport()
    expect(march.locator(".review-comment")).to_contain_text("请补充三月的投资完成情况。")
    expect(march.locator(".review-form")).to_have_count(0)  # reviewed: no form any more
    expect(page.locator("h1")).not_to_be_in_viewport()
    saved = ProgressReport.objects.get(project=project, period=datetime.date(2026, 3, 1))
    assert (saved.status, saved.reviewed_by) == (ProgressReport.Status.RETURNED, manager)
