"""Quantile classes for a choropleth map: each class holds about as many territories as the others.

With the n known values sorted and k classes wanted, class i (1…k) ends at the value of rank ⌈i·n/k⌉
(nearest rank) and holds the values above the end of class i − 1 up to its own end. Equal values are
never split, so ties can leave fewer than k classes (and never an empty one). Each class is described
by the smallest and largest value it actually holds, so a legend never shows a range with nobody in it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

MAP_CLASSES = 5


@dataclass(frozen=True)
class ValueClass:
    lower: float
    upper: float
    count: int


def quantile_classes(values: Sequence[float], *, classes: int = MAP_CLASSES) -> list[ValueClass]:
    """The classes of `values` (NaN and infinities are not values), lowest first; [] when there is none."""
    if classes < 1:
        raise ValueError(f"classes must be at least 1, not {classes}.")
    known = sorted(v for v in values if math.isfinite(v))
    n = len(known)
    result: list[ValueClass] = []
    start = 0
    for i in range(1, classes + 1):
        upper = known[math.ceil(i * n / classes) - 1] if n else None
        if upper is None or (result and upper <= result[-1].upper):
            continue
        end = bisect_left(known, upper, lo=start)
        while end < n and known[end] == upper:
            end += 1
        result.append(ValueClass(lower=known[start], upper=upper, count=end - start))
        start = end
    return result


def class_index(value: float, classes: Sequence[ValueClass]) -> int | None:
    """The position (0 = lowest) of the class holding `value`, or None when no class holds it."""
    for index, value_class in enumerate(classes):
        if value_class.lower <= value <= value_class.upper:
            return index
    return None
