"""Peer groups: each territory's nearest neighbours on standardised structural variables.

In the spirit of CIPFA's Nearest Neighbours model (z-scores, weighted Euclidean distance, 15 published),
NHS England's open peer-group model (a transform per variable, user weights, 15 nearest) and Kolada's
similar municipalities (the user picks the variables and their weights). Decisions and weights are in
docs/decisions/0005-peer-groups.md.

**Method.** Each variable (a `PeerVariable`) is transformed (`identity`, `log`, `logit_share`, or a
category mapped to an ordinal score or spread over one-hot columns) and standardised over every row of
the frame, so that the mean squared difference between two distinct territories is 2 on every variable:

- a number, or an ordinal score, becomes its z-score with the sample standard deviation
  (Σᵢ≠ⱼ (zᵢ − zⱼ)² / n(n − 1) = 2 s² / s² = 2);
- a one-hot category becomes 0/1 columns divided by √q, where q is the chance that two distinct
  territories fall in different categories (Gini–Simpson): a mismatch counts 2 / q, a match 0, 2 on average.

A variable that takes one value only (no spread) cannot tell territories apart: it counts 0 for everyone.
The distance between territories i and j is the weighted root mean square of their differences over the
variables P that both have:

    d(i, j)² = Σ_{v∈P} w_v (z_iv − z_jv)² / Σ_{v∈P} w_v

so weights are relative (1, 1, 2 is 0.5, 0.5, 1), a weight is the share of the typical squared distance
its variable accounts for, and two territories drawn at random are d² = 2 apart on average. With every
variable present this is the Euclidean distance between points scaled by √(w_v / Σw), which is what the
k-d tree searches (exactly). A pair missing a variable is compared on the rest, rescaled to the weights
present, provided those carry at least `min_shared_weight` of the total (default one half); a missing
value is never imputed; `variables_used` says how many variables the pair shares.

**Similarity** = 100 × max(0, 1 − d² / 2): 100 for identical territories, 50 for a pair half as far apart
(in squared distance) as two territories drawn at random, 0 for that far apart or farther. It depends
on the pair only, not on k, `within` or the other neighbours (CIPFA's rebasing to the farthest pair does).

**Explanation.** `contribution_<variable>` is that variable's share of the pair's squared distance
(w_v (z_iv − z_jv)² / Σ_{P} w (Δz)²; the shares sum to 1; null where the variable is missing, and all null
for a pair at distance 0). `differs_most_on` is the variable with the largest share; `closest_on` lists
up to three others that bring the pair closest compared with two random territories — the largest
w_v (2 − (z_iv − z_jv)²) > 0, so a heavily weighted variable on which they agree comes first.

**Ties** are broken by the territory code: among peers at the same distance (to 1e-10), the lower code
ranks first, whichever path computed them.

**Speed.** Territories with every variable are searched with scipy's cKDTree (exact for this distance);
pairs involving a missing value by matrix products on chunks of rows. All 7,899 comuni, k = 15, take
about 0.3 s on 2 cores, every pair by chunks 1–2 s (benchmarks/peer_groups.py).

`structural_variables` builds the default variables from counts by comune, and from their sums for
ambiti (or any grouping of comuni), whose categories become population-weighted mean scores
(AMBITO_VARIABLES).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.spatial import cKDTree

from welfarelab.analytics._validation import ROW_INDEX, check_columns, raise_on_first_row

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_K = 15
# A pair is compared when the variables both have carry at least this share of the total weight.
DEFAULT_MIN_SHARED_WEIGHT = 0.5
# Distances within _TIE of each other are ties, broken by code (floating point may differ in the last
# digits between equal distances summed in another order). Each search keeps every candidate within
# _BOUNDARY of the k-th distance, so no tie is lost whichever path runs.
_TIE = 1e-10
_BOUNDARY = 1e-9
# The chunked path computes a block of rows × candidates at a time, ~4 MB of float64 per matrix:
# measured faster than 32 MB blocks on 2 cores, and it adds nothing to the peak memory.
_CHUNK_CELLS = 500_000
# How many variables a pair's explanation names as the closest.
_CLOSEST_NAMED = 3


class Transform(StrEnum):
    """How a variable's value becomes a number before it is standardised."""

    IDENTITY = "identity"
    LOG = "log"  # natural log of a value > 0: size, density, income, ratios
    LOGIT_SHARE = "logit_share"  # log(p / (1 − p)) of a proportion 0 < p < 1 (not a percentage)
    CATEGORICAL_ORDINAL = "categorical_ordinal"  # category → its score in `levels`
    ONE_HOT = "one_hot"  # category → one 0/1 column per level; any two different categories are as far apart


class Missing(StrEnum):
    """What a missing (null or NaN) value of a variable does."""

    SKIP = "skip"  # the territory is compared on the variables it has; the output says how many
    RAISE = "raise"  # ValueError naming the row


class Method(StrEnum):
    """How the nearest neighbours are searched; both give the same peers."""

    AUTO = "auto"  # k-d tree between territories with every variable, chunked NumPy for the others
    BRUTE = "brute"  # chunked NumPy for every pair


_CATEGORICAL = (Transform.CATEGORICAL_ORDINAL, Transform.ONE_HOT)
Levels = tuple[tuple[str, float], ...]


def _member(enum: type[StrEnum], value: object, what: str) -> Any:
    if isinstance(value, str) and value in {member.value for member in enum}:
        return enum(value)
    accepted = ", ".join(member.value for member in enum)
    raise ValueError(f"{what} must be one of {accepted}; got {value!r}.")


