"""Uncertainty and trends: confidence intervals for proportions and rates, significance against
a reference value, and runs of worsening or improving years.

The methods are those of the public-health indicator methods (APHO Technical Briefing 3; the
PHE/OHID "Technical Guide: Confidence Intervals"):

- a **proportion** gets the Wilson score interval;
- a **rate** (events in a population) gets Byar's approximation to the Poisson limits, or the
  exact Poisson limits (from the chi-squared distribution) when there are fewer than 10 events,
  where Byar's method is no longer close to exact;
- a value is **significantly** worse (better) than a reference when its whole interval lies on
  the worse (better) side of it, by the measure's polarity;
- a measure is **worsening** (improving) over N years when each of the last N years is worse
  (better) than the year before: unknown when any of those N + 1 values is missing, or when one
  of those years starts a definition break (its value is not comparable with the year before).
  That is a run of years, not a statistical test: with no real change, three falls in a row
  happen by chance one time in eight where the level drifts at random (one in twenty-four where
  it scatters about a fixed level).

Two years are compared as two samples, never this year's interval against last year's value as
if that were exact:

- two **proportions** by Newcombe's hybrid score interval for their difference (method 10 of
  R. G. Newcombe, "Interval estimation for the difference between independent proportions:
  comparison of eleven methods", Statistics in Medicine 17 (1998) 873-890), built from the two
  Wilson intervals;
- two **rates** by the exact conditional binomial test: given the events of both years, this
  year's share of them is binomial, its Clopper-Pearson limits read as limits of the rate ratio
  with the two denominators (the method behind the exact rate-ratio test, e.g. Breslow and Day,
  "Statistical Methods in Cancer Research" vol. II (1987), section 2.2).

A trend over N + 1 years can be a test too, of a linear trend on the scores 1..N+1 with one
degree of freedom: for proportions the chi-squared test for trend (Cochran-Armitage: W. G.
Cochran, Biometrics 10 (1954) 417-451; P. Armitage, Biometrics 11 (1955) 375-386), for rates the
score test for a linear trend in Poisson rates, the expected events of each year in proportion to
its denominator (Breslow and Day vol. II, section 3.6).

Pure functions over numbers; nothing here knows about rulebooks or fact sets. Only the normal
quantile is needed for Wilson, Byar, Newcombe and the trend tests (the standard library's
`statistics.NormalDist`); the exact Poisson limits and the exact rate ratio need SciPy, imported
when first used: install the `stats` extra (`pip install "sli-rules[stats]"`).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise
from statistics import NormalDist
from typing import Literal

import attrs

Polarity = Literal["higher", "lower"]
Method = Literal["proportion", "rate"]
# Below this many events Byar's approximation drifts from the exact limits (PHE's guide: within
# 0.2% of exact from 10 events up, at 95%), so the exact limits are used instead.
EXACT_BELOW = 10
STATS_EXTRA = 'the exact Poisson limits (fewer than 10 events) need SciPy: pip install "sli-rules[stats]"'
RATIO_EXTRA = 'the exact rate ratio of two years needs SciPy: pip install "sli-rules[stats]"'
# What "no change" is for each method's comparison of two years: a difference of proportions
# of 0, a ratio of rates of 1.
NO_CHANGE: dict[str, float] = {"proportion": 0.0, "rate": 1.0}
_YEAR = re.compile(r"(\d{4})-(\d{2})")


class StatsExtraMissing(ImportError):
    """SciPy is needed for this calculation and is not installed."""


@attrs.frozen
class Interval:
    """A value with its confidence interval, all on the same scale (e.g. per 100,000)."""

    value: float
    lower: float
    upper: float
    confidence: float
    method: str  # "wilson", "byar", "exact poisson"; of two years "newcombe", "exact conditional binomial"

    def contains(self, number: float) -> bool:
        return self.lower <= number <= self.upper


@attrs.frozen
class Trend:
    """Whether a measure moved the same way in each of the last N years, and if unknown, why.

    `holds` is True, False or None (unknown); `reason` says why it is unknown (None when
    decided); `years` are the N + 1 years looked at, oldest first.
    """

    holds: bool | None
    years: tuple[str, ...]
    reason: str | None = None
    # For a test of trend: its chi-squared statistic (one degree of freedom), the two-sided
    # p-value and the confidence it was judged at; None for a run of years.
    statistic: float | None = None
    p_value: float | None = None
    confidence: float | None = None


# --- checks on the numbers given ---------------------------------------------------------


def _count(name: str, number: float) -> float:
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise ValueError(f"{name} must be a number, not {number!r}")
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {number!r}")
    if number < 0:
        raise ValueError(f"{name} cannot be negative: {number!r}")
    return float(number)


def _confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 100:
        raise ValueError(f"confidence is a percentage between 0 and 100 (95 or 99.8), not {confidence!r}")
    return float(confidence)


def _per(per: float) -> float:
    if isinstance(per, bool) or not isinstance(per, (int, float)) or not math.isfinite(per) or per <= 0:
        raise ValueError(f"per must be a positive number (1, 100, 100000...), not {per!r}")
    return float(per)


def z_score(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95, 3.090232 for 99.8."""
    return NormalDist().inv_cdf(0.5 + _confidence(confidence) / 200)


