"""A plan's final assessment (/plans/<number>/assessment/, ?_export=docx) on a small plan
built by hand: verdicts with figures, sources and reasons, provisional verdicts, projects by
outcome with their investment over the plan's years, chapters and what served them, the key
projects of each year, sample data labelled; the Word document."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from indicators.models import IndicatorValue
from projects import assessment as figures
from projects.models import AnnualInvestment, KeyProject, Plan, PlanChapter

from ..conftest import make_chapter, make_indicator, make_plan, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date
URL = reverse("projects:plan_assessment", args=[14])


@pytest.fixture
def english(client):
    """The pages in English (the msgids), whatever the catalogue says in Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def plan(frozen_today, department_a, department_b):
    """The 14th plan (ended on 2026-06-15) and the 15th (in force):

    chapters 3 (with 3.1) served, 4 not; projects: a road completed (3 in 2023 from the
    administrator, 2 in 2024 from its reports), a hall under construction carried into the
    15th plan's chapter 2 (1 in 2024) with a part of its own (0.5 in 2024, counted in the
    hall's figure), a reserve, a cancelled and a suspended project; indicators: GDP met on
    its published 2025 figure, jobs not met on a department's 2025 figure (provisional),
    R&D on sample values, and one typed in the admin without its paragraph; the road and
    the hall are 2024 key projects."""
    plan14 = make_plan(number=14, start_year=2021, end_year=2025, document_number="荔府〔2021〕4号")
    plan15 = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    three = make_chapter(plan14, "3", title="产业发展")
    section = make_chapter(plan14, "3.1", title="数字经济", parent=three)
    make_chapter(plan14, "4", title="城市更新")
    later = make_chapter(plan15, "2", title="新质生产力")
    road = make_project(
        code="LW-TRA-001", name="荔湾路", stage="completed", lead_department=department_a
    )
    hall = make_project(
        code="LW-CUL-001", name="文化馆", stage="construction", lead_department=department_b
    )
    wing = make_project(
        code="LW-CUL-002",
        name="文化馆东翼",
        stage="construction",
        part_of=hall,
        lead_department=department_b,
    )
    reserve = make_project(
        code="LW-EDU-001", name="新学校", stage="reserve", lead_department=department_a
    )
    cancelled = make_project(
        code="LW-ECO-001", name="湿地", stage="cancelled", lead_department=department_a
    )
    suspended = make_project(
        code="LW-ECO-002", name="绿道", stage="suspended", lead_department=department_a
    )
    road.chapters.add(section)
    hall.chapters.add(three, later)
    for project in (wing, reserve, cancelled, suspended):
        project.chapters.add(three)
    AnnualInvestment.objects.create(project=road, year=2023, planned=4, completed=3)
    AnnualInvestment.objects.create(project=road, year=2024, planned=2, completed=0)
    make_report(road, D(2024, 12, 1), investment_completed_ytd=Decimal(2))
    AnnualInvestment.objects.create(project=hall, year=2024, planned=2, completed=1)
    AnnualInvestment.objects.create(project=wing, year=2024, planned=1, completed=Decimal("0.5"))
    AnnualInvestment.objects.create(
        project=hall, year=2026, planned=9, completed=9
    )  # not the plan's
    for project in (road, hall):
        KeyProject.objects.create(project=project, year=2024)
    gdp = make_indicator(
        plan=plan14,
        code="GDP",
        name="地区生产总值",
        unit="亿元",
        source_paragraph=28,
        source_sentence="2025年达到100亿元左右。",
    )
    IndicatorValue.objects.create(
        indicator=gdp,
        year=2024,
        value=90,
        note="统计公报",
        source="official",
        source_title="2024年统计公报",
        source_date=D(2025, 3, 20),
        source_url="https://example.gov.cn/2024",
    )
    IndicatorValue.objects.create(
        indicator=gdp,
        year=2025,
        value=120,
        note="统计公报",
        source="official",
        source_title="2025年统计公报",
        source_date=D(2026, 3, 20),
        source_url="https://example.gov.cn/2025",
    )
    jobs = make_indicator(
        plan=plan14,
        code="JOBS",
        name="新增就业",
        unit="万人",
        responsible_department=department_a,
        source_paragraph=32,
        source_sentence="新增就业100万人。",
    )
    IndicatorValue.objects.create(indicator=jobs, year=2025, value=50, note="人社局台账")
    rd = make_indicator(
        plan=plan14,
        code="RD",
        name="研发投入",
        unit="%",
        target_value=Decimal(2),
        source_paragraph=28,
        source_sentence="2025年达到100亿元左右。",
    )
    IndicatorValue.objects.create(
        indicator=rd, year=2024, value=Decimal("1.5"), note="示例", source="sample"
    )
    typed = make_indicator(plan=plan14, code="NEW", name="管理员新增指标")  # no paragraph, no words
    return {
        "plan": plan14,
        "plan15": plan15,
        "road": road,
        "hall": hall,
        "wing": wing,
        "gdp": gdp,
        "jobs": jobs,
        "rd": rd,
        "typed": typed,
    }


