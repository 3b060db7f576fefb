"""The project page reads from the top: where the project stands first, the newest report
open and the rest folded, done milestones marked done, and after a save the confirmation in
the row that changed."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from projects import row_messages
from projects.models import AnnualInvestment, CoordinationProblem, Milestone, ProgressReport
from projects.roles import Role

from ..conftest import TODAY, make_milestone, make_project, make_report, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
DAYS = datetime.timedelta


def zh(text, context=None):
    """A text as the page says it (in Chinese, the default language)."""
    with translation.override("zh-hans"):
        if context:
            return translation.pgettext(context, text)
        return translation.gettext(text)


def tree(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text_of(element):
    return " ".join(element.text_content().split())


@pytest.fixture
def project(frozen_today, department_a, manager):
    project = make_project(
        code="LW-TRA-501",
        name="东沙隧道",
        lead_department=department_a,
        stage="construction",
        total_investment=Decimal("20"),
    )
    make_milestone(project, D(2026, 3, 1), title="立项批复", actual_date=D(2026, 2, 28))  # done
    make_milestone(project, TODAY - DAYS(40), title="征地拆迁完成")  # 40 days overdue: red
    make_milestone(project, D(2026, 9, 1), title="主体封顶")
    make_milestone(project, D(2026, 7, 1), title="主体开工")  # the next one
    reviewed = timezone.make_aware(datetime.datetime(2026, 4, 10, 9, 30))
    make_report(
        project,
        D(2026, 3, 1),
        percent_complete=20,
        status="accepted",
        reviewed_by=manager,
        reviewed_at=reviewed,
        narrative="三月进展",
    )
    make_report(project, D(2026, 4, 1), percent_complete=30, narrative="四月进展")  # awaiting
    make_report(project, D(2026, 5, 1), health="amber", percent_complete=40, narrative="五月进展")
    AnnualInvestment.objects.create(project=project, year=2025, planned=5, completed=3)
    AnnualInvestment.objects.create(project=project, year=2026, planned=10, completed=2)
    return project


class TestSummaryStrip:
    def test_it_says_where_the_project_stands(self, client, viewer, project, manager):
        client.force_login(viewer)
        response = client.get(project.get_absolute_url())
        summary = response.context["summary"]
        assert summary["invested"] == Decimal("5")  # 3 in 2025 and 2 so far in 2026
        assert summary["total"] == Decimal("20")
        assert summary["invested_rate"] == 25
        assert summary["next_milestone"].title == "主体开工"
        assert summary["overdue"] == 1
        assert summary["reviewed"].period == D(2026, 3, 1)
        assert summary["awaiting_review"] == 2  # April's and May's

        (strip,) = tree(response).xpath('//section[@id="summary"]')
        figures = {
            text_of(div.xpath("dt")[0]): text_of(div.xpath("dd")[0])
            for div in strip.xpath(".//dl/div")
        }
        assert figures[zh("stage")] == zh("under construction")
        assert figures[zh("reported health")].startswith(zh("at risk"))  # May's report
        assert "2026-05" in figures[zh("reported health")]
        assert figures[zh("schedule health")].startswith(zh("seriously behind"))
        assert figures[zh("percent complete")] == "40%"
        assert "5.00" in figures[zh("investment to date")]
        assert "20.00" in figures[zh("investment to date")]
        assert figures[zh("investment to date")].endswith("25%")
        assert figures[zh("next milestone")].startswith("主体开工")
        last_review = figures[zh("last review")]
        assert last_review.startswith(zh("accepted", "review status"))
        assert "2026-03" in last_review and "2026-04-10" in last_review
        assert str(manager) in last_review
        # Colour is never the only signal: each health says itself in words.
        assert strip.xpath('.//span[contains(@class, "health-amber")]')[0].text == zh("at risk")

    def test_it_comes_first_and_says_so_without_reports_or_figures(self, client, viewer):
        bare = make_project(code="LW-TRA-502", name="新项目", stage="reserve")
        client.force_login(viewer)
        page = tree(client.get(bare.get_absolute_url()))
        main = page.xpath("//main")[0]
        sections = main.xpath("./section")
        assert sections[0].get("id") == "summary"
        strip = text_of(sections[0])
        assert zh("reserve") in strip
        assert zh("No report yet.") in strip
        assert zh("none yet") in strip  # no review

    def test_the_strip_costs_no_query(self, client, manager, project, query_budget):
        # The same queries as the page without it (test_manager_pages pins them, 20 with
        # two kinds of changes; here four: the project, its milestones, reports and
        # investment figures): the strip reads what the page has fetched already.
        client.force_login(manager)
        with query_budget(22):
            client.get(project.get_absolute_url())


class TestFolding:
    def test_the_newest_report_is_open_and_older_ones_folded(self, client, viewer, project):
        client.force_login(viewer)
        page = tree(client.get(project.get_absolute_url()))
        opened = {
            article.get("id"): article.xpath("./details")[0].get("open") is not None
            for article in page.xpath('//section[@id="reports"]//article')
        }
        assert opened == {"report-2026-05": True, "report-2026-04": False, "report-2026-03": False}
        # A folded report still says what it is in its line.
        (april,) = page.xpath('//article[@id="report-2026-04"]/details/summary')
        assert "2026-04" in text_of(april)

    def test_the_change_history_is_folded(self, client, viewer, project):
        client.force_login(viewer)
        page = tree(client.get(project.get_absolute_url()))
        (history,) = page.xpath('//section[@id="history"]/details')
        assert history.get("open") is None
        assert history.xpath(".//table//tbody/tr")  # the changes are there, folded

    def test_reports_awaiting_a_managers_review_are_open_with_their_form(
        self, client, manager, project
    ):
        client.force_login(manager)
        page = tree(client.get(project.get_absolute_url()))
        for period, is_open, has_form in [
            ("2026-05", True, True),
            ("2026-04", True, True),  # older, but waiting on this manager
            ("2026-03", False, False),  # accepted: folded, no form
        ]:
            (article,) = page.xpath(f'//article[@id="report-{period}"]')
            assert (article.xpath("./details")[0].get("open") is not None) == is_open
            assert bool(article.xpath('.//form[contains(@class, "review-form")]')) == has_form

    def test_a_returned_report_is_open_for_the_department_that_fixes_it(
        self, client, editor_a, project
    ):
        ProgressReport.objects.filter(period=D(2026, 3, 1)).update(
            status="returned", review_comment="请补充"
        )
        client.force_login(editor_a)
        page = tree(client.get(project.get_absolute_url()))
        (march,) = page.xpath('//article[@id="report-2026-03"]')
        assert march.xpath("./details")[0].get("open") is not None
        assert march.xpath(
            f'.//a[contains(@href, "{reverse("projects:report_new", args=[project.code])}")]'
        )


class TestDoneMilestones:
    def test_a_done_milestone_is_marked_done_and_offers_no_update(self, client, editor_a, project):
        client.force_login(editor_a)
        page = tree(client.get(project.get_absolute_url()))
        update_links = {}
        for milestone in Milestone.objects.filter(project=project):
            (row,) = page.xpath(f'//tr[@id="milestone-{milestone.pk}"]')
            update = reverse("projects:milestone_update", args=[milestone.pk])
            update_links[milestone.title] = bool(row.xpath(f'.//a[@href="{update}"]'))
            marked = row.xpath('.//span[contains(@class, "done-mark")]')
            assert bool(marked) == milestone.is_done
            if marked:
                assert zh("done", "milestone") in text_of(marked[0])
        assert update_links == {
            "立项批复": False,
            "征地拆迁完成": True,
            "主体开工": True,
            "主体封顶": True,
        }

    def test_a_manager_is_offered_supervision_of_open_milestones_only(
        self, client, manager, project
    ):
        client.force_login(manager)
        page = tree(client.get(project.get_absolute_url()))
        done = Milestone.objects.get(title="立项批复")
        (row,) = page.xpath(f'//tr[@id="milestone-{done.pk}"]')
        assert not row.xpath(".//a")  # neither update nor supervise


class TestAfterASave:
    """Each save made from the project page comes back to the row it changed, and says so
    there (not at the top of the page, which the jump to the row leaves out of sight)."""

    def top_messages(self, page):
        return page.xpath("//main/ul[contains(@class, 'messages')]")

    def test_a_milestone_done(self, client, editor_a, project):
        milestone = Milestone.objects.get(title="征地拆迁完成")
        client.force_login(editor_a)
        response = client.post(
            reverse("projects:milestone_update", args=[milestone.pk]),
            {"action": "done", "actual_date": "2026-06-14", "version": milestone.version},
        )
        assert response.status_code == 302
        assert response["Location"] == f"{project.get_absolute_url()}#milestone-{milestone.pk}"
        page = tree(client.get(response["Location"]))
        (row,) = page.xpath(f'//tr[@id="milestone-{milestone.pk}"]')
        assert "just-saved" in row.get("class")
        # Right under the row, across the table.
        (note,) = row.xpath('following-sibling::tr[1]//ul[contains(@class, "row-notes")]')
        assert note.get("role") == "status"
        assert text_of(note) == zh("The milestone is updated.")
        assert row.xpath('.//span[contains(@class, "done-mark")]')  # and now marked done
        assert self.top_messages(page) == []  # said once, in the row
        # Said once: the next visit shows it no more.
        assert not tree(client.get(project.get_absolute_url())).xpath(
            '//ul[contains(@class, "row-notes")]'
        )

    def test_a_report_submitted(self, client, editor_a, project):
        client.force_login(editor_a)
        response = client.post(
            reverse("projects:report_new", args=[project.code]),
            {
                "period": "2026-05",
                "health": "red",
                "percent_complete": 42,
                "narrative": "改",
                "version": ProgressReport.objects.get(period=D(2026, 5, 1)).version,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"{project.get_absolute_url()}#report-2026-05"
        page = tree(client.get(response["Location"]))
        (article,) = page.xpath('//article[@id="report-2026-05"]')
        assert "just-saved" in article.get("class")
        assert article.xpath("./details")[0].get("open") is not None
        note = text_of(article.xpath('.//ul[contains(@class, "row-notes")]')[0])
        with translation.override("zh-hans"):
            assert note == translation.gettext("The report for %(month)s is saved.") % {
                "month": "2026-05"
            }
        assert self.top_messages(page) == []

    def test_an_older_report_reviewed_is_opened_with_the_word_on_it(self, client, manager, project):
        april = ProgressReport.objects.get(period=D(2026, 4, 1))
        client.force_login(manager)
        response = client.post(
            reverse("projects:report_review", args=[april.pk]),
            {"decision": "accept", "comment": "", "version": april.version},
        )
        assert response["Location"] == f"{project.get_absolute_url()}#report-2026-04"
        page = tree(client.get(response["Location"]))
        (article,) = page.xpath('//article[@id="report-2026-04"]')
        assert article.xpath("./details")[0].get("open") is not None  # no longer awaiting
        assert text_of(article.xpath('.//ul[contains(@class, "row-notes")]')[0]) == zh(
            "Your review is saved."
        )
        assert not article.xpath('.//form[contains(@class, "review-form")]')

    def test_a_refused_review_says_why_at_the_report(self, client, manager, project):
        april = ProgressReport.objects.get(period=D(2026, 4, 1))
        client.force_login(manager)
        response = client.post(
            reverse("projects:report_review", args=[april.pk]),
            {"decision": "accept", "comment": "", "version": april.version + 5},  # stale
        )
        assert response["Location"].endswith("#report-2026-04")
        page = tree(client.get(response["Location"]))
        (note,) = page.xpath(
            '//article[@id="report-2026-04"]//ul[contains(@class, "row-notes")]/li'
        )
        assert note.get("class") == "error"
        assert ProgressReport.objects.get(pk=april.pk).status == "submitted"

    def test_a_problem_resolved(self, client, manager, project, department_b):
        problem = CoordinationProblem.objects.create(
            report=ProgressReport.objects.get(period=D(2026, 5, 1)),
            description="管线迁改需供电局配合",
            help_department=department_b,
        )
        client.force_login(manager)
        response = client.post(
            reverse("supervision:problem_resolve", args=[problem.pk]),
            {"resolution": "已协调供电局"},
        )
        assert response["Location"] == f"{project.get_absolute_url()}#problem-{problem.pk}"
        page = tree(client.get(response["Location"]))
        (row,) = page.xpath(f'//tr[@id="problem-{problem.pk}"]')
        assert "已协调供电局" in text_of(row)
        (note,) = row.xpath('following-sibling::tr[1]//ul[contains(@class, "row-notes")]')
        assert text_of(note) == zh("The problem is marked resolved.")
        assert self.top_messages(page) == []

    def test_a_message_about_a_row_since_gone_shows_at_the_top(self, client, editor_a, project):
        milestone = Milestone.objects.get(title="征地拆迁完成")
        client.force_login(editor_a)
        client.post(
            reverse("projects:milestone_update", args=[milestone.pk]),
            {"action": "done", "actual_date": "2026-06-14", "version": milestone.version},
        )
        milestone.delete()  # by an administrator, before the page came back
        page = tree(client.get(project.get_absolute_url()))
        (top,) = self.top_messages(page)
        assert text_of(top) == zh("The milestone is updated.")
        assert not page.xpath('//ul[contains(@class, "row-notes")]')


def test_messages_are_sorted_by_the_row_they_are_about(rf):
    request = rf.get("/")
    request._messages = CookieStorage(request)
    row_messages.add(request, messages.SUCCESS, "甲", "milestone-1")
    row_messages.add(request, messages.ERROR, "乙", "milestone-2")  # a row not on the page
    messages.info(request, "丙")
    by_row, rest = row_messages.by_row(request, ["milestone-1", "report-2026-05"])
    assert {anchor: [str(m) for m in found] for anchor, found in by_row.items()} == {
        "milestone-1": ["甲"]
    }
    assert [str(m) for m in rest] == ["乙", "丙"]


# What the template wrote before a report's line and its review's were written in Python
# (projects/rows.py): the page must show exactly that.
REPORT_LINE = (
    '{% load i18n portfolio %}{{ report.period|date:"Y-m" }} {{ report.health|health }} '
    '<span class="review review-{{ report.status }}">{{ report.get_status_display }}</span> '
    '<small class="muted">{{ report.percent_complete|percent }}'
    "{% if report.investment_completed_ytd is not None %} · {% blocktranslate with "
    "month=report.investment_completed_month|money ytd=report.investment_completed_ytd|money %}"
    "investment {{ month }} this month, {{ ytd }} this year{% endblocktranslate %}{% endif %}"
    ' · {{ report.author|default:"–" }} · {{ report.submitted_at|date:"Y-m-d" }}</small>'
)
REVIEW_LINE = (
    "{% load i18n %}{% if report.review_comment or report.reviewed_at %}"
    '<p class="review-comment">{% if report.review_comment %}<b>{% translate "review comment" %}'
    ":</b> {{ report.review_comment }} {% endif %}{% if report.reviewed_at %}"
    '<small class="muted">{% translate "reviewed by" %} {{ report.reviewed_by|default:"–" }} · '
    '{{ report.reviewed_at|date:"Y-m-d H:i" }}</small>{% endif %}</p>{% endif %}'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reports_lines_are_written_as_the_template_wrote_them(project, manager, language):
    from django.template import Context, Template

    from projects import rows
    from projects.templatetags.portfolio import health

    author = make_user(Role.EDITOR, username="<b>editor</b>")
    late = datetime.datetime(2026, 5, 31, 20, 30, tzinfo=datetime.UTC)  # June 1st in Shanghai
    reports = [
        make_report(
            project,
            D(2026, 6, 1),
            author=author,
            investment_completed_month=Decimal("0.5"),
            investment_completed_ytd=Decimal("1234.5"),
            review_comment="<script>请补充</script>",
            reviewed_at=late,
            status="returned",
        ),
        *ProgressReport.objects.filter(project=project).select_related("author", "reviewed_by"),
    ]
    ProgressReport.objects.filter(pk=reports[0].pk).update(submitted_at=late)
    reports[0].refresh_from_db()
    with translation.override(language):
        for report in reports:
            context = Context({"report": report})
            assert rows.report_heading(report, health) == Template(REPORT_LINE).render(context)
            assert rows.review_line(report) == Template(REVIEW_LINE).render(context)
    assert "&lt;script&gt;" in rows.review_line(reports[0])
    assert "2026-06-01 04:30" in rows.review_line(reports[0])
    assert "&lt;b&gt;editor&lt;/b&gt;" in rows.report_heading(reports[0], health)


# The loops of the page's template before its milestone rows and report entries were written
# in Python (projects/rows.py): the page must show exactly what they wrote.
MILESTONE_ROWS = (
    "{% load i18n %}"
    '{% translate "responsible department" as department_label %}'
    '{% translate "planned date" as planned_label %}'
    '{% translate "original planned date" as original_label %}'
    '{% translate "forecast date" as forecast_label %}{% translate "actual date" as actual_label %}'
    '{% translate "slip (days)" as slip_label %}'
    '{% translate "slip against the original plan (days)" as slip_original_label %}'
    '{% translate "days overdue" as overdue_label %}'
    '{% translate "days overdue against the original plan" as overdue_original_label %}'
    '{% translate "done" context "milestone" as done_label %}'
    '{% translate "re-baselined" as rebaselined_label %}{% translate "Update" as update_label %}'
    "{% translate \"Supervise\" as supervise_label %}{% url 'supervision:new' as supervise_url %}"
    """{% for m in milestones %}
      <tr id="milestone-{{ m.pk }}" class="{% if m.overdue_days or m.overdue_days_original %}overdue-row{% endif %}{% if m.is_done %} done-row{% endif %}{% if m.notes %} just-saved{% endif %}"><td class="card-title">{{ m.title }}{% if m.is_done %} <span class="done-mark">✓ {{ done_label }}</span>{% endif %}</td><td data-label="{{ department_label }}">{{ m.responsible_department|default:"–" }}</td><td data-label="{{ planned_label }}">{{ m.planned_date }}{% if m.is_rebaselined %} <span class="flag">{{ rebaselined_label }}</span>{% endif %}</td>
        <td data-label="{{ original_label }}">{{ m.original_planned_date }}</td>
        <td data-label="{{ forecast_label }}">{{ m.forecast_date|default:"–" }}{% if m.forecast_reason %}<br><small class="muted">{{ m.forecast_reason }}</small>{% endif %}</td>
        <td data-label="{{ actual_label }}">{{ m.actual_date|default:"–" }}</td><td data-label="{{ slip_label }}">{{ m.slip_days|default_if_none:"–" }}</td><td data-label="{{ slip_original_label }}">{{ m.slip_days_original|default_if_none:"–" }}</td><td data-label="{{ overdue_label }}">{% if m.overdue_days %}<b class="overdue">{{ m.overdue_days }}</b>{% else %}–{% endif %}</td>
        <td data-label="{{ overdue_original_label }}">{% if m.overdue_days_original %}<b class="overdue-original">{{ m.overdue_days_original }}</b>{% else %}–{% endif %}</td>
        <td data-label="">{% if m.files %}{% include "projects/_files.html" with files=m.files %}{% endif %}{% if m.may_update %}<a href="{% url 'projects:milestone_update' m.pk %}">{{ update_label }}</a>{% elif m.may_attach %}<a href="{% url 'projects:milestone_update' m.pk %}#documents">{% translate "Attach the approval document" %}</a>{% endif %}
          {% if may_supervise and not m.is_done %}<a href="{{ supervise_url }}?milestone={{ m.pk }}">{{ supervise_label }}</a>{% endif %}</td></tr>
      {% if m.notes %}<tr class="just-saved row-note"><td colspan="11">{% include "projects/_row_notes.html" with notes=m.notes %}</td></tr>{% endif %}
    {% empty %}<tr><td colspan="11">{% translate "No milestones yet." %}</td></tr>{% endfor %}"""  # noqa: E501
)
REPORT_ENTRIES = """{% load i18n portfolio %}{% for report in reports %}
    <article class="report{% if report.notes %} just-saved{% endif %}" id="{{ report.anchor }}">
    <details{% if report.open %} open{% endif %}>
      <summary><h3>{% report_heading report %}</h3></summary>
      {% if report.notes %}{% include "projects/_row_notes.html" with notes=report.notes %}{% endif %}
      {% review_line report %}
      {% if may_report and report.status == "returned" %}<p><a href="{% url 'projects:report_new' project.code %}?period={{ report.period|date:'Y-m' }}">{% translate "Fix this report" %}</a></p>{% endif %}
      {% if report.narrative %}<p>{{ report.narrative }}</p>{% endif %}
      {% if report.problems %}<p><b>{% translate "problems needing coordination" %}:</b> {{ report.problems }}</p>{% endif %}
      {% if report.next_steps %}<p><b>{% translate "next steps" %}:</b> {{ report.next_steps }}</p>{% endif %}
      {% if report.files %}{% include "projects/_files.html" with files=report.files %}{% endif %}
      {% if may_review and report.status == "submitted" %}
      <form method="post" action="{% url 'projects:report_review' report.pk %}" class="review-form">{% csrf_token %}
        <input type="hidden" name="version" value="{{ report.version }}">
        <label>{% translate "comment" %} <input type="text" name="comment"></label>
        <button type="submit" name="decision" value="accept">{% translate "accept" %}</button>
        <button type="submit" name="decision" value="return">{% translate "return" %}</button>
      </form>
      {% endif %}
    </details>
    </article>
  {% empty %}<p>{% translate "No report yet." %}</p>{% endfor %}"""  # noqa: E501


class File:
    """An attached file as the included list of files reads it."""

    def __init__(self, pk, name, is_photo):
        self.pk, self.name, self.is_photo = pk, name, is_photo


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_milestone_rows_and_report_entries_are_written_as_the_template_wrote_them(
    project, manager, department_b, language
):
    from django.contrib.messages.storage.base import Message
    from django.template import Context, Template

    from projects import rows
    from projects.templatetags.portfolio import health

    odd = make_milestone(
        project,
        TODAY - DAYS(3),
        title="<b>节点</b>",
        original_planned_date=TODAY - DAYS(90),
        forecast_date=TODAY + DAYS(30),
        forecast_reason="<i>征拆</i>延误",
        responsible_department=department_b,
    )
    milestones = list(Milestone.objects.filter(project=project).order_by("planned_date", "pk"))
    saved = [Message(messages.SUCCESS, "已保存 <ok>")]
    for n, m in enumerate(milestones):
        m.overdue_days = m.days_overdue(on=TODAY)
        m.overdue_days_original = m.days_overdue_original(on=TODAY)
        m.files = [File(7, "批复<1>.pdf", False), File(8, "现场.jpg", True)] if m == odd else []
        m.notes = saved if n == 1 else []
        m.may_update = not m.is_done and n % 2 == 0
        m.may_attach = m.is_done or n == 3
    author = make_user(Role.EDITOR, username="<b>editor</b>")
    make_report(
        project,
        D(2026, 6, 1),
        author=author,
        status="returned",
        narrative="<script>六月</script>",
        problems="资金<不足>",
        next_steps="下月 & 开工",
        review_comment="请补充",
    )
    reports = list(
        ProgressReport.objects.filter(project=project)
        .select_related("author", "reviewed_by")
        .newest_first()
    )
    for n, report in enumerate(reports):
        report.anchor = row_messages.report_anchor(report.period)
        report.open = n % 2 == 0
        report.notes = saved if n == 2 else []
        report.files = [File(9, "照片.jpg", True)] if n == 1 else []
    with translation.override(language):
        for may in (False, True):
            context = Context({"milestones": milestones, "may_supervise": may})
            written = rows.project_milestone_rows(milestones, may)
            assert written == Template(MILESTONE_ROWS).render(context)
            context = Context(
                {"reports": reports, "project": project, "may_report": may, "may_review": may}
                | {"csrf_token": "token<1>"}
            )
            written = rows.report_entries(reports, project, may, may, "token<1>", health)
            assert written == Template(REPORT_ENTRIES).render(context)
        assert rows.project_milestone_rows([], True) == Template(MILESTONE_ROWS).render(
            Context({"milestones": []})
        )
        assert rows.report_entries([], project, True, True, "t", health) == Template(
            REPORT_ENTRIES
        ).render(Context({"reports": []}))
    written = rows.project_milestone_rows(milestones, True)
    assert "&lt;b&gt;节点&lt;/b&gt;" in written and "已保存 &lt;ok&gt;" in written
    assert 'class="review-form"' in rows.report_entries(reports, project, True, True, "t", health)
    assert "&lt;script&gt;六月" in rows.report_entries(reports, project, True, True, "t", health)


APPROVAL_ROWS = """{% load i18n %}{% for a in approvals %}
      <tr id="approval-{{ a.pk }}"><td class="card-title">{{ a.kind.display_name }}</td>
        <td data-label="{% translate "state" %}"><span class="approval approval-{{ a.state }}">{% if a.state == "in_hand" %}✓ {% elif a.is_missing %}✗ {% endif %}{{ a.get_state_display }}</span></td>
        <td data-label="{% translate "approval number (文号)" %}">{{ a.number|default:"–" }}</td>
        <td data-label="{% translate "date of approval" %}">{{ a.issued_on|date:"Y-m-d"|default:"–" }}</td>
        <td data-label="{% translate "approval document" %}">{% if a.files %}{% include "projects/_files.html" with files=a.files %}{% elif a.state == "in_hand" %}<span class="muted">{% translate "no document" %}</span>{% else %}–{% endif %}</td>
        <td data-label="{% translate "note" %}">{{ a.note|default:"–" }}</td>
        <td data-label="">{% if may_update_approvals %}<a href="{% url 'projects:approval_update' a.pk %}">{% translate "Update" %}</a>{% endif %}</td></tr>
    {% endfor %}"""  # noqa: E501
INVESTMENT_ROWS = """{% load i18n portfolio %}{% for row in investments %}
      <tr><td class="card-title">{{ row.key }}</td><td data-label="{% translate "planned (100 million yuan)" %}">{{ row.planned|money }}</td><td data-label="{% translate "completed (100 million yuan)" %}">{{ row.completed|money }}</td><td data-label="{% translate "rate" %}">{{ row.rate|percent }}</td><td data-label="{% translate "source of the completed figure" %}">{% if row.source == "correction" %}{% translate "administrator's correction" %}{% elif row.source == "reports" %}{% translate "monthly reports" %}{% elif row.source == "admin" %}{% translate "administrator's yearly figure" %}{% else %}–{% endif %}</td></tr>
    {% empty %}<tr><td colspan="5">–</td></tr>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_approval_and_investment_rows_are_written_as_the_template_wrote_them(
    project, language
):
    from django.template import Context, Template

    from projects import ledger, rows
    from projects.models import Approval

    from ..conftest import make_approval

    make_approval(project, state="in_hand", number="穗发改<2026>1号", issued_on=D(2026, 3, 2))
    make_approval(
        project, state="in_hand", number="2号", issued_on=D(2026, 4, 1), note="原件 & 复印件"
    )
    make_approval(project, state="pending")
    make_approval(project, state="applied", note="<b>待批</b>")
    make_approval(project, state="not_needed")
    approvals = list(Approval.objects.filter(project=project).select_related("kind"))
    for n, a in enumerate(approvals):
        a.files = [File(3, "批复.pdf", False)] if n == 0 else []
    AnnualInvestment.objects.create(
        project=project,
        year=2024,
        planned=4,
        completed=1,
        corrected_by="区统计局",
        correction_reason="核定",
    )
    make_report(project, D(2026, 6, 1), investment_completed_ytd=Decimal("3.5"))
    years = ledger.project_years(project.investments.all(), project.reports.all())
    assert {f.source for f in years} == {"correction", "admin", "reports"}
    years.append(ledger.Figures(label="2027", key=2027, projects=1))  # no figure, no source
    with translation.override(language):
        for may in (False, True):
            context = Context({"approvals": approvals, "may_update_approvals": may})
            assert rows.approval_rows(approvals, may) == Template(APPROVAL_ROWS).render(context)
        for found in (years, []):
            expected = Template(INVESTMENT_ROWS).render(Context({"investments": found}))
            assert rows.investment_rows(found) == expected


