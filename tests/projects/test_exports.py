"""The streamed export gives exactly what django-tables2's own as_values() gives: for each
of our tables, and for each rule of the library that projects/exports.py follows (if a new
release of django-tables2 changes one, these fail)."""

import csv
import datetime
import io

import django_tables2 as tables
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from indicators.models import IndicatorValue
from indicators.tables import IndicatorTable
from projects.exports import csv_cell, table_values
from projects.models import AnnualInvestment, Milestone, ProgressReport, Project
from projects.tables import MilestoneTable, ProjectTable, ReviewTable, UpcomingTable

from ..conftest import (
    TODAY,
    make_department,
    make_indicator,
    make_milestone,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(frozen_today, department_a):
    for n in range(3):
        project = make_project(lead_department=department_a if n else None, stage="construction")
        make_milestone(
            project, TODAY - datetime.timedelta(days=5 + n), responsible_department=department_a
        )
        make_milestone(project, TODAY + datetime.timedelta(days=3 + n))
        if n:
            make_report(project, datetime.date(2026, 5, 1), health="amber")
            AnnualInvestment.objects.create(project=project, year=2026, planned=3, completed=n)
    indicator = make_indicator()
    IndicatorValue.objects.create(indicator=indicator, year=2022, value=3)


def same_as_tables2(table_class, data):
    table = table_class(data)
    expected = list(table.as_values())
    records = list(data)
    assert list(table_values(table_class(data), records)) == expected
    return expected


def test_portfolio(rows):
    values = same_as_tables2(ProjectTable, Project.objects.for_portfolio())
    assert len(values) == 4


def test_milestone_boards(rows):
    # As the boards fetch them, and as their exports read that (exported()).
    boards = [
        (MilestoneTable, Milestone.objects.overdue().for_lists()),
        (UpcomingTable, Milestone.objects.due_within(30).for_lists()),
    ]
    for table_class, data in boards:
        assert len(same_as_tables2(table_class, table_class(data).exported(data))) == 4


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def named_oddly(frozen_today):
    """Overdue milestones of projects and departments named in one language or two, with
    texts a spreadsheet would run, and one without a responsible department."""
    hostile = '=HYPERLINK("http://x.example/","点击")'
    both = make_department(name=f"{hostile}局", short_name="区住建局", name_en=f"+{hostile}")
    chinese = make_department(name=f"-{hostile}")
    road = make_project(code="LW-TRA-001", name=f"@{hostile}", name_en=f"={hostile}")
    market = make_project(code="LW-COM-001", name=f"\t{hostile}", lead_department=chinese)
    make_milestone(road, TODAY - datetime.timedelta(days=40), responsible_department=both)
    make_milestone(
        market,
        TODAY - datetime.timedelta(days=30),
        original_planned_date=TODAY - datetime.timedelta(days=90),
        responsible_department=chinese,
    )
    make_milestone(road, TODAY - datetime.timedelta(days=20), title=f"={hostile}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_milestone_exports_name_projects_and_departments_as_the_models_do(
    named_oddly, client, manager, language
):
    """The exports name a project and a department from the names read with each row, the
    language worked out once: what str() of each says on a page in that language, safe."""
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    try:
        rows = csv_rows(client.get(reverse("projects:overdue"), {"_export": "csv"}))
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    milestones = Milestone.objects.select_related("project", "responsible_department")
    with translation.override(language):
        expected = [
            [
                csv_cell(str(m.project)),
                csv_cell(m.title),
                csv_cell(str(m.responsible_department or "")),
                str(_("yes") if m.is_rebaselined else _("no")),
            ]
            for m in milestones.order_by("planned_date")
        ]
    assert [[row[0], row[1], row[2], row[5]] for row in rows[1:]] == expected
    assert {row[5] for row in rows[1:]} == ({"yes", "no"} if language == "en" else {"是", "否"})


def test_review_queue(rows):
    data = ProgressReport.objects.awaiting_review().select_related(
        "project__lead_department", "author"
    )
    values = same_as_tables2(ReviewTable, data)
    assert len(values) == 3


def test_indicators(rows):
    from indicators.models import Indicator

    data = list(Indicator.objects.for_progress())
    for indicator in data:
        indicator.assessment = indicator.assess(2026)
    same_as_tables2(IndicatorTable, data)


class RulesTable(tables.Table):
    code = tables.Column(verbose_name="code")
    stage = tables.Column()  # choices: the display value
    department_kind = tables.Column(accessor="lead_department__kind")  # choices, across a relation
    lead_department = tables.Column()  # an object: its str()
    name = tables.Column(exclude_from_export=True)
    total_investment = tables.Column()
    planned_completion = tables.Column()
    short_name = tables.Column(accessor="lead_department__short_name")  # "" is empty: None
    category = tables.Column(empty_values=())  # never empty: value_ sees it

    def value_total_investment(self, value):
        return float(value) * 2

    def render_planned_completion(self, value, record):  # no value_: render_ gives the value
        return f"{record.code} {value:%Y-%m}"

    def value_category(self, record):
        return f"{record.category}!"


def test_each_rule_it_follows(department_a):
    department_a.kind = "street"
    department_a.short_name = ""
    department_a.save()
    # The first row has no department: the choices of lead_department__kind still count.
    make_project(code="A-1", lead_department=None, stage="construction", total_investment=2)
    make_project(
        code="A-2",
        lead_department=department_a,
        stage="reserve",
        planned_completion=datetime.date(2027, 3, 1),
    )
    values = same_as_tables2(RulesTable, Project.objects.order_by("code"))
    assert values == [
        ["code", "阶段", "类型", "牵头单位", "总投资(亿元)", "计划建成日期", "简称", "类别"],
        ["A-1", "在建", None, None, 4.0, None, None, "transport!"],
        ["A-2", "储备", "街道办事处", "部门甲", None, "A-2 2027-03", None, "transport!"],
    ]


def test_a_long_csv_is_streamed_in_large_pieces_with_every_row():
    """A piece a row made a 15,000-row export 15,002 writes; pieces of about 64 K
    characters keep memory bounded and the rows whole."""
    import csv as csv_module
    import io as io_module

    from projects.exports import CSV_CHUNK_CHARS, csv_response

    rows = [["编号", "名称"]] + [[f"LW-TST-{i:05d}", f"项目{i}"] for i in range(20000)]
    pieces = list(csv_response("many", rows).streaming_content)
    assert 1 < len(pieces) <= sum(map(len, pieces)) // CSV_CHUNK_CHARS + 1
    assert all(len(piece) >= CSV_CHUNK_CHARS for piece in pieces[:-1])
    text = b"".join(pieces).decode("utf-8-sig")
    assert list(csv_module.reader(io_module.StringIO(text))) == rows