def warning():
    with translation.override("en"):
        return escape(figures.sample_warning())


def table(found, title):
    return next(t for s in found.sections for t in s.tables if str(t.title) == title)


def cells(row):
    return [str(cell) for cell in row]


def build(plan):
    with translation.override("en"):
        return figures.build(plan, D(2026, 6, 15))


# --- the figures --------------------------------------------------------------------------


def test_each_indicator_has_its_verdict_figures_and_sources(plan):
    found = build(plan["plan"])
    with translation.override("en"):
        by_year = table(found, "Indicators: figures by year")
        assert by_year.headers[3:8] == ["2021", "2022", "2023", "2024", "2025"]
        rows = {cells(row)[0].split("[")[0]: cells(row) for row in by_year.rows}
        gdp = rows["GDP 地区生产总值 (亿元)"]
        assert gdp[2] == "not stated in the plan"  # no baseline given
        assert gdp[6].startswith("90[") and gdp[7].startswith("120[")
        assert gdp[-2].startswith("100 (2025)") and gdp[-1] == "met"
        jobs = rows["JOBS 新增就业 (万人)"]
        assert jobs[7].startswith("50[") and jobs[-1] == "not met (provisional)"
        rd = rows["RD 研发投入 (%)"]
        assert rd[6].startswith("1.5[") and rd[-1] == "awaiting the final figure (provisional)"
        notes = "\n".join(by_year.sources)
        # Published: title, date, address; a department's and sample values say so.
        published = formats.date_format(D(2026, 3, 20), "DATE_FORMAT")
        assert f"2025年统计公报, {published}, https://example.gov.cn/2025" in notes
        assert "Entered by 部门甲, not yet published: 人社局台账" in notes
        assert "Sample data, not the district's figure." in notes
        # Where the plan states each: one note for one sentence; none for the admin's.
        assert notes.count("The plan, paragraph 28: «2025年达到100亿元左右。»") == 1
        assert "The plan, paragraph not stated" in notes
        assert "None" not in notes
        marks = {code: re.findall(r"\[\d+\]", row[0]) for code, row in rows.items()}
        assert (
            marks["GDP 地区生产总值 (亿元)"] == marks["RD 研发投入 (%)"]
        )  # paragraph 28's one note
        assert len({mark for found in marks.values() for mark in found}) == 3
        reasons = {
            cells(row)[0]: cells(row)[1:] for row in table(found, "Verdicts and their reasons").rows
        }
        assert reasons["GDP 地区生产总值"][1].startswith(
            "Target met: 120 亿元 against a target of 100 亿元"
        )
        assert reasons["JOBS 新增就业"][1].startswith("Target not met: 50 万人")


