"""Sample data, whole: the sample portfolio (projects.demo) around the plan data, and a
sample value for each indicator in each year of its plan gone by, entered by the editor of
the department made responsible for it. Labelled as sample data like the rest, and
generated the same way, so running it twice on the same day changes nothing. Behind
manage.py load_demo."""

import random

from django.db import transaction

from projects import demo
from projects.clock import today as get_today
from projects.demo import LABEL, money
from projects.upsert import upsert

from . import plandata
from .models import Indicator, IndicatorValue

INDICATOR_OWNER_BY_CATEGORY = {
    "economy": "drc",
    "innovation": "stic",
    "urban": "housing-transport",
    "culture": "culture-tourism",
    "ecology": "ecology",
    "governance": "drc",
}
LIVELIHOOD_OWNERS = [
    ("医师", "health"),
    ("病床", "health"),
    ("托位", "health"),
    ("就业", "hrss"),
    ("培训", "hrss"),
]


@transaction.atomic
def load():
    """Load the plan data, then the sample portfolio and indicator values. Returns a
    Counter of what happened."""
    stats = plandata.load()
    today = get_today()
    departments, editors = demo.load_portfolio(today, stats)
    for indicator in Indicator.objects.select_related("plan").order_by("code"):
        load_indicator(indicator, departments, editors, today, stats)
    return stats


def load_indicator(indicator, departments, editors, today, stats):
    owner_slug = INDICATOR_OWNER_BY_CATEGORY.get(indicator.category)
    if indicator.category == "livelihood":
        owner_slug = next(
            (slug for word, slug in LIVELIHOOD_OWNERS if word in indicator.name), "education"
        )
    owner = departments[owner_slug]
    _obj, status = upsert(Indicator, {"pk": indicator.pk}, {"responsible_department": owner})
    stats[f"sample indicator owners {status}"] += 1

    rng = random.Random(indicator.code)
    plan = indicator.plan
    period = range(plan.start_year, plan.end_year + 1)
    years = [y for y in period if y < today.year]
    target = float(indicator.target_value)
    kind = indicator.target_kind
    if kind == Indicator.TargetKind.LEVEL:  # moving away from, behind, near or ahead of the path
        pace = rng.choice([-0.3, 0.6, 0.95, 1.05])
    else:
        pace = rng.choice([0.8, 0.95, 1.05])
    start = (
        float(indicator.baseline_value) if indicator.baseline_value is not None else target * 0.8
    )
    for i, year in enumerate(years, start=1):
        share = i / len(period)
        if kind == Indicator.TargetKind.CUMULATIVE:
            value = target / len(period) * pace * rng.uniform(0.8, 1.2)  # the year's own amount
        elif kind in (
            Indicator.TargetKind.GROWTH,
            Indicator.TargetKind.AT_LEAST,
            Indicator.TargetKind.AT_MOST,
        ):
            value = target * pace * rng.uniform(0.85, 1.1)
        else:  # level: along the path from the start value
            value = start + (target - start) * share * pace * rng.uniform(0.9, 1.05)
        if indicator.is_percentage:
            value = min(value, 100)
        _obj, status = upsert(
            IndicatorValue,
            {"indicator": indicator, "year": year},
            {
                "value": money(value),
                "note": f"{LABEL}示例数值,并非统计部门公布的数据。",
                "entered_by": editors.get(owner.pk),
                "is_sample": True,
            },
        )
        stats[f"sample indicator values {status}"] += 1
