"""Sample data, whole: the sample portfolio (projects.demo) around the plan data, and a
sample value for each indicator in each year of its plan gone by that has no other value,
entered by the editor of the department the plan data makes responsible for it. A year with
an official value, or one a department entered, keeps it: sample data never overwrites or
hides a real figure. Labelled as sample data like the rest, and generated the same way, so
running it twice on the same day changes nothing. Behind manage.py load_demo."""

import random

from django.db import transaction

from projects import demo
from projects.clock import today as get_today
from projects.demo import LABEL, money
from projects.upsert import upsert

from . import plandata
from .models import Indicator, IndicatorValue



@transaction.atomic
def load():
    """Load the plan data, then the sample portfolio and indicator values. Returns a
    Counter of what happened."""
    stats = plandata.load()
    today = get_today()
    departments, editors = demo.load_portfolio(today, stats)
    indicators = Indicator.objects.select_related("plan", "responsible_department")
    for indicator in indicators.order_by("code"):
        load_indicator(indicator, departments, editors, today, stats)
    return stats


def load_indicator(indicator, departments, editors, today, stats):
    owner = indicator.responsible_department or departments["drc"]
    real = set(
        IndicatorValue.objects.filter(indicator=indicator)
        .exclude(source=IndicatorValue.Source.SAMPLE)
        .values_list("year", flat=True)
    )
    rng = random.Random(indicator.code)
    plan = indicator.plan
    period = range(plan.start_year, plan.end_year + 1)
    years = [y for y in period if y < today.year]
    kind = indicator.target_kind
    yearly = kind == Indicator.TargetKind.YEARLY_TARGET
    # A target set for each year: a sample target of 3 (a fall of 3 %, a share of 90 %...).
    target = 3.0 if yearly else float(indicator.target_value)
    if yearly and indicator.is_percentage and "比例" in indicator.name:
        target = 90.0
    if kind == Indicator.TargetKind.LEVEL:  # moving away from, behind, near or ahead of the path
        pace = rng.choice([-0.3, 0.6, 0.95, 1.05])
    else:
        pace = rng.choice([0.8, 0.95, 1.05])
    start = (
        float(indicator.baseline_value) if indicator.baseline_value is not None else target * 0.8
    )
    for i, year in enumerate(years, start=1):
        share = i / len(period)
        if year in real:
            stats["real indicator values kept unchanged"] += 1
            continue
        if kind == Indicator.TargetKind.CUMULATIVE:
            value = target / len(period) * pace * rng.uniform(0.8, 1.2)  # the year's own amount
        elif kind != Indicator.TargetKind.LEVEL:
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
                "year_target": money(target) if yearly else None,
                "note": f"{LABEL}示例数值,并非统计部门公布的数据。",
                "entered_by": editors.get(owner.pk),
                "source": IndicatorValue.Source.SAMPLE,
            },
        )
        stats[f"sample indicator values {status}"] += 1
