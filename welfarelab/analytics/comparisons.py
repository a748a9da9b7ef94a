"""Fingertips-style significance of a value against a comparator (the "RAG" and "BOB" colours).

A value is significantly higher than its comparator when its confidence interval lies wholly above
the comparator's value (or, when the comparator has an interval too, wholly above that interval — the
overlap rule, which is conservative), and significantly lower in the mirror case; otherwise similar.
The indicator's polarity turns higher/lower into better/worse; indicators without a polarity keep
higher/lower (Fingertips' blue/orange). Whatever lacks a value, an interval or a comparator is not
comparable.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from welfarelab.analytics._validation import as_float, check_columns


class Polarity(StrEnum):
    """Which direction of an indicator is good news."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NO_JUDGEMENT = "no_judgement"


class Comparison(StrEnum):
    """The outcome of comparing a value with a comparator."""

    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"
    LOWER = "lower"
    NOT_COMPARABLE = "not_comparable"


def polarity_from(polarity: Polarity | str) -> Polarity:
    """`polarity` as a Polarity, or ValueError listing the accepted values."""
    try:
        return Polarity(polarity)
    except ValueError:
        accepted = ", ".join(member.value for member in Polarity)
        raise ValueError(f"Polarity must be one of {accepted}; got {polarity!r}.") from None


def _operand(operand: float | str | None, role: str, frame: pl.DataFrame) -> pl.Expr:
    """A column name becomes that column; a number becomes a literal; None or NaN becomes null."""
    if isinstance(operand, str):
        check_columns(frame, operand)
        return as_float(operand)
    if operand is None:
        return pl.lit(None, dtype=pl.Float64)
    if not isinstance(operand, int | float):
        raise TypeError(f"The {role} must be a column name or a number; got {operand!r}.")
    return pl.lit(float(operand), dtype=pl.Float64).fill_nan(None)


def compare_to_comparator(
    frame: pl.DataFrame,
    *,
    comparator: float | str | None,
    polarity: Polarity | str,
    comparator_lower_ci: float | str | None = None,
    comparator_upper_ci: float | str | None = None,
    value: str = "value",
    lower_ci: str = "lower_ci",
    upper_ci: str = "upper_ci",
    output: str = "comparison",
) -> pl.DataFrame:
    """Add `output` (a Comparison value as a string) comparing each row with its comparator.

    `comparator` (and the optional `comparator_lower_ci`, `comparator_upper_ci`) is a number (the
    national value, say) or the name of a column (each row's own region, say). When both comparator
    limits are given, significance needs the two intervals not to overlap; when neither is, the row's
    interval is set against the comparator's value, as Fingertips does for "compared with England".
    The interval's confidence (95% or 99.8%) is whatever the row's limits were computed at. An
    interval touching the comparator is similar. Rows keep their order; `frame` is not modified.
    """
    direction = polarity_from(polarity)
    if (comparator_lower_ci is None) != (comparator_upper_ci is None):
        raise ValueError("Give both comparator limits, or neither.")
    check_columns(frame, value, lower_ci, upper_ci)
    reference = _operand(comparator, "comparator", frame)
    reference_lower = (
        reference if comparator_lower_ci is None else _operand(comparator_lower_ci, "limit", frame)
    )
    reference_upper = (
        reference if comparator_upper_ci is None else _operand(comparator_upper_ci, "limit", frame)
    )
    lower, upper = as_float(lower_ci), as_float(upper_ci)
    missing = (
        as_float(value).is_null()
        | lower.is_null()
        | upper.is_null()
        | reference.is_null()
        | reference_lower.is_null()
        | reference_upper.is_null()
    )
    above, below = {
        Polarity.HIGHER_IS_BETTER: (Comparison.BETTER, Comparison.WORSE),
        Polarity.LOWER_IS_BETTER: (Comparison.WORSE, Comparison.BETTER),
        Polarity.NO_JUDGEMENT: (Comparison.HIGHER, Comparison.LOWER),
    }[direction]
    return frame.with_columns(
        pl.when(missing)
        .then(pl.lit(Comparison.NOT_COMPARABLE.value))
        .when(lower > reference_upper)
        .then(pl.lit(above.value))
        .when(upper < reference_lower)
        .then(pl.lit(below.value))
        .otherwise(pl.lit(Comparison.SIMILAR.value))
        .cast(pl.String)
        .alias(output)
    )
