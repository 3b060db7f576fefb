"""The monthly bulletin (月度通报): its figures on a small portfolio worked out by hand, the
ranking, the sample-data label, the months it answers for, its query count and the Word
document."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.oxml.ns import qn

from projects import services
from projects.models import AnnualInvestment, Department, Milestone, Project
from projects.roles import Role
from supervision import bulletin as figures
from supervision import bulletin_docx
from supervision.models import OrderStep, SupervisionOrder

from ..conftest import (
    make_department,
    make_milestone,
    make_plan,
    make_project,
    make_report,
    make_user,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MAY = D(2026, 5, 1)
URL = reverse("supervision:bulletin", kwargs={"month": "2026-05"})
CONSTRUCTION = Project.Stage.CONSTRUCTION


def at(month, day, hour=10, minute=0):
    """A moment of 2026 in the district's time zone."""
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def travel(moment):
    return time_machine.travel(moment, tick=False)


def order(project, department, issued, due, steps=(), state="open", closed=None):
    """An order with its steps: (kind, moment, deadline) after the issue."""
    made = SupervisionOrder.objects.create(
        project=project,
        department=department,
        request="请说明滞后原因",
        level=SupervisionOrder.Level.KEY,
        reply_due=due,
        issued_at=issued,
        state=state,
        closed_at=closed,
    )
    OrderStep.objects.create(order=made, kind="issued", at=issued, reply_due=due)
    for kind, moment, deadline in steps:
        OrderStep.objects.create(order=made, kind=kind, at=moment, reply_due=deadline)
    if steps:
        made.urge_count = sum(1 for kind, *_rest in steps if kind == "urged")
        made.save(update_fields=["urge_count"])
    return made


@pytest.fixture
def portfolio(frozen_today, department_a, department_b, manager):
    """The May 2026 bulletin, read on 15 June 2026, worked out by hand:

    reports on April, due by 10 May:
      A  3 due: 东沙隧道 on time, 如意坊隧道 late (12 May), 聚龙湾 missing     → 1/3
      B  2 due: 三馆合一 on time (9 May; returned on 20 May, sent again on 2 June:
                 its first time counts), 粤剧院 (completed, but it reported) on time → 2/2
         returned: A 0 of 2 submitted, B 1 of 2
    milestones as at 31 May (planned before it; not done by it):
      A  due 3 (1 May open, 1 March done 20 May, 1 April done 5 June) → 2 overdue
      B  due 3 (30 May open, 10 Jan done, re-baselined 1 Feb → 25 May open) → 2 overdue
    replies in May: A 2 (at 23:30 on its 10 May deadline: on time; on 14 May to a 12 May
      deadline: late) → 1/2; B none, and 2 orders reply overdue on 31 May → 0/2
    investment 2026: A 4 of 10 (40 %), B 5 of 5 (100 %)

    points (20 each): A 6.67 + 20 + 6.67 + 10 + 8 = 51.3; B 20 + 10 + 6.67 + 0 + 20 = 56.7
    """
    make_plan()
    a = department_a
    b = department_b
    make_department(name="部门丙", slug="dept-c")  # nothing to measure: not listed
    tunnel = make_project(code="LW-TRA-001", name="东沙隧道", lead_department=a, stage=CONSTRUCTION)
    ruyi = make_project(code="LW-TRA-002", name="如意坊隧道", lead_department=a, stage=CONSTRUCTION)
    make_project(code="LW-URB-001", name="聚龙湾", lead_department=a, stage="preliminary")
    museum = make_project(code="LW-CUL-001", name="三馆合一", lead_department=b, stage=CONSTRUCTION)
    opera = make_project(code="LW-CUL-002", name="粤剧院", lead_department=b, stage="completed")
    make_project(code="LW-CUL-003", name="西关大屋", lead_department=b, stage="completed")

    april = D(2026, 4, 1)
    make_report(tunnel, april, submitted_at=at(5, 8))
    make_report(ruyi, april, submitted_at=at(5, 12))
    make_report(opera, april, submitted_at=at(5, 5))
    with travel(at(5, 9)):
        returned = services.report_submit(
            project=museum,
            author=None,
            period=april,
            health="green",
            percent_complete=30,
            narrative="按计划推进",
        )
    with travel(at(5, 20)):
        services.report_review(
            report=returned,
            reviewer=manager,
            accept=False,
            comment="请补充投资数据",
            version=returned.version,
        )
    with travel(at(6, 2)):
        services.report_submit(
            project=museum,
            author=None,
            period=april,
            version=returned.version,
            health="green",
            percent_complete=30,
            narrative="已补充",
        )

    make_milestone(tunnel, D(2026, 5, 1), title="主体开工", responsible_department=a)
    make_milestone(
        tunnel,
        D(2026, 3, 1),
        title="征地完成",
        actual_date=D(2026, 5, 20),
        responsible_department=a,
    )
    make_milestone(
        ruyi, D(2026, 4, 1), title="盾构始发", actual_date=D(2026, 6, 5), responsible_department=a
    )
    make_milestone(tunnel, D(2026, 7, 1), title="主体完工", responsible_department=a)
    make_milestone(opera, D(2026, 5, 30), title="验收", responsible_department=b)
    make_milestone(
        museum, D(2026, 1, 10), title="立项", actual_date=D(2026, 1, 10), responsible_department=b
    )
    moved = make_milestone(museum, D(2026, 2, 1), title="开馆", responsible_department=b)
    Milestone.objects.filter(pk=moved.pk).update(planned_date=D(2026, 5, 25))

    # Orders: issued in May 4 (A 2, B 2), one in April, one in June.
    order(
        tunnel,
        a,
        at(5, 3),
        D(2026, 5, 10),
        steps=[("replied", at(5, 10, 23, 30), D(2026, 5, 10)), ("closed", at(5, 15), None)],
        state="closed",
        closed=at(5, 15),
    )
    order(
        ruyi,
        a,
        at(5, 5),
        D(2026, 5, 12),
        steps=[("replied", at(5, 14), D(2026, 5, 12))],
        state="replied",
    )
    order(museum, b, at(5, 10), D(2026, 5, 20))  # no reply: 11 days overdue on 31 May
    order(
        museum,
        b,
        at(4, 20),
        D(2026, 4, 27),
        steps=[("urged", at(5, 2), D(2026, 5, 29)), ("replied", at(6, 3), D(2026, 5, 29))],
        state="replied",
    )  # overdue 2 days on 31 May, replied since
    order(opera, b, at(5, 20), D(2026, 6, 5))  # not yet due on 31 May
    order(tunnel, a, at(6, 2), D(2026, 6, 9))  # June's

    AnnualInvestment.objects.create(project=tunnel, year=2026, planned=10, completed=4)
    AnnualInvestment.objects.create(project=museum, year=2026, planned=5, completed=5)
    return {"a": a, "b": b, "tunnel": tunnel, "museum": museum}


