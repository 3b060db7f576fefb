"""Spreadsheet import and export of indicator values, keyed by the indicator's code and the
year, on the same terms as the portfolio's (projects.resources). A row carries where its
figure comes from: `source` (official, department or sample), and for an official value
the published source's title, date and address; `year_target` is the year's own target of
an indicator whose target is set for each year; `change_reason`, needed to change a
published value, goes into the row's history.

A plan's indicators themselves (the `indicators` kind) come on the same terms: the plan by
its number, the responsible department by its slug, the chapters by their codes in the
plan, the choices by their Chinese names (约束性, 累计); the rules are the model's
(Indicator.clean)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.importcolumns import LinkField, PlanChapterCodesWidget
from projects.models import Department
from projects.resources import (
    ChangeReasonField,
    CodeKeyedResource,
    FileOrderMixin,
    by_code,
    plan_column,
)

from .models import Indicator, IndicatorValue


class IndicatorValueResource(CodeKeyedResource):
    indicator = by_code("indicator", Indicator)
    # A change to a published (official) value is refused without a reason.
    change_reason = ChangeReasonField("change_reason")
    example = {
        "indicator": "I14-02",
        "year": 2025,
        "value": "1450",
        "year_target": "",
        "note": "统计公报",
        "source": "official",
        "source_title": "2025年广州市荔湾区国民经济和社会发展统计公报",
        "source_date": "2026-03-31",
        "source_url": "http://www.lw.gov.cn/",
        "change_reason": "",
    }
    column_names = {
        "indicator": "指标编号",
        "year": "年度",
        "value": "数值",
        "year_target": "本年度目标值",
        "note": "数据来源说明",
        "source": "来源类别",
        "source_title": "来源文件标题",
        "source_date": "来源日期",
        "source_url": "来源网址",
        "change_reason": "修改原因",
    }

    class Meta:
        model = IndicatorValue
        import_id_fields = ["indicator", "year"]
        fields = [
            "indicator",
            "year",
            "value",
            "year_target",
            "note",
            "source",
            "source_title",
            "source_date",
            "source_url",
            "change_reason",
        ]


class IndicatorResource(FileOrderMixin, CodeKeyedResource):
    """A plan's indicator table, keyed by the indicator's code (unique across plans: a
    code of another plan's indicator is refused, never moved into this one)."""

    plan = plan_column()
    responsible_department = by_code("responsible_department", Department, field="slug")
    chapters = LinkField("chapters", PlanChapterCodesWidget())
    text_columns = ("chapters",)
    example = {
        "plan": 15,
        "code": "I15-01",
        "name": "地区生产总值年均增长率",
        "name_en": "Average annual growth rate of GDP",
        "unit": "%",
        "category": "经济发展",
        "nature": "预期性",
        "target_kind": "年均增长",
        "direction": "越高越好",
        "baseline_value": "4.5",
        "baseline_year": 2025,
        "baseline_kind": "时期年均值",
        "baseline_period_start": 2021,
        "target_value": "5",
        "target_year": 2030,
        "about": "是",
        "tolerance": "",
        "responsible_department": "statistics",
        "chapters": "2.1",
        "note": "",
        "order": "",
    }
    column_names = {
        "plan": "规划届次",
        "code": "指标编号",
        "name": "指标名称",
        "name_en": "英文名称",
        "unit": "计量单位",
        "category": "指标类别",
        "nature": "指标属性（预期性/约束性）",
        "target_kind": "目标类型",
        "direction": "指标方向",
        "baseline_value": "基期值",
        "baseline_year": "基期年份",
        "baseline_kind": "基期口径",
        "baseline_period_start": "基期起始年份",
        "target_value": "目标值",
        "target_year": "目标年份",
        "about": "目标为“左右”（是/否）",
        "tolerance": "允许偏差",
        "responsible_department": "责任单位代码",
        "chapters": "对应规划章节（以;分隔）",
        "note": "备注",
        "order": "排序（空：按行序）",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["chapters"].widget.plan_field = self.fields["plan"]

    def find_saved_rows(self, dataset):
        super().find_saved_rows(dataset)
        self.saved_plans = {key: row.plan for key, row in self.saved_rows.items()}

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        saved_plan = self.saved_plans.get(self.instance_key(instance))
        if saved_plan is not None and saved_plan.pk != instance.plan_id:
            raise ValidationError(
                {
                    "code": _(
                        "%(code)s is an indicator of the %(plan)s plan: give this one a code "
                        "of its own."
                    )
                    % {"code": instance.code, "plan": saved_plan.short_name}
                }
            )

    class Meta:
        model = Indicator
        import_id_fields = ["code"]
        fields = [
            "plan",
            "code",
            "name",
            "name_en",
            "unit",
            "category",
            "nature",
            "target_kind",
            "direction",
            "baseline_value",
            "baseline_year",
            "baseline_kind",
            "baseline_period_start",
            "target_value",
            "target_year",
            "about",
            "tolerance",
            "responsible_department",
            "chapters",
            "note",
            "order",
        ]
