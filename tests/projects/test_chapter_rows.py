"""The chapters page's rows and a chapter's rows of projects, written in Python
(projects/rows.py), are what the template loops they replaced wrote, byte for byte."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from projects import rows, scorecards
from projects.models import PlanChapter, Project
from projects.templatetags.portfolio import health

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

# templates/projects/chapter_list.html's loop, as it was.
CHAPTER_ROWS = """{% load i18n portfolio %}{% for c in chapters %}
      <tr class="depth-{{ c.depth }}{% if c.calls_for_works and not c.project_count %} unserved{% endif %}">
        <td class="card-title"><a href="{% url 'projects:chapter' c.key %}">{{ c.code }} {{ c.title }}</a>{% if not c.title_is_official %} <small class="muted">({% translate "derived title" %})</small>{% endif %}{% if not c.project_count %}{% if c.calls_for_works %} <span class="flag">{% translate "no project" %}</span>{% else %} <small class="muted">({% translate "calls for no works" %})</small>{% endif %}{% endif %}</td>
        <td data-label="{% translate "projects" %}">{{ c.project_count }}</td><td data-label="{% translate "overdue milestones" %}">{% if c.overdue_count %}<b class="overdue">{{ c.overdue_count }}</b>{% else %}0{% endif %}</td>
        <td data-label="{% translate "investment plan this year" %}" class="nowrap">{{ c.investment_planned|money }}</td><td data-label="{% translate "investment done this year" %}" class="nowrap">{{ c.investment_completed|money }}</td><td data-label="{% translate "indicators" %}">{{ c.indicator_count }}</td></tr>
    {% empty %}<tr><td colspan="6">–</td></tr>{% endfor %}"""  # noqa: E501

# templates/projects/chapter_detail.html's loop of projects, as it was.
PROJECT_ROWS = """{% load i18n portfolio %}{% for p in projects %}
      <tr><td data-label="{% translate "code" %}"><a href="{{ p.get_absolute_url }}">{{ p.code }}</a></td><td class="card-title">{{ p.display_name }}</td><td data-label="{% translate "lead department" %}">{{ p.lead_department|default:"–" }}</td><td data-label="{% translate "stage" %}">{{ p.get_stage_display }}</td>
        <td data-label="{% translate "reported health" %}">{{ p.latest_health|health }}</td><td data-label="{% translate "schedule health" %}">{{ p.schedule_health|health }}</td><td data-label="{% translate "overdue milestones" %}">{{ p.overdue_count }}</td></tr>
    {% empty %}<tr><td colspan="7">{% if chapter.calls_for_works %}<span class="flag">{% translate "No project serves this part of the plan." %}</span>{% else %}{% translate "No project: this part of the plan describes or sets goals and calls for no works." %}{% endif %}</td></tr>{% endfor %}"""  # noqa: E501


@pytest.fixture
def chapters(frozen_today):
    plan = make_plan()
    top = make_chapter(plan, "4", title="强化<大>建设 & 交通")
    make_chapter(plan, "4.1", title="交通枢纽", parent=top, title_is_official=False)
    make_chapter(plan, "4.2", title="描述", parent=top, calls_for_works=False)
    make_chapter(plan, "5", title="无项目")
    served = make_project(code="LW-TRA-001", name="东沙<隧道>", name_en="Dongsha & tunnel")
    served.chapters.add(top)
    make_milestone(served, TODAY - DAYS(40))
    make_milestone(served, TODAY - DAYS(3))
    make_report(served, datetime.date(2026, 5, 1), health="amber")
    served.investments.create(year=2026, planned=Decimal("12.5"), completed=Decimal("3"))
    quiet = make_project(code="LW-TRA-002", lead_department=None, stage="completed")
    quiet.chapters.add(PlanChapter.objects.get(code="4.1"))
    return plan


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_chapter_rows_are_written_as_the_template_wrote_them(chapters, language):
    found = scorecards.chapters_with_figures(PlanChapter.objects.filter(plan=chapters), TODAY)
    assert {c.code: c.project_count for c in found} == {"4": 2, "4.1": 1, "4.2": 0, "5": 0}
    found[0].project_count, found[0].indicator_count = 12_345, 1_000  # wide figures too
    with translation.override(language):
        for shown in (found, found[1:], []):
            expected = Template(CHAPTER_ROWS).render(Context({"chapters": shown}))
            assert rows.chapter_rows(shown) == expected
    written = rows.chapter_rows(found)
    assert "强化&lt;大&gt;建设 &amp; 交通" in written and 'href="/chapters/14-4.1/"' in written


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_chapters_project_rows_are_written_as_the_template_wrote_them(chapters, language):
    top = PlanChapter.objects.get(code="4")
    described = PlanChapter.objects.get(code="4.2")
    projects = list(Project.objects.for_portfolio(on=TODAY).order_by("code"))
    odd = make_project(code="LW-TRA-003", stage="nonsense")  # a stage of no choice
    odd.overdue_count, odd.latest_health, odd.schedule_health = 0, None, "red"
    projects.append(odd)
    with translation.override(language):
        for chapter in (top, described):
            for shown in (projects, []):
                context = Context({"projects": shown, "chapter": chapter})
                expected = Template(PROJECT_ROWS).render(context)
                assert rows.chapter_project_rows(shown, chapter, health) == expected
    written = rows.chapter_project_rows(projects, top, health)
    assert "东沙&lt;隧道&gt;" in written and 'href="/projects/LW-TRA-001/"' in written
