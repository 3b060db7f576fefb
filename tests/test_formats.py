"""One format for each kind of figure, in both languages: amounts in 亿元 with two decimals
and their unit, percentages without a space, ISO dates (projects/formatting.py)."""

import datetime
import gettext
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from projects import formatting
from projects.models import AnnualInvestment

from .conftest import TODAY, make_milestone, make_project

LANGUAGES = ["zh-hans", "en"]
NBSP = "\u00a0"
CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def render(text, **context):
    return Template("{% load portfolio %}" + text).render(Context(context))


def translated(context, msgid):
    """Whether the compiled zh-hans catalogue has this message yet (the lead fills the
    catalogue from each branch's list; tests/test_catalogue.py then holds it complete)."""
    with open(CATALOGUE, "rb") as f:
        return gettext.GNUTranslations(f).pgettext(context, msgid) != msgid


needs_the_unit_in_chinese = pytest.mark.skipif(
    not translated("unit written after an amount", "hundred million yuan"),
    reason="the zh-hans catalogue does not have the amount's unit yet",
)


class TestFilters:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_an_amount_has_two_decimals_and_its_unit(self, language):
        with translation.override(language):
            unit = formatting.money_unit()
            assert render("{{ v|money }}", v=Decimal("3.1500")) == f"3.15{NBSP}{unit}"
            assert render("{{ v|money }}", v=Decimal("1234.5")) == f"1,234.50{NBSP}{unit}"
            assert render("{{ v|money }}", v=Decimal("2.345")) == f"2.35{NBSP}{unit}"  # half up
            assert render("{{ v|money }}", v=Decimal("-0.001")) == f"0.00{NBSP}{unit}"
            assert render("{{ v|money }}", v=None) == "–"

    @needs_the_unit_in_chinese
    def test_the_unit_is_yi_yuan_in_chinese_and_spelt_out_in_english(self):
        with translation.override("zh-hans"):
            assert render("{{ v|money }}", v=Decimal("3.15")) == f"3.15{NBSP}亿元"
        with translation.override("en"):
            assert render("{{ v|money }}", v=Decimal("3.15")) == f"3.15{NBSP}hundred million yuan"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_a_percentage_has_no_space_before_its_sign(self, language):
        with translation.override(language):
            assert render("{{ v|percent }}", v=57.0) == "57%"
            assert render("{{ v|percent:1 }}", v=Decimal("43.75")) == "43.8%"
            assert render("{{ v|percent }}", v=None) == "–"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_a_figure_carries_its_own_unit(self, language):
        with translation.override(language):
            assert render("{{ v|quantity:'家' }}", v=Decimal("150.0000")) == f"150{NBSP}家"
            assert render("{{ v|quantity:'%' }}", v=Decimal("5.5000")) == "5.5%"
            assert render("{{ v|quantity:'亿元' }}", v=Decimal("1450")) == formatting.money(1450)

    def test_a_stored_decimal_reads_as_people_write_it_in_a_form(self):
        assert formatting.plain(Decimal("3.1500")) == "3.15"
        assert formatting.plain(Decimal("3.1234")) == "3.1234"
        assert formatting.plain(Decimal("3")) == "3.00"
        assert formatting.plain(Decimal("5.1000"), 0) == "5.1"


class TestDates:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_django_writes_iso_dates_in_both_languages(self, language):
        day = datetime.date(2023, 3, 14)
        with translation.override(language):
            assert formats.date_format(day) == "2023-03-14"  # not 2023年3月14日
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2023-03-14"
            assert formats.date_format(day, "YEAR_MONTH_FORMAT") == "2023-03"
            moment = datetime.datetime(2023, 3, 14, 9, 5)
            assert formats.date_format(moment, "DATETIME_FORMAT") == "2023-03-14 09:05"
            assert render("{{ d }} {{ d|date }}", d=day) == "2023-03-14 2023-03-14"

    def test_iso_is_still_accepted_as_input_in_both_languages(self):
        for language in LANGUAGES:
            with translation.override(language):
                assert "%Y-%m-%d" in formats.get_format("DATE_INPUT_FORMATS")

    def test_the_templates_write_dates_only_in_the_house_formats(self):
        """Y-m-d, Y-m, Y-m-d H:i, as DATE_FORMAT and its kin; F is a month's name in a list
        of months under its year (the bulletin's earlier months), not a date."""
        allowed = {"Y-m-d", "Y-m", "Y-m-d H:i", "F"}
        found = {}
        for path in (settings.BASE_DIR / "templates").rglob("*.*"):
            for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8")):
                found.setdefault(fmt, []).append(path.name)
        assert {f: names for f, names in found.items() if f not in allowed} == {}

    def test_no_template_puts_a_space_before_a_percent_sign(self):
        spaced = []
        for path in (settings.BASE_DIR / "templates").rglob("*.*"):
            text = path.read_text(encoding="utf-8")
            spaced += [path.name for _m in re.finditer(r"(\}\}|\d) %[^}\w]", text)]
        assert spaced == []


@pytest.mark.django_db
class TestPages:
    def test_the_portfolio_shows_amounts_with_unit_and_two_decimals(
        self, client, manager, frozen_today
    ):
        project = make_project(name="荔湾测试项目")
        AnnualInvestment.objects.create(
            project=project, year=TODAY.year, planned=Decimal("3.1500"), completed=Decimal("1.2")
        )
        client.force_login(manager)
        page = client.get(reverse("projects:portfolio")).content.decode()
        with translation.override("zh-hans"):
            assert f"{formatting.money(Decimal('1.2'))} / {formatting.money(Decimal('3.15'))}" in page
        assert f"1.20{NBSP}" in page and f"3.15{NBSP}" in page and "3.1500" not in page
        assert "38%" in page  # 1.2 of 3.15

    def test_the_admin_lists_amounts_as_3_15_not_3_1500(self, client, administrator):
        project = make_project(total_investment=Decimal("3.1500"))
        AnnualInvestment.objects.create(project=project, year=2026, planned=Decimal("3.1500"))
        client.force_login(administrator)
        for url in (
            reverse("admin:projects_project_changelist"),
            reverse("admin:projects_annualinvestment_changelist"),
        ):
            page = client.get(url).content.decode()
            assert f"3.15{NBSP}" in page and "3.1500" not in page, url
        form = client.get(reverse("admin:projects_project_change", args=[project.pk]))
        assert 'value="3.15"' in form.content.decode()

    def test_the_dashboard_dates_are_iso_in_chinese(self, client, manager, frozen_today):
        make_milestone(make_project(), datetime.date(2026, 3, 14))
        client.force_login(manager)
        page = client.get(reverse("home")).content.decode()
        assert "2026-06-15" in page and "2026-03-14" in page and "年3月14日" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_rows_written_in_python_show_values_as_localize_does(language, settings):
    """projects.rows.shown() writes text, whole numbers and days without localize()'s
    lookups: the same text as localize() (then escaped), in both languages."""
    from django.utils.formats import localize
    from django.utils.html import conditional_escape

    from projects.rows import shown

    assert not settings.USE_THOUSAND_SEPARATOR
    values = [
        "<b>节点</b>", "–", 0, 7, 123456789, -40, True,
        datetime.date(2026, 3, 4), datetime.date(999, 12, 31),
        datetime.datetime(2026, 3, 4, 9, 5), Decimal("1234.5"), None,
    ]  # fmt: skip
    with translation.override(language):
        for value in values:
            assert shown(value) == conditional_escape(localize(value)), value
