"""Timelines: a project's milestones on a time axis (its page) and the portfolio's next
twelve months (/timeline/), drawn as SVG by the app: every kind of date a shape of its
own, positions in date order, text that keeps its size on a phone, no script."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html

from projects import timeline as drawing
from projects import timeline_views

from ..conftest import (
    TODAY,
    make_chapter,
    make_department,
    make_milestone,
    make_plan,
    make_project,
)

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta


def svgs(response, css="timeline"):
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    return [el for el in page.iter("svg") if css in (el.get("class") or "").split()]


def markers(svg):
    """(kind, date, x in percent) of every marker and of the today line."""
    found = []
    for el in svg.iter():
        if el.get("data-kind"):
            x = el.get("x") or el.get("x1")
            found.append((el.get("data-kind"), el.get("data-date"), float(x.rstrip("%"))))
    return found


@pytest.fixture
def project(frozen_today, department_a):
    project = make_project(lead_department=department_a, stage="construction")
    rebaselined = make_milestone(
        project,
        TODAY + DAYS(days=20),
        title="主体结构封顶",
        forecast_date=TODAY + DAYS(days=60),
        forecast_reason="征拆滞后",
    )
    # A re-baseline: the original planned date stays, the plan moves later.
    rebaselined.planned_date = TODAY + DAYS(days=40)
    rebaselined.save()
    make_milestone(project, TODAY - DAYS(days=100), title="开工", actual_date=TODAY - DAYS(days=90))
    return project


class TestProjectTimeline:
    def test_every_kind_of_date_is_drawn_with_its_own_shape(self, client, viewer, project):
        client.force_login(viewer)
        (svg,) = svgs(client.get(project.get_absolute_url()))
        kinds = {kind for kind, _day, _x in markers(svg)}
        assert kinds == {"baseline", "plan", "forecast", "actual", "today"}
        hrefs = {el.get("href") for el in svg.iter("use")}
        assert hrefs == {"#tl-baseline", "#tl-plan", "#tl-forecast", "#tl-actual"}

    def test_positions_follow_the_dates(self, client, viewer, project):
        client.force_login(viewer)
        (svg,) = svgs(client.get(project.get_absolute_url()))
        found = sorted(markers(svg), key=lambda m: m[1])
        xs = [x for _kind, _day, x in found]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        assert all(0 <= x <= 100 for x in xs)
        today = next(m for m in found if m[0] == "today")
        assert today[1] == TODAY.isoformat()

    def test_it_is_accessible_and_sized_for_a_phone(self, client, viewer, project):
        client.force_login(viewer)
        response = client.get(project.get_absolute_url())
        (svg,) = svgs(response)
        assert svg.get("role") == "img"
        labelled = svg.get("aria-labelledby").split()
        title, desc = svg.find("title"), svg.find("desc")
        assert [title.get("id"), desc.get("id")] == labelled
        assert "主体结构封顶" in desc.text and (TODAY + DAYS(days=60)).isoformat() in desc.text
        # As wide as its box, no viewBox: the text keeps its size at 390 px.
        assert svg.get("width") == "100%" and svg.get("viewbox") is None
        assert svg.getparent().get("class") == "timeline-box"
        labels = [t.text for t in svg.iter("text") if t.get("class") == "tl-label"]
        assert labels == ["开工", "主体结构封顶"]
        page = response.content.decode()
        assert 'class="legend timeline-legend"' in page  # shapes with words, not colour alone
        assert "<script" not in page.split('id="timeline"')[1].split("</section>")[0]

    def test_no_milestone_no_chart(self, client, viewer, frozen_today):
        client.force_login(viewer)
        assert svgs(client.get(make_project().get_absolute_url())) == []


class TestDrawing:
    def test_a_long_title_is_cut_to_fit_a_phone(self):
        title = "竣工验收" * 8
        cut = drawing.fit(title)
        assert cut.endswith("…") and drawing.display_width(cut) <= drawing.LABEL_UNITS
        assert drawing.fit("Short title") == "Short title"

    @pytest.mark.parametrize("days", [20, 100, 400, 1500, 6000])
    def test_the_axis_has_few_round_ticks(self, days):
        start = datetime.date(2026, 1, 10)
        ticks, fmt = drawing.ticks(start, start + DAYS(days=days))
        assert 1 <= len(ticks) <= drawing.MAX_TICKS or days < 31
        assert all(t.day == 1 for t in ticks)

    def test_dates_outside_the_window_are_told_not_drawn(self, frozen_today, project):
        milestones = list(project.milestones.all())
        with translation.override("en"):
            tl = drawing.draw(
                milestones, start=TODAY, end=TODAY + DAYS(days=365), on=TODAY, title="t"
            )
        done = next(row for row in tl.rows if row.full_label == "开工")
        assert done.markers == [] and "actual" in done.description
        assert tl.clipped >= 2


# The template that wrote the SVG before projects/timeline.py svg() did: the pages must
# show exactly what it wrote.
TIMELINE_TEMPLATE = """{% load i18n %}{% comment %}One timeline (projects/timeline.py): tl = the Timeline, tl_id = an id unique on the page. Positions across are percentages of the chart's width, so the text keeps its size on a phone.{% endcomment %}
<div class="timeline-box">
<svg class="timeline" width="100%" height="{{ tl.height }}" role="img" aria-labelledby="{{ tl_id }}-title {{ tl_id }}-desc" data-start="{{ tl.start|date:'Y-m-d' }}" data-end="{{ tl.end|date:'Y-m-d' }}">
  <title id="{{ tl_id }}-title">{{ tl.title }}</title>
  <desc id="{{ tl_id }}-desc">{{ tl.description }}</desc>
  {% for x, label, anchor in tl.ticks %}<line class="tl-grid" x1="{{ x|stringformat:'.2f' }}%" x2="{{ x|stringformat:'.2f' }}%" y1="18" y2="{{ tl.height }}"/>
  <text class="tl-tick" x="{{ x|stringformat:'.2f' }}%" y="13" text-anchor="{{ anchor }}">{{ label }}</text>{% endfor %}
  {% for row in tl.rows %}<g class="tl-row{% if row.done %} tl-done{% endif %}" data-row="{{ forloop.counter0 }}">
    <title>{{ row.description }}</title>
    <text class="tl-label" x="0" y="{{ row.label_y }}">{{ row.label }}</text>
    <line class="tl-track" x1="0" x2="100%" y1="{{ row.track_y }}" y2="{{ row.track_y }}"/>
    {% if row.moved %}<line class="tl-moved" x1="{{ row.moved.0|stringformat:'.2f' }}%" x2="{{ row.moved.1|stringformat:'.2f' }}%" y1="{{ row.track_y }}" y2="{{ row.track_y }}"/>{% endif %}
    {% if row.slip %}<line class="tl-slip" x1="{{ row.slip.0|stringformat:'.2f' }}%" x2="{{ row.slip.1|stringformat:'.2f' }}%" y1="{{ row.track_y }}" y2="{{ row.track_y }}"/>{% endif %}
    {% for m in row.markers %}<use href="#tl-{{ m.kind }}" class="tl-marker tl-{{ m.kind }}" x="{{ m.x|stringformat:'.2f' }}%" y="{{ row.track_y }}" data-kind="{{ m.kind }}" data-date="{{ m.day|date:'Y-m-d' }}"/>{% endfor %}
  </g>{% endfor %}
  {% if tl.today_x is not None %}<line class="tl-today" x1="{{ tl.today_x|stringformat:'.2f' }}%" x2="{{ tl.today_x|stringformat:'.2f' }}%" y1="18" y2="{{ tl.height }}" data-kind="today" data-date="{{ tl.on|date:'Y-m-d' }}"/>
  <text class="tl-today-label" x="{{ tl.today_x|stringformat:'.2f' }}%" y="31" text-anchor="{{ tl.today_anchor }}">{% translate "today" %}</text>{% endif %}
