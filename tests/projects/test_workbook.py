"""The department workbook: download, fill in, upload; all rows or none."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from projects import workbook
from projects.models import ProgressReport

from ..conftest import TODAY, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(frozen_today, department_a, department_b):
    tunnel = make_project(
        code="LW-TRA-001", name="东沙隧道", lead_department=department_a, stage="construction"
    )
    road = make_project(
        code="LW-TRA-002", name="如意大道", lead_department=department_a, stage="construction"
    )
    other = make_project(
        code="LW-CUL-001", name="三馆合一", lead_department=department_b, stage="construction"
    )
    make_report(road, D(2026, 5, 1), health="green", percent_complete=30, narrative="已有报告")
    milestone = make_milestone(
        tunnel,
        TODAY - datetime.timedelta(days=3),
        title="主体开工",
        responsible_department=department_a,
    )
    return {
        "tunnel": tunnel,
        "road": road,
        "other": other,
        "milestone": milestone,
        "a": department_a,
    }


def download(world):
    return load_workbook(io.BytesIO(workbook.build(world["a"], TODAY)))


def save(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column(sheet, key, columns):
    return [k for k, _h, _e in columns].index(key) + 1


def set_cell(sheet, row, key, value, columns=workbook.REPORT_COLUMNS):
    sheet.cell(row, column(sheet, key, columns), value)


def row_of(sheet, code):
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code or sheet.cell(row, 2).value == code:
            return row
    raise LookupError(code)


def test_the_download_has_the_departments_projects_and_open_milestones(world):
    book = download(world)
    reports = book[workbook.REPORTS]
    assert [reports.cell(r, 1).value for r in range(2, reports.max_row + 1)] == [
        "LW-TRA-001",
        "LW-TRA-002",
    ]
    narrative = column(reports, "narrative", workbook.REPORT_COLUMNS)
    assert reports.cell(row_of(reports, "LW-TRA-002"), narrative).value == "已有报告"
    assert reports.protection.sheet and reports.cell(2, 1).protection.locked
    assert not reports.cell(2, column(reports, "health", workbook.REPORT_COLUMNS)).protection.locked
    milestones = book[workbook.MILESTONES]
    assert milestones.cell(2, 3).value == "主体开工"


def test_a_clean_round_trip_changes_nothing(world, editor_a):
    before = list(ProgressReport.objects.values_list("pk", "version", "narrative"))
    outcome = workbook.load(save(download(world)), world["a"], editor_a, TODAY)
    assert outcome.ok and (outcome.reports, outcome.milestones) == (0, 0)
    assert list(ProgressReport.objects.values_list("pk", "version", "narrative")) == before


def test_filled_rows_go_through_the_same_rules_and_history(world, editor_a):
    book = download(world)
    reports, milestones = book[workbook.REPORTS], book[workbook.MILESTONES]
    row = row_of(reports, "LW-TRA-001")
    for key, value in {
        "health": "amber",
        "percent_complete": 55,
        "investment_completed_ytd": 1.5,
        "narrative": "盾构始发",
        "problems": "管线迁改",
    }.items():
        set_cell(reports, row, key, value)
    set_cell(reports, row_of(reports, "LW-TRA-002"), "narrative", "更正后的报告")
    set_cell(milestones, 2, "actual_date", "2026-06-14", workbook.MILESTONE_COLUMNS)
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert outcome.ok, outcome.errors
    assert (outcome.reports, outcome.milestones) == (2, 1)
    new = world["tunnel"].reports.get()
    assert (new.health, new.percent_complete, new.author) == ("amber", 55, editor_a)
    edited = world["road"].reports.get()
    assert edited.narrative == "更正后的报告" and edited.history.count() == 2
    world["milestone"].refresh_from_db()
    assert world["milestone"].actual_date == D(2026, 6, 14)


@pytest.mark.parametrize(
    "change, sheet, key",
    [
        (
            {"percent_complete": 120, "health": "green", "narrative": "x"},
            workbook.REPORTS,
            "percent_complete",
        ),
        ({"health": "purple", "percent_complete": 5, "narrative": "x"}, workbook.REPORTS, "health"),
        (
            {"name": "改过的名字", "health": "green", "percent_complete": 5, "narrative": "x"},
            workbook.REPORTS,
            "name",
        ),
        (
            {
                "investment_completed_ytd": "lots",
                "health": "green",
                "percent_complete": 5,
                "narrative": "x",
            },
            workbook.REPORTS,
            "investment_completed_ytd",
        ),
        (
            {"code": "LW-CUL-001", "health": "green", "percent_complete": 5, "narrative": "x"},
            workbook.REPORTS,
            "code",
        ),
        (
            {"code": "LW-NOPE-1", "health": "green", "percent_complete": 5, "narrative": "x"},
            workbook.REPORTS,
            "code",
        ),
        ({"actual_date": "2026-13-40"}, workbook.MILESTONES, "actual_date"),
        ({"actual_date": "2026-07-01"}, workbook.MILESTONES, "actual_date"),
        ({"planned_date": "2027-01-01"}, workbook.MILESTONES, "planned_date"),
        (
            {"forecast_date": "2026-09-01", "forecast_reason": ""},
            workbook.MILESTONES,
            "forecast_reason",
        ),
    ],
)
def test_each_bad_row_is_refused_by_row_and_column_and_nothing_is_saved(
    change, sheet, key, world, editor_a
):
    book = download(world)
    reports = book[workbook.REPORTS]
    good = row_of(reports, "LW-TRA-002")
    set_cell(reports, good, "narrative", "这一行没错")
    columns = workbook.COLUMNS[sheet]
    target = book[sheet]
    for k, v in change.items():
        set_cell(target, 2, k, v, columns)
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert not outcome.ok
    header = next(h for k, h, _e in columns if k == key)
    assert (sheet, 2, header) in [(s, r, c) for s, r, c, _m in outcome.errors]
    assert world["road"].reports.get().narrative == "已有报告"  # the good row was not saved either
    assert not world["tunnel"].reports.exists()


@pytest.mark.parametrize(
    "data, message",
    [(b"", "empty"), (b"name,health\nx,green\n", "not an Excel"), (b"x" * 6_000_000, "larger")],
)
def test_bad_files_are_refused_with_a_message(data, message, world, editor_a, settings):
    from django.utils import translation

    with translation.override("en"):
        outcome = workbook.load(data, world["a"], editor_a, TODAY)
    assert not outcome.ok and message in outcome.errors[0][3]


def test_one_bad_row_among_many_changes_nothing(world, editor_a, department_a):
    for _ in range(60):
        make_project(lead_department=department_a, stage="construction")
    book = download(world)
    reports = book[workbook.REPORTS]
    for row in range(2, reports.max_row + 1):
        for key, value in {"health": "green", "percent_complete": 10, "narrative": "月报"}.items():
            set_cell(reports, row, key, value)
    set_cell(reports, reports.max_row, "percent_complete", -5)
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert len(outcome.errors) == 1
    assert ProgressReport.objects.count() == 1  # only the one that was there


def test_the_dry_run_saves_nothing(world, editor_a):
    book = download(world)
    set_cell(book[workbook.REPORTS], 2, "health", "green")
    set_cell(book[workbook.REPORTS], 2, "percent_complete", 5)
    set_cell(book[workbook.REPORTS], 2, "narrative", "试填")
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY, dry_run=True)
    assert outcome.ok and outcome.reports == 1
    assert not world["tunnel"].reports.exists()


class TestPages:
    def test_the_departments_editor_downloads_and_uploads(self, client, world, editor_a):
        client.force_login(editor_a)
        response = client.get(reverse("projects:workbook", args=["dept-a"]))
        assert response["Content-Disposition"] == 'attachment; filename="dept-a-2026-05.xlsx"'
        book = load_workbook(io.BytesIO(response.content))
        set_cell(book[workbook.REPORTS], 2, "health", "red")
        set_cell(book[workbook.REPORTS], 2, "percent_complete", 5)
        set_cell(book[workbook.REPORTS], 2, "narrative", "停工")
        upload = SimpleUploadedFile("wb.xlsx", save(book))
        response = client.post(
            reverse("projects:workbook_upload", args=["dept-a"]), {"file": upload}
        )
        assert response.status_code == 302
        assert world["tunnel"].reports.get().health == "red"

    def test_errors_are_listed_and_nothing_saved(self, client, world, editor_a):
        client.force_login(editor_a)
        upload = SimpleUploadedFile("wb.xlsx", b"not a workbook")
        response = client.post(
            reverse("projects:workbook_upload", args=["dept-a"]), {"file": upload}
        )
        assert response.status_code == 400
        assert response.context["outcome"].errors

    @pytest.mark.parametrize("persona", ["editor_b", "manager", "viewer"])
    def test_others_are_refused(self, persona, request, client, world):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(reverse("projects:workbook", args=["dept-a"])).status_code == 403
        upload = SimpleUploadedFile("wb.xlsx", workbook.build(world["a"], TODAY))
        assert (
            client.post(
                reverse("projects:workbook_upload", args=["dept-a"]), {"file": upload}
            ).status_code
            == 403
        )


def test_the_command(world, editor_a, tmp_path):
    book = download(world)
    set_cell(book[workbook.REPORTS], 2, "health", "green")
    set_cell(book[workbook.REPORTS], 2, "percent_complete", 5)
    set_cell(book[workbook.REPORTS], 2, "narrative", "脚本导入")
    path = tmp_path / "wb.xlsx"
    path.write_bytes(save(book))
    call_command(
        "import_workbook", str(path), "--department", "dept-a", "--dry-run", stdout=io.StringIO()
    )
    assert not world["tunnel"].reports.exists()
    call_command(
        "import_workbook",
        str(path),
        "--department",
        "dept-a",
        "--user",
        "editor-a",
        stdout=io.StringIO(),
    )
    assert world["tunnel"].reports.get().narrative == "脚本导入"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError):
        call_command("import_workbook", str(bad), "--department", "dept-a", stdout=io.StringIO())


# --- the district's words: sheets, headers and values in Chinese ---------------------------


def fill(book, row=2, **values):
    """A month's report for the first project, with `values` over a plain good one."""
    good = {"health": "正常", "percent_complete": 20, "narrative": "主体施工"}
    for key, value in (good | values).items():
        set_cell(book[workbook.REPORTS], row, key, value)
    return book


