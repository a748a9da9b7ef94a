"""Checks shared by the statistics: a bad row is named, never silently dropped or turned into a number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

ROW_INDEX = "__welfarelab_row__"


def raise_on_first_row(
    frame: pl.DataFrame, condition: pl.Expr, message: Callable[[dict[str, Any]], str]
) -> None:
    """Raise ValueError with `message(row)` for the first row where `condition` holds.

    `row` holds the frame's columns plus ROW_INDEX, the 0-based position of the row in `frame`.
    """
    offending = frame.with_row_index(ROW_INDEX).filter(condition.fill_null(value=False))
    if offending.height:
        raise ValueError(message(offending.row(0, named=True)))


def check_columns(frame: pl.DataFrame, *columns: str) -> None:
    """Raise ValueError naming the columns of `columns` that `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"The frame lacks the column(s) {', '.join(missing)}; it has {', '.join(frame.columns)}."
        )


def as_float(column: str) -> pl.Expr:
    """`column` as Float64 with NaN read as missing."""
    return pl.col(column).cast(pl.Float64).fill_nan(None)


def float_array(frame: pl.DataFrame, column: str) -> npt.NDArray[np.float64]:
    """`column` of `frame` as a float64 NumPy array, missing values as NaN (a copy: the frame is untouched)."""
    return frame.get_column(column).cast(pl.Float64).to_numpy().astype(np.float64, copy=True)


def check_counts(frame: pl.DataFrame, *, numerator: str, denominator: str, at_most_denominator: bool) -> None:
    """Refuse negative numerators or denominators and, for proportions, numerators above their denominator."""
    check_columns(frame, numerator, denominator)
    raise_on_first_row(
        frame,
        as_float(numerator) < 0,
        lambda row: f"Row {row[ROW_INDEX]} has a negative numerator ({numerator} = {row[numerator]}).",
    )
    raise_on_first_row(
        frame,
        as_float(denominator) < 0,
        lambda row: f"Row {row[ROW_INDEX]} has a negative denominator ({denominator} = {row[denominator]}).",
    )
    if at_most_denominator:
        raise_on_first_row(
            frame,
            as_float(numerator) > as_float(denominator),
            lambda row: (
                f"Row {row[ROW_INDEX]} has numerator {numerator} = {row[numerator]} greater than its "
                f"denominator {denominator} = {row[denominator]}; a proportion cannot exceed 1."
            ),
        )