# --- intervals --------------------------------------------------------------------------


def wilson_interval(numerator: float, denominator: float, *, confidence: float = 95, per: float = 1) -> Interval:
    """The Wilson score interval of numerator / denominator, scaled by `per` (100 for percentages).

    Counts may be fractional (survey-weighted estimates). Raises ValueError for a negative
    count, a denominator of 0, or a numerator above its denominator.
    """
    events = _count("numerator", numerator)
    total = _count("denominator", denominator)
    scale = _per(per)
    if total == 0:
        raise ValueError("denominator must be above 0: a proportion of nothing has no interval")
    if events > total:
        raise ValueError(f"numerator {numerator!r} is above its denominator {denominator!r}")
    z = z_score(confidence)
    share = events / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    shrink = 1 + z * z / total
    # Mathematically within [0, 1] and exactly 0 (1) at 0 events (all events); rounding may
    # stray by an ulp, which must not make "0 of 20" look significantly above 0.
    lower = 0.0 if events == 0 else max(0.0, (centre - spread) / shrink)
    upper = 1.0 if events == total else min(1.0, (centre + spread) / shrink)
    return Interval(share * scale, lower * scale, upper * scale, float(confidence), "wilson")


def byar_limits(events: float, *, confidence: float = 95) -> tuple[float, float]:
    """Byar's approximation to the Poisson confidence limits of an observed count."""
    observed = _count("events", events)
    z = z_score(confidence)
    lower = 0.0 if observed == 0 else observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    above = observed + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * math.sqrt(above))) ** 3
    return max(0.0, lower), upper


def exact_poisson_limits(events: float, *, confidence: float = 95) -> tuple[float, float]:
    """The exact Poisson confidence limits of an observed count, from the chi-squared
    distribution (Garwood). Needs SciPy (the `stats` extra)."""
    observed = _count("events", events)
    alpha = 1 - _confidence(confidence) / 100
    try:
        from scipy.stats import chi2
    except ImportError as error:
        raise StatsExtraMissing(STATS_EXTRA) from error
    lower = 0.0 if observed == 0 else float(chi2.ppf(alpha / 2, 2 * observed)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * observed + 2)) / 2
    return lower, upper


def rate_interval(events: float, population: float, *, confidence: float = 95, per: float = 100_000) -> Interval:
    """The confidence interval of a rate, events per `per` of the population: Byar's method,
    or the exact Poisson limits below 10 events. Raises ValueError for a negative count or a
    population of 0; events may exceed the population (a rate is not a share)."""
    observed = _count("events", events)
    people = _count("population", population)
    scale = _per(per)
    if people == 0:
        raise ValueError("population must be above 0: a rate in no one has no interval")
    if observed < EXACT_BELOW:
        lower, upper = exact_poisson_limits(observed, confidence=confidence)
        method = "exact poisson"
    else:
        lower, upper = byar_limits(observed, confidence=confidence)
        method = "byar"
    factor = scale / people
    return Interval(observed * factor, lower * factor, upper * factor, float(confidence), method)


