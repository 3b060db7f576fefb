"""Hand-computed cases for every target kind and status. No database."""

import pytest
from django.utils import translation

from indicators.progress import Kind, Status, Target, assess

approx = pytest.approx


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def gdp(**overrides):
    fields = dict(
        kind=Kind.LEVEL, target_year=2025, target_value=1450, period_start=2021, unit="亿元"
    )
    return Target(**(fields | overrides))


GROWTH = Target(kind=Kind.GROWTH, target_year=2025, target_value=6, period_start=2021, unit="%")
JOBS = Target(
    kind=Kind.CUMULATIVE, target_year=2025, target_value=8, period_start=2021, unit="万人"
)
DOCTORS = Target(
    kind=Kind.LEVEL,
    target_year=2025,
    target_value=4,
    period_start=2021,
    baseline_year=2020,
    baseline_value=3.86,
    unit="人",
)


class TestLevel:
    def test_without_a_baseline_it_starts_from_the_first_value_and_says_so(self):
        # from 1200 (2021) to 1450 (2025): 62.5 a year needed; 1300 in 2023 is 50 a year.
        result = assess(gdp(), {2021: 1200, 2022: 1250, 2023: 1300}, current_year=2024)
        assert result.started_from_first_value
        assert (result.start_year, result.start_value) == (2021, 1200)
        assert result.ratio == approx(0.8)
        assert result.status == Status.NEEDS_ACCELERATION
        assert result.projection == approx(1400)  # 1300 + 2 × 50
        assert "first value entered (2021)" in result.reason

    def test_the_required_pace_as_a_growth_rate(self):
        # 1234 in 2023, 1450 in 2025: (1450 / 1234) ** (1/2) = 1.0840, so 8.4 % a year.
        result = assess(gdp(), {2021: 1150, 2023: 1234}, current_year=2024)
        assert result.required.growth_rate == approx(8.399, abs=0.001)
        assert result.required.per_year == approx(108)  # (1450 - 1234) / 2
        assert "must grow 8.4% a year in each remaining year to reach 1450 亿元" in result.reason

    def test_with_a_baseline_on_track(self):
        # 3.86 (2020) to 4 (2025): 0.028 a year; 3.92 in 2022 is 0.03 a year: ratio 1.07.
        result = assess(DOCTORS, {2022: 3.92}, current_year=2023)
        assert not result.started_from_first_value
        assert result.ratio == approx(0.03 / 0.028)
        assert result.status == Status.ON_TRACK

    def test_limited_progress(self):
        # 3.87 in 2022: 0.005 a year against 0.028: ratio 0.18.
        result = assess(DOCTORS, {2022: 3.87}, current_year=2023)
        assert result.ratio == approx(0.005 / 0.028)
        assert result.status == Status.LIMITED_PROGRESS

    def test_moving_away(self):
        # 3.80 in 2022: -0.03 a year against +0.028.
        result = assess(DOCTORS, {2022: 3.80}, current_year=2023)
        assert result.ratio < 0
        assert result.status == Status.MOVING_AWAY

    def test_target_already_met(self):
        result = assess(DOCTORS, {2022: 3.9, 2023: 4.1}, current_year=2024)
        assert result.status == Status.MET
        assert result.required is None

    def test_lower_is_better(self):
        # unemployment 4.0 % (2020) to 3.5 % (2025): -0.1 a year; 3.9 in 2021 is on the path.
        target = Target(
            kind=Kind.LEVEL,
            target_year=2025,
            target_value=3.5,
            period_start=2021,
            baseline_year=2020,
            baseline_value=4.0,
            higher_is_better=False,
            unit="%",
        )
        result = assess(target, {2021: 3.9}, current_year=2022)
        assert result.ratio == approx(1.0)
        assert result.status == Status.ON_TRACK
        assert result.required.per_year == approx(-0.1)  # (3.5 - 3.9) / 4
        assert "-0.1 percentage points a year" in result.reason
        assert assess(target, {2021: 3.4}, current_year=2022).status == Status.MET
        assert assess(target, {2021: 4.2}, current_year=2022).status == Status.MOVING_AWAY

    def test_expected_path_is_linear(self):
        result = assess(DOCTORS, {2022: 3.9}, current_year=2023)
        assert result.expected[2020] == approx(3.86)
        assert result.expected[2022] == approx(3.916)  # 3.86 + 0.14 × 2/5
        assert result.expected[2025] == approx(4)

    def test_no_data(self):
        result = assess(gdp(), {}, current_year=2023)
        assert result.status == Status.NO_DATA

    def test_no_baseline_and_a_single_value(self):
        result = assess(gdp(), {2022: 1250}, current_year=2023)
        assert result.status == Status.NO_BASELINE
        assert "second year's value" in result.reason


