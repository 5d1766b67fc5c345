"""Confidence intervals, significance and trends (sli_rules.assessment.uncertainty) against published
worked values, independent calculations, the edges and invalid input."""

from __future__ import annotations

import subprocess
import sys
from statistics import NormalDist
from typing import Literal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sli_rules.assessment.uncertainty import (
    Interval,
    StatsExtraMissing,
    byar_limits,
    confidence_interval,
    exact_poisson_limits,
    improving,
    rate_interval,
    significantly_better,
    significantly_worse,
    trend_column,
    wilson_interval,
    worsening,
    z_score,
)

from .conftest import REPO

scipy_stats = pytest.importorskip("scipy.stats")
optimize = pytest.importorskip("scipy.optimize")


def four(number: float) -> float:
    return round(number, 4)


# --- Wilson ----------------------------------------------------------------------------


# Published: R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Statistics in Medicine 17 (1998) 857-872, Table II, method 3
# (the score method without continuity correction), 95% intervals, to 4 decimal places.
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("numerator", "denominator", "lower", "upper"), NEWCOMBE_1998)
def test_wilson_matches_newcombes_published_intervals(
    numerator: int, denominator: int, lower: float, upper: float
) -> None:
    interval = wilson_interval(numerator, denominator)
    assert (four(interval.lower), four(interval.upper)) == (lower, upper)
    assert interval.method == "wilson" and interval.confidence == 95


@pytest.mark.parametrize("confidence", [95, 99.8])
@pytest.mark.parametrize(("numerator", "denominator"), [(81, 263), (412, 590), (3, 7), (1, 1), (0, 1), (57, 57)])
def test_wilson_agrees_with_scipys_binomial_test(numerator: int, denominator: int, confidence: float) -> None:
    # Independent: SciPy's own Wilson interval (inverted score test, its own code path).
    ci = scipy_stats.binomtest(numerator, denominator).proportion_ci(confidence_level=confidence / 100, method="wilson")
    interval = wilson_interval(numerator, denominator, confidence=confidence)
    assert (four(interval.lower), four(interval.upper)) == (four(ci.low), four(ci.high))


def test_wilson_scaled_to_percentages() -> None:
    interval = wilson_interval(81, 263, per=100)
    assert (round(interval.lower, 2), round(interval.upper, 2)) == (25.53, 36.62)
    assert interval.value == pytest.approx(100 * 81 / 263)


def test_wilson_edges() -> None:
    none = wilson_interval(0, 20)
    assert none.lower == 0.0 and none.value == 0.0 and 0 < none.upper < 1
    every = wilson_interval(20, 20)
    assert every.upper == 1.0 and every.value == 1.0 and four(every.lower) == four(1 - none.upper)
    one = wilson_interval(1, 1, per=100)
    assert one.upper == 100.0 and four(one.lower) == four(100 * (1 - wilson_interval(0, 1).upper))
    # A denominator of 1 says little: the 95% interval of 0 of 1 runs past 79%.
    assert four(wilson_interval(0, 1).upper) == 0.7935
    # Survey-weighted counts need not be whole.
    assert wilson_interval(12.5, 40.25).contains(12.5 / 40.25)


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        (21, 20, "numerator 21 is above its denominator 20"),
        (-1, 20, "numerator cannot be negative: -1"),
        (1, -20, "denominator cannot be negative: -20"),
        (0, 0, "denominator must be above 0"),
        (float("nan"), 20, "numerator must be a finite number"),
        (True, 20, "numerator must be a number"),
        ("3", 20, "numerator must be a number"),
    ],
)
def test_wilson_refuses_impossible_counts(numerator: object, denominator: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        wilson_interval(numerator, denominator)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0, 100, -5, 150, "95"])
def test_confidence_is_a_percentage(confidence: object) -> None:
    with pytest.raises(ValueError, match="confidence is a percentage between 0 and 100"):
        wilson_interval(1, 2, confidence=confidence)  # type: ignore[arg-type]


