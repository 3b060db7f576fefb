"""A manager chases overdue milestones, exports them, reads a chapter and returns a report;
the department's editor then sees it returned, in the browser."""

import csv
import datetime
import io
import re

from django.utils import translation
from playwright.sync_api import expect

from projects.models import ProgressReport

from ..conftest import TODAY, make_chapter, make_milestone, make_plan, make_project, make_report
from .conftest import sign_in, sign_out


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def table_rows(page):
    """The overdue board's rows as the user reads them, one list of cell texts a row."""
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("table.data tbody tr").all()
    ]


def test_a_manager_chases_exports_reads_and_returns_a_report_the_editor_sees_it(
    page, frozen_today, manager, editor_a, department_b
):
    department_a = editor_a.department
    chapter = make_chapter(make_plan(), "4", title="建设现代化基础设施")
    road = make_project(code="LW-TRA-301", name="芳村大道改造", lead_department=department_a)
    road.chapters.add(chapter)
    tunnel = make_project(code="LW-TRA-302", name="隧道工程", lead_department=department_a)
    tunnel.chapters.add(chapter)
    museum = make_project(code="LW-CUL-303", name="博物馆", lead_department=department_b)
    # Titles that sort the same in every collation, in the opposite order to days overdue.
    for title, planned, project in [
        ("1号节点 管线迁改", days_ago(5), road),
        ("2号节点 围挡施工", days_ago(40), tunnel),
        ("3号节点 征地拆迁", days_ago(120), road),
    ]:
        make_milestone(project, planned, title=title, responsible_department=department_a)
    make_milestone(museum, days_ago(60), title="布展", responsible_department=department_b)
    make_milestone(road, TODAY + datetime.timedelta(days=10), title="未到期的节点")
    report = make_report(
        road, datetime.date(2026, 5, 1), health="green", narrative="五月进展顺利。", author=editor_a
    )

    sign_in(page, manager)

    # The overdue board: every overdue milestone, most overdue first.
    page.get_by_role("navigation").get_by_role("link", name="逾期节点").click()
    expect(page.locator("h1")).to_have_text("逾期节点")
    expect(page.locator("table.data tbody tr")).to_have_count(4)

    # The board opens most overdue first, and its header says so.
    sorted_heading = page.locator("table.data thead th[aria-sort]")
    expect(sorted_heading).to_have_attribute("aria-sort", "descending")
    expect(sorted_heading).to_have_text(re.compile(r"^逾期天数\s*▼"))

    # Filter by department A, then sort by milestone title.
    page.locator("#id_responsible_department").select_option(label=department_a.name)
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.data tbody tr")).to_have_count(3)
    assert [row[1] for row in table_rows(page)] == [
        "3号节点 征地拆迁",
        "2号节点 围挡施工",
        "1号节点 管线迁改",
    ]
    expect(page.locator(".active-filters")).to_contain_text(department_a.name)
    page.locator("table.data thead").get_by_role("link", name="节点").click()
    expect(page.locator("table.data tbody tr").first).to_contain_text("1号节点")
    expect(sorted_heading).to_have_attribute("aria-sort", "ascending")
    expect(sorted_heading).to_have_text(re.compile(r"^节点\s*▲"))
    shown = table_rows(page)
    assert [row[1] for row in shown] == ["1号节点 管线迁改", "2号节点 围挡施工", "3号节点 征地拆迁"]
    assert all(row[2] == department_a.name for row in shown)

    # Export these rows: the file holds the rows shown, in the same order.
    with page.expect_download() as download_info:
        page.locator(".exports").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "overdue-milestones.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        header, *exported = list(csv.reader(io.StringIO(file.read())))
    # The export's columns are the screen's, less the manager's action column
    # (less the sorted column's arrow and its words for screen readers).
    headings = [
        re.sub(r"\s*[▲▼].*$", "", th.strip(), flags=re.S)
        for th in page.locator("table.data thead th").all_inner_texts()
    ]
    with translation.override("zh-hans"):
        assert headings[-1] == translation.gettext("action") and header == headings[:-1]
    assert all(row[-1] == "督办" for row in shown)
    shown = [row[:-1] for row in shown]
    assert exported == [[cell if cell != "–" else "" for cell in row] for row in shown]

    # A chapter of the plan, with the projects that serve it.
    page.get_by_role("navigation").get_by_role("link", name="规划章节").click()
    page.get_by_role("link", name="4 建设现代化基础设施").click()
    expect(page.locator("h1")).to_have_text("4 建设现代化基础设施")
    projects = page.locator("table.data tbody")
    expect(projects).to_contain_text(road.code)
    expect(projects).to_contain_text(tunnel.code)
    expect(projects).not_to_contain_text(museum.code)

    # Return the road's May report with a comment.
    projects.get_by_role("link", name=road.code).click()
    card = page.locator("#reports article.report", has_text="2026-05")
    card.locator("input[name=comment]").fill("请补充征地拆迁进度和下月计划。")
    card.get_by_role("button", name="退回").click()
    expect(page.locator(".messages")).to_contain_text("审核意见已保存。")
    card = page.locator("#reports article.report", has_text="2026-05")
    expect(card.locator(".review")).to_have_text("已退回")
    expect(card.locator(".review-comment")).to_contain_text("请补充征地拆迁进度和下月计划。")
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.RETURNED
    assert report.review_comment == "请补充征地拆迁进度和下月计划。"
    assert report.reviewed_by == manager
    sign_out(page)

    # The editor sees it returned, with the comment, on the project and department pages.
    sign_in(page, editor_a)
    page.goto(f"/projects/{road.code}/")
    card = page.locator("#reports article.report", has_text="2026-05")
    expect(card.locator(".review")).to_have_text("已退回")
    expect(card.locator(".review-comment")).to_contain_text("请补充征地拆迁进度和下月计划。")
    expect(card.get_by_role("link", name="修改此报告")).to_be_visible()
    page.goto(f"/departments/{department_a.slug}/")
    returned = page.locator("section", has=page.get_by_role("heading", name="被退回待修改的报告"))
    expect(returned).to_contain_text(f"{road.code} {road.name} · 2026-05")
    expect(returned).to_contain_text("请补充征地拆迁进度和下月计划。")
    returned.get_by_role("link").click()
    expect(page.locator(".error")).to_contain_text("请补充征地拆迁进度和下月计划。")