def _category(value: object) -> str:
    """A category as text: 1, 1.0 and "1" are the same level."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class PeerVariable:
    """One structural variable of the peer model: a column of the frame, its transform and weight.

    `levels` is required for `categorical_ordinal`: a mapping category → score, or the categories in
    order (scored 0, 1, 2, …); categories are matched as text (1, 1.0 and "1" alike). For `one_hot` it
    lists the categories (any others are refused); left out, they are the values found in the frame.
    A weight of 0 leaves the variable out (its column need not exist). `rationale` says why it is there
    and why it weighs what it does. Raises ValueError for a bad transform, weight, rule or levels.
    """

    name: str
    transform: Transform | str = Transform.IDENTITY
    weight: float = 1.0
    missing: Missing | str = Missing.SKIP
    levels: Mapping[str, float] | Sequence[str] | Levels | None = None
    rationale: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or self.name == "territory":
            raise ValueError(
                f"A peer variable needs a column name other than 'territory'; got {self.name!r}."
            )
        transform = _member(Transform, self.transform, f"The transform of variable {self.name!r}")
        object.__setattr__(self, "transform", transform)
        object.__setattr__(
            self, "missing", _member(Missing, self.missing, f"The missing rule of {self.name!r}")
        )
        weight = self.weight
        if (
            isinstance(weight, bool)
            or not isinstance(weight, Real)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise ValueError(
                f"Variable {self.name!r} has weight {weight!r}; a weight must be a finite number ≥ 0."
            )
        object.__setattr__(self, "weight", float(weight))
        object.__setattr__(self, "levels", self._normalised_levels(transform))

    def _normalised_levels(self, transform: Transform) -> Levels | None:
        levels = self.levels
        if transform not in _CATEGORICAL:
            if levels is not None:
                raise ValueError(
                    f"Variable {self.name!r} has levels but transform {transform.value!r}; "
                    "levels belong to categorical_ordinal and one_hot."
                )
            return None
        if levels is None:
            if transform is Transform.CATEGORICAL_ORDINAL:
                raise ValueError(
                    f"Variable {self.name!r} is categorical_ordinal: give its levels in order, or a "
                    "mapping category → score."
                )
            return None
        if isinstance(levels, str):
            raise ValueError(f"The levels of {self.name!r} must be a sequence or a mapping, not a string.")
        pairs: list[tuple[str, Any]]
        if isinstance(levels, Mapping):
            pairs = [(_category(key), score) for key, score in levels.items()]
        else:
            items = list(levels)
            if items and all(isinstance(item, tuple) and len(item) == 2 for item in items):
                pairs = [(_category(key), score) for key, score in items]
            else:
                pairs = [(_category(item), float(position)) for position, item in enumerate(items)]
        if not pairs:
            raise ValueError(f"Variable {self.name!r} has no levels.")
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Variable {self.name!r} repeats a level: {', '.join(keys)}.")
        for key, score in pairs:
            if isinstance(score, bool) or not isinstance(score, Real) or not math.isfinite(score):
                raise ValueError(f"Level {key!r} of {self.name!r} has score {score!r}; it must be a number.")
        return tuple((key, float(score)) for key, score in pairs)

    def level_scores(self) -> dict[str, float]:
        """The levels as a mapping category → score (one_hot: the position); empty when not given."""
        return dict(self.levels or ())  # type: ignore[arg-type]


# ISTAT altimetric zones: 1 inland mountain, 2 coastal mountain, 3 inland hill, 4 coastal hill, 5 plain.
# The codes are not an order (2 is no higher than 1, nor between 1 and 3): scored by altitude class.
ALTIMETRIC_LEVELS: dict[str, float] = {"1": 0.0, "2": 0.0, "3": 1.0, "4": 1.0, "5": 2.0}
# DEGURBA: 1 cities (densely populated), 2 towns and suburbs, 3 rural areas (thinly populated).
DEGURBA_LEVELS: dict[str, float] = {"1": 1.0, "2": 2.0, "3": 3.0}
# Aree interne 2020, by distance from the hubs of essential services: A polo, B polo intercomunale,
# C cintura, D intermedio, E periferico, F ultraperiferico.
INNER_AREA_LEVELS: dict[str, float] = {"A": 0.0, "B": 1.0, "C": 2.0, "D": 3.0, "E": 4.0, "F": 5.0}

DEFAULT_VARIABLES: tuple[PeerVariable, ...] = (
    PeerVariable(
        "population",
        Transform.LOG,
        3.0,
        rationale="Scale decides which services a comune can run alone and how stable its rates are; "
        "CIPFA weighs population most. Log: 10,000 is as far from 1,000 as 100,000 from 10,000.",
    ),
    PeerVariable(
        "old_age_index",
        Transform.LOG,
        2.0,
        rationale="Residents 65+ per 100 aged 0–14: the demand for elderly and long-term care. "
        "Log: a ratio, skewed to the right (from ~50 to over 1,000 in small mountain comuni).",
    ),
    PeerVariable(
        "share_0_14",
        Transform.LOGIT_SHARE,
        1.0,
        rationale="Children's share (a proportion): demand for early-years, school and family services. "
        "Weight 1 because it overlaps with the old-age index; together age structure weighs 3.",
    ),
    PeerVariable(
        "mean_taxable_income",
        Transform.LOG,
        2.0,
        rationale="MEF mean taxable income per taxpayer: the economic condition of households and the "
        "local tax base. Log: differences in income act in proportion.",
    ),
    PeerVariable(
        "density",
        Transform.LOG,
        1.0,
        rationale="Residents per km²: the cost of reaching people (home care, transport). Weight 1: "
        "it overlaps with DEGURBA and with population.",
    ),
    PeerVariable(
        "altimetric_zone",
        Transform.CATEGORICAL_ORDINAL,
        1.0,
        levels=ALTIMETRIC_LEVELS,
        rationale="Mountain, hill or plain (ISTAT): travel times and seasonal isolation.",
    ),
    PeerVariable(
        "degurba",
        Transform.CATEGORICAL_ORDINAL,
        1.0,
        levels=DEGURBA_LEVELS,
        rationale="Eurostat degree of urbanisation (city, town, rural) as ISTAT applies it.",
    ),
    PeerVariable(
        "inner_area_class",
        Transform.CATEGORICAL_ORDINAL,
        1.0,
        levels=INNER_AREA_LEVELS,
        rationale="Aree interne class A–F (DPCoe 2020): distance from the hubs of health, school and "
        "rail services, the access to services that a social district must make up for.",
    ),
)

# For sums of comuni (ambiti): the categories become population-weighted mean scores, numbers.
AMBITO_VARIABLES: tuple[PeerVariable, ...] = (
    *DEFAULT_VARIABLES[:5],
    PeerVariable(
        "altimetric_score",
        Transform.IDENTITY,
        1.0,
        rationale="Population-weighted mean of the comuni's altitude class (0 mountain, 1 hill, 2 plain).",
    ),
    PeerVariable(
        "degurba_score",
        Transform.IDENTITY,
        1.0,
        rationale="Population-weighted mean DEGURBA (1 city … 3 rural).",
    ),
    PeerVariable(
        "inner_area_score",
        Transform.IDENTITY,
        1.0,
        rationale="Population-weighted mean aree interne class (0 A polo … 5 F ultraperiferico).",
    ),
)


def with_weights(variables: Iterable[PeerVariable], weights: Mapping[str, float]) -> tuple[PeerVariable, ...]:
    """`variables` with the weights of `weights` (name → weight) changed; 0 leaves a variable out.

    Raises ValueError for a name that is not among the variables, or a weight that is not ≥ 0.
    """
    variables = tuple(variables)
    unknown = sorted(set(weights) - {variable.name for variable in variables})
    if unknown:
        raise ValueError(
            f"No variable named {', '.join(unknown)}; the variables are "
            f"{', '.join(variable.name for variable in variables)}."
        )
    return tuple(
        dataclasses.replace(variable, weight=weights[variable.name]) if variable.name in weights else variable
        for variable in variables
    )


# ---------------------------------------------------------------------------------------------------
# Structural variables from counts


STRUCTURAL_COUNTS: tuple[str, ...] = (
    "population",
    "population_0_14",
    "population_65_plus",
    "area_km2",
    "taxable_income_eur",
    "taxable_income_taxpayers",
)
STRUCTURAL_CATEGORIES: dict[str, dict[str, float]] = {
    "altimetric_zone": ALTIMETRIC_LEVELS,
    "degurba": DEGURBA_LEVELS,
    "inner_area_class": INNER_AREA_LEVELS,
}
_SCORE_COLUMNS = {
    "altimetric_zone": "altimetric_score",
    "degurba": "degurba_score",
    "inner_area_class": "inner_area_score",
}


def _unknown_category_message(column: str, levels: Iterable[str]) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        return f"{_label(row)} has {column} {row[column]!r}; expected one of {', '.join(levels)}."

    return message


def _negative_count_message(column: str) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        return f"{_label(row)} has a negative {column} ({row[column]})."

    return message


def _missing_message(name: str) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        return f"{_label(row)} has no value of {name}, whose missing rule is 'raise'."

    return message


def _label(row: dict[str, Any]) -> str:
    return f"Row {row[ROW_INDEX]} (territory {row['territory']})"


def structural_variables(counts: pl.DataFrame, *, membership: pl.DataFrame | None = None) -> pl.DataFrame:
    """The columns of DEFAULT_VARIABLES (or, with `membership`, of AMBITO_VARIABLES) from counts by comune.

    `counts` has `territory` and the columns of STRUCTURAL_COUNTS (residents, residents aged 0–14 and 65+,
    area in km², MEF taxable income in euro and the taxpayers who declare it) and of
    STRUCTURAL_CATEGORIES (ISTAT altimetric zone 1–5, DEGURBA 1–3, aree interne class A–F). A null
    count or category is unknown, never 0.

    - `old_age_index` = 100 × residents 65+ / residents 0–14 (ISTAT); null when there are no children;
    - `share_0_14` = (residents 0–14 + ½) / (residents + 1): the proportion with the continuity
      correction of the empirical logit, so a comune without children has a finite logit (for 1,000
      residents it moves the share by less than 0.0005);
    - `mean_taxable_income` = taxable income / its taxpayers; `density` = residents / km².

    With `membership` (`territory` = comune, `parent` = ambito or any other sum of comuni) the counts of
    each parent's comuni are summed (a parent with an unknown part has an unknown sum, as everywhere in
    the platform) and the three categories become `altimetric_score`, `degurba_score` and
    `inner_area_score`, the population-weighted means of their scores (unknown if a part is unknown).
    Rows are sorted by territory.
    """
    check_columns(counts, "territory", *STRUCTURAL_COUNTS, *STRUCTURAL_CATEGORIES)
    frame = counts.select(
        pl.col("territory"),
        *(pl.col(column).cast(pl.Float64).fill_nan(None) for column in STRUCTURAL_COUNTS),
        *(
            pl.col(column)
            .cast(pl.String)
            .replace_strict(levels, default=None, return_dtype=pl.Float64)
            .alias(f"_{column}_score")
            for column, levels in STRUCTURAL_CATEGORIES.items()
        ),
        *(pl.col(column) for column in STRUCTURAL_CATEGORIES),
    )
    for column, levels in STRUCTURAL_CATEGORIES.items():
        raise_on_first_row(
            frame,
            pl.col(column).is_not_null() & pl.col(f"_{column}_score").is_null(),
            _unknown_category_message(column, levels),
        )
    for column in STRUCTURAL_COUNTS:
        raise_on_first_row(frame, pl.col(column) < 0, _negative_count_message(column))
    if membership is not None:
        check_columns(membership, "territory", "parent")
        raise_on_first_row(
            membership,
            pl.struct("territory", "parent").is_duplicated(),
            lambda row: f"The membership lists comune {row['territory']} in {row['parent']} more than once.",
        )
        all_known = {
            column: pl.col(column).null_count() == 0
            for column in (*STRUCTURAL_COUNTS, *(f"_{c}_score" for c in STRUCTURAL_CATEGORIES))
        }
        frame = (
            membership.select("territory", "parent")
            .join(frame, on="territory", how="left")
            .group_by("parent")
            .agg(
                *(
                    pl.when(all_known[column]).then(pl.col(column).sum()).alias(column)
                    for column in STRUCTURAL_COUNTS
                ),
                *(
                    pl.when(all_known[f"_{column}_score"] & all_known["population"])
                    .then(
                        (pl.col(f"_{column}_score") * pl.col("population")).sum() / pl.col("population").sum()
                    )
                    .alias(_SCORE_COLUMNS[column])
                    for column in STRUCTURAL_CATEGORIES
                ),
            )
            .rename({"parent": "territory"})
        )
        categories = [pl.col(score).fill_nan(None) for score in _SCORE_COLUMNS.values()]
    else:
        categories = [pl.col(column) for column in STRUCTURAL_CATEGORIES]
    population, children, elderly = (
        pl.col("population"),
        pl.col("population_0_14"),
        pl.col("population_65_plus"),
    )
    return frame.select(
        "territory",
        population,
        pl.when(children > 0).then(100 * elderly / children).alias("old_age_index"),
        ((children + 0.5) / (population + 1)).alias("share_0_14"),
        pl.when(pl.col("taxable_income_taxpayers") > 0)
        .then(pl.col("taxable_income_eur") / pl.col("taxable_income_taxpayers"))
        .alias("mean_taxable_income"),
        pl.when(pl.col("area_km2") > 0).then(population / pl.col("area_km2")).alias("density"),
        *categories,
    ).sort("territory")


# ---------------------------------------------------------------------------------------------------
# Standardisation


@dataclass(frozen=True)
class _Prepared:
    """The frame sorted by territory, as standardised coordinates scaled by √weight."""

    territories: pl.Series  # sorted; position = tie-break order
    frame: pl.DataFrame  # the input sorted by territory
    names: tuple[str, ...]  # variables with weight > 0
    weights: FloatArray  # (V,)
    coordinates: FloatArray  # (n, D): z × √w, NaN where the variable is missing
    starts: IntArray  # (V,): first column of each variable in `coordinates`
    present: npt.NDArray[np.bool_]  # (n, V)


def _numeric(frame: pl.DataFrame, variable: PeerVariable) -> FloatArray:
    name = variable.name
    column = frame.get_column(name)
    if not (column.dtype.is_numeric() or column.dtype == pl.Null):
        converted = column.cast(pl.Float64, strict=False)
        raise_on_first_row(
            frame.with_columns(converted.alias("__converted__")),
            pl.col(name).is_not_null() & pl.col("__converted__").is_null(),
            lambda row: f"{_label(row)} has {name} {row[name]!r}; {name} must be a number.",
        )
        column = converted
    numbers = frame.with_columns(column.cast(pl.Float64).fill_nan(None).alias(name))
    raise_on_first_row(
        numbers,
        pl.col(name).is_infinite(),
        lambda row: f"{_label(row)} has {name} = {row[name]}; an infinite value cannot be compared.",
    )
    if variable.transform is Transform.LOG:
        raise_on_first_row(
            numbers,
            pl.col(name) <= 0,
            lambda row: f"{_label(row)} has {name} = {row[name]}; the log transform needs a value > 0.",
        )
    elif variable.transform is Transform.LOGIT_SHARE:
        raise_on_first_row(
            numbers,
            (pl.col(name) <= 0) | (pl.col(name) >= 1),
            lambda row: (
                f"{_label(row)} has {name} = {row[name]}; logit_share needs a proportion strictly "
                "between 0 and 1 (divide a percentage by 100; correct a share of 0 or 1, e.g. (x + ½)/(n + 1))."
            ),
        )
    values = numbers.get_column(name).to_numpy().astype(np.float64, copy=True)
    if variable.transform is Transform.LOG:
        return np.log(values)
    if variable.transform is Transform.LOGIT_SHARE:
        return np.log(values / (1.0 - values))
    return values


def _categories(frame: pl.DataFrame, variable: PeerVariable) -> tuple[list[str | None], list[str]]:
    """The variable's values as level text (None where missing), and its levels in order."""
    name = variable.name
    column = frame.get_column(name)
    if column.dtype.is_float():
        column = column.fill_nan(None)
        raise_on_first_row(
            frame.with_columns(column.alias(name)),
            pl.col(name).is_not_null() & (pl.col(name) != pl.col(name).round(0)),
            lambda row: f"{_label(row)} has {name} = {row[name]}; a category must be a whole number or text.",
        )
        column = column.cast(pl.Int64)
    text = column.cast(pl.String)
    levels = (
        [key for key, _ in variable.levels]  # type: ignore[misc]
        if variable.levels is not None
        else sorted(text.drop_nulls().unique().to_list())
    )
    raise_on_first_row(
        frame.with_columns(text.alias(name)),
        pl.col(name).is_not_null() & ~pl.col(name).is_in(levels),
        lambda row: f"{_label(row)} has {name} {row[name]!r}, not one of its levels ({', '.join(levels)}).",
    )
    return text.to_list(), levels


