"""Administrators' import and export: round trips, updates by code, bad rows, all or nothing,
the template, and the admin's preview before anything is saved."""

import datetime
import io
import re
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorValue
from indicators.resources import IndicatorResource, IndicatorValueResource
from projects.models import AnnualInvestment, Department, Milestone, PlanChapter, Project
from projects.resources import (
    AnnualInvestmentResource,
    ChapterResource,
    DepartmentResource,
    KeyProjectResource,
    MilestoneResource,
    ProjectResource,
    import_file,
)

from ..conftest import (
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
)

pytestmark = pytest.mark.django_db
RESOURCES = [
    DepartmentResource,
    ProjectResource,
    MilestoneResource,
    AnnualInvestmentResource,
    IndicatorValueResource,
    ChapterResource,
    IndicatorResource,
]


@pytest.fixture
def world(department_a, department_b):
    plan = make_plan()
    section = make_chapter(plan, "4.1", parent=make_chapter(plan, "4"))
    project = make_project(
        code="LW-TRA-001",
        name="东沙隧道",
        lead_department=department_a,
        start_date=datetime.date(2024, 1, 1),
        planned_completion=datetime.date(2027, 1, 1),
    )
    project.partner_departments.add(department_b)
    project.chapters.add(section)
    make_milestone(
        project, datetime.date(2026, 9, 1), title="开工", responsible_department=department_a
    )
    AnnualInvestment.objects.create(project=project, year=2026, planned=3, completed=1)
    gdp = make_indicator(plan=plan, code="GDP", responsible_department=department_a)
    gdp.chapters.add(section)
    IndicatorValue.objects.create(indicator=gdp, year=2023, value=1)
    return project