def rows_by_department(bulletin):
    return {row.department.name: row for row in bulletin.departments}


class TestFigures:
    def test_the_departments_figures(self, portfolio):
        bulletin = figures.build(MAY, D(2026, 6, 15))
        a, b = rows_by_department(bulletin)["部门甲"], rows_by_department(bulletin)["部门乙"]
        assert (a.reports_due, a.reports_on_time, a.reports_late, a.reports_missing) == (3, 1, 1, 1)
        assert (b.reports_due, b.reports_on_time, b.reports_late, b.reports_missing) == (2, 2, 0, 0)
        assert (a.reports_returned, b.reports_returned) == (0, 1)
        assert (a.milestones_due, a.milestones_overdue) == (3, 2)
        assert (b.milestones_due, b.milestones_overdue) == (3, 2)
        assert (a.replies, a.replies_on_time, a.orders_reply_overdue) == (2, 1, 0)
        assert (b.replies, b.replies_on_time, b.orders_reply_overdue) == (0, 0, 2)
        assert a.investment_rate == Decimal(40)
        assert b.investment_rate == Decimal(100)

    def test_a_reply_on_the_deadlines_evening_is_on_time_as_the_step_says(self, portfolio):
        step = OrderStep.objects.get(kind="replied", at=at(5, 10, 23, 30))
        assert step.on_time  # 15:30 UTC, but 10 May in Guangzhou
        row = rows_by_department(figures.build(MAY, D(2026, 6, 15)))["部门甲"]
        assert row.replies_on_time == 1

    def test_the_score_and_the_ranking(self, portfolio):
        bulletin = figures.build(MAY, D(2026, 6, 15))
        assert [(r.rank, r.department.name) for r in bulletin.departments] == [
            (1, "部门乙"),
            (2, "部门甲"),
        ]  # 部门丙 has nothing to measure
        a, b = rows_by_department(bulletin)["部门甲"], rows_by_department(bulletin)["部门乙"]
        assert round(a.score, 1) == 51.3
        assert round(b.score, 1) == 56.7
        assert b.points["replies"] == 0  # two orders overdue, no reply

    def test_the_headline(self, portfolio):
        bulletin = figures.build(MAY, D(2026, 6, 15))
        assert (bulletin.reports_on_time, bulletin.reports_due) == (3, 5)
        assert bulletin.reports_rate == 60
        assert bulletin.milestones_overdue == 4
        assert bulletin.issued == 4
        assert [o.project.name for o in bulletin.closed] == ["东沙隧道"]
        assert [(o.project.name, o.days_overdue) for o in bulletin.overdue_orders] == [
            ("三馆合一", 11),
            ("三馆合一", 2),
        ]

    def test_the_worst_slipping_projects_as_at_the_months_end(self, portfolio):
        slipping = figures.build(MAY, D(2026, 6, 15)).slipping
        assert [(p.name, p.overdue, p.days, p.days_original) for p in slipping] == [
            ("如意坊隧道", 1, 60, 60),  # done on 5 June: open on 31 May
            ("东沙隧道", 1, 30, 30),
            ("三馆合一", 1, 6, 119),  # re-baselined from 1 February
            ("粤剧院", 1, 1, 1),
        ]

    def test_the_month_in_progress_reads_as_at_today_like_the_boards(self, portfolio):
        on = D(2026, 6, 15)
        bulletin = figures.build(D(2026, 6, 1), on)
        assert bulletin.period.as_at == on and not bulletin.period.ended
        assert bulletin.milestones_overdue == Milestone.objects.overdue(on=on).count()
        assert {o.pk for o in bulletin.overdue_orders} == set(
            SupervisionOrder.objects.reply_overdue(on=on).values_list("pk", flat=True)
        )

    def test_before_the_due_day_the_reports_are_not_scored(self, portfolio):
        with travel(at(6, 5, 12)):
            bulletin = figures.build(D(2026, 6, 1), D(2026, 6, 5))
        assert not bulletin.period.reports_due_yet
        assert bulletin.reports_rate is None
        for row in bulletin.departments:
            assert row.points["reports"] is None
        headline = figures.headline_table(bulletin)
        assert "2026" in headline.rows[0][1]  # not due until 10 June


