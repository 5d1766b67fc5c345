"""Two years compared as two samples, and tests of trend (sli_rules.assessment.uncertainty): the
worked figures of the rule format, published values, independent references (SciPy), and
seeded simulations showing that with no real change each test fires at its nominal rate."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest

from sli_rules.assessment.uncertainty import (
    NO_CHANGE,
    change_interval,
    improving_trend,
    linear_trend,
    proportion_difference,
    rate_ratio,
    significantly_better,
    significantly_worse,
    wilson_interval,
    worsening_trend,
)

from .conftest import REPO

scipy_stats = pytest.importorskip("scipy.stats")
numpy = pytest.importorskip("numpy")


def three(number: float) -> float:
    return round(number, 3)


# --- the worked figures of the rule format ---------------------------------------------


def test_proportions_410_of_600_against_450_of_620_is_not_significant() -> None:
    difference = proportion_difference(410, 600, 450, 620, per=100)
    assert (three(difference.lower), three(difference.upper)) == (-9.344, 0.871)
    assert not significantly_worse(difference, NO_CHANGE["proportion"], "higher")
    # Though this year's own interval lies below last year's value, as if that were exact.
    own = wilson_interval(410, 600, per=100)
    assert (three(own.lower), three(own.upper)) == (64.505, 71.929) and own.upper < 100 * 450 / 620
    assert three(100 * 450 / 620) == 72.581


def test_proportions_380_of_600_against_450_of_620_is_significant_at_both_levels() -> None:
    at_95 = proportion_difference(380, 600, 450, 620, per=100)
    at_998 = proportion_difference(380, 600, 450, 620, per=100, confidence=99.8)
    assert (three(at_95.lower), three(at_95.upper)) == (-14.420, -4.013)
    assert (three(at_998.lower), three(at_998.upper)) == (-17.349, -0.993)
    assert significantly_worse(at_95, 0, "higher") and significantly_worse(at_998, 0, "higher")
    # Lower is better: the same fall is a significant improvement.
    assert significantly_better(at_95, 0, "lower") and not significantly_worse(at_95, 0, "lower")


def test_rates_150_in_20000_against_110_in_21000() -> None:
    at_95 = rate_ratio(150, 20_000, 110, 21_000)
    at_998 = rate_ratio(150, 20_000, 110, 21_000, confidence=99.8)
    assert (three(at_95.lower), three(at_95.upper)) == (1.112, 1.848)
    # The rule format prints 0.967 to 2.137: the lower limit is 0.96649 (SciPy's binomtest
    # agrees, below), which rounds to 0.966; the conclusion (not significant) is the same.
    assert (round(at_998.lower, 5), three(at_998.upper)) == (0.96649, 2.137)
    assert significantly_worse(at_95, NO_CHANGE["rate"], "lower")
    assert not significantly_worse(at_998, NO_CHANGE["rate"], "lower")
    assert at_95.value == pytest.approx((150 / 20_000) / (110 / 21_000))


def test_rates_135_in_20000_against_110_in_21000_is_not_significant() -> None:
    ratio = rate_ratio(135, 20_000, 110, 21_000)
    assert (three(ratio.lower), three(ratio.upper)) == (0.994, 1.673)
    assert not significantly_worse(ratio, 1, "lower")


def test_trend_in_proportions_700_to_650_of_1000() -> None:
    statistic, p_value, direction = linear_trend("proportion", [(x, 1000) for x in (700, 690, 675, 660, 650)])
    assert three(statistic) == 7.704 and round(p_value, 4) == 0.0055 and direction < 0
    counts = {f"{2019 + i}-{20 + i}": (x, 1000) for i, x in enumerate((700, 690, 675, 660, 650))}
    assert worsening_trend("proportion", counts, "higher", 4, confidence=95).holds is True
    strict = worsening_trend("proportion", counts, "higher", 4)  # 99.8 by default
    assert strict.holds is False and strict.confidence == 99.8 and three(strict.statistic or 0) == 7.704
    # Significance alone is not enough: the direction must be the worse one.
    assert improving_trend("proportion", counts, "higher", 4, confidence=95).holds is False
    assert improving_trend("proportion", counts, "lower", 4, confidence=95).holds is True


def test_trend_in_rates_100_to_170_in_20000() -> None:
    statistic, p_value, direction = linear_trend("rate", [(x, 20_000) for x in (100, 115, 130, 150, 170)])
    assert three(statistic) == 23.026 and f"{p_value:.1e}" == "1.6e-06" and direction > 0
    counts = {f"{2019 + i}-{20 + i}": (x, 20_000) for i, x in enumerate((100, 115, 130, 150, 170))}
    assert worsening_trend("rate", counts, "lower", 4).holds is True
    assert improving_trend("rate", counts, "lower", 4).holds is False


# --- published values and independent references ---------------------------------------

# Published: R. G. Newcombe, "Interval estimation for the difference between independent
# proportions: comparison of eleven methods", Statistics in Medicine 17 (1998) 873-890, Table
# II, method 10 (score, no continuity correction), 95%, to 4 decimal places.
NEWCOMBE_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_METHOD_10)
def test_newcombe_matches_the_published_intervals(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    difference = proportion_difference(*counts)
    assert (round(difference.lower, 4), round(difference.upper, 4)) == expected
    assert difference.method == "newcombe"


def test_newcombe_is_built_from_scipys_wilson_intervals() -> None:
    # Independent: each year's Wilson limits from SciPy, combined as Newcombe's method 10.
    for x1, n1, x2, n2 in [(410, 600, 450, 620), (3, 17, 9, 20), (590, 600, 12, 620)]:
        for confidence in (95, 99.8):
            one = scipy_stats.binomtest(x1, n1).proportion_ci(confidence / 100, method="wilson")
            two = scipy_stats.binomtest(x2, n2).proportion_ci(confidence / 100, method="wilson")
            p1, p2 = x1 / n1, x2 / n2
            lower = p1 - p2 - math.sqrt((p1 - one.low) ** 2 + (two.high - p2) ** 2)
            upper = p1 - p2 + math.sqrt((one.high - p1) ** 2 + (p2 - two.low) ** 2)
            found = proportion_difference(x1, n1, x2, n2, confidence=confidence)
            assert found.lower == pytest.approx(lower, abs=1e-9) and found.upper == pytest.approx(upper, abs=1e-9)


@pytest.mark.parametrize("confidence", [95, 99.8])
@pytest.mark.parametrize(
    "counts", [(150, 20_000, 110, 21_000), (135, 20_000, 110, 21_000), (3, 5_000, 9, 5_200), (0, 900, 4, 1000)]
)
def test_the_rate_ratio_agrees_with_scipys_exact_binomial_test(
    counts: tuple[int, int, int, int], confidence: float
) -> None:
    events, people, before, before_people = counts
    # Independent: scipy.stats.binomtest's Clopper-Pearson interval of this year's share of the
    # events, read as a ratio; and the null share n1 / (n1 + n2) inside it exactly when the
    # ratio's interval holds 1.
    ci = scipy_stats.binomtest(events, events + before).proportion_ci(confidence / 100, method="exact")
    scale = before_people / people
    ratio = rate_ratio(events, people, before, before_people, confidence=confidence)
    assert ratio.lower == pytest.approx(ci.low / (1 - ci.low) * scale, rel=1e-9)
    assert ratio.upper == pytest.approx(ci.high / (1 - ci.high) * scale, rel=1e-9)
    null_share = people / (people + before_people)
    assert (ci.low <= null_share <= ci.high) == (ratio.lower <= 1 <= ratio.upper)
    # The Clopper-Pearson limits are beta quantiles.
    alpha = 1 - confidence / 100
    if events:
        assert ci.low == pytest.approx(scipy_stats.beta.ppf(alpha / 2, events, before + 1), rel=1e-9)


def test_rate_ratio_edges() -> None:
    none_before = rate_ratio(5, 1000, 0, 1000)
    assert none_before.upper == math.inf and none_before.lower > 0 and none_before.value == math.inf
    neither = rate_ratio(0, 1000, 0, 1000)
    assert (neither.value, neither.lower, neither.upper) == (1.0, 0.0, math.inf)
    assert not significantly_worse(neither, 1, "lower") and not significantly_better(neither, 1, "lower")
    with pytest.raises(ValueError, match="population must be above 0"):
        rate_ratio(3, 0, 4, 100)
    with pytest.raises(ValueError, match="numerator 7 is above its denominator 5"):
        proportion_difference(7, 5, 1, 5)
    assert change_interval("rate", (150, 20_000), (110, 21_000)) == rate_ratio(150, 20_000, 110, 21_000)
    assert change_interval("proportion", (410, 600), (450, 620), per=100) == proportion_difference(
        410, 600, 450, 620, per=100
    )


def test_trend_in_proportions_is_n_times_the_squared_correlation() -> None:
    # Independent: the Cochran-Armitage statistic is N r^2, r the Pearson correlation of the
    # year's score with the outcome (1 or 0) over all N people (Armitage 1955).
    counts = [(40, 120), (52, 130), (49, 110), (70, 140)]
    scores = numpy.concatenate([numpy.full(n, i + 1) for i, (_, n) in enumerate(counts)])
    outcomes = numpy.concatenate([numpy.r_[numpy.ones(x), numpy.zeros(n - x)] for x, n in counts])
    r = scipy_stats.pearsonr(scores, outcomes).statistic
    statistic, p_value, _ = linear_trend("proportion", counts)
    assert statistic == pytest.approx(len(scores) * r * r, rel=1e-9)
    assert p_value == pytest.approx(scipy_stats.chi2.sf(statistic, 1), rel=1e-9)


def test_trend_in_rates_is_the_multinomial_score_test() -> None:
    # Independent: given all X events, each event's year is drawn from the years in proportion
    # to their denominators; the score statistic is the events' summed score less its mean,
    # over X times the variance of a year's score under those weights (computed by SciPy).
    counts = [(100, 20_000), (115, 21_000), (130, 19_500), (150, 22_000), (170, 20_500)]
    total = sum(n for _, n in counts)
    events = sum(x for x, _ in counts)
    years = scipy_stats.rv_discrete(values=(range(1, 6), [n / total for _, n in counts]))
    score = sum((i + 1) * x for i, (x, _) in enumerate(counts)) - events * years.mean()
    statistic, p_value, direction = linear_trend("rate", counts)
    assert statistic == pytest.approx(score**2 / (events * years.var()), rel=1e-9)
    assert p_value == pytest.approx(scipy_stats.chi2.sf(statistic, 1), rel=1e-9) and direction > 0


def test_trends_with_nothing_to_test() -> None:
    assert linear_trend("proportion", [(0, 10), (0, 20)]) == (0.0, 1.0, 0.0)
    assert linear_trend("rate", [(0, 10), (0, 20), (0, 5)]) == (0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="at least two years"):
        linear_trend("rate", [(3, 10)])
    gap = {"2021-22": (5, 10), "2023-24": (6, 10)}
    found = worsening_trend("proportion", gap, "higher", 2)
    assert found.holds is None and found.reason == "no counts for 2022-23"
    years = {f"{2019 + i}-{20 + i}": (x, 1000) for i, x in enumerate((700, 690, 675, 660, 650))}
    broken = worsening_trend("proportion", years, "higher", 4, breaks={"2021-22"}, confidence=95)
    assert broken.holds is None and broken.reason == "2021-22 starts a definition break (not comparable with 2020-21)"
    # A break at the first year looked at interrupts nothing inside the span.
    assert worsening_trend("proportion", years, "higher", 3, breaks={"2020-21"}, confidence=95).holds is not None


# --- with no real change, the tests fire at their nominal rate ----------------------------

# Each simulation draws two years (or five) from the same proportion or rate and counts how
# often a test calls the change significantly worse. Over S simulations the count of false
# positives is binomial: at a true rate of 2.5% its standard error is sqrt(0.025 * 0.975 / S),
# 0.25 points at S = 4,000. The tolerance is four standard errors (1 point): a correct test
# passes all but about one time in 15,000, and the test this replaces (this year's interval
# against last year's value as if exact: 8.4% to 8.8%) fails by far.
SIMULATIONS = 4000
TOLERANCE = 4 * math.sqrt(0.025 * 0.975 / SIMULATIONS)


def test_year_on_year_proportions_fire_at_the_nominal_rate() -> None:
    draw = numpy.random.default_rng(20240601)
    people, share = 600, 0.68
    now = draw.binomial(people, share, SIMULATIONS)
    before = draw.binomial(people, share, SIMULATIONS)
    two_sample = sum(
        significantly_worse(proportion_difference(int(x), people, int(y), people), 0, "higher")
        for x, y in zip(now, before, strict=True)
    ) / SIMULATIONS
    as_if_exact = sum(
        significantly_worse(wilson_interval(int(x), people), int(y) / people, "higher")
        for x, y in zip(now, before, strict=True)
    ) / SIMULATIONS
    assert abs(two_sample - 0.025) <= TOLERANCE, two_sample
    assert as_if_exact > 0.07, as_if_exact  # the comparison with last year's value as if exact


def test_year_on_year_rates_fire_at_no_more_than_the_nominal_rate() -> None:
    draw = numpy.random.default_rng(20240602)
    people, before_people, rate = 20_000, 21_000, 0.006
    now = draw.poisson(rate * people, SIMULATIONS)
    before = draw.poisson(rate * before_people, SIMULATIONS)
    fired = sum(
        significantly_worse(rate_ratio(int(x), people, int(y), before_people), 1, "lower")
        for x, y in zip(now, before, strict=True)
    ) / SIMULATIONS
    # An exact test is conservative (its discreteness can only lower the rate), so the bound is
    # one-sided: no more than nominal, and not so far below that it has lost its power.
    assert 0.025 - 2 * TOLERANCE <= fired <= 0.025 + TOLERANCE, fired


@pytest.mark.parametrize("method", ["proportion", "rate"])
def test_trend_tests_fire_at_the_nominal_rate(method: str) -> None:
    draw = random.Random(20240603)
    rng = numpy.random.default_rng(draw.randrange(2**32))
    people = 1000 if method == "proportion" else 20_000
    mean = 0.67 * people if method == "proportion" else 0.006 * people
    years = [f"{2019 + i}-{20 + i}" for i in range(5)]
    fired = 0
    for _ in range(SIMULATIONS):
        drawn = rng.binomial(people, 0.67, 5) if method == "proportion" else rng.poisson(mean, 5)
        counts = {year: (int(x), people) for year, x in zip(years, drawn, strict=True)}
        fired += bool(worsening_trend(method, counts, "higher", 4, confidence=95).holds)  # type: ignore[arg-type]
    assert abs(fired / SIMULATIONS - 0.025) <= TOLERANCE, fired / SIMULATIONS


def test_without_scipy_only_the_exact_rate_ratio_needs_the_extra() -> None:
    # SciPy made unimportable in a fresh interpreter: Newcombe and the trend tests need only
    # the normal distribution; the exact rate ratio says which extra to install.
    script = (
        "import sys; sys.modules['scipy'] = None\n"
        "from sli_rules.assessment.uncertainty import linear_trend, proportion_difference, rate_ratio, StatsExtraMissing\n"
        "proportion_difference(410, 600, 450, 620); linear_trend('rate', [(100, 20000), (170, 20000)])\n"
        "try:\n    rate_ratio(150, 20000, 110, 21000)\nexcept StatsExtraMissing as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == 'the exact rate ratio of two years needs SciPy: pip install "sli-rules[stats]"'
