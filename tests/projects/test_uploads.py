"""Hostile and malformed workbooks are refused with a reason (HTTP 400), quickly, saving
nothing; the limits are the settings'. bench/uploads.py sends the full-size files."""

import io
import resource

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import uploads, workbook
from projects.models import ProgressReport

from .. import hostile
from ..conftest import TODAY, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 1_000_000
    settings.WORKBOOK_MAX_ROWS = 5_000
    settings.SPREADSHEET_MAX_COLUMNS = 50
    settings.SPREADSHEET_MAX_CELL_CHARS = 10_000
    return settings


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


FILES = {
    "one cell unpacking past the limit": (
        lambda: hostile.one_huge_cell(chars=2_000_000),
        "at most 1 MB is read",
    ),
    "rows unpacking past the limit": (
        lambda: hostile.endless_rows(rows=50_000),
        "at most 1 MB is read",
    ),
    "a row numbered 1048576": (hostile.far_dimension, "more than 5,000 rows"),
    "too many rows": (lambda: hostile.many_rows(rows=6_000), "more than 5,000 rows"),
    "too many cells in a row": (lambda: hostile.wide_row(cells=60), "more than 50 cells"),
    "one cell too long": (
        lambda: hostile.one_huge_cell(chars=20_000),
        "more than 10,000 characters",
    ),
    "entities in a DTD": (hostile.entity_bomb, "damaged"),
    "a truncated sheet": (hostile.truncated_sheet, "damaged"),
    "a shared string out of range": (hostile.string_index_out_of_range, "damaged"),
    "not a zip": (hostile.not_a_zip, "not an Excel workbook"),
}


@pytest.mark.parametrize("build, reason", FILES.values(), ids=FILES.keys())
def test_a_hostile_workbook_is_refused_with_its_reason_and_nothing_saved(
    build, reason, small_limits, frozen_today, department_a, editor_a, client
):
    project = make_project(lead_department=department_a, stage="construction")
    data = build()
    client.force_login(editor_a)
    client.cookies[small_limits.LANGUAGE_COOKIE_NAME] = "en"
    started = cpu_seconds()
    response = client.post(
        reverse("projects:workbook_upload", args=[department_a.slug]),
        {"file": SimpleUploadedFile("book.xlsx", data), "dry_run": ""},
    )
    assert cpu_seconds() - started < 5
    assert response.status_code == 400
    (sheet, row, column, message), *others = response.context["outcome"].errors
    assert others == [] and reason in message
    assert len(response.content) < 20_000  # nothing of the file comes back
    assert not ProgressReport.objects.filter(project=project).exists()


def test_errors_beyond_the_limit_are_counted_not_listed(
    small_limits, frozen_today, department_a, editor_a
):
    small_limits.SPREADSHEET_MAX_ERRORS = 3
    book = workbook.build(department_a, TODAY)
    for n in range(10):
        make_project(lead_department=department_a, stage="construction", code=f"LW-TRA-{n:03d}")
    rows = [hostile.row(1, *[h for _k, h, _e in workbook.REPORT_COLUMNS])]
    rows += [hostile.row(n, "LW-NOPE-1") for n in range(2, 12)]
    milestones = [hostile.row(1, *[h for _k, h, _e in workbook.MILESTONE_COLUMNS])]
    data = hostile.workbook({"reports": rows, "milestones": milestones})
    outcome = workbook.load(data, department_a, editor_a, TODAY)
    assert len(outcome.errors) == 3 and outcome.more_errors == 7
    assert book  # the download itself is unaffected


def test_a_message_never_echoes_a_long_cell(small_limits, frozen_today, department_a, editor_a):
    header = [h for _k, h, _e in workbook.REPORT_COLUMNS]
    code = "X" * 5_000
    data = hostile.workbook(
        {
            "reports": [hostile.row(1, *header), hostile.row(2, code, "", "", "0", "green")],
            "milestones": [hostile.row(1, *[h for _k, h, _e in workbook.MILESTONE_COLUMNS])],
        }
    )
    outcome = workbook.load(data, department_a, editor_a, TODAY)
    (_sheet, _row, _column, message), *_ = outcome.errors
    assert code not in message and len(message) < 200


def test_rows_are_read_within_the_width_asked(small_limits):
    data = hostile.workbook({"s": [hostile.row(1, "a", "b", "c"), hostile.row(2, "d", "e")]})
    book = uploads.open_xlsx(data, max_rows=10)
    assert list(uploads.rows(book["s"], max_rows=10, width=2)) == [
        (1, ("a", "b")),
        (2, ("d", "e")),
    ]


# --- the admin's import -------------------------------------------------------------------


