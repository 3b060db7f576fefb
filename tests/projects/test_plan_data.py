"""The shipped plan data is the plan's own: every quote is found in the plan text."""

import json
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators import plandata as whole_plan
from indicators.models import Indicator, ProjectIndicator
from projects import plandata
from projects.models import Department, Plan, PlanChapter, Project, ProjectChapter

pytestmark = pytest.mark.django_db


def plan_paragraphs():
    # Read independently of the loader: the non-empty lines, counted from 0.
    text = plandata.PLAN_TEXT.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def fixture(name):
    return json.loads((plandata.PLAN14 / name).read_text(encoding="utf-8"))


class TestFixturesAreTraceable:
    def test_every_projects_sentence_is_in_the_paragraph_it_names(self):
        paras = plan_paragraphs()
        projects = fixture("projects.json")["projects"]
        assert len(projects) >= 60
        for row in projects:
            assert row["source_sentence"], row["code"]
            assert row["source_sentence"] in paras[row["paragraph"]], row["code"]

    def test_every_indicators_sentences_are_in_the_paragraphs_they_name(self):
        paras = plan_paragraphs()
        for row in fixture("indicators.json")["indicators"]:
            assert row["source_sentence"] in paras[row["paragraph"]], row["code"]
            assert row["target_text"] in row["source_sentence"], row["code"]
            if row["baseline_value"] is None:
                assert row["baseline_year"] is None and row["baseline_sentence"] is None
            else:
                assert row["baseline_sentence"] in paras[row["baseline_paragraph"]], row["code"]

    def test_chapter_paragraph_ranges_cover_the_text(self):
        paras = plan_paragraphs()
        assert len(paras) == 94
        chapters = [c for c in fixture("plan.json")["chapters"] if "." not in c["code"]]
        assert chapters[0]["paragraph_start"] == 0
        assert chapters[-1]["paragraph_end"] == len(paras) - 1
        for before, after in zip(chapters, chapters[1:], strict=False):
            assert after["paragraph_start"] == before["paragraph_end"] + 1

    def test_project_codes_and_names_are_unique(self):
        projects = fixture("projects.json")["projects"]
        assert len({p["code"] for p in projects}) == len(projects)
        assert len({p["name"] for p in projects}) == len(projects)


class TestAreasFollowOneRule:
    """Project.area of the plan's projects is set by plandata.area_by_rule, from the text."""

    def test_every_projects_area_follows_the_rule(self):
        for row in fixture("projects.json")["projects"]:
            assert row["area"] == plandata.area_by_rule(row), row["code"]

    def test_the_rule_reads_the_text(self):
        paras = plan_paragraphs()
        assert "白鹅潭商务区" in paras[35] and "白鹅潭核心区" in paras[36]
        assert paras[37].startswith("北片区") and paras[38].startswith("南片区")
        for clause, _area in plandata.AREA_OF_CLAUSE:
            assert any(clause in p for p in paras), clause
        for _area, places in plandata.AREA_OF_PLACE:
            for place in places:
                assert any(place in p for p in paras[35:70]), place
        # paragraph 68 names the seven quarters of the 西关 core
        for place in ["荔枝湾", "恩宁", "陈家祠", "沙面", "十三行", "上下九", "西门瓮城"]:
            assert place in paras[68]

    def test_the_rule_places_projects_as_the_text_does(self):
        areas = {row["code"]: row["area"] for row in fixture("projects.json")["projects"]}
        assert areas["LW-URB-001"] == "baietan"  # 新隆沙—陆居路, paragraph 36
        assert areas["LW-URB-003"] == "north"  # 大坦沙组团, paragraph 37
        assert areas["LW-IND-001"] == "south"  # 白鹅潭聚龙组团: paragraph 38 lists it south
        assert areas["LW-IND-007"] == "hailong"  # 科创区重点项目, paragraph 59
        assert areas["LW-CUL-003"] == "lingnan_core"  # 北片以西关历史城区为核心
        assert areas["LW-CUL-006"] == "south"  # 南片以珠江后航道沿岸…白鹅潭临江大道
        assert areas["LW-TRA-015"] == "baietan"  # 白鹅潭大道
        assert areas["LW-TRA-007"] == "district"  # 东沙隧道: the text does not place it

    def test_the_loader_refuses_an_area_against_the_rule(self, tmp_path, monkeypatch):
        folder = tmp_path / "plan14"
        shutil.copytree(plandata.PLAN14, folder)
        data = json.loads((folder / "projects.json").read_text(encoding="utf-8"))
        row = next(p for p in data["projects"] if p["code"] == "LW-TRA-007")
        row["area"] = "south"
        (folder / "projects.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8"
        )
        monkeypatch.setattr(plandata, "PLAN14", folder)
        with pytest.raises(plandata.PlanDataError, match="LW-TRA-007: area south"):
            whole_plan.load()
        assert not Project.objects.exists()


