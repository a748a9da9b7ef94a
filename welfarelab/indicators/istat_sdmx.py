"""Observations from ISTAT's SDMX web service (esploradati.istat.it), read with the `sdmx1` library.

The work is split so that everything but the download can run offline on a saved response:

1. `istat_dataflow_fetch` asks the web service for a dataflow, a key and a range of years (the only
   function that touches the network), or `sdmx_message_read` reads a saved SDMX-ML or SDMX-JSON file;
2. `sdmx_message_table` turns the message into a frame: one row per observation, one column per
   dimension (`REF_AREA`, `SEX`, … , `TIME_PERIOD` as published), `period` (the year) and `value`;
3. `sdmx_table_filter` keeps the series asked for (a positional key, `DIM=VALUE` filters, years), and
   `sdmx_cells_check` refuses data that still hold more than one observation per area and year;
4. `area_lookup` maps ISTAT's `REF_AREA` codes to our territories: `IT`, 6-digit comuni, `IT` + the
   3-digit code of a provincia (IT108 Monza e della Brianza), and NUTS codes, in the current spelling
   (ITI43) and in ISTAT's CL_ITTER107 spelling (ITE43); areas it cannot map are reported, never dropped
   in silence;
5. `istat_observations_import` writes the values through `observations_store` in one transaction,
   with an `ImportBatch` of origin SDMX.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import requests
import sdmx
import sdmx.message
from django.db import transaction

from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.indicators.models import FIRST_PERIOD, LAST_PERIOD, ImportBatch, Indicator
from welfarelab.indicators.services import observations_store
from welfarelab.territories.loaders import SITUAS_FILE, read_csv
from welfarelab.territories.models import Territory

ISTAT_SOURCE_ID = "ISTAT"
AREA_DIMENSION = "REF_AREA"
TIME_DIMENSION = "TIME_PERIOD"
FETCH_TIMEOUT_SECONDS = 120
_SOURCE_MAX_LENGTH = ImportBatch._meta.get_field("source").max_length or 300

# A year at the start of an SDMX time period: 2023, 2023-01-01, 2023-Q1, 2023-M01, 2023-S1.
_PERIOD_YEAR = re.compile(r"^(\d{4})(?:$|[-/T])")

# ISTAT's territorial code list CL_ITTER107 keeps NUTS 2006 codes where NUTS later renamed a unit: the
# Nord-est and Centro regions and provinces are spelled ITD… and ITE… (ITH… and ITI… since NUTS 2010).
_ISTAT_NUTS_PREFIXES = {"ITH": "ITD", "ITI": "ITE"}
# …and a few units whose code changed beyond the letter, or which NUTS does not have at all: the ISTAT
# code on the left covers exactly the comuni of the NUTS 2024 codes on the right (CL_ITTER107; provinces
# created since 2009 are IT + their ISTAT code, IT108 Monza e della Brianza, handled apart).
ISTAT_AREA_ALIASES: Mapping[str, tuple[str, ...]] = {
    "ITDA": ("ITH1", "ITH2"),  # Trentino-Alto Adige: the two autonomous provinces together
    "ITC45": ("ITC4C",),  # Milano
    "ITF41": ("ITF46",),  # Foggia
    "ITF42": ("ITF47",),  # Bari
    "ITG25": ("ITG2D",),  # Sassari
    "ITG26": ("ITG2E",),  # Nuoro
    "ITG27": ("ITG2F",),  # Cagliari
    "ITG28": ("ITG2G",),  # Oristano
}

NOT_A_DATA_MESSAGE = "{name} holds no SDMX data message (it is a {kind}); pass the response of a data query."
NO_DATA = "The SDMX message holds no observation."
NO_DIMENSION = "The SDMX data have no {dimension} dimension, so they cannot be read as territory × year."
NOT_A_NUMBER = "An observation's value is not a number: {value!r}."
BAD_PERIODS = "Time periods that do not start with a year: {periods}."
PERIODS_OUT_OF_RANGE = "Years outside {first}–{last}: {periods}."
BAD_KEY = (
    "The key {key!r} has {parts} part(s) separated by dots; the data have {count} dimensions: {dimensions}. "
    "(A structure-specific file read without --structure takes its attributes for dimensions.)"
)
BAD_FILTER = "A filter is written DIMENSION=VALUE (e.g. SEX=9); got {text!r}."
UNKNOWN_DIMENSION = "The data have no dimension {dimension}; their dimensions are {dimensions}."
NOTHING_LEFT = "No observation is left after the key and filters."
SEVERAL_PER_CELL = (
    "The data hold up to {most} observations for one area and year (e.g. {area} in {period}): "
    "the dimensions {varying} still vary. Choose one value of each with --filter DIM=VALUE or --key."
)
UNREACHABLE = (
    "Cannot reach ISTAT's SDMX web service at {url} ({reason}). Without a network, save the response "
    "of the query in a browser and pass it with --file PATH."
)
HTTP_FAILED = "ISTAT's SDMX web service answered {status} for {url}{hint}."
NOT_FOUND_HINT = ": no such dataflow, or no data match the key and years"


class SdmxError(ValueError):
    """The message, the key or the data do not fit; the text says what to change."""


@dataclass(frozen=True)
class SdmxTable:
    """Observations of one SDMX message: `frame` has one column per dimension (text, as published),
    `period` (Int16, the year the time period starts in) and `value` (Float64, null when missing).
    `dimensions` lists the dimensions of the key in order, without the time dimension."""

    frame: pl.DataFrame
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class ImportSummary:
    """What a pull holds or stored: `mapped` has territory_id, period, value and the area codes."""

    mapped: pl.DataFrame
    unmapped_areas: tuple[str, ...]
    unmapped_rows: int
    batch: ImportBatch | None = None


# Reading ------------------------------------------------------------------------------------------


def sdmx_structure_read(path: Path) -> sdmx.message.StructureMessage:
    """Read a saved structure message holding a data structure definition (with its code lists)."""
    try:
        message = sdmx.read_sdmx(path)
    except (ValueError, KeyError, TypeError) as error:  # sdmx1 raises these for a file it cannot read
        raise SdmxError(f"{path.name} is not an SDMX structure message sdmx1 can read: {error}") from error
    if not isinstance(message, sdmx.message.StructureMessage) or not message.structure:
        raise SdmxError(f"{path.name} holds no data structure definition.")
    return message


def sdmx_message_read(
    path: Path, *, structure: sdmx.message.StructureMessage | None = None
) -> sdmx.message.Message:
    """Read a saved SDMX-ML (generic or structure-specific) or SDMX-JSON file.

    A structure-specific file is read best with its data structure definition (`structure`, the
    response of `datastructure/IT1/<DSD>` or `dataflow/IT1/<id>?references=all`): without it every
    series attribute is taken for a dimension.
    """
    try:
        if structure is not None:
            return sdmx.read_sdmx(path, structure=next(iter(structure.structure.values())))
        return sdmx.read_sdmx(path)
    except (ValueError, KeyError, TypeError) as error:  # sdmx1 raises these for a file it cannot read
        raise SdmxError(
            f"{path.name} is not an SDMX-ML or SDMX-JSON message sdmx1 can read: {error}"
        ) from error


def sdmx_area_names(structure_message: sdmx.message.StructureMessage) -> dict[str, str]:
    """Code → Italian name of every item of the message's code lists (for reports: ITC → Nord-ovest)."""
    names: dict[str, str] = {}
    for codelist in structure_message.codelist.values():
        for code in codelist:
            names.setdefault(str(code.id), code.name.localized_default("it"))
    return names


