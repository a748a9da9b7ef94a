"""`welfarelab pull-istat DATAFLOW --indicator CODE`: store one series of ISTAT's SDMX web service.

welfarelab pull-istat 22_289 --key "A..JAN.9.TOTAL.99" --start 2022 --end 2023 --indicator residenti
welfarelab pull-istat 22_289 --file risposta.xml --filter SEX=9 --filter AGE=TOTAL --indicator residenti
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.indicators.istat_sdmx import (
    AREA_DIMENSION,
    ImportSummary,
    SdmxError,
    area_lookup,
    batch_source,
    filters_parse,
    istat_dataflow_fetch,
    istat_observations_import,
    message_sha256,
    nuts_frame,
    sdmx_area_names,
    sdmx_cells_check,
    sdmx_message_read,
    sdmx_message_table,
    sdmx_structure_read,
    sdmx_table_filter,
    sdmx_table_map_areas,
    territories_area_frame,
)
from welfarelab.indicators.models import Indicator

NO_SUCH_INDICATOR = "No indicator has the code {code!r}; create it in the admin first."
_SHOWN_ROWS = 20
BUILTIN_INDICATOR = (
    "{code} is a built-in indicator, computed from the bundled open data; pull into an indicator of your own."
)


class Command(BaseCommand):
    help = (
        "Store the observations of an ISTAT SDMX dataflow (one value per territory and year) as an "
        "indicator's values; --file reads a saved response instead of the web service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "dataflow", help="ISTAT dataflow id, e.g. 22_289 (resident population on 1 January)."
        )
        parser.add_argument(
            "--key",
            default="",
            help="SDMX key: the dimensions' values in order, '.' between dimensions, '+' between alternatives, "
            "empty for all (e.g. A.058091+001001.JAN.9.TOTAL.99).",
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            dest="filters",
            metavar="DIM=VALUE",
            help="Keep one value (or VALUE+VALUE) of a dimension; repeatable (e.g. --filter SEX=9).",
        )
        parser.add_argument("--start", type=int, help="First year (startPeriod).")
        parser.add_argument("--end", type=int, help="Last year (endPeriod).")
        parser.add_argument(
            "--indicator", required=True, help="Code of the (not built-in) indicator to fill."
        )
        parser.add_argument(
            "--file", type=Path, help="A saved SDMX-ML or SDMX-JSON response to read instead."
        )
        parser.add_argument(
            "--structure",
            type=Path,
            help="The dataflow's structure (DSD) file, for a structure-specific --file.",
        )
        parser.add_argument("--url", help="Address of the SDMX web service (default: ISTAT's).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be stored; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        indicator = self._indicator(options["indicator"])
        dataflow: str = options["dataflow"]
        key: str = options["key"]
        file: Path | None = options["file"]
        structure: Path | None = options["structure"]
        for path in (file, structure):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file.")
        try:
            filters = filters_parse(options["filters"])
            structure_message = sdmx_structure_read(structure) if structure is not None else None
            if file is not None:
                message = sdmx_message_read(file, structure=structure_message)
                filename, sha256 = file.name, hashlib.sha256(file.read_bytes()).hexdigest()
            else:
                message = istat_dataflow_fetch(
                    dataflow=dataflow, key=key, start=options["start"], end=options["end"], url=options["url"]
                )
                filename, sha256 = "", message_sha256(message)
            table = sdmx_table_filter(
                sdmx_message_table(message, name=filename or dataflow),
                key=key,
                filters=filters,
                start=options["start"],
                end=options["end"],
            )
            sdmx_cells_check(table)
            lookup = area_lookup(
                territories=territories_area_frame(), nuts=nuts_frame(data_dir=settings.WELFARELAB_DATA_DIR)
            )
            summary = sdmx_table_map_areas(table, lookup=lookup)
            names = sdmx_area_names(structure_message) if structure_message is not None else {}
            self._report(summary, names=names)
            if options["dry_run"]:
                self.stdout.write("Dry run: nothing was written.")
                return
            if summary.mapped.is_empty():
                raise CommandError("No observation belongs to a known territory; nothing was written.")
            batch = istat_observations_import(
                indicator=indicator,
                summary=summary,
                source=batch_source(dataflow=dataflow, key=key, filters=filters),
                filename=filename,
                sha256=sha256,
            )
        except SdmxError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{indicator.code}: {batch.rows} observation(s) stored (import batch {batch.pk})."
            )
        )

    def _indicator(self, code: str) -> Indicator:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise CommandError(NO_SUCH_INDICATOR.format(code=code))
        if indicator.is_builtin:
            raise CommandError(BUILTIN_INDICATOR.format(code=code))
        return indicator

    def _report(self, summary: ImportSummary, *, names: dict[str, str]) -> None:
        mapped = summary.mapped
        if not mapped.is_empty():
            values = mapped["value"]
            lowest, highest = values.drop_nulls().min(), values.drop_nulls().max()
            self.stdout.write(
                f"{mapped.height} observation(s) of {mapped['territory_id'].n_unique()} territories, "
                f"years {', '.join(map(str, sorted(mapped['period'].unique().to_list())))}; "
                f"values from {lowest!r} to {highest!r}"
                + (f", {values.null_count()} empty" if values.null_count() else "")
                + "."
            )
            grid = (
                mapped.select(AREA_DIMENSION, pl.col("period").cast(pl.String), "value")
                .sort("period")
                .pivot(on="period", index=AREA_DIMENSION, values="value")
                .sort(AREA_DIMENSION)
            )
            with pl.Config(
                fmt_float="full",
                tbl_rows=_SHOWN_ROWS,
                tbl_hide_dataframe_shape=True,
                tbl_hide_column_data_types=True,
            ):
                self.stdout.write(str(grid))
        if summary.unmapped_areas:
            shown = [f"{area} ({names[area]})" if area in names else area for area in summary.unmapped_areas]
            self.stderr.write(
                f"{summary.unmapped_rows} observation(s) of {len(shown)} area(s) with no territory, "
                f"not stored: {', '.join(shown)}. See docs/istat-sdmx.md on {AREA_DIMENSION} codes."
            )
