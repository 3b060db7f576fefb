"""The manager pages: who sees them, what they show, filters, exports, budgets, bad input."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from indicators.models import IndicatorValue
from projects.formatting import money
from projects import scorecards
from projects.models import AnnualInvestment, KeyProject, Milestone, Project

from ..conftest import (
    TODAY,
    make_approval,
    make_chapter,
    make_department,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db
D = datetime.date
DAYS = datetime.timedelta

PAGES = [
    reverse("home"),
    reverse("projects:portfolio"),
    reverse("projects:overdue"),
    reverse("projects:upcoming"),
    reverse("projects:chapters"),
    reverse("projects:departments"),
]


@pytest.fixture
def plan():
    return make_plan()


@pytest.fixture
def world(frozen_today, plan, department_a, department_b):
    """A small portfolio on 2026-06-15 with one project of each schedule health."""
    transport = make_chapter(plan, "4", title="强化大建设", paragraph_start=40, paragraph_end=41)
    roads = make_chapter(plan, "4.1", title="交通枢纽", parent=transport)
    culture = make_chapter(plan, "6", title="岭南文化")
    make_chapter(plan, "7", title="无项目的章节")

    red = make_project(
        code="LW-TRA-001",
        name="东沙隧道",
        lead_department=department_a,
        category="transport",
        stage="construction",
        area="south",
    )
    amber = make_project(
        code="LW-TRA-002",
        name="如意坊隧道",
        lead_department=department_a,
        category="transport",
        stage="construction",
    )
    green = make_project(
        code="LW-CUL-001",
        name="三馆合一",
        name_en="Three Museums",
        lead_department=department_b,
        category="culture",
        stage="preliminary",
    )
    red.chapters.add(roads)
    amber.chapters.add(roads)
    green.chapters.add(culture)

    very = make_milestone(
        red, TODAY - DAYS(31), title="征地拆迁完成", responsible_department=department_a
    )
    make_milestone(red, TODAY + DAYS(10), title="主体开工", responsible_department=department_a)
    make_milestone(
        amber, TODAY - DAYS(30), title="初步设计批复", responsible_department=department_a
    )
    make_milestone(
        green,
        TODAY - DAYS(60),
        title="立项",
        actual_date=TODAY - DAYS(61),
        responsible_department=department_b,
    )
    make_milestone(green, TODAY + DAYS(40), title="开工", responsible_department=department_b)

    make_report(red, D(2026, 5, 1), health="green", percent_complete=40)  # green, but red: mismatch
    make_report(amber, D(2026, 4, 1), health="amber")  # nothing for May: missing
    make_report(green, D(2026, 5, 1), health="green")
    AnnualInvestment.objects.create(
        project=red, year=2026, planned=Decimal("10"), completed=Decimal("4")
    )
    AnnualInvestment.objects.create(
        project=green, year=2026, planned=Decimal("2"), completed=Decimal("1")
    )
    indicator = make_indicator(plan=plan, responsible_department=department_a)
    indicator.chapters.add(roads)
    return {
        "red": red,
        "amber": amber,
        "green": green,
        "very": very,
        "roads": roads,
        "transport": transport,
        "culture": culture,
    }


class TestEveryPage:
    @pytest.mark.parametrize(
        "url", PAGES + ["/projects/LW-TRA-001/", "/chapters/14-4/", "/departments/dept-a/"]
    )
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, world, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("persona", ["manager", "viewer", "editor_a", "administrator"])
    def test_every_signed_in_role_sees_every_page(self, persona, request, client, world):
        client.force_login(request.getfixturevalue(persona))
        for url in PAGES + ["/projects/LW-TRA-001/", "/chapters/14-4/", "/departments/dept-a/"]:
            assert client.get(url).status_code == 200, url


def schedule_healths():
    """{code: schedule health} as the lists compute it (in the query), checked against
    what a project's page computes from its milestones (models.schedule_health)."""
    from projects.models import schedule_health

    health = dict(Project.objects.with_schedule_health().values_list("code", "schedule_health"))
    on_its_page = {
        p.code: schedule_health(p.milestones.all())
        for p in Project.objects.prefetch_related("milestones")
    }
    assert on_its_page == health
    return health