class TestThresholds:
    ENROLMENT = Target(
        kind=Kind.AT_LEAST, target_year=2025, target_value=95, period_start=2021, unit="%"
    )
    INTENSITY = Target(
        kind=Kind.AT_MOST,
        target_year=2025,
        target_value=0.3,
        period_start=2021,
        baseline_year=2020,
        baseline_value=0.4,
        unit="吨标准煤/万元",
    )

    def test_at_least_met(self):
        assert assess(self.ENROLMENT, {2021: 96}, current_year=2022).status == Status.MET

    def test_at_least_on_track_from_the_first_value(self):
        # 93 (2021) to 95 (2025): 0.5 a year; 94.5 in 2022: 1.5 a year.
        result = assess(self.ENROLMENT, {2021: 93, 2022: 94.5}, current_year=2023)
        assert result.ratio == approx(3)
        assert result.status == Status.ON_TRACK

    def test_at_most_needs_acceleration_at_exactly_half_the_pace(self):
        # 0.4 (2020) to 0.3 (2025): -0.02 a year; 0.38 in 2022 is -0.01 a year: ratio 0.5.
        result = assess(self.INTENSITY, {2022: 0.38}, current_year=2023)
        assert result.ratio == approx(0.5)
        assert result.status == Status.NEEDS_ACCELERATION
        assert "must fall" in result.reason

    def test_at_most_met_and_moving_away(self):
        assert assess(self.INTENSITY, {2022: 0.29}, current_year=2023).status == Status.MET
        assert assess(self.INTENSITY, {2022: 0.42}, current_year=2023).status == Status.MOVING_AWAY


class TestGrowth:
    def test_average_growth_against_the_target_rate(self):
        # 8 % then 2 %: 1.08 × 1.02 = 1.1016; average sqrt(1.1016) - 1 = 4.957 %; ratio 0.826.
        result = assess(GROWTH, {2021: 8.0, 2022: 2.0}, current_year=2023)
        assert result.latest_value == approx(4.9571, abs=1e-4)
        assert result.ratio == approx(0.8262, abs=1e-4)
        assert result.status == Status.NEEDS_ACCELERATION

    def test_required_pace_compounds(self):
        # 1.06 ** 5 = 1.33823; / 1.1016 = 1.21481; cube root 1.06701: 6.7 % a year for 3 years.
        result = assess(GROWTH, {2021: 8.0, 2022: 2.0}, current_year=2023)
        assert result.required.per_year == approx(6.701, abs=0.001)
        assert result.required.years == 3
        assert "must grow 6.7% a year in each remaining year" in result.reason

    def test_expected_path_is_compound(self):
        result = assess(GROWTH, {2021: 6.0}, current_year=2022)
        assert result.expected[2020] == approx(100)
        assert result.expected[2022] == approx(112.36)
        assert result.actual[2021] == approx(106)

    def test_a_shrinking_economy_is_moving_away(self):
        assert assess(GROWTH, {2021: -1.0}, current_year=2022).status == Status.MOVING_AWAY

    def test_final_average_over_the_period(self):
        values = {2021: 8.0, 2022: 2.0, 2023: 5.0, 2024: 6.0, 2025: 6.5}
        result = assess(GROWTH, values, current_year=2026)
        # 1.08 × 1.02 × 1.05 × 1.06 × 1.065 = 1.30578; its fifth root is 1.05481: 5.48 %
        assert result.latest_value == approx(5.481, abs=0.001)
        assert result.status == Status.FINAL_NOT_MET


class TestCumulative:
    def test_pro_rata(self):
        # 8 over 2021-2025 is 1.6 a year; 1.5 + 1.7 = 3.2 in two years is 1.6 a year.
        result = assess(JOBS, {2021: 1.5, 2022: 1.7}, current_year=2023)
        assert result.latest_value == approx(3.2)
        assert result.ratio == approx(1.0)
        assert result.status == Status.ON_TRACK
        assert result.expected[2023] == approx(4.8)
        assert result.required.per_year == approx(1.6)  # (8 - 3.2) / 3
        assert result.projection == approx(8.0)

    def test_total_reached_early(self):
        result = assess(JOBS, {2021: 3, 2022: 3, 2023: 2.5}, current_year=2024)
        assert result.status == Status.MET

    def test_final(self):
        values = {2021: 1.5, 2022: 1.7, 2023: 1.6, 2024: 1.6, 2025: 1.7}
        assert assess(JOBS, values, current_year=2026).status == Status.FINAL_MET  # 8.1