def test_the_workbook_speaks_chinese_only(world):
    book = download(world)
    assert book.sheetnames == ["月度报告", "节点"]
    for name, columns in workbook.COLUMNS.items():
        headers = [cell.value for cell in book[name][1]]
        assert headers == [header for _k, header, _e in columns]
        assert not any(c.isascii() and c.isalpha() for h in headers for c in h), headers
    reports = book[workbook.REPORTS]
    # The unit is in the header.
    assert "本月完成投资（亿元）" in [c.value for c in reports[1]]
    assert "完成进度（%）" in [c.value for c in reports[1]]
    # A report's health is written as its word, and offered as a drop-down of the words.
    health = column(reports, "health", workbook.REPORT_COLUMNS)
    assert reports.cell(row_of(reports, "LW-TRA-002"), health).value == "正常"
    (validation,) = reports.data_validations.dataValidation
    assert validation.formula1 == '"正常,有风险,严重滞后"'
    assert str(validation.sqref).startswith(reports.cell(2, health).column_letter + "2")


def test_the_health_words_are_the_names_the_pages_give(world):
    from django.utils import translation

    with translation.override("zh-hans"):
        names = {code: str(label) for code, label in ProgressReport.Health.choices}
    assert names == workbook.HEALTH_WORDS


@pytest.mark.parametrize(
    "typed, saved",
    [
        ("正常", "green"),
        ("有风险", "amber"),
        ("严重滞后", "red"),
        (" 严重滞后 ", "red"),
        ("green", "green"),
        ("Amber", "amber"),
        ("red", "red"),
    ],
)
def test_health_is_read_from_its_word_or_its_code(typed, saved, world, editor_a):
    outcome = workbook.load(save(fill(download(world), health=typed)), world["a"], editor_a, TODAY)
    assert outcome.ok, outcome.errors
    assert world["tunnel"].reports.get().health == saved