def _period_year(period: str) -> int | None:
    match = _PERIOD_YEAR.match(period)
    return int(match.group(1)) if match else None


def _number(value: Any) -> float | None:
    """An observation's value as a float; null when it is missing (absent, empty or NaN)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SdmxError(NOT_A_NUMBER.format(value=value)) from None
    return None if math.isnan(number) else number


def sdmx_message_table(message: sdmx.message.Message, *, name: str = "The message") -> SdmxTable:
    """Every observation of a data message as one frame (pure: no network, no database).

    Raises `SdmxError` when the message is not a data message, holds no observation, lacks a
    `REF_AREA` or `TIME_PERIOD` dimension, or has a time period that does not start with a year.
    """
    if not isinstance(message, sdmx.message.DataMessage):
        raise SdmxError(NOT_A_DATA_MESSAGE.format(name=name, kind=type(message).__name__))
    records: list[dict[str, str]] = []
    values: list[float | None] = []
    dimensions: list[str] = []
    for data_set in message.data:
        for observation in data_set.obs:
            key = {str(dim): str(kv.value) for dim, kv in observation.key.values.items()}
            for dim in key:
                if dim not in dimensions:
                    dimensions.append(dim)
            records.append(key)
            values.append(_number(observation.value))
    if not records:
        raise SdmxError(NO_DATA)
    for required in (AREA_DIMENSION, TIME_DIMENSION):
        if required not in dimensions:
            raise SdmxError(NO_DIMENSION.format(dimension=required))
    frame = pl.DataFrame(
        {dim: [record.get(dim) for record in records] for dim in dimensions},
        schema=dict.fromkeys(dimensions, pl.String),
    )
    years = [_period_year(period) for period in frame[TIME_DIMENSION]]
    bad = sorted({period for period, year in zip(frame[TIME_DIMENSION], years, strict=True) if year is None})
    if bad:
        raise SdmxError(BAD_PERIODS.format(periods=", ".join(bad[:10])))
    frame = frame.with_columns(
        period=pl.Series(years, dtype=pl.Int16), value=pl.Series(values, dtype=pl.Float64)
    )
    return SdmxTable(frame=frame, dimensions=tuple(dim for dim in dimensions if dim != TIME_DIMENSION))


# Choosing the series ------------------------------------------------------------------------------


def filters_parse(texts: Sequence[str]) -> dict[str, list[str]]:
    """`["SEX=9", "AGE=TOTAL+Y0", "SEX=1"]` → `{"SEX": ["9", "1"], "AGE": ["TOTAL", "Y0"]}`."""
    filters: dict[str, list[str]] = {}
    for text in texts:
        dimension, sep, value = text.partition("=")
        if not sep or not dimension.strip() or not value.strip():
            raise SdmxError(BAD_FILTER.format(text=text))
        filters.setdefault(dimension.strip(), []).extend(v.strip() for v in value.split("+") if v.strip())
    return filters


def key_filters(key: str, dimensions: Sequence[str]) -> dict[str, list[str]]:
    """A positional SDMX key (`A.058091+058001.JAN.9.TOTAL.99`, `..JAN.9..`) as filters by dimension."""
    parts = key.split(".")
    if len(parts) != len(dimensions):
        raise SdmxError(
            BAD_KEY.format(key=key, parts=len(parts), count=len(dimensions), dimensions=".".join(dimensions))
        )
    return {dim: part.split("+") for dim, part in zip(dimensions, parts, strict=True) if part}


def sdmx_table_filter(
    table: SdmxTable,
    *,
    key: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    start: int | None = None,
    end: int | None = None,
) -> SdmxTable:
    """Keep the observations matching `key`, every filter (values of a dimension are alternatives) and
    the years `start`–`end`. The web service applies the key and years itself; applying them again is
    how a saved file is narrowed the same way."""
    wanted: dict[str, list[str]] = {}
    for source in (key_filters(key, table.dimensions) if key else {}, filters or {}):
        for dim, dim_values in source.items():
            if dim not in (*table.dimensions, TIME_DIMENSION):
                raise SdmxError(
                    UNKNOWN_DIMENSION.format(dimension=dim, dimensions=", ".join(table.dimensions))
                )
            wanted.setdefault(dim, []).extend(dim_values)
    conditions = [pl.col(dim).is_in(dim_values) for dim, dim_values in wanted.items()]
    if start is not None:
        conditions.append(pl.col("period") >= start)
    if end is not None:
        conditions.append(pl.col("period") <= end)
    frame = table.frame.filter(*conditions) if conditions else table.frame
    return dataclasses.replace(table, frame=frame)


def sdmx_cells_check(table: SdmxTable) -> None:
    """Refuse data with more than one observation per area and year, naming the dimensions that vary."""
    frame = table.frame
    if frame.is_empty():
        raise SdmxError(NOTHING_LEFT)
    cell = [AREA_DIMENSION, "period"]
    counted = frame.with_columns(_n=pl.len().over(cell))
    crowded = counted.filter(pl.col("_n") > 1)
    if crowded.is_empty():
        return
    others = [dim for dim in (*table.dimensions, TIME_DIMENSION) if dim != AREA_DIMENSION]
    distinct = crowded.group_by(cell).agg(pl.col(others).n_unique())
    varying = [dim for dim in others if (distinct.get_column(dim) > 1).any()]
    described = ", ".join(
        f"{dim} ({', '.join(sorted(crowded.get_column(dim).drop_nulls().unique().to_list())[:10])})"
        for dim in varying
    )
    example = crowded.sort("_n", AREA_DIMENSION, "period", descending=[True, False, False]).row(0, named=True)
    raise SdmxError(
        SEVERAL_PER_CELL.format(
            most=example["_n"], area=example[AREA_DIMENSION], period=example["period"], varying=described
        )
    )


# Areas --------------------------------------------------------------------------------------------


def _istat_spellings(nuts: str) -> list[str]:
    """A NUTS 2024 code and, where it differs, its spelling in ISTAT's CL_ITTER107 (ITI43 → ITE43)."""
    spellings = [nuts]
    prefix = _ISTAT_NUTS_PREFIXES.get(nuts[:3])
    if prefix:
        spellings.append(prefix + nuts[3:])
    return spellings


