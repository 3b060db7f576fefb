"""Photos and documents on monthly reports, milestones and approvals: what is accepted (from the
content, not the name), how photos are cleaned, the limits, nothing kept on a refusal, who
may read a file, and the administrator's deletion that leaves a trace."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from PIL import Image

from projects import attachments, services
from projects.models import Attachment, ProgressReport

from ..conftest import TODAY, make_approval, make_milestone, make_project, make_report
from ..files import (
    BAD_FILES,
    GPS_IFD,
    image_bytes,
    jpeg_bytes,
    pdf_bytes,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "viewer", "manager", "editor_a", "editor_b", "administrator"]


@pytest.fixture
def project(frozen_today, department_a):
    return make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")


@pytest.fixture
def report(project):
    return make_report(project, datetime.date(2026, 5, 1))


def report_data(**extra):
    return {
        "period": "2026-05",
        "health": "green",
        "percent_complete": 20,
        "narrative": "主体结构施工",
        "version": 0,
    } | extra


def attach_photos(report, *payloads, by=None):
    files = attachments.check_all([upload(f"p{i}.jpg", p) for i, p in enumerate(payloads)])
    return services.attach(report=report, files=files, by=by)


# --- what is accepted -------------------------------------------------------------------


class TestContentNotName:
    @pytest.mark.parametrize(
        "name, data, kind, content_type, shown",
        [
            ("site.jpg", jpeg_bytes(), "photo", "image/jpeg", "site.jpg"),
            ("site.png", image_bytes("PNG"), "photo", "image/png", "site.png"),
            ("site.webp", image_bytes("WEBP"), "photo", "image/webp", "site.webp"),
            ("批复.pdf", pdf_bytes(), "pdf", "application/pdf", "批复.pdf"),
            # The name lies; the content decides, and the shown name gets the true extension.
            ("approval.pdf", jpeg_bytes(), "photo", "image/jpeg", "approval.jpg"),
            ("photo.jpg", image_bytes("PNG"), "photo", "image/png", "photo.png"),
        ],
    )
    def test_the_type_comes_from_the_content(self, name, data, kind, content_type, shown):
        checked = attachments.check_upload(upload(name, data))
        assert (checked.kind, checked.content_type, checked.name) == (kind, content_type, shown)

    def test_the_shown_name_keeps_no_path_or_control_characters(self):
        assert attachments.display_name("C:\\Users\\张三\\工地\x07照片.jpg") == "工地照片.jpg"
        assert attachments.display_name("../../etc/passwd") == "passwd"
        assert attachments.display_name("\x00") == "file"

    @pytest.mark.parametrize("kind", sorted(BAD_FILES))
    def test_each_bad_kind_is_refused_with_a_message(self, kind):
        name, data = BAD_FILES[kind]
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            attachments.check_upload(upload(name, data))
        (message,) = caught.value.messages
        assert name in message and "Nothing was saved" in message

    def test_a_scanned_pdf_whose_picture_bytes_spell_a_name_is_accepted(self):
        """A picture's bytes are not read for names: a scan of 10 MB would spell /JS by
        chance more often than not."""
        picture = b"\xff\xd8\xff" + b"/JS /JavaScript /AA /Launch" + bytes(range(256)) * 40
        scan = (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
            b"5 0 obj << /Type /XObject /Subtype /Image /Filter /DCTDecode /Length "
            + str(len(picture)).encode()
            + b" >>\nstream\n"
            + picture
            + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        )
        assert attachments.check_upload(upload("scan.pdf", scan)).kind == "pdf"

    def test_a_scanned_document_saved_as_pdf_is_accepted(self):
        """A scan as a scanner writes it: pages of pictures (Pillow writes it here)."""
        out = io.BytesIO()
        pages = [Image.effect_noise((600, 800), 80).convert("RGB") for _page in range(3)]
        pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
        assert attachments.check_upload(upload("批复扫描件.pdf", out.getvalue())).kind == "pdf"

    def test_a_pdf_cannot_hide_an_object_inside_a_streams_length(self):
        """An object past a stream's /Length, before its "endstream", is read (a reader
        that follows the cross-reference table would find it there)."""
        hidden = b"6 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
        pdf = (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 6 0 R >> endobj\n"
            b"5 0 obj << /Subtype /Image /Length 4 >>\nstream\nABCD\n"
            + hidden
            + b"endstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        )
        with pytest.raises(ValidationError):
            attachments.check_upload(upload("a.pdf", pdf))

    def test_a_pdf_stream_without_an_end_is_damaged(self):
        pdf = b"%PDF-1.4\n5 0 obj << /Length 999 >>\nstream\n/JavaScript\n%%EOF\n"
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            attachments.check_upload(upload("a.pdf", pdf))
        assert "damaged" in caught.value.messages[0]

    def test_a_pdf_is_refused_where_only_photos_go(self):
        with pytest.raises(ValidationError):
            attachments.check_upload(upload("a.pdf", pdf_bytes()), photos_only=True)

    def test_a_decompression_bomb_is_refused_for_its_pixels_before_decoding(self):
        name, data = BAD_FILES["bomb"]
        assert len(data) < 10_000  # small file, 900 million pixels
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            attachments.check_upload(upload(name, data))
        assert "million pixels" in caught.value.messages[0]


class TestPhotosAreCleaned:
    def test_exif_and_gps_are_removed(self):
        original = Image.open(io.BytesIO(jpeg_bytes()))
        assert GPS_IFD in original.getexif()  # the test photo has them
        checked = attachments.check_upload(upload("site.jpg", jpeg_bytes()))
        stored = Image.open(io.BytesIO(checked.data))
        assert dict(stored.getexif()) == {}
        assert b"TestCam" not in checked.data and "exif" not in stored.info

    def test_a_webp_keeps_no_exif_either(self):
        out = io.BytesIO()
        exif = Image.Exif()
        exif[GPS_IFD] = {1: "N", 2: (23.0, 7.0, 30.0)}
        Image.new("RGB", (20, 20)).save(out, format="WEBP", exif=exif.tobytes())
        checked = attachments.check_upload(upload("a.webp", out.getvalue()))
        assert dict(Image.open(io.BytesIO(checked.data)).getexif()) == {}

    def test_a_png_keeps_no_exif_text_or_colour_profile(self):
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "东门 23.12N 113.24E")
        exif = Image.Exif()
        exif[GPS_IFD] = {1: "N", 2: (23.0, 7.0, 30.0)}
        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(
            out, format="PNG", pnginfo=text, exif=exif.tobytes(), icc_profile=b"\0" * 128
        )
        checked = attachments.check_upload(upload("a.png", out.getvalue()))
        stored = Image.open(io.BytesIO(checked.data))
        assert dict(stored.getexif()) == {} and "Comment" not in stored.info
        assert "icc_profile" not in stored.info and "东门".encode() not in checked.data

    def test_the_orientation_is_applied_before_the_exif_goes(self):
        checked = attachments.check_upload(upload("a.jpg", jpeg_bytes((64, 32), orientation=6)))
        assert Image.open(io.BytesIO(checked.data)).size == (32, 64)

    def test_a_thumbnail_is_made(self):
        checked = attachments.check_upload(upload("a.jpg", jpeg_bytes((1600, 1200))))
        thumb = Image.open(io.BytesIO(checked.thumbnail))
        assert thumb.format == "JPEG" and max(thumb.size) == 320


# --- limits, storage, no orphans ----------------------------------------------------------


class TestLimitsAndStorage:
    def test_the_stored_names_reveal_nothing(self, report, editor_a, media_root):
        files = attachments.check_all([upload("Liwan-East-Gate-2026.jpg", jpeg_bytes())])
        (row,) = services.attach(report=report, files=files, by=editor_a)
        for name in (row.file.name, row.thumbnail.name):
            assert "LW-TRA-001" not in name and "East-Gate" not in name
            assert editor_a.username not in name
        assert row.file.name.startswith("attachments/") and row.file.name.endswith(".jpg")
        assert len(stored_files(media_root)) == 2  # the photo and its thumbnail
        assert row.size == (media_root / row.file.name).stat().st_size
        assert row.sha256 == __import__("hashlib").sha256(row.file.read()).hexdigest()

    def test_a_file_over_the_size_limit_is_refused(self, settings):
        settings.ATTACHMENT_MAX_BYTES = 1000
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            attachments.check_upload(
                upload("big.jpg", jpeg_bytes((800, 800), color="blue") + b"x" * 2000)
            )
        assert "at most 0.001 MB" in caught.value.messages[0]

    def test_a_photo_over_the_pixel_limit_is_refused(self, settings):
        settings.ATTACHMENT_MAX_PIXELS = 1000
        with pytest.raises(ValidationError):
            attachments.check_upload(upload("a.jpg", jpeg_bytes((50, 50))))

    def test_a_record_holds_at_most_the_count_limit_and_nothing_is_left_over(
        self, settings, report, editor_a, media_root
    ):
        settings.ATTACHMENT_MAX_PER_RECORD = 2
        attach_photos(report, jpeg_bytes(), by=editor_a)
        before = stored_files(media_root)
        # The first of the two is stored, the second refused: the first is removed again.
        with pytest.raises(ValidationError):
            attach_photos(report, jpeg_bytes(), jpeg_bytes(), by=editor_a)
        assert Attachment.objects.count() == 1
        assert stored_files(media_root) == before

    def test_more_files_at_once_than_the_limit_are_refused_unread(self, settings):
        settings.ATTACHMENT_MAX_PER_RECORD = 2
        with pytest.raises(ValidationError):
            attachments.check_all([upload("a.jpg", jpeg_bytes())] * 3)

    def test_a_file_belongs_to_exactly_one_record(self, report, project):
        milestone = make_milestone(project, TODAY)
        for owners in ({}, {"report": report, "milestone": milestone}):
            row = Attachment(
                kind="pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                name="a.pdf",
                file="x",
                **owners,
            )
            with pytest.raises(ValidationError):
                row.full_clean()
        from django.db import IntegrityError, transaction

        with transaction.atomic(), pytest.raises(IntegrityError):
            Attachment.objects.create(
                kind="pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                name="a.pdf",
                file="x",
            )


# --- the report form and the project page ------------------------------------------------


class TestReportForm:
    def test_an_editor_adds_photos_with_the_months_report(
        self, client, editor_a, project, media_root
    ):
        client.force_login(editor_a)
        photos = [upload("东门.jpg", jpeg_bytes()), upload("西门.png", image_bytes("PNG"))]
        response = client.post(
            reverse("projects:report_new", args=[project.code]), report_data(photos=photos)
        )
        assert response.status_code == 302
        report = ProgressReport.objects.get()
        assert sorted(report.attachments.values_list("name", flat=True)) == ["东门.jpg", "西门.png"]
        assert all(a.uploaded_by == editor_a for a in report.attachments.all())
        assert len(stored_files(media_root)) == 4

    @pytest.mark.parametrize("kind", ["program", "truncated", "bomb", "pdf_javascript"])
    def test_a_bad_photo_refuses_the_report_and_keeps_nothing(
        self, kind, client, editor_a, project, media_root
    ):
        client.force_login(editor_a)
        name, data = BAD_FILES[kind]
        with translation.override("en"):
            response = client.post(
                reverse("projects:report_new", args=[project.code]),
                report_data(photos=[upload("good.jpg", jpeg_bytes()), upload(name, data)]),
                HTTP_ACCEPT_LANGUAGE="en",
            )
        assert response.status_code == 200
        assert name in response.context["form"].errors["photos"][0]
        assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
        assert stored_files(media_root) == []

    def test_another_departments_editor_adds_nothing(self, client, editor_b, project, media_root):
        client.force_login(editor_b)
        response = client.post(
            reverse("projects:report_new", args=[project.code]),
            report_data(photos=[upload("a.jpg", jpeg_bytes())]),
        )
        assert response.status_code == 403
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_the_project_page_shows_the_photos_by_month(self, client, manager, project, report):
        april = make_report(project, datetime.date(2026, 4, 1))
        attach_photos(report, jpeg_bytes(), jpeg_bytes())
        attach_photos(april, jpeg_bytes())
        client.force_login(manager)
        response = client.get(project.get_absolute_url())
        months = response.context["photo_months"]
        assert [(month, len(photos)) for month, photos in months] == [
            (datetime.date(2026, 5, 1), 2),
            (datetime.date(2026, 4, 1), 1),
        ]
        html = response.content.decode()
        for photo in Attachment.objects.all():
            assert reverse("projects:thumbnail", args=[photo.pk]) in html
            assert reverse("projects:file", args=[photo.pk]) in html

    def test_the_project_page_runs_the_same_queries_with_photos(
        self, client, manager, project, report
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        approvals = [make_approval(project) for _kind in range(3)]
        # The same rows first without their files (so the same kinds of changes in the
        # history, whose records are read a query for each kind).
        months = [make_report(project, datetime.date(2026, month, 1)) for month in (1, 2, 3)]
        milestone = make_milestone(project, TODAY, actual_date=TODAY)
        client.force_login(manager)
        url = project.get_absolute_url()
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as without:
            client.get(url)
        for month in months:
            attach_photos(month, jpeg_bytes(), jpeg_bytes())
        attach_photos(report, jpeg_bytes())
        services.attach(
            milestone=milestone,
            files=attachments.check_all([upload("a.pdf", pdf_bytes())]),
            by=None,
        )
        for approval in approvals[:2]:  # the checklist's documents
            services.attach(
                approval=approval,
                files=attachments.check_all(
                    [upload("b.pdf", pdf_bytes()), upload("c.jpg", jpeg_bytes())]
                ),
                by=None,
            )
        with CaptureQueriesContext(connection) as with_photos:
            response = client.get(url)
        assert len(with_photos) == len(without), [q["sql"] for q in with_photos]
        assert [len(a.files) for a in response.context["approvals"]] == [2, 2, 0]


# --- the milestone's approval document ----------------------------------------------------


class TestMilestoneDocument:
    @pytest.fixture
    def done(self, project, department_a):
        return make_milestone(
            project,
            TODAY - datetime.timedelta(days=3),
            actual_date=TODAY,
            responsible_department=department_a,
        )

    def test_the_departments_editor_attaches_the_approval_pdf(self, client, editor_a, done):
        client.force_login(editor_a)
        page = client.get(reverse("projects:milestone_update", args=[done.pk]))
        assert reverse("projects:milestone_documents", args=[done.pk]) in page.content.decode()
        response = client.post(
            reverse("projects:milestone_documents", args=[done.pk]),
            {"files": [upload("施工许可批复.pdf", pdf_bytes())]},
        )
        assert response.status_code == 302
        (document,) = done.attachments.all()
        assert (document.kind, document.name) == ("pdf", "施工许可批复.pdf")

    @pytest.mark.parametrize("persona", ["editor_b", "viewer", "manager"])
    def test_others_attach_nothing(self, persona, client, done, request, media_root):
        client.force_login(request.getfixturevalue(persona))
        response = client.post(
            reverse("projects:milestone_documents", args=[done.pk]),
            {"files": [upload("a.pdf", pdf_bytes())]},
        )
        assert response.status_code == 403
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_pdf_with_javascript_is_refused_with_a_message(
        self, client, editor_a, done, media_root
    ):
        client.force_login(editor_a)
        name, data = BAD_FILES["pdf_javascript"]
        response = client.post(
            reverse("projects:milestone_documents", args=[done.pk]), {"files": [upload(name, data)]}
        )
        assert response.status_code == 400
        assert name in response.context["document_form"].errors["files"][0]
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_nothing_chosen_is_a_message(self, client, editor_a, done):
        client.force_login(editor_a)
        response = client.post(reverse("projects:milestone_documents", args=[done.pk]), {})
        assert response.status_code == 400 and response.context["document_form"].errors


# --- reading a file -----------------------------------------------------------------------


class TestServing:
    @pytest.fixture
    def photo(self, report):
        (row,) = attach_photos(report, jpeg_bytes())
        return row

    @pytest.mark.parametrize("persona", PERSONAS)
    @pytest.mark.parametrize("view", ["projects:file", "projects:thumbnail"])
    def test_who_may_read_a_file(self, view, persona, photo, client, request):
        """As the project's page: every signed-in role; a signed-out browser is sent to
        sign in and gets no byte of the file."""
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        response = client.get(reverse(view, args=[photo.pk]))
        if persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
            return
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xff\xd8\xff")
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    def test_a_pdf_is_sent_as_a_download_with_its_name(self, client, viewer, report):
        (row,) = services.attach(
            report=report, files=attachments.check_all([upload("批复.pdf", pdf_bytes())]), by=None
        )
        client.force_login(viewer)
        response = client.get(reverse("projects:file", args=[row.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''%E6%89%B9%E5%A4%8D.pdf" in response["Content-Disposition"]

    def test_no_file_no_page(self, client, viewer):
        client.force_login(viewer)
        assert client.get(reverse("projects:file", args=[999])).status_code == 404

    def test_a_photo_has_no_thumbnail_missing_is_404(self, client, viewer, report):
        (row,) = services.attach(
            report=report, files=attachments.check_all([upload("a.pdf", pdf_bytes())]), by=None
        )
        client.force_login(viewer)
        assert client.get(reverse("projects:thumbnail", args=[row.pk])).status_code == 404

    def test_behind_the_proxy_the_app_names_the_file_and_nginx_sends_it(
        self, settings, client, viewer, photo
    ):
        settings.FILES_ACCEL_REDIRECT = "/protected-files/"
        client.force_login(viewer)
        response = client.get(reverse("projects:file", args=[photo.pk]))
        assert response.status_code == 200 and response.content == b""
        assert response["X-Accel-Redirect"] == f"/protected-files/{photo.file.name}"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_the_media_folder_has_no_public_address(self, client, viewer, photo):
        client.force_login(viewer)
        assert client.get(f"/media/{photo.file.name}").status_code == 404


# --- deletion -----------------------------------------------------------------------------


class TestDeletion:
    @pytest.fixture
    def photo(self, report):
        (row,) = attach_photos(report, jpeg_bytes())
        return row

    def test_an_administrator_deletes_a_file_and_the_history_keeps_a_trace(
        self, client, administrator, photo, media_root, django_capture_on_commit_callbacks
    ):
        client.force_login(administrator)
        url = reverse("admin:projects_attachment_delete", args=[photo.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert not Attachment.objects.exists()
        trace = Attachment.history.filter(id=photo.pk, history_type="-").get()
        assert trace.history_user == administrator
        assert (trace.name, trace.sha256) == (photo.name, photo.sha256)
        assert stored_files(media_root) == []

    @pytest.mark.parametrize("persona", ["manager", "editor_a", "viewer"])
    def test_no_one_else_deletes(self, persona, client, photo, request, media_root):
        user = request.getfixturevalue(persona)
        user.is_staff = True  # even one let into the admin
        user.save()
        client.force_login(user)
        response = client.post(
            reverse("admin:projects_attachment_delete", args=[photo.pk]), {"post": "yes"}
        )
        assert response.status_code in (302, 403)
        assert Attachment.objects.filter(pk=photo.pk).exists()
        assert len(stored_files(media_root)) == 2

    def test_deleting_a_report_removes_its_files(
        self, report, photo, media_root, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            report.delete()
        assert stored_files(media_root) == []


# --- site photos with the department workbook ----------------------------------------------


class TestWorkbookPhotos:
    def workbook(self, department):
        from openpyxl import load_workbook

        from projects import workbook

        book = load_workbook(io.BytesIO(workbook.build(department, TODAY)))
        sheet = book[workbook.REPORTS]
        keys = [key for key, _header, _editable in workbook.REPORT_COLUMNS]
        for key, value in {"health": "green", "percent_complete": 30, "narrative": "进展"}.items():
            sheet.cell(2, keys.index(key) + 1, value)
        out = io.BytesIO()
        book.save(out)
        return upload("workbook.xlsx", out.getvalue())

    def post(self, client, department, *photos, **extra):
        return client.post(
            reverse("projects:workbook_upload", args=[department.slug]),
            {"file": self.workbook(department), "photos": list(photos)} | extra,
        )

    def test_photos_named_by_project_code_go_to_its_months_report(
        self, client, editor_a, project, department_a, media_root
    ):
        client.force_login(editor_a)
        response = self.post(
            client,
            department_a,
            upload("LW-TRA-001 东门.jpg", jpeg_bytes()),
            upload("lw-tra-001_2.png", image_bytes("PNG")),
        )
        assert response.status_code == 302
        report = ProgressReport.objects.get(project=project)
        assert report.period == datetime.date(2026, 5, 1)
        assert report.attachments.count() == 2
        assert len(stored_files(media_root)) == 4

    def test_a_photo_naming_no_project_refuses_the_whole_workbook(
        self, client, editor_a, project, department_a, media_root
    ):
        client.force_login(editor_a)
        with translation.override("en"):
            response = self.post(
                client,
                department_a,
                upload("LW-TRA-001.jpg", jpeg_bytes()),
                upload("IMG_0001.jpg", jpeg_bytes()),
                HTTP_ACCEPT_LANGUAGE="en",
            )
        assert response.status_code == 400
        assert any(
            "IMG_0001.jpg" in message for *_place, message in response.context["outcome"].errors
        )
        assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_bad_photo_refuses_the_workbook(
        self, client, editor_a, project, department_a, media_root
    ):
        client.force_login(editor_a)
        name, data = BAD_FILES["program"]
        response = self.post(client, department_a, upload("LW-TRA-001 " + name, data))
        assert response.context["form"].errors["photos"]
        assert not ProgressReport.objects.exists() and stored_files(media_root) == []

    def test_a_check_only_keeps_no_photo(self, client, editor_a, project, department_a, media_root):
        client.force_login(editor_a)
        response = self.post(
            client, department_a, upload("LW-TRA-001.jpg", jpeg_bytes()), dry_run="on"
        )
        assert response.status_code == 200 and response.context["outcome"].ok
        assert not Attachment.objects.exists() and stored_files(media_root) == []
