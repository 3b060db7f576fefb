"""The district's published figures: loaded as official values with their sources, never
replaced by sample data, marked on the indicator's page."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import demo, plandata
from indicators.models import Indicator, IndicatorValue
from projects.plandata import PLAN14

pytestmark = pytest.mark.django_db


def test_every_published_figure_is_loaded_exactly_with_its_source():
    plandata.load()
    data = json.loads((PLAN14 / "official_values.json").read_text(encoding="utf-8"))
    for row in data["indicator_values"]:
        value = IndicatorValue.objects.get(indicator__code=row["indicator"], year=row["year"])
        assert value.value == Decimal(row["value"])
        assert value.source == IndicatorValue.Source.OFFICIAL
        assert value.source_url == data["sources"][row["sources"][0]]["url"]
        assert row["value"] in row["quote"] and row["quote"] in value.note
    fai = IndicatorValue.objects.get(indicator__code="I14-03", year=2024)
    assert fai.value == Decimal("501.29")


def test_sample_data_never_replaces_an_official_value():
    demo.load()
    gdp = IndicatorValue.objects.get(indicator__code="I14-02", year=2024)
    assert (gdp.source, gdp.value) == (IndicatorValue.Source.OFFICIAL, Decimal("1316.36"))
    assert not IndicatorValue.objects.filter(
        indicator__code="I14-02", year__in=[2023, 2024], source=IndicatorValue.Source.SAMPLE
    ).exists()


def test_the_plan_data_names_a_department_for_every_indicator():
    plandata.load()
    assert not Indicator.objects.filter(responsible_department=None).exists()
    assert Indicator.objects.get(code="I14-02").responsible_department.short_name == "区统计局"
    assert Indicator.objects.get(code="I14-16").unit == "人"
    assert Indicator.objects.get(code="I14-18").target_kind == "annual_average"
    assert Indicator.objects.get(code="I14-20").target_kind == "every_year"
    assert Indicator.objects.filter(target_kind="yearly_target").count() == 5


def test_the_page_marks_official_values_and_shows_a_period_baseline(client, django_user_model):
    plandata.load()
    client.force_login(django_user_model.objects.create_user("reader"))
    page = client.get(reverse("indicators:detail", args=["I14-03"])).content.decode()
    assert "source-official" in page
    assert "http://www.lw.gov.cn/zjlw/lwgs/jjfz/index.html" in page
    assert "2016–2020" in page