def test_normal_quantiles() -> None:
    # The quantiles the indicator methods quote: 1.96 (95%) and 3.09 (99.8%).
    assert round(z_score(95), 6) == 1.959964 and round(z_score(99.8), 6) == 3.090232


# --- Byar and the exact Poisson limits --------------------------------------------------


def test_byar_matches_a_published_worked_example() -> None:
    # Published: the `byar` Ruby gem's documented example (RubyGems), with z = 1.96 exactly:
    # 100 observed give an upper limit of 121.628347271806 and, over 90 expected, a lower
    # ratio of 0.9040199067337297 (lower limit 81.36179160603567). The confidence level whose
    # two-sided quantile is exactly 1.96 reproduces them.
    confidence = (2 * NormalDist().cdf(1.96) - 1) * 100
    lower, upper = byar_limits(100, confidence=confidence)
    assert four(upper) == 121.6283 and four(lower / 90) == 0.904
    assert four(lower) == four(0.9040199067337297 * 90)


def _exact_by_root_finding(events: int, confidence: float) -> tuple[float, float]:
    """The exact Poisson limits by another method: solve P(X >= O; mu) = alpha/2 and
    P(X <= O; mu) = alpha/2 for mu with scipy.stats.poisson and a root finder."""
    alpha = 1 - confidence / 100
    poisson = scipy_stats.poisson
    lower = 0.0 if events == 0 else optimize.brentq(lambda mu: poisson.sf(events - 1, mu) - alpha / 2, 1e-12, 1e4)
    upper = optimize.brentq(lambda mu: poisson.cdf(events, mu) - alpha / 2, 1e-12, 1e4)
    return lower, upper


@pytest.mark.parametrize("confidence", [95, 99.8])
@pytest.mark.parametrize("events", [0, 1, 2, 5, 9, 10, 25])
def test_exact_limits_agree_with_the_poisson_distribution_itself(events: int, confidence: float) -> None:
    lower, upper = exact_poisson_limits(events, confidence=confidence)
    expected = _exact_by_root_finding(events, confidence)
    assert (four(lower), four(upper)) == (four(expected[0]), four(expected[1]))


def test_exact_limits_at_zero_events_match_the_published_value() -> None:
    # Published: the epitools R package's documentation of pois.exact: for x = 0 the 95%
    # upper limit is 3.689 (the lower limit is 0).
    lower, upper = exact_poisson_limits(0)
    assert lower == 0.0 and round(upper, 3) == 3.689


def test_byar_is_within_two_tenths_of_a_percent_of_exact_from_ten_events() -> None:
    # Published claim: PHE's "Technical Guide: Confidence Intervals" (2018): at 95%, Byar's
    # method is within 0.2% of the exact value for numerators of 10 or more.
    for events in [*range(10, 200), 500, 1000, 5000]:
        byar = byar_limits(events)
        exact = exact_poisson_limits(events)
        assert abs(byar[0] - exact[0]) <= 0.002 * exact[0], events
        assert abs(byar[1] - exact[1]) <= 0.002 * exact[1], events


def test_rates_switch_from_exact_to_byar_at_ten_events() -> None:
    nine = rate_interval(9, 20_000)
    ten = rate_interval(10, 20_000)
    assert nine.method == "exact poisson" and ten.method == "byar"
    lower, upper = exact_poisson_limits(9)
    assert (nine.lower, nine.upper) == (lower * 5, upper * 5)  # per 100,000 of 20,000 people
    assert nine.value == 45.0 and ten.value == 50.0
    # Byar at 10 events, written out: 10 (1 - 1/90 - z/(3 sqrt 10))^3 and 11 (...)^3.
    z = z_score(95)
    assert ten.lower == pytest.approx(5 * 10 * (1 - 1 / 90 - z / (3 * 10**0.5)) ** 3)
    assert ten.upper == pytest.approx(5 * 11 * (1 - 1 / 99 + z / (3 * 11**0.5)) ** 3)


