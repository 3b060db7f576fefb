"""The district's published figures: loaded as official values with their sources, never
replaced by sample data, marked on the indicator's page."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from indicators import demo, plandata, services
from indicators.models import Indicator, IndicatorValue
from projects.plandata import PLAN14

from ..conftest import make_indicator

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


# --- a published value is the administrator's to change, with a reason ------------------


@pytest.fixture
def english(client, settings):
    """Pages in English, to read the messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def published(department_a):
    indicator = make_indicator(code="GDP", responsible_department=department_a)
    official = IndicatorValue.objects.create(
        indicator=indicator,
        year=2023,
        value=Decimal("1203.5"),
        note="2023年统计公报",
        source=IndicatorValue.Source.OFFICIAL,
        source_title="荔湾区2023年国民经济和社会发展统计公报",
        source_url="http://www.lw.gov.cn/2023.html",
    )
    entered = IndicatorValue.objects.create(
        indicator=indicator, year=2024, value=Decimal("1250"), note="区统计局快报"
    )
    return indicator, official, entered


def test_a_department_cannot_change_a_published_value(published, editor_a):
    indicator, official, _entered = published
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.value_save(
            indicator=indicator,
            year=2023,
            value=Decimal("1300"),
            note="部门更正",
            by=editor_a,
            current=official,
            version=official.version,
        )
    assert refused.value.message_dict == {
        "value": [
            "This is the district's published figure: only an administrator can change it, "
            "giving a reason."
        ]
    }
    saved = IndicatorValue.objects.get(pk=official.pk)
    assert (saved.value, saved.source, saved.version) == (Decimal("1203.5"), "official", 1)


def test_the_department_form_refuses_it_and_keeps_the_published_value(
    published, editor_a, client
):
    indicator, official, _entered = published
    client.force_login(editor_a)
    url = reverse("indicators:value_edit", args=[indicator.code, 2023])
    data = {"year": 2023, "value": "1300", "note": "部门更正", "loaded_version": 1}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    official.refresh_from_db()
    assert (official.value, official.source) == (Decimal("1203.5"), "official")


def test_the_page_offers_no_correction_of_a_published_value(published, editor_a, client):
    indicator, _official, _entered = published
    client.force_login(editor_a)
    page = client.get(reverse("indicators:detail", args=[indicator.code])).content.decode()
    assert reverse("indicators:value_edit", args=[indicator.code, 2024]) in page
    assert reverse("indicators:value_edit", args=[indicator.code, 2023]) not in page


def value_admin_form(row, **fields):
    """The admin's form of an indicator value as loaded, with `fields` changed."""
    data = {
        "indicator": row.indicator_id,
        "year": row.year,
        "value": row.value,
        "note": row.note,
        "source": row.source,
        "source_title": row.source_title,
        "source_date": "",
        "source_url": row.source_url,
        "entered_at_0": row.entered_at.strftime("%Y-%m-%d"),
        "entered_at_1": row.entered_at.strftime("%H:%M:%S"),
        "change_reason": "",
    }
    return data | fields


def test_an_administrator_changes_a_published_value_only_with_a_reason(
    published, administrator, client, english
):
    _indicator, official, _entered = published
    client.force_login(administrator)
    url = reverse("admin:indicators_indicatorvalue_change", args=[official.pk])
    response = client.post(url, value_admin_form(official, value="1210.2"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "change_reason": ["Say why a published (official) value is changed."]
    }
    assert IndicatorValue.objects.get(pk=official.pk).value == Decimal("1203.5")

    reason = "统计局2024年公报修订2023年数"
    response = client.post(url, value_admin_form(official, value="1210.2", change_reason=reason))
    assert response.status_code == 302, response.context["adminform"].form.errors
    official.refresh_from_db()
    assert (official.value, official.source, official.version) == (
        Decimal("1210.2"),
        "official",
        2,
    )
    latest = official.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (reason, administrator)


def test_a_value_entered_by_a_department_needs_no_reason_in_the_admin(
    published, administrator, client
):
    _indicator, _official, entered = published
    client.force_login(administrator)
    url = reverse("admin:indicators_indicatorvalue_change", args=[entered.pk])
    response = client.post(url, value_admin_form(entered, value="1251"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert IndicatorValue.objects.get(pk=entered.pk).value == Decimal("1251")


def test_the_indicator_page_in_the_admin_asks_the_reason_for_a_published_row(
    published, administrator, client, english
):
    indicator, official, entered = published
    client.force_login(administrator)
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"chapters": [], "values-TOTAL_FORMS": 2, "values-INITIAL_FORMS": 2})
    for i, row in enumerate([official, entered]):
        fields = value_admin_form(row)
        del fields["indicator"]
        data.update({f"values-{i}-{k}": v for k, v in fields.items()})
        data.update({f"values-{i}-id": row.pk, f"values-{i}-indicator": indicator.pk})
    data["values-0-value"] = "1210.2"
    response = client.post(url, data)
    assert response.status_code == 200
    errors = [e for inline in response.context["inline_admin_formsets"] for e in inline.formset.errors]
    assert errors == [{"change_reason": ["Say why a published (official) value is changed."]}, {}]
    data["values-0-change_reason"] = "公报修订"
    response = client.post(url, data)
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.value == Decimal("1210.2")
    assert official.history.latest().history_change_reason == "公报修订"


def import_row(line, header="indicator,year,value,note,source,source_title,source_url"):
    import io

    from indicators.resources import IndicatorValueResource
    from projects.resources import import_file

    return import_file(
        IndicatorValueResource(), io.BytesIO(f"{header}\n{line}\n".encode()), "csv", user=None
    )


def test_an_import_changes_a_published_value_only_with_a_reason(published):
    """The rule lives in the model, so the import reaches it as the admin's forms do."""
    _indicator, official, _entered = published
    source = "2023年统计公报,official,荔湾区2023年国民经济和社会发展统计公报,http://www.lw.gov.cn/2023.html"
    with translation.override("en"):
        outcome = import_row(f"GDP,2023,1210.2,{source}")
    assert [(row, column, str(message)) for row, column, message in outcome.errors] == [
        (2, "修改原因", "Say why a published (official) value is changed.")
    ]
    official.refresh_from_db()
    assert official.value == Decimal("1203.5")
    # The same row again, unchanged, needs no reason; with one, the change is saved and
    # its history keeps why.
    assert import_row(f"GDP,2023,1203.5,{source}").ok
    reason = "统计局2024年公报修订"
    outcome = import_row(
        f"GDP,2023,1210.2,{source},{reason}",
        header="indicator,year,value,note,source,source_title,source_url,change_reason",
    )
    assert outcome.ok, outcome.errors
    official.refresh_from_db()
    assert official.value == Decimal("1210.2")
    assert official.history.latest().history_change_reason == reason


def test_the_model_refuses_a_changed_published_value_without_a_reason(published):
    _indicator, official, _entered = published
    loaded = IndicatorValue.objects.get(pk=official.pk)
    loaded.source_url = "http://example.invalid/"
    with pytest.raises(ValidationError) as refused:
        loaded.full_clean()
    assert "change_reason" in refused.value.message_dict
    loaded._change_reason = "网址变更"
    loaded.full_clean()
