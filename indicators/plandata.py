"""Plan data, whole: the plan's portfolio (projects.plandata), then its quantitative
targets from fixtures/plan14/indicators.json, each linked to its chapters and to the
projects that serve it (projects.json). Behind manage.py load_plan."""

from collections import Counter
from decimal import Decimal

from django.db import transaction

from projects import plandata
from projects.models import Project
from projects.plandata import PlanDataError, check_quote, read_json
from projects.upsert import set_links, upsert

from .models import Indicator


@transaction.atomic
def load():
    """Load departments, the 14th plan, its chapters, projects and indicators. Returns a
    Counter of what happened."""
    stats = Counter()
    plan, chapters = plandata.load_portfolio(stats)
    indicators = load_indicators(plan, chapters, plandata.paragraphs(), stats)
    link_projects(indicators, stats)
    return stats


def load_indicators(plan, chapters, paras, stats):
    """The plan's quantitative targets; returns them by code."""
    indicators = {}
    rows = read_json(plandata.PLAN14 / "indicators.json")["indicators"]
    for order, row in enumerate(rows):
        what = row["code"]
        check_quote(paras, row["paragraph"], row["source_sentence"], what)
        check_quote(paras, row["baseline_paragraph"], row["baseline_sentence"], what + " baseline")
        if row["target_text"] not in row["source_sentence"]:
            raise PlanDataError(f"{what}: the target's wording is not in its sentence.")
        fields = {
            "plan": plan,
            "name": row["name"],
            "name_en": row["name_en"],
            "unit": row["unit"],
            "category": row["category"],
            "nature": row["nature"],
            "target_kind": row["target_kind"],
            "direction": row["direction"],
            "baseline_year": row["baseline_year"],
            "baseline_value": decimal_or_none(row["baseline_value"]),
            "baseline_source_sentence": row["baseline_sentence"] or "",
            "target_year": row["target_year"],
            "target_value": decimal_or_none(row["target_value"]),
            "target_text": row["target_text"],
            "source_paragraph": row["paragraph"],
            "source_sentence": row["source_sentence"],
            "note": row["note"],
            "order": order,
        }
        indicator, status = upsert(Indicator, {"code": row["code"]}, fields)
        stats[f"indicators {status}"] += 1
        if set_links(indicator.chapters, [chapters[code] for code in row["chapters"]]):
            stats["indicator chapter links changed"] += 1
        indicators[row["code"]] = indicator
    return indicators


def link_projects(indicators, stats):
    """Each project to the indicators it serves."""
    rows = read_json(plandata.PLAN14 / "projects.json")["projects"]
    projects = {p.code: p for p in Project.objects.filter(code__in=[r["code"] for r in rows])}
    for row in rows:
        project = projects[row["code"]]
        if set_links(project.indicators, [indicators[code] for code in row["indicators"]]):
            stats["project indicator links changed"] += 1


def decimal_or_none(value):
    return None if value is None else Decimal(str(value))