</svg>
</div>
"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_svg_is_written_as_the_template_wrote_it(frozen_today, project, language):
    from django.template import Context, Template

    make_milestone(project, TODAY + DAYS(days=400), title="<b>竣工</b> & 验收" * 3)
    milestones = list(project.milestones.order_by("planned_date", "pk"))
    with translation.override(language):
        charts = [
            drawing.project_timeline(project, milestones, TODAY),
            # A window that leaves dates and today outside it.
            drawing.draw(
                milestones,
                start=TODAY + DAYS(days=10),
                end=TODAY + DAYS(days=700),
                on=TODAY,
                title="<i>t</i>",
            ),
            drawing.draw([], start=TODAY, end=TODAY + DAYS(days=30), on=TODAY, title="t"),
        ]
        for tl in charts:
            for tl_id in ("project-timeline", "chart-<1>"):
                context = Context({"tl": tl, "tl_id": tl_id})
                assert drawing.svg(tl, tl_id) == Template(TIMELINE_TEMPLATE).render(context)
    assert "&lt;b&gt;竣工" in drawing.svg(charts[0], "x")


# --- /timeline/ --------------------------------------------------------------------------


@pytest.fixture
def portfolio(frozen_today, department_a, department_b):
    plan = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    transport = make_chapter(plan, "4", title="交通")
    section = make_chapter(plan, "4.1", title="轨道", parent=transport)
    culture = make_chapter(plan, "6", title="文化")
    road = make_project(code="LW-TRA-001", lead_department=department_a)
    road.chapters.add(section)
    museum = make_project(code="LW-CUL-001", lead_department=department_b, category="culture")
    museum.chapters.add(culture, transport)
    make_milestone(road, TODAY + DAYS(days=30), title="道路通车")
    make_milestone(museum, TODAY + DAYS(days=200), title="展馆开放")
    make_milestone(museum, TODAY + DAYS(days=400), title="二期完工")  # beyond the window
    make_milestone(road, TODAY + DAYS(days=10), title="已完成", actual_date=TODAY)  # done
    # Overdue, but forecast within the window: shown.
    make_milestone(
        road,
        TODAY - DAYS(days=10),
        title="管线迁改",
        forecast_date=TODAY + DAYS(days=20),
        forecast_reason="协调中",
    )
    return {"road": road, "museum": museum, "plan": plan}