class TestScheduleHealth:
    def test_computed_from_the_milestones_with_a_fixed_today(self, world):
        health = schedule_healths()
        # 31 days overdue is red; exactly 30 is amber; done late and not yet due is green.
        assert health == {"LW-TRA-001": "red", "LW-TRA-002": "amber", "LW-CUL-001": "green"}

    def test_a_forecast_later_than_planned_is_amber(self, world):
        milestone = world["green"].milestones.get(title="开工")
        milestone.forecast_date, milestone.forecast_reason = TODAY + DAYS(90), "设计调整"
        milestone.save()
        assert schedule_healths()["LW-CUL-001"] == "amber"
        milestone.forecast_date = TODAY + DAYS(40)  # as planned
        milestone.save()
        assert schedule_healths()["LW-CUL-001"] == "green"

    def test_the_threshold_comes_from_settings(self, world, settings):
        settings.SCHEDULE_RED_AFTER_DAYS = 29
        health = schedule_healths()
        assert health["LW-TRA-002"] == "red"

    def test_a_project_with_no_open_milestone_is_green(self, world):
        world["red"].milestones.update(actual_date=TODAY)
        world["green"].milestones.all().delete()
        health = schedule_healths()
        assert health["LW-TRA-001"] == "green" and health["LW-CUL-001"] == "green"

    def test_reported_green_but_computed_red_is_a_mismatch(self, world):
        rows = {p.code: p.is_health_mismatch for p in Project.objects.for_portfolio()}
        assert rows == {"LW-TRA-001": True, "LW-TRA-002": False, "LW-CUL-001": False}
        flagged = Project.objects.for_portfolio().filter(health_mismatch=True)
        assert [p.code for p in flagged] == ["LW-TRA-001"]

    def test_the_mismatch_filter_agrees_with_the_rows_either_way(self, world, settings):
        # A project never reported on (no health at all) is no mismatch, even when red.
        make_milestone(make_project(code="LW-TRA-009"), TODAY - DAYS(90), title="开工")
        # Reported green, its only overdue milestone one day short of red: no mismatch,
        # until the threshold moves.
        make_report(world["amber"], D(2026, 5, 1), health="green")
        for red_after, mismatched in ((30, ["LW-TRA-001"]), (29, ["LW-TRA-001", "LW-TRA-002"])):
            settings.SCHEDULE_RED_AFTER_DAYS = red_after
            rows = Project.objects.for_portfolio()
            assert [p.code for p in rows if p.is_health_mismatch] == mismatched
            assert [p.code for p in rows.filter(health_mismatch=True)] == mismatched
            assert [p.code for p in rows.filter(health_mismatch=False)] == [
                p.code for p in rows if not p.is_health_mismatch
            ]


class TestPortfolio:
    URL = reverse("projects:portfolio")

    def codes(self, client, **params):
        response = client.get(self.URL, params)
        assert response.status_code == 200
        return [row.record.code for row in response.context["table"].rows]

    def test_filters(self, client, manager, world, department_b):
        client.force_login(manager)
        assert self.codes(client) == ["LW-CUL-001", "LW-TRA-001", "LW-TRA-002"]
        assert self.codes(client, q="隧道") == ["LW-TRA-001", "LW-TRA-002"]
        assert self.codes(client, q="three museums") == ["LW-CUL-001"]
        assert self.codes(client, q="tra-002") == ["LW-TRA-002"]
        assert self.codes(client, lead_department=department_b.pk) == ["LW-CUL-001"]
        assert self.codes(client, category="culture") == ["LW-CUL-001"]
        assert self.codes(client, area="south") == ["LW-TRA-001"]
        assert self.codes(client, stage="preliminary") == ["LW-CUL-001"]
        assert self.codes(client, health="amber") == ["LW-TRA-002"]
        assert self.codes(client, schedule_health="red") == ["LW-TRA-001"]
        assert self.codes(client, chapter=world["roads"].pk) == ["LW-TRA-001", "LW-TRA-002"]
        assert self.codes(client, chapter=world["transport"].pk) == ["LW-TRA-001", "LW-TRA-002"]
        assert self.codes(client, has_overdue="yes") == ["LW-TRA-001", "LW-TRA-002"]
        assert self.codes(client, has_overdue="no") == ["LW-CUL-001"]
        assert self.codes(client, mismatch="yes") == ["LW-TRA-001"]

    def test_sorting(self, client, manager, world):
        client.force_login(manager)
        assert self.codes(client, sort="-overdue_count")[0] in ("LW-TRA-001", "LW-TRA-002")
        assert self.codes(client, sort="-investment_planned")[0] == "LW-TRA-001"
        assert self.codes(client, sort="-name") == sorted(
            ["LW-CUL-001", "LW-TRA-001", "LW-TRA-002"],
            key=lambda c: Project.objects.get(code=c).name,
            reverse=True,
        )

    def test_the_row_shows_what_a_manager_asks(self, client, manager, world):
        client.force_login(manager)
        page = client.get(self.URL, {"q": "东沙"}).content.decode()
        assert "health-red" in page
        assert '<span class="flag">' in page  # the mismatch flag
        assert "主体开工" in page  # next milestone
        with translation.override("zh-hans"):
            assert f"{money(4)} / {money(10)}" in page and "40%" in page  # 4.00 亿元 / 10.00 亿元

    def test_nonsense_filters_give_the_page_with_a_message(self, client, manager, world):
        client.force_login(manager)
        response = client.get(
            self.URL, {"stage": "flying", "chapter": "abc", "has_overdue": "maybe"}
        )
        assert response.status_code == 200
        assert response.context["filter"].form.errors
        assert len(response.context["table"].rows) == 3

    def test_a_page_past_the_end_is_the_last_page_or_404(self, client, manager, world):
        client.force_login(manager)
        assert client.get(self.URL, {"page": 99}).status_code in (200, 404)
        assert client.get(self.URL, {"page": "x"}).status_code in (200, 404)

    def test_filter_choices_stay_short_with_many_departments(self, client, manager, world):
        for _ in range(20):
            make_department()
        client.force_login(manager)
        form = client.get(self.URL).context["filter"].form
        assert len(form.fields["chapter"].queryset) == 4
        assert len(form.fields["lead_department"].queryset) < 100


