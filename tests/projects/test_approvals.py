"""Pre-construction approvals (前期手续): the model's rules on both paths, the checklist made
from the category's template (idempotent), the department's write with its authorization,
locking and history, the to-do's row, the missing-approvals page and its export."""

import csv
import datetime
import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from projects import services
from projects.models import Approval, ApprovalKind, ApprovalRequirement, Attachment, Project
from supervision import todo

from ..conftest import (
    TODAY,
    make_approval,
    make_approval_kind,
    make_department,
    make_project,
    make_report,
)
from ..files import jpeg_bytes, pdf_bytes, stored_files, upload

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta


@pytest.fixture(autouse=True)
def default_checklist(db):
    """The default checklist, as its data migration seeds it (again: a test that flushes the
    database, such as the demo data's, takes it away)."""
    from django.apps import apps

    seeding = importlib.import_module("projects.migrations.0018_default_approval_checklist")
    seeding.seed(apps, None)


def english(text):
    with translation.override("en"):
        return str(text)


# --- the model's rules -----------------------------------------------------------------


class TestRules:
    @pytest.fixture
    def approval(self, frozen_today):
        return make_approval(make_project())

    def refused(self, approval, **fields):
        for name, value in fields.items():
            setattr(approval, name, value)
        with pytest.raises(ValidationError) as caught:
            approval.full_clean()
        return caught.value.message_dict

    def test_in_hand_needs_a_number_and_a_date(self, approval):
        errors = self.refused(approval, state=Approval.State.IN_HAND)
        assert set(errors) >= {"number", "issued_on"}

    def test_in_hand_with_both_is_fine(self, approval):
        approval.state, approval.number, approval.issued_on = "in_hand", "荔发改〔2026〕3号", TODAY
        approval.full_clean()

    def test_the_date_is_not_in_the_future(self, approval):
        errors = self.refused(approval, issued_on=TODAY + DAYS(days=1))
        assert "issued_on" in errors

    def test_the_date_is_not_before_2000(self, approval):
        errors = self.refused(approval, issued_on=datetime.date(1999, 12, 31))
        assert "issued_on" in errors

    def test_the_number_refuses_control_characters(self, approval):
        errors = self.refused(approval, number="荔发改\x0b〔2026〕3号")
        assert "number" in errors

    def test_the_database_refuses_in_hand_without_a_number(self, approval):
        with pytest.raises(IntegrityError), transaction.atomic():
            Approval.objects.filter(pk=approval.pk).update(state="in_hand", issued_on=TODAY)

    def test_the_database_refuses_in_hand_without_a_date(self, approval):
        with pytest.raises(IntegrityError), transaction.atomic():
            Approval.objects.filter(pk=approval.pk).update(state="in_hand", number="1号")

    def test_the_database_refuses_a_date_before_2000(self, approval):
        with pytest.raises(IntegrityError), transaction.atomic():
            Approval.objects.filter(pk=approval.pk).update(issued_on=datetime.date(1999, 1, 1))

    def test_one_line_per_kind_in_a_project(self, approval):
        with pytest.raises(IntegrityError), transaction.atomic():
            Approval.objects.create(project=approval.project, kind=approval.kind)


# --- the checklist ---------------------------------------------------------------------


