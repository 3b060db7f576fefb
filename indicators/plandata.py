"""Plan data, whole: the plan's portfolio (projects.plandata), then its targets from
fixtures/plan14/indicators.json, each linked to its chapters, its responsible department
and the projects that serve it (projects.json), then the figures the district has
published (official_values.json). Behind manage.py load_plan."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db import transaction

from projects import plandata
from projects.models import Department, Project
from projects.plandata import PlanDataError, check_quote, read_json
from projects.upsert import set_link_rows, set_links, upsert

from .models import Indicator, IndicatorValue, ProjectIndicator


@transaction.atomic
def load():
    """Load departments, the 14th plan, its chapters, projects and indicators. Returns a
    Counter of what happened."""
    stats = Counter()
    plan, chapters = plandata.load_portfolio(stats)
    indicators = load_indicators(plan, chapters, plandata.paragraphs(), stats)
    link_projects(indicators, stats)
    load_official_values(indicators, stats)
    return stats


def load_indicators(plan, chapters, paras, stats):
    """The plan's quantitative targets; returns them by code."""
    indicators = {}
    departments = {d.slug: d for d in Department.objects.all()}
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
            "baseline_kind": row["baseline_kind"],
            "baseline_period_start": row["baseline_period_start"],
            "baseline_source_sentence": row["baseline_sentence"] or "",
            "target_year": row["target_year"],
            "target_value": decimal_or_none(row["target_value"]),
            "target_text": row["target_text"],
            "about": row["about"],
            "tolerance": decimal_or_none(row["tolerance"]),
            "responsible_department": departments[row["department"]],
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
        if set_link_rows(
            project.indicator_links.all(),
            "indicator",
            [indicators[code] for code in row["indicators"]],
            lambda indicator, project=project: ProjectIndicator(
                project=project, indicator=indicator
            ),
            reason=plandata.REASON,
        ):
            stats["project indicator links changed"] += 1


def load_official_values(indicators, stats):
    """The district's published figures, each with its source. A value a department has
    entered is left as it is (and counted); a sample value gives way."""
    data = read_json(plandata.PLAN14 / "official_values.json")
    sources = data["sources"]
    for row in data["indicator_values"]:
        what = f"{row['indicator']} {row['year']}"
        if row["value"] not in row["quote"]:
            raise PlanDataError(f"{what}: the figure is not in the words quoted.")
        first, *others = (sources[key] for key in row["sources"])
        note = row["quote"]
        if others:
            note += " 另见:" + ";".join(f"{s['title']} {s['url']}" for s in others)
        indicator = indicators[row["indicator"]]
        current = IndicatorValue.objects.filter(indicator=indicator, year=row["year"]).first()
        if current is not None and current.source == IndicatorValue.Source.DEPARTMENT:
            stats["official values left beside a department's value"] += 1
            continue
        fields = {
            "value": Decimal(row["value"]),
            "note": note,
            "source": IndicatorValue.Source.OFFICIAL,
            "source_title": first["title"],
            "source_date": date.fromisoformat(first["date"]) if first["date"] else None,
            "source_url": first["url"],
            "entered_by": None,
        }
        _obj, status = upsert(IndicatorValue, {"indicator": indicator, "year": row["year"]}, fields)
        stats[f"official values {status}"] += 1


def decimal_or_none(value):
    return None if value is None else Decimal(str(value))
