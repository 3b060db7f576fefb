"""Carry-over (结转): an unfinished project of an ended plan carried into a later one, from
its page or ticked in the portfolio, with the chapters it serves there, the day and the
reason; the mark on the project page, in the portfolio and its export, on the plan pages;
the rules (the model's) refused on every path with nothing saved; and the history: the
carry-over and every chapter or indicator link added or removed, with who and when, whether
by a carry-over, in the admin's inline rows or by an import."""

import csv
import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from indicators.models import ProjectIndicator
from projects import assessment
from projects.history import project_history
from projects.models import Carryover, ProjectChapter
from projects.resources import ProjectResource, import_file
from projects.services import carry_over, carry_over_many

from ..conftest import (
    TODAY,
    make_chapter,
    make_indicator,
    make_plan,
    make_project,
)
from .test_admin import admin_url, project_form
from .test_spreadsheets import xlsx_file

pytestmark = pytest.mark.django_db
D = datetime.date
PORTFOLIO = reverse("projects:portfolio")
BULK = reverse("projects:carry_over_many")


@pytest.fixture
def english(client):
    """Pages in English (the msgids), whatever the catalogue says in Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world(frozen_today, department_a):
    """On 2026-06-15: the 14th plan has ended, the 15th is in force, the 16th to come.
    A tunnel under construction and a hall in preliminary works serve the 14th plan's
    chapter 4; a road completed and a park cancelled served it too; a school serves only
    the 15th plan."""
    plan14 = make_plan(number=14, short_name="十四五", start_year=2021, end_year=2025)
    plan15 = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    plan16 = make_plan(number=16, short_name="十六五", start_year=2031, end_year=2035)
    four = make_chapter(plan14, "4", title="交通枢纽")
    two = make_chapter(plan15, "2", title="现代交通")
    section = make_chapter(plan15, "2.1", title="轨道交通", parent=two)
    later = make_chapter(plan16, "1", title="远景")
    projects = {}
    for code, stage in [
        ("LW-TRA-001", "construction"),
        ("LW-CUL-001", "preliminary"),
        ("LW-TRA-002", "completed"),
        ("LW-ECO-001", "cancelled"),
    ]:
        projects[code] = make_project(code=code, stage=stage, lead_department=department_a)
        projects[code].chapters.add(four)
    school = make_project(code="LW-EDU-001", stage="construction", lead_department=department_a)
    school.chapters.add(two)
    return {
        "plan14": plan14,
        "plan15": plan15,
        "plan16": plan16,
        "four": four,
        "two": two,
        "section": section,
        "later": later,
        "tunnel": projects["LW-TRA-001"],
        "hall": projects["LW-CUL-001"],
        "road": projects["LW-TRA-002"],
        "park": projects["LW-ECO-001"],
        "school": school,
    }


def saved():
    """Everything a carry-over writes, to show that a refusal wrote none of it."""
    return (
        sorted(Carryover.objects.values_list("project", "to_plan")),
        Carryover.history.count(),
        sorted(ProjectChapter.objects.values_list("project", "chapter")),
        ProjectChapter.history.count(),
    )


def carry(world, project, chapters=None, **fields):
    return carry_over(
        project=project,
        to_plan=fields.pop("to_plan", world["plan15"]),
        chapters=[world["two"]] if chapters is None else chapters,
        reason=fields.pop("reason", "跨规划期续建"),
        by=fields.pop("by", None),
        **fields,
    )


def refusal(callable_):
    """The messages of the ValidationError the call raises, by field, in English (the
    msgids), whatever the catalogue says in Chinese."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        callable_()
    with translation.override("en"):
        return caught.value.message_dict


# --- the rules, each refused, nothing saved ------------------------------------------------