class TestPortfolioExport:
    URL = reverse("projects:portfolio")

    def test_csv_is_streamed_with_the_filtered_rows(self, client, manager, world):
        client.force_login(manager)
        response = client.get(self.URL, {"category": "transport", "_export": "csv"})
        assert response.streaming
        assert response["Content-Disposition"] == 'attachment; filename="projects.csv"'
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert len(rows) == 3
        header = rows[0]
        red = dict(zip(header, rows[1], strict=True))
        assert red[header[0]] == "LW-TRA-001"
        assert "10.0" in rows[1] and "4.0" in rows[1] and "40.0" in rows[1]  # plan, done, rate

    def test_xlsx_has_every_filtered_row_across_pages(self, client, manager, world):
        for _ in range(55):
            make_project(category="transport")
        client.force_login(manager)
        response = client.get(self.URL, {"category": "transport", "_export": "xlsx"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == 1 + 57

    def test_an_unknown_format_is_refused_with_a_message(self, client, manager, world):
        client.force_login(manager)
        response = client.get(self.URL, {"_export": "pdf"})
        assert response.status_code == 400


class TestProjectPage:
    def test_it_shows_the_project_with_everything_around_it(
        self, client, viewer, world, administrator
    ):
        red = world["red"]
        red.source_sentence, red.source_paragraph = "完成东沙隧道建设。", 41
        red.save()
        red.indicators.add(make_indicator(plan=red.chapters.get().plan, name="城市道路网密度"))
        client.force_login(viewer)
        response = client.get(red.get_absolute_url())
        page = response.content.decode()
        for text in (
            "东沙隧道",
            "完成东沙隧道建设。",
            "交通枢纽",
            "城市道路网密度",
            "征地拆迁完成",
            "主体开工",
        ):
            assert text in page
        milestones = {m.title: m for m in response.context["milestones"]}
        assert milestones["征地拆迁完成"].overdue_days == 31
        assert response.context["schedule_health"] == "red"
        assert [r.period for r in response.context["reports"]] == [D(2026, 5, 1)]

    def test_history_says_who_changed_what(self, client, viewer, world, administrator):
        milestone = world["very"]
        milestone._history_user = administrator
        milestone.forecast_date, milestone.forecast_reason = TODAY + DAYS(20), "征地协调"
        milestone.save()
        client.force_login(viewer)
        history = client.get(world["red"].get_absolute_url()).context["history"]
        change = next(e for e in history if e.changes)
        assert change.who == administrator
        assert "征地拆迁完成" in change.what
        labels = [str(label) for label, _old, _new in change.changes]
        assert len(labels) == 2  # forecast date and its reason

    def test_an_unknown_code_is_404(self, client, viewer, world):
        client.force_login(viewer)
        assert client.get(reverse("projects:detail", args=["LW-XXX-999"])).status_code == 404


class TestMilestoneBoards:
    def test_the_overdue_count_and_pages_agree_with_the_rows(
        self, client, manager, world, department_a, department_b
    ):
        # 53 more overdue milestones: some of each department, some of none.
        for n in range(53):
            make_milestone(
                world["amber"],
                TODAY - DAYS(2 + n),
                title=f"节点甲{n}",
                responsible_department=(department_a, department_b, None)[n % 3],
            )
        client.force_login(manager)
        url = reverse("projects:overdue")
        for params, rows in (({}, 55), ({"band": "1-30"}, 30), ({"baseline": "original"}, 55)):
            first = client.get(url, params)
            table = first.context["table"]
            assert table.paginator.count == rows
            exports = first.content.decode().split('<p class="exports">')[1].split("·")[0]
            assert str(rows) in exports  # "55 行" / "55 rows" above the table
            assert sum(group["n"] for group in first.context["by_department"]) == rows
            if rows <= 50:
                continue
            last = client.get(url, params | {"page": 2})
            on_last = [row.record.pk for row in last.context["table"].paginated_rows]
            assert len(on_last) == rows - 50
            on_first = [row.record.pk for row in table.paginated_rows]
            assert len(on_first) == 50 and not set(on_first) & set(on_last)
        groups = client.get(url).context["by_department"]
        assert [(g["responsible_department__name"], g["n"]) for g in groups] == [
            ("部门甲", 20),
            ("部门乙", 18),
            (None, 17),
        ]

    def test_overdue_most_overdue_first_with_filters(self, client, manager, world, department_b):
        client.force_login(manager)
        url = reverse("projects:overdue")

        def titles(**params):
            return [row.record.title for row in client.get(url, params).context["table"].rows]

        assert titles() == ["征地拆迁完成", "初步设计批复"]
        assert titles(band="31-90") == ["征地拆迁完成"]
        assert titles(band="1-30") == ["初步设计批复"]
        assert titles(responsible_department=department_b.pk) == []
        assert titles(chapter=world["transport"].pk) == ["征地拆迁完成", "初步设计批复"]
        assert titles(category="culture") == []
        groups = client.get(url).context["by_department"]
        assert [(g["responsible_department__name"], g["n"]) for g in groups] == [("部门甲", 2)]

    def test_overdue_export(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("projects:overdue"), {"_export": "csv"})
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert [r[1] for r in rows[1:]] == ["征地拆迁完成", "初步设计批复"]
        assert rows[1][-1] == "31"

    def test_upcoming_in_the_next_n_days(self, client, manager, world):
        client.force_login(manager)
        url = reverse("projects:upcoming")

        def titles(**params):
            return [row.record.title for row in client.get(url, params).context["table"].rows]

        assert titles() == ["主体开工"]  # default 30 days
        assert titles(days=40) == ["主体开工", "开工"]
        response = client.get(url, {"days": "lots"})
        assert response.status_code == 200
        assert response.context["days"] == 30
        assert response.context["days_form"].errors


class TestChapters:
    def test_the_tree_with_figures_and_unserved_parts(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("projects:chapters"))
        ((_plan, chapters),) = response.context["plans"]
        figures = {
            c.code: (c.project_count, c.overdue_count, c.investment_planned, c.indicator_count)
            for c in chapters
        }
        assert figures["4"] == (2, 2, Decimal("10"), 1)  # counts its section 4.1
        assert figures["4.1"] == (2, 2, Decimal("10"), 1)
        assert figures["6"][0] == 1
        assert figures["7"][0] == 0
        assert "unserved" in response.content.decode()

    def test_a_project_serving_a_chapter_and_its_section_counts_once(
        self, client, manager, world
    ):
        world["red"].chapters.add(world["transport"])
        client.force_login(manager)
        ((_plan, chapters),) = client.get(reverse("projects:chapters")).context["plans"]
        chapter = next(c for c in chapters if c.code == "4")
        figures = (chapter.project_count, chapter.overdue_count, chapter.investment_planned)
        assert figures == (2, 2, Decimal("10"))
        page = client.get(reverse("projects:chapter", args=["14-4"])).context["figures"]
        assert (page.project_count, page.overdue_count, page.investment_planned) == figures

    def test_a_chapter_page_lists_its_projects_indicators_and_text(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("projects:chapter", args=["14-4"]))
        assert [p.code for p in response.context["projects"]] == ["LW-TRA-001", "LW-TRA-002"]
        assert len(response.context["indicators"]) == 1
        assert len(response.context["text"]) == 2  # paragraphs 40 and 41 of the plan text
        assert "东沙隧道" in response.context["text"][1]

    def test_a_chapter_page_shows_the_projects_with_the_most_overdue_milestones(
        self, client, manager, world, monkeypatch
    ):
        """The page chooses its SHOWN projects by their overdue counts alone, then reads
        their rows: the same projects, in the same order and with the same figures, as
        the chapter's whole list (for_short_lists()) sorted and cut."""
        from projects import views
        from projects.models import ProjectChapter

        monkeypatch.setattr(views, "SHOWN", 3)
        for i, overdue in enumerate([0, 3, 1, 3, 2]):
            project = make_project(
                code=f"LW-TRA-1{i:02d}", lead_department=world["red"].lead_department
            )
            project.chapters.add(world["roads"] if i % 2 else world["transport"])
            for n in range(overdue):
                make_milestone(project, TODAY - DAYS(10 + n), title=f"节点{n}")
        world["red"].chapters.add(world["transport"])  # linked to the chapter and a section
        subtree = world["transport"].subtree()
        linked = ProjectChapter.objects.filter(chapter__in=subtree).values("project")
        expected = list(
            Project.objects.for_short_lists(on=TODAY)
            .filter(pk__in=linked)
            .order_by("-overdue_count", "code")[:3]
        )
        client.force_login(manager)
        response = client.get(reverse("projects:chapter", args=["14-4"]))
        shown = list(response.context["projects"])
        assert [p.code for p in shown] == ["LW-TRA-101", "LW-TRA-103", "LW-TRA-104"]
        assert [vars(p) | {"_state": None} for p in shown] == [
            vars(p) | {"_state": None} for p in expected
        ]
        assert response.context["figures"].project_count == 7
        page = response.content.decode()
        assert "LW-TRA-104" in page and "LW-TRA-102" not in page

    def test_one_chapters_figures_are_those_of_the_whole_plan(self, world, plan):
        """chapters_with_figures(wanted=) works out only the chapters asked for, and gives
        them the figures the whole plan's call gives them."""
        from projects.models import PlanChapter

        world["red"].chapters.add(world["transport"])
        every = {
            c.pk: c
            for c in scorecards.chapters_with_figures(
                PlanChapter.objects.filter(plan=plan), on=TODAY
            )
        }
        names = ["project_count", "overdue_count", "investment_planned",
                 "investment_completed", "indicator_count"]  # fmt: skip
        for chapter in [world["transport"], world["roads"], world["culture"]]:
            [one] = scorecards.chapters_with_figures(
                chapter.subtree(), on=TODAY, wanted={chapter.pk}
            )
            assert one.pk == chapter.pk
            assert [getattr(one, n) for n in names] == [getattr(every[one.pk], n) for n in names]

    def test_chapter_sums_count_each_project_once_as_the_distinct_links_do(self, world, plan):
        """scorecards.chapter_sums() against its rule worked out here: each chapter's
        projects are the distinct projects linked to it or to a section under it (chapters
        without sections read their links as they are, the others made distinct), with
        their overdue milestones and, over the countable() set of the chapters' projects
        and their umbrellas, their ledger figures."""
        from projects.models import PlanChapter, ProjectChapter

        transport, roads, culture = world["transport"], world["roads"], world["culture"]
        bridges = make_chapter(plan, "4.2", title="桥梁", parent=transport)
        whole = make_project(code="LW-URB-100")  # an umbrella, in chapter 6
        whole.chapters.add(culture)
        twice = make_project(code="LW-URB-101", part_of=whole)  # in 4.1 and 4.2, and 6
        twice.chapters.add(roads, bridges, culture)
        world["red"].chapters.add(transport)  # in 4 and 4.1
        for project, overdue in [(whole, 2), (twice, 1)]:
            for n in range(overdue):
                make_milestone(project, TODAY - DAYS(5 + n))
            AnnualInvestment.objects.create(
                project=project, year=2026, planned=Decimal("3.25"), completed=Decimal("1")
            )
        chapters = list(PlanChapter.objects.filter(plan=plan))
        tree = scorecards.subtrees(chapters)
        assert tree[culture.pk] == {culture.pk}  # a chapter without sections

        links = list(ProjectChapter.objects.values_list("chapter", "project"))
        linked = {p for _c, p in links}
        umbrellas = Project.objects.filter(pk__in=linked).values("part_of")
        scope = Project.objects.filter(pk__in=linked) | Project.objects.filter(pk__in=umbrellas)
        ledger = {
            p.pk: (p.investment_planned, p.investment_completed)
            for p in scope.countable().with_investment(2026, source=False)
        }
        expected = {}
        for chapter, members in tree.items():
            projects = {p for c, p in links if c in members}
            if not projects:
                continue
            overdue = Milestone.objects.overdue(on=TODAY).filter(project__in=projects).count()
            figures = [ledger[p] for p in projects if p in ledger]
            planned = [f[0] for f in figures if f[0] is not None]
            completed = [f[1] for f in figures if f[1] is not None]
            expected[chapter] = (
                len(projects),
                overdue,
                sum(planned) if planned else None,
                sum(completed) if completed else None,
            )
        found = {
            chapter: (n, overdue, *map(scorecards._money, money))
            for chapter, (n, overdue, *money) in scorecards.chapter_sums(tree, TODAY).items()
        }
        assert found == {
            chapter: (n, overdue, *map(scorecards._money, money))
            for chapter, (n, overdue, *money) in expected.items()
        }
        # 4: red (linked twice), amber, the part (linked twice); 6: green, the umbrella, the
        # part, whose money is its umbrella's.
        assert found[transport.pk][:2] == (3, 3)
        assert found[culture.pk] == (3, 3, Decimal("5.25"), Decimal("2"))
        # The query is made once for the tree and the day, and reads the rows of the moment.
        make_milestone(world["green"], TODAY - DAYS(1))
        world["green"].chapters.add(bridges)
        again = scorecards.chapter_sums(tree, TODAY)
        assert again[culture.pk][:2] == (3, 4)
        assert again[transport.pk][:2] == (4, 4)

    @pytest.mark.parametrize("key", ["14-99", "x", "15-4", "14"])
    def test_unknown_keys_are_404(self, client, manager, world, key):
        client.force_login(manager)
        assert client.get(reverse("projects:chapter", args=[key])).status_code == 404


class TestDepartments:
    def test_the_scorecard(self, client, manager, world, department_a):
        client.force_login(manager)
        rows = {
            d.slug: d for d in client.get(reverse("projects:departments")).context["departments"]
        }
        a = rows["dept-a"]
        assert (a.projects_led, a.overdue_count, a.due_so_far, a.done_on_time) == (2, 2, 2, 0)
        assert a.on_time_rate == 0
        assert a.missing_reports == 1  # 如意坊隧道 has no May report
        b = rows["dept-b"]
        assert (b.due_so_far, b.done_on_time, b.on_time_rate) == (1, 1, 100)
        assert b.days_since_report is not None

    def test_the_last_report_is_the_newest_submission_of_any_project_it_leads(
        self, client, manager, department_a, department_b
    ):
        def at(day):
            return datetime.datetime(2026, 6, day, 9, 0, tzinfo=datetime.UTC)

        first, second = (
            make_project(lead_department=department_a),
            make_project(lead_department=department_a),
        )
        make_report(first, datetime.date(2026, 5, 1), submitted_at=at(3))
        # An older month sent again later is the newest submission, not the newest month.
        make_report(second, datetime.date(2026, 4, 1), submitted_at=at(10))
        make_report(second, datetime.date(2026, 5, 1), submitted_at=at(5))
        make_report(
            make_project(lead_department=department_b),
            datetime.date(2026, 5, 1),
            submitted_at=at(12),
        )
        client.force_login(manager)
        with time_machine.travel(at(15), tick=False):
            rows = {
                d.slug: d
                for d in client.get(reverse("projects:departments")).context["departments"]
            }
        assert (rows["dept-a"].last_report_at, rows["dept-a"].days_since_report) == (at(10), 5)
        assert (rows["dept-b"].last_report_at, rows["dept-b"].days_since_report) == (at(12), 3)

    def test_a_department_page_has_its_own_lists(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("projects:department", args=["dept-a"]))
        assert [p.code for p in response.context["projects"]] == ["LW-TRA-001", "LW-TRA-002"]
        assert [m.title for m in response.context["overdue"]] == ["征地拆迁完成", "初步设计批复"]
        assert [p.code for p in response.context["missing"]] == ["LW-TRA-002"]

    def test_an_unknown_slug_is_404(self, client, manager, world):
        client.force_login(manager)
        assert client.get(reverse("projects:department", args=["nope"])).status_code == 404


def test_the_dashboards_counts_agree_with_each_projects_figures(frozen_today):
    """scorecards.health_counts() counts in one query what the portfolio shows a project
    (its schedule health, overdue count) and the upcoming board's 30 days."""
    day = datetime.timedelta(days=1)
    cases = [
        [],  # no milestone: green
        [{"planned": TODAY - 300 * day, "actual_date": TODAY - 200 * day}],  # all done
        [{"planned": TODAY - 31 * day}, {"planned": TODAY + 5 * day}],  # red
        [{"planned": TODAY - 30 * day}],  # amber: overdue, not yet red
        [{"planned": TODAY + 40 * day, "forecast_date": TODAY + 50 * day}],  # amber: slips
        [{"planned": TODAY}, {"planned": TODAY + 30 * day}, {"planned": TODAY + 31 * day}],
    ]
    projects = []
    for stage, milestones in zip(["construction", "preliminary"] * 3, cases, strict=True):
        projects.append(make_project(stage=stage))
        for fields in milestones:
            if "forecast_date" in fields:
                fields["forecast_reason"] = "设备到货推迟"
            make_milestone(projects[-1], fields.pop("planned"), **fields)
    make_report(projects[0], datetime.date(2026, 5, 1))
    make_report(projects[2], datetime.date(2026, 5, 1), health="amber")
    expected = {}
    for p in Project.objects.for_portfolio(on=TODAY):
        key = (p.stage, p.latest_health, p.schedule_health)
        soon = Milestone.objects.due_within(30, on=TODAY).filter(project=p).count()
        n, overdue, due_soon = expected.get(key, (0, 0, 0))
        expected[key] = (n + 1, overdue + p.overdue_count, due_soon + soon)
    found = scorecards.health_counts(Project.objects.all(), TODAY, soon_days=30)
    assert {row[:3]: row[3:] for row in found} == expected
    assert sum(row[4] for row in found) == 2 and sum(row[5] for row in found) == 3


class TestDashboard:
    def test_the_counts(self, client, manager, world):
        indicator = world["roads"].indicators.get()
        indicator.baseline_year, indicator.baseline_value = 2020, 0
        indicator.target_year = 2027  # not yet past, so judged on pace
        indicator.save()
        IndicatorValue.objects.create(indicator=indicator, year=2022, value=1)
        client.force_login(manager)
        context = client.get(reverse("home")).context
        assert dict((value, n) for _label, n, value in context["stages"])["construction"] == 2
        assert dict((value, n) for _label, n, value in context["schedule"]) == {
            "green": 1,
            "amber": 1,
            "red": 1,
        }
        assert context["mismatches"] == 1
        assert context["overdue_count"] == 2
        assert [m.title for m in context["worst_overdue"]] == ["征地拆迁完成", "初步设计批复"]
        assert context["due_soon_count"] == 1
        assert (context["investment_planned"], context["investment_completed"]) == (
            Decimal("12"),
            Decimal("5"),
        )
        assert [d.slug for d in context["departments_missing"]] == ["dept-a"]
        # 0 (2020) to 100 (2027) is 14.3 a year; 1 by 2022 is 0.5 a year: limited progress
        assert [a.status for _i, a, _label in context["off_track"]] == ["limited_progress"]


def grow(n, department, chapter):
    """n more projects, each with milestones, a report and this year's investment."""
    for _ in range(n):
        project = make_project(lead_department=department, stage="construction")
        project.chapters.add(chapter)
        make_milestone(project, TODAY - DAYS(40), responsible_department=department)
        make_milestone(project, TODAY + DAYS(5), responsible_department=department)
        make_report(project, D(2026, 5, 1), investment_completed_ytd=Decimal("0.5"))
        AnnualInvestment.objects.create(project=project, year=2026, planned=1, completed=1)
        KeyProject.objects.create(project=project, year=2026)


@pytest.mark.parametrize(
    "url, expected",
    [
        # Every page: session, user, and whether sample data exists (the banner); the top
        # bar's to-do count: the user's roles (unless the page has read them) and one query
        # of counts (supervision/todo.py). Then:
        # The switched pages (issue 16) add the plans, for the plan switch (plan_switch.py;
        # the chapters page read them already). Then:
        # portfolio: plans, departments and chapters for the filters, count, one page of
        # rows; for a manager, the chapters of the plans to carry the ticked projects into
        # when there are some (none here, the plan has ended; test_carryover pins that)
        (reverse("projects:portfolio"), 10),
        # overdue: plans, departments and chapters for the filters, page, counts by
        # department, whose sum is the count (the roles, read for the top bar, also say
        # whether a row offers a supervision order)
        (reverse("projects:overdue"), 10),
        # upcoming: plans, departments and chapters for the filters, count, page
        (reverse("projects:upcoming"), 10),
        # chapters: plans, chapters, each chapter's projects, overdue milestones and this
        # year's investment (one query), chapter-indicator links
        (reverse("projects:chapters"), 9),
        # departments: plans, departments, projects led with their newest report,
        # milestone counts, missing reports (each grouped by department; of the plan's
        # projects)
        (reverse("projects:departments"), 10),
        # dashboard: plans, stages, reported and computed health, overdue and due soon
        # counts together, investment, indicators (their values when there are any),
        # missing reports by department, those departments, worst ten; the top bar's
        # to-do number (counted up to 100), the to-do strip's counts
        (reverse("home"), 12),
        # a chapter: chapter, its figures (chapters, their projects' counts and sums in one
        # query, indicator links), indicators (and their values when there are any),
        # sections, projects
        ("/chapters/14-4/", 12),
        # a department: department, its scorecard (3 grouped counts), this year's
        # investment of its projects (the ledger), its monthly curve (reports of the year),
        # the user's roles (may they download its workbook?), projects, overdue, reports
        # returned for fixing, missing; the to-do counts (the roles already read)
        ("/departments/dept-a/", 15),
        # the year's investment: the ledger of every project, the years with key projects,
        # the monthly curve, roll-ups (chapter links, top-level chapters)
        ("/investment/", 10),
        # the year's key projects: their ledger (the list in a subquery), the years with
        # key projects, roll-ups (chapter links, top-level chapters)
        ("/key-projects/2026/", 9),
    ],
)
def test_each_page_runs_the_same_queries_for_5_and_50_projects(
    url, expected, client, manager, plan, department_a, frozen_today, query_budget
):
    chapter = make_chapter(plan, "4")
    client.force_login(manager)
    grow(5, department_a, chapter)
    with query_budget(expected):
        assert client.get(url).status_code == 200
    grow(45, department_a, chapter)
    with query_budget(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("board", ["projects:overdue", "projects:upcoming"])
def test_a_milestone_export_runs_the_same_queries_for_5_and_50_projects(
    board, client, manager, plan, department_a, frozen_today, query_budget
):
    def export():
        response = client.get(reverse(board), {"_export": "csv"})
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    chapter = make_chapter(plan, "4")
    client.force_login(manager)
    grow(5, department_a, chapter)
    # session, user, the plans (the plan switch, issue 16: the export follows the plan),
    # the user's roles (the on-screen action column), the count the table's
    # paginator takes, every row with, of its project, the code and names (not a project:
    # building ten thousand of those, and as many departments, was most of an export's
    # time), and the departments once, for their names
    with query_budget(7):
        assert len(export()) == 1 + 5
    grow(45, department_a, chapter)
    with query_budget(7) as queries:
        rows = export()
    assert len(rows) == 1 + 50
    assert all(row[0].startswith("LW-TST-") and "测试项目" in row[0] for row in rows[1:])
    rows_query = queries.captured_queries[-2]["sql"]
    assert '"projects_project"."name"' in rows_query
    assert '"projects_project"."description"' not in rows_query


def test_the_project_page_runs_the_same_queries_however_long_its_history(
    client, manager, world, query_budget
):
    # session, user, banner, project with lead, partners, chapter links, indicators,
    # carry-overs, milestones, investments, approvals (with their kinds; the timeline
    # draws the milestones already read), reports (its ledger by year and this year's
    # monthly curve are worked out from them and the investments), then its newest
    # changes: found in one query over every history table, then read, one query for
    # each kind of record among them (here milestones and reports, however many there
    # are); the user's roles
    # (may they report, review, update, supervise, carry over?); its coordination problems
    # (and, when there are some, one more for their orders); its supervision orders; the
    # top bar's to-do counts (one query, the roles already read); its attached files
    # (photos by month, reports' and milestones' files: one query)
    client.force_login(manager)
    url = world["red"].get_absolute_url()
    start = timezone.now()
    for days in (range(1, 15), range(15, 40)):
        for day in days:  # each a second after the one before
            with time_machine.travel(start + datetime.timedelta(seconds=day), tick=False):
                make_milestone(world["red"], TODAY + DAYS(day))
                make_report(
                    world["red"], D(2024, 1, 1) + DAYS(31 * day), investment_completed_ytd=day
                )
                make_approval(world["red"])
        with query_budget(20):
            client.get(url)


def test_a_report_is_missing_only_after_its_due_day(settings):
    from projects.reporting import due_month

    settings.REPORT_DUE_DAY = 10
    assert due_month(D(2026, 6, 10)) == D(2026, 4, 1)  # May's report is due by 10 June
    assert due_month(D(2026, 6, 11)) == D(2026, 5, 1)
    assert due_month(D(2026, 1, 20)) == D(2025, 12, 1)


def test_rows_written_in_python_escape_what_people_typed(client, manager):
    """The portfolio's and the overdue board's rows are written in Python (projects/rows.py):
    names, titles and departments are escaped there as the templates escaped them."""
    department = make_department(name="<i>部门</i>", short_name="<i>部门</i>")
    project = make_project(name="<b>项目</b>", lead_department=department)
    make_milestone(project, TODAY - DAYS(40), title="<script>节点</script>")
    client.force_login(manager)
    for url in (reverse("projects:portfolio"), reverse("projects:overdue")):
        page = client.get(url).content.decode()
        assert "<b>项目</b>" not in page and "&lt;b&gt;项目&lt;/b&gt;" in page
        assert "<i>部门</i>" not in page and "&lt;i&gt;部门&lt;/i&gt;" in page
    board = client.get(reverse("projects:overdue")).content.decode()
    assert "<script>节点" not in board and "&lt;script&gt;节点&lt;/script&gt;" in board
    assert f'href="{project.get_absolute_url()}"' in board


class TestSearch:
    """The portfolio's search box matches the code, name and English name regardless of
    case, however the query is run (a query without a cased letter skips UPPER())."""

    NAMES = [
        ("LW-TRA-101", "南站隧道二期", "South Station Tunnel, phase 2"),
        ("LW-CUL-102", "粤剧艺术博物馆", "Cantonese opera museum"),
        ("LW-EDU-103", "Straße 9号学校", "MUSEUM street 9 school"),
        ("LW-ECO-104", "ǅemal产业园", "ª 100% park_1"),
    ]

    @pytest.mark.parametrize(
        "value",
        ["隧道", "9", "10", "-10", "二期", "museum", "MUSEUM", "Tunnel", "ß", "STRASSE",
         "ǆ", "ª", "%", "_1", "9号", "  博物馆 ", "no such thing"],
    )
    def test_the_same_rows_as_matching_regardless_of_case(self, value):
        from django.db.models import Q

        from projects.filters import PortfolioFilter

        for code, name, name_en in self.NAMES:
            make_project(code=code, name=name, name_en=name_en)
        found = PortfolioFilter({"q": value}, queryset=Project.objects.all()).qs
        v = value.strip()
        expected = Project.objects.filter(
            Q(name__icontains=v) | Q(code__icontains=v) | Q(name_en__icontains=v)
        )
        assert sorted(p.code for p in found) == sorted(p.code for p in expected)

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes")
    @pytest.mark.parametrize(
        "value, indexes",
        [
            ("9999", {"project_name_trgm_idx", "project_code_trgm_idx", "project_name_en_trgm_idx"}),
            ("隧道二期", {"project_name_trgm_idx", "project_code_trgm_idx", "project_name_en_trgm_idx"}),
            ("Tunnel", {"project_name_upper_trgm_idx", "project_code_upper_trgm_idx",
                        "project_name_en_upper_trgm_idx"}),
        ],
    )
    def test_postgresql_answers_it_from_the_trigram_indexes(self, value, indexes):
        """The search's own query (as typed, or in upper case) matches the expressions of the
        trigram indexes (migration 0026), so it need not read every project: a change to
        the lookup that no index answers fails here, not only in the benchmark."""
        from projects.filters import PortfolioFilter

        for code, name, name_en in self.NAMES:
            make_project(code=code, name=name, name_en=name_en)
        found = PortfolioFilter({"q": value}, queryset=Project.objects.all()).qs
        sql, params = found.order_by().query.sql_with_params()  # as the page counts them
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert {name for name in indexes if name in plan} == indexes, plan