def test_equal_scores_and_overdue_share_a_rank(db):
    def row(name, overdue, due):
        r = figures.DepartmentRow(
            department=make_department(name=name), milestones_due=due, milestones_overdue=overdue
        )
        r.score_it()
        return r

    ranked = figures.rank([row("丙", 2, 4), row("乙", 1, 2), row("甲", 0, 5)])
    assert [(r.rank, r.department.name) for r in ranked] == [(1, "甲"), (2, "乙"), (3, "丙")]
    # 丙 and 乙 both score 50; 乙 has fewer overdue milestones. Equal on both: one rank.
    ranked = figures.rank([row("丁", 1, 2), row("戊", 1, 2), row("己", 0, 1)])
    assert [r.rank for r in ranked] == [1, 2, 2]


class TestPage:
    @pytest.mark.parametrize("persona", ["viewer", "manager", "editor_a", "administrator"])
    def test_every_signed_in_role_reads_it(self, persona, request, client, portfolio):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(URL).status_code == 200

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, portfolio):
        response = client.get(URL)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_it_is_read_only(self, client, manager, portfolio):
        client.force_login(manager)
        assert client.post(URL).status_code == 405

    def test_it_shows_the_ranking_rule_the_covered_month_and_the_tables(
        self, client, manager, portfolio
    ):
        client.force_login(manager)
        page = client.get(URL).content.decode()
        assert str(figures.RANKING_RULE) in page
        with translation.override("zh-hans"):
            assert (
                _("Reports on %(month)s on time (due by %(day)s)")
                % {
                    "month": figures.month_label(D(2026, 4, 1)),
                    "day": figures.day(D(2026, 5, 10)),
                }
                in page
            )
        assert page.index("部门乙") < page.index("部门甲")
        assert "部门丙" not in page
        assert "1/3 (33%)" in page and "2/2 (100%)" in page  # reports on time
        assert "51.3" in page and "56.7" in page
        assert reverse("projects:detail", args=["LW-TRA-002"]) in page
        assert f"{SupervisionOrder.objects.get(state='closed').number}" in page
        assert "sample-banner" not in page

    def test_links_to_other_months(self, client, manager, portfolio):
        client.force_login(manager)
        page = client.get(URL).content.decode()
        assert reverse("supervision:bulletin", kwargs={"month": "2026-04"}) in page
        assert reverse("supervision:bulletin", kwargs={"month": "2021-01"}) in page  # the plan's
        assert reverse("supervision:bulletin", kwargs={"month": "2026-06"}) in page  # next
        assert reverse("supervision:bulletin", kwargs={"month": "2020-12"}) not in page

    def test_the_order_list_links_to_it(self, client, viewer, portfolio):
        client.force_login(viewer)
        page = client.get(reverse("supervision:list")).content.decode()
        assert reverse("supervision:bulletins") in page

    def test_the_index_opens_the_month_last_ended(self, client, viewer, portfolio):
        client.force_login(viewer)
        response = client.get(reverse("supervision:bulletins"))
        assert response.status_code == 302 and response["Location"] == URL

    @pytest.mark.parametrize("month", ["2026-13", "2026-00", "0000-01", "2026-07", "2020-12"])
    def test_a_month_without_a_bulletin_is_404(self, month, client, manager, portfolio):
        # impossible months, a month not yet begun, a month before the first plan
        client.force_login(manager)
        assert client.get(f"/bulletins/{month}/").status_code == 404

    @pytest.mark.parametrize(
        "path", ["/bulletins/abcd/", "/bulletins/2026-5/", "/bulletins/20265/"]
    )
    def test_what_is_not_a_month_is_404(self, path, client, manager, portfolio):
        client.force_login(manager)
        assert client.get(path).status_code == 404

    def test_an_unknown_format_is_400(self, client, manager, portfolio):
        client.force_login(manager)
        assert client.get(URL, {"_export": "pdf"}).status_code == 400

    def test_the_current_month_says_it_is_not_over(self, client, manager, portfolio):
        client.force_login(manager)
        response = client.get(reverse("supervision:bulletin", kwargs={"month": "2026-06"}))
        assert response.status_code == 200
        assert not response.context["period"].ended


