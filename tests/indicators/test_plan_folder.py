"""Onboarding a plan from its text: its outline and indicators from JSON shaped as the 14th
plan's data (plan.json, indicators.json) beside the plan's text, through the 14th plan's
loader and checks (manage.py load_plan --dir): every quote found in the paragraph it names,
every row through its model's rules, all or nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from indicators.models import Indicator
from projects.models import Plan, PlanChapter

from ..conftest import make_indicator, make_plan

pytestmark = pytest.mark.django_db


def command(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command(*map(str, args), stdout=out)
    return out.getvalue()


TEXT = [
    "荔湾区国民经济和社会发展第十五个五年规划纲要（测试文本）",
    "第一章 发展基础",
    "“十四五”时期全区地区生产总值年均增长5.5%。",
    "第二章 发展目标",
    "到2030年,地区生产总值年均增长5%左右,研发经费投入强度达到3%。",
    "第三章 现代产业",
    "推进白鹅潭商务区建设,新增高新技术企业200家。",
]


def plan_folder(tmp_path, **changes):
    """A made-up plan's data in the 14th plan's shape, with its text; `changes` replace
    fields of the first indicator."""
    folder = tmp_path / "plan15"
    folder.mkdir()
    (folder / "liwan-15th-five-year-plan.txt").write_text("\n\n".join(TEXT), encoding="utf-8")
    chapter = {"title_is_official": True, "calls_for_works": True}
    plan = {
        "plan": {
            "number": 15,
            "name": "荔湾区国民经济和社会发展第十五个五年规划纲要（测试）",
            "short_name": "十五五",
            "start_year": 2026,
            "end_year": 2030,
            "document_number": "",
            "issued_on": None,
        },
        "chapters": [
            chapter
            | {"code": "1", "title": "发展基础", "paragraph_start": 1, "paragraph_end": 2}
            | {"calls_for_works": False, "calls_for_works_note": "describes"},
            chapter | {"code": "2", "title": "发展目标", "paragraph_start": 3, "paragraph_end": 4},
            chapter
            | {"code": "2.1", "title": "主要指标", "paragraph_start": 4, "paragraph_end": 4},
            chapter | {"code": "3", "title": "现代产业", "paragraph_start": 5, "paragraph_end": 6},
        ],
        "defects": [],
    }
    indicator = {
        "code": "I15-01",
        "name": "地区生产总值年均增长率",
        "name_en": "Average annual growth rate of GDP",
        "unit": "%",
        "category": "economy",
        "nature": "expected",
        "target_kind": "growth",
        "direction": "higher",
        "target_year": 2030,
        "target_value": 5,
        "target_text": "地区生产总值年均增长5%左右",
        "about": True,
        "tolerance": None,
        "baseline_year": 2025,
        "baseline_value": 5.5,
        "baseline_kind": "period_average",
        "baseline_period_start": 2021,
        "baseline_paragraph": 2,
        "baseline_sentence": "“十四五”时期全区地区生产总值年均增长5.5%",
        "chapters": ["2.1"],
        "paragraph": 4,
        "source_sentence": "到2030年,地区生产总值年均增长5%左右",
        "note": "",
        "department": "dept-a",
    }
    second = indicator | {
        "code": "I15-02",
        "name": "新增高新技术企业",
        "unit": "家",
        "category": "innovation",
        "target_kind": "cumulative",
        "target_value": 200,
        "target_text": "新增高新技术企业200家",
        "about": False,
        "baseline_year": None,
        "baseline_value": None,
        "baseline_kind": "year",
        "baseline_period_start": None,
        "baseline_paragraph": None,
        "baseline_sentence": None,
        "chapters": ["3"],
        "paragraph": 6,
        "source_sentence": "新增高新技术企业200家",
        "department": "dept-b",
    }
    data = {"indicators": [indicator | changes, second]}
    for name, content in [("plan.json", plan), ("indicators.json", data)]:
        (folder / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return folder


def test_a_plan_is_loaded_from_its_data_and_text(department_a, department_b, tmp_path):
    folder = plan_folder(tmp_path)
    out = command("load_plan", "--dir", folder, "--dry-run")
    assert "chapters created: 4" in out and "nothing saved (dry run)" in out
    assert not Plan.objects.exists()

    out = command("load_plan", "--dir", folder)
    assert "indicators created: 2" in out and "Plan data loaded." in out
    plan = Plan.objects.get(number=15)
    assert [c.key for c in plan.chapters.all()] == ["15-1", "15-2", "15-2.1", "15-3"]
    assert PlanChapter.objects.by_key("15-2.1").parent.code == "2"
    gdp = Indicator.objects.get(code="I15-01")
    assert gdp.plan == plan and gdp.source_paragraph == 4
    assert gdp.source_sentence == "到2030年,地区生产总值年均增长5%左右"
    assert [c.key for c in gdp.chapters.all()] == ["15-2.1"]
    assert Indicator.objects.get(code="I15-02").responsible_department == department_b
    # Again: nothing differs.
    assert "indicators unchanged: 2" in command("load_plan", "--dir", folder)


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"source_sentence": "到2030年,地区生产总值年均增长6%左右", "target_text": "6%"},
            "I15-01: the quoted sentence is not in paragraph 4.",
        ),
        ({"paragraph": 2}, "I15-01: the quoted sentence is not in paragraph 2."),
        ({"baseline_sentence": "年均增长5.6%"}, "I15-01 baseline: the quoted sentence is not in"),
        ({"target_text": "增长6%"}, "I15-01: the target's wording is not in its sentence."),
        ({"department": "nowhere"}, "I15-01: no department nowhere."),
        ({"chapters": ["9"]}, "I15-01: the plan has no chapter 9."),
        ({"baseline_period_start": None}, "I15-01: A total or average baseline needs"),
    ],
)
def test_a_plan_whose_data_the_text_does_not_bear_out_is_refused_whole(
    department_a, department_b, tmp_path, changes, message
):
    folder = plan_folder(tmp_path, **changes)
    with pytest.raises(CommandError, match="Nothing was saved") as refusal:
        command("load_plan", "--dir", folder)
    assert message in str(refusal.value)
    assert not Plan.objects.exists() and not PlanChapter.objects.exists()
    assert not Indicator.objects.exists()


def test_a_plan_folder_without_its_text_or_with_another_plans_code_is_refused(
    department_a, department_b, tmp_path
):
    folder = plan_folder(tmp_path)
    make_indicator(plan=make_plan(), code="I15-02")
    with pytest.raises(CommandError, match="I15-02: an indicator of the 十四五 plan"):
        command("load_plan", "--dir", folder)
    (folder / "liwan-15th-five-year-plan.txt").unlink()
    with pytest.raises(CommandError, match="the one .txt file there"):
        command("load_plan", "--dir", folder)
    assert not Plan.objects.filter(number=15).exists()
