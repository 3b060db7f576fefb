"""The admin's import of indicator values carries where each figure comes from (official,
with its source's title, date and address, or the department's) and a yearly target."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation

from indicators.models import Indicator, IndicatorValue
from indicators.resources import IndicatorValueResource
from projects.resources import import_file

from ..conftest import make_indicator, make_plan

pytestmark = pytest.mark.django_db

HEADER = "indicator,year,value,year_target,note,source,source_title,source_date,source_url\n"


@pytest.fixture
def indicators():
    plan = make_plan()
    gdp = make_indicator(plan=plan, code="GDP")
    energy = make_indicator(
        plan=plan,
        code="ENERGY",
        unit="%",
        target_kind=Indicator.TargetKind.YEARLY_TARGET,
        target_value=None,
    )
    return gdp, energy


def load(text, administrator=None):
    return import_file(
        IndicatorValueResource(), io.BytesIO(text.encode("utf-8")), "csv", user=administrator
    )


def test_an_official_value_is_imported_with_its_source(indicators, administrator):
    outcome = load(
        HEADER
        + "GDP,2023,1203.5,,2023年统计公报,official,荔湾区2023年统计公报,2024-04-01,"
        "http://www.lw.gov.cn/2023.html\n"
        + "GDP,2024,1250,,区统计局快报,department,,,\n",
        administrator,
    )
    assert outcome.ok, outcome.errors
    official = IndicatorValue.objects.get(year=2023)
    assert (
        official.source,
        official.source_title,
        official.source_date,
        official.source_url,
    ) == ("official", "荔湾区2023年统计公报", datetime.date(2024, 4, 1), "http://www.lw.gov.cn/2023.html")
    assert IndicatorValue.objects.get(year=2024).source == "department"


def test_a_yearly_target_is_imported_and_required(indicators):
    assert load(HEADER + "ENERGY,2023,-3.1,-3.0,市下达目标,department,,,\n").ok
    saved = IndicatorValue.objects.get(indicator__code="ENERGY")
    assert (saved.value, saved.year_target) == (Decimal("-3.1"), Decimal("-3.0"))
    with translation.override("en"):
        outcome = load(HEADER + "ENERGY,2024,-2.9,,市下达目标,department,,,\n")
    assert [(row, column, str(message)) for row, column, message in outcome.errors] == [
        (2, "本年度目标值", "Give the target set for this year.")
    ]


def test_the_export_carries_the_source_columns(indicators):
    gdp, _energy = indicators
    IndicatorValue.objects.create(
        indicator=gdp,
        year=2023,
        value=Decimal("1203.5"),
        note="公报",
        source="official",
        source_title="荔湾区2023年统计公报",
        source_url="http://www.lw.gov.cn/2023.html",
    )
    resource = IndicatorValueResource()
    dataset = resource.export()
    codes = HEADER.strip().split(",") + ["change_reason"]
    # The headers a clerk reads; the codes (HEADER) are read back too.
    assert dataset.headers == [resource.fields[code].column_name for code in codes]
    assert dataset.headers[:3] == ["指标编号", "年度", "数值"]
    row = dict(zip(codes, dataset[0], strict=True))
    assert (row["source"], row["source_title"], row["source_url"]) == (
        "official",
        "荔湾区2023年统计公报",
        "http://www.lw.gov.cn/2023.html",
    )