def groups(response):
    page = html.fromstring(response.content.decode())
    return {
        " ".join(section.find("h2").text_content().split()): [
            t.text for t in section.iter("text") if t.get("class") == "tl-label"
        ]
        for section in page.find_class("timeline-group")
    }


class TestPortfolioTimeline:
    URL = reverse("projects:timeline")

    def test_grouped_by_department(self, client, viewer, portfolio, department_a, department_b):
        client.force_login(viewer)
        found = groups(client.get(self.URL))
        assert found == {
            str(department_a): ["LW-TRA-001 管线迁改", "LW-TRA-001 道路通车"],
            str(department_b): ["LW-CUL-001 展馆开放"],
        }

    def test_grouped_by_chapter(self, client, viewer, portfolio):
        client.force_login(viewer)
        found = groups(client.get(self.URL, {"group": "chapter"}))
        assert found == {
            "十五五 4 交通": ["LW-TRA-001 管线迁改", "LW-TRA-001 道路通车", "LW-CUL-001 展馆开放"],
            "十五五 6 文化": ["LW-CUL-001 展馆开放"],
        }

    def test_the_portfolios_filters_apply(self, client, viewer, portfolio, department_b):
        client.force_login(viewer)
        assert list(groups(client.get(self.URL, {"lead_department": department_b.pk}))) == [
            str(department_b)
        ]
        found = groups(client.get(self.URL, {"category": "transport"}))
        assert [label for rows in found.values() for label in rows] == [
            "LW-TRA-001 管线迁改",
            "LW-TRA-001 道路通车",
        ]
        assert groups(client.get(self.URL, {"q": "nothing-like-this"})) == {}

    def test_each_chart_is_accessible(self, client, viewer, portfolio):
        client.force_login(viewer)
        response = client.get(self.URL)
        charts = svgs(response)
        assert len(charts) == 2
        ids = [c.get("aria-labelledby") for c in charts]
        assert len(set(ids)) == 2
        for chart in charts:
            assert chart.find("title").text and chart.find("desc").text
            assert {k for k, _d, _x in markers(chart)} >= {"plan", "today"}
        assert "<script" not in response.content.decode().split("<main")[1]

    def test_a_cap_with_a_message(self, client, viewer, portfolio, monkeypatch):
        monkeypatch.setattr(timeline_views, "MAX_ROWS", 2)
        client.force_login(viewer)
        with translation.override("en"):
            response = client.get(self.URL, headers={"accept-language": "en"})
        page = html.fromstring(response.content.decode())
        assert page.find_class("timeline-capped")
        assert sum(len(rows) for rows in groups(response).values()) == 2

    def test_in_the_top_bar(self, client, viewer, portfolio):
        client.force_login(viewer)
        page = client.get(reverse("home")).content.decode()
        assert f'href="{self.URL}"' in page

    @pytest.mark.parametrize("group", ["department", "chapter"])
    @pytest.mark.parametrize("extra", [0, 30])
    def test_a_fixed_number_of_queries(self, client, viewer, portfolio, group, extra, query_budget):
        for n in range(extra):
            project = make_project(lead_department=make_department())
            project.chapters.add(portfolio["plan"].chapters.first())
            make_milestone(project, TODAY + DAYS(days=n + 1))
        client.force_login(viewer)
        # 1. session, 2. user, 3. the plans (plan switch), 4. count of the milestones,
        # 5. the nearest milestones with their projects and lead departments,
        # [chapter: 6. the projects' chapter links, 7. the top-level chapters' titles],
        # then 4 for the page: the user's roles, the to-do's counts (none for a viewer:
        # no query), any sample data (the banner), departments and chapters (filters).
        expected = 9 + (2 if group == "chapter" else 0)
        with query_budget(expected):
            response = client.get(self.URL, {"group": group})
        assert response.status_code == 200