class TestSampleData:
    def warning(self):
        with translation.override("zh-hans"):
            return bulletin_docx.sample_warning()

    def test_without_sample_rows_nothing_is_said(self, client, manager, portfolio):
        client.force_login(manager)
        assert self.warning().replace("'", "&#x27;") not in client.get(URL).content.decode()
        document = Document(io.BytesIO(client.get(URL, {"_export": "docx"}).content))
        assert all(self.warning() != p.text for p in document.paragraphs)

    @pytest.mark.parametrize("model", [Milestone, SupervisionOrder, Project])
    def test_a_sample_row_labels_the_page_and_the_document(self, model, client, manager, portfolio):
        model.objects.filter(pk=model.objects.order_by("pk")[0].pk).update(is_sample=True)
        client.force_login(manager)
        page = client.get(URL).content.decode()
        assert self.warning().replace("'", "&#x27;") in page
        document = Document(io.BytesIO(client.get(URL, {"_export": "docx"}).content))
        assert document.paragraphs[0].text == self.warning()


def grow(n):
    """n more departments, each leading an active project with an April report, an overdue
    milestone, yearly figures and a replied, a closed and an overdue order."""
    for _i in range(n):
        department = make_department()
        project = make_project(lead_department=department, stage=CONSTRUCTION)
        make_report(project, D(2026, 4, 1), submitted_at=at(5, 6))
        make_milestone(project, D(2026, 4, 20), responsible_department=department)
        AnnualInvestment.objects.create(project=project, year=2026, planned=2, completed=1)
        order(
            project,
            department,
            at(5, 3),
            D(2026, 5, 10),
            steps=[("replied", at(5, 8), D(2026, 5, 10)), ("closed", at(5, 9), None)],
            state="closed",
            closed=at(5, 9),
        )
        order(project, department, at(5, 4), D(2026, 5, 11))


def test_the_page_runs_the_same_queries_however_many_departments(
    client, manager, portfolio, query_budget
):
    client.force_login(manager)
    grow(2)
    # session, user; the months with a bulletin (the first plan); reports due (the projects
    # that owe one, with their report's time), first submissions (history), milestones by
    # department, orders reply overdue (with their newest step), departments, returns
    # (history), replies, the ledger, the projects slipping worst, orders issued, orders
    # closed, whether sample data is read; then the top bar: the user's roles and the
    # to-do count; the banner's sample data
    with query_budget(18):
        assert client.get(URL).status_code == 200
    grow(20)
    with query_budget(18):
        response = client.get(URL)
    assert len(response.context["bulletin"].departments) == 2 + 20 + 2


