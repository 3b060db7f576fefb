"""Signals that say what they mean: only parts of the plan that call for works are flagged
as unserved; the dashboard's count of projects without a report counts the active ones and
says so; the plan text's own defects carry [原文如此]; a project appears once in the
dashboard's ten most overdue."""

import datetime
import json
import re
import shutil

import pytest
from django.urls import reverse

from projects import plandata
from projects.models import PlanChapter, Project

from ..conftest import (
    TODAY,
    make_chapter,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta
SIC = "[原文如此]"


def fixture(name):
    return json.loads((plandata.PLAN14 / name).read_text(encoding="utf-8"))


def chapter_row(page, code):
    """The chapter list's row of one chapter, by its code."""
    for row in re.findall(r"<tr class=\"depth-.*?</tr>", page, re.S):
        if re.search(rf">{re.escape(code)} ", row):
            return row
    raise AssertionError(f"no row for {code}")


class TestChaptersThatCallForWorks:
    def test_the_plan_data_says_for_each_chapter_and_why_not(self):
        chapters = {c["code"]: c for c in fixture("plan.json")["chapters"]}
        assert all(isinstance(c["calls_for_works"], bool) for c in chapters.values())
        # the previous plan's achievements, the setting, the goals: no works called for
        for code in ("1", "1.1", "1.2", "2", "2.1", "2.2", "2.3"):
            assert chapters[code]["calls_for_works"] is False, code
        # transport, urban renewal, new infrastructure: works
        for code in ("3.1", "4.1", "4.2", "4.3", "6.1", "8.2"):
            assert chapters[code]["calls_for_works"] is True, code
        assert all(c.get("calls_for_works_note") for c in chapters.values() if not c["calls_for_works"])

    def test_the_loader_keeps_it_on_the_chapter(self):
        plandata.load()
        assert not PlanChapter.objects.by_key("14-1.1").calls_for_works
        assert PlanChapter.objects.by_key("14-4.3").calls_for_works

    def test_the_loader_refuses_a_section_calling_for_works_under_a_chapter_that_does_not(
        self, tmp_path, monkeypatch
    ):
        folder = tmp_path / "plan14"
        shutil.copytree(plandata.PLAN14, folder)
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        next(c for c in data["chapters"] if c["code"] == "2.3")["calls_for_works"] = True
        (folder / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(plandata, "PLAN14", folder)
        with pytest.raises(plandata.PlanDataError, match="chapter 2: calls for no works"):
            plandata.load()
        assert not PlanChapter.objects.exists()

    def test_only_a_works_chapter_without_projects_is_flagged(self, client, viewer, frozen_today):
        plan = make_plan()
        make_chapter(plan, "1", title="发展成就", calls_for_works=False)
        make_chapter(plan, "4", title="基础设施")
        served = make_chapter(plan, "5", title="产业")
        make_project().chapters.add(served)
        client.force_login(viewer)
        page = client.get(reverse("projects:chapters")).content.decode()
        goals, works, with_project = (chapter_row(page, c) for c in ("1", "4", "5"))
        assert "unserved" not in goals and 'class="flag"' not in goals
        assert "unserved" in works and 'class="flag"' in works
        assert "unserved" not in with_project and 'class="flag"' not in with_project

    def test_a_goals_chapter_page_does_not_call_itself_unserved(self, client, viewer, frozen_today):
        plan = make_plan()
        make_chapter(plan, "2", title="主要目标", calls_for_works=False)
        make_chapter(plan, "4", title="基础设施")
        client.force_login(viewer)
        goals = client.get(reverse("projects:chapter", args=["14-2"])).content.decode()
        works = client.get(reverse("projects:chapter", args=["14-4"])).content.decode()
        assert 'class="flag"' not in goals
        assert 'class="flag"' in works

    def test_the_admin_shows_and_filters_it(self, client, administrator):
        make_chapter(make_plan(), "1", calls_for_works=False)
        client.force_login(administrator)
        url = reverse("admin:projects_planchapter_changelist")
        page = client.get(url, {"calls_for_works__exact": "0"})
        assert page.status_code == 200 and len(page.context["cl"].result_list) == 1
        assert "calls_for_works" in page.context["cl"].list_display


class TestTheTextsOwnDefects:
    def test_every_defect_is_an_exact_string_of_its_paragraph(self):
        paras = plandata.paragraphs()
        defects = fixture("plan.json")["defects"]
        assert "地铁10号线号线号线" in [d["text"] for d in defects]
        for defect in defects:
            assert defect["text"] in paras[defect["paragraph"]], defect
            assert defect["note"], defect

    def test_the_loader_refuses_a_defect_not_in_its_paragraph(self, tmp_path, monkeypatch):
        folder = tmp_path / "plan14"
        shutil.copytree(plandata.PLAN14, folder)
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        data["defects"][0]["paragraph"] = 1
        (folder / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(plandata, "PLAN14", folder)
        with pytest.raises(plandata.PlanDataError, match="defect"):
            plandata.load()

    def test_the_chapter_page_quotes_the_text_unchanged_with_the_mark(
        self, client, viewer, frozen_today
    ):
        plandata.load()
        client.force_login(viewer)
        page = client.get(reverse("projects:chapter", args=["14-4.1"])).content.decode()
        assert re.search(r"地铁10号线号线号线<span class=\"sic\" title=\"[^\"]+\">\[原文如此\]</span>征拆", page)
        assert "地铁线号线号线<span class=\"sic\"" in page
        # with the marks taken out, the paragraph is the text's own
        text = re.sub(r"<span class=\"sic\"[^>]*>\[原文如此\]</span>", "", page)
        assert plandata.paragraphs()[42] in text

    def test_a_project_quoting_it_shows_the_mark(self, client, viewer, frozen_today):
        plandata.load()
        client.force_login(viewer)
        page = client.get(reverse("projects:detail", args=["LW-TRA-022"])).content.decode()
        assert "地铁10号线号线号线<span class=\"sic\"" in page and page.count(SIC) == 2

    def test_a_text_without_defects_is_only_escaped(self, client, viewer, frozen_today):
        project = make_project(source_sentence="建设<b>东沙隧道</b>。", source_paragraph=41)
        client.force_login(viewer)
        page = client.get(project.get_absolute_url()).content.decode()
        assert "建设&lt;b&gt;东沙隧道&lt;/b&gt;。" in page and SIC not in page


class TestDashboard:
    def test_the_count_of_projects_without_a_report_is_of_active_ones_and_says_so(
        self, client, manager, frozen_today
    ):
        for stage in ("reserve", "cancelled", "completed", "suspended"):
            make_project(stage=stage)  # owe no report
        make_project(stage="preliminary")
        make_report(make_project(stage="construction"), TODAY.replace(day=1) - DAYS(31))
        client.force_login(manager)
        response = client.get(reverse("home"))
        assert response.context["active_unreported"] == 1
        page = response.content.decode()
        assert "active projects without any report" in page or "尚无" in page

    def test_a_project_appears_once_in_the_ten_most_overdue(self, client, manager, frozen_today):
        tunnel = make_project(name="隧道")
        for days in (90, 60, 30):
            make_milestone(tunnel, TODAY - DAYS(days), title=f"隧道节点{days}")
        others = [make_project() for _ in range(11)]
        for n, project in enumerate(others):
            make_milestone(project, TODAY - DAYS(80 - n), title=f"节点{n}")
            make_milestone(project, TODAY - DAYS(5))
        client.force_login(manager)
        worst = client.get(reverse("home")).context["worst_overdue"]
        assert len(worst) == 10 and len({m.project_id for m in worst}) == 10
        assert (worst[0].title, worst[0].other_overdue) == ("隧道节点90", 2)
        assert [m.title for m in worst[1:]] == [f"节点{n}" for n in range(9)]
        assert all(m.other_overdue == 1 for m in worst[1:])

    def test_the_row_says_how_many_more_overdue_milestones_the_project_has(
        self, client, manager, frozen_today
    ):
        tunnel = make_project(name="隧道")
        for days in (90, 60, 30):
            make_milestone(tunnel, TODAY - DAYS(days))
        client.force_login(manager)
        page = client.get(reverse("home")).content.decode()
        assert page.count(tunnel.name) == 1
        assert "and 2 more overdue milestones of this project" in page or "另有2个" in page
        assert Project.objects.count() == 1
