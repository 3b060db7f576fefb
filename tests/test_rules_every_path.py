"""One rule, one message, every path: each bad input goes through the web form, the
department workbook, the admin import (where the field is importable) and the service, and
each refuses it with the same message and saves nothing.

A re-baseline (a new planned date) goes only through the administrator's paths: the
milestone's change form, the project's milestone rows and the import; a department's forms
and workbook cannot move a planned date at all.

An indicator's own fields (its target and baseline) are written only by administrators: in
the indicator's change form and the import of a plan's indicator table. A plan's chapters
likewise: their change form and the import of a plan's outline (the plan data's loader
takes a section's parent from its code, so it cannot put one under another chapter). An indicator value's source (official, with its title and address) is set
only by administrators: in the value's change form and the import; a department's value is
always its own. A published (official) value is not a department's to change: its form and
service refuse it.

A workbook cannot carry a control character (XML forbids them, and the cell escape
_x000B_ is read as those seven characters), so that rule has no workbook path.

The REST API (api/) writes reports and milestone updates through the same services: its
path ("api") gives the model's messages by field with a 400.

Add a row to RULES whenever a rule is added; add a path to PATHS when a new way of writing
arrives."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators import services as indicator_services
from indicators.models import Indicator, IndicatorValue
from projects import services, workbook
from projects.models import Milestone, PlanChapter, ProgressReport
from indicators.resources import IndicatorResource, IndicatorValueResource
from projects.resources import ChapterResource, MilestoneResource, import_file

from projects.roles import Role

from .conftest import (
    TODAY,
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD = D(2026, 5, 1)  # the month the workbook of TODAY asks for
GOOD_REPORT = {
    "health": "green",
    "percent_complete": 40,
    "narrative": "主体结构施工",
    "problems": "",
    "next_steps": "",
    "investment_completed_ytd": Decimal("1.5"),
}

# (rule, write, bad fields, the message every path gives, paths that can carry it)
RULES = [
    (
        "actual date in the future",
        "done",
        {"actual_date": TODAY + datetime.timedelta(days=1)},
        "The actual date cannot be in the future.",
        ["form", "workbook", "import", "service", "api"],
    ),
    (
        "forecast in the past",
        "reforecast",
        {"forecast_date": TODAY - datetime.timedelta(days=30), "forecast_reason": "征拆延误"},
        "A forecast is a date still to come.",
        ["form", "workbook", "import", "service", "api"],
    ),
    (
        "forecast without a reason",
        "reforecast",
        {"forecast_date": TODAY + datetime.timedelta(days=30), "forecast_reason": "  "},
        "Give a reason for the forecast date.",
        ["form", "workbook", "import", "service", "api"],
    ),
    (
        "control character in a text",
        "reforecast",
        {"forecast_date": TODAY + datetime.timedelta(days=30), "forecast_reason": "征拆\x0b延误"},
        "Remove the control character U+000B (at character 3).",
        ["form", "import", "service", "api"],
    ),
    (
        "empty narrative",
        "report",
        {"narrative": "   "},
        "Say what was done this month.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "percent 101",
        "report",
        {"percent_complete": 101},
        "Percent complete must be between 0 and 100.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "negative investment",
        "report",
        {"investment_completed_ytd": Decimal("-0.5")},
        "Investment cannot be negative.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "month's investment over the year to date",
        "report",
        {"investment_completed_month": Decimal("2"), "investment_completed_ytd": Decimal("1.5")},
        "The month's investment cannot be more than the year to date.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "month's investment without a year to date to add it to",
        "report",
        {"investment_completed_month": Decimal("0.5"), "investment_completed_ytd": None},
        "Give the year to date: the previous month has no figure to add this month's to.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "negative month's investment",
        "report",
        {"investment_completed_month": Decimal("-0.5")},
        "Investment cannot be negative.",
        ["form", "workbook", "service", "api"],
    ),
    (
        "control character in a report",
        "report",
        {"narrative": "完成\x07桩基"},
        "Remove the control character U+0007 (at character 3).",
        ["form", "service", "api"],
    ),
    (
        "a year outside the plan",
        "value",
        {"year": 2031, "value": Decimal("1300"), "note": "统计公报"},
        "Enter a year from 2020 to 2025.",
        ["form", "import", "service"],
    ),
    (
        "indicator value without its source",
        "value",
        {"year": 2023, "value": Decimal("1300"), "note": ""},
        "Say where the figure comes from.",
        ["form", "import", "service"],
    ),
    (
        "control character in a source note",
        "value",
        {"year": 2023, "value": Decimal("1300"), "note": "公报\x1b"},
        "Remove the control character U+001B (at character 3).",
        ["form", "import", "service"],
    ),
    (
        "re-baseline without a reason",
        "rebaseline",
        {"planned_date": TODAY + datetime.timedelta(days=90), "change_reason": "  "},
        "Say why the planned date moves: a re-baseline needs a reason, which the history keeps.",
        ["admin", "inline", "import", "model"],
    ),
    (
        "control character in a change reason",
        "rebaseline",
        {"planned_date": TODAY + datetime.timedelta(days=90), "change_reason": "调整\x0b计划"},
        "Remove the control character U+000B (at character 3).",
        ["admin", "inline", "import"],
    ),
    (
        "a yearly-target value without that year's target",
        "yearly",
        {"year": 2023, "value": Decimal("-3.1"), "year_target": None, "note": "市下达目标"},
        "Give the target set for this year.",
        ["form", "import", "service"],
    ),
    (
        "an official value without its source's title and address",
        "official",
        {"year": 2023, "value": Decimal("1300"), "note": "统计公报", "source": "official"},
        "An official value needs its source's title and address.",
        ["admin", "import", "model"],
    ),
    (
        "a period baseline without the first year of its period",
        "indicator",
        {
            "baseline_kind": "period_total",
            "baseline_year": 2020,
            "baseline_value": Decimal("1634"),
            "baseline_period_start": None,
        },
        "A total or average baseline needs the first year of its period, before the baseline "
        "year.",
        ["admin", "import", "model"],
    ),
    (
        "no target value for a target that is not set for each year",
        "indicator",
        {"target_value": None},
        "Give the target value.",
        ["admin", "import", "model"],
    ),
    (
        "a section whose code is not under its chapter's",
        "chapter",
        {"code": "3.1"},
        "A section's code starts with its parent's code, as in 3.1 under 3.",
        ["admin", "import", "model"],
    ),
    (
        "a chapter's last paragraph before its first",
        "chapter",
        {"paragraph_start": 9, "paragraph_end": 8},
        "The last paragraph cannot come before the first.",
        ["admin", "import", "model"],
    ),
    (
        "a department changes a published value",
        "correct_official",
        {"year": 2021, "value": Decimal("1100"), "note": "部门更正"},
        "This is the district's published figure: only an administrator can change it, giving "
        "a reason.",
        ["form", "service"],
    ),
]


@pytest.fixture
def world(frozen_today, department_a, editor_a):
    project = make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")
    milestone = make_milestone(
        project,
        TODAY - datetime.timedelta(days=3),
        title="主体开工",
        responsible_department=department_a,
    )
    plan = make_plan()
    indicator = make_indicator(
        plan=plan, code="GDP", responsible_department=department_a, unit="亿元"
    )
    yearly = make_indicator(
        plan=plan,
        code="ENERGY",
        responsible_department=department_a,
        unit="%",
        target_kind=Indicator.TargetKind.YEARLY_TARGET,
        target_value=None,
    )
    official = IndicatorValue.objects.create(
        indicator=indicator,
        year=2021,
        value=Decimal("1080"),
        note="2021年统计公报",
        source=IndicatorValue.Source.OFFICIAL,
        source_title="荔湾区2021年国民经济和社会发展统计公报",
        source_url="http://www.lw.gov.cn/2021.html",
    )
    section = make_chapter(plan, "2.1", parent=make_chapter(plan, "2"), title="主要目标")
    return {
        "section": section,
        "project": project,
        "milestone": milestone,
        "indicator": indicator,
        "yearly": yearly,
        "official": official,
        "user": editor_a,
    }


def indicator_of(world, write):
    """The indicator a value write goes to."""
    return world["yearly"] if write == "yearly" else world["indicator"]


def fingerprint():
    return [
        list(ProgressReport.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(IndicatorValue.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(PlanChapter.objects.order_by("pk").values()),
    ]


# --- the paths: each sends a write's fields and returns the messages it got ---------------


def text(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def by_form(world, write, fields, client):
    client.force_login(world["user"])
    if write == "report":
        url = reverse("projects:report_new", args=[world["project"].code])
        data = {"period": "2026-05", "version": 0} | GOOD_REPORT | fields
    elif write in ("done", "reforecast"):
        url = reverse("projects:milestone_update", args=[world["milestone"].pk])
        data = {"action": write, "version": world["milestone"].version} | fields
    elif write == "correct_official":
        official = world["official"]
        url = reverse("indicators:value_edit", args=[official.indicator.code, official.year])
        data = {"loaded_version": official.version} | fields
    else:
        url = reverse("indicators:value_add", args=[indicator_of(world, write).code])
        data = fields
    response = client.post(url, {k: text(v) for k, v in data.items()})
    assert response.status_code == 200
    form = response.context[{"done": "done_form", "reforecast": "forecast_form"}.get(write, "form")]
    return [message for messages in form.errors.values() for message in messages]


def by_workbook(world, write, fields, client):
    book = load_workbook(io.BytesIO(workbook.build(world["project"].lead_department, TODAY)))
    if write == "report":
        sheet, columns, values = (
            book[workbook.REPORTS],
            workbook.REPORT_COLUMNS,
            GOOD_REPORT | fields,
        )
    else:
        sheet, columns, values = book[workbook.MILESTONES], workbook.MILESTONE_COLUMNS, fields
    keys = [key for key, _header, _editable in columns]
    for key, value in values.items():
        sheet.cell(2, keys.index(key) + 1, value)
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = workbook.load(
        buffer.getvalue(), world["project"].lead_department, world["user"], TODAY
    )
    assert {(s, row) for s, row, _c, _m in outcome.errors} == {(sheet.title, 2)}
    return [message for _s, _r, _c, message in outcome.errors]


def by_import(world, write, fields, client):
    if write in ("value", "yearly", "official"):
        resource = IndicatorValueResource()
        row = {"indicator": indicator_of(world, write).code} | fields
    elif write == "indicator":
        resource = IndicatorResource()
        row = {"plan": 14, "code": world["indicator"].code} | fields
    elif write == "chapter":
        resource = ChapterResource()
        section = world["section"]
        row = {"plan": 14, "code": section.code, "title": section.title, "parent": "2"} | fields
    else:
        milestone = world["milestone"]
        resource = MilestoneResource()
        row = {
            "project": "LW-TRA-001",
            "title": milestone.title,
            "planned_date": milestone.planned_date,
        }
        row |= fields
    header = ",".join(row)
    line = ",".join(text(v) for v in row.values())
    outcome = import_file(
        resource, io.BytesIO(f"{header}\n{line}\n".encode()), "csv", user=world["user"]
    )
    assert {row for row, _c, _m in outcome.errors} == {2}
    return [message for _r, _c, message in outcome.errors]


def by_admin(world, write, fields, client):
    """The administrator's change form: of the milestone, of a new indicator value, or of
    the indicator."""
    client.force_login(make_user(Role.ADMINISTRATOR, username="admin-rules"))
    if write == "official":
        url = reverse("admin:indicators_indicatorvalue_add")
        data = {
            "indicator": world["indicator"].pk,
            "entered_at_0": "2026-06-15",
            "entered_at_1": "10:00:00",
        }
        return admin_form_errors(client, url, data | fields)
    if write == "chapter":
        section = world["section"]
        url = reverse("admin:projects_planchapter_change", args=[section.pk])
        data = {
            "plan": section.plan_id,
            "code": section.code,
            "title": section.title,
            "parent": section.parent_id,
            "order": section.order,
            "title_is_official": "on",
            "calls_for_works": "on",
        }
        return admin_form_errors(client, url, data | fields)
    if write == "indicator":
        indicator = world["indicator"]
        url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
        loaded = client.get(url).context["adminform"].form
        data = {name: value for name, value in loaded.initial.items() if value is not None}
        data.pop("chapters", None)  # none linked: the field is left out of the post
        data.update(responsible_department=indicator.responsible_department_id)
        data.update({"values-TOTAL_FORMS": 0, "values-INITIAL_FORMS": 0})
        return admin_form_errors(client, url, data | fields)
    milestone = world["milestone"]
    url = reverse("admin:projects_milestone_change", args=[milestone.pk])
    data = {
        "project": milestone.project_id,
        "title": milestone.title,
        "planned_date": milestone.planned_date,
        "responsible_department": milestone.responsible_department_id,
    }
    return admin_form_errors(client, url, data | fields)


def admin_form_errors(client, url, data):
    response = client.post(url, {k: text(v) for k, v in data.items()})
    assert response.status_code == 200
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def by_inline(world, write, fields, client):
    """The milestone's row on the administrator's project form."""
    milestone, project = world["milestone"], world["project"]
    client.force_login(make_user(Role.ADMINISTRATOR, username="admin-rules"))
    url = reverse("admin:projects_project_change", args=[project.pk])
    loaded = client.get(url).context["adminform"].form
    data = {name: value for name, value in loaded.initial.items() if value is not None}
    data.update(partner_departments=[], lead_department=project.lead_department_id)
    for prefix in ("milestones", "investments", "chapter_links"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    row = {
        "id": milestone.pk,
        "project": project.pk,
        "title": milestone.title,
        "planned_date": milestone.planned_date,
        "responsible_department": milestone.responsible_department_id,
    } | fields
    data.update({"milestones-TOTAL_FORMS": 1, "milestones-INITIAL_FORMS": 1})
    data.update({f"milestones-0-{k}": text(v) for k, v in row.items()})
    response = client.post(url, data)
    assert response.status_code == 200
    return [
        message
        for inline in response.context["inline_admin_formsets"]
        for errors in inline.formset.errors
        for messages in errors.values()
        for message in messages
    ]


def by_model(world, write, fields, client):
    """Code that saves a record through the one check of a write (services.validate)."""
    if write in ("official", "indicator", "chapter"):
        if write == "official":
            record = IndicatorValue(indicator=world["indicator"], **fields)
        elif write == "chapter":
            record = PlanChapter.objects.get(pk=world["section"].pk)
            for name, value in fields.items():
                setattr(record, name, value)
        else:
            record = Indicator.objects.get(pk=world["indicator"].pk)
            for name, value in fields.items():
                setattr(record, name, value)
        try:
            services.validate(record)
        except ValidationError as error:
            return error.messages
        pytest.fail("the model accepted it")
    milestone = Milestone.objects.get(pk=world["milestone"].pk)
    milestone.planned_date = fields["planned_date"]
    milestone._change_reason = fields["change_reason"]
    try:
        services.validate(milestone)
    except ValidationError as error:
        return error.messages
    pytest.fail("the model accepted it")


def by_service(world, write, fields, client):
    user, milestone = world["user"], world["milestone"]
    try:
        if write == "report":
            services.report_submit(
                project=world["project"], author=user, period=PERIOD, **(GOOD_REPORT | fields)
            )
        elif write == "done":
            services.milestone_complete(
                milestone=milestone, by=user, on=fields["actual_date"], version=milestone.version
            )
        elif write == "reforecast":
            services.milestone_reforecast(
                milestone=milestone,
                by=user,
                forecast_date=fields["forecast_date"],
                reason=fields["forecast_reason"],
                version=milestone.version,
            )
        elif write == "correct_official":
            official = world["official"]
            indicator_services.value_save(
                indicator=official.indicator,
                by=user,
                current=official,
                version=official.version,
                **fields,
            )
        else:
            indicator_services.value_save(indicator=indicator_of(world, write), by=user, **fields)
    except ValidationError as error:
        return error.messages
    pytest.fail("the service saved it")


def by_api(world, write, fields, client):
    """The REST API (api/), signed in by session: the model's messages by field."""
    client.force_login(world["user"])
    if write == "report":
        url = f"/api/v1/projects/{world['project'].code}/reports/"
        data = {"period": "2026-05"} | GOOD_REPORT | fields
    else:
        url = f"/api/v1/milestones/{world['milestone'].pk}/" + {
            "done": "complete/",
            "reforecast": "reforecast/",
        }[write]
        data = {"version": world["milestone"].version} | fields
    body = {k: v if isinstance(v, int) else None if v is None else text(v) for k, v in data.items()}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    return [message for messages in response.json().values() for message in messages]