class TestAfterTheTargetYear:
    def test_met(self):
        result = assess(gdp(), {2024: 1380, 2025: 1460}, current_year=2026)
        assert result.status == Status.FINAL_MET
        assert result.is_final
        assert result.gap == approx(-10)
        assert result.required is None

    def test_not_met_by_how_much(self):
        result = assess(gdp(), {2024: 1300, 2025: 1400}, current_year=2026)
        assert result.status == Status.FINAL_NOT_MET
        assert result.gap == approx(50)
        assert "short by 50 (3.4%)" in result.reason  # 50 / 1450

    def test_awaiting_the_final_figure_with_a_projection(self):
        result = assess(gdp(), {2023: 1250, 2024: 1300}, current_year=2026)
        assert result.status == Status.AWAITING_FINAL
        assert result.projection == approx(1350)
        assert "1350" in result.reason

    def test_values_after_the_target_year_do_not_count(self):
        result = assess(gdp(), {2024: 1300, 2025: 1400, 2026: 1500}, current_year=2027)
        assert result.status == Status.FINAL_NOT_MET


def test_share_of_target_once_final():
    assert assess(gdp(), {2025: 1305}, current_year=2026).share_of_target == approx(0.9)
    lower = Target(
        kind=Kind.AT_MOST,
        target_year=2025,
        target_value=0.3,
        period_start=2021,
        baseline_year=2020,
        baseline_value=0.4,
        unit="吨标准煤/万元",
    )
    assert assess(lower, {2025: 0.4}, current_year=2026).share_of_target == approx(0.75)


INVESTMENT = Target(
    kind=Kind.CUMULATIVE, target_year=2025, target_value=2500, period_start=2021, unit="亿元"
)


class TestMissingYears:
    def test_a_cumulative_target_is_projected_from_the_years_reported(self):
        # 540.3 + 501.29 = 1041.59 over two years: 520.795 a year, × 5 = 2603.975; on pace.
        result = assess(INVESTMENT, {2023: 540.3, 2024: 501.29}, current_year=2025)
        assert result.projection == approx(2603.975)
        assert result.ratio == approx(520.795 / 500)
        assert result.status == Status.ON_TRACK
        assert result.missing_years == [2021, 2022]
        assert "No figure for 2021, 2022" in result.reason
        assert result.required.years == 3  # 2021, 2022 and 2025 are still open
        assert result.required.per_year == approx((2500 - 1041.59) / 3)

    def test_the_running_total_stops_at_the_first_missing_year(self):
        result = assess(INVESTMENT, {2021: 500, 2023: 540.3}, current_year=2024)
        assert result.actual == {2020: 0.0, 2021: 500}

    def test_a_period_target_with_a_missing_year_is_not_judged_as_if_it_were_zero(self):
        result = assess(INVESTMENT, {2023: 540.3, 2024: 501.29, 2025: 520}, current_year=2026)
        assert result.status == Status.AWAITING_FINAL
        assert "no figure yet for 2021, 2022" in result.reason

    def test_growth_averages_say_which_years_they_use(self):
        result = assess(GROWTH, {2023: 4.8, 2024: 2.3}, current_year=2025)
        assert result.years_used == [2023, 2024]
        assert "Average growth over 2023, 2024" in result.reason
        # 1.06 ** 5 / (1.048 × 1.023) = 1.24822, over the 3 open years: 7.67 % a year (cube root 1.07671).
        assert result.required.per_year == approx(7.671, abs=0.001)
        assert result.actual == {2020: 100.0}  # the index is unknown after 2021 is missing


FLOOR = Target(
    kind=Kind.EVERY_YEAR, target_year=2025, target_value=1.6, period_start=2021, unit="万人"
)
TRAINING = Target(
    kind=Kind.ANNUAL_AVERAGE, target_year=2025, target_value=2, period_start=2021, unit="万人次"
)