def snapshot():
    return [
        list(Department.objects.order_by("pk").values()),
        list(Project.objects.order_by("pk").values()),
        sorted(Project.chapters.through.objects.values_list("project", "chapter")),
        sorted(Project.partner_departments.through.objects.values_list("project", "department")),
        list(Milestone.objects.order_by("pk").values()),
        list(AnnualInvestment.objects.order_by("pk").values()),
        list(IndicatorValue.objects.order_by("pk").values()),
        list(PlanChapter.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        sorted(Indicator.chapters.through.objects.values_list("indicator", "planchapter")),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_clean_round_trip_through_real_files_changes_nothing(world, fmt):
    before = snapshot()
    for resource in RESOURCES:
        data = resource().export().export(fmt)  # a real CSV text or XLSX file
        dataset = tablib.Dataset().load(
            data if fmt == "csv" else io.BytesIO(data).read(), format=fmt
        )
        result = resource().import_data(dataset, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), resource
        assert result.totals["new"] == result.totals["update"] == 0
    assert snapshot() == before


def test_a_reimport_updates_by_code_rather_than_duplicating(world):
    dataset = ProjectResource().export()
    dataset[0] = tuple(
        "东沙隧道(更新)" if h == "项目名称" else v
        for h, v in zip(dataset.headers, dataset[0], strict=True)
    )
    result = ProjectResource().import_data(dataset, dry_run=False)
    assert result.totals["update"] == 1
    assert Project.objects.count() == 1
    assert Project.objects.get(code="LW-TRA-001").name == "东沙隧道(更新)"


def rows(headers, *values):
    dataset = tablib.Dataset(headers=headers)
    for row in values:
        dataset.append(row)
    return dataset


PROJECT_HEADERS = [
    "code",
    "name",
    "category",
    "lead_department",
    "start_date",
    "planned_completion",
    "chapters",
    "partner_departments",
]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"lead_department": "nope"}, "lead_department"),
        ({"start_date": "31/02/2026"}, "start_date"),
        ({"planned_completion": "2020-01-01"}, "planned_completion"),
        ({"chapters": "14-9.9"}, "chapters"),
        ({"partner_departments": "dept-b;nope"}, "partner_departments"),
        ({"category": "space"}, "category"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_saved(world, bad, field):
    good = {
        "code": "LW-TRA-010",
        "name": "新项目",
        "category": "transport",
        "lead_department": "dept-a",
        "start_date": "2026-01-01",
        "planned_completion": "2027-01-01",
        "chapters": "14-4.1",
        "partner_departments": "dept-b",
    }
    broken = good | {"code": "LW-TRA-011"} | bad
    dataset = rows(
        PROJECT_HEADERS, [good[h] for h in PROJECT_HEADERS], [broken[h] for h in PROJECT_HEADERS]
    )
    result = ProjectResource().import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    if result.has_validation_errors():
        invalid = result.invalid_rows[0]
        assert invalid.number == 3 and field in invalid.field_specific_errors  # after the header
    else:
        assert result.row_errors()[0][0] == 3
    assert not Project.objects.filter(code__in=["LW-TRA-010", "LW-TRA-011"]).exists()


def test_one_bad_row_among_a_thousand_changes_nothing(world):
    headers = ["project", "title", "planned_date", "responsible_department"]
    values = [["LW-TRA-001", f"节点{n}", "2026-10-01", "dept-a"] for n in range(1000)]
    values[700][2] = "not a date"
    result = MilestoneResource().import_data(rows(headers, *values), dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Milestone.objects.count() == 1


def test_the_dry_run_saves_nothing(world):
    headers = ["project", "year", "planned", "completed"]
    result = AnnualInvestmentResource().import_data(
        rows(headers, ["LW-TRA-001", 2027, "5", "0"]), dry_run=True
    )
    assert result.totals["new"] == 1
    assert not AnnualInvestment.objects.filter(year=2027).exists()


class TestAdmin:
    def test_each_kind_has_a_template_with_an_example_row(self, client, administrator):
        client.force_login(administrator)
        for name, resource in [
            ("projects_department", DepartmentResource),
            ("projects_project", ProjectResource),
            ("projects_milestone", MilestoneResource),
            ("projects_annualinvestment", AnnualInvestmentResource),
            ("indicators_indicatorvalue", IndicatorValueResource),
            ("projects_planchapter", ChapterResource),
            ("indicators_indicator", IndicatorResource),
        ]:
            response = client.get(reverse(f"admin:{name}_template"))
            assert response.status_code == 200
            sheet = load_workbook(io.BytesIO(response.content)).active
            headers = [c.value for c in sheet[1]]
            assert headers == resource().import_headers()
            assert sheet.max_row == 2

    def test_the_preview_shows_errors_by_row_before_anything_is_saved(
        self, client, administrator, world
    ):
        client.force_login(administrator)
        csv = "code,name,category,lead_department\nLW-TRA-020,好项目,transport,dept-a\nLW-TRA-021,坏项目,transport,nope\n"
        upload = SimpleUploadedFile("projects.csv", csv.encode("utf-8"), content_type="text/csv")
        response = client.post(
            reverse("admin:projects_project_import"), {"import_file": upload, "format": 0}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "nope" in page
        assert "confirm" not in response.context or not response.context.get("confirm_form")
        assert not Project.objects.filter(code__in=["LW-TRA-020", "LW-TRA-021"]).exists()

    def test_a_clean_file_is_previewed_then_imported(self, client, administrator, world):
        client.force_login(administrator)
        csv = "code,name,category,lead_department\nLW-TRA-030,新道路,transport,dept-a\n"
        upload = SimpleUploadedFile("projects.csv", csv.encode("utf-8"), content_type="text/csv")
        response = client.post(
            reverse("admin:projects_project_import"), {"import_file": upload, "format": 0}
        )
        confirm = response.context["confirm_form"]
        assert not Project.objects.filter(code="LW-TRA-030").exists()  # only a preview so far
        data = {k: v for k, v in confirm.initial.items()}
        response = client.post(reverse("admin:projects_project_process_import"), data)
        assert response.status_code == 302
        created = Project.objects.get(code="LW-TRA-030")
        assert created.history.first().history_user == administrator

    def test_others_cannot_import(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("admin:projects_project_import"))
        assert response.status_code == 302 and "login" in response["Location"]


# --- large files: a batch at a time, in one transaction ---------------------------------


def csv_file(text):
    return io.BytesIO(text.encode("utf-8"))


def xlsx_file(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


MILESTONES_CSV = "project,title,planned_date,responsible_department\n"


def test_a_file_is_imported_a_batch_at_a_time_and_rows_are_numbered_through_it(world):
    lines = [f"LW-TRA-001,节点{n},2026-10-01,dept-a" for n in range(10)]
    lines[8] = "LW-TRA-001,节点8,not a date,dept-a"
    outcome = import_file(
        MilestoneResource(), csv_file(MILESTONES_CSV + "\n".join(lines)), "csv", batch_rows=3
    )
    assert not outcome.ok
    assert [(row, column) for row, column, _ in outcome.errors] == [(10, "计划日期")]
    assert outcome.rows == 10
    assert Milestone.objects.count() == 1  # the first three batches were rolled back too

    lines[8] = "LW-TRA-001,节点8,2026-10-01,dept-a"
    outcome = import_file(
        MilestoneResource(), csv_file(MILESTONES_CSV + "\n".join(lines)), "csv", batch_rows=3
    )
    assert outcome.ok and outcome.totals["new"] == 10
    assert Milestone.objects.count() == 11


def test_a_key_twice_in_one_file_is_refused_even_in_different_batches(world):
    text = MILESTONES_CSV + "\n".join(
        ["LW-TRA-001,甲,2026-10-01,", "LW-TRA-001,乙,2026-10-01,", "LW-TRA-001,甲,2026-11-01,"]
    )
    with translation.override("en"):
        outcome = import_file(MilestoneResource(), csv_file(text), "csv", batch_rows=2)
    assert [(row, column) for row, column, _ in outcome.errors] == [(4, "节点名称")]
    assert "Row 2" in outcome.errors[0][2]
    assert Milestone.objects.count() == 1

    codes = "code,name,category,lead_department\n"
    text = codes + "LW-TRA-040,一,transport,dept-a\nLW-TRA-040,二,transport,dept-a\n"
    outcome = import_file(ProjectResource(), csv_file(text), "csv")
    assert [row for row, _, _ in outcome.errors] == [3]
    assert not Project.objects.filter(code="LW-TRA-040").exists()


def test_an_xlsx_file_is_read_a_row_at_a_time_and_blank_lines_are_ignored(world):
    rows = [
        ["project", "title", "planned_date", "responsible_department"],
        ["LW-TRA-001", "验收", datetime.datetime(2026, 12, 1), "dept-b"],
        [None, None, None, None],
        ["LW-TRA-001", "移交", "2027-01-15", None],
    ]
    outcome = import_file(MilestoneResource(), xlsx_file(rows), "xlsx")
    assert outcome.ok and outcome.totals["new"] == 2
    accepted = Milestone.objects.get(title="验收")
    assert accepted.planned_date == datetime.date(2026, 12, 1)
    assert accepted.responsible_department.slug == "dept-b"
    # Empty: the project's lead department, as in the admin.
    assert Milestone.objects.get(title="移交").responsible_department.slug == "dept-a"


@pytest.mark.parametrize(
    "content, fmt, message",
    [
        (b"", "csv", "The file is empty."),
        (b"", "xlsx", "This is not an Excel workbook (.xlsx)."),
        (b"code,name\n\xff\xfe\xfa,x\n", "csv", "This is not a UTF-8 CSV file."),
        (b"just text", "xlsx", "This is not an Excel workbook (.xlsx)."),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(world, content, fmt, message):
    with translation.override("en"):
        outcome = import_file(ProjectResource(), io.BytesIO(content), fmt)
    assert outcome.errors == [(0, "", message)]


def test_the_dry_run_of_a_file_saves_nothing(world):
    text = MILESTONES_CSV + "LW-TRA-001,竣工,2027-06-30,dept-a\n"
    outcome = import_file(MilestoneResource(), csv_file(text), "csv", dry_run=True)
    assert outcome.ok and outcome.totals["new"] == 1
    assert not Milestone.objects.filter(title="竣工").exists()


def test_batches_are_written_with_history_user_and_a_reason(world, administrator):
    milestone = Milestone.objects.get()
    text = "project,title,planned_date,responsible_department,change_reason\n" + (
        "LW-TRA-001,开工,2026-09-15,dept-a,征地延期\n"  # changed planned date: a re-baseline
        "LW-TRA-001,竣工,2027-06-30,dept-a,\n"  # new
    )
    outcome = import_file(MilestoneResource(), csv_file(text), "csv", user=administrator)
    assert outcome.ok and outcome.totals["update"] == 1 and outcome.totals["new"] == 1
    milestone.refresh_from_db()
    assert milestone.planned_date == datetime.date(2026, 9, 15)
    assert milestone.version == 2  # a form loaded before the import is now refused
    created = Milestone.objects.get(title="竣工")
    for record in [milestone.history.first(), created.history.get()]:
        assert record.history_user == administrator
    # A re-baseline's history keeps its own reason; a plain import row says where it came from.
    assert milestone.history.first().history_change_reason == "征地延期"
    assert created.history.get().history_change_reason == "spreadsheet import"
    assert created.original_planned_date == datetime.date(2027, 6, 30)
    assert milestone.original_planned_date == datetime.date(2026, 9, 1)


def test_an_import_refuses_a_rebaseline_without_a_reason(world):
    milestone = Milestone.objects.get()
    text = MILESTONES_CSV + "LW-TRA-001,开工,2026-12-31,dept-a\n"
    with translation.override("en"):
        outcome = import_file(MilestoneResource(), csv_file(text), "csv")
    assert [(row, column) for row, column, _ in outcome.errors] == [(2, "计划日期")]
    assert "re-baseline needs a reason" in str(outcome.errors[0][2])
    milestone.refresh_from_db()
    assert milestone.planned_date == datetime.date(2026, 9, 1)


def test_a_reimport_replaces_links_and_updates_the_change_time(world, department_b):
    before = world.updated_at
    department_c = Department.objects.create(name="部门丙", slug="dept-c")
    headers = ["code", "name", "category", "lead_department", "chapters", "partner_departments"]
    values = ["LW-TRA-001", "东沙隧道", "transport", "dept-a", "", "dept-c;dept-b"]
    outcome = import_file(ProjectResource(), xlsx_file([headers, values]), "xlsx")
    assert outcome.ok and outcome.totals["update"] == 1
    world.refresh_from_db()
    assert list(world.chapters.all()) == []
    assert set(world.partner_departments.all()) == {department_b, department_c}
    assert world.updated_at > before


def test_other_unique_rules_are_still_checked(world):
    text = "slug,name,kind\ndept-z,部门甲,bureau\n"  # department_a's name
    outcome = import_file(DepartmentResource(), csv_file(text), "csv")
    assert [(row, column) for row, column, _ in outcome.errors] == [(2, "单位名称")]


@pytest.mark.parametrize(
    "resource, text, column",
    [
        (
            MilestoneResource,
            MILESTONES_CSV[:-1] + ",forecast_date\nLW-TRA-001,开工,2026-09-01,dept-a,2026-12-01\n",
            "预计日期调整原因",
        ),
        (
            AnnualInvestmentResource,
            "project,year,planned,completed\nLW-TRA-001,2027,-1,0\n",
            "计划投资（亿元）",
        ),
        (AnnualInvestmentResource, "project,year,planned,completed\nLW-TRA-001,1999,1,0\n", "年度"),
        (IndicatorValueResource, "indicator,year,value,note\nGDP,2040,5,公报\n", "年度"),
    ],
)
def test_each_database_rule_is_a_row_error_before_the_database_sees_it(
    frozen_today, world, resource, text, column
):
    # On the fixed day: the milestone's forecast (2026-12-01) is to come, so the reason
    # for it is the row's only error.
    before = snapshot()
    outcome = import_file(resource(), csv_file(text), "csv")
    assert [(row, col) for row, col, _ in outcome.errors] == [(2, column)]
    assert snapshot() == before


def test_an_import_asks_the_database_the_same_number_of_queries_for_10_and_60_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count, start):
        text = MILESTONES_CSV + "\n".join(
            f"LW-TRA-001,节点{n},2026-10-01,dept-a" for n in range(start, start + count)
        )
        with CaptureQueriesContext(connection) as context:
            outcome = import_file(MilestoneResource(), csv_file(text), "csv", batch_rows=500)
        assert outcome.ok
        return [q["sql"] for q in context.captured_queries]

    # (SQLite takes at most 999 values in one statement: Django splits larger inserts.)
    a, b = queries(10, 0), queries(60, 100)
    assert len(a) == len(b), "\n".join(b)


class TestCommand:
    def run(self, *args):
        from django.core.management import call_command

        out = io.StringIO()
        with translation.override("en"):
            call_command("import_spreadsheet", *map(str, args), stdout=out)
        return out.getvalue()

    def test_a_file_is_loaded_with_its_user_in_the_history(self, world, administrator, tmp_path):
        path = tmp_path / "milestones.csv"
        path.write_text(MILESTONES_CSV + "LW-TRA-001,竣工,2027-06-30,dept-a\n", encoding="utf-8")
        out = self.run("milestones", path, "--user", administrator.username)
        assert "Saved 1 rows: 1 new, 0 changed, 0 unchanged." in out
        assert Milestone.objects.get(title="竣工").history.get().history_user == administrator

    def test_a_dry_run_saves_nothing(self, world, tmp_path):
        path = tmp_path / "milestones.csv"
        path.write_text(MILESTONES_CSV + "LW-TRA-001,竣工,2027-06-30,dept-a\n", encoding="utf-8")
        assert "nothing saved (dry run)" in self.run("milestones", path, "--dry-run")
        assert not Milestone.objects.filter(title="竣工").exists()

    def test_errors_are_listed_by_row_and_column_and_nothing_is_saved(self, world, tmp_path):
        from django.core.management import CommandError

        path = tmp_path / "projects.csv"
        path.write_text(
            "code,name,category,lead_department\n"
            "LW-TRA-050,好,transport,dept-a\nLW-TRA-051,坏,transport,nope\n",
            encoding="utf-8",
        )
        with pytest.raises(CommandError, match="1 problems in 2 rows; nothing was saved"):
            self.run("projects", path)
        assert not Project.objects.filter(code="LW-TRA-050").exists()

    @pytest.mark.parametrize(
        "name, args, message",
        [
            ("projects.txt", [], "must end in .csv or .xlsx"),
            ("missing.csv", [], "Cannot read"),
            ("projects.csv", ["--user", "nobody"], "No user nobody."),
        ],
    )
    def test_bad_arguments_get_a_clear_message(self, world, tmp_path, name, args, message):
        from django.core.management import CommandError

        if name != "missing.csv":
            (tmp_path / name).write_text("code\n", encoding="utf-8")
        with pytest.raises(CommandError, match=message):
            self.run("projects", tmp_path / name, *args)


def test_an_unknown_key_code_is_an_error_of_its_column_on_the_row_excel_shows(world):
    text = MILESTONES_CSV + "LW-TRA-001,甲,2026-10-01,\n\nLW-XXX-999,乙,2026-10-01,\n"
    outcome = import_file(MilestoneResource(), csv_file(text), "csv")
    assert [(row, column) for row, column, _ in outcome.errors] == [(4, "项目编号")]
    assert "LW-XXX-999" in outcome.errors[0][2]


def test_departments_are_imported_though_they_keep_no_history(world, department_a):
    text = "slug,name,kind\ndept-a,部门甲(更名),bureau\ndept-n,新部门,street\n"
    outcome = import_file(DepartmentResource(), csv_file(text), "csv")
    assert outcome.ok and outcome.totals["new"] == outcome.totals["update"] == 1
    department_a.refresh_from_db()
    assert department_a.name == "部门甲(更名)"
    assert Department.objects.get(slug="dept-n").kind == "street"


# --- the district's words: Chinese columns, amounts and dates as a clerk writes them ----------

ALL_RESOURCES = RESOURCES + [KeyProjectResource]


def is_chinese(text):
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("resource", ALL_RESOURCES)
def test_every_column_is_named_in_chinese_in_the_template_the_export_and_the_preview(
    resource, world
):
    headers = resource().import_headers()
    assert all(is_chinese(h) for h in headers), headers
    assert [h for h in resource().export().headers if h in headers] == headers
    names = resource().import_names()
    assert len(set(headers)) == len(headers) and len(names) == len(headers)


def test_a_column_with_a_unit_says_it_in_its_header():
    assert "总投资（亿元）" in ProjectResource().import_headers()
    assert {"计划投资（亿元）", "完成投资（亿元）"} <= set(
        AnnualInvestmentResource().import_headers()
    )


def test_a_file_names_its_columns_by_header_or_by_code_in_any_order(world):
    by_header = "责任单位代码,计划日期,节点名称,项目编号\ndept-a,2026-10-01,验收,LW-TRA-001\n"
    by_code = (
        "responsible_department,planned_date,title,project\ndept-a,2026-11-01,移交,LW-TRA-001\n"
    )
    half_width = "项目编号,年度,计划投资(亿元),完成投资(亿元)\nLW-TRA-001,2027,1.5,0\n"
    for resource, text in [
        (MilestoneResource, by_header),
        (MilestoneResource, by_code),
        (AnnualInvestmentResource, half_width),
    ]:
        outcome = import_file(resource(), csv_file(text), "csv")
        assert outcome.ok and outcome.totals["new"] == 1, outcome.errors
    assert set(Milestone.objects.values_list("title", flat=True)) == {"开工", "验收", "移交"}
    assert AnnualInvestment.objects.get(year=2027).planned == Decimal("1.5")


@pytest.mark.parametrize(
    "planned", ["3.2", "3.2亿", "3.2亿元", "32000万", "32000万元", "３．２", "32,000万"]
)
def test_an_amount_is_imported_as_the_clerk_writes_it(planned, world):
    text = f'项目编号,年度,计划投资（亿元）,完成投资（亿元）\nLW-TRA-001,2027,"{planned}",5000万\n'
    outcome = import_file(AnnualInvestmentResource(), csv_file(text), "csv")
    assert outcome.ok, outcome.errors
    saved = AnnualInvestment.objects.get(year=2027)
    assert (saved.planned, saved.completed) == (Decimal("3.2"), Decimal("0.5"))


def test_a_projects_total_investment_is_an_amount_too(world):
    text = "项目编号,项目名称,项目类别,牵头单位代码,总投资（亿元）\nLW-TRA-090,新桥,transport,dept-a,125000万元\n"
    outcome = import_file(ProjectResource(), csv_file(text), "csv")
    assert outcome.ok, outcome.errors
    assert Project.objects.get(code="LW-TRA-090").total_investment == Decimal("12.5")


def test_a_bad_amount_is_its_columns_error_in_the_clerks_words(world):
    text = "项目编号,年度,计划投资（亿元）,完成投资（亿元）\nLW-TRA-001,2027,三点二,0\n"
    before = snapshot()
    with translation.override("zh-hans"):
        outcome = import_file(AnnualInvestmentResource(), csv_file(text), "csv")
    assert outcome.errors == [
        (2, "计划投资（亿元）", "「三点二」不是金额：请填写数字，单位为亿元，如 3.2 或 32000万")
    ]
    assert snapshot() == before


def test_dates_are_imported_as_the_clerk_writes_them(world):
    text = "项目编号,节点名称,计划日期\nLW-TRA-001,验收,2026年10月1日\nLW-TRA-001,移交,2026/11/1\n"
    outcome = import_file(MilestoneResource(), csv_file(text), "csv")
    assert outcome.ok, outcome.errors
    assert Milestone.objects.get(title="验收").planned_date == datetime.date(2026, 10, 1)
    assert Milestone.objects.get(title="移交").planned_date == datetime.date(2026, 11, 1)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "项目编号,节点名称,计划日期,备注\nLW-TRA-001,验收,2026-10-01,x\n",
            "The column “备注” is not one this import reads.",
        ),
        (
            "项目编号,节点名称,title,计划日期\nLW-TRA-001,验收,验收,2026-10-01\n",
            "The column “节点名称” is twice in the file.",
        ),
        (
            "项目编号,计划日期\nLW-TRA-001,2026-10-01\n",
            "The file needs the column 节点名称: it says which row each line is.",
        ),
    ],
)
def test_columns_the_import_cannot_read_are_refused_before_any_row(world, text, message):
    before = snapshot()
    with translation.override("en"):
        outcome = import_file(MilestoneResource(), csv_file(text), "csv")
    assert [(row, column) for row, column, _m in outcome.errors] == [(0, ""), (0, "")]
    assert outcome.errors[0][2] == message
    assert outcome.errors[1][2].startswith("The columns this import reads: 项目编号、节点名称、")
    assert snapshot() == before


class TestThePreviewInChinese:
    """What an administrator sees of a file before confirming it, in zh-hans."""

    def upload(self, client, administrator, rows, headers=None):
        from openpyxl import Workbook

        client.force_login(administrator)
        book = Workbook()
        book.active.append(
            headers
            or [
                "项目编号",
                "节点名称",
                "计划日期",
                "预计完成日期",
                "预计日期调整原因",
                "实际完成日期",
                "责任单位代码",
            ]
        )
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        upload = SimpleUploadedFile("milestones.xlsx", buffer.getvalue())
        return client.post(
            reverse("admin:projects_milestone_import"),
            {"import_file": upload, "format": 1},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    def test_errors_are_written_out_in_their_rows_and_empty_cells_are_empty(
        self, client, administrator, world
    ):
        response = self.upload(
            client,
            administrator,
            [
                ["LW-TRA-001", "验收", "2026-10-01", None, None, None, "dept-a"],
                ["LW-TRA-001", "移交", "2026/13/01", None, None, None, "nope"],
            ],
        )
        page = response.content.decode()
        assert "某些行验数据证失败" not in page
        assert "<h2>以下各行有错误，未导入任何数据</h2>" in page
        (table,) = re.findall(r'<table class="import-preview import-invalid">.*?</table>', page, re.S)
        assert "None" not in table and "---" not in table
        (row,) = re.findall(
            r"<tr>\s*<th scope=\"row\" class=\"row-number\">3</th>(.*?)</tr>", page, re.S
        )
        errors = re.search(r'<td class="row-errors">(.*?)</td>', row, re.S).group(1)
        assert "<strong>计划日期</strong> 「2026/13/01」不是日期" in errors
        assert "<strong>责任单位代码</strong>" in errors and "nope" in errors
        cells = re.findall(
            r"<td( class=\"wrong-cell\")?>(.*?)</td>", row.split("</td>", 1)[1], re.S
        )
        assert cells == [
            ("", "LW-TRA-001"),
            ("", "移交"),
            (' class="wrong-cell"', "2026/13/01"),
            ("", ""),
            ("", ""),
            ("", ""),
            (' class="wrong-cell"', "nope"),
            ("", ""),  # 修改原因: not in the file
            ("", ""),  # 原计划日期: not in the file
        ]
        assert '<th scope="col">责任单位代码</th>' in page
        assert not Milestone.objects.filter(title__in=["验收", "移交"]).exists()

    def test_the_page_lists_the_columns_by_header_and_code(self, client, administrator, world):
        client.force_login(administrator)
        page = client.get(
            reverse("admin:projects_annualinvestment_import"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
        assert "<td>计划投资（亿元）</td><td><code>planned</code></td>" in page
        assert "3.2、3.2亿、32000万" in page

    def test_a_file_of_unknown_columns_gets_its_reasons_without_a_traceback(
        self, client, administrator, world
    ):
        response = self.upload(client, administrator, [["x"]], headers=["备注"])
        page = response.content.decode()
        assert "此导入不读取「备注」这一列。" in page
        assert "Traceback" not in page and "traceback" not in page
        assert not response.context.get("confirm_form")
