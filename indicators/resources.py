"""Spreadsheet import and export of indicator values, keyed by the indicator's code and the
year, on the same terms as the portfolio's (projects.resources)."""

from projects.resources import CodeKeyedResource, by_code

from .models import Indicator, IndicatorValue


class IndicatorValueResource(CodeKeyedResource):
    indicator = by_code("indicator", Indicator)
    example = {"indicator": "I14-02", "year": 2025, "value": "1450", "note": "统计公报"}

    class Meta:
        model = IndicatorValue
        import_id_fields = ["indicator", "year"]
        fields = ["indicator", "year", "value", "note"]
