"""Spreadsheet import and export of indicator values, keyed by the indicator's code and the
year, on the same terms as the portfolio's (projects.resources). A row carries where its
figure comes from: `source` (official, department or sample), and for an official value
the published source's title, date and address; `year_target` is the year's own target of
an indicator whose target is set for each year; `change_reason`, needed to change a
published value, goes into the row's history."""

from projects.resources import ChangeReasonField, CodeKeyedResource, by_code

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