@pytest.mark.parametrize(
    "typed",
    ["3.2", "3.2亿", "3.2亿元", "32000万", "32000万元", "３．２", "32,000万", " 3.2 亿元 ", 3.2],
)
def test_an_amount_is_read_as_the_clerk_writes_it(typed, world, editor_a):
    book = fill(
        download(world), investment_completed_ytd=typed, investment_completed_month="5000万"
    )
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert outcome.ok, outcome.errors
    report = world["tunnel"].reports.get()
    assert report.investment_completed_ytd == Decimal("3.2")
    assert report.investment_completed_month == Decimal("0.5")


def test_a_bad_amount_is_named_in_the_clerks_words(world, editor_a):
    from django.utils import translation

    book = fill(download(world), investment_completed_ytd="三点二")
    with translation.override("zh-hans"):
        outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert outcome.errors == [
        (
            "月度报告",
            2,
            "本年累计完成投资（亿元）",
            "「三点二」不是金额：请填写数字，单位为亿元，如 3.2 或 32000万",
        )
    ]
    assert not world["tunnel"].reports.exists()


def test_a_bad_health_word_says_which_words_are_read(world, editor_a):
    from django.utils import translation

    book = fill(download(world), health="良好")
    with translation.override("en"):
        outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert [(c, m) for _s, _r, c, m in outcome.errors] == [
        (
            "健康状况（正常/有风险/严重滞后）",
            "“良好” is not a health: write 正常, 有风险 or 严重滞后",
        )
    ]