class TestChecklist:
    def test_the_default_checklist_is_seeded_for_every_category(self):
        seeded = set(ApprovalRequirement.objects.values_list("category", flat=True))
        assert seeded == set(Project.Category.values)
        kinds = set(ApprovalKind.objects.values_list("code", flat=True))
        assert {"proposal", "land-site", "planning-permit", "eia", "feasibility"} <= kinds
        assert "construction-permit" in kinds

    def test_fill_makes_the_categorys_lines_once(self):
        project = make_project(category=Project.Category.TRANSPORT)
        wanted = set(
            ApprovalRequirement.objects.filter(category="transport").values_list(
                "kind_id", flat=True
            )
        )
        made = services.approvals_fill(projects=Project.objects.filter(pk=project.pk))
        assert made == len(wanted)
        assert set(project.approvals.values_list("kind_id", flat=True)) == wanted
        assert set(project.approvals.values_list("state", flat=True)) == {"pending"}
        # Each line made has its history record.
        assert Approval.history.filter(project_id=project.pk).count() == len(wanted)
        assert services.approvals_fill(projects=Project.objects.filter(pk=project.pk)) == 0
        assert project.approvals.count() == len(wanted)

    def test_fill_keeps_what_is_recorded_and_adds_a_new_line(self, frozen_today):
        project = make_project(category=Project.Category.ECOLOGY)
        services.approvals_fill(projects=Project.objects.filter(pk=project.pk))
        line = project.approvals.first()
        line.state, line.number, line.issued_on = "in_hand", "1号", TODAY
        line.save()
        kind = make_approval_kind()
        ApprovalRequirement.objects.create(kind=kind, category="ecology")
        assert services.approvals_fill() >= 1
        line.refresh_from_db()
        assert line.state == "in_hand"
        assert project.approvals.filter(kind=kind).exists()

    def test_the_command_fills_existing_projects(self):
        project = make_project(category=Project.Category.CULTURE)
        out = io.StringIO()
        call_command("fill_approvals", "--dry-run", stdout=out)
        assert not project.approvals.exists()
        call_command("fill_approvals", stdout=out)
        assert project.approvals.exists()
        out = io.StringIO()
        call_command("fill_approvals", stdout=out)
        assert "made: 0" in out.getvalue()

    def test_a_project_imported_from_a_spreadsheet_gets_its_checklist(self, administrator):
        from projects.resources import ProjectResource, import_file

        department = make_department(slug="dept-import")
        text = "code,name,category,lead_department\nLW-EDU-778,测试学校,education,dept-import\n"
        outcome = import_file(
            ProjectResource(), io.BytesIO(text.encode()), "csv", user=administrator
        )
        assert outcome.ok, outcome.errors
        project = Project.objects.get(code="LW-EDU-778")
        assert project.lead_department == department
        assert project.approvals.count() == (
            ApprovalRequirement.objects.filter(category="education").count()
        )

    def test_a_project_saved_in_the_admin_gets_its_checklist(self, client, administrator):
        department = make_department()
        client.force_login(administrator)
        formsets = {}
        for prefix in ("chapter_links", "milestones", "investments", "indicator_links"):
            formsets |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
        response = client.post(
            reverse("admin:projects_project_add"),
            {
                "code": "LW-EDU-777",
                "name": "测试学校",
                "category": "education",
                "area": "district",
                "stage": "preliminary",
                "lead_department": department.pk,
            }
            | formsets,
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        project = Project.objects.get(code="LW-EDU-777")
        assert project.approvals.count() == (
            ApprovalRequirement.objects.filter(category="education").count()
        )


# --- the department's write ------------------------------------------------------------


@pytest.fixture
def world(frozen_today, department_a, department_b):
    project = make_project(lead_department=department_a, stage="preliminary")
    return {"project": project, "approval": make_approval(project)}


def post(client, approval, **fields):
    data = {
        "state": "in_hand",
        "number": "荔规划〔2026〕8号",
        "issued_on": "2026-06-01",
        "note": "",
        "version": approval.version,
    } | fields
    return client.post(reverse("projects:approval_update", args=[approval.pk]), data)


class TestUpdate:
    def test_the_departments_editor_records_an_approval(self, client, editor_a, world):
        client.force_login(editor_a)
        response = post(client, world["approval"])
        assert response.status_code == 302
        assert response["Location"].endswith("#approvals")
        approval = Approval.objects.get(pk=world["approval"].pk)
        assert (approval.state, approval.number) == ("in_hand", "荔规划〔2026〕8号")
        assert approval.issued_on == datetime.date(2026, 6, 1)
        assert approval.version == world["approval"].version + 1
        record = approval.history.first()
        assert record.history_user == editor_a and record.history_type == "~"

    @pytest.mark.parametrize("persona", ["viewer", "manager", "editor_b"])
    def test_it_refuses_everyone_else_and_changes_nothing(self, client, world, persona, request):
        client.force_login(request.getfixturevalue(persona))
        before = list(Approval.history.values_list("pk", flat=True))
        assert (
            client.get(reverse("projects:approval_update", args=[world["approval"].pk])).status_code
            == 403
        )
        assert post(client, world["approval"]).status_code == 403
        approval = Approval.objects.get(pk=world["approval"].pk)
        assert (approval.state, approval.version) == ("pending", world["approval"].version)
        assert list(Approval.history.values_list("pk", flat=True)) == before

    def test_an_administrator_may(self, client, administrator, world):
        client.force_login(administrator)
        assert post(client, world["approval"]).status_code == 302

    def test_signed_out_goes_to_sign_in(self, client, world):
        response = post(client, world["approval"])
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_bad_input_says_why_and_saves_nothing(self, client, editor_a, world):
        client.force_login(editor_a)
        with translation.override("en"):
            response = post(client, world["approval"], number="", issued_on="2030-01-01")
        assert response.status_code == 200
        page = response.content.decode()
        assert "cannot be in the future" in page or "不能" in page
        approval = Approval.objects.get(pk=world["approval"].pk)
        assert approval.state == "pending" and approval.version == world["approval"].version

    def test_a_stale_form_is_refused_with_the_other_change(self, client, editor_a, world):
        client.force_login(editor_a)
        stale = world["approval"].version
        assert post(client, world["approval"]).status_code == 302
        response = post(client, world["approval"], number="荔规划〔2026〕9号", version=stale)
        assert response.status_code == 409
        assert Approval.objects.get(pk=world["approval"].pk).number == "荔规划〔2026〕8号"

    def test_the_project_page_shows_the_checklist(self, client, editor_a, world):
        client.force_login(editor_a)
        response = client.get(world["project"].get_absolute_url())
        page = response.content.decode()
        assert 'id="approvals"' in page
        assert reverse("projects:approval_update", args=[world["approval"].pk]) in page
        assert world["approval"].kind.name in page

    def test_the_project_history_shows_the_update_not_the_checklists_lines(
        self, client, editor_a, world
    ):
        client.force_login(editor_a)
        post(client, world["approval"])
        from projects.history import project_history

        entries = [
            e for e in project_history(world["project"]) if world["approval"].kind.name in e.what
        ]
        assert len(entries) == 1 and entries[0].who == editor_a
        assert any("荔规划〔2026〕8号" in str(new) for _label, _old, new in entries[0].changes)

    def test_another_department_sees_no_update_link(self, client, editor_b, world):
        client.force_login(editor_b)
        page = client.get(world["project"].get_absolute_url()).content.decode()
        assert reverse("projects:approval_update", args=[world["approval"].pk]) not in page


# --- missing before the start: the to-do and the page -----------------------------------


@pytest.fixture
def soon(frozen_today, department_a, department_b):
    """Projects starting in 30 days (dept A), in 200 days (dept A), started but still in
    preliminary works (dept B), and one under construction (dept A)."""
    kind = make_approval_kind(name="施工许可证", name_en="Construction permit")
    near = make_project(
        code="LW-TRA-101",
        lead_department=department_a,
        stage="preliminary",
        start_date=TODAY + DAYS(days=30),
    )
    far = make_project(
        lead_department=department_a, stage="reserve", start_date=TODAY + DAYS(days=200)
    )
    late = make_project(
        code="LW-CUL-102",
        category=Project.Category.CULTURE,
        lead_department=department_b,
        stage="preliminary",
        start_date=TODAY - DAYS(days=10),
    )
    going = make_project(
        lead_department=department_a, stage="construction", start_date=TODAY + DAYS(days=5)
    )
    rows = {
        "near": make_approval(near, kind),
        "near_done": make_approval(
            near, state="in_hand", number="1号", issued_on=TODAY - DAYS(days=3)
        ),
        "far": make_approval(far, kind),
        "late": make_approval(late, kind, state="applied"),
        "going": make_approval(going, kind),
    }
    return rows


class TestMissing:
    def test_which_are_listed(self, soon):
        listed = list(Approval.objects.missing_before_start(on=TODAY))
        assert listed == [soon["late"], soon["near"]]

    def test_the_departments_todo_has_a_row(self, soon, editor_a, editor_b):
        items = todo.items_for(editor_a, on=TODAY)
        group = next(g for g in items.groups if g.key == "approvals")
        assert group.count == 1
        (row,) = group.rows
        assert row.url == reverse("projects:approval_update", args=[soon["near"].pk])
        with translation.override("en"):
            assert "30 days" in str(todo.approval_row(TODAY)(soon["near"]).flag)
        other = next(g for g in todo.items_for(editor_b, on=TODAY).groups if g.key == "approvals")
        assert other.count == 1

    def test_the_todo_counts_stay_one_query(self, soon, editor_a, django_assert_num_queries):
        editor_a._role_names = frozenset({"department editor"})
        with django_assert_num_queries(1):
            assert todo.items_for(editor_a, on=TODAY).count >= 1  # the approval

    def test_the_page_lists_and_filters(self, client, manager, soon, department_b):
        client.force_login(manager)
        url = reverse("projects:approvals")
        page = client.get(url).content.decode()
        assert "LW-TRA-101" in page and "LW-CUL-102" in page
        page = client.get(url, {"department": department_b.pk}).content.decode()
        assert "LW-CUL-102" in page and "LW-TRA-101" not in page
        page = client.get(url, {"category": "transport"}).content.decode()
        assert "LW-TRA-101" in page and "LW-CUL-102" not in page
        page = client.get(url, {"state": "applied"}).content.decode()
        assert "LW-CUL-102" in page and "LW-TRA-101" not in page
        page = client.get(url, {"kind": soon["near_done"].kind.pk}).content.decode()
        assert "LW-TRA-101" not in page and "LW-CUL-102" not in page

    def test_a_viewer_reads_it_too(self, client, viewer, soon):
        client.force_login(viewer)
        assert client.get(reverse("projects:approvals")).status_code == 200

    def test_signed_out_goes_to_sign_in(self, client, soon):
        response = client.get(reverse("projects:approvals"))
        assert response.status_code == 302

    def test_the_export_is_free_of_formulas(self, client, manager, soon):
        project = soon["near"].project
        project.name = '=HYPERLINK("http://x")'
        project.save()
        client.force_login(manager)
        with translation.override("en"):
            response = client.get(reverse("projects:approvals"), {"_export": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 3
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
        response = client.get(reverse("projects:approvals"), {"_export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == project.name]
        assert cells and all(c.data_type == "s" for c in cells)

    @pytest.mark.parametrize("extra", [0, 40])
    def test_the_page_costs_a_fixed_number_of_queries(
        self, client, manager, soon, extra, query_budget, department_a
    ):
        kinds = [make_approval_kind() for _ in range(extra)]
        for index, kind in enumerate(kinds):
            project = make_project(
                lead_department=make_department() if index % 2 else department_a,
                stage="reserve",
                start_date=TODAY + DAYS(days=index % 80),
            )
            approval = make_approval(project, kind)
            if index % 4 == 0:
                attach_document(approval, pdf_bytes())
        client.force_login(manager)
        # 1. session, 2. user, 3. count of the rows (the paginator), 4. the user's roles,
        # 5. the to-do's counts (the top bar's badge), 6. any sample data (the banner),
        # 7. departments (filter), 8. kinds (filter), 9. the page's rows with their
        # projects, departments and kinds, 10. the page's approvals' files (their documents).
        with query_budget(10):
            response = client.get(reverse("projects:approvals"))
        assert response.status_code == 200


# --- one rule, one message, every path ---------------------------------------------------

BAD = [
    ({"state": "in_hand", "number": "", "issued_on": "2026-06-01"}, "number"),
    ({"state": "in_hand", "number": "1号", "issued_on": "2026-06-16"}, "issued_on"),
    ({"state": "pending", "number": "", "issued_on": "1999-12-31"}, "issued_on"),
    ({"state": "pending", "number": "荔\x0b1号", "issued_on": ""}, "number"),
]


def messages_by_form(client, approval, data):
    response = post(client, approval, **data)
    assert response.status_code == 200
    return response.context["form"].errors


def messages_by_admin(client, approval, data):
    url = reverse("admin:projects_approval_change", args=[approval.pk])
    fields = {
        "project": approval.project_id,
        "kind": approval.kind_id,
        "note": "",
    } | data
    response = client.post(url, fields)
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def messages_by_service(client, approval, data):
    day = data["issued_on"]
    try:
        services.approval_update(
            approval=approval,
            by=None,
            state=data["state"],
            number=data["number"],
            issued_on=datetime.date.fromisoformat(day) if day else None,
            version=approval.version,
        )
    except ValidationError as error:
        return error.message_dict
    pytest.fail("the service saved it")


@pytest.mark.parametrize("data, field", BAD)
def test_every_path_refuses_the_same_bad_input_with_the_same_message(
    data, field, client, world, editor_a, administrator, settings
):
    """In English, to read; the messages are the same msgids in Chinese."""
    approval = world["approval"]
    found = []
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        client.force_login(editor_a)
        found.append(messages_by_form(client, approval, data))
        client.force_login(administrator)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        found.append(messages_by_admin(client, approval, data))
        found.append(messages_by_service(client, Approval.objects.get(pk=approval.pk), data))
    with translation.override("en"):  # (a request leaves the default language active)
        messages = [[str(m) for m in errors[field]] for errors in found]
    assert messages[0] == messages[1] == messages[2], messages
    fresh = Approval.objects.get(pk=approval.pk)
    assert (fresh.state, fresh.number, fresh.version) == ("pending", "", approval.version)


# --- the approval's document (批复文件) ----------------------------------------------------


def attach_document(approval, *payloads, by=None):
    from projects import attachments

    files = attachments.check_all([upload(f"批复{i}.pdf", p) for i, p in enumerate(payloads)])
    return services.attach(approval=approval, files=files, by=by)


class TestDocument:
    """The lead department's editor attaches the approval's document on its update form,
    checked as every attachment is (projects/attachments.py), read as the project's page."""

    def test_the_departments_editor_attaches_a_pdf_and_it_shows_on_both_pages(
        self, client, editor_a, manager, soon, media_root
    ):
        approval = soon["near"]
        client.force_login(editor_a)
        form = client.get(reverse("projects:approval_update", args=[approval.pk])).content
        assert b'enctype="multipart/form-data"' in form and b'name="files"' in form
        response = post(
            client,
            approval,
            state="applied",
            number="",
            issued_on="",
            files=[upload("用地预审批复.pdf", pdf_bytes())],
        )
        assert response.status_code == 302
        (document,) = Approval.objects.get(pk=approval.pk).attachments.all()
        assert (document.kind, document.name, document.uploaded_by) == (
            "pdf",
            "用地预审批复.pdf",
            editor_a,
        )
        assert document.project == approval.project
        assert len(stored_files(media_root)) == 1
        link = reverse("projects:file", args=[document.pk])
        client.force_login(manager)
        project_page = client.get(approval.project.get_absolute_url()).content.decode()
        assert link in project_page and "用地预审批复.pdf" in project_page
        assert link in client.get(reverse("projects:approvals")).content.decode()

    def test_a_file_alone_leaves_the_approval_as_it_stands(self, client, editor_a, world):
        approval = world["approval"]
        client.force_login(editor_a)
        before = approval.history.count()
        response = post(
            client,
            approval,
            state="pending",
            number="",
            issued_on="",
            files=[upload("扫描件.jpg", jpeg_bytes())],
        )
        assert response.status_code == 302
        fresh = Approval.objects.get(pk=approval.pk)
        assert fresh.attachments.get().is_photo
        # No change, no new version and no empty history record; the file has its own.
        assert (fresh.version, fresh.history.count()) == (approval.version, before)
        assert fresh.attachments.get().history.get().history_user == editor_a

    def test_the_export_counts_the_documents(self, client, manager, soon, settings):
        attach_document(soon["near"], pdf_bytes(), pdf_bytes())
        client.force_login(manager)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(reverse("projects:approvals"), {"_export": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        column = rows[0].index("approval document")
        by_code = {row[0]: row[column] for row in rows[1:]}
        assert by_code == {"LW-TRA-101": "2", "LW-CUL-102": "0"}

    @pytest.mark.parametrize("persona", ["editor_b", "viewer", "manager"])
    def test_others_attach_nothing(self, persona, client, world, request, media_root):
        client.force_login(request.getfixturevalue(persona))
        response = post(client, world["approval"], files=[upload("a.pdf", pdf_bytes())])
        assert response.status_code == 403
        assert not Attachment.objects.exists() and stored_files(media_root) == []
        assert Approval.objects.get(pk=world["approval"].pk).state == "pending"

    def test_a_program_renamed_pdf_is_refused_and_nothing_is_kept(
        self, client, editor_a, world, media_root, settings
    ):
        client.force_login(editor_a)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = post(
            client,
            world["approval"],
            files=[
                upload("good.pdf", pdf_bytes()),
                upload("批复.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
            ],
        )
        assert response.status_code == 200
        (message,) = response.context["form"].errors["files"]
        assert "批复.pdf" in message and "Nothing was saved" in message
        assert message in response.content.decode()
        approval = Approval.objects.get(pk=world["approval"].pk)
        assert (approval.state, approval.version) == ("pending", world["approval"].version)
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_the_count_limit_refuses_the_form_and_keeps_nothing(
        self, client, editor_a, world, media_root, settings
    ):
        settings.ATTACHMENT_MAX_PER_RECORD = 2
        attach_document(world["approval"], pdf_bytes())
        before = stored_files(media_root)
        client.force_login(editor_a)
        response = post(
            client,
            world["approval"],
            files=[upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())],
        )
        assert response.status_code == 200 and response.context["form"].errors["files"]
        approval = Approval.objects.get(pk=world["approval"].pk)
        assert (approval.state, approval.version) == ("pending", world["approval"].version)
        assert approval.attachments.count() == 1 and stored_files(media_root) == before

    def test_a_stale_form_keeps_neither_change_nor_file(self, client, editor_a, world, media_root):
        client.force_login(editor_a)
        stale = world["approval"].version
        assert post(client, world["approval"]).status_code == 302
        response = post(
            client,
            world["approval"],
            number="荔规划〔2026〕9号",
            version=stale,
            files=[upload("批复.pdf", pdf_bytes())],
        )
        assert response.status_code == 409
        assert "批复.pdf" in response.content.decode()  # "yours, not saved"
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_in_hand_without_a_document_is_fine_and_marked(self, client, editor_a, world, settings):
        client.force_login(editor_a)
        assert post(client, world["approval"]).status_code == 302
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(world["project"].get_absolute_url()).content.decode()
        assert "no document" in page

    @pytest.mark.parametrize(
        "persona", ["anonymous", "viewer", "manager", "editor_a", "editor_b", "administrator"]
    )
    def test_the_file_is_read_as_the_project_page(self, persona, client, world, request):
        """Every signed-in role reads it; a signed-out browser is sent to sign in."""
        (document,) = attach_document(world["approval"], pdf_bytes())
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        response = client.get(reverse("projects:file", args=[document.pk]))
        if persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
            return
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    def test_the_admin_shows_the_approval_owning_a_file(self, client, administrator, world):
        (document,) = attach_document(world["approval"], pdf_bytes())
        client.force_login(administrator)
        listing = client.get(reverse("admin:projects_attachment_changelist")).content.decode()
        assert str(world["approval"]) in listing
        page = client.get(reverse("admin:projects_attachment_change", args=[document.pk]))
        assert page.status_code == 200 and str(world["approval"]) in page.content.decode()

    def test_deleting_an_approval_removes_its_files(
        self, world, media_root, django_capture_on_commit_callbacks
    ):
        attach_document(world["approval"], pdf_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            world["approval"].delete()
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_file_belongs_to_one_record_approvals_included(self, world):
        """The constraint, rebuilt with the third owner, and clean() say the same."""
        from django.db.models import Q

        report = make_report(world["project"], datetime.date(2026, 5, 1))
        fields = {
            "kind": "pdf",
            "content_type": "application/pdf",
            "size": 1,
            "sha256": "0" * 64,
            "name": "a.pdf",
            "file": "x",
        }
        Attachment(approval=world["approval"], **fields).full_clean()
        with pytest.raises(ValidationError):
            Attachment(approval=world["approval"], report=report, **fields).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Attachment.objects.create(approval=world["approval"], report=report, **fields)
        (constraint,) = Attachment._meta.constraints
        assert constraint.name == "attachment_on_one_record"
        assert Q(approval__isnull=False, milestone__isnull=True, report__isnull=True) in (
            constraint.condition.children
        )
