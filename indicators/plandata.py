"""Plan data, whole: the plan's portfolio (projects.plandata), then its targets from
fixtures/plan14/indicators.json, each linked to its chapters, its responsible department
and the projects that serve it (projects.json), then the figures the district has
published (official_values.json). Behind manage.py load_plan.

Another plan's outline and indicators come from a folder of the same shape, checked against
its text the same way (load_folder, manage.py load_plan --dir)."""

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from projects import plandata
from projects.models import Department, Project
from projects.plandata import PlanDataError, check_quote, read_json, save
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


def load_folder(folder, *, dry_run=False):
    """A plan's outline and indicators from a folder shaped as fixtures/plan14/: plan.json
    (the plan, its chapters), indicators.json if there is one, and the plan's text (the one
    .txt file there), every quote checked against the text and every row against its
    model's rules; all or nothing (nothing on a dry run). The departments named must exist.
    Returns a Counter of what happened (or would have)."""
    folder = Path(folder)
    stats = Counter()
    try:
        with transaction.atomic():
            paras = plandata.read_paragraphs(plandata.text_file(folder))
            plan, chapters = plandata.load_plan_and_chapters(stats, folder, paras)
            if (folder / "indicators.json").exists():
                load_indicators(plan, chapters, paras, stats, folder)
            if dry_run:
                transaction.set_rollback(True)
    except (OSError, ValueError) as error:  # a file missing, not JSON, not UTF-8
        raise PlanDataError(f"{folder}: {error}") from None
    except (KeyError, TypeError) as error:
        raise PlanDataError(f"{folder}: a row lacks {error} or has it of the wrong kind.") from None
    return stats


def load_indicators(plan, chapters, paras, stats, folder=None):
    """The plan's quantitative targets, from indicators.json in `folder` (default: the
    14th plan's); returns them by code."""
    indicators = {}
    departments = {d.slug: d for d in Department.objects.all()}
    folder = plandata.PLAN14 if folder is None else folder
    rows = read_json(folder / "indicators.json")["indicators"]
    others = dict(  # codes are unique across plans: another plan's is not taken over
        Indicator.objects.exclude(plan=plan)
        .filter(code__in=[row["code"] for row in rows])
        .values_list("code", "plan__short_name")
    )
    for order, row in enumerate(rows):
        what = row["code"]
        if what in others:
            raise PlanDataError(f"{what}: an indicator of the {others[what]} plan has this code.")
        check_quote(paras, row["paragraph"], row["source_sentence"], what)
        check_quote(paras, row["baseline_paragraph"], row["baseline_sentence"], what + " baseline")
        if row["target_text"] not in row["source_sentence"]:
            raise PlanDataError(f"{what}: the target's wording is not in its sentence.")
        if row["department"] and row["department"] not in departments:
            raise PlanDataError(f"{what}: no department {row['department']}.")
        missing = [code for code in row["chapters"] if code not in chapters]
        if missing:
            raise PlanDataError(f"{what}: the plan has no chapter {', '.join(missing)}.")
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
            "responsible_department": departments.get(row["department"]),
            "source_paragraph": row["paragraph"],
            "source_sentence": row["source_sentence"],
            "note": row["note"],
            "order": order,
        }
        indicator, status = save(what, Indicator, {"code": row["code"]}, fields)
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