def _standardised(values: FloatArray) -> FloatArray:
    """z-scores with the sample standard deviation; 0 for every present value when there is no spread."""
    present = ~np.isnan(values)
    if present.sum() < 2:
        return np.where(present, 0.0, np.nan)
    mean = values[present].mean()
    spread = values[present].std(ddof=1)
    if not spread > 0:
        return np.where(present, 0.0, np.nan)
    return (values - mean) / spread


def _one_hot(texts: list[str | None], levels: list[str]) -> FloatArray:
    """0/1 columns scaled so that two distinct territories differ by 2 on average (NaN rows where missing)."""
    position = {level: index for index, level in enumerate(levels)}
    columns = np.zeros((len(texts), len(levels)))
    for row, text in enumerate(texts):
        if text is None:
            columns[row] = np.nan
        else:
            columns[row, position[text]] = 1.0
    present = ~np.isnan(columns[:, 0]) if levels else np.zeros(len(texts), dtype=bool)
    total = int(present.sum())
    counts = columns[present].sum(axis=0)
    if total < 2:
        return columns * 0.0
    differ = 1.0 - float((counts * (counts - 1)).sum()) / (total * (total - 1))
    return columns / math.sqrt(differ) if differ > 0 else columns * 0.0


def _prepare(
    frame: pl.DataFrame, variables: Sequence[PeerVariable], *, extra: Sequence[str] = ()
) -> _Prepared:
    variables = tuple(variables)
    for variable in variables:
        if not isinstance(variable, PeerVariable):
            raise TypeError(f"Peer variables must be PeerVariable; got {variable!r}.")
    names = [variable.name for variable in variables]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"The variables repeat {', '.join(repeated)}; each column counts once.")
    used = [variable for variable in variables if variable.weight > 0]
    if not used:
        raise ValueError("Every variable has weight 0: give at least one a weight > 0.")
    check_columns(frame, "territory", *extra, *(variable.name for variable in used))
    raise_on_first_row(
        frame, pl.col("territory").is_null(), lambda row: f"Row {row[ROW_INDEX]} has no territory."
    )
    raise_on_first_row(
        frame,
        pl.col("territory").is_duplicated(),
        lambda row: (
            f"Territory {row['territory']} appears more than once (row {row[ROW_INDEX]} and another)."
        ),
    )
    # Rows are named by their position in the caller's frame, then sorted by code for the tie-break.
    original = frame.with_row_index("__position__")
    ordered = original.sort("territory")
    blocks: list[FloatArray] = []
    for variable in used:
        if variable.transform is Transform.ONE_HOT:
            texts, levels = _categories(frame, variable)
            block = _one_hot(texts, levels)
        elif variable.transform is Transform.CATEGORICAL_ORDINAL:
            texts, _ = _categories(frame, variable)
            scores = variable.level_scores()
            block = _standardised(np.array([np.nan if t is None else scores[t] for t in texts]))[:, None]
        else:
            block = _standardised(_numeric(frame, variable))[:, None]
        if block.shape[1] == 0 or np.isnan(block).all():
            raise ValueError(f"Variable {variable.name!r} has no value in any row: nothing to compare.")
        if variable.missing is Missing.RAISE:
            raise_on_first_row(
                frame.with_columns(pl.Series("__missing__", np.isnan(block).any(axis=1))),
                pl.col("__missing__"),
                _missing_message(variable.name),
            )
        blocks.append(block * math.sqrt(variable.weight))
    order = ordered.get_column("__position__").to_numpy()
    widths = [block.shape[1] for block in blocks]
    coordinates = np.hstack(blocks)[order] if sum(widths) else np.zeros((frame.height, 0))
    present = np.column_stack([~np.isnan(block).any(axis=1) for block in blocks])[order]
    return _Prepared(
        territories=ordered.get_column("territory"),
        frame=ordered.drop("__position__"),
        names=tuple(variable.name for variable in used),
        weights=np.array([variable.weight for variable in used]),
        coordinates=np.ascontiguousarray(coordinates),
        starts=np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64),
        present=present,
    )