# The curve's template, as it was before the curve was written in Python (charts.svg()).
INVESTMENT_CURVE = """{% load i18n %}{% if curve %}
<svg class="chart" viewBox="0 0 {{ curve.width }} {{ curve.height }}" role="img" aria-labelledby="curve-title-{{ curve_id }}">
  <title id="curve-title-{{ curve_id }}">{% translate "Cumulative completed investment by month against the year's plan" %}</title>
  {% for y, label in curve.y_ticks %}
    <line class="grid" x1="{{ curve.plot_left }}" x2="{{ curve.plot_right }}" y1="{{ y }}" y2="{{ y }}"/>
    <text class="tick" x="{{ curve.plot_left|add:'-6' }}" y="{{ y }}" text-anchor="end" dominant-baseline="middle">{{ label }}</text>
  {% endfor %}
  {% for x, month in curve.x_ticks %}
    <text class="tick" x="{{ x }}" y="{{ curve.plot_bottom|add:'16' }}" text-anchor="middle">{{ month }}</text>
  {% endfor %}
  <text class="tick axis-unit" x="{{ curve.plot_left }}" y="12" text-anchor="start">{% translate "100 million yuan" %}</text>
  <text class="tick axis-unit" x="{{ curve.plot_right }}" y="{{ curve.height|add:'-4' }}" text-anchor="end">{% translate "month" %}</text>
  {% if curve.plan_y is not None %}<line class="plan" x1="{{ curve.plot_left }}" x2="{{ curve.plot_right }}" y1="{{ curve.plan_y }}" y2="{{ curve.plan_y }}"/>
  <text class="tick" x="{{ curve.plot_left|add:'4' }}" y="{{ curve.plan_y|add:'-4' }}">{% blocktranslate with plan=curve.plan_label %}plan {{ plan }}{% endblocktranslate %}</text>{% endif %}
  {% if curve.pace_points %}<polyline class="expected" points="{{ curve.pace_points }}"/>{% endif %}
  {% if curve.actual_points %}<polyline class="actual" points="{{ curve.actual_points }}"/>{% endif %}
  {% for x, y, label in curve.actual_dots %}<circle class="actual" cx="{{ x }}" cy="{{ y }}" r="3.5"><title>{{ label }}</title></circle>{% endfor %}
</svg>
<p class="legend"><span class="key actual"></span> {% translate "completed to date, from the monthly reports" %} <span class="key expected"></span> {% translate "pace of the year's plan" %}</p>
{% if curve.unplaced %}<p class="muted">{% blocktranslate with amount=curve.unplaced %}The year's completed figure differs from the curve by {{ amount }}: administrators' yearly figures and corrections, which belong to no month.{% endblocktranslate %}</p>{% endif %}
{% else %}<p class="muted">{% translate "No monthly figures for this year yet." %}</p>{% endif %}
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_investment_curve_is_written_as_the_template_wrote_it(language):
    from django.template import Context, Template

    from projects import charts

    curves = [
        None,
        charts.investment_curve([], Decimal("20"), Decimal("8")),  # a plan, no month
        charts.investment_curve(
            [(1, Decimal("0.5")), (2, Decimal("1.25")), (5, Decimal("1234.5"))],
            Decimal("2000"),
            Decimal("1300"),  # some in no month
        ),
        charts.investment_curve([(3, Decimal("2")), (4, Decimal("3"))], None, Decimal("3")),
        charts.investment_curve([(12, Decimal("0.0001"))], Decimal("0.5")),
    ]
    assert all(curves[1:])
    with translation.override(language):
        for curve in curves:
            for curve_id in ("project", "<x & 'y'>"):
                context = Context({"curve": curve, "curve_id": curve_id})
                assert charts.svg(curve, curve_id) == Template(INVESTMENT_CURVE).render(context)
