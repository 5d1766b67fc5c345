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

Pure functions over numbers; nothing here knows about rulebooks or fact sets. Only the normal
quantile is needed for Wilson and Byar (the standard library's `statistics.NormalDist`); the
exact Poisson limits need SciPy, imported when first used: install the `stats` extra
(`pip install "sli-rules[stats]"`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Mapping
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
    method: str  # "wilson", "byar" or "exact poisson"

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


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


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
    starts = {_year_start(year) for year in values}
    for year in breaks:
        _year_start(year)
    if until is None:
        if not starts:
            raise ValueError("no years given, and no year to end at")
        last = max(starts)
    else:
        last = _year_start(until)
    looked_at = tuple(_year(start) for start in range(last - years, last + 1))
    missing = [year for year in looked_at if not _known(values.get(year))]
    # A break year's value is not comparable with the year before it: only the break years
    # after the first year looked at spoil a comparison.
    broken = [year for year in looked_at[1:] if year in breaks]
    reasons = []
    if missing:
        reasons.append(f"no value for {', '.join(missing)}")
    for year in broken:
        reasons.append(f"{year} starts a definition break (not comparable with {_year(_year_start(year) - 1)})")
    if reasons:
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
