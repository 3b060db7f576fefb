"""The list pages: a select left alone says 全部 ("all"), the filters in use show as chips
that remove themselves, the sorted column says which way it sorts, and the departments
come grouped by kind, sortable by each figure, those with nothing to show folded away."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html

from projects.models import Department

from ..conftest import (
    TODAY,
    make_chapter,
    make_department,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta

LIST_PAGES = [
    reverse("projects:portfolio"),
    reverse("projects:overdue"),
    reverse("projects:upcoming"),
    reverse("projects:review_queue"),
    reverse("indicators:list"),
    reverse("supervision:list"),
    reverse("supervision:problems"),
]


def zh(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


def chip(label, value):
    """A chip's text: the filter's label and value as the page says them."""
    with translation.override("zh-hans"):
        label = translation.gettext(label)
        return translation.gettext("%(label)s: %(value)s") % {"label": label, "value": value}


def tree(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text_of(element):
    return " ".join(element.text_content().split())


def chips(page):
    """{chip text without the ×: its link} of the filters in use."""
    return {
        text_of(a).split(" ×")[0]: a.get("href")
        for a in page.xpath('//ul[contains(@class, "active-filters")]/li/a')
    }


def query(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.fixture
def world(frozen_today, department_a, department_b):
    plan = make_plan()
    roads = make_chapter(plan, "4", title="交通枢纽")
    tunnel = make_project(
        code="LW-TRA-001", name="东沙隧道", lead_department=department_a, stage="construction"
    )
    tunnel.chapters.add(roads)
    museum = make_project(
        code="LW-CUL-001", name="三馆合一", lead_department=department_b, stage="preliminary"
    )
    make_milestone(tunnel, TODAY - DAYS(5), title="管线迁改", responsible_department=department_a)
    make_milestone(tunnel, TODAY - DAYS(90), title="征地拆迁", responsible_department=department_a)
    make_milestone(museum, TODAY - DAYS(40), title="布展设计", responsible_department=department_b)
    make_milestone(museum, TODAY + DAYS(10), title="开馆", responsible_department=department_b)
    return {"roads": roads, "tunnel": tunnel, "museum": museum}


class TestEmptyChoice:
    @pytest.mark.parametrize("url", LIST_PAGES)
    def test_every_filter_select_says_all(self, client, manager, world, url):
        client.force_login(manager)
        page = tree(client.get(url))
        selects = page.xpath('//form[contains(@class, "filters")]//select')
        blanks = [s.xpath("./option[1]")[0] for s in selects if s.xpath('./option[@value=""]')]
        assert blanks, "a list page with filter selects"
        # The first option of every select that may be left alone reads 全部 (in Chinese).
        assert {text_of(option) for option in blanks} == {zh("all")}
        assert "---------" not in html.tostring(page, encoding="unicode")


class TestActiveFilterChips:
    URL = reverse("projects:portfolio")

    def test_each_filter_in_use_is_a_chip_that_drops_only_itself(
        self, client, manager, world, department_a
    ):
        client.force_login(manager)
        params = {
            "q": "隧道",
            "lead_department": department_a.pk,
            "stage": "construction",
            "category": "",  # left at 全部: no chip
            "sort": "-overdue_count",
            "page": "1",
        }
        page = tree(client.get(self.URL, params))
        found = chips(page)
        expected = {
            chip("search", "隧道"): {"q"},
            chip("lead department", "部门甲"): {"lead_department"},
            chip("stage", zh("under construction")): {"stage"},
        }
        assert set(found) == set(expected)
        for text, dropped in expected.items():
            left = query(found[text])
            # The rest stays, the sorting too; the page number goes, as the rows change.
            assert set(left) == {"q", "lead_department", "stage", "category", "sort"} - dropped
            assert left["sort"] == ["-overdue_count"]
        # Following a chip's link drops that filter and leaves the others on.
        rows = client.get(self.URL + found[chip("search", "隧道")]).context["table"].rows
        assert [row.record.code for row in rows] == ["LW-TRA-001"]

    def test_the_last_chip_leads_back_to_the_bare_list(self, client, manager, world):
        client.force_login(manager)
        page = tree(client.get(self.URL, {"stage": "preliminary"}))
        assert list(chips(page).values()) == [self.URL]

    def test_no_filter_no_chips(self, client, manager, world):
        client.force_login(manager)
        page = tree(client.get(self.URL, {"sort": "name", "q": " "}))
        assert page.xpath('//ul[contains(@class, "active-filters")]') == []

    def test_a_value_not_understood_shows_as_typed_and_can_be_dropped(self, client, manager, world):
        client.force_login(manager)
        page = tree(client.get(self.URL, {"chapter": "99999", "stage": "construction"}))
        (odd,) = page.xpath('//ul[contains(@class, "active-filters")]/li[@class="not-understood"]')
        assert "99999" in text_of(odd)
        assert query(odd.xpath("./a")[0].get("href")) == {"stage": ["construction"]}

    def test_a_chapter_chip_names_the_chapter(self, client, manager, world):
        client.force_login(manager)
        page = tree(client.get(self.URL, {"chapter": world["roads"].pk}))
        assert chip("chapter", "十四五 4 交通枢纽") in chips(page)

    def test_the_boards_own_settings_are_chips_only_off_their_default(self, client, manager, world):
        client.force_login(manager)
        overdue = reverse("projects:overdue")
        # What the filter form sends as it stands: nothing chosen, the current baseline.
        sent = {"responsible_department": "", "band": "", "baseline": "current"}
        assert chips(tree(client.get(overdue, sent))) == {}
        found = chips(tree(client.get(overdue, sent | {"baseline": "original"})))
        assert list(found) == [chip("overdue against", zh("the original planned date"))]
        upcoming = reverse("projects:upcoming")
        assert chips(tree(client.get(upcoming, {"days": "30"}))) == {}
        found = chips(tree(client.get(upcoming, {"days": "60", "category": "culture"})))
        assert query(found[chip("due in the next (days)", "60")]) == {"category": ["culture"]}

    @pytest.mark.parametrize("url", LIST_PAGES)
    def test_chips_on_every_list_page(self, client, manager, world, department_a, url):
        client.force_login(manager)
        page = tree(client.get(url))
        (select,) = page.xpath('//form[contains(@class, "filters")]//select')[:1]
        name = select.get("name")
        value = next(o.get("value") for o in select.xpath("./option") if o.get("value"))
        found = chips(tree(client.get(url, {name: value})))
        assert len(found) == 1
        assert list(found.values()) == [url]

    def test_chips_cost_no_query(self, client, manager, world, department_a, query_budget):
        # The portfolio's budget (test_manager_pages: 10) and the department the filter
        # looks up when it reads the address; the chip names it from there.
        client.force_login(manager)
        with query_budget(11):
            client.get(self.URL, {"lead_department": department_a.pk})


class TestSortDirection:
    def sorted_headers(self, page):
        return [
            (th.get("aria-sort"), text_of(th))
            for th in page.xpath("//table//thead//th[@aria-sort]")
        ]

    def test_the_sorted_column_shows_its_direction_in_words_too(self, client, manager, world):
        client.force_login(manager)
        url = reverse("projects:portfolio")
        ((direction, header),) = self.sorted_headers(tree(client.get(url)))
        assert direction == "ascending"  # by code, the default
        assert header.startswith(zh("code")) and "▲" in header
        assert zh("(sorted ascending)") in header
        ((direction, header),) = self.sorted_headers(
            tree(client.get(url, {"sort": "-overdue_count"}))
        )
        assert direction == "descending"
        assert header.startswith(zh("overdue milestones")) and "▼" in header
        assert zh("(sorted descending)") in header

    def test_the_overdue_board_sorts_most_overdue_first_and_says_so(self, client, manager, world):
        client.force_login(manager)
        response = client.get(reverse("projects:overdue"))
        titles = [row.record.title for row in response.context["table"].rows]
        assert titles == ["征地拆迁", "布展设计", "管线迁改"]  # 90, 40, 5 days overdue
        page = tree(response)
        ((direction, header),) = self.sorted_headers(page)
        assert (direction, header.split("▼")[0].strip()) == ("descending", zh("days overdue"))
        # Sorting by the original plan's days overdue also starts with the most overdue.
        original = zh("days overdue against the original plan")
        (link,) = page.xpath(f'//thead//th/a[starts-with(normalize-space(.), "{original}")]')
        assert query(link.get("href"))["sort"] == ["-days_overdue_original"]
        response = client.get(reverse("projects:overdue") + link.get("href"))
        assert [row.record.title for row in response.context["table"].rows] == titles

    @pytest.mark.parametrize(
        "url, params, direction",
        [
            (reverse("projects:upcoming"), {}, "ascending"),  # soonest first
            (reverse("projects:review_queue"), {}, "ascending"),  # oldest month first
            (reverse("supervision:list"), {}, "descending"),  # newest first
            (reverse("supervision:problems"), {}, "descending"),
            # In the plan's order until a column is chosen.
            (reverse("indicators:list"), {"sort": "-code"}, "descending"),
        ],
    )
    def test_every_list_says_it(self, client, manager, world, url, params, direction):
        client.force_login(manager)
        ((found, _header),) = self.sorted_headers(tree(client.get(url, params)))
        assert found == direction


class TestDepartments:
    URL = reverse("projects:departments")

    @pytest.fixture
    def departments(self, world, department_a, department_b):
        city = make_department(name="市规划局荔湾分局", slug="city", kind=Department.Kind.CITY)
        street = make_department(name="沙面街道", slug="shamian", kind=Department.Kind.STREET)
        make_department(name="华林街道", slug="hualin", kind=Department.Kind.STREET)  # nothing
        make_department(name="区档案馆", slug="archives")  # a bureau with nothing
        make_milestone(world["tunnel"], TODAY - DAYS(3), responsible_department=street)
        make_project(code="LW-URB-001", lead_department=city)
        make_report(world["tunnel"], datetime.date(2026, 5, 1))
        return {"a": department_a, "b": department_b, "city": city, "street": street}

    def tables(self, page):
        """{section id: [department names in its table, in order]}"""
        return {
            section.get("id"): [text_of(a) for a in section.xpath(".//table//tbody/tr/td[1]/a")]
            for section in page.xpath('//main/section[starts-with(@id, "kind-")]')
        }

    def folded(self, page):
        return {
            section.get("id"): [text_of(a) for a in section.xpath(".//details//a")]
            for section in page.xpath('//main/section[starts-with(@id, "kind-")]')
        }

    def test_grouped_by_kind_with_the_idle_ones_folded(self, client, manager, departments):
        client.force_login(manager)
        page = tree(client.get(self.URL))
        # Bureaus, street offices, (no groups here), city bodies; most overdue first.
        assert self.tables(page) == {
            "kind-bureau": ["部门甲", "部门乙"],
            "kind-street": ["沙面街道"],  # no project, but a milestone to answer for
            "kind-city": ["市规划局荔湾分局"],
        }
        assert self.folded(page) == {
            "kind-bureau": ["区档案馆"],
            "kind-street": ["华林街道"],
            "kind-city": [],
        }
        for details in page.xpath("//main/section//details"):
            assert details.get("open") is None
        (header,) = page.xpath('//section[@id="kind-bureau"]//thead//th[@aria-sort]')
        assert header.get("aria-sort") == "descending"
        assert text_of(header).startswith(zh("overdue milestones"))

    @pytest.mark.parametrize(
        "sort, bureaus",
        [
            ("name", ["部门乙", "部门甲"]),  # by code point: 乙 (U+4E59) before 甲 (U+7532)
            ("-name", ["部门甲", "部门乙"]),
            ("overdue", ["部门乙", "部门甲"]),  # 1, then 2
            ("-overdue", ["部门甲", "部门乙"]),
            ("-projects", ["部门乙", "部门甲"]),  # 1 each: by name
            ("on_time", ["部门乙", "部门甲"]),  # 0 % each: by name
            ("-last_report", ["部门甲", "部门乙"]),  # only 部门甲 has a report; none last
            ("last_report", ["部门甲", "部门乙"]),  # none last either way
            ("-missing", ["部门乙", "部门甲"]),
            ("-rebaselined", ["部门乙", "部门甲"]),
            ("nonsense", ["部门甲", "部门乙"]),  # the default, most overdue first
            ("--overdue", ["部门甲", "部门乙"]),
        ],
    )
    def test_sorted_by_each_figure(self, client, manager, departments, sort, bureaus):
        client.force_login(manager)
        assert self.tables(tree(client.get(self.URL, {"sort": sort})))["kind-bureau"] == bureaus

    def test_each_heading_sorts_by_its_figure_and_the_sorted_one_turns_around(
        self, client, manager, departments
    ):
        client.force_login(manager)
        page = tree(client.get(self.URL, {"sort": "name"}))
        links = {
            text_of(a).split("▲")[0].split("▼")[0].strip(): query(a.get("href"))["sort"][0]
            for a in page.xpath('//section[@id="kind-bureau"]//thead//th/a')
        }
        assert links == {
            zh("department"): "-name",  # sorted up now: the link turns it down
            zh("projects led"): "-projects",  # the most first
            zh("overdue milestones"): "-overdue",
            zh("on-time rate"): "on_time",  # the lowest first
            zh("re-baselined milestones"): "-rebaselined",
            zh("days since the last report"): "-last_report",
            zh("projects missing the report due"): "-missing",
        }


@pytest.mark.parametrize(
    "url, due, sort, ascending",
    [
        ("projects:overdue", datetime.date(2026, 5, 1), "", True),
        ("projects:overdue", datetime.date(2026, 5, 1), "days_overdue", False),
        ("projects:overdue", datetime.date(2026, 5, 1), "-days_overdue", True),
        ("projects:upcoming", datetime.date(2026, 6, 20), "", True),
        ("projects:upcoming", datetime.date(2026, 6, 20), "-days_left", False),
    ],
)
def test_milestones_due_the_same_day_keep_one_order_on_pages_and_exports(
    client, manager, frozen_today, url, due, sort, ascending
):
    milestones = [make_milestone(make_project(), due, title=f"同日节点{n}") for n in range(6)]
    expected = sorted((m.pk for m in milestones), reverse=not ascending)
    client.force_login(manager)
    query = {"sort": sort} if sort else {}
    page = client.get(reverse(url), query)
    assert [row.record.pk for row in page.context["table"].page.object_list] == expected
    export = client.get(reverse(url), query | {"_export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[1:]
    titles = [line.split(",")[1] for line in lines]
    assert titles == [
        f"同日节点{m.title[-1]}" for m in sorted(milestones, key=lambda m: expected.index(m.pk))
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_department_and_chapter_options_read_as_rows_say_what_the_objects_say(language):
    """The filters' department and chapter options are read as rows, without making an
    object of each (projects.filters.ListedChoiceIterator): the same values and labels, in
    the same order, as the objects' own labels, in either language."""
    from projects.filters import OverdueFilter, PortfolioFilter
    from projects.models import PlanChapter

    plan = make_plan(number=14)
    later = make_plan(number=15, name="后一规划", short_name="十五五", start_year=2026, end_year=2030)
    make_chapter(plan=later, code="1", title="后一规划的篇", order=1)
    make_chapter(plan=plan, code="2", title="第二篇", order=2)
    make_chapter(plan=plan, code="1", title="第一篇", order=1)
    make_department(name="甲局", short_name="", name_en="Bureau A")
    make_department(name="乙街道办事处", short_name="乙街", name_en="", kind="street")
    with translation.override(language):
        for filterset, fields in (
            (PortfolioFilter({}), ("lead_department", "chapter")),
            (OverdueFilter({}, today=TODAY), ("responsible_department", "chapter")),
        ):
            for name in fields:
                field = filterset.form.fields[name]
                shown = [(str(value), label) for value, label in field.choices]
                objects = [("", field.empty_label)] + [
                    (str(obj.pk), field.label_from_instance(obj)) for obj in field.queryset
                ]
                assert shown == objects
    # The chapters in their plan's order, then the part's; departments by kind, then name.
    chapters = [label for _v, label in PortfolioFilter({}).form.fields["chapter"].choices][1:]
    assert [c.split(" ", 1)[1] for c in chapters] == ["1 第一篇", "2 第二篇", "1 后一规划的篇"]
    assert PlanChapter.objects.count() == 3