def test_rate_edges() -> None:
    none = rate_interval(0, 1)
    assert none.value == 0.0 and none.lower == 0.0 and four(none.upper / 100_000) == 3.6889
    # Events may outnumber the population: a rate is not a share.
    assert rate_interval(30, 10, per=1).value == 3.0
    with pytest.raises(ValueError, match="population must be above 0"):
        rate_interval(3, 0)
    with pytest.raises(ValueError, match="events cannot be negative: -3"):
        rate_interval(-3, 100)
    with pytest.raises(ValueError, match="per must be a positive number"):
        rate_interval(3, 100, per=0)


def test_confidence_interval_picks_the_method() -> None:
    assert confidence_interval("proportion", 81, 263) == wilson_interval(81, 263)
    assert confidence_interval("rate", 40, 80_000) == rate_interval(40, 80_000, per=100_000)
    assert confidence_interval("rate", 40, 80_000, per=1000).value == 0.5
    with pytest.raises(ValueError, match="method is 'proportion' or 'rate'"):
        confidence_interval("mean", 1, 2)  # type: ignore[arg-type]


def test_without_scipy_the_exact_limits_name_the_extra() -> None:
    # SciPy made unimportable in a fresh interpreter: Wilson and Byar still work (they need
    # only the normal quantile); the exact limits say which extra to install.
    script = (
        "import sys; sys.modules['scipy'] = None\n"
        "from sli_rules.assessment.uncertainty import rate_interval, wilson_interval, StatsExtraMissing\n"
        "wilson_interval(3, 7); rate_interval(12, 1000)\n"
        "try:\n    rate_interval(3, 1000)\nexcept StatsExtraMissing as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        'the exact Poisson limits (fewer than 10 events) need SciPy: pip install "sli-rules[stats]"'
    )
    assert issubclass(StatsExtraMissing, ImportError)


# --- properties -------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=100_000)


@given(counts, st.integers(min_value=0, max_value=100_000), st.sampled_from([95, 99.8]))
def test_wilson_holds_its_estimate_inside_zero_to_one(numerator: int, extra: int, confidence: float) -> None:
    assume(numerator + extra > 0)
    denominator = numerator + extra
    interval = wilson_interval(numerator, denominator, confidence=confidence)
    assert 0 <= interval.lower <= interval.value <= interval.upper <= 1


@given(counts, st.integers(min_value=1, max_value=100_000))
def test_the_wider_confidence_holds_the_narrower(numerator: int, extra: int) -> None:
    denominator = numerator + extra
    narrow = wilson_interval(numerator, denominator)
    wide = wilson_interval(numerator, denominator, confidence=99.8)
    assert wide.lower <= narrow.lower and narrow.upper <= wide.upper
    narrow_rate = rate_interval(numerator, denominator)
    wide_rate = rate_interval(numerator, denominator, confidence=99.8)
    assert wide_rate.lower <= narrow_rate.lower <= narrow_rate.value <= narrow_rate.upper <= wide_rate.upper


@given(counts, st.integers(min_value=1, max_value=10_000_000))
def test_a_rate_interval_holds_its_rate(events: int, population: int) -> None:
    interval = rate_interval(events, population)
    assert 0 <= interval.lower <= interval.value <= interval.upper


years_of_values = st.lists(
    st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)), min_size=2, max_size=8
).map(lambda values: {f"{2015 + i}-{(16 + i) % 100:02d}": value for i, value in enumerate(values)})


@given(years_of_values, st.integers(min_value=1, max_value=7))
def test_trends_mirror_each_other(values: dict[str, float | None], years: int) -> None:
    worse = worsening(values, "higher", years)
    better = improving(values, "higher", years)
    # Never both; the other polarity swaps them; unknown together, for the same reason.
    assert not (worse.holds and better.holds)
    assert improving(values, "lower", years) == worse and worsening(values, "lower", years) == better
    assert (worse.holds is None) == (better.holds is None) and worse.reason == better.reason
    assert len(worse.years) == years + 1 and worse.years[-1] == max(values)


