"""Time the statistics of `welfarelab.analytics` on a synthetic Italy and print the figures.

    .venv/bin/python benchmarks/indicator_statistics.py

7,899 comuni × 2 periods (15,798 rows), with populations spread like the real ones (a few dozen to
millions) and overdispersed proportions and rates. Each figure is the median of several runs, in
seconds; nothing is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time
from collections.abc import Callable

import numpy as np
import polars as pl

from welfarelab.analytics.comparisons import compare_to_comparator
from welfarelab.analytics.funnels import funnel_flags, proportion_funnel, rate_funnel
from welfarelab.analytics.proportions import proportion_with_wilson_ci
from welfarelab.analytics.rates import rate_with_poisson_ci
from welfarelab.analytics.scores import quintile, z_score
from welfarelab.analytics.trends import chi_square_for_trend

COMUNI = 7_899
REPEATS = 7


def synthetic_italy(*, periods: int, seed: int = 20_240_101) -> pl.DataFrame:
    """(code, period, population, cases, events): proportions around 22% and rates around 8‰, overdispersed."""
    rng = np.random.default_rng(seed)
    population = np.clip(rng.lognormal(mean=8.0, sigma=1.3, size=COMUNI), 30, 2_800_000).round()
    true_share = rng.beta(22, 78, size=COMUNI)  # between-comune variation: overdispersion
    true_rate = rng.gamma(shape=20, scale=0.008 / 20, size=COMUNI)
    frames = []
    for period in range(periods):
        people = np.maximum(1, (population * rng.normal(1.0, 0.01, size=COMUNI)).round()).astype(np.int64)
        frames.append(
            pl.DataFrame(
                {
                    "code": [f"{i:06d}" for i in range(COMUNI)],
                    "period": 2020 + period,
                    "population": people,
                    "cases": rng.binomial(people, true_share),
                    "events": rng.poisson(people * true_rate),
                }
            )
        )
    return pl.concat(frames)


def timed(label: str, work: Callable[[], object]) -> None:
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    print(f"{label:<64} {float(np.median(seconds)):8.4f} s   (best {min(seconds):.4f})")


def per_period(frame: pl.DataFrame, compute: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    return pl.concat([compute(part) for part in frame.partition_by("period", maintain_order=True)])


def main() -> None:
    italy = synthetic_italy(periods=2)
    five_years = synthetic_italy(periods=5)
    print(f"{italy.height:,} rows ({COMUNI:,} comuni × 2 periods); median of {REPEATS} runs\n")

    def wilson(confidence: float) -> pl.DataFrame:
        return proportion_with_wilson_ci(
            italy, numerator="cases", denominator="population", confidence=confidence
        )

    timed("Wilson interval, 95%", lambda: wilson(0.95))
    timed("Wilson interval, 95% and 99.8%", lambda: (wilson(0.95), wilson(0.998)))
    for method in ("byar", "exact", "auto"):
        timed(
            f"Rate per 1,000 with Poisson interval, method={method}",
            lambda method=method: rate_with_poisson_ci(
                italy, count="events", denominator="population", method=method
            ),
        )

    def funnel(kind: str, method: str, adjustment: str) -> pl.DataFrame:
        def one_period(part: pl.DataFrame) -> pl.DataFrame:
            if kind == "proportion":
                result = proportion_funnel(
                    part, numerator="cases", denominator="population", method=method, adjustment=adjustment
                )
            else:
                result = rate_funnel(
                    part, count="events", denominator="population", method=method, adjustment=adjustment
                )
            return funnel_flags(result.frame)

        return per_period(italy, one_period)

    for kind in ("proportion", "rate"):
        for method in ("exact", "normal"):
            for adjustment in ("none", "multiplicative", "additive"):
                timed(
                    f"Funnel ({kind}, {method}, {adjustment}) + flags, per period",
                    lambda kind=kind, method=method, adjustment=adjustment: funnel(kind, method, adjustment),
                )

    with_ci = wilson(0.95)
    national = float(italy["cases"].sum() / italy["population"].sum())
    timed(
        "Comparison with the national value",
        lambda: compare_to_comparator(with_ci, comparator=national, polarity="lower_is_better"),
    )
    timed(
        "z-scores and quintiles by period",
        lambda: quintile(z_score(with_ci, value="value", by="period"), value="value", by="period"),
    )
    timed(
        f"Chi-square trend, {five_years.height:,} rows ({COMUNI:,} comuni × 5 periods)",
        lambda: chi_square_for_trend(
            five_years,
            by="code",
            period="period",
            numerator="cases",
            denominator="population",
            polarity="lower_is_better",
        ),
    )

    example = proportion_funnel(
        italy.filter(pl.col("period") == 2020),
        numerator="cases",
        denominator="population",
        adjustment="additive",
    )
    od = example.overdispersion
    print(f"\nOverdispersion of the synthetic proportions (2020): phi = {od.phi:.2f}, tau² = {od.tau2:.6f}")
    flags = funnel_flags(example.frame)["position_99_8"].value_counts(sort=True)
    print("Units against the additive 99.8% limits:", dict(flags.iter_rows()))


if __name__ == "__main__":
    main()