def confidence_interval(
    method: Method, numerator: float, denominator: float, *, confidence: float = 95, per: float | None = None
) -> Interval:
    """The interval a measure's `method` calls for: `proportion` (Wilson; `per` default 1) or
    `rate` (Byar / exact Poisson; `per` default 100,000)."""
    if method == "proportion":
        return wilson_interval(numerator, denominator, confidence=confidence, per=1 if per is None else per)
    if method == "rate":
        return rate_interval(numerator, denominator, confidence=confidence, per=100_000 if per is None else per)
    raise ValueError(f"method is 'proportion' or 'rate', not {method!r}")


# --- significance -----------------------------------------------------------------------


def _polarity(better: str) -> Polarity:
    if better not in ("higher", "lower"):
        raise ValueError(f"significance needs a polarity, 'higher' or 'lower' is better, not {better!r}")
    return better  # type: ignore[return-value]


def significantly_worse(interval: Interval, reference: float, better: Polarity) -> bool:
    """The whole interval lies on the worse side of `reference` (on the interval's scale).
    An interval that touches the reference is not significantly different from it."""
    if _polarity(better) == "higher":
        return interval.upper < reference
    return interval.lower > reference


def significantly_better(interval: Interval, reference: float, better: Polarity) -> bool:
    """The whole interval lies on the better side of `reference` (on the interval's scale)."""
    if _polarity(better) == "higher":
        return interval.lower > reference
    return interval.upper < reference


# --- two years, two samples --------------------------------------------------------------


def proportion_difference(
    numerator: float, denominator: float, before_numerator: float, before_denominator: float,
    *, confidence: float = 95, per: float = 1,
) -> Interval:
    """This year's proportion minus last year's, with Newcombe's hybrid score interval (method
    10), scaled by `per` (100: a difference in percentage points). Each year's Wilson limits
    make the interval: lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 -
    p1)^2 + (p2 - l2)^2). Raises ValueError where either year's counts have no interval."""
    scale = _per(per)
    now = wilson_interval(numerator, denominator, confidence=confidence)
    before = wilson_interval(before_numerator, before_denominator, confidence=confidence)
    difference = now.value - before.value
    lower = difference - math.hypot(now.value - now.lower, before.upper - before.value)
    upper = difference + math.hypot(now.upper - now.value, before.value - before.lower)
    return Interval(difference * scale, lower * scale, upper * scale, float(confidence), "newcombe")


def _beta_quantile(probability: float, a: float, b: float) -> float:
    try:
        from scipy.stats import beta
    except ImportError as error:
        raise StatsExtraMissing(RATIO_EXTRA) from error
    return float(beta.ppf(probability, a, b))


def rate_ratio(
    events: float, population: float, before_events: float, before_population: float, *, confidence: float = 95
) -> Interval:
    """This year's rate over last year's, with the exact conditional limits: given the events
    of both years, this year's share of them is binomial, with proportion R n1 / (R n1 + n2)
    for a rate ratio R; the Clopper-Pearson limits of that share, pi, are read back as
    R = pi / (1 - pi) * n2 / n1. The upper limit is infinite when last year had no events
    (and the ratio itself then too, unless this year had none either: then it is taken as 1,
    no change, its interval 0 to infinity). Needs SciPy (the `stats` extra)."""
    now, people = _count("events", events), _count("population", population)
    before, before_people = _count("events", before_events), _count("population", before_population)
    if people == 0 or before_people == 0:
        raise ValueError("population must be above 0: a rate in no one has no ratio")
    alpha = 1 - _confidence(confidence) / 100
    scale = before_people / people
    lower_share = 0.0 if now == 0 else _beta_quantile(alpha / 2, now, before + 1)
    upper_share = 1.0 if before == 0 else _beta_quantile(1 - alpha / 2, now + 1, before)
    lower = lower_share / (1 - lower_share) * scale
    upper = math.inf if upper_share >= 1 else upper_share / (1 - upper_share) * scale
    ratio = now / before * scale if before > 0 else (1.0 if now == 0 else math.inf)
    return Interval(ratio, lower, upper, float(confidence), "exact conditional binomial")