YEARS = [f"{2015 + i}-{(16 + i) % 100:02d}" for i in range(9)]
# Few distinct values, so that equal neighbours (neither worse nor better) come up often.
trend_values = st.one_of(
    st.none(), st.sampled_from([0.0, 1.0, 2.0, 3, float("nan"), float("inf")]), st.floats(-10, 10)
)
finite = st.sampled_from([0.0, 1.0, 2.0, 3])
histories = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(YEARS), trend_values, max_size=9),
    st.fixed_dictionaries({year: finite for year in YEARS}),  # every year known: a trend decided
)


@given(
    st.lists(st.tuples(histories, st.one_of(trend_values, finite)), max_size=12),
    st.sampled_from(YEARS[1:]),
    st.integers(min_value=1, max_value=5),
    st.lists(st.sampled_from(YEARS), max_size=2),
    st.sampled_from(["higher", "lower"]),
    st.sampled_from(["worsening", "improving"]),
)
def test_a_trend_column_is_each_authoritys_trend(
    authorities: list[tuple[dict[str, float | None] | None, float | None]],
    until: str,
    years: int,
    breaks: list[str],
    better: Literal["higher", "lower"],
    direction: Literal["worsening", "improving"],
) -> None:
    """Deriving's column of trends (the span and its breaks worked out once) holds to the
    trend of each authority's own values, this year's standing in for any history of it."""
    one = worsening if direction == "worsening" else improving
    column = trend_column(
        direction, [history for history, _ in authorities], [current for _, current in authorities],
        better, years, breaks=breaks, until=until,
    )
    assert column == [
        one({**(history or {}), until: current}, better, years, breaks=breaks, until=until).holds
        for history, current in authorities
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"years": 0}, "years must be a whole number of at least 1"),
        ({"better": "none"}, "'higher' or 'lower' is better"),
        ({"histories": [{"2019": 1.0}]}, "a financial year like '2019-20', not '2019'"),
        ({"until": "2023-25"}, "not '2023-25'"),
        ({"breaks": ["soon"]}, "not 'soon'"),
    ],
)
def test_a_trend_columns_arguments_are_checked_as_one_trends(arguments: dict[str, object], message: str) -> None:
    given = {"histories": [SERIES], "currents": [1.0], "better": "higher", "years": 2, "until": "2022-23"}
    with pytest.raises(ValueError, match=message):
        trend_column("worsening", **{**given, **arguments})  # type: ignore[arg-type]


# --- significance -----------------------------------------------------------------------


def test_significance_by_polarity() -> None:
    interval = Interval(value=30.0, lower=25.0, upper=35.0, confidence=95, method="wilson")
    # Higher is better: worse when the whole interval is below the reference.
    assert significantly_worse(interval, 40, "higher") and not significantly_better(interval, 40, "higher")
    assert significantly_better(interval, 20, "higher") and not significantly_worse(interval, 20, "higher")
    # Lower is better: the same interval above a reference of 20 is worse.
    assert significantly_worse(interval, 20, "lower") and significantly_better(interval, 40, "lower")
    # Overlapping, or only touching, the reference: neither.
    for reference in (25.0, 30.0, 35.0):
        for better in ("higher", "lower"):
            assert not significantly_worse(interval, reference, better)  # type: ignore[arg-type]
            assert not significantly_better(interval, reference, better)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'higher' or 'lower' is better, not 'none'"):
        significantly_worse(interval, 20, "none")  # type: ignore[arg-type]


def test_significance_depends_on_the_confidence() -> None:
    # 412 of 590 (69.8%) against 64%: significantly above at 95%, not at 99.8%.
    at_95 = wilson_interval(412, 590, per=100)
    at_998 = wilson_interval(412, 590, per=100, confidence=99.8)
    assert at_998.lower < 64 < at_95.lower
    assert significantly_better(at_95, 64, "higher") and not significantly_better(at_998, 64, "higher")