class TestDocument:
    @pytest.fixture
    def download(self, client, viewer, portfolio):
        client.force_login(viewer)
        return client.get(URL, {"_export": "docx"})

    def test_content_type_and_filename(self, download):
        assert download.status_code == 200
        assert download["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert (
            download["Content-Disposition"] == 'attachment; filename="liwan-bulletin-2026-05.docx"'
        )

    def test_it_opens_with_its_title_issuer_sections_and_signature(self, download):
        document = Document(io.BytesIO(download.content))
        paragraphs = [p for p in document.paragraphs if p.text.strip()]
        with translation.override("zh-hans"):
            title = _("Liwan District major projects monthly bulletin (%(month)s)") % {
                "month": _("%(year)d-%(month)02d") % {"year": 2026, "month": 5}
            }
            issuer = _("Liwan District Development and Reform Bureau")
            headings = [t.title for t in figures.tables(figures.build(MAY, D(2026, 6, 15)))]
            signature = [_("Signed and issued by: ____________"), _("Date: ______________")]
        assert paragraphs[0].style.name == "Title" and paragraphs[0].text == title
        if not title.startswith("Liwan"):  # the Chinese catalogue has it
            assert title == "荔湾区重大项目月度通报（2026年5月）"
        assert paragraphs[1].text.startswith(issuer) and "2026年6月15日" in paragraphs[1].text
        assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == headings
        assert [p.text for p in paragraphs[-2:]] == signature

    def test_the_sections_are_word_tables_with_header_rows(self, download):
        document = Document(io.BytesIO(download.content))
        assert len(document.tables) == 5
        with translation.override("zh-hans"):
            expected = [t.headers for t in figures.tables(figures.build(MAY, D(2026, 6, 15)))]
        for table, headers in zip(document.tables, expected, strict=True):
            header = table.rows[0]
            assert [c.text for c in header.cells] == headers
            assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
            assert all(run.bold for c in header.cells for run in c.paragraphs[0].runs)
        ranking = document.tables[1]
        assert [row.cells[1].text for row in ranking.rows[1:]] == ["部门乙", "部门甲"]
        assert ranking.rows[1].cells[0].text == "1" and ranking.rows[1].cells[-1].text == "56.7"
        slipping = [row.cells[0].text for row in document.tables[2].rows[1:]]
        assert slipping[0] == "LW-TRA-002 如意坊隧道"

    def test_chinese_text_has_an_east_asian_font(self, download):
        document = Document(io.BytesIO(download.content))
        for name, font in [("Normal", "SimSun"), ("Title", "SimHei"), ("Heading 1", "SimHei")]:
            fonts = document.styles[name].element.rPr.rFonts
            assert fonts.get(qn("w:eastAsia")) == font
            assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    def test_it_is_written_in_the_sites_language_whoever_asks(self, client, viewer, portfolio):
        client.force_login(viewer)
        client.cookies["django_language"] = "en"
        document = Document(io.BytesIO(client.get(URL, {"_export": "docx"}).content))
        with translation.override("zh-hans"):
            issuer = _("Liwan District Development and Reform Bureau")
        assert document.paragraphs[1].text.startswith(issuer)
        assert "2026年6月15日" in document.paragraphs[1].text  # not "June 15, 2026"

    def test_control_characters_and_formula_like_names_are_written_safely(
        self, client, viewer, portfolio
    ):
        # Rows may already hold what the forms refuse today (an old import, the admin).
        Project.objects.filter(pk=portfolio["tunnel"].pk).update(name="=SUM(A1)\x0b东沙\ufffe隧道")
        Department.objects.filter(pk=portfolio["b"].pk).update(name="@部门\x0c乙")
        client.force_login(viewer)
        response = client.get(URL, {"_export": "docx"})
        assert response.status_code == 200
        document = Document(io.BytesIO(response.content))
        cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
        assert "LW-TRA-001 =SUM(A1)\ufffd东沙\ufffd隧道" in cells
        assert "@部门\ufffd乙" in cells


def test_an_editor_sees_it_too_as_the_published_document(client, portfolio):
    editor = make_user(Role.EDITOR, department=portfolio["b"])
    client.force_login(editor)
    assert client.get(URL, {"_export": "docx"}).status_code == 200