def change_interval(
    method: Method, now: tuple[float, float], before: tuple[float, float], *,
    confidence: float = 95, per: float | None = None,
) -> Interval:
    """The interval of the change from last year to this, two samples: for `proportion` the
    difference (Newcombe; `per` default 1), for `rate` the ratio (exact conditional). It lies
    wholly on one side of `NO_CHANGE[method]` when the change is significant."""
    if method == "proportion":
        return proportion_difference(*now, *before, confidence=confidence, per=1 if per is None else per)
    if method == "rate":
        return rate_ratio(*now, *before, confidence=confidence)
    raise ValueError(f"method is 'proportion' or 'rate', not {method!r}")


# --- trends -----------------------------------------------------------------------------


def _year_start(year: str) -> int:
    if not isinstance(year, str):
        raise ValueError(f"a year is a financial year like '2019-20', not {year!r}")
    return _parsed_year_start(year)


@functools.lru_cache(maxsize=512)
def _parsed_year_start(year: str) -> int:
    # Trends are judged for every authority and measure: the same few years, parsed once.
    match = _YEAR.fullmatch(year)
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"a year is a financial year like '2019-20', not {year!r}")
    return int(match.group(1))


def _year(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@functools.lru_cache(maxsize=1024)
def _latest_start(years: tuple[str, ...]) -> int | None:
    """The start of the latest of `years` (None if there are none), each checked to be a
    financial year: a region's trends ask about the same few sets of years again and again."""
    return max((_year_start(year) for year in years), default=None)


@functools.lru_cache(maxsize=1024)
def _window(last: int, years: int) -> tuple[str, ...]:
    """The years a trend of `years` years up to the one starting in `last` looks at."""
    return tuple(_year(start) for start in range(last - years, last + 1))


@functools.lru_cache(maxsize=1024)
def years_before(until: str, years: int) -> tuple[str, ...]:
    """The years before `until` that a trend of `years` years up to `until` looks at, oldest
    first (with `until`, the span `worsening` weighs): a region's gaps ask about the same few."""
    return _window(_year_start(until), years)[:-1]


@functools.lru_cache(maxsize=1024)
def _broken(looked_at: tuple[str, ...], breaks: tuple[str, ...]) -> tuple[str, ...]:
    """Why a span of years cannot be compared: each year after the first that starts a
    definition break (a region's trends ask about the same few spans again and again)."""
    # A break year's value is not comparable with the year before it: only the break years
    # after the first year looked at spoil a comparison.
    return tuple(
        f"{year} starts a definition break (not comparable with {_year(_year_start(year) - 1)})"
        for year in looked_at[1:]
        if year in breaks
    )


def _run(
    direction: Literal["worsening", "improving"],
    values: Mapping[str, float | None],
    better: Polarity,
    years: int,
    breaks: Collection[str],
    until: str | None,
) -> Trend:
    polarity = _polarity(better)
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError(f"years must be a whole number of at least 1, not {years!r}")
    latest = _latest_start(tuple(values))
    breaks = tuple(breaks)
    _latest_start(breaks)
    if until is None:
        if latest is None:
            raise ValueError("no years given, and no year to end at")
        last = latest
    else:
        last = _year_start(until)
    looked_at = _window(last, years)
    get = values.get
    missing = [year for year in looked_at if (value := get(year)) is None or not math.isfinite(value)]
    broken = _broken(looked_at, breaks)
    if missing or broken:
        reasons = [f"no value for {', '.join(missing)}"] if missing else []
        reasons.extend(broken)
        return Trend(None, looked_at, "; ".join(reasons))
    series = [float(values[year]) for year in looked_at]  # type: ignore[arg-type]
    rising = (polarity == "higher") == (direction == "improving")
    holds = all((now > before) if rising else (now < before) for before, now in pairwise(series))
    return Trend(holds, looked_at)


def worsening(
    values: Mapping[str, float | None],
    better: Polarity,
    years: int,
    *,
    breaks: Collection[str] = (),
    until: str | None = None,
) -> Trend:
    """Worse than the year before in each of the last `years` years up to `until` (default the
    latest year given): unknown when any of those years + 1 values is missing or one of those
    years is in `breaks` (years that start a definition break). Equal values are not worse."""
    return _run("worsening", values, better, years, breaks, until)


def trend_column(
    direction: Literal["worsening", "improving"],
    histories: Sequence[Mapping[str, float | None] | None],
    currents: Sequence[float | None],
    better: Polarity,
    years: int,
    *,
    breaks: Collection[str] = (),
    until: str,
) -> list[bool | None]:
    """For each authority, the `holds` of `worsening({**history, until: current}, better,
    years, breaks=breaks, until=until)` (`improving` the same), for its earlier years
    (`histories`, None for none) and its value in `until` (`currents`). Deriving asks this of
    a year's authorities at once: the span, its breaks and the checks of the arguments are
    the same for all, so worked out once; each authority's years are still checked."""
    polarity = _polarity(better)
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError(f"years must be a whole number of at least 1, not {years!r}")
    breaks = tuple(breaks)
    _latest_start(breaks)
    looked_at = _window(_year_start(until), years)
    earlier = looked_at[:-1]
    spoilt = bool(_broken(looked_at, breaks))
    rising = (polarity == "higher") == (direction == "improving")
    later_holds = operator.gt if rising else operator.lt  # (a year's value, the year before's)
    isfinite = math.isfinite
    given: set[str] = set()  # every year of every history, checked once below
    column: list[bool | None] = []
    for history, current in zip(histories, currents, strict=True):
        if history:
            given.update(history)
        if not history or spoilt:  # no year before this one's value, or a break in the span
            column.append(None)
            continue
        series = list(map(history.get, earlier))
        series.append(current)
        if None in series or not all(map(isfinite, series)):  # type: ignore[arg-type]
            column.append(None)
        else:
            floats = list(map(float, series))  # type: ignore[arg-type]
            column.append(all(map(later_holds, floats[1:], floats)))
    try:
        for year in given:
            _year_start(year)
    except ValueError:
        for history in histories:  # the first authority's first wrong year, as `worsening` says
            if history:
                _latest_start(tuple(history))
        raise
    return column


def improving(
    values: Mapping[str, float | None],
    better: Polarity,
    years: int,
    *,
    breaks: Collection[str] = (),
    until: str | None = None,
) -> Trend:
    """Better than the year before in each of the last `years` years; as `worsening`."""
    return _run("improving", values, better, years, breaks, until)


# --- tests of trend ---------------------------------------------------------------------


def _chi_squared_one(statistic: float) -> float:
    """The upper tail of chi-squared with one degree of freedom: that of |Z| for a standard
    normal Z, two-sided."""
    return 2 * NormalDist().cdf(-math.sqrt(statistic))


def linear_trend(method: Method, counts: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """The test of a linear trend over the years given (oldest first, scores 1, 2, ...): the
    chi-squared statistic (one degree of freedom), its two-sided p-value and the direction of
    the trend (the score statistic: above 0 rising, below 0 falling).

    `proportion`: the chi-squared test for trend in proportions (Cochran-Armitage), numerator
    of denominator each year: T = sum t_i (x_i - n_i p), Var T = p (1 - p) (sum n_i t_i^2 -
    (sum n_i t_i)^2 / N), p the pooled proportion. `rate`: the score test for a linear trend in
    Poisson rates, events in a population each year, each year's expected events E_i = X n_i /
    N: U = sum t_i (x_i - E_i), Var U = X (sum w_i t_i^2 - (sum w_i t_i)^2), w_i = n_i / N.
    With no variation to test (no events, or every one, or one year) the statistic is 0 and
    p is 1."""
    if method not in ("proportion", "rate"):
        raise ValueError(f"method is 'proportion' or 'rate', not {method!r}")
    if len(counts) < 2:
        raise ValueError("a trend needs at least two years of counts")
    events = [_count("numerator", numerator) for numerator, _ in counts]
    totals = [_count("denominator", denominator) for _, denominator in counts]
    if any(total == 0 for total in totals):
        raise ValueError("denominator must be above 0 in every year")
    if method == "proportion" and any(x > n for x, n in zip(events, totals, strict=True)):
        raise ValueError("a numerator is above its denominator")
    scores = range(1, len(counts) + 1)
    everyone, observed = math.fsum(totals), math.fsum(events)
    if method == "proportion":
        pooled = observed / everyone
        score = math.fsum(t * (x - n * pooled) for t, x, n in zip(scores, events, totals, strict=False))
        spread = math.fsum(n * t * t for t, n in zip(scores, totals, strict=False)) - math.fsum(
            n * t for t, n in zip(scores, totals, strict=False)
        ) ** 2 / everyone
        variance = pooled * (1 - pooled) * spread
    else:
        weights = [n / everyone for n in totals]
        score = math.fsum(t * (x - observed * w) for t, x, w in zip(scores, events, weights, strict=False))
        variance = observed * (
            math.fsum(w * t * t for t, w in zip(scores, weights, strict=False))
            - math.fsum(w * t for t, w in zip(scores, weights, strict=False)) ** 2
        )
    if variance <= 0:
        return 0.0, 1.0, 0.0
    statistic = score * score / variance
    return statistic, _chi_squared_one(statistic), score


def _significant_run(
    direction: Literal["worsening", "improving"],
    method: Method,
    counts: Mapping[str, tuple[float, float] | None],
    better: Polarity,
    years: int,
    breaks: Collection[str],
    until: str | None,
    confidence: float,
) -> Trend:
    polarity = _polarity(better)
    level = _confidence(confidence)
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError(f"years must be a whole number of at least 1, not {years!r}")
    starts = {_year_start(year) for year in counts}
    for year in breaks:
        _year_start(year)
    if until is None:
        if not starts:
            raise ValueError("no years given, and no year to end at")
        last = max(starts)
    else:
        last = _year_start(until)
    looked_at = tuple(_year(start) for start in range(last - years, last + 1))
    missing = [year for year in looked_at if counts.get(year) is None]
    broken = [year for year in looked_at[1:] if year in breaks]
    reasons = []
    if missing:
        reasons.append(f"no counts for {', '.join(missing)}")
    for year in broken:
        reasons.append(f"{year} starts a definition break (not comparable with {_year(_year_start(year) - 1)})")
    if reasons:
        return Trend(None, looked_at, "; ".join(reasons), confidence=level)
    series = [counts[year] for year in looked_at]
    try:
        statistic, p_value, score = linear_trend(method, series)  # type: ignore[arg-type]
    except ValueError as error:
        return Trend(None, looked_at, f"counts with no trend to test: {error}", confidence=level)
    rising = (polarity == "higher") == (direction == "improving")
    holds = p_value < 1 - level / 100 and (score > 0 if rising else score < 0)
    return Trend(holds, looked_at, statistic=statistic, p_value=p_value, confidence=level)


def worsening_trend(
    method: Method,
    counts: Mapping[str, tuple[float, float] | None],
    better: Polarity,
    years: int,
    *,
    breaks: Collection[str] = (),
    until: str | None = None,
    confidence: float = 99.8,
) -> Trend:
    """A significant linear trend for the worse over the last `years` + 1 years up to `until`
    (default the latest year given), from each year's counts (numerator, denominator): the
    trend test's two-sided p-value below 1 - confidence / 100, and its direction worse by the
    measure's polarity. Unknown when a year's counts are missing or a year of the span after
    the first starts a definition break."""
    return _significant_run("worsening", method, counts, better, years, breaks, until, confidence)


def improving_trend(
    method: Method,
    counts: Mapping[str, tuple[float, float] | None],
    better: Polarity,
    years: int,
    *,
    breaks: Collection[str] = (),
    until: str | None = None,
    confidence: float = 99.8,
) -> Trend:
    """A significant linear trend for the better; as `worsening_trend`."""
    return _significant_run("improving", method, counts, better, years, breaks, until, confidence)