def test_a_handful_of_admissions_is_not_significant() -> None:
    # 6 admissions in 30,000 people (20 per 100,000) against an England rate of 13.3:
    # a rise of half, and still not significant with so few events.
    interval = rate_interval(6, 30_000)
    assert interval.method == "exact poisson" and interval.value == 20.0
    assert not significantly_worse(interval, 13.3, "lower")
    assert significantly_worse(rate_interval(600, 3_000_000), 13.3, "lower")


# --- trends -----------------------------------------------------------------------------

SERIES = {"2019-20": 50.0, "2020-21": 48.0, "2021-22": 45.0, "2022-23": 41.0, "2023-24": 44.0}


def test_worsening_and_improving_by_polarity() -> None:
    # Falling three years running up to 2022-23: worse when higher is better.
    three = worsening(SERIES, "higher", 3, until="2022-23")
    assert three.holds is True and three.reason is None
    assert three.years == ("2019-20", "2020-21", "2021-22", "2022-23")
    assert improving(SERIES, "lower", 3, until="2022-23").holds is True
    assert improving(SERIES, "higher", 3, until="2022-23").holds is False
    # Up to the latest year (the default) 2023-24 rose: the run is broken.
    assert worsening(SERIES, "higher", 3).holds is False
    assert improving(SERIES, "higher", 1).holds is True
    # Equal values are neither worse nor better.
    flat = {"2021-22": 5.0, "2022-23": 5.0}
    assert worsening(flat, "higher", 1).holds is False and improving(flat, "higher", 1).holds is False


def test_a_missing_year_makes_a_trend_unknown() -> None:
    values: dict[str, float | None] = {**SERIES, "2020-21": None}
    trend = worsening(values, "higher", 3, until="2022-23")
    assert trend.holds is None and trend.reason == "no value for 2020-21"
    absent = {year: value for year, value in SERIES.items() if year != "2019-20"}
    assert worsening(absent, "higher", 3, until="2022-23").reason == "no value for 2019-20"
    assert worsening({**SERIES, "2021-22": float("nan")}, "higher", 3, until="2022-23").reason == (
        "no value for 2021-22"
    )
    # Years outside the window do not matter.
    assert worsening(values, "higher", 1, until="2022-23").holds is True


def test_a_definition_break_makes_a_trend_unknown_and_says_which() -> None:
    trend = worsening(SERIES, "higher", 3, until="2022-23", breaks={"2021-22"})
    assert trend.holds is None
    assert trend.reason == "2021-22 starts a definition break (not comparable with 2020-21)"
    # A break at the first year looked at is no comparison within the window.
    assert worsening(SERIES, "higher", 2, until="2022-23", breaks={"2020-21"}).holds is True
    both = worsening({**SERIES, "2021-22": None}, "higher", 3, until="2022-23", breaks=["2022-23"])
    assert both.reason == "no value for 2021-22; 2022-23 starts a definition break (not comparable with 2021-22)"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"values": SERIES, "better": "higher", "years": 0}, "years must be a whole number of at least 1"),
        ({"values": SERIES, "better": "none", "years": 2}, "'higher' or 'lower' is better"),
        ({"values": {"2019": 1.0}, "better": "higher", "years": 1}, "a financial year like '2019-20', not '2019'"),
        ({"values": SERIES, "better": "higher", "years": 1, "until": "2023-25"}, "not '2023-25'"),
        ({"values": SERIES, "better": "higher", "years": 1, "breaks": ["soon"]}, "not 'soon'"),
        ({"values": {}, "better": "higher", "years": 1}, "no years given"),
    ],
)
def test_trend_arguments_are_checked(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        worsening(**arguments)  # type: ignore[arg-type]
