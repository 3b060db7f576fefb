"""An administrator imports a milestone workbook in the admin: a bad row is shown by its
number and nothing is saved; the fixed file is previewed, confirmed and saved."""

import datetime

from openpyxl import Workbook
from playwright.sync_api import expect

from projects.models import Milestone
from projects.resources import MilestoneResource

from ..conftest import make_milestone, make_project
from .conftest import sign_in


def write_workbook(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(MilestoneResource().import_headers())
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def milestones():
    """Every milestone, and how many saves the history has recorded."""
    rows = Milestone.objects.values_list(
        "project__code", "title", "planned_date", "responsible_department__slug"
    )
    return sorted(rows), Milestone.history.count()


def upload(page, path):
    page.goto("/admin/projects/milestone/import/")
    page.locator("#id_import_file").set_input_files(path)
    page.locator("#id_format").select_option(label="xlsx")
    page.get_by_role("button", name="提交").click()


def test_an_administrator_imports_milestones_after_fixing_a_bad_row(
    page, tmp_path, frozen_today, administrator, department_a
):
    project = make_project(code="LW-TRA-401", name="西塱枢纽", lead_department=department_a)
    make_milestone(
        project,
        datetime.date(2026, 9, 30),
        title="主体工程开工",
        responsible_department=department_a,
    )
    before = milestones()
    good = ["LW-TRA-401", "竣工验收", datetime.date(2028, 12, 31), None, None, None, "dept-a"]
    moved = ["LW-TRA-401", "主体工程开工", datetime.date(2026, 10, 31), None, None, None, "dept-a"]
    moved.append("征地延期")  # a new planned date (a re-baseline) says why
    bad = ["LW-TRA-401", "设备安装", datetime.date(2027, 6, 30), None, None, None, "dept-x"]

    sign_in(page, administrator)
    page.get_by_role("navigation").get_by_role("link", name="管理").click()
    expect(page.locator("#site-name")).to_contain_text("荔湾区重大项目")

    # One bad row among good ones: the preview names it by its row and saves nothing.
    upload(page, write_workbook(tmp_path / "milestones.xlsx", [good, moved, bad]))
    errors = page.locator("table.import-preview")
    expect(page.locator("h2", has_text="以下各行有错误，未导入任何数据")).to_be_visible()
    bad_row = errors.locator("tbody tr")
    expect(bad_row).to_have_count(1)
    expect(bad_row.locator("th").first).to_have_text("4")  # as Excel numbers it
    # The reasons are written out in the row, by the column's header, without hovering.
    reasons = bad_row.locator("td.row-errors")
    expect(reasons).to_be_visible()
    expect(reasons).to_contain_text("责任单位代码")
    expect(reasons).to_contain_text("dept-x")
    expect(bad_row.locator("td.wrong-cell")).to_have_text("dept-x")
    expect(errors).not_to_contain_text("None")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert milestones() == before

    # The fixed file: previewed (still nothing saved), then confirmed.
    bad[-1] = "dept-a"
    upload(page, write_workbook(tmp_path / "milestones-fixed.xlsx", [good, moved, bad]))
    preview = page.locator("table.import-preview tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.filter(has_text="竣工验收")).to_contain_text("新增")
    expect(preview.filter(has_text="主体工程开工")).to_contain_text("更新")
    assert milestones() == before
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messagelist")).to_contain_text("导入完成：新增 2 条，更新 1 条")

    assert milestones() == (
        [
            ("LW-TRA-401", "主体工程开工", datetime.date(2026, 10, 31), "dept-a"),
            ("LW-TRA-401", "竣工验收", datetime.date(2028, 12, 31), "dept-a"),
            ("LW-TRA-401", "设备安装", datetime.date(2027, 6, 30), "dept-a"),
        ],
        before[1] + 3,
    )
    saved = Milestone.objects.get(title="竣工验收")
    assert saved.history.first().history_user == administrator
