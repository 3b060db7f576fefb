"""Administrators' import and export: round trips, updates by code, bad rows, all or nothing,
the template, and the admin's preview before anything is saved."""

import datetime
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import IndicatorValue
from projects.models import AnnualInvestment, Department, Milestone, Project
from projects.resources import (
    AnnualInvestmentResource,
    DepartmentResource,
    IndicatorValueResource,
    MilestoneResource,
    ProjectResource,
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
]


@pytest.fixture
def world(department_a, department_b):
    plan = make_plan()
    make_chapter(plan, "4")
    section = make_chapter(plan, "4.1")
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
    IndicatorValue.objects.create(
        indicator=make_indicator(plan=plan, code="GDP"), year=2023, value=1
    )
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
        "东沙隧道(更新)" if h == "name" else v
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
        assert invalid.number == 2 and field in invalid.field_specific_errors
    else:
        assert result.row_errors()[0][0] == 2
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
