"""Umbrella entries and their parts (Project.part_of): a sum over projects counts a work
once, by Project.objects.countable()."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation

from projects import plandata
from projects.models import Project

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
