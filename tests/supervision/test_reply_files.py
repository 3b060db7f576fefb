"""Files on a supervision reply: the addressed department sends photos or documents with
its reply, checked as every attached file is; whoever may read the order reads them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.models import OrderStep, ReplyAttachment, SupervisionOrder
from supervision.services import order_issue

from ..conftest import TODAY, make_project
from ..files import BAD_FILES, jpeg_bytes, pdf_bytes, stored_files, upload

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "viewer", "manager", "editor_a", "editor_b", "administrator"]


@pytest.fixture
def order(frozen_today, department_a):
    project = make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")
    return order_issue(
        by=None,
        project=project,
        department=department_a,
        request="请报送整改现场照片",
        level="routine",
        reply_due=TODAY + datetime.timedelta(days=7),
    )


def reply(client, order, *files):
    return client.post(
        reverse("supervision:reply", args=[order.pk]),
        {"text": "已整改完毕", "version": order.version, "files": list(files)},
    )


def test_the_department_replies_with_a_photo_and_a_document(client, editor_a, order, media_root):
    client.force_login(editor_a)
    response = reply(
        client, order, upload("现场.jpg", jpeg_bytes()), upload("纪要.pdf", pdf_bytes())
    )
    assert response.status_code == 302
    step = OrderStep.objects.get(order=order, kind=OrderStep.Kind.REPLIED)
    assert sorted(step.attachments.values_list("name", "kind")) == [
        ("现场.jpg", "photo"),
        ("纪要.pdf", "pdf"),
    ]
    assert len(stored_files(media_root)) == 3  # the photo, its thumbnail, the PDF
    page = client.get(order.get_absolute_url()).content.decode()
    for row in ReplyAttachment.objects.all():
        assert reverse("supervision:file", args=[row.pk]) in page


@pytest.mark.parametrize("kind", ["program", "truncated", "pdf_javascript"])
def test_a_bad_file_refuses_the_reply_and_keeps_nothing(kind, client, editor_a, order, media_root):
    client.force_login(editor_a)
    name, data = BAD_FILES[kind]
    with translation.override("en"):
        response = reply(client, order, upload("ok.jpg", jpeg_bytes()), upload(name, data))
    assert response.status_code == 400
    assert name in response.context["reply_form"].errors["files"][0]
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.OPEN
    assert not OrderStep.objects.filter(kind=OrderStep.Kind.REPLIED).exists()
    assert not ReplyAttachment.objects.exists() and stored_files(media_root) == []


def test_over_the_count_limit_nothing_is_kept(settings, client, editor_a, order, media_root):
    settings.ATTACHMENT_MAX_PER_RECORD = 1
    client.force_login(editor_a)
    response = reply(client, order, upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes()))
    assert response.status_code == 400
    assert not ReplyAttachment.objects.exists() and stored_files(media_root) == []


def test_another_department_sends_no_file(client, editor_b, order, media_root):
    client.force_login(editor_b)
    assert reply(client, order, upload("a.jpg", jpeg_bytes())).status_code == 403
    assert not ReplyAttachment.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("view", ["supervision:file", "supervision:thumbnail"])
def test_who_may_read_a_replys_file(view, persona, client, editor_a, order, request):
    client.force_login(editor_a)
    reply(client, order, upload("a.jpg", jpeg_bytes()))
    client.logout()
    row = ReplyAttachment.objects.get()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(view, args=[row.pk]))
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_administrator_deletes_a_replys_file_with_a_trace(
    client, editor_a, administrator, order, media_root, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    reply(client, order, upload("a.pdf", pdf_bytes()))
    row = ReplyAttachment.objects.get()
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:supervision_replyattachment_delete", args=[row.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    trace = ReplyAttachment.history.get(id=row.pk, history_type="-")
    assert trace.history_user == administrator and trace.name == "a.pdf"
    assert stored_files(media_root) == []
