"""Onboarding a plan: its outline (chapters and sections) and its indicator table from
spreadsheets as a clerk fills the admin's templates (Chinese headers and words: 约束性,
累计, 是), dry run first, every row checked by the model's rules, all or nothing. (From
the plan's text instead: test_plan_folder.py.)"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from indicators.models import Indicator
from indicators.resources import IndicatorResource
from projects.importcolumns import ChoiceWidget
from projects.models import Plan, PlanChapter
from projects.resources import ChapterResource, import_file

from ..conftest import make_indicator, make_plan

pytestmark = pytest.mark.django_db

# What the templates' header rows say (the clerk fills the rows under them).
CHAPTER_HEADERS = [
    "规划届次",
    "章节编号",
    "章节标题",
    "上级章节编号",
    "排序（空：按行序）",
    "起始段落号",
    "结束段落号",
    "标题为原文（是/否）",
    "需项目落实（是/否）",
]
INDICATOR_HEADERS = [
    "规划届次",
    "指标编号",
    "指标名称",
    "英文名称",
    "计量单位",
    "指标类别",
    "指标属性（预期性/约束性）",
    "目标类型",
    "指标方向",
    "基期值",
    "基期年份",
    "基期口径",
    "基期起始年份",
    "目标值",
    "目标年份",
    "目标为“左右”（是/否）",
    "允许偏差",
    "责任单位代码",
    "对应规划章节（以;分隔）",
    "备注",
    "排序（空：按行序）",
]


@pytest.fixture
def plan15(department_a, department_b):
    return Plan.objects.create(
        number=15,
        name="荔湾区国民经济和社会发展第十五个五年规划纲要（测试）",
        short_name="十五五",
        start_year=2026,
        end_year=2030,
    )


def book(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def outline(chapters=8, sections=4, plan=15):
    """A made-up outline: each chapter then its sections (8 × 5 = 40 rows). The first
    chapter describes (calls for no works); codes as Excel holds them (a number)."""
    rows = []
    for n in range(1, chapters + 1):
        works = "否" if n == 1 else ""
        rows.append([plan, n, f"第{n}章 发展任务{n}", None, None, None, None, "是", works])
        for m in range(1, sections + 1):
            rows.append(
                [plan, f"{n}.{m}", f"第{n}.{m}节", n, None, 10 * n + m, 10 * n + m, "", works]
            )
    return rows


# (target kind, unit, baseline value, year, kind, period from, target, direction, about)
KINDS = [
    ("年均增长", "%", "5.5", 2025, "时期年均值", 2021, "5", "", "是"),
    ("目标年水平", "亿元", "1300", 2025, "基期年份水平", None, "1800", "越高越好", ""),
    ("累计", "万人", None, None, "", None, "8", "", "否"),
    ("不低于", "%", "2.1", 2025, "", None, "2.5", "", ""),
    ("不高于", "%", "12", 2025, "year", None, "10", "越低越好", ""),
    ("逐年下达目标", "%", None, None, "", None, None, "lower", ""),
]
CATEGORIES = ["经济发展", "创新驱动", "城市发展", "文化", "生态环境", "民生福祉", "社会治理"]


def indicator_table(count=25, plan=15, start=1):
    rows = []
    for i in range(start, start + count):
        kind, unit, base, year, base_kind, since, target, direction, about = KINDS[i % 6]
        rows.append(
            [
                plan,
                f"I15-{i:02d}",
                f"测试指标{i}",
                "",
                unit,
                CATEGORIES[i % 7],
                "约束性" if i % 3 == 0 else "预期性",
                kind,
                direction,
                base,
                year,
                base_kind,
                since,
                target,
                2030,
                about,
                "0.3" if about == "是" else None,
                "dept-a" if i % 2 else "dept-b",
                f"{i % 8 + 1}.1;{i % 8 + 1}.2",
                "",
                None,
            ]
        )
    return rows


def command(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command(*map(str, args), stdout=out)
    return out.getvalue()


def test_a_new_plan_is_onboarded_from_its_spreadsheets_dry_run_first(plan15, tmp_path):
    chapters = tmp_path / "outline.xlsx"
    chapters.write_bytes(book([CHAPTER_HEADERS, *outline()]).getvalue())
    indicators = tmp_path / "indicators.xlsx"
    indicators.write_bytes(book([INDICATOR_HEADERS, *indicator_table()]).getvalue())

    out = command("import_spreadsheet", "chapters", chapters, "--dry-run")
    assert "Checked 40 rows: 40 new, 0 changed, 0 unchanged; nothing saved (dry run)." in out
    assert not PlanChapter.objects.exists()
    out = command("import_spreadsheet", "chapters", chapters)
    assert "Saved 40 rows: 40 new" in out

    out = command("import_spreadsheet", "indicators", indicators, "--dry-run")
    assert "Checked 25 rows: 25 new" in out
    assert not Indicator.objects.exists()
    assert "Saved 25 rows: 25 new" in command("import_spreadsheet", "indicators", indicators)

    # The outline, in the order of the file's rows, each section under its chapter.
    saved = list(PlanChapter.objects.filter(plan=plan15).select_related("parent"))
    assert [c.code for c in saved] == [str(row[1]) for row in outline()]
    assert all(c.parent.code == c.code.split(".")[0] for c in saved if "." in c.code)
    assert all(c.parent is None for c in saved if "." not in c.code)
    section = PlanChapter.objects.by_key("15-3.2")
    assert (section.paragraph_start, section.paragraph_end) == (32, 32)
    assert section.title == "第3.2节" and section.title_is_official and section.calls_for_works
    assert not PlanChapter.objects.by_key("15-1.4").calls_for_works

    # The indicators, their Chinese words read as the model's choices.
    assert Indicator.objects.filter(plan=plan15).count() == 25
    growth = Indicator.objects.get(code="I15-06")
    assert (growth.target_kind, growth.unit, growth.nature) == ("growth", "%", "binding")
    assert (growth.baseline_kind, growth.baseline_period_start) == ("period_average", 2021)
    assert (growth.baseline_value, growth.target_value) == (Decimal("5.5"), Decimal("5"))
    assert growth.about and growth.tolerance == Decimal("0.3")
    assert growth.responsible_department.slug == "dept-b"
    assert growth.category == "governance"  # 社会治理
    assert [c.key for c in growth.chapters.order_by("order")] == ["15-7.1", "15-7.2"]
    cumulative = Indicator.objects.get(code="I15-02")
    assert cumulative.target_kind == "cumulative" and cumulative.baseline_value is None
    assert cumulative.nature == "expected" and not cumulative.about
    assert Indicator.objects.get(code="I15-04").direction == "lower"
    yearly = Indicator.objects.get(code="I15-05")
    assert yearly.target_kind == "yearly_target" and yearly.target_value is None
    assert [i.code for i in Indicator.objects.filter(plan=plan15)] == [
        f"I15-{i:02d}" for i in range(1, 26)
    ]

    # The same files again change nothing.
    assert "40 unchanged" in command("import_spreadsheet", "chapters", chapters)
    assert "25 unchanged" in command("import_spreadsheet", "indicators", indicators)


def test_the_onboarding_errors_are_named_by_row_and_column_and_nothing_is_saved(plan15):
    rows = [
        CHAPTER_HEADERS,
        [15, "1", "总则", None, None, None, None, "是", "否"],
        [15, "1.1", "发展基础", "1", None, None, None, "是", "否"],
        [15, "2.1", "产业体系", "2", None, None, None, "是", "是"],  # its chapter 2 is missing
        [15, "1.1", "发展环境", "1", None, None, None, "是", "否"],  # the code again
    ]
    with translation.override("en"):
        outcome = import_file(ChapterResource(), book(rows), "xlsx")
    assert [(row, column) for row, column, _message in outcome.errors] == [
        (4, "上级章节编号"),
        (5, "章节编号"),
    ]
    assert "no chapter 2" in outcome.errors[0][2]
    assert "Row 3 of this file" in outcome.errors[1][2]
    assert not PlanChapter.objects.exists()

    assert import_file(ChapterResource(), book([CHAPTER_HEADERS, *outline()]), "xlsx").ok
    table = indicator_table(count=3)
    table[1][6] = "约束型"  # not a nature
    table[2][17] = "no-such-department"
    with translation.override("en"):
        outcome = import_file(IndicatorResource(), book([INDICATOR_HEADERS, *table]), "xlsx")
    assert [(row, column) for row, column, _message in outcome.errors] == [
        (3, "指标属性（预期性/约束性）"),
        (4, "责任单位代码"),
    ]
    assert outcome.errors[0][2] == "“约束型” is not one of: expected、binding"
    assert "no-such-department" in outcome.errors[1][2]
    assert not Indicator.objects.exists()


POSTGRES = int(connection.vendor == "postgresql")


@pytest.mark.parametrize("chapters", [4, 16])
def test_an_outline_is_checked_in_the_same_queries_however_long(plan15, query_budget, chapters):
    rows = [CHAPTER_HEADERS, *outline(chapters=chapters)]
    # 1–2. savepoints: the file's transaction, the batch's
    # 3. the plans the rows name, by number
    # 4. the saved chapters the rows name (none: a new plan)
    # 5. the plan's chapters, where the sections find their parents
    # 6. savepoint: the batch's writes
    # 7. insert the chapters
    # 8. insert the sections, their chapters' ids now known
    # 9–12. release, release, roll back (a dry run), release
    # (PostgreSQL: one more, the library's reset of the table's id sequence after new rows.)
    with query_budget(12 + POSTGRES):
        assert import_file(ChapterResource(), book(rows), "xlsx", dry_run=True).ok


@pytest.mark.parametrize("count", [5, 35])
def test_an_indicator_table_is_checked_in_the_same_queries_however_long(
    plan15, query_budget, count
):
    assert import_file(ChapterResource(), book([CHAPTER_HEADERS, *outline()]), "xlsx").ok
    rows = [INDICATOR_HEADERS, *indicator_table(count=count)]
    # 1–2. savepoints: the file's transaction, the batch's
    # 3. the plans the rows name, by number
    # 4. the departments they name, by slug
    # 5. the saved indicators the rows name (none: a new plan)
    # 6. the plan's chapters, where the rows find theirs
    # 7. savepoint: the batch's writes
    # 8. insert the indicators
    # 9. their saved links to chapters (none), 10. insert the links
    # 11–14. release, release, roll back (a dry run), release
    # (SQLite takes at most 999 values in one statement: more rows are more inserts.
    # PostgreSQL: one more, the library's reset of the table's id sequence after new rows.)
    with query_budget(14 + POSTGRES):
        assert import_file(IndicatorResource(), book(rows), "xlsx", dry_run=True).ok


def test_sections_find_their_chapters_in_an_earlier_batch_of_a_long_file(plan15):
    outcome = import_file(
        ChapterResource(), book([CHAPTER_HEADERS, *outline()]), "xlsx", batch_rows=7
    )
    assert outcome.ok and outcome.totals["new"] == 40
    assert PlanChapter.objects.by_key("15-8.4").parent == PlanChapter.objects.by_key("15-8")


@pytest.mark.parametrize(
    "typed, code",
    [
        ("约束性", "binding"),
        ("binding", "binding"),
        ("Binding", "binding"),
        ("约束性指标", "binding"),  # the name, and more
        (" 预期性 ", "expected"),
    ],
)
def test_a_choice_is_read_from_its_code_or_its_name(typed, code):
    assert ChoiceWidget(Indicator.Nature.choices).clean(typed) == code


@pytest.mark.parametrize(
    "typed, code",
    [
        ("累计", "cumulative"),
        ("年均增长", "growth"),
        ("每年不低于", "every_year"),
        ("不低于", "at_least"),
    ],
)
def test_a_shorter_word_for_one_target_kind_is_read(typed, code):
    assert ChoiceWidget(Indicator.TargetKind.choices).clean(typed) == code


def test_a_word_that_could_be_two_choices_is_refused_naming_them():
    with translation.override("en"), pytest.raises(ValueError) as refusal:
        ChoiceWidget(Indicator.TargetKind.choices).clean("年均")  # 年均增长 or 规划期内年均?
    assert str(refusal.value).startswith(
        "“年均” is not one of: level in the target year、cumulative over the period、"
    )


def one_row(**cells):
    """An outline of one chapter with one section, and one indicator row, changed by
    `cells` ({header: value})."""
    indicator = dict(zip(INDICATOR_HEADERS, indicator_table(count=1)[0], strict=True))
    indicator["对应规划章节（以;分隔）"] = "2.1"
    return [INDICATOR_HEADERS, [(indicator | cells)[h] for h in INDICATOR_HEADERS]]


@pytest.mark.parametrize(
    "cells, column, message",
    [
        ({"指标属性（预期性/约束性）": "约束"}, None, None),  # read: contained in 约束性
        ({"目标为“左右”（是/否）": "也许"}, "目标为“左右”（是/否）", "is not yes or no"),
        ({"目标值": None}, "目标值", "Give the target value."),
        (
            {"基期口径": "时期累计值", "基期值": "30", "基期年份": 2025},
            "基期起始年份",
            "before the",
        ),
        ({"基期年份": 2031, "基期值": "1"}, "目标年份", "must come after the baseline year"),
        ({"对应规划章节（以;分隔）": "2.1;9.9"}, "对应规划章节（以;分隔）", "9.9"),
        ({"规划届次": 16}, "规划届次", "16"),
    ],
)
def test_each_indicator_rule_is_the_models_and_names_its_column(plan15, cells, column, message):
    outline_rows = [[15, "2", "发展目标", None], [15, "2.1", "主要指标", "2"]]
    assert import_file(ChapterResource(), book([CHAPTER_HEADERS[:4], *outline_rows]), "xlsx").ok
    with translation.override("en"):
        outcome = import_file(IndicatorResource(), book(one_row(**cells)), "xlsx")
    if column is None:
        assert outcome.ok, outcome.errors
        return
    assert [(row, col) for row, col, _m in outcome.errors] == [(2, column)]
    assert message in outcome.errors[0][2]
    assert not Indicator.objects.exists()


def test_an_indicator_of_another_plan_is_not_taken_over_by_its_code(plan15):
    fourteenth = make_indicator(plan=make_plan(), code="I15-01")
    headers, row = one_row(**{"对应规划章节（以;分隔）": ""})
    with translation.override("en"):
        outcome = import_file(IndicatorResource(), book([headers, row]), "xlsx")
    assert [(r, c) for r, c, _m in outcome.errors] == [(2, "指标编号")]
    assert "I15-01 is an indicator of the 十四五 plan" in outcome.errors[0][2]
    fourteenth.refresh_from_db()
    assert fourteenth.plan.number == 14 and fourteenth.name.startswith("测试指标")


@pytest.mark.parametrize(
    "row, column, message",
    [
        ([15, "3.1", "错挂", "2"], "章节编号", "A section's code starts with its parent's code"),
        ([15, "2.2", "段落", "2", None, 9, 8], "结束段落号", "cannot come before the first"),
        ([15, "2.3", "x", "2", None, None, None, "也许"], "标题为原文（是/否）", "yes or no"),
        ([15, "2.4", "", "2"], "章节标题", "This field cannot be blank."),
        ([15, "2.一", "x", "2"], "章节编号", "Use numbers and dots"),
        # Chapter 1 calls for no works, so none of its sections does (an empty cell is 是).
        ([15, "1.1", "成就", "1"], "需项目落实（是/否）", "the chapter 1 calls for none"),
    ],
)
def test_each_chapter_rule_is_the_models_and_names_its_column(plan15, row, column, message):
    rows = [
        CHAPTER_HEADERS,
        [15, "1", "发展基础", None, None, None, None, "是", "否"],
        [15, "2", "发展目标"] + [None] * 6,
        row + [None] * (9 - len(row)),
    ]
    with translation.override("en"):
        outcome = import_file(ChapterResource(), book(rows), "xlsx")
    assert [(r, c) for r, c, _m in outcome.errors] == [(4, column)]
    assert message in outcome.errors[0][2]
    assert not PlanChapter.objects.exists()


def test_a_reimport_with_the_orders_kept_changes_only_what_differs(plan15):
    assert import_file(ChapterResource(), book([CHAPTER_HEADERS, *outline()]), "xlsx").ok
    exported = ChapterResource().export(queryset=PlanChapter.objects.filter(code__startswith="3"))
    # A clerk corrects one title in a file of some chapters: their order comes with them.
    rows = [list(r) for r in exported]
    rows[0][exported.headers.index("章节标题")] = "第3章 改"
    outcome = import_file(ChapterResource(), book([exported.headers, *rows]), "xlsx")
    assert outcome.ok and outcome.totals["update"] == 1 and outcome.totals["skip"] == 4
    assert [c.code for c in PlanChapter.objects.all()] == [str(r[1]) for r in outline()]
    assert PlanChapter.objects.by_key("15-3").title == "第3章 改"


class TestTheAdmin:
    def test_each_template_has_the_columns_and_an_example_in_the_districts_words(
        self, client, administrator
    ):
        client.force_login(administrator)
        for name, headers in [
            ("projects_planchapter", CHAPTER_HEADERS),
            ("indicators_indicator", INDICATOR_HEADERS),
        ]:
            response = client.get(reverse(f"admin:{name}_template"))
            assert response.status_code == 200
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert [c.value for c in sheet[1]] == headers
            assert sheet.max_row == 2
            # Codes such as 3.10 stay as typed: their columns are text.
            for header in ("章节编号", "上级章节编号", "对应规划章节（以;分隔）"):
                if header in headers:
                    letter = chr(ord("A") + headers.index(header))
                    assert sheet.column_dimensions[letter].number_format == "@"
        example = dict(zip(INDICATOR_HEADERS, [c.value for c in sheet[2]], strict=True))
        assert example["指标属性（预期性/约束性）"] == "预期性"
        assert example["目标为“左右”（是/否）"] == "是"

    def test_an_outline_is_previewed_with_its_errors_then_imported(
        self, client, administrator, plan15
    ):
        client.force_login(administrator)
        url = reverse("admin:projects_planchapter_import")
        rows = [CHAPTER_HEADERS, *outline(chapters=2)]
        rows[3][3] = 9  # a section under a chapter 9 the plan does not have
        upload = io.BytesIO(book(rows).getvalue())
        upload.name = "outline.xlsx"
        response = client.post(url, {"import_file": upload, "format": 1})
        assert response.status_code == 200
        page = response.content.decode()
        assert "上级章节编号" in page and "wrong-cell" in page
        assert not response.context.get("confirm_form")
        assert not PlanChapter.objects.exists()

        upload = io.BytesIO(book([CHAPTER_HEADERS, *outline(chapters=2)]).getvalue())
        upload.name = "outline.xlsx"
        response = client.post(url, {"import_file": upload, "format": 1})
        confirm = response.context["confirm_form"]
        assert not PlanChapter.objects.exists()  # only a preview so far
        response = client.post(
            reverse("admin:projects_planchapter_process_import"), dict(confirm.initial)
        )
        assert response.status_code == 302
        assert PlanChapter.objects.filter(plan=plan15).count() == 10

    def test_others_cannot_import_an_outline(self, client, manager):
        client.force_login(manager)
        for name in ("projects_planchapter_import", "indicators_indicator_template"):
            response = client.get(reverse(f"admin:{name}"))
            assert response.status_code == 302 and "login" in response["Location"]