def _nuts_candidates(comuni: pl.DataFrame) -> pl.DataFrame:
    """(ref_area, preferred kind, territory_id of a comune) for every NUTS-like code and its comuni."""
    rows: list[tuple[str, str, int]] = []
    by_nuts: dict[str, list[int]] = {}
    for comune_id, nuts3 in comuni.select("territory_id", "nuts3").iter_rows():
        by_nuts.setdefault(nuts3, []).append(comune_id)
        by_nuts.setdefault(nuts3[:4], []).append(comune_id)
    for nuts, members in by_nuts.items():
        kind = Territory.Kind.REGIONE if len(nuts) == 4 else Territory.Kind.PROVINCIA
        for spelling in _istat_spellings(nuts):
            rows.extend((spelling, kind.value, member) for member in members)
    for alias, parts in ISTAT_AREA_ALIASES.items():
        kind = Territory.Kind.REGIONE if len(alias) == 4 else Territory.Kind.PROVINCIA
        rows.extend((alias, kind.value, member) for part in parts for member in by_nuts.get(part, []))
    return pl.DataFrame(
        rows, schema={"ref_area": pl.String, "prefer": pl.String, "comune_id": pl.Int64}, orient="row"
    ).unique()


def area_lookup(*, territories: pl.DataFrame, nuts: pl.DataFrame) -> pl.DataFrame:
    """(ref_area, territory_id): the ISTAT area codes that name one of `territories` (pure).

    `territories` has territory_id, kind, code, code_2026, provincia_id and regione_id; `nuts` has
    codice_comune (2026 codes) and nuts3_2024, as in the bundled SITUAS file. A NUTS code (or its
    ISTAT spelling) names a provincia or regione when the comuni it covers are exactly that
    territory's comuni — among the comuni whose NUTS code is known — so that a unit NUTS cuts
    differently from our list is left unmapped rather than mapped wrongly.
    """
    schema = {"ref_area": pl.String, "territory_id": pl.Int64}
    direct: list[tuple[str, int]] = []
    comune_codes = set(territories.filter(pl.col("kind") == Territory.Kind.COMUNE.value)["code"].to_list())
    new_codes: dict[str, list[int]] = {}
    for territory_id, kind, code, code_2026 in territories.select(
        "territory_id", "kind", "code", "code_2026"
    ).iter_rows():
        if kind == Territory.Kind.ITALIA:
            direct.append((code, territory_id))
        elif kind == Territory.Kind.PROVINCIA:
            direct.append((f"IT{code}", territory_id))
        elif kind == Territory.Kind.COMUNE:
            direct.append((code, territory_id))
            if code_2026 and code_2026 != code and code_2026 not in comune_codes:
                new_codes.setdefault(code_2026, []).append(territory_id)
    # A 2026 code names a comune of our list only when no merger gave it to several of them.
    direct.extend((code, ids[0]) for code, ids in new_codes.items() if len(ids) == 1)

    comuni = (
        territories.filter(pl.col("kind") == Territory.Kind.COMUNE.value)
        .with_columns(
            situas_code=pl.when(pl.col("code_2026").fill_null("") != "")
            .then(pl.col("code_2026"))
            .otherwise(pl.col("code"))
        )
        .join(
            nuts.select(pl.col("codice_comune").alias("situas_code"), pl.col("nuts3_2024").alias("nuts3")),
            on="situas_code",
            how="inner",
        )
        .filter(pl.col("nuts3").fill_null("").str.contains(r"^IT[A-Z][0-9A-Z]{2}$"))
    )
    candidates = _nuts_candidates(comuni)
    matched: list[pl.DataFrame] = []
    for kind, parent in ((Territory.Kind.PROVINCIA, "provincia_id"), (Territory.Kind.REGIONE, "regione_id")):
        members = comuni.select(pl.col("territory_id").alias("comune_id"), pl.col(parent).alias("parent"))
        parent_sizes = members.drop_nulls("parent").group_by("parent").agg(pl.len().alias("parent_size"))
        per_code = (
            candidates.join(members, on="comune_id", how="left")
            .group_by("ref_area", "prefer")
            .agg(
                pl.col("parent").drop_nulls().n_unique().alias("parents"),
                pl.col("parent").null_count().alias("orphans"),
                pl.col("parent").drop_nulls().first(),
                pl.len().alias("size"),
            )
            .filter((pl.col("parents") == 1) & (pl.col("orphans") == 0))
            .join(parent_sizes, on="parent", how="inner")
            .filter(pl.col("size") == pl.col("parent_size"))
            .select("ref_area", "prefer", pl.col("parent").alias("territory_id"), rank=pl.lit(kind.value))
        )
        matched.append(per_code)
    by_nuts = (
        pl.concat(matched)
        .with_columns(order=(pl.col("rank") != pl.col("prefer")).cast(pl.Int8))
        .sort("ref_area", "order")
        .unique("ref_area", keep="first", maintain_order=True)
        .select("ref_area", "territory_id")
    )
    lookup = pl.DataFrame(direct, schema=schema, orient="row")
    return pl.concat([lookup, by_nuts.join(lookup, on="ref_area", how="anti")]).unique(
        "ref_area", keep="first"
    )