@pytest.mark.parametrize("url", [reverse("projects:portfolio"), reverse("projects:overdue")])
def test_the_table_body_written_in_one_tag_is_the_template_loops(
    frozen_today, client, manager, url
):
    """The portfolio's and the overdue board's <tbody> is written by one tag (table_body)
    rather than django-tables2's loop with a tag a row: the same rows, and with none the
    table's empty text across all its columns, as the loop wrote them."""
    from django.template import Context, Template

    project = make_project(name="<b>项目</b>")
    make_milestone(project, TODAY - DAYS(40), title="<i>节点</i>")
    client.force_login(manager)
    loop = Template(
        "{% load portfolio %}<tbody >{% for row in table.paginated_rows %}"
        "{% if kind == 'portfolio' %}{% portfolio_row table row.record %}"
        "{% else %}{% milestone_row table row.record %}{% endif %}{% endfor %}\n</tbody>"
    )
    kind = "portfolio" if url == reverse("projects:portfolio") else "milestone"
    nothing = "?q=no-such-thing" if kind == "portfolio" else "?band=181-"
    for query in ("", nothing):
        response = client.get(url + query)
        table = response.context["table"]
        page = response.content.decode()
        body = page[page.index("<tbody") : page.index("</tbody>") + len("</tbody>")]
        if query:
            assert body == (
                f'<tbody >\n<tr><td colspan="{len(table.columns)}">{table.empty_text}</td></tr>'
                "\n</tbody>"
            )
            assert len(table.columns) > 5
        else:
            del table.row_parts  # made afresh by the loop, as by the tag
            assert body == loop.render(Context({"table": table, "kind": kind}))
            assert "&lt;b&gt;项目&lt;/b&gt;" in body


def test_a_filtered_choice_of_departments_still_reads_its_objects():
    """A department select over a narrowed queryset (not the whole table in its order)
    is read as objects, the same labels."""
    from projects.filters import DepartmentChoiceField

    kept = make_department(name="甲局", short_name="甲")
    make_department(name="乙局")
    field = DepartmentChoiceField(queryset=Department.objects.filter(pk=kept.pk))
    assert [(str(value), label) for value, label in field.choices] == [
        ("", field.empty_label),
        (str(kept.pk), "甲"),
    ]