class TestEveryYear:
    def test_a_year_below_the_floor_is_listed(self):
        result = assess(FLOOR, {2021: 1.8, 2022: 1.5}, current_year=2023)
        assert result.status == Status.BELOW_TARGET
        assert result.years_below == [2022]
        assert "2022: 1.5 万人 against 1.6 万人" in result.reason

    def test_on_track_while_every_year_reported_reaches_it(self):
        result = assess(FLOOR, {2021: 1.8, 2022: 1.6}, current_year=2023)
        assert result.status == Status.ON_TRACK

    def test_final_not_met_when_one_year_fell_short(self):
        values = {2021: 1.8, 2022: 1.5, 2023: 1.7, 2024: 1.7, 2025: 1.7}
        assert assess(FLOOR, values, current_year=2026).status == Status.FINAL_NOT_MET

    def test_final_met_needs_every_year(self):
        values = {2021: 1.8, 2022: 1.7, 2023: 1.7, 2024: 1.7}
        assert assess(FLOOR, values, current_year=2026).status == Status.AWAITING_FINAL
        values[2025] = 1.6
        assert assess(FLOOR, values, current_year=2026).status == Status.FINAL_MET

    def test_a_target_set_for_each_year(self):
        target = Target(
            kind=Kind.YEARLY_TARGET,
            target_year=2025,
            target_value=None,
            period_start=2021,
            unit="%",
            yearly_targets={2021: 3.0, 2022: 3.5},
        )
        result = assess(target, {2021: 3.2, 2022: 3.1, 2023: 4.0}, current_year=2024)
        assert result.years_below == [2022]
        assert "No target has been entered for 2023" in result.reason


class TestAnnualAverage:
    def test_four_low_years_and_one_high_year_do_not_meet_an_average(self):
        values = {2021: 1.0, 2022: 1.0, 2023: 1.0, 2024: 1.0, 2025: 2.1}
        result = assess(TRAINING, values, current_year=2026)
        assert result.latest_value == approx(1.22)
        assert result.status == Status.FINAL_NOT_MET

    def test_the_average_needed_in_the_years_left(self):
        # 10 over five years; 1.5 + 2.0 = 3.5 so far: 6.5 over the three open years.
        result = assess(TRAINING, {2021: 1.5, 2022: 2.0}, current_year=2023)
        assert result.latest_value == approx(1.75)
        assert result.ratio == approx(0.875)
        assert result.status == Status.NEEDS_ACCELERATION
        assert result.required.per_year == approx(6.5 / 3)


class TestAbout:
    ABOUT = Target(
        kind=Kind.GROWTH, target_year=2025, target_value=6, period_start=2021, unit="%", about=True
    )

    def test_within_the_default_band_is_met_within_the_band(self):
        values = {2021: 6.0, 2022: 6.0, 2023: 5.8, 2024: 6.0, 2025: 5.95}
        result = assess(self.ABOUT, values, current_year=2026)
        assert result.status == Status.FINAL_WITHIN_BAND
        assert "within the band of 0.3%" in result.reason

    def test_a_stated_band_replaces_the_default(self):
        strict = Target(**(self.ABOUT.__dict__ | {"tolerance": 0.01}))
        values = {2021: 6.0, 2022: 6.0, 2023: 5.8, 2024: 6.0, 2025: 5.95}
        assert assess(strict, values, current_year=2026).status == Status.FINAL_NOT_MET

    def test_a_strict_target_has_no_band(self):
        values = {2021: 6.0, 2022: 6.0, 2023: 5.8, 2024: 6.0, 2025: 5.95}
        assert assess(GROWTH, values, current_year=2026).status == Status.FINAL_NOT_MET


class TestAFinalVerdictKeepsItsContext:
    def test_unit_pace_needed_and_start(self):
        # GDP: 1316.36 in 2024 needed (1450 / 1316.36) - 1 = 10.15 % in 2025.
        result = assess(gdp(), {2023: 1277.93, 2024: 1316.36, 2025: 1400}, current_year=2026)
        assert result.status == Status.FINAL_NOT_MET
        assert "1400 亿元 against a target of 1450 亿元" in result.reason
        assert result.needed_in_target_year.growth_rate == approx(10.15, abs=0.01)
        assert "As judged in 2025: It must grow 10.2% a year" in result.reason
        assert "first value entered, 1277.93 亿元 in 2023" in result.reason


def test_a_period_baseline_is_not_a_starting_level():
    target = gdp(baseline_year=2020, baseline_value=5009.66, baseline_kind="period_total")
    result = assess(target, {2022: 1200, 2023: 1250}, current_year=2024)
    assert result.started_from_first_value
    assert result.start_value == 1200


def test_a_total_past_the_target_is_met_whatever_the_missing_years_hold():
    signed = Target(kind=Kind.CUMULATIVE, target_year=2025, target_value=150, period_start=2021)
    assert assess(signed, {2024: 281}, current_year=2026).status == Status.FINAL_MET
