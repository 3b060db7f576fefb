"""No export carries a formula (OWASP, CSV injection), and none fails on a control character
that rows already hold: every text column of every CSV and XLSX the app writes, for every
prefix a spreadsheet would take for a formula."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import IndicatorValue
from projects import workbook
from projects.models import AnnualInvestment, ProgressReport

from .conftest import (
    TODAY,
    make_approval,
    make_approval_kind,
    make_department,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
)

pytestmark = pytest.mark.django_db
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
D = datetime.date


def hostile(prefix, what):
    """A text a spreadsheet would run, with a vertical tab inside (saved before texts were
    checked, as an old row may be)."""
    return f'{prefix}HYPERLINK("http://x.example/?{what}","点击\x0b")'


@pytest.fixture
def world(request, frozen_today, administrator):
    prefix = request.param
    department = make_department(name=hostile(prefix, "dept"), slug="dept-x")
    project = make_project(
        code="LW-TRA-001",
        name=hostile(prefix, "name"),
        name_en=hostile(prefix, "name_en"),
        leader=hostile(prefix, "leader"),
        contact_name=hostile(prefix, "contact"),
        contact_phone=hostile(prefix, "phone"),
        description=hostile(prefix, "description"),
        source_sentence=hostile(prefix, "sentence"),
        lead_department=department,
        stage="construction",
    )
    overdue = make_milestone(
        project,
        TODAY - datetime.timedelta(days=5),
        title=hostile(prefix, "overdue"),
        forecast_date=TODAY + datetime.timedelta(days=20),
        forecast_reason=hostile(prefix, "reason"),
        responsible_department=department,
    )
    make_milestone(project, TODAY + datetime.timedelta(days=5), title=hostile(prefix, "soon"))
    ProgressReport.objects.create(
        project=project,
        period=D(2026, 5, 1),
        health="green",
        percent_complete=10,
        narrative=hostile(prefix, "narrative"),
        problems=hostile(prefix, "problems"),
        next_steps=hostile(prefix, "next"),
    )
    AnnualInvestment.objects.create(project=project, year=2026, planned=Decimal("2.5"))
    indicator = make_indicator(
        plan=make_plan(),
        code="GDP",
        name=hostile(prefix, "indicator"),
        unit=f"{prefix}亿元",
        target_text=hostile(prefix, "target"),
        responsible_department=department,
    )
    IndicatorValue.objects.create(
        indicator=indicator, year=2023, value=Decimal("-1.5"), note=hostile(prefix, "note")
    )
    # On the missing approvals' list: a project about to start, its kind's name hostile too.
    starting = make_project(
        code="LW-TRA-002",
        name=hostile(prefix, "starting"),
        lead_department=department,
        stage="preliminary",
        start_date=TODAY + datetime.timedelta(days=10),
    )
    make_approval(starting, make_approval_kind(name=hostile(prefix, "kind")))
    return {"prefix": prefix, "department": department, "milestone": overdue}


LISTS = [
    ("projects:portfolio", {}),
    ("projects:overdue", {}),
    ("projects:upcoming", {"days": 365}),
    ("indicators:list", {}),
    ("projects:review_queue", {}),
    ("projects:approvals", {}),
]
# (annual investment has no text column: project code, year and numbers)
ADMIN_EXPORTS = [
    "admin:projects_department_export",
    "admin:projects_project_export",
    "admin:projects_milestone_export",
    "admin:indicators_indicatorvalue_export",
]


def csv_cells(content):
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(content):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_csv_safe(content):
    cells = csv_cells(content)
    assert any("HYPERLINK" in c for c in cells), "the hostile texts are in the file"
    for cell in cells:
        assert not cell.startswith(tuple(PREFIXES)) or _is_number(cell), repr(cell)
        assert "\x0b" not in cell


def assert_xlsx_safe(content):
    cells = xlsx_cells(content)
    assert any("HYPERLINK" in str(c.value) for c in cells), "the hostile texts are in the file"
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert "\x0b" not in cell.value


def _is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize("world", PREFIXES, indirect=True, ids=repr)
class TestEveryExport:
    @pytest.mark.parametrize("url, query", LISTS, ids=[u for u, _q in LISTS])
    def test_lists(self, world, client, administrator, url, query):
        client.force_login(administrator)
        response = client.get(reverse(url), query | {"_export": "csv"})
        assert_csv_safe(b"".join(response.streaming_content))
        response = client.get(reverse(url), query | {"_export": "xlsx"})
        assert_xlsx_safe(response.content)

    def test_the_department_workbook(self, world, client, administrator):
        client.force_login(administrator)
        slug = world["department"].slug
        response = client.get(reverse("projects:workbook", args=[slug]))
        assert response.status_code == 200
        assert_xlsx_safe(response.content)
        book = load_workbook(io.BytesIO(response.content))
        reasons = [c.value for c in book[workbook.MILESTONES]["H"][1:] if c.value]
        # (a carriage return comes back as a line feed when the writer leaves it raw, which
        # XML reads as one; as itself when lxml, if installed, writes it as &#13;)
        expected = hostile(world["prefix"], "reason").replace("\x0b", "\ufffd")
        assert [r.replace("\r", "\n") for r in reasons] == [expected.replace("\r", "\n")]

    @pytest.mark.parametrize("url", ADMIN_EXPORTS)
    def test_the_admins_exports(self, world, client, administrator, url):
        client.force_login(administrator)
        form = client.get(reverse(url)).context["form"]
        fields = {name: "on" for name, f in form.fields.items() if f.initial is True}
        for index, kind in ((0, "csv"), (1, "xlsx")):
            data = fields | {"format": index, "resource": 0}
            response = client.post(reverse(url), data)
            assert response.status_code == 200, response.content[:500]
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            if kind == "csv":
                assert_csv_safe(content)
            else:
                assert_xlsx_safe(content)

    def test_the_import_templates(self, world, client, administrator):
        client.force_login(administrator)
        for name in ("project", "milestone", "department", "annualinvestment"):
            response = client.get(f"/admin/projects/{name}/template/")
            assert response.status_code == 200
            for cell in xlsx_cells(response.content):
                assert cell.data_type != "f"


def test_negative_numbers_stay_numbers_in_the_admins_exports(frozen_today, administrator, client):
    indicator = make_indicator(plan=make_plan(), code="GROWTH", unit="%", target_kind="growth")
    IndicatorValue.objects.create(indicator=indicator, year=2023, value=Decimal("-1.5"), note="x")
    client.force_login(administrator)
    url = reverse("admin:indicators_indicatorvalue_export")
    form = client.get(url).context["form"]
    fields = {name: "on" for name, f in form.fields.items() if f.initial is True}
    response = client.post(url, fields | {"format": 0, "resource": 0})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "-1.5" in csv_cells(content)  # without trailing zeros (importcolumns.FigureWidget)
    response = client.post(url, fields | {"format": 1, "resource": 0})
    values = [c.value for c in xlsx_cells(response.content)]
    assert "-1.5" in values  # as the library writes a number, not prefixed