class TestAdminImport:
    URL = "admin:projects_milestone_import"

    def post(self, client, data, name, fmt):
        upload = SimpleUploadedFile(name, data)
        return client.post(reverse(self.URL), {"import_file": upload, "format": fmt})

    @pytest.mark.parametrize(
        "build, reason",
        [
            (hostile.far_dimension, "more than 1,000 rows"),
            (lambda: hostile.many_rows(rows=1_002), "more than 1,000 rows"),
            (lambda: hostile.one_huge_cell(chars=2_000_000), "at most 1 MB is read"),
            (hostile.entity_bomb, "damaged"),
        ],
        ids=["a row numbered 1048576", "too many rows", "unpacking too far", "entities"],
    )
    def test_a_hostile_workbook_is_refused_before_it_is_read(
        self, build, reason, small_limits, administrator, client, frozen_today
    ):
        small_limits.ADMIN_IMPORT_MAX_ROWS = 1_000
        client.force_login(administrator)
        client.cookies[small_limits.LANGUAGE_COOKIE_NAME] = "en"
        response = self.post(client, build(), "milestones.xlsx", 1)
        assert response.status_code == 400
        assert reason in " ".join(response.context["form"].errors["import_file"])
        assert "confirm_form" not in response.context

    def test_a_csv_of_too_many_rows_is_refused(self, small_limits, administrator, client):
        small_limits.ADMIN_IMPORT_MAX_ROWS = 1_000
        client.force_login(administrator)
        client.cookies[small_limits.LANGUAGE_COOKIE_NAME] = "en"
        response = self.post(client, hostile.million_row_csv(rows=1_001), "m.csv", 0)
        assert response.status_code == 400, response.context["form"].errors
        assert "more than 1,000 rows" in " ".join(response.context["form"].errors["import_file"])

    def test_a_file_waits_for_its_confirmation_in_the_database_and_goes_with_it(
        self, administrator, client, frozen_today, department_a, tmp_path, monkeypatch
    ):
        import tempfile

        from django.core.cache import caches

        from projects.models import Milestone

        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        make_project(code="LW-TRA-001", lead_department=department_a)
        client.force_login(administrator)
        data = "project,title,planned_date\nLW-TRA-001,开工,2026-09-01\n".encode()
        response = self.post(client, data, "m.csv", 0)
        confirm = response.context["confirm_form"].initial
        key = f"preview-{confirm['import_file_name']}"
        assert caches["import-previews"].get(key) == data
        response = client.post(reverse("admin:projects_milestone_process_import"), confirm)
        assert response.status_code == 302
        assert Milestone.objects.filter(title="开工").exists()
        assert caches["import-previews"].get(key) is None
        assert list(tmp_path.iterdir()) == []  # nothing was written to a temporary folder

    def test_a_lapsed_preview_asks_for_the_file_again(self, administrator, client, settings):
        client.force_login(administrator)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        data = {"import_file_name": "0" * 32, "original_file_name": "m.csv", "format": "0"}
        response = client.post(reverse("admin:projects_milestone_process_import"), data)
        assert response.status_code == 200
        assert "upload the file again" in response.content.decode()


# --- the import command -------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, fmt, reason",
    [
        (hostile.far_dimension, "xlsx", "more than 1,000 rows"),
        (lambda: hostile.million_row_csv(rows=1_001), "csv", "more than 1,000 rows"),
        (lambda: hostile.one_huge_cell(chars=2_000_000), "xlsx", "at most 1 MB is read"),
        (hostile.entity_bomb, "xlsx", "damaged"),
    ],
    ids=["a row numbered 1048576", "too many rows", "unpacking too far", "entities"],
)
def test_the_import_command_refuses_a_hostile_file(build, fmt, reason, small_limits, tmp_path):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    small_limits.IMPORT_MAX_ROWS = 1_000
    path = tmp_path / f"hostile.{fmt}"
    path.write_bytes(build())
    output = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_spreadsheet", "milestones", str(path), stdout=output)
    assert reason in output.getvalue()
    assert "row " not in output.getvalue()  # refused before any row was imported


def test_the_import_command_refuses_a_file_too_large(small_limits, tmp_path):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    small_limits.IMPORT_MAX_BYTES = 1_000
    path = tmp_path / "big.csv"
    path.write_bytes(hostile.million_row_csv(rows=500))
    output = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_spreadsheet", "milestones", str(path), stdout=output)
    assert "larger than" in output.getvalue()


def test_the_import_command_counts_a_csv_before_importing_a_batch_of_it(small_limits, tmp_path):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    small_limits.IMPORT_MAX_ROWS = 2_500  # more than one batch of 2,000 rows
    path = tmp_path / "long.csv"
    path.write_bytes(hostile.million_row_csv(rows=2_501))
    output = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_spreadsheet", "milestones", str(path), stdout=output)
    assert output.getvalue().startswith("file: The sheet has more than 2,500 rows")
    assert "row " not in output.getvalue()  # no batch was imported first