def test_verdicts_without_the_target_years_published_figure_are_provisional(plan):
    found = build(plan["plan"])
    # The typed-in indicator has no figure at all: no verdict to be provisional.
    assert [v.indicator.code for v in found.provisional] == ["JOBS", "RD"]
    with translation.override("en"):
        text = " ".join(figures.introduction(found))
    assert (
        "Provisional verdicts" in text and "新增就业 (2025)" in text and "地区生产总值" not in text
    )
    # Published at last: no longer provisional.
    IndicatorValue.objects.filter(indicator=plan["jobs"], year=2025).update(
        source="official", source_title="2025年统计公报", source_url="https://example.gov.cn/2025"
    )
    assert [v.indicator.code for v in build(plan["plan"]).provisional] == ["RD"]


def test_projects_by_outcome_with_their_investment_over_the_plans_years(plan):
    found = build(plan["plan"])
    with translation.override("en"):
        summary = [cells(row) for row in table(found, "Projects by outcome").rows]
        assert summary == [
            ["completed", "1", "5.00"],  # 3 in 2023 + 2 from the 2024 reports
            ["under construction, carried over", "2", "1.00"],  # the hall; its wing in it
            ["not started (reserve or preliminary works)", "1", "0.00"],
            ["cancelled or suspended", "2", "0.00"],
        ]
        running = {
            cells(row)[0]: cells(row)
            for row in table(found, "under construction, carried over").rows
        }
        assert running["LW-CUL-001"][4:] == ["1.00", "15-2"]  # 2026's 9 is not the plan's
        assert running["LW-CUL-002"][4:] == ["0.50", "no later plan's chapter yet"]
        stopped = [cells(row)[0] for row in table(found, "cancelled or suspended").rows]
        assert stopped == ["LW-ECO-001", "LW-ECO-002"]
        years = [
            cells(row) for row in table(found, "Investment of the plan's projects by year").rows
        ]
        assert years[2] == ["2023", "4.00", "3.00", "75.0%"]
        assert years[3] == ["2024", "4.00", "3.00", "75.0%"]  # the wing counts in the hall
        assert years[-1] == ["the plan's years", "8.00", "6.00", "75.0%"]


def test_chapters_and_what_served_them(plan):
    found = build(plan["plan"])
    with translation.override("en"):
        rows = {
            cells(row)[0]: cells(row)[1:]
            for row in table(found, "Chapters and what served them").rows
        }
        assert rows["3 产业发展"][:3] == ["6", "0", "yes"]
        assert rows["3.1 数字经济"] == ["1", "0", "yes", "LW-TRA-001 荔湾路"]
        assert rows["4 城市更新"] == ["0", "0", "no project", "–"]
        section = next(s for s in found.sections if str(s.title) == "Chapters and what served them")
        assert section.paragraphs == [
            "2 of the 3 chapters and sections that call for works are served by at least one project.",
            "No project served: 4 城市更新.",
        ]


def test_the_key_projects_of_each_year_and_their_completion_rates(plan):
    found = build(plan["plan"])
    with translation.override("en"):
        assert [cells(row)[:5] for row in table(found, "District key projects by year").rows] == [
            ["2024", "2", "4.00", "3.00", "75.0%"]
        ]
        rows = [cells(row) for row in table(found, "Key projects of 2024").rows]
        assert [row[0] for row in rows] == ["LW-CUL-001", "LW-TRA-001"]
        assert rows[1][3:] == ["2.00", "2.00", "100.0%"]


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_assessment(english, viewer, plan):
    english.force_login(viewer)
    response = english.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Final assessment of the 测试规划 (draft)" in page
    assert "Provisional verdicts" in page
    assert "https://example.gov.cn/2025" in page
    assert reverse("projects:detail", args=["LW-CUL-001"]) in page
    assert reverse("projects:chapter", args=["14-4"]) in page
    assert reverse("indicators:detail", args=["GDP"]) in page
    assert "?_export=docx" in page
    # Sample values were read (R&D): the page says so.
    assert warning() in page


def test_without_sample_data_the_page_has_no_warning(english, viewer, plan):
    IndicatorValue.objects.filter(source="sample").delete()
    english.force_login(viewer)
    page = english.get(URL).content.decode()
    assert warning() not in page