# ---------------------------------------------------------------------------------------------------
# Search


def _empty_pairs() -> tuple[IntArray, IntArray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _kdtree_pairs(prepared: _Prepared, index: IntArray, k: int) -> tuple[IntArray, IntArray]:
    """Every pair (row, candidate) of `index` whose distance is within the row's k-th, ties included.

    Only for territories with every variable: their distance is the Euclidean one between the
    coordinates scaled by 1 / √Σw, which cKDTree finds exactly.
    """
    size = index.size
    wanted = min(k, size - 1)
    if wanted < 1:
        return _empty_pairs()
    points = prepared.coordinates[index] / math.sqrt(prepared.weights.sum())
    tree = cKDTree(points)
    rows_left = np.arange(size)
    asked = min(wanted + 2, size)  # self, k peers and one more to see whether the k-th is tied
    found_rows: list[IntArray] = []
    found_peers: list[IntArray] = []
    while rows_left.size:
        distances, peers = tree.query(points[rows_left], k=asked, workers=-1)
        distances, peers = np.atleast_2d(distances), np.atleast_2d(peers)
        itself = peers == rows_left[:, None]
        kth = np.sort(np.where(itself, np.inf, distances), axis=1)[:, wanted - 1]
        limit = kth + _BOUNDARY
        settled = (distances[:, -1] > limit) | (asked >= size)
        keep = ~itself & (distances <= limit[:, None]) & settled[:, None]
        rows, columns = np.nonzero(keep)
        found_rows.append(rows_left[rows])
        found_peers.append(peers[rows, columns])
        rows_left = rows_left[~settled]
        asked = min(asked * 2, size)
    return index[np.concatenate(found_rows)], index[np.concatenate(found_peers)].astype(np.int64)


def _brute_pairs(
    prepared: _Prepared, rows: IntArray, candidates: IntArray, k: int, least_weight: float
) -> tuple[IntArray, IntArray]:
    """Every pair (row, candidate) within the row's k-th distance among `candidates`, ties included.

    Squared distances of a block of rows to every candidate by matrix products, with missing values
    masked: Σ m_i m_j (y_i − y_j)² = (m_j · y_i²) + (m_i · y_j²) − 2 y_i · y_j with y = 0 where missing.
    Pairs whose shared variables weigh less than `least_weight` (absolute) are not compared.
    """
    if rows.size == 0 or candidates.size == 0:
        return _empty_pairs()
    coordinates = prepared.coordinates
    column_present = ~np.isnan(coordinates)
    filled = np.where(column_present, coordinates, 0.0)
    squared = filled**2
    column_mask = column_present.astype(np.float64)
    present = prepared.present.astype(np.float64)
    weighted_present = present * prepared.weights
    c_filled, c_squared, c_mask, c_present = (
        filled[candidates].T.copy(),
        squared[candidates].T.copy(),
        column_mask[candidates].T.copy(),
        present[candidates].T.copy(),
    )
    wanted = min(k, candidates.size)
    chunk = max(1, _CHUNK_CELLS // candidates.size)
    found_rows: list[IntArray] = []
    found_peers: list[IntArray] = []
    for start in range(0, rows.size, chunk):
        block = rows[start : start + chunk]
        numerator = (
            squared[block] @ c_mask + column_mask[block] @ c_squared - 2.0 * (filled[block] @ c_filled)
        )
        denominator = weighted_present[block] @ c_present
        comparable = (
            (denominator > 0)
            & (denominator >= least_weight - _BOUNDARY)
            & (block[:, None] != candidates[None, :])
        )
        distance2 = np.full(numerator.shape, np.inf)
        np.divide(np.maximum(numerator, 0.0), denominator, out=distance2, where=comparable)
        kth = np.partition(distance2, wanted - 1, axis=1)[:, wanted - 1]
        keep = np.isfinite(distance2) & (distance2 <= (kth + _BOUNDARY)[:, None])
        block_rows, columns = np.nonzero(keep)
        found_rows.append(block[block_rows])
        found_peers.append(candidates[columns])
    return np.concatenate(found_rows), np.concatenate(found_peers)


@dataclass(frozen=True)
class _PairTerms:
    per_variable: FloatArray  # (P, V): w_v (z_iv − z_jv)², NaN where not shared
    squared_distance: FloatArray  # (P,)
    shared: npt.NDArray[np.int64]  # (P,)


def _pair_terms(prepared: _Prepared, rows: IntArray, peers: IntArray) -> _PairTerms:
    """The exact terms of each pair, element by element (identical coordinates, identical distances)."""
    difference = prepared.coordinates[rows] - prepared.coordinates[peers]
    per_variable = np.add.reduceat(difference**2, prepared.starts, axis=1)
    shared = ~np.isnan(per_variable)
    numerator = np.where(shared, per_variable, 0.0).sum(axis=1)
    denominator = (shared * prepared.weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        squared_distance = np.where(denominator > 0, numerator / denominator, np.nan)
    return _PairTerms(per_variable, squared_distance, shared.sum(axis=1))


def _check_k(k: object, size: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1; got {k!r}.")
    if k >= size:
        raise ValueError(f"k = {k} peers need at least {k + 1} territories; the frame has {size}.")
    return k


def peer_groups(
    frame: pl.DataFrame,
    *,
    variables: Sequence[PeerVariable] = DEFAULT_VARIABLES,
    k: int = DEFAULT_K,
    within: str | None = None,
    method: Method | str = Method.AUTO,
    min_shared_weight: float = DEFAULT_MIN_SHARED_WEIGHT,
) -> pl.DataFrame:
    """The k nearest peers of every territory of `frame`, each explained.

    `frame` has one row per territory: `territory` (a code or an id; unique, not null) and the column of
    every variable with weight > 0. Variables are standardised over the whole frame (all of Italy, say);
    `within` names a column (regione, say) that restricts each territory's peers to its own group —
    a group of m ≤ k territories gives each of them its m − 1 others. A territory is never its own
    peer. A pair is compared only when the variables both have carry at least `min_shared_weight` of
    the total weight (default one half): fewer would let a territory known on two variables look close
    to everyone. A territory that reaches it with nobody gets fewer peers, or none (no rows).

    Returns one row per territory × peer, sorted by territory and rank: `territory`, `rank` (1..k),
    `peer`, `distance`, `similarity` (0–100), `variables_used` (the variables the pair shares),
    `closest_on` (list of up to 3 variable names), `differs_most_on`, and `contribution_<variable>` for
    each variable with weight > 0 (see the module's docstring). `method` only changes the speed.

    Raises ValueError for a missing column, a repeated or null territory or `within` value, k ≥ the
    number of territories, a `min_shared_weight` outside [0, 1], a variable with no value at all, a
    value its transform cannot take (log of ≤ 0, a share outside (0, 1), an unknown category), or a
    missing value of a variable whose rule is `raise`.
    """
    search = _member(Method, method, "The search method")
    prepared = _prepare(frame, variables, extra=(within,) if within else ())
    k = _check_k(k, frame.height)
    if (
        isinstance(min_shared_weight, bool)
        or not isinstance(min_shared_weight, Real)
        or not 0 <= min_shared_weight <= 1
    ):
        raise ValueError(f"min_shared_weight must be a share from 0 to 1; got {min_shared_weight!r}.")
    least_weight = float(min_shared_weight) * float(prepared.weights.sum())
    if within:
        raise_on_first_row(
            frame, pl.col(within).is_null(), lambda row: f"{_label(row)} has no value of {within}."
        )
        labels = prepared.frame.get_column(within).cast(pl.String).to_numpy()
        _, group_of = np.unique(labels, return_inverse=True)
        groups = [np.flatnonzero(group_of == group) for group in range(int(group_of.max()) + 1)]
    else:
        groups = [np.arange(frame.height)]

    complete: npt.NDArray[np.bool_] = np.asarray(prepared.present.all(axis=1), dtype=bool)
    pieces: list[tuple[IntArray, IntArray]] = []
    for members in groups:
        if search is Method.AUTO:
            whole, partial = members[complete[members]], members[~complete[members]]
            pieces.append(_kdtree_pairs(prepared, whole, k))
            pieces.append(_brute_pairs(prepared, whole, partial, k, least_weight))
            pieces.append(_brute_pairs(prepared, partial, members, k, least_weight))
        else:
            pieces.append(_brute_pairs(prepared, members, members, k, least_weight))
    rows = np.concatenate([piece[0] for piece in pieces])
    peers = np.concatenate([piece[1] for piece in pieces])
    return _ranked(prepared, rows, peers, k)


def _ranked(prepared: _Prepared, rows: IntArray, peers: IntArray, k: int) -> pl.DataFrame:
    """Rank each row's candidates by distance, ties (to _TIE) by position, i.e. by territory code."""
    terms = _pair_terms(prepared, rows, peers)
    distance = np.sqrt(terms.squared_distance)
    by_distance = np.lexsort((distance, rows))
    sorted_rows, sorted_distance = rows[by_distance], distance[by_distance]
    # Distances within _TIE of the previous one of the same row are one tie class.
    new_class = np.ones(rows.size, dtype=bool)
    new_class[1:] = (np.diff(sorted_rows) != 0) | (np.diff(sorted_distance) > _TIE)
    tie_class = np.cumsum(new_class)
    order = by_distance[np.lexsort((peers[by_distance], tie_class))]
    rows, peers = rows[order], peers[order]
    if rows.size:
        first = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        rank = np.arange(rows.size) - np.repeat(first, np.diff(np.r_[first, rows.size])) + 1
    else:
        rank = np.zeros(0, dtype=np.int64)
    kept = order[rank <= k]
    rows, peers, rank = rows[rank <= k], peers[rank <= k], rank[rank <= k]
    per_variable = terms.per_variable[kept]
    squared_distance = terms.squared_distance[kept]
    return _output(prepared, rows, peers, rank, per_variable, squared_distance, terms.shared[kept])


@dataclass(frozen=True)
class _Explanations:
    shares: FloatArray  # (P, V): each variable's share of the squared distance, NaN where missing
    closest: IntArray  # (P, 3): variables that bring the pair closest, best first; -1 for none
    differs_most: IntArray  # (P,): the variable with the largest share; -1 at distance 0


def _explanations(weights: FloatArray, per_variable: FloatArray) -> _Explanations:
    """Contribution shares, the variables that bring each pair closest, and the one that differs most."""
    total = np.nansum(per_variable, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total[:, None] > 0, per_variable / total[:, None], np.nan)
    pairs = np.arange(per_variable.shape[0])
    differs = np.where(np.isnan(per_variable), -np.inf, per_variable)
    differs_most = np.argmax(differs, axis=1) if pairs.size else np.zeros(0, dtype=np.int64)
    # Against two random territories (expected w_v × 2): what agreeing on v saves, heavy variables first.
    closeness = np.where(np.isnan(per_variable), -np.inf, 2.0 * weights - per_variable)
    apart = total > 0
    closeness[pairs[apart], differs_most[apart]] = -np.inf
    ranking = np.argsort(-closeness, axis=1, kind="stable")[:, :_CLOSEST_NAMED]
    chosen = np.take_along_axis(closeness, ranking, axis=1) > 0
    return _Explanations(
        shares=shares,
        closest=np.where(chosen, ranking, -1).astype(np.int64),
        differs_most=np.where(apart, differs_most, -1).astype(np.int64),
    )


def _names(names: Sequence[str], index: IntArray) -> pl.Series:
    """Variable names by index; -1 gives null."""
    positions = pl.Series(index, dtype=pl.Int64)
    return pl.Series(list(names), dtype=pl.String).gather(positions.set(positions < 0, None))


def _output(
    prepared: _Prepared,
    rows: IntArray,
    peers: IntArray,
    rank: IntArray,
    per_variable: FloatArray,
    squared_distance: FloatArray,
    shared: npt.NDArray[np.int64],
) -> pl.DataFrame:
    explained = _explanations(prepared.weights, per_variable)
    closest = pl.DataFrame(
        [
            _names(prepared.names, explained.closest[:, place]).alias(str(place))
            for place in range(explained.closest.shape[1])
        ]
    ).select(pl.concat_list(pl.all()).list.drop_nulls().alias("closest_on"))
    return pl.DataFrame(
        [
            prepared.territories.gather(rows).alias("territory"),
            pl.Series("rank", rank, dtype=pl.Int32),
            prepared.territories.gather(peers).alias("peer"),
            pl.Series("distance", np.sqrt(squared_distance), dtype=pl.Float64),
            pl.Series("similarity", 100.0 * np.maximum(0.0, 1.0 - squared_distance / 2.0), dtype=pl.Float64),
            pl.Series("variables_used", shared, dtype=pl.Int32),
            closest.get_column("closest_on"),
            _names(prepared.names, explained.differs_most).alias("differs_most_on"),
            *(
                pl.Series(f"contribution_{name}", explained.shares[:, column], dtype=pl.Float64).fill_nan(
                    None
                )
                for column, name in enumerate(prepared.names)
            ),
        ]
    )


def explain_neighbour(
    frame: pl.DataFrame,
    *,
    territory: object,
    peer: object,
    variables: Sequence[PeerVariable] = DEFAULT_VARIABLES,
) -> pl.DataFrame:
    """Why `peer` is (or is not) close to `territory`: one row per variable with weight > 0.

    Standardised over the whole `frame`, as `peer_groups` does. Columns: `variable`, `weight`,
    `territory_value` and `peer_value` (as text, as in the frame), `difference` (peer − territory in
    standard deviations of the transformed variable; for one_hot the size of the difference, unsigned),
    `contribution` (share of the squared distance, null where missing), and `explanation`: `closest`
    for the variables of `closest_on`, `differs_most`, `missing` where either lacks it, else null.
    Raises ValueError when either territory is not in the frame.
    """
    prepared = _prepare(frame, variables)
    codes = prepared.territories.to_list()
    positions: list[int] = []
    for role, code in (("territory", territory), ("peer", peer)):
        if code not in codes:
            raise ValueError(f"The {role} {code!r} is not in the frame.")
        positions.append(codes.index(code))
    if positions[0] == positions[1]:
        raise ValueError(f"A territory is not its own peer: both are {territory!r}.")
    rows, peers = np.array(positions[:1]), np.array(positions[1:])
    terms = _pair_terms(prepared, rows, peers)
    explained = _explanations(prepared.weights, terms.per_variable)
    closest = {prepared.names[variable] for variable in explained.closest[0].tolist() if variable >= 0}
    differs = prepared.names[explained.differs_most[0]] if explained.differs_most[0] >= 0 else None
    difference = prepared.coordinates[peers[0]] - prepared.coordinates[rows[0]]
    signed: list[float | None] = []
    for position, (start, width) in enumerate(
        zip(prepared.starts.tolist(), np.diff(np.r_[prepared.starts, difference.size]).tolist(), strict=True)
    ):
        block = difference[start : start + width] / math.sqrt(prepared.weights[position])
        if np.isnan(block).any():
            signed.append(None)
        else:
            signed.append(float(block[0]) if width == 1 else float(np.sqrt((block**2).sum())))
    explanation = [
        "missing"
        if np.isnan(terms.per_variable[0, position])
        else "closest"
        if name in closest
        else "differs_most"
        if name == differs
        else None
        for position, name in enumerate(prepared.names)
    ]
    pair = prepared.frame.filter(pl.col("territory").is_in([territory, peer]))
    values = {
        row["territory"]: row
        for row in pair.select("territory", *prepared.names).cast(pl.String).iter_rows(named=True)
    }
    return pl.DataFrame(
        {
            "variable": list(prepared.names),
            "weight": prepared.weights.tolist(),
            "territory_value": [values[str(territory)][name] for name in prepared.names],
            "peer_value": [values[str(peer)][name] for name in prepared.names],
            "difference": signed,
            "contribution": [None if np.isnan(share) else float(share) for share in explained.shares[0]],
            "explanation": explanation,
        },
        schema={
            "variable": pl.String,
            "weight": pl.Float64,
            "territory_value": pl.String,
            "peer_value": pl.String,
            "difference": pl.Float64,
            "contribution": pl.Float64,
            "explanation": pl.String,
        },
    )