class TestLoadPlan:
    def test_it_loads_the_plan_on_an_empty_database(self):
        call_command("load_plan", stdout=open("/dev/null", "w"))
        plan = Plan.objects.get()
        assert (plan.number, plan.short_name, plan.start_year, plan.end_year) == (
            14,
            "十四五",
            2021,
            2025,
        )
        assert plan.document_number == "荔府〔2021〕4号"
        assert plan.issued_on.isoformat() == "2021-07-24"
        assert Department.objects.count() >= 30
        assert Project.objects.count() >= 60
        assert not Project.objects.filter(chapters=None).exists()
        assert Indicator.objects.count() >= 20

    def test_chapters_form_the_table_of_contents(self):
        plandata.load()
        chapter = PlanChapter.objects.by_key("14-3.1")
        assert chapter.title == "全面强化白鹅潭商务区战略引领"
        assert chapter.parent.code == "3"
        assert chapter.title_is_official
        # Chapters 7 and 8 and their sections are derived from the text, and say so.
        assert not PlanChapter.objects.filter(
            code__regex=r"^[78](\.|$)", title_is_official=True
        ).exists()
        assert PlanChapter.objects.by_key("14-8.2").title == "公共卫生"
        assert (
            PlanChapter.objects.filter(code__regex=r"^[1-6](\.|$)", title_is_official=False).count()
            == 0
        )

    def test_the_headline_projects_are_there(self):
        plandata.load()
        names = set(Project.objects.values_list("name", flat=True))
        for expected in [
            "东沙隧道",
            "如意坊隧道",
            "广州国际医药港",
            "国家呼吸医学中心(广东)",
            "真光中学高中部",
            "荔湾区图书馆新馆",
            "大参林总部大厦",
        ]:
            assert expected in names
        museums = Project.objects.get(name__contains="三馆合一")
        assert museums.category == Project.Category.CULTURE
        assert "14-6.1" in [c.key for c in museums.chapters.all()]

    def test_the_headline_targets_are_there_with_baselines_only_where_the_text_gives_them(self):
        whole_plan.load()
        gdp = Indicator.objects.get(name="地区生产总值")
        assert (gdp.unit, gdp.target_value, gdp.target_year) == ("亿元", Decimal("1450"), 2025)
        assert gdp.baseline_value is None  # the text gives no 2020 GDP
        growth = Indicator.objects.get(name="地区生产总值年均增长率")
        assert (growth.target_kind, growth.target_value) == ("growth", Decimal("6"))
        doctors = Indicator.objects.get(name__startswith="每千常住人口执业")
        assert (doctors.target_value, doctors.baseline_value) == (Decimal("4"), Decimal("3.86"))
        assert Indicator.objects.get(name="累计新增就业人数").target_kind == "cumulative"
        assert Indicator.objects.get(name__contains="R&D").target_value == Decimal("2")

    def test_running_it_again_changes_nothing(self):
        whole_plan.load()
        histories = [m.history.count() for m in (Project, ProjectChapter, ProjectIndicator)]
        stats = whole_plan.load()
        assert not [key for key in stats if not key.endswith("unchanged")]
        assert [m.history.count() for m in (Project, ProjectChapter, ProjectIndicator)] == histories

    def test_the_links_it_makes_are_in_the_history_with_its_reason(self):
        whole_plan.load()
        for model in (ProjectChapter, ProjectIndicator):
            assert model.history.count() == model.objects.count() > 0
            assert set(model.history.values_list("history_type", "history_change_reason")) == {
                ("+", plandata.REASON)
            }

    def test_it_refuses_an_invented_sentence_and_saves_nothing(self, tmp_path, monkeypatch):
        folder = tmp_path / "plan14"
        shutil.copytree(plandata.PLAN14, folder)
        data = json.loads((folder / "projects.json").read_text(encoding="utf-8"))
        data["projects"][-1]["source_sentence"] = "建设荔湾太空电梯。"
        (folder / "projects.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8"
        )
        monkeypatch.setattr(plandata, "PLAN14", folder)
        with pytest.raises(plandata.PlanDataError, match=data["projects"][-1]["code"]):
            whole_plan.load()
        assert not Project.objects.exists()
        assert not Plan.objects.exists()


def test_projects_serve_the_indicators_their_kind_moves():
    whole_plan.load()
    assert "I14-10" in Project.objects.get(name="东沙隧道").indicators.values_list(
        "code", flat=True
    )
    beds = Indicator.objects.get(name="每千人拥有病床位数")
    assert beds.projects.filter(name="区儿童医院").exists()
    assert Indicator.objects.get(name="城中村改造开工累计数").projects.count() == 8