PATHS = {
    "api": by_api,
    "form": by_form,
    "workbook": by_workbook,
    "import": by_import,
    "service": by_service,
    "admin": by_admin,
    "inline": by_inline,
    "model": by_model,
}


@pytest.mark.parametrize(
    "write, fields, message, path",
    [
        pytest.param(write, fields, message, path, id=f"{rule} · {path}")
        for rule, write, fields, message, paths in RULES
        for path in paths
    ],
)
def test_every_path_refuses_a_bad_input_with_the_same_message(
    write, fields, message, path, world, client, settings
):
    """In English, to read; the messages are the same msgids in Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = fingerprint()
    with translation.override("en"):
        assert PATHS[path](world, write, fields, client) == [message]
    assert fingerprint() == before


@pytest.mark.parametrize("path", ["form", "workbook", "service", "api"])
def test_the_good_input_of_those_rules_is_saved_on_every_path(path, world, client):
    """The base the bad rows start from is itself right: what they add is what is refused."""
    if path == "form":
        client.force_login(world["user"])
        url = reverse("projects:report_new", args=[world["project"].code])
        data = {"period": "2026-05", "version": 0} | GOOD_REPORT
        assert client.post(url, {k: text(v) for k, v in data.items()}).status_code == 302
    elif path == "workbook":
        by_workbook_ok(world)
    elif path == "api":
        client.force_login(world["user"])
        data = {"period": "2026-05"} | {k: text(v) for k, v in GOOD_REPORT.items()}
        data["percent_complete"] = GOOD_REPORT["percent_complete"]
        url = f"/api/v1/projects/{world['project'].code}/reports/"
        assert client.post(url, data, content_type="application/json").status_code == 201
    else:
        services.report_submit(
            project=world["project"], author=world["user"], period=PERIOD, **GOOD_REPORT
        )
    report = ProgressReport.objects.get()
    assert (report.narrative, report.percent_complete) == ("主体结构施工", 40)


def by_workbook_ok(world):
    book = load_workbook(io.BytesIO(workbook.build(world["project"].lead_department, TODAY)))
    keys = [key for key, _header, _editable in workbook.REPORT_COLUMNS]
    for key, value in GOOD_REPORT.items():
        book[workbook.REPORTS].cell(2, keys.index(key) + 1, value)
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = workbook.load(
        buffer.getvalue(), world["project"].lead_department, world["user"], TODAY
    )
    assert outcome.ok, outcome.errors


@pytest.mark.parametrize("path", ["form", "workbook", "service", "api"])
def test_every_path_refuses_a_year_to_date_that_disagrees_with_the_previous_month(
    path, world, client, settings
):
    """The ledger's rule (ProgressReport.clean_investment): April's 1.0 to date plus May's
    0.8 is 1.8 to date, not 1.5."""
    ProgressReport.objects.create(
        project=world["project"],
        period=D(2026, 4, 1),
        health="green",
        percent_complete=30,
        narrative="桩基施工",
        investment_completed_month=Decimal("0.4"),
        investment_completed_ytd=Decimal("1.0"),
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = fingerprint()
    fields = {
        "investment_completed_month": Decimal("0.8"),
        "investment_completed_ytd": Decimal("1.5"),
    }
    with translation.override("en"):
        assert PATHS[path](world, "report", fields, client) == [
            "The year to date must be the previous month's 1 plus this month's 0.8, that is 1.8."
        ]
    assert fingerprint() == before
