"""Umbrella entries and their parts (Project.part_of): a sum over projects counts a work
once, by Project.objects.countable()."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation

from projects import plandata
from projects.models import Project
from projects.resources import ProjectResource, import_file

from ..conftest import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def umbrella():
    whole = make_project(code="LW-IND-901", total_investment=100)
    make_project(code="LW-URB-901", total_investment=30, part_of=whole)
    make_project(code="LW-URB-902", total_investment=50, part_of=whole)
    make_project(code="LW-TRA-901", total_investment=7)
    return whole


def total(projects):
    return projects.countable().aggregate(n=Sum("total_investment"))["n"]


def test_a_part_is_not_counted_beside_its_umbrella(umbrella):
    assert total(Project.objects.all()) == 107
    assert sorted(Project.objects.countable().values_list("code", flat=True)) == [
        "LW-IND-901",
        "LW-TRA-901",
    ]


def test_a_part_counts_in_a_set_without_its_umbrella(umbrella):
    assert total(Project.objects.filter(code__startswith="LW-URB")) == 80
    assert total(Project.objects.exclude(code="LW-URB-901")) == 107


@translation.override("en")
def test_parts_have_no_parts_and_nothing_is_a_part_of_itself(umbrella):
    part = Project.objects.get(code="LW-URB-901")
    other = make_project(code="LW-CUL-901", part_of=part)
    other.part_of = part
    with pytest.raises(ValidationError, match="umbrella"):
        other.full_clean()
    umbrella.part_of = Project.objects.get(code="LW-TRA-901")
    with pytest.raises(ValidationError, match="umbrella"):
        umbrella.full_clean()  # it has parts
    alone = Project.objects.get(code="LW-TRA-901")
    alone.part_of = alone
    with pytest.raises(ValidationError, match="itself"):
        alone.full_clean()


def test_the_plan_data_links_the_umbrella_entries_to_their_parts():
    plandata.load()
    parts = {
        p.code: p.part_of.code
        for p in Project.objects.filter(part_of__isnull=False).select_related("part_of")
    }
    assert parts == {
        "LW-URB-004": "LW-IND-001",  # 聚龙: the cluster, its village and its old factories
        "LW-URB-018": "LW-IND-001",
        "LW-PHA-002": "LW-URB-003",  # 大坦沙: the island's redevelopment and its health use
        "LW-CUL-002": "LW-CUL-011",  # 一带七区 and its zones with entries of their own
        "LW-CUL-003": "LW-CUL-011",
        "LW-CUL-004": "LW-CUL-011",
    }
    # Every judgement says why.
    rows = plandata.read_json(plandata.PLAN14 / "projects.json")["projects"]
    assert all(row.get("part_of_reason") for row in rows if row.get("part_of"))


def test_no_project_note_describes_an_entry_that_does_not_exist():
    rows = plandata.read_json(plandata.PLAN14 / "projects.json")["projects"]
    notes = {row["code"]: row["note"] for row in rows}
    assert "split into two entries" not in notes["LW-INF-001"]
    assert "listed separately" not in notes["LW-INN-002"]


# --- the admin's project import carries part_of, by the umbrella's code ------------------


def import_projects(text):
    with translation.override("en"):
        return import_file(ProjectResource(), io.BytesIO(text.encode("utf-8")), "csv")


IMPORT_HEADER = "code,name,category,part_of\n"


def test_an_import_links_a_part_to_its_umbrella_by_code(umbrella):
    outcome = import_projects(
        IMPORT_HEADER
        + "LW-TRA-901,道路工程,transport,LW-IND-901\n"  # an existing project becomes a part
        + "LW-URB-903,新片区,urban_renewal,LW-IND-901\n"  # a new part
        + "LW-URB-901,片区一,urban_renewal,\n"  # no longer a part
    )
    assert outcome.ok, outcome.errors
    assert sorted(umbrella.parts.values_list("code", flat=True)) == [
        "LW-TRA-901",
        "LW-URB-902",
        "LW-URB-903",
    ]
    assert Project.objects.get(code="LW-URB-901").part_of is None


@pytest.mark.parametrize(
    "line, message",
    [
        ("LW-TRA-901,道路工程,transport,LW-TRA-901", "A project cannot be a part of itself."),
        (
            "LW-TRA-901,道路工程,transport,LW-URB-901",
            "An umbrella entry is not itself a part, and a part has no parts.",
        ),
        (
            "LW-IND-901,整体,industry,LW-TRA-901",
            "An umbrella entry is not itself a part, and a part has no parts.",
        ),
    ],
    ids=["itself", "part of a part", "an umbrella made a part"],
)
def test_an_import_refuses_the_umbrella_rules_as_row_errors(umbrella, line, message):
    before = list(Project.objects.order_by("code").values_list("code", "part_of__code"))
    outcome = import_projects(IMPORT_HEADER + line + "\n")
    assert [(row, column, str(text)) for row, column, text in outcome.errors] == [
        (2, "所属总项目编号", message)
    ]
    assert list(Project.objects.order_by("code").values_list("code", "part_of__code")) == before


def test_an_import_refuses_an_unknown_umbrella(umbrella):
    outcome = import_projects(IMPORT_HEADER + "LW-TRA-901,道路工程,transport,LW-NOPE-001\n")
    assert [(row, column) for row, column, _text in outcome.errors] == [(2, "所属总项目编号")]
    assert Project.objects.get(code="LW-TRA-901").part_of is None


def test_a_chapters_figures_count_a_part_as_among_every_project():
    """A chapter's figures read only its own projects and their umbrellas
    (scorecards.chapters_with_figures), and count a part as a sum over every project does:
    not at all while its umbrella is there, though the umbrella serves another chapter."""
    from projects import scorecards
    from projects.models import AnnualInvestment, PlanChapter, ProjectChapter

    from ..conftest import TODAY, make_chapter, make_plan

    plan = make_plan()
    housing, transport = make_chapter(plan, "3"), make_chapter(plan, "4")
    whole = make_project(code="LW-IND-911")
    part = make_project(code="LW-URB-911", part_of=whole)
    own = make_project(code="LW-TRA-911")
    ProjectChapter.objects.create(project=whole, chapter=housing)
    ProjectChapter.objects.create(project=part, chapter=transport)
    ProjectChapter.objects.create(project=own, chapter=transport)
    for project, planned in ((whole, 10), (part, 4), (own, 2)):
        AnnualInvestment.objects.create(
            project=project, year=TODAY.year, planned=planned, completed=1
        )
    everything = {
        c.code: c.investment_planned
        for c in scorecards.chapters_with_figures(PlanChapter.objects.filter(plan=plan), TODAY)
    }
    alone = scorecards.chapters_with_figures(PlanChapter.objects.filter(pk=transport.pk), TODAY)
    assert everything == {"3": 10, "4": 2}
    assert alone[0].investment_planned == 2
