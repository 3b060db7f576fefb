"""Every URL that can change data, for every role: the status, and an unchanged database
when refused. The URLs come from the URL configuration itself: a new view that is not
listed below fails this test until someone decides who may use it."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import IndicatorValue, ProjectIndicator
from projects.attachments import check_all
from projects.models import (
    AnnualInvestment,
    Approval,
    Attachment,
    Carryover,
    CoordinationProblem,
    Milestone,
    ProgressReport,
    Project,
    ProjectChapter,
)
from supervision.models import OrderStep, ReplyAttachment, SupervisionOrder
from projects.services import attach
from supervision.services import order_issue, order_reply

from .conftest import (
    TODAY,
    make_approval,
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)
from .files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "viewer", "manager", "editor_a", "editor_b", "administrator"]

# Who may write where (department A owns everything in the fixture).
WRITES = {
    "projects:report_new": {"editor_a", "administrator"},
    "projects:report_review": {"manager", "administrator"},
    "projects:review_accept": {"manager", "administrator"},
    "projects:review_return": {"manager", "administrator"},
    "projects:milestone_update": {"editor_a", "administrator"},
    # The milestone's approval document: its departments' editors (as milestone_update).
    "projects:milestone_documents": {"editor_a", "administrator"},
    # The project's lead department (approval_views.may_update_approval).
    "projects:approval_update": {"editor_a", "administrator"},
    # The planning office's decision (permissions.may_carry_over), not a department's.
    "projects:carry_over": {"manager", "administrator"},
    "projects:carry_over_many": {"manager", "administrator"},
    "indicators:value_add": {"editor_a", "administrator"},
    "indicators:value_edit": {"editor_a", "administrator"},
    "projects:workbook_upload": {"editor_a", "administrator"},
    "supervision:new": {"manager", "administrator"},
    "supervision:reply": {"editor_a", "administrator"},
    "supervision:urge": {"manager", "administrator"},
    "supervision:close": {"manager", "administrator"},
    "supervision:problem_resolve": {"manager", "administrator"},
}
READ_ONLY = {
    "home",
    "projects:portfolio",
    "projects:detail",
    "projects:history",  # read as the project's page is (tests/projects/test_history.py)
    "projects:overdue",
    "projects:upcoming",
    "projects:timeline",
    "projects:approvals",
    "projects:chapters",
    "projects:chapter",
    "projects:departments",
    "projects:department",
    "projects:investment",
    "projects:investment_year",
    "projects:key_projects",
    "projects:plans",
    "projects:plan",
    "projects:plan_assessment",
    "projects:workbook",  # a download (for the department's editors): changes nothing
    # Attached files: read as the project's page is, by every signed-in role
    # (tests/projects/test_attachments.py walks every role through them).
    "projects:file",
    "projects:thumbnail",
    # A reply's files: read as the order's page is (tests/supervision/test_reply_files.py).
    "supervision:file",
    "supervision:thumbnail",
    # Managers' and administrators' only, others get 403 (tests/projects/test_review_queue.py)
    "projects:review_queue",
    "indicators:list",
    "indicators:detail",
    "supervision:list",
    "supervision:detail",
    "supervision:problems",
    "supervision:todo",
    "supervision:bulletins",
    "supervision:bulletin",
    # The public view (no sign-in, GET only: a POST is 405 for everyone;
    # tests/public/test_redaction.py checks what it shows).
    "public:projects",
    "public:project",
    "public:indicators",
    "public:chapters",
    "public_api:projects",
    "public_api:project",
    "public_api:indicators",
    "public_api:chapters",
}
# The URLs anyone may read, signed in or not.
PUBLIC = {name for name in READ_ONLY if name.split(":")[0] in ("public", "public_api")}
# Django's own views: sign-in and out, the language switch, the admin (which checks its
# own permissions, tested in tests/projects/test_admin.py).
OUTSIDE = ("admin", "accounts", "i18n")
# The REST API (its namespace, and its schema and docs pages) is walked for every role and a
# token of each in tests/api/test_authorization.py; the public JSON is classified here.
API_NAMESPACE, API_PAGES = "api", ("api-schema", "api-docs")


def app_urls(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).strip("/^") in OUTSIDE or entry.namespace == API_NAMESPACE:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from app_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if str(entry.pattern).split("/")[0] in OUTSIDE or entry.name in API_PAGES:
                continue
            yield f"{namespace}{entry.name}", entry.pattern.converters.keys()


def test_every_url_is_classified():
    names = {name for name, _kwargs in app_urls()}
    assert names == set(WRITES) | READ_ONLY


@pytest.fixture
def world(frozen_today, department_a, department_b):
    plan = make_plan()
    chapter = make_chapter(plan, "4")
    project = make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")
    project.chapters.add(chapter)
    # The next plan, in force, to carry the project into.
    fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    later_chapter = make_chapter(fifteenth, "2")
    milestone = make_milestone(
        project, TODAY - datetime.timedelta(days=5), responsible_department=department_a
    )
    report = make_report(project, datetime.date(2026, 4, 1))
    approval = make_approval(project)
    indicator = make_indicator(plan=plan, code="GDP", responsible_department=department_a)
    IndicatorValue.objects.create(indicator=indicator, year=2022, value=1)
    problem = CoordinationProblem.objects.create(
        report=report, description="征拆协调", help_department=department_b
    )
    order = order_issue(
        by=None,
        project=project,
        milestone=milestone,
        department=department_a,
        request="请说明原因",
        level="routine",
        reply_due=TODAY + datetime.timedelta(days=7),
    )
    (attachment,) = attach(
        report=report, files=check_all([upload("site.jpg", jpeg_bytes())]), by=None
    )
    # Another order, replied to with a photo (the first stays open for the walk's writes).
    answered = order_issue(
        by=None,
        project=project,
        department=department_a,
        request="请报送现场照片",
        level="routine",
        reply_due=TODAY + datetime.timedelta(days=7),
    )
    order_reply(
        order=answered,
        by=None,
        text="已整改",
        version=answered.version,
        files=check_all([upload("现场.jpg", jpeg_bytes())]),
    )
    return {
        "attachment": attachment,
        "reply_file": ReplyAttachment.objects.get(),
        "order": order,
        "problem": problem,
        "project": project,
        "milestone": milestone,
        "approval": approval,
        "report": report,
        "indicator": indicator,
        "chapter": chapter,
        "later_chapter": later_chapter,
        "department": department_a,
    }


def url_for(name, world):
    """The URL of `name` for the objects of `world`."""
    indicators = name.startswith("indicators:")
    kwargs = {
        "code": world["indicator"].code if indicators else world["project"].code,
        "pk": {
            "projects:report_review": world["report"].pk,
            "projects:review_return": world["report"].pk,
            "supervision:problem_resolve": world["problem"].pk,
            "projects:file": world["attachment"].pk,
            "projects:thumbnail": world["attachment"].pk,
            "supervision:file": world["reply_file"].pk,
            "supervision:thumbnail": world["reply_file"].pk,
            "projects:approval_update": world["approval"].pk,
        }.get(
            name, world["order"].pk if name.startswith("supervision:") else world["milestone"].pk
        ),
        "year": 2022,
        "key": world["chapter"].key,
        "slug": world["department"].slug,
        "month": "2026-05",
        "number": world["chapter"].plan.number,
    }
    wanted = dict(app_urls())[name]
    url = reverse(name, kwargs={k: kwargs[k] for k in wanted})
    if name == "supervision:new":
        url += f"?milestone={world['milestone'].pk}"
    return url


def url_and_data(name, world):
    url = url_for(name, world)
    data = {
        "projects:report_new": {
            "period": "2026-05",
            "health": "green",
            "percent_complete": 5,
            "narrative": "本月进展",
            "version": 0,
        },
        "projects:report_review": {
            "decision": "accept",
            "comment": "",
            "version": world["report"].version,
        },
        "projects:review_accept": {
            "report": [world["report"].pk],
            f"version-{world['report'].pk}": world["report"].version,
        },
        "projects:review_return": {"review_comment": "请补充", "version": world["report"].version},
        "projects:milestone_update": {
            "action": "done",
            "actual_date": "2026-06-14",
            "version": world["milestone"].version,
        },
        "projects:approval_update": {
            "state": "in_hand",
            "number": "荔规划〔2026〕8号",
            "issued_on": "2026-06-01",
            "note": "",
            "version": world["approval"].version,
            "files": [upload("规划许可证.pdf", pdf_bytes())],
        },
        "indicators:value_add": {"year": 2023, "value": "2", "note": "统计公报"},
        "indicators:value_edit": {"year": 2022, "value": "3", "note": "更正", "loaded_version": 1},
        "projects:workbook_upload": {"file": filled_workbook(world)},
        "projects:milestone_documents": {"files": [upload("批复.pdf", pdf_bytes())]},
        "supervision:new": {
            "department": world["department"].pk,
            "level": "key",
            "reply_due": "2026-06-22",
            "request": "请尽快推进",
        },
        "supervision:reply": {
            "text": "已协调施工单位",
            "version": world["order"].version,
            "files": [upload("协调会纪要.pdf", pdf_bytes())],
        },
        "supervision:urge": {
            "reply_due": "2026-06-30",
            "text": "",
            "version": world["order"].version,
        },
        "supervision:close": {"text": "已办结", "version": world["order"].version},
        "supervision:problem_resolve": {"resolution": "已协调解决"},
        "projects:carry_over": {
            "to_plan": 15,
            "chapters": [world["later_chapter"].pk],
            "reason": "跨规划期续建",
        },
        "projects:carry_over_many": {
            "project": [world["project"].pk],
            "to_plan": 15,
            "chapters": [world["later_chapter"].pk],
            "reason": "跨规划期续建",
        },
    }.get(name, {"anything": "x"})
    return url, data


def filled_workbook(world):
    """The department's workbook with this month's report filled in for its project."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from projects import workbook

    book = load_workbook(io.BytesIO(workbook.build(world["department"], TODAY)))
    sheet = book[workbook.REPORTS]
    keys = [key for key, _header, _editable in workbook.REPORT_COLUMNS]
    for key, value in {"health": "green", "percent_complete": 5, "narrative": "本月进展"}.items():
        sheet.cell(2, keys.index(key) + 1, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("workbook.xlsx", buffer.getvalue())


def fingerprint():
    """Everything a write could change, compactly."""
    rows = []
    for model in (Project, Milestone, ProgressReport, AnnualInvestment, IndicatorValue, Approval):
        rows.append(
            (
                model.__name__,
                model.objects.count(),
                model.history.count(),
                sorted(
                    model.objects.values_list(
                        *["pk", *(["version"] if hasattr(model, "version") else [])]
                    )
                ),
            )
        )
    rows.append(sorted(IndicatorValue.objects.values_list("year", "value")))
    rows.append(sorted(SupervisionOrder.objects.values_list("pk", "version", "state")))
    for model in (Carryover, ProjectChapter, ProjectIndicator):
        rows.append((model.__name__, model.objects.count(), model.history.count()))
    rows.append(OrderStep.objects.count())
    rows.append(sorted(Attachment.objects.values_list("pk", "sha256")))
    rows.append(sorted(ReplyAttachment.objects.values_list("pk", "sha256")))
    rows.append(sorted(CoordinationProblem.objects.values_list("pk", "status")))
    return rows


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name", ["projects:file", "projects:thumbnail", "supervision:file", "supervision:thumbnail"]
)
def test_files_are_read_as_their_records_page(name, persona, world, client, request):
    """A file goes to whoever may read its record's page (every signed-in role), and to
    no signed-out browser."""
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url_for(name, world))
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WRITES) + sorted(READ_ONLY))
def test_writes_by_role(name, persona, world, client, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url, data = url_and_data(name, world)
    before = fingerprint()
    response = client.post(url, data)
    allowed = persona in WRITES.get(name, set())
    if allowed:
        assert response.status_code == 302, (
            name,
            persona,
            getattr(response, "context", None)
            and response.context.get("form")
            and response.context["form"].errors,
        )
        assert fingerprint() != before
        return
    if name in PUBLIC:
        assert response.status_code == 405, (name, persona)
    elif persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif name in WRITES:
        assert response.status_code == 403, (name, persona)
    assert fingerprint() == before, (name, persona)