@pytest.mark.parametrize(
    "typed", ["2026-06-14", "2026/6/14", "2026年6月14日", "２０２６－０６－１４"]
)
def test_a_date_is_read_as_the_clerk_writes_it(typed, world, editor_a):
    book = download(world)
    set_cell(book[workbook.MILESTONES], 2, "actual_date", typed, workbook.MILESTONE_COLUMNS)
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert outcome.ok, outcome.errors
    world["milestone"].refresh_from_db()
    assert world["milestone"].actual_date == D(2026, 6, 14)


def test_percent_complete_may_carry_its_sign(world, editor_a):
    outcome = workbook.load(
        save(fill(download(world), percent_complete="55%")), world["a"], editor_a, TODAY
    )
    assert outcome.ok, outcome.errors
    assert world["tunnel"].reports.get().percent_complete == 55


def test_a_workbook_downloaded_before_the_chinese_headers_is_still_read(world, editor_a):
    """Its sheets were `reports` and `milestones`, its headers bilingual, its columns in
    another order, its health green/amber/red."""
    book = download(world)
    for name, columns in workbook.COLUMNS.items():
        sheet = book[name]
        keys = [k for k, _h, _e in columns]
        old = list(workbook.PREVIOUS_HEADERS[name])  # in the old order
        rows = [
            [sheet.cell(r, keys.index(k) + 1).value for k in old]
            for r in range(2, sheet.max_row + 1)
        ]
        sheet.delete_rows(1, sheet.max_row)
        sheet.append([workbook.PREVIOUS_HEADERS[name][k] for k in old])
        for row in rows:
            sheet.append(row)
        sheet.title = workbook.PREVIOUS_SHEETS[name]
    reports = book["reports"]
    old = list(workbook.PREVIOUS_HEADERS[workbook.REPORTS])
    for key, value in {"health": "amber", "percent_complete": 5, "narrative": "旧表"}.items():
        reports.cell(2, old.index(key) + 1, value)
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert outcome.ok, outcome.errors
    assert outcome.reports == 1
    report = world["tunnel"].reports.get()
    assert (report.health, report.narrative) == ("amber", "旧表")


@pytest.mark.parametrize("change", ["drop", "rename", "twice"])
def test_a_workbook_whose_columns_changed_is_refused(change, world, editor_a):
    book = fill(download(world))
    reports = book[workbook.REPORTS]
    if change == "drop":
        reports.delete_cols(column(reports, "problems", workbook.REPORT_COLUMNS))
    elif change == "rename":
        reports.cell(1, column(reports, "problems", workbook.REPORT_COLUMNS), "问题")
    else:
        reports.cell(1, column(reports, "problems", workbook.REPORT_COLUMNS), "下一步计划")
    outcome = workbook.load(save(book), world["a"], editor_a, TODAY)
    assert [(s, r) for s, r, _c, _m in outcome.errors] == [("月度报告", 1)]
    assert not world["tunnel"].reports.exists()