@pytest.mark.parametrize("sample", ["project", "investment", "report", "key project"])
def test_sample_rows_of_any_kind_are_labelled(plan, sample):
    IndicatorValue.objects.filter(source="sample").delete()
    assert not build(plan["plan"]).sample
    road = plan["road"]
    if sample == "project":
        road.is_sample = True
        road.save()
    elif sample == "investment":
        AnnualInvestment.objects.filter(project=road, year=2023).update(is_sample=True)
    elif sample == "report":
        road.reports.update(is_sample=True)
    else:
        KeyProject.objects.filter(project=road).update(is_sample=True)
    assert build(plan["plan"]).sample


def test_a_plan_in_force_gets_an_interim_assessment(english, viewer, plan):
    english.force_login(viewer)
    response = english.get(reverse("projects:plan_assessment", args=[15]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Interim assessment of the" in page
    assert "this is an interim assessment" in page
    assert "Provisional verdicts" not in page
    assert response.context["assessment"].state == Plan.State.IN_FORCE


def test_an_unknown_export_format_is_refused(client, viewer, plan):
    client.force_login(viewer)
    assert client.get(URL, {"_export": "pdf"}).status_code == 400


# --- the Word document --------------------------------------------------------------------


def test_the_word_document_is_a_draft_in_chinese_with_tables_and_sources(client, viewer, plan):
    client.force_login(viewer)
    response = client.get(URL, {"_export": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="liwan-plan-14-assessment.docx"'
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    with translation.override(settings.LANGUAGE_CODE):
        found = figures.build(plan["plan"], D(2026, 6, 15))
        assert texts[0] == figures.sample_warning()
        assert figures.title(found) in texts
        sections = [s.title for s in found.sections]
        sources = _("Sources:")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}、{title}" for n, title in zip("一二三四五", sections, strict=True)]
    # The figures' sources, numbered under their table.
    assert texts.count(sources) == 2  # the indicators' and the key projects'
    assert any("https://example.gov.cn/2025" in t and t.startswith("[") for t in texts)
    # Real tables, their header rows repeating on each page.
    assert len(document.tables) == 2 + 5 + 1 + 1 + 2
    for word in document.tables:
        assert word.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    body = "\n".join(
        cell.text for word in document.tables for row in word.rows for cell in row.cells
    )
    assert "LW-CUL-001" in body and "15-2" in body and "None" not in body
    # The indicators' figures by year on a page turned sideways, then upright again.
    assert [s.orientation for s in document.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    assert document.sections[1].page_width > document.sections[1].page_height
    # Chinese fonts in the East Asian slot.
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "SimHei"


def _(text):
    return translation.gettext(text)


def test_the_word_document_has_no_sample_warning_without_sample_data(client, viewer, plan):
    IndicatorValue.objects.filter(source="sample").delete()
    client.force_login(viewer)
    document = Document(io.BytesIO(client.get(URL, {"_export": "docx"}).content))
    with translation.override(settings.LANGUAGE_CODE):
        assert figures.sample_warning() not in [p.text for p in document.paragraphs]


@pytest.mark.skipif(
    not hasattr(PlanChapter, "calls_for_works"),
    reason="chapters do not yet say whether they call for works",
)
def test_a_chapter_that_calls_for_no_works_is_no_gap(plan, client, viewer):
    make_chapter(plan["plan"], "1", title="“十三五”时期发展成就", calls_for_works=False)
    found = build(plan["plan"])
    with translation.override("en"):
        rows = {
            cells(row)[0]: cells(row)[1:]
            for row in table(found, "Chapters and what served them").rows
        }
        assert rows["1 “十三五”时期发展成就"] == ["0", "0", "calls for no works", "–"]
        section = next(s for s in found.sections if str(s.title) == "Chapters and what served them")
        assert section.paragraphs[0].startswith("2 of the 3 chapters")  # not counted
        assert section.paragraphs[1] == "No project served: 4 城市更新."
    client.force_login(viewer)
    context = client.get(reverse("projects:plan", args=[14])).context
    assert [c.code for c in context["unserved"]] == ["4"]