class TestRules:
    def test_an_unfinished_project_is_carried_over_keeping_its_earlier_links(self, world, manager):
        carryover = carry(world, world["tunnel"], [world["two"], world["section"]], by=manager)
        assert (carryover.from_plan, carryover.to_plan) == (world["plan14"], world["plan15"])
        assert (carryover.carried_on, carryover.carried_by) == (TODAY, manager)
        assert carryover.reason == "跨规划期续建"
        keys = sorted(c.key for c in world["tunnel"].chapters.all())
        assert keys == ["14-4", "15-2", "15-2.1"]  # the 14th plan's link stays

    def test_a_link_it_already_has_in_the_new_plan_stays_as_it_is(self, world):
        world["tunnel"].chapters.add(world["two"])  # typed in the admin before
        link = ProjectChapter.objects.get(project=world["tunnel"], chapter=world["two"])
        carry(world, world["tunnel"], [world["two"], world["section"]])
        assert ProjectChapter.objects.filter(project=world["tunnel"]).count() == 3
        assert ProjectChapter.objects.filter(pk=link.pk).exists()

    def test_a_suspended_project_is_unfinished_too(self, world):
        world["hall"].stage = "suspended"
        world["hall"].save()
        assert carry(world, world["hall"]).project == world["hall"]

    @pytest.mark.parametrize("name", ["road", "park"])
    def test_a_completed_or_cancelled_project_is_refused(self, world, name, english):
        before = saved()
        errors = refusal(lambda: carry(world, world[name]))
        assert "Only an unfinished project is carried over" in errors["project"][0]
        assert saved() == before

    def test_a_plan_still_running_is_refused(self, world):
        before = saved()
        errors = refusal(
            lambda: carry(world, world["school"], [world["later"]], to_plan=world["plan16"])
        )
        assert "runs until the end of 2030" in errors["from_plan"][0]
        assert saved() == before

    def test_a_plan_in_its_last_year_is_ending_and_may_be_carried_from(self, world):
        carryover = carry(world, world["tunnel"], on=D(2025, 11, 20))
        assert carryover.carried_on == D(2025, 11, 20)
        errors = refusal(lambda: carry(world, world["hall"], on=D(2024, 11, 20)))
        assert "runs until the end of 2025" in errors["from_plan"][0]

    def test_a_project_serving_no_earlier_plan_has_nothing_to_carry(self, world):
        before = saved()
        errors = refusal(lambda: carry(world, world["school"]))  # it serves only the 15th
        assert "serves no chapter of an earlier plan" in errors["from_plan"][0]
        assert saved() == before

    def test_only_into_a_later_plan(self, world):
        # The model's rule, for a path that names the plans (the admin, a script).
        carryover = Carryover(
            project=world["tunnel"],
            from_plan=world["plan15"],
            to_plan=world["plan14"],
            reason="误操作",
        )
        errors = refusal(carryover.full_clean)
        assert "carried over into a later plan" in errors["to_plan"][0]
        same = Carryover(
            project=world["tunnel"], from_plan=world["plan14"], to_plan=world["plan14"], reason="x"
        )
        assert "to_plan" in refusal(same.full_clean)

    def test_the_project_must_serve_the_plan_it_comes_from(self, world):
        carryover = Carryover(
            project=world["school"],
            from_plan=world["plan14"],
            to_plan=world["plan15"],
            reason="续建",
        )
        assert "serves no chapter of 十四五" in refusal(carryover.full_clean)["from_plan"][0]

    def test_a_chapter_of_another_plan_is_refused(self, world):
        before = saved()
        errors = refusal(lambda: carry(world, world["tunnel"], [world["two"], world["four"]]))
        assert errors["chapters"] == ["Not a chapter of 十五五: 14-4 交通枢纽."]
        assert saved() == before

    def test_no_chapter_is_refused(self, world):
        before = saved()
        errors = refusal(lambda: carry(world, world["tunnel"], []))
        assert errors["chapters"] == ["Choose the chapters of 十五五 the project serves."]
        assert saved() == before

    @pytest.mark.parametrize("reason", ["", "   ", "续\x0b建"])
    def test_a_reason_is_required_and_clean(self, world, reason):
        before = saved()
        errors = refusal(lambda: carry(world, world["tunnel"], reason=reason))
        assert list(errors) == ["reason"]
        assert saved() == before

    def test_once_into_a_plan(self, world):
        carry(world, world["tunnel"])
        before = saved()
        errors = refusal(lambda: carry(world, world["tunnel"], [world["section"]]))
        assert errors["__all__"] == ["This project is already carried over into this plan."]
        assert saved() == before

    def test_the_database_holds_the_rules_it_can(self, world):
        fields = {"project": world["tunnel"], "from_plan": world["plan14"]}
        for extra in (
            {"to_plan": world["plan14"], "reason": "x"},  # into another plan
            {"to_plan": world["plan15"], "reason": ""},  # a reason
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                Carryover.objects.create(**fields, **extra)
        Carryover.objects.create(**fields, to_plan=world["plan15"], reason="x")
        with pytest.raises(IntegrityError), transaction.atomic():  # once into a plan
            Carryover.objects.create(**fields, to_plan=world["plan15"], reason="y")


# --- the history ------------------------------------------------------------------------------


def entries(project, what):
    """The project's history entries about `what`, in English (the msgids), their actions
    as text."""
    with translation.override("en"):
        found = [e for e in project_history(project) if e.what.startswith(what)]
        for entry in found:
            entry.action = str(entry.action)
    return found


class TestHistory:
    def test_the_carry_over_and_its_links_are_in_the_projects_history(self, world, manager):
        carry(world, world["tunnel"], [world["two"], world["section"]], by=manager)
        (made,) = entries(world["tunnel"], "carry-over")
        assert made.what == "carry-over: 十四五 → 十五五"
        assert (str(made.action), made.who, made.reason) == (
            "carried over",
            manager,
            "跨规划期续建",
        )
        linked = entries(world["tunnel"], "chapter served")
        assert sorted(e.what for e in linked) == [
            "chapter served: 15-2 现代交通",
            "chapter served: 15-2.1 轨道交通",
        ]
        assert {(str(e.action), e.who) for e in linked} == {("linked", manager)}

    def test_chapter_links_added_and_removed_in_the_admin(self, world, administrator, client):
        project = world["tunnel"]
        link = ProjectChapter.objects.get(project=project)
        client.force_login(administrator)
        rows = {
            "chapter_links-TOTAL_FORMS": 2,
            "chapter_links-INITIAL_FORMS": 1,
            "chapter_links-0-id": link.pk,
            "chapter_links-0-project": project.pk,
            "chapter_links-0-chapter": world["four"].pk,
            "chapter_links-0-DELETE": "on",
            "chapter_links-1-project": project.pk,
            "chapter_links-1-chapter": world["two"].pk,
        }
        url = admin_url(type(project), "change", project.pk)
        response = client.post(url, project_form(client, project, **rows))
        assert response.status_code == 302, response.context["adminform"].form.errors
        found = {(e.what, str(e.action), e.who) for e in entries(project, "chapter served")}
        assert found == {
            ("chapter served: 14-4 交通枢纽", "unlinked", administrator),
            ("chapter served: 15-2 现代交通", "linked", administrator),
        }

    def test_indicator_links_added_and_removed_in_the_admin(self, world, administrator, client):
        project = world["tunnel"]
        gdp = make_indicator(plan=world["plan14"], code="GDP", name="地区生产总值")
        jobs = make_indicator(plan=world["plan14"], code="JOBS", name="新增就业")
        project.indicators.add(gdp)
        link = ProjectIndicator.objects.get()
        client.force_login(administrator)
        rows = {
            "indicator_links-TOTAL_FORMS": 2,
            "indicator_links-INITIAL_FORMS": 1,
            "indicator_links-0-id": link.pk,
            "indicator_links-0-project": project.pk,
            "indicator_links-0-indicator": gdp.pk,
            "indicator_links-0-DELETE": "on",
            "indicator_links-1-project": project.pk,
            "indicator_links-1-indicator": jobs.pk,
        }
        url = admin_url(type(project), "change", project.pk)
        response = client.post(url, project_form(client, project, **rows))
        assert response.status_code == 302, response.context["adminform"].form.errors
        found = {(e.what, str(e.action), e.who) for e in entries(project, "indicator served")}
        assert found == {
            ("indicator served: GDP 地区生产总值", "unlinked", administrator),
            ("indicator served: JOBS 新增就业", "linked", administrator),
        }
        # And on the project's page, in its change history.
        page = client.get(project.get_absolute_url()).content.decode()
        history = html.fromstring(page).xpath('//section[@id="history"]')[0].text_content()
        assert "JOBS 新增就业" in history and "GDP 地区生产总值" in history

    def test_a_link_of_a_deleted_chapter_still_reads(self, world, manager):
        carry(world, world["tunnel"], [world["two"], world["section"]], by=manager)
        gone = world["section"].pk
        world["section"].delete()  # its link goes with it, and the history says so
        found = sorted(
            (str(e.action), e.what)
            for e in entries(world["tunnel"], "chapter served")
            if "现代交通" not in e.what
        )
        assert found == [
            ("linked", f"chapter served: #{gone}"),
            ("unlinked", f"chapter served: #{gone}"),
        ]

    def test_an_import_replacing_links_is_in_the_history(self, world, administrator):
        headers = ["code", "name", "category", "lead_department", "chapters"]
        values = [
            "LW-TRA-001",
            "东沙隧道",
            "transport",
            world["tunnel"].lead_department.slug,
            "15-2",
        ]
        outcome = import_file(
            ProjectResource(), xlsx_file([headers, values]), "xlsx", user=administrator
        )
        assert outcome.ok, outcome.errors
        found = {
            (e.what, str(e.action), e.who, e.reason)
            for e in entries(world["tunnel"], "chapter served")
        }
        assert found == {
            ("chapter served: 14-4 交通枢纽", "unlinked", administrator, "spreadsheet import"),
            ("chapter served: 15-2 现代交通", "linked", administrator, "spreadsheet import"),
        }


# --- one project, from its page ---------------------------------------------------------------


def page(response):
    return html.fromstring(response.content.decode())


class TestOnePage:
    def url(self, project):
        return reverse("projects:carry_over", args=[project.code])

    def test_the_form_offers_the_plan_in_force_and_its_chapters(self, world, manager, client):
        world["tunnel"].chapters.add(world["two"])
        client.force_login(manager)
        found = page(client.get(self.url(world["tunnel"])))
        boxes = {
            b.get("value"): b.get("checked") is not None
            for b in found.xpath('//input[@name="chapters"]')
        }
        assert boxes == {str(world["two"].pk): True, str(world["section"].pk): False}
        assert found.xpath('//input[@name="to_plan"]')[0].get("value") == "15"
        # Another plan to come is offered by its link.
        later = page(client.get(self.url(world["tunnel"]), {"plan": 16}))
        boxes = [b.get("value") for b in later.xpath('//input[@name="chapters"]')]
        assert boxes == [str(world["later"].pk)]

    def test_carried_over_it_shows_the_mark_with_day_and_reason(self, world, manager, english):
        english.force_login(manager)
        data = {"to_plan": 15, "chapters": [world["section"].pk], "reason": "地铁工程跨期续建"}
        response = english.post(self.url(world["tunnel"]), data)
        assert response.status_code == 302
        assert response["Location"] == world["tunnel"].get_absolute_url() + "#plan"
        shown = page(english.get(world["tunnel"].get_absolute_url()))
        (mark,) = shown.xpath('//section[@id="plan"]//p[@class="carryover"]')
        text = " ".join(mark.text_content().split())
        assert "carried over from 十四五 into 十五五 on 2026-06-15" in text
        assert "地铁工程跨期续建" in text and "manager-test" in text
        history = shown.xpath('//section[@id="history"]')[0].text_content()
        assert "carry-over: 十四五 → 十五五" in history and "15-2.1 轨道交通" in history

    def test_a_forged_chapter_of_another_plan_is_refused(self, world, manager, english):
        english.force_login(manager)
        before = saved()
        data = {"to_plan": 15, "chapters": [world["four"].pk], "reason": "续建"}
        response = english.post(self.url(world["tunnel"]), data)
        assert response.status_code == 400
        assert "Not a chapter of 十五五: 14-4 交通枢纽." in response.content.decode()
        assert saved() == before

    def test_a_completed_project_is_refused_and_not_offered(self, world, manager, english):
        english.force_login(manager)
        before = saved()
        data = {"to_plan": 15, "chapters": [world["two"].pk], "reason": "续建"}
        response = english.post(self.url(world["road"]), data)
        assert response.status_code == 400
        assert "Only an unfinished project is carried over" in response.content.decode()
        assert saved() == before
        project_page = english.get(world["road"].get_absolute_url()).content.decode()
        assert self.url(world["road"]) not in project_page
        assert (
            self.url(world["tunnel"])
            in english.get(world["tunnel"].get_absolute_url()).content.decode()
        )

    @pytest.mark.parametrize(
        "data",
        [
            {"to_plan": 99, "chapters": [], "reason": "x"},  # no such plan
            {"to_plan": "十五", "chapters": [], "reason": "x"},
            {"to_plan": 15, "chapters": ["abc"], "reason": "x"},
            {"to_plan": 15, "chapters": [999999], "reason": "x"},  # no such chapter
            {"to_plan": 15, "chapters": list(range(1, 52)), "reason": "x"},  # too many
        ],
    )
    def test_broken_input_is_refused_clearly(self, world, manager, client, data):
        client.force_login(manager)
        before = saved()
        response = client.post(self.url(world["tunnel"]), data)
        assert response.status_code == 400
        assert response.context["form"].errors
        assert saved() == before

    def test_a_department_editor_may_not(self, world, client, department_a):
        from projects.roles import Role

        from ..conftest import make_user

        client.force_login(make_user(Role.EDITOR, department=department_a))
        before = saved()
        data = {"to_plan": 15, "chapters": [world["two"].pk], "reason": "续建"}
        assert client.post(self.url(world["tunnel"]), data).status_code == 403
        assert client.get(self.url(world["tunnel"])).status_code == 403
        assert saved() == before


# --- many, ticked in the portfolio ------------------------------------------------------------


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


class TestBulk:
    def test_a_mix_carries_the_good_ones_and_lists_the_others(self, world, manager, english):
        carry(world, world["hall"])  # already carried over
        english.force_login(manager)
        ticked = [world[n].pk for n in ("tunnel", "road", "hall", "school", "park")]
        data = {
            "project": ticked,
            "to_plan": 15,
            "chapters": [world["two"].pk],
            "reason": "跨期续建",
            "next": PORTFOLIO + "?stage=construction",
        }
        response = english.post(BULK, data, follow=True)
        assert response.redirect_chain == [(PORTFOLIO + "?stage=construction", 302)]
        said = messages_of(response)
        assert said[0] == "1 project carried over into 十五五."
        refused = [m for m in said[1:]]
        assert len(refused) == 4
        assert refused[0].startswith(
            f"Not carried over: LW-TRA-002 {world['road'].name}: Only an unfinished project"
        )
        assert "already carried over into this plan" in refused[1]
        assert "serves no chapter of an earlier plan" in refused[2]
        assert "is cancelled" in refused[3]
        carried = Carryover.objects.filter(reason="跨期续建")
        assert [c.project for c in carried] == [world["tunnel"]]
        assert set(world["road"].chapters.all()) == {world["four"]}  # nothing for the refused

    def test_a_forged_chapter_refuses_the_lot(self, world, manager, english):
        english.force_login(manager)
        before = saved()
        data = {
            "project": [world["tunnel"].pk, world["hall"].pk],
            "to_plan": 15,
            "chapters": [world["four"].pk],
            "reason": "续建",
        }
        said = messages_of(english.post(BULK, data, follow=True))
        assert said == ["Nothing was carried over: Not a chapter of 十五五: 14-4 交通枢纽."]
        assert saved() == before

    def test_without_a_reason_nothing_is_saved(self, world, manager, english):
        english.force_login(manager)
        before = saved()
        data = {
            "project": [world["tunnel"].pk],
            "to_plan": 15,
            "chapters": [world["two"].pk],
            "reason": " ",
        }
        said = messages_of(english.post(BULK, data, follow=True))
        assert said == ["Nothing was carried over: Say why the project is carried over."]
        assert saved() == before

    @pytest.mark.parametrize(
        "ids, message",
        [
            (
                list(range(1, 102)),
                "At most 100 projects can be carried over at once; nothing was saved.",
            ),
            (["1", "x"], "The list of projects was changed outside the page"),
            ([], "Tick the projects to carry over first."),
        ],
    )
    def test_too_many_or_broken_ids_refuse_the_lot(self, world, manager, english, ids, message):
        english.force_login(manager)
        before = saved()
        data = {"project": ids, "to_plan": 15, "chapters": [world["two"].pk], "reason": "续建"}
        said = messages_of(english.post(BULK, data, follow=True))
        assert len(said) == 1 and message in said[0]
        assert saved() == before

    def test_an_unknown_id_is_skipped_and_said(self, world, manager, english):
        english.force_login(manager)
        data = {
            "project": [world["tunnel"].pk, 999999],
            "to_plan": 15,
            "chapters": [world["two"].pk],
            "reason": "续建",
        }
        said = messages_of(english.post(BULK, data, follow=True))
        assert said[0] == "1 of the ticked projects does not exist (any more); it was skipped."
        assert said[1] == "1 project carried over into 十五五."

    def test_it_goes_back_only_to_this_site(self, world, manager, client):
        client.force_login(manager)
        data = {
            "project": [world["tunnel"].pk],
            "to_plan": 15,
            "chapters": [world["two"].pk],
            "reason": "续建",
            "next": "https://evil.example/",
        }
        assert client.post(BULK, data)["Location"] == PORTFOLIO

    def test_the_service_checks_what_is_shared_once(self, world, manager):
        carried, refused = carry_over_many(
            projects=[world["tunnel"], world["road"]],
            to_plan=world["plan15"],
            chapters=[world["two"]],
            reason="续建",
            by=manager,
        )
        assert [c.project for c in carried] == [world["tunnel"]]
        assert [p for p, _reason in refused] == [world["road"]]


# --- the mark in the portfolio, its export and the plan pages ---------------------------------


class TestMarks:
    def test_the_portfolio_offers_the_boxes_and_form_to_those_who_may(
        self, world, manager, viewer, client
    ):
        client.force_login(manager)
        # The ended plan's projects, switched to (?plan=14), ticked to carry over.
        found = page(client.get(PORTFOLIO, {"plan": 14}))
        assert len(found.xpath('//input[@name="project"]')) == 4
        options = found.xpath('//form[@class="bulk-carry"]//select[@name="chapters"]//option')
        assert {o.get("value") for o in options} == {
            str(world[n].pk) for n in ("two", "section", "later")
        }
        client.force_login(viewer)
        found = page(client.get(PORTFOLIO, {"plan": 14}))
        assert not found.xpath('//input[@name="project"]')
        assert not found.xpath('//form[@class="bulk-carry"]')

    def test_the_portfolio_and_its_export_show_the_mark(self, world, manager, english):
        carry(world, world["tunnel"], reason="地铁工程跨期续建")
        english.force_login(manager)
        found = page(english.get(PORTFOLIO, {"plan": 14}))
        (row,) = [r for r in found.xpath("//table//tbody/tr") if "LW-TRA-001" in r.text_content()]
        text = " ".join(row.text_content().split())
        assert "carried over into 十五五 on 2026-06-15" in text and "地铁工程跨期续建" in text
        response = english.get(PORTFOLIO, {"plan": 14, "_export": "csv"})
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        header = rows[0]
        columns = [
            header.index(h)
            for h in ("carried over into", "carried over on", "reason for the carry-over")
        ]
        by_code = {r[header.index("code")]: [r[c] for c in columns] for r in rows[1:]}
        assert by_code["LW-TRA-001"] == ["十四五 → 十五五", "2026-06-15", "地铁工程跨期续建"]
        assert by_code["LW-CUL-001"] == ["", "", ""]

    def test_the_plan_pages_show_it(self, world, manager, english):
        carry(world, world["tunnel"], reason="地铁工程跨期续建")
        english.force_login(manager)
        for number in (14, 15):
            found = page(english.get(reverse("projects:plan", args=[number])))
            (item,) = [
                li
                for li in found.xpath('//section[@id="projects"]//li')
                if "LW-TRA-001" in li.text_content()
            ]
            text = " ".join(item.text_content().split())
            assert "carried over from 十四五 into 十五五 on 2026-06-15" in text
            assert "地铁工程跨期续建" in text
        with translation.override("en"):
            found = assessment.build(world["plan14"], TODAY)
            (section,) = [s for s in found.sections if s.title == "Projects by outcome"]
            (table,) = [
                t for t in section.tables if t.title == "Projects carried over into a later plan"
            ]
            (row,) = table.rows
            assert [str(c) for c in row] == [
                "LW-TRA-001",
                world["tunnel"].name,
                "under construction",
                "十五五",
                "2026-06-15",
                "地铁工程跨期续建",
                "15-2",
            ]


# --- query counts -----------------------------------------------------------------------------


def grow(world, n):
    """n more projects of the 14th plan, every other one carried over into the 15th."""
    for i in range(n):
        project = make_project(stage="construction")
        project.chapters.add(world["four"])
        if i % 2:
            carry(world, project)


def test_the_portfolio_runs_the_same_queries_however_many_are_carried_over(
    world, manager, client, query_budget
):
    # session, user, banner, the user's roles (the top bar's to-do count; here also whether
    # the boxes and the carry-over form show), the to-do counts; the plans (for the plan
    # switch, and the plans to carry into); departments and chapters for the filters; the
    # chapters of the plans to carry into; count, one page of rows with their carry-over
    # marks (in the same query)
    client.force_login(manager)
    grow(world, 5)
    with query_budget(11):
        assert client.get(PORTFOLIO, {"plan": 14}).status_code == 200
    grow(world, 45)
    with query_budget(11):
        assert client.get(PORTFOLIO, {"plan": 14}).status_code == 200


def test_the_carry_over_page_runs_a_fixed_number_of_queries(world, manager, client, query_budget):
    # session, user, banner, the roles, the to-do counts; the project; the plans; the
    # target plan's chapters, the links already there; the project's links, its
    # carry-overs, the plan it would come from
    client.force_login(manager)
    url = reverse("projects:carry_over", args=[world["tunnel"].code])
    with query_budget(12):
        client.get(url)
    carry(world, world["tunnel"])
    world["tunnel"].chapters.add(world["section"])
    with query_budget(12):
        client.get(url)


def test_the_project_page_runs_the_same_queries_however_long_its_link_history(
    world, manager, client, query_budget
):
    # as test_manager_pages pins it (20), less its files (it has no milestone, report or
    # approval to look for files of), its newest changes here of two kinds too, however
    # many: links to indicators and to chapters
    client.force_login(manager)
    url = world["tunnel"].get_absolute_url()
    start = timezone.now()
    carry(world, world["tunnel"], [world["two"], world["section"]])
    for moments in (range(1, 9), range(9, 20)):
        for n in moments:  # each a second after the one before
            with time_machine.travel(start + datetime.timedelta(seconds=n), tick=False):
                indicator = make_indicator(plan=world["plan15"], code=f"X-{n}")
                ProjectIndicator.objects.create(project=world["tunnel"], indicator=indicator)
                ProjectChapter.objects.filter(
                    project=world["tunnel"], chapter=world["section"]
                ).delete()
                ProjectChapter.objects.create(project=world["tunnel"], chapter=world["section"])
        with query_budget(19):
            client.get(url)