def territories_area_frame() -> pl.DataFrame:
    """Our territories as `area_lookup` takes them."""
    return pl.DataFrame(
        list(Territory.objects.values_list("id", "kind", "code", "code_2026", "provincia_id", "regione_id")),
        schema={
            "territory_id": pl.Int64,
            "kind": pl.String,
            "code": pl.String,
            "code_2026": pl.String,
            "provincia_id": pl.Int64,
            "regione_id": pl.Int64,
        },
        orient="row",
    )


def nuts_frame(*, data_dir: Path) -> pl.DataFrame:
    """Comune code (2026) → NUTS3 code (2024), from the bundled SITUAS file."""
    return read_csv(data_dir / SITUAS_FILE).select("codice_comune", "nuts3_2024")


def sdmx_table_map_areas(table: SdmxTable, *, lookup: pl.DataFrame) -> ImportSummary:
    """Join the observations to our territories; areas without a territory are counted, not dropped."""
    joined = table.frame.join(lookup.rename({"ref_area": AREA_DIMENSION}), on=AREA_DIMENSION, how="left")
    unmapped = joined.filter(pl.col("territory_id").is_null())
    return ImportSummary(
        mapped=joined.filter(pl.col("territory_id").is_not_null()),
        unmapped_areas=tuple(sorted(unmapped[AREA_DIMENSION].unique().to_list())),
        unmapped_rows=unmapped.height,
    )


