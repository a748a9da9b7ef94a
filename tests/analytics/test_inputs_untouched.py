"""Every statistic returns a new frame and leaves the caller's frame exactly as it was."""

import polars as pl
import pytest

from welfarelab.analytics.comparisons import compare_to_comparator
from welfarelab.analytics.funnels import funnel_flags, proportion_funnel, rate_funnel
from welfarelab.analytics.proportions import proportion_with_wilson_ci
from welfarelab.analytics.rates import count_with_poisson_ci, rate_with_poisson_ci
from welfarelab.analytics.scores import quintile, z_score
from welfarelab.analytics.trends import chi_square_for_trend

COMPUTATIONS = {
    "wilson": lambda f: proportion_with_wilson_ci(f, numerator="cases", denominator="population"),
    "count": lambda f: count_with_poisson_ci(f, count="cases"),
    "rate": lambda f: rate_with_poisson_ci(f, count="cases", denominator="population"),
    "proportion funnel": lambda f: proportion_funnel(f, numerator="cases", denominator="population").frame,
    "rate funnel": lambda f: (
        rate_funnel(f, count="cases", denominator="population", adjustment="additive").frame
    ),
    "flags": lambda f: funnel_flags(f, confidences=[0.95]),
    "comparison": lambda f: compare_to_comparator(f, comparator=0.3, polarity="higher_is_better"),
    "z-score": lambda f: z_score(f, value="value"),
    "quintile": lambda f: quintile(f, value="value", by="year"),
    "trend": lambda f: chi_square_for_trend(
        f, by="code", period="year", numerator="cases", denominator="population", polarity="no_judgement"
    ),
}


@pytest.mark.parametrize("compute", COMPUTATIONS.values(), ids=COMPUTATIONS.keys())
def test_the_input_frame_is_left_as_it_was(compute):
    frame = pl.DataFrame(
        {
            "code": ["001001", "001002", "001003", "001004", "001005"],
            "year": [2023] * 5,
            "cases": [30, 5, None, 0, 12],
            "population": [100, 100, 50, 0, 40],
            "value": [0.3, 0.05, None, None, 0.3],
            "lower_ci": [0.2, 0.02, None, None, 0.18],
            "upper_ci": [0.4, 0.11, None, None, 0.45],
            "lower_95": [0.2, 0.2, 0.2, None, 0.2],
            "upper_95": [0.4, 0.4, 0.4, None, 0.4],
        }
    )
    before = frame.clone()

    result = compute(frame)

    assert frame.equals(before)
    assert frame.columns == before.columns
    assert result is not frame