# Network ------------------------------------------------------------------------------------------


def istat_dataflow_fetch(
    *,
    dataflow: str,
    key: str = "",
    start: int | None = None,
    end: int | None = None,
    url: str | None = None,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> sdmx.message.Message:
    """Download `dataflow` from ISTAT's SDMX web service (or the service at `url`).

    The key is sent as written (dimension values in the dataflow's order, `+` between alternatives,
    empty for all); `start` and `end` become startPeriod and endPeriod. A network failure or an HTTP
    error raises `SdmxError` with a sentence to show, never a traceback.
    """
    client = sdmx.Client(ISTAT_SOURCE_ID)
    if url:
        # An instance attribute: the library's registry of sources keeps ISTAT's own address.
        client.source = dataclasses.replace(client.source, url=url.rstrip("/"))
    params = {}
    if start is not None:
        params["startPeriod"] = str(start)
    if end is not None:
        params["endPeriod"] = str(end)
    try:
        return client.data(dataflow, key=key or None, params=params, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as error:
        reason = "timed out" if isinstance(error, requests.Timeout) else "connection failed"
        raise SdmxError(UNREACHABLE.format(url=client.source.url, reason=reason)) from None
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else "an error"
        raise SdmxError(
            HTTP_FAILED.format(
                status=status,
                url=error.request.url if error.request is not None else client.source.url,
                hint=NOT_FOUND_HINT if status == 404 else "",
            )
        ) from None
    except NotImplementedError as error:
        raise SdmxError(HTTP_FAILED.format(status=501, url=client.source.url, hint=f" ({error})")) from None


def message_sha256(message: sdmx.message.Message) -> str:
    """SHA-256 of the response a downloaded message was read from ('' for a message read from a file)."""
    response = getattr(message, "response", None)
    content = getattr(response, "content", None)
    return hashlib.sha256(content).hexdigest() if isinstance(content, bytes) else ""


# Writing ------------------------------------------------------------------------------------------


def batch_source(*, dataflow: str, key: str, filters: Mapping[str, Sequence[str]]) -> str:
    """`ISTAT SDMX <dataflow> <key> [DIM=VALUE…]`, cut to the length of the source field."""
    parts = ["ISTAT SDMX", dataflow, key, *(f"{dim}={'+'.join(values)}" for dim, values in filters.items())]
    text = " ".join(part for part in parts if part)
    return text if len(text) <= _SOURCE_MAX_LENGTH else text[: _SOURCE_MAX_LENGTH - 1] + "…"


def observation_frame(*, mapped: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    """(territory_id, period, value[, numerator]) as `observations_store` takes them.

    Periods outside the range an observation may have are refused. For a count or an enumeration
    the value is also its numerator, so that the 95% limits are computed and the comuni's values
    are summed up the territorial hierarchy.
    """
    out_of_range = sorted(
        set(mapped.filter((pl.col("period") < FIRST_PERIOD) | (pl.col("period") > LAST_PERIOD))["period"])
    )
    if out_of_range:
        raise SdmxError(
            PERIODS_OUT_OF_RANGE.format(
                first=FIRST_PERIOD, last=LAST_PERIOD, periods=", ".join(map(str, out_of_range))
            )
        )
    frame = mapped.select("territory_id", "period", "value")
    if indicator.statistic in COUNT_LIKE and indicator.multiplier > 0:
        frame = frame.with_columns(numerator=pl.col("value") / indicator.multiplier)
    return frame


@transaction.atomic
def istat_observations_import(
    *,
    indicator: Indicator,
    summary: ImportSummary,
    source: str,
    filename: str = "",
    sha256: str = "",
) -> ImportBatch:
    """Store the mapped observations of one pull as one `ImportBatch` (origin SDMX); the areas left
    unmapped are written in the batch's note."""
    frame = observation_frame(mapped=summary.mapped, indicator=indicator)
    note = ""
    if summary.unmapped_areas:
        note = (
            f"{summary.unmapped_rows} observation(s) of areas with no territory, not stored: "
            f"{', '.join(summary.unmapped_areas)}."
        )
    batch = ImportBatch.objects.create(
        origin=ImportBatch.Origin.SDMX, source=source, filename=filename, sha256=sha256, note=note
    )
    batch.rows = observations_store(indicator=indicator, frame=frame, batch=batch, source=source)
    batch.save(update_fields=["rows"])
    return batch
